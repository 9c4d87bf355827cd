//! Which field identifies the items of a list, so that lists are compared
//! item by item (`containers[name=app]`) and not by position.
//!
//! The answer comes from the merge keys strategic merge uses. Until the
//! schema table of `kustomize::patch::schema` is on this branch, a small
//! table of the common Kubernetes lists stands in; `merge_key` is the one
//! place to swap. Whatever the source, a key is only used when every item on
//! both sides has it and no two items share a value.

use super::path::{Path, Segment};
use crate::yaml::Node;
use std::collections::HashSet;

/// The key field for the list at `path` in a resource of `api_version`/`kind`,
/// when its items can be matched by one.
pub fn merge_key(api_version: &str, kind: &str, path: &Path, before: &[Node], after: &[Node]) -> Option<String> {
    let _ = (api_version, kind);
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
