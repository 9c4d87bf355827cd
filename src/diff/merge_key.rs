//! Which field identifies the items of a list, so that lists are compared
//! item by item (`containers[name=app]`) and not by position.
//!
//! The answer comes from the merge keys strategic merge uses (the schema
//! of `kustomize::patch::schema`); for lists the schema does not key (custom
//! resources, Flux objects, unkeyed built-in lists) a small table of common
//! shapes stands in. Whatever the source, a key is only used when every
//! item on both sides has it and no two items share a value.

use super::path::{Path, Segment};
use crate::kustomize::patch::Schema;
use crate::yaml::Node;
use std::collections::HashSet;

/// The key field for the list at `path` in a resource of `api_version`/`kind`,
/// when its items can be matched by one.
pub fn merge_key(api_version: &str, kind: &str, path: &Path, before: &[Node], after: &[Node]) -> Option<String> {
    if let Some(keys) = schema_keys(api_version, kind, path) {
        if let Some(k) = keys.iter().find(|k| identifies(k, before) && identifies(k, after)) {
            return Some(k.clone());
        }
    }
    let field = path.keys().last().unwrap_or("");
    let candidates: &[&str] = match field {
        "volumeMounts" => &["mountPath"],
        "volumeDevices" => &["devicePath"],
        // Container ports merge by containerPort, Service ports by port.
        "ports" => &["containerPort", "port", "name"],
        "hostAliases" => &["ip"],
        "topologySpreadConstraints" => &["topologyKey"],
        "imagePullSecrets" | "containers" | "initContainers" | "ephemeralContainers" | "env" | "volumes" => &["name"],
        // Lists of unknown shape (custom resources, Flux objects) are often
        // lists of named things: match by name when that is unambiguous.
        _ => &["name"],
    };
    candidates.iter().find(|key| identifies(key, before) && identifies(key, after)).map(|k| k.to_string())
}

/// The merge keys the schema gives the list at `path`.
fn schema_keys(api_version: &str, kind: &str, path: &Path) -> Option<&'static [String]> {
    let schema = Schema::shared();
    let mut at = schema.for_gvk(api_version, kind)?;
    for seg in &path.0 {
        at = match seg {
            Segment::Key(k) => schema.field(at, k)?,
            Segment::Index(_) | Segment::Item { .. } => schema.elements(at)?,
        };
    }
    let (_, keys) = schema.strategy_and_keys(at);
    (!keys.is_empty()).then_some(keys)
}

/// Every item is a mapping with a scalar under `key`, all different.
fn identifies(key: &str, items: &[Node]) -> bool {
    let mut seen = HashSet::with_capacity(items.len());
    items.iter().all(|item| match item.get(key).and_then(Node::as_str) {
        Some(v) => seen.insert(v),
        None => false,
    })
}

/// The path step for an item found by `key`.
pub fn item_segment(key: &str, item: &Node, index: usize) -> Segment {
    Segment::Item { key: key.to_string(), value: item.get_str(key).unwrap_or("").to_string(), index }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    fn items(text: &str) -> Vec<Node> {
        parse_single("t.yaml", text).unwrap().unwrap().as_seq().unwrap().clone()
    }

    #[test]
    fn keys_by_field_and_uniqueness() {
        let p = |k: &str| Path::root().key("spec").key(k);
        let ports = items("- containerPort: 80\n- containerPort: 443\n");
        assert_eq!(merge_key("v1", "Pod", &p("ports"), &ports, &ports).as_deref(), Some("containerPort"));
        let svc = items("- port: 80\n  targetPort: 8080\n");
        assert_eq!(merge_key("v1", "Service", &p("ports"), &svc, &svc).as_deref(), Some("port"));
        let dup = items("- name: a\n- name: a\n");
        assert_eq!(merge_key("v1", "Pod", &p("containers"), &dup, &dup), None);
        let scalars = items("- a\n- b\n");
        assert_eq!(merge_key("v1", "Pod", &p("args"), &scalars, &scalars), None);
    }
}
