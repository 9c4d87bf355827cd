//! Telling a strategic merge patch from a JSON 6902 patch, as kustomize's
//! PatchTransformer does: it reads the text both ways and exactly one reading
//! must succeed.

use crate::error::{Error, Result};
use crate::yaml::{parse_documents, Node};

#[derive(Clone, Debug, PartialEq)]
pub enum PatchKind {
    /// One patch per YAML document, each a map.
    StrategicMerge(Vec<Node>),
    /// The list of operations.
    Json6902(Node),
}

/// Reads patch text. As a strategic merge patch every document must be a
/// resource (a map with kind and metadata.name; `FooList`s are unpacked); as
/// JSON 6902 the text (JSON, or else the first YAML document) must be a list
/// of maps.
pub fn parse_patch(text: &str, file: &str) -> Result<PatchKind> {
    let text = text.trim();
    let docs = parse_documents(file, text);
    let as_sm = match &docs {
        Ok(d) => as_resources(d),
        _ => None,
    };
    // Text starting with `[` is decoded as JSON proper; anything else is
    // YAML, of which only the first document counts.
    let strict_json_ok = !text.starts_with('[') || serde_json::from_str::<serde_json::Value>(text).is_ok();
    let as_json = match &docs {
        Ok(d) if !text.is_empty() && strict_json_ok => d.first().filter(|n| is_op_list(n)).cloned(),
        _ => None,
    };
    match (as_sm, as_json) {
        (Some(sm), None) => Ok(PatchKind::StrategicMerge(sm)),
        (None, Some(ops)) => Ok(PatchKind::Json6902(ops)),
        (Some(_), Some(_)) => Err(Error::in_file(file, "illegally qualifies as both an SM and JSON patch")),
        (None, None) => {
            let why = match docs {
                Err(e) => format!(": {}", e.message),
                Ok(_) => String::new(),
            };
            Err(Error::in_file(file, format!("unable to parse SM or JSON patch{}", why)))
        }
    }
}

/// The documents read as kustomize's resource factory reads them: empty
/// ones dropped, each a map with a kind and (unless a list) a name, and
/// `FooList` documents replaced by their `items`.
fn as_resources(docs: &[Node]) -> Option<Vec<Node>> {
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<Node> = docs.iter().cloned().collect();
    while let Some(doc) = queue.pop_front() {
        if doc.as_map().is_some_and(|m| m.is_empty()) {
            continue;
        }
        let kind = doc.as_map().and_then(|_| doc.get_str("kind")).unwrap_or("");
        if kind.is_empty() {
            return None;
        }
        if kind.ends_with("List") {
            match doc.get("items") {
                None => {}
                Some(items) if items.is_null() => continue,
                Some(items) => {
                    queue.extend(items.as_seq()?.iter().cloned());
                    continue;
                }
            }
        } else if doc.path(&["metadata", "name"]).and_then(|n| n.as_str()).unwrap_or("").is_empty() {
            return None;
        }
        out.push(doc);
    }
    Some(out)
}

fn is_op_list(n: &Node) -> bool {
    n.as_seq().is_some_and(|items| items.iter().all(|i| i.is_map()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_maps_are_strategic_merge() {
        let p = parse_patch("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: Secret\nmetadata: {name: b}\n", "p.yaml")
            .unwrap();
        assert!(matches!(p, PatchKind::StrategicMerge(ref v) if v.len() == 2));
    }

    #[test]
    fn strategic_merge_patches_need_kind_and_name_and_lists_unpack() {
        assert!(parse_patch("kind: ConfigMap\nmetadata: {labels: {a: b}}\n", "p.yaml").is_err());
        assert!(parse_patch("metadata: {name: a}\n", "p.yaml").is_err());
        let p = parse_patch(
            "kind: ConfigMapList\nitems:\n- {kind: ConfigMap, metadata: {name: a}}\n- {kind: Secret, metadata: {name: b}}\n",
            "p.yaml",
        )
        .unwrap();
        assert!(matches!(p, PatchKind::StrategicMerge(ref v) if v.len() == 2 && v[1].get_str("kind") == Some("Secret")));
    }

    #[test]
    fn yaml_and_json_lists_are_json6902() {
        let y = parse_patch("- op: add\n  path: /a\n  value: 1\n", "p.yaml").unwrap();
        assert!(matches!(y, PatchKind::Json6902(ref n) if n.as_seq().unwrap().len() == 1));
        let j = parse_patch(r#"[{"op": "remove", "path": "/a"}]"#, "p.json").unwrap();
        assert!(matches!(j, PatchKind::Json6902(_)));
    }

    #[test]
    fn neither_reading_is_an_error() {
        assert!(parse_patch("- 1\n- 2\n", "p.yaml").is_err());
        assert!(parse_patch("just text", "p.yaml").is_err());
        assert!(parse_patch("a: [", "p.yaml").is_err());
        // Starting with `[` means JSON, and this is YAML flow style only.
        assert!(parse_patch("[{op: add, path: /a, value: 1}]", "p.yaml").is_err());
    }
}
