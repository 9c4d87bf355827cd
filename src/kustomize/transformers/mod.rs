//! The built-in transformers, run in kustomize's order
//! (api/internal/target/kusttarget_configplugin.go).

mod annotations;
mod images;
pub(crate) mod labels;
mod namespace;
mod patches;
mod plugins;
mod prefix_suffix;
mod replicas;
pub mod replacements;

use super::build::{Accumulator, Builder};
use super::kustomization::Kustomization;
use crate::error::{Error, Result};

/// Fields this engine cannot apply yet: a build that uses one fails rather
/// than printing something kustomize would not.
const NOT_YET: [&str; 2] = [
    "validators",
    "helmCharts",
];

pub fn run(b: &mut Builder, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    for field in NOT_YET {
        if let Some(node) = k.field(field) {
            let unused = node.as_seq().is_some_and(|s| s.is_empty()) || node.as_map().is_some_and(|m| m.is_empty());
            if !unused {
                return Err(Error::at(&node.span, format!("'{}' is not supported by this engine yet", field)));
            }
        }
    }
    patches::strategic_merge(b, k, acc)?;
    mark(b, k, acc, "PatchStrategicMergeTransformer", usize::from(count(k, "patchesStrategicMerge") > 0))?;
    patches::patches(b, k, acc)?;
    mark(b, k, acc, "PatchTransformer", count(k, "patches"))?;
    namespace::run(k, acc)?;
    mark(b, k, acc, "NamespaceTransformer", usize::from(k.string("namespace").is_some()))?;
    prefix_suffix::run(k, acc)?;
    mark(b, k, acc, "PrefixTransformer", usize::from(k.string("namePrefix").is_some()))?;
    mark(b, k, acc, "SuffixTransformer", usize::from(k.string("nameSuffix").is_some()))?;
    labels::run(k, acc)?;
    // One LabelTransformer per `labels:` entry and one for `commonLabels`.
    let (labels, common) = (count(k, "labels"), count(k, "commonLabels"));
    mark(b, k, acc, "LabelTransformer", if labels + common > 0 { labels + 1 } else { 0 })?;
    annotations::run(k, acc)?;
    mark(b, k, acc, "AnnotationsTransformer", usize::from(count(k, "commonAnnotations") > 0))?;
    patches::json6902(b, k, acc)?;
    mark(b, k, acc, "PatchJson6902Transformer", count(k, "patchesJson6902"))?;
    replicas::run(k, acc)?;
    mark(b, k, acc, "ReplicaCountTransformer", count(k, "replicas"))?;
    images::run(k, acc)?;
    mark(b, k, acc, "ImageTagTransformer", count(k, "images") + count(k, "imageTags"))?;
    // Last of kustomize's builtin transformers.
    replacements::run(b, k, acc)?;
    mark(b, k, acc, "ReplacementTransformer", usize::from(count(k, "replacements") > 0))?;
    plugins::run(b, k, acc)?;
    Ok(())
}

/// How many entries a list or mapping field has.
fn count(k: &Kustomization, field: &str) -> usize {
    k.field(field).map(|n| n.as_seq().map(|s| s.len()).or(n.as_map().map(|m| m.len())).unwrap_or(0)).unwrap_or(0)
}

/// Records `times` runs of a builtin transformer configured by this
/// kustomization's fields on every resource (kustomize's multiTransformer
/// adds the transformer's origin after each one it runs). Nothing happens
/// unless the build tracks origins.
fn mark(b: &Builder, k: &Kustomization, acc: &mut Accumulator, kind: &str, times: usize) -> Result<()> {
    let Some(origin) = &b.origin else { return Ok(()) };
    if times == 0 {
        return Ok(());
    }
    let by = origin.builtin(crate::fs::file_name(&k.file), kind);
    for _ in 0..times {
        super::origin::add_transformation(&mut acc.resources.resources, &by)?;
    }
    Ok(())
}
