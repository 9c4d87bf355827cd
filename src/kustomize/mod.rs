//! The kustomize build pipeline: load → accumulate resources → generators →
//! transformers in kustomize's order → ResMap.

use crate::error::{Error, Result};
use crate::fs::Files;
use crate::yaml::Node;

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

/// Builds the kustomization in `dir` (an absolute path in `fs`).
pub fn build(fs: &dyn Files, dir: &str, options: &BuildOptions) -> Result<Vec<Node>> {
    let _ = (fs, dir, options);
    Err(Error::new("not implemented yet"))
}

/// Builds and prints, exactly as `kustomize build` prints.
pub fn render(fs: &dyn Files, dir: &str, options: &BuildOptions) -> Result<String> {
    let docs = build(fs, dir, options)?;
    Ok(crate::yaml::emit_documents(&docs))
}
