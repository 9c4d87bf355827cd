//! `Node` → text byte-identical to `kubectl kustomize`.
//!
//! kustomize prints each resource by converting it to JSON and back through
//! sigs.k8s.io/yaml (go-yaml v2): keys sorted in go-yaml's natural order,
//! numbers normalised, YAML 1.1-ambiguous strings double-quoted, long plain
//! strings folded at 80 columns, sequences not indented under their key.

use super::node::Node;

/// One document, ending with a newline.
pub fn emit_node(node: &Node) -> String {
    let _ = node;
    String::from("# emitter not written yet\n")
}

/// Documents separated by `---` lines, as `kustomize build` prints them.
pub fn emit_documents(docs: &[Node]) -> String {
    docs.iter().map(emit_node).collect::<Vec<_>>().join("---\n")
}
