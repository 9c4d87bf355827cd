//! What the stages of a build may ask of the builder: read a file the
//! kustomization names (under the load restrictor), build a directory of
//! plugin configs, the merge-key schema, origin tracking. Generators and
//! transformers see this trait, not the builder, so the pipeline's order
//! lives in build.rs alone and no stage imports it back.

use super::accumulator::Accumulator;
use super::kustomization::{Kustomization, Spanned};
use super::patch::Schema;
use super::resmap::{ResMap, Resource};
use super::trace::{Stage, StepKind};
use crate::error::{Error, Result};
use crate::fs::Files;
use crate::yaml::{parse_documents, Kind, Node, Span, Value};

pub trait Loader {
    fn files(&self) -> &dyn Files;
    /// Reads a file the kustomization names, honouring the load restrictor:
    /// its full path and its bytes.
    fn read_file(&self, k: &Kustomization, path: &str, span: &Span) -> Result<(String, Vec<u8>)>;
    /// Builds a kustomization directory on its own, as a base is built:
    /// kustomize does this for `generators:` and `transformers:` entries
    /// that name a directory of plugin configs.
    fn build_directory(&mut self, dir: &str, entry: &Spanned) -> Result<Accumulator>;
    /// Adds what `paths` name (files of resources or directories) to `acc`.
    fn accumulate_resources(&mut self, k: &Kustomization, acc: Accumulator, paths: &[Spanned]) -> Result<Accumulator>;
    /// The merge-key schema patches use.
    fn schema(&self) -> &Schema;
    /// For `buildMetadata` origin tracking: the directory being built,
    /// relative to the top kustomization; `None` when nothing is tracked.
    fn origin(&self) -> Option<&str>;
    /// Explain mode: whether a recorder watches this build.
    fn recording(&self) -> bool {
        false
    }
    /// Shows the recorder the resources after a step.
    fn observe(&self, _stage: &Stage, _resources: &mut [Resource]) {}
    /// After a step configured by `field` of `k` (or by the whole file).
    fn note(&self, k: &Kustomization, kind: StepKind, field: &str, resources: &mut ResMap) {
        if self.recording() {
            let place = k.field(field).map(|n| n.span.clone()).unwrap_or_else(|| Span::file(&k.file));
            self.observe(&Stage { kind, place, component: k.is_component(), from: None, targets: None }, &mut resources.resources);
        }
    }
    /// After a step configured at `place` (one patch, one entry).
    fn note_at(&self, k: &Kustomization, kind: StepKind, place: &Span, resources: &mut ResMap) {
        if self.recording() {
            self.observe(
                &Stage { kind, place: place.clone(), component: k.is_component(), from: None, targets: None },
                &mut resources.resources,
            );
        }
    }
    /// After a patch that may have changed only `targets`; `count` is how
    /// many resources there were before it (a patch that deleted one moved
    /// the others, and then every resource is looked at).
    fn note_targets(&self, k: &Kustomization, kind: StepKind, place: &Span, targets: &[usize], count: usize, resources: &mut ResMap) {
        if self.recording() {
            let targets = (resources.len() == count).then(|| targets.to_vec());
            self.observe(&Stage { kind, place: place.clone(), component: k.is_component(), from: None, targets }, &mut resources.resources);
        }
    }
    /// After a step configured at `place` that wrote what it read at `from`.
    fn note_from(&self, k: &Kustomization, kind: StepKind, place: &Span, from: &Span, resources: &mut [Resource]) {
        if self.recording() {
            self.observe(
                &Stage { kind, place: place.clone(), component: k.is_component(), from: Some(from.clone()), targets: None },
                resources,
            );
        }
    }
}

/// Parses a file of resources: several documents, `List` kinds inlined,
/// empty documents dropped, every object checked for a kind and a name.
pub fn read_resource_file(file: &str, bytes: &[u8]) -> Result<Vec<Resource>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::in_file(
            file,
            format!("this file is not UTF-8 text (invalid byte at offset {}); resources must be YAML text", e.valid_up_to()),
        )
    })?;
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<Node> = parse_documents(file, text)?.into();
    while let Some(doc) = queue.pop_front() {
        if is_empty_object(&doc) {
            continue;
        }
        check_object(&doc)?;
        let kind = doc.get_str("kind").unwrap_or("");
        if kind.ends_with("List") {
            match doc.get("items") {
                None => {}
                Some(items) if items.is_null() => continue,
                Some(items) => match items.as_seq() {
                    Some(list) => {
                        for item in list.iter().rev() {
                            queue.push_front(item.clone());
                        }
                        continue;
                    }
                    None => return Err(Error::at(&items.span, format!("expected array in {}/items, but found {}", kind, items.shape()))),
                },
            }
        }
        let mut node = doc;
        drop_merge_keys(&mut node);
        clean_loaded_annotations(&mut node);
        out.push(Resource::new(node));
    }
    Ok(out)
}

fn is_empty_object(n: &Node) -> bool {
    match &n.value {
        Value::Map(m) => m.is_empty(),
        Value::Scalar(s) => s.kind == Kind::Null,
        _ => false,
    }
}

fn check_object(doc: &Node) -> Result<()> {
    if !doc.is_map() {
        return Err(Error::at(
            &doc.span,
            format!("expected a Kubernetes object (a mapping with apiVersion, kind and metadata) but found {}", doc.shape()),
        ));
    }
    let kind = doc.get_str("kind").unwrap_or("");
    if kind.is_empty() {
        return Err(Error::at(&doc.span, "missing kind in object: every resource needs 'kind:' (and 'apiVersion:')"));
    }
    if let Some(meta) = doc.get("metadata") {
        if !meta.is_map() && !meta.is_null() {
            return Err(Error::at(&meta.span, format!("metadata must be a mapping, found {}", meta.shape())));
        }
    }
    if !kind.ends_with("List") {
        let name = doc.path(&["metadata", "name"]).and_then(|n| n.as_str()).unwrap_or("");
        if name.is_empty() {
            return Err(Error::at(&doc.span, format!("missing metadata.name in object of kind {}", kind)));
        }
    }
    Ok(())
}

/// kustomize's reader removes every key named `<<` (merges are already
/// applied by then), even a quoted one.
fn drop_merge_keys(node: &mut Node) {
    match &mut node.value {
        Value::Map(entries) => {
            entries.retain(|(k, _)| k.as_str() != Some("<<"));
            entries.iter_mut().for_each(|(_, v)| drop_merge_keys(v));
        }
        Value::Seq(items) => items.iter_mut().for_each(drop_merge_keys),
        Value::Scalar(_) => {}
    }
}

/// kustomize's reader annotates each document with its index and removes
/// those annotations again; on the way an empty `annotations:` disappears.
fn clean_loaded_annotations(node: &mut Node) {
    let Some(meta) = node.get_mut("metadata") else { return };
    if let Some(ann) = meta.get_mut("annotations") {
        for key in ["config.kubernetes.io/index", "internal.config.kubernetes.io/index"] {
            ann.remove(key);
        }
    }
    let empty = match meta.get("annotations") {
        Some(a) => a.is_null() || a.as_map().is_some_and(|m| m.is_empty()),
        None => false,
    };
    if empty {
        meta.remove("annotations");
    }
}
