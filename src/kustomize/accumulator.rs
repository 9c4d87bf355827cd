//! What a kustomization has gathered so far: kustomize's ResAccumulator.

use super::fieldspec::TransformerConfig;
use super::resmap::ResMap;
use super::vars;
use crate::error::Result;
use std::sync::Arc;

/// Resources gathered so far, with the configuration that came with them
/// (kustomize's ResAccumulator).
#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    pub resources: ResMap,
    /// Shared: nearly every kustomization ends up with the same merged
    /// defaults, so merging is mostly a pointer copy.
    pub config: Arc<TransformerConfig>,
    /// `vars:` declared so far, from this level and below.
    pub vars: Vec<vars::Var>,
    /// How many resources each patch entry matched, from this level and
    /// below, in the order they were applied.
    pub patch_matches: Vec<PatchMatch>,
}

/// How many resources one patch matched where it was applied. A patch with
/// a target that selects nothing is no error in kustomize, so this count is
/// the only trace of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchMatch {
    /// The patch file, or the kustomization file for an inline patch.
    pub file: String,
    /// The `patches:` entry (or patch file) it came from.
    pub span: crate::span::Span,
    pub count: usize,
}

impl Accumulator {
    /// As kustomize's MakeEmptyAccumulator, the configuration starts empty:
    /// each kustomization merges the defaults (and its `configurations:`)
    /// after its resources, and the merge order decides which specs survive.
    pub(crate) fn empty() -> Accumulator {
        Accumulator {
            resources: ResMap::new(),
            config: Arc::new(TransformerConfig::default()),
            vars: Vec::new(),
            patch_matches: Vec::new(),
        }
    }
    pub(crate) fn merge(&mut self, other: Accumulator) -> Result<()> {
        merge_config(&mut self.config, &other.config)?;
        self.resources.append_all(other.resources)?;
        self.patch_matches.extend(other.patch_matches);
        vars::add_all(&mut self.vars, other.vars)
    }
}

/// kustomize's MergeConfig on shared configurations. Merging a merge result
/// into itself or merging nothing changes nothing, and merging the shared
/// defaults into nothing gives the shared defaults (a unit test checks that
/// they are a fixed point): the common cases need no walk and no copy.
pub(crate) fn merge_config(into: &mut Arc<TransformerConfig>, other: &Arc<TransformerConfig>) -> Result<()> {
    if Arc::ptr_eq(into, other) || other.is_empty() {
        return Ok(());
    }
    if into.is_empty() && Arc::ptr_eq(other, &TransformerConfig::builtin_shared()) {
        *into = other.clone();
        return Ok(());
    }
    Arc::make_mut(into).merge(other)
}
