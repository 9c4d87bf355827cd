//! Secret values never leave a diff: they show as `***`, and as
//! `*** (before)` / `*** (after)` where they changed (what `flux diff` prints).

use super::fields::FieldChange;
use crate::yaml::{Node, Value};

const MASK: &str = "***";

pub fn is_secret(node: &Node) -> bool {
    node.get_str("kind") == Some("Secret")
}

fn masked(span_of: &Node, text: &str) -> Node {
    Node::string(text, span_of.span.clone())
}

fn is_secret_value_path<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    matches!(keys.next(), Some("data") | Some("stringData"))
}

/// Masks the values of changes under `data`/`stringData`; for Secrets.
pub fn mask_changes(changes: &mut [FieldChange]) {
    for c in changes {
        if !is_secret_value_path(c.path.keys()) {
            continue;
        }
        // `data` itself appearing or disappearing: keep the keys, hide the values.
        let both = c.before.is_some() && c.after.is_some();
        if let Some(b) = c.before.as_mut() {
            *b = mask_tree(b, if both { "*** (before)" } else { MASK });
        }
        if let Some(a) = c.after.as_mut() {
            *a = mask_tree(a, if both { "*** (after)" } else { MASK });
        }
    }
}

fn mask_tree(node: &Node, text: &str) -> Node {
    match &node.value {
        Value::Map(entries) => {
            Node::new(Value::Map(entries.iter().map(|(k, v)| (k.clone(), mask_tree(v, text))).collect()), node.span.clone())
        }
        _ => masked(node, text),
    }
}

/// Masks a Secret's values for printing; with `other` (the same Secret on
/// the other side), values that differ are marked so the text diff still
/// shows which keys changed.
pub fn mask_secret(node: &mut Node, other: Option<&Node>, side: &str) {
    if !is_secret(node) {
        return;
    }
    for field in ["data", "stringData"] {
        let theirs = other.and_then(|o| o.get(field));
        let Some(Value::Map(entries)) = node.get_mut(field).map(|n| &mut n.value) else { continue };
        for (k, v) in entries.iter_mut() {
            let same = theirs.and_then(|t| t.get(k.as_str().unwrap_or(""))).is_some_and(|t| t == v);
            let text = if same || other.is_none() { MASK.to_string() } else { format!("{} ({})", MASK, side) };
            *v = masked(v, &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::fields::compare;
    use crate::diff::value::inline;
    use crate::yaml::parse_single;

    #[test]
    fn secret_values_are_hidden() {
        let a = parse_single("a", "kind: Secret\ndata: {password: c2VjcmV0, user: YWRtaW4=}\n").unwrap().unwrap();
        let b = parse_single("b", "kind: Secret\ndata: {password: bmV3, user: YWRtaW4=, token: eA==}\n").unwrap().unwrap();
        let mut changes = compare(&a, &b, &[]);
        mask_changes(&mut changes);
        let shown: Vec<String> = changes
            .iter()
            .map(|c| format!("{}: {:?} → {:?}", c.path, c.before.as_ref().map(inline), c.after.as_ref().map(inline)))
            .collect();
        assert_eq!(
            shown,
            vec![
                "data.password: Some(\"\\\"*** (before)\\\"\") → Some(\"\\\"*** (after)\\\"\")",
                "data.token: None → Some(\"\\\"***\\\"\")"
            ]
        );
        let mut printed = b.clone();
        mask_secret(&mut printed, Some(&a), "after");
        assert_eq!(inline(printed.get("data").unwrap()), "{password: \"*** (after)\", user: \"***\", token: \"*** (after)\"}");
    }
}
