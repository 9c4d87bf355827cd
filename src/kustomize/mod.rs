//! The kustomize build pipeline: load → accumulate resources → generators →
//! transformers in kustomize's order → ResMap.

pub mod accumulator;
pub mod aliases;
pub mod build;
pub mod crds;
pub mod fieldpath;
pub mod fieldspec;
pub mod generator_plugins;
pub mod generators;
pub mod hash;
pub mod kustomization;
pub mod loader;
pub mod nameref;
pub mod notes;
pub mod options;
pub mod origin;
pub mod resmap;
pub mod selector;
pub mod trace;
pub mod transformers;
pub mod vars;

use crate::error::Result;
use crate::fs::Files;

pub use accumulator::PatchMatch;
pub use build::Output;
pub use notes::Note;
pub use options::{BuildOptions, LoadRestrictor};
pub use resmap::{Behavior, Gvk, ResId, ResMap, Resource};

pub mod patch;

/// Builds the kustomization in `dir` (an absolute path in `files`).
pub fn build(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<Output> {
    build::run(files, dir, options)
}

/// Builds as `build` does, showing `recorder` the resources after every
/// step (explain mode).
pub fn build_traced(files: &dyn Files, dir: &str, options: &BuildOptions, recorder: &mut dyn trace::Recorder) -> Result<Output> {
    build::run_traced(files, dir, options, Some(recorder))
}

/// Builds and prints, exactly as `kustomize build` prints.
pub fn render(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<String> {
    let out = build(files, dir, options)?;
    crate::yaml::emit_checked(&out.resources.nodes())
}
