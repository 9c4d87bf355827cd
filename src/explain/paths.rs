//! A resource as its leaves, each named by the path `overlay diff` prints
//! (`spec.template.spec.containers[name=app].image`): list items by their
//! merge key where they have one, by position otherwise.

use crate::diff::merge_key::{item_segment, merge_key};
use crate::diff::path::{Path, Segment};
use crate::yaml::{Kind, Node, Value};

pub enum Leaf<'a> {
    /// A scalar, or an empty mapping or list, with its value as text.
    Value(Path, &'a Node, String),
    /// A mapping key, named by the path of its value.
    Key(Path, &'a Node),
}

/// Every leaf and key of a resource.
pub fn leaves<'a>(node: &'a Node, f: &mut dyn FnMut(Leaf<'a>)) {
    let api = node.get_str("apiVersion").unwrap_or("");
    let kind = node.get_str("kind").unwrap_or("");
    leaves_at(api, kind, &Path::root(), node, f);
}

/// Every leaf and key of `node`, which sits at `base` in a resource of
/// `api`/`kind`.
pub fn leaves_at<'a>(api: &str, kind: &str, base: &Path, node: &'a Node, f: &mut dyn FnMut(Leaf<'a>)) {
    let mut path = base.0.clone();
    walk(api, kind, &mut path, node, f);
}

fn walk<'a>(api: &str, kind: &str, path: &mut Vec<Segment>, node: &'a Node, f: &mut dyn FnMut(Leaf<'a>)) {
    match &node.value {
        Value::Map(m) if !m.is_empty() => {
            for (k, v) in m {
                path.push(Segment::Key(k.as_str().unwrap_or("").to_string()));
                f(Leaf::Key(Path(path.clone()), k));
                walk(api, kind, path, v, f);
                path.pop();
            }
        }
        Value::Seq(s) if !s.is_empty() => {
            let key = list_key(api, kind, &Path(path.clone()), s);
            for (i, item) in s.iter().enumerate() {
                path.push(match &key {
                    Some(k) => item_segment(k, item, i),
                    None => Segment::Index(i),
                });
                walk(api, kind, path, item, f);
                path.pop();
            }
        }
        _ => f(Leaf::Value(Path(path.clone()), node, value_text(node))),
    }
}

/// The field that names the items of the list at `path`, as `overlay diff`
/// matches them; `None` for a list of scalars or unnamed items.
pub fn list_key(api: &str, kind: &str, path: &Path, items: &[Node]) -> Option<String> {
    if !items.iter().all(|i| i.is_map()) {
        return None;
    }
    merge_key(api, kind, path, items, items)
}

/// A leaf's value as people read it: a scalar's text, `{}` or `[]`.
pub fn value_text(n: &Node) -> String {
    match &n.value {
        Value::Scalar(s) if s.kind == Kind::Null => "null".to_string(),
        Value::Scalar(s) => s.text.clone(),
        Value::Seq(_) => "[]".to_string(),
        Value::Map(_) => "{}".to_string(),
    }
}
