//! Explain mode's window on the pipeline. A build may carry a `Recorder`;
//! after each step that can change resources the pipeline shows it the
//! resources and says which step ran and where it was configured. The
//! recorder (in `explain`, above this layer) compares what it saw before
//! with what it sees now. Normal builds carry none, and each hook is then
//! one test of an `Option`: nothing is cloned or walked.

use super::resmap::Resource;
use crate::yaml::Span;

/// What ran. Kinds name kustomize's steps; `Resources` and `Generated`
/// bring new resources whose node spans are their origins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    Resources,
    Generated,
    StrategicMerge,
    Json6902,
    Namespace,
    NamePrefix,
    NameSuffix,
    Labels,
    Annotations,
    Images,
    Replicas,
    Replacements,
    Plugin,
    HashSuffix,
    NameReference,
    Vars,
    ManagedBy,
}

impl StepKind {
    /// The word in `--format json`'s `kind`.
    pub fn id(self) -> &'static str {
        match self {
            StepKind::Resources => "resource",
            StepKind::Generated => "generator",
            StepKind::StrategicMerge => "strategic-merge-patch",
            StepKind::Json6902 => "json6902-patch",
            StepKind::Namespace => "namespace",
            StepKind::NamePrefix => "name-prefix",
            StepKind::NameSuffix => "name-suffix",
            StepKind::Labels => "labels",
            StepKind::Annotations => "annotations",
            StepKind::Images => "images",
            StepKind::Replicas => "replicas",
            StepKind::Replacements => "replacement",
            StepKind::Plugin => "transformer-plugin",
            StepKind::HashSuffix => "hash-suffix",
            StepKind::NameReference => "name-reference",
            StepKind::Vars => "vars",
            StepKind::ManagedBy => "managed-by-label",
        }
    }
    /// For people: "strategic-merge patch sets 5".
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Resources => "resource",
            StepKind::Generated => "generator",
            StepKind::StrategicMerge => "strategic-merge patch",
            StepKind::Json6902 => "JSON 6902 patch",
            StepKind::Namespace => "namespace",
            StepKind::NamePrefix => "namePrefix",
            StepKind::NameSuffix => "nameSuffix",
            StepKind::Labels => "labels",
            StepKind::Annotations => "commonAnnotations",
            StepKind::Images => "images",
            StepKind::Replicas => "replicas",
            StepKind::Replacements => "replacement",
            StepKind::Plugin => "transformer plugin",
            StepKind::HashSuffix => "generator hash suffix",
            StepKind::NameReference => "name reference",
            StepKind::Vars => "vars",
            StepKind::ManagedBy => "buildMetadata managedByLabel",
        }
    }
}

/// One step that ran over the resources.
#[derive(Clone, Debug)]
pub struct Stage {
    pub kind: StepKind,
    /// Where it was configured (the kustomization field or patch entry):
    /// the place of a change whose node keeps its old span, as a transformer
    /// that edits text in place leaves it.
    pub place: Span,
    /// Configured by a Component rather than a plain kustomization.
    pub component: bool,
    /// Where the value it writes was read (a replacement's source field).
    pub from: Option<Span>,
    /// The only resources (by position) it may have changed, when known:
    /// a patch touches its targets and nothing else.
    pub targets: Option<Vec<usize>>,
}

/// Sees the resources after each step. `resources` is mutable only so that
/// the recorder can tag new resources (`Resource::trace`).
pub trait Recorder {
    fn stage(&mut self, stage: &Stage, resources: &mut [Resource]);
}
