//! How a value is shown in a change: one short line for people
//! (`"1"`, `500m`, `{cpu: "1", memory: 1Gi}`), or JSON for tools.

use crate::yaml::parse::resolve_plain;
use crate::yaml::{Kind, Node, Value};

/// Longer values are cut; the unified view has them whole.
const MAX_INLINE: usize = 120;

/// The value on one line, in YAML flow style. Strings that would read as
/// something else (`"1"`, `"true"`, `""`) keep their quotes, so `1 → "1"`
/// shows that the type changed.
pub fn inline(node: &Node) -> String {
    let mut out = String::new();
    write_inline(node, &mut out);
    if out.chars().count() > MAX_INLINE {
        let cut: String = out.chars().take(MAX_INLINE - 1).collect();
        return cut + "…";
    }
    out
}

fn write_inline(node: &Node, out: &mut String) {
    match &node.value {
        Value::Scalar(s) if s.kind == Kind::Str => out.push_str(&quote_if_needed(&s.text)),
        Value::Scalar(s) => out.push_str(&s.text),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inline(item, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inline(k, out);
                out.push_str(": ");
                write_inline(v, out);
            }
            out.push('}');
        }
    }
}

fn quote_if_needed(text: &str) -> String {
    let plain_ok = !text.is_empty()
        && resolve_plain(text) == Kind::Str
        && text.trim() == text
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains(['\n', '\t', ',', '[', ']', '{', '}', '"'])
        && !text.starts_with(['&', '*', '!', '|', '>', '\'', '%', '@', '`', '#'])
        // `-x` and `:x` are plain scalars; `- x`, `-` and `? x` are not.
        && !(text.starts_with(['-', '?', ':']) && (text.len() == 1 || text[1..].starts_with(' ')));
    if plain_ok {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

/// The value as JSON: numbers, booleans and null typed, strings as strings.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Scalar(s) => match s.kind {
            Kind::Int => s.text.parse::<i64>().map(J::from).unwrap_or_else(|_| J::String(s.text.clone())),
            Kind::Float => s
                .text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(J::Number)
                .unwrap_or_else(|| J::String(s.text.clone())),
            Kind::Bool => J::Bool(matches!(s.text.as_str(), "true" | "True" | "TRUE")),
            Kind::Null => J::Null,
            Kind::Str | Kind::Timestamp => J::String(s.text.clone()),
        },
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(entries.iter().map(|(k, v)| (k.as_str().unwrap_or("").to_string(), to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    #[test]
    fn inline_values() {
        let doc =
            parse_single("t.yaml", "a: \"1\"\nb: 500m\nc: {cpu: \"1\", memory: 1Gi}\nd: [x, 2]\ne: ''\nf: 'a: b'\n").unwrap().unwrap();
        let show = |k: &str| inline(doc.get(k).unwrap());
        assert_eq!(show("a"), "\"1\"");
        assert_eq!(show("b"), "500m");
        assert_eq!(show("c"), "{cpu: \"1\", memory: 1Gi}");
        assert_eq!(show("d"), "[x, 2]");
        assert_eq!(show("e"), "\"\"");
        assert_eq!(show("f"), "\"a: b\"");
        assert_eq!(to_json(doc.get("d").unwrap()), serde_json::json!(["x", 2]));
    }
}
