//! Field paths as kyaml reads them (`spec.containers.[name=app].image`):
//! split, and looked up. Replacements and vars both address fields this way.

use crate::yaml::Node;

/// Splits a field path on dots, keeping `[a.b=c]` together and turning
/// `[a.b]` into the key `a.b` (kyaml's SmarterPathSplitter).
pub fn split_path(path: &str) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut parts: Vec<&str> = path.split('.').collect();
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    for p in parts {
        match raw.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(p);
            }
            _ => raw.push(p.to_string()),
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let elem = &raw[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut joined = vec![elem.clone()];
            while i < raw.len() - 1 {
                i += 1;
                joined.push(raw[i].clone());
                if raw[i].ends_with(']') {
                    break;
                }
            }
            let s = joined.join(".");
            out.push(if s.contains('=') { s } else { s.trim_matches(|c| c == '[' || c == ']').to_string() });
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

pub(crate) fn list_index(part: &str) -> Option<(&str, &str)> {
    let inner = part.strip_prefix('[')?.strip_suffix(']')?;
    Some(inner.split_once('=').unwrap_or((inner, "")))
}

pub(crate) fn index_number(part: &str) -> Option<usize> {
    part.parse::<usize>().ok()
}

/// Source lookup (kyaml's PathGetter): fields, `[k=v]` exact matches,
/// numeric indexes, `-` for the last element.
pub fn lookup<'a>(node: &'a Node, path: &[String]) -> std::result::Result<Option<&'a Node>, String> {
    let Some((part, rest)) = path.split_first() else { return Ok(Some(node)) };
    let next = if part == "*" {
        return Err("wildcard is not supported in PathGetter".to_string());
    } else if let Some(i) = index_number(part) {
        node.as_seq().and_then(|s| s.get(i))
    } else if part == "-" {
        node.as_seq().and_then(|s| s.last())
    } else if part.starts_with('[') && part.ends_with(']') {
        let Some((key, want)) = list_index(part).filter(|_| part.contains('=')) else {
            return Err("list path element must contain fieldName=fieldValue for element to match".to_string());
        };
        node.as_seq().and_then(|items| {
            items.iter().find(|item| if key.is_empty() { item.as_str() == Some(want) } else { item.get_str(key) == Some(want) })
        })
    } else {
        node.get(part)
    };
    match next {
        Some(n) => lookup(n, rest),
        None => Ok(None),
    }
}
