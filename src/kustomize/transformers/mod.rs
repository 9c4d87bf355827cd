//! The built-in transformers, run in kustomize's order
//! (api/internal/target/kusttarget_configplugin.go).

mod annotations;
mod images;
pub(crate) mod labels;
mod namespace;
mod patches;
mod plugins;
mod prefix_suffix;
pub mod replacements;
mod replicas;

use super::accumulator::Accumulator;
use super::aliases;
use super::kustomization::Kustomization;
use super::loader::Loader;
use super::origin::{self, Origin};
use super::trace::StepKind;
use crate::error::{Error, Result};

/// Fields this engine cannot apply yet: a build that uses one fails rather
/// than printing something kustomize would not.
const NOT_YET: [&str; 1] = ["helmCharts"];

pub fn run(b: &mut dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    for field in NOT_YET {
        if let Some(node) = k.field(field) {
            let unused = node.as_seq().is_some_and(|s| s.is_empty()) || node.as_map().is_some_and(|m| m.is_empty());
            if !unused {
                let why = match field {
                    // kustomize itself needs --enable-helm and a helm binary
                    // that downloads the chart.
                    "helmCharts" => "'helmCharts' cannot be inflated here: that needs the helm program and the network; run `helm template` yourself and list its output under resources:".to_string(),
                    _ => format!("'{}' is not supported by this engine yet", field),
                };
                return Err(Error::at(&node.span, why));
            }
        }
    }
    let count = |field: &str| k.field(field).and_then(|n| n.as_seq()).map(|s| s.len()).unwrap_or(0);
    let has = |field: &str| {
        k.field(field).is_some_and(|n| n.as_map().is_some_and(|m| !m.is_empty()) || n.as_seq().is_some_and(|s| !s.is_empty()))
    };
    patches::strategic_merge(b, k, acc)?;
    noted(b, k, acc, "PatchStrategicMergeTransformer", usize::from(has("patchesStrategicMerge")));
    patches::patches(b, k, acc)?;
    noted(b, k, acc, "PatchTransformer", count("patches"));
    namespace::run(k, acc)?;
    traced(b, k, acc, StepKind::Namespace, "namespace");
    noted(b, k, acc, "NamespaceTransformer", usize::from(k.string("namespace").is_some()));
    prefix_suffix::run(k, acc, prefix_suffix::Affix::Prefix)?;
    traced(b, k, acc, StepKind::NamePrefix, "namePrefix");
    prefix_suffix::run(k, acc, prefix_suffix::Affix::Suffix)?;
    traced(b, k, acc, StepKind::NameSuffix, "nameSuffix");
    noted(b, k, acc, "PrefixTransformer", usize::from(k.string("namePrefix").is_some()));
    noted(b, k, acc, "SuffixTransformer", usize::from(k.string("nameSuffix").is_some()));
    labels::run(k, acc)?;
    traced(b, k, acc, StepKind::Labels, if has("labels") { "labels" } else { "commonLabels" });
    // One per `labels:` entry, and one for `commonLabels:` even when empty.
    let label_runs = if has("labels") || has("commonLabels") { count("labels") + 1 } else { 0 };
    noted(b, k, acc, "LabelTransformer", label_runs);
    annotations::run(k, acc)?;
    traced(b, k, acc, StepKind::Annotations, "commonAnnotations");
    noted(b, k, acc, "AnnotationsTransformer", usize::from(has("commonAnnotations")));
    patches::json6902(b, k, acc)?;
    noted(b, k, acc, "PatchJson6902Transformer", count("patchesJson6902"));
    replicas::run(k, acc)?;
    traced(b, k, acc, StepKind::Replicas, "replicas");
    noted(b, k, acc, "ReplicaCountTransformer", count("replicas"));
    images::run(k, acc)?;
    traced(b, k, acc, StepKind::Images, "images");
    noted(b, k, acc, "ImageTagTransformer", count("images") + count("imageTags"));
    // Last of kustomize's builtin transformers.
    // kustomize replaces values in place: shared label values change together.
    let before = aliases::snapshot(&acc.resources);
    replacements::run(b, k, acc)?;
    aliases::sync(&mut acc.resources, before);
    // Values that share a node with a replaced one changed with it.
    traced(b, k, acc, StepKind::Replacements, "replacements");
    noted(b, k, acc, "ReplacementTransformer", usize::from(has("replacements")));
    plugins::run(b, k, acc)?;
    traced(b, k, acc, StepKind::Plugin, "transformers");
    plugins::validate(b, k, acc)?;
    Ok(())
}

/// Explain mode: shows the recorder what a transformer configured by
/// `field` did, when this kustomization configures it at all.
fn traced(b: &dyn Loader, k: &Kustomization, acc: &mut Accumulator, kind: StepKind, field: &str) {
    if b.recording() && k.field(field).is_some() {
        b.note(k, kind, field, &mut acc.resources);
    }
}

/// Origin tracking (`buildMetadata`): the built-in transformer `kind`,
/// configured by this kustomization, ran `times` times.
fn noted(b: &dyn Loader, k: &Kustomization, acc: &mut Accumulator, kind: &str, times: usize) {
    let Some(dir) = &b.origin() else { return };
    let o = Origin::builtin(origin::join(dir, crate::fs::file_name(&k.file)), kind);
    for _ in 0..times {
        origin::note_transformer(&mut acc.resources, &o);
    }
}
