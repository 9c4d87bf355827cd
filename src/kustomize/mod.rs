//! The kustomize build pipeline: load → accumulate resources → generators →
//! transformers in kustomize's order → ResMap.

pub mod aliases;
pub mod build;
pub mod crds;
pub mod fieldspec;
pub mod generator_plugins;
pub mod generators;
pub mod hash;
pub mod kustomization;
pub mod nameref;
pub mod origin;
pub mod resmap;
pub mod selector;
pub mod transformers;
pub mod vars;

use crate::error::Result;
use crate::fs::Files;

pub use build::Output;
pub use resmap::{Behavior, Gvk, ResId, ResMap, Resource};

pub mod patch;

/// Which files a kustomization may read (kustomize's `--load-restrictor`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Files must lie inside the kustomization's own directory.
    #[default]
    RootOnly,
    None,
}

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub load_restrictor: LoadRestrictor,
}

/// Builds the kustomization in `dir` (an absolute path in `files`).
pub fn build(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<Output> {
    build::run(files, dir, options)
}

/// Builds and prints, exactly as `kustomize build` prints.
pub fn render(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<String> {
    let out = build(files, dir, options)?;
    crate::yaml::emit_checked(&out.resources.nodes())
}
