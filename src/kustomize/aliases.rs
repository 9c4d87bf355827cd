//! Shared label and annotation values.
//!
//! kustomize's label and annotations transformers create one YAML node per
//! key and resource and insert that same node in every field they add the
//! key to (`metadata/labels`, the selector, the pod template, …). Later
//! in-place edits of one of those fields — another label transformer setting
//! the same key, a strategic-merge patch — write through the shared node and
//! so change all of them: an overlay's `labels:` without selectors, or a
//! patch of `metadata.labels.app`, also changes a selector that a base's
//! `commonLabels` wrote. A JSON patch rebuilds the whole object from JSON,
//! which ends all sharing in it.
//!
//! A resource keeps the groups of field paths that share a value
//! (`Resource::aliases`). Writers keep them up to date:
//! - the label and annotation transformers record new groups and write
//!   through existing ones;
//! - `sync_after_edit` lets an in-place editor (strategic merge) write a
//!   changed member's value through its group; `snapshot` and `sync` do
//!   it around an editor of all objects (replacements);
//! - `forget` is for edits that rebuild the object (JSON 6902).

use super::resmap::{ResMap, Resource};
use crate::yaml::Node;

/// The node at `path` (map keys, list indexes).
pub fn node_at<'a>(node: &'a Node, path: &[String]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, seg| match n.as_seq() {
        Some(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        None => n.get(seg),
    })
}

pub fn node_at_mut<'a>(node: &'a mut Node, path: &[String]) -> Option<&'a mut Node> {
    path.iter().try_fold(node, |n, seg| {
        if n.is_seq() {
            let i = seg.parse::<usize>().ok()?;
            n.as_seq_mut()?.get_mut(i)
        } else {
            n.get_mut(seg)
        }
    })
}

/// Records that the fields at `paths` were just given one shared value.
/// They leave whatever groups they were in: they are new nodes.
pub fn record(r: &mut Resource, paths: Vec<Vec<String>>) {
    for group in r.aliases.iter_mut() {
        group.retain(|p| !paths.contains(p));
    }
    r.aliases.retain(|g| g.len() > 1);
    if paths.len() > 1 {
        r.aliases.push(paths);
    }
}

/// The field at `path` was set in place from `old`: the fields sharing its
/// node change with it. A member that no longer holds `old` was rebuilt
/// since and shares nothing any more.
pub fn write_through(r: &mut Resource, path: &[String], old: &Node) {
    let Some(group) = r.aliases.iter().find(|g| g.iter().any(|p| p == path)).cloned() else { return };
    let Some(new) = node_at(&r.node, path).cloned() else { return };
    for other in group.iter().filter(|p| p.as_slice() != path) {
        if let Some(n) = node_at_mut(&mut r.node, other) {
            if n == old {
                *n = Node { span: n.span.clone(), ..new.clone() };
            }
        }
    }
}

/// After an in-place edit of the whole object (`before` is a copy from
/// before it): a shared field the edit changed carries its new value to the
/// others of its group.
pub fn sync_after_edit(r: &mut Resource, before: &Node) {
    for g in 0..r.aliases.len() {
        let group = r.aliases[g].clone();
        let changed = group.iter().rev().find(|p| node_at(&r.node, p) != node_at(before, p));
        if let (Some(path), Some(old)) = (changed, changed.and_then(|p| node_at(before, p))) {
            let old = old.clone();
            write_through(r, path, &old);
        }
    }
}

/// Copies of the objects that share values, taken before an editor that
/// changes objects in place (replacements) runs; `sync` after it.
pub fn snapshot(resources: &ResMap) -> Vec<Option<Node>> {
    resources.iter().map(|r| (!r.aliases.is_empty()).then(|| r.node.clone())).collect()
}

/// Lets each shared value the editor changed reach the fields sharing it.
pub fn sync(resources: &mut ResMap, before: Vec<Option<Node>>) {
    if resources.len() != before.len() {
        return;
    }
    for (r, b) in resources.iter_mut().zip(before) {
        if let Some(b) = b {
            sync_after_edit(r, &b);
        }
    }
}

/// The object was rebuilt: nothing is shared any more.
pub fn forget(r: &mut Resource) {
    r.aliases.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_single, Span};

    fn path(p: &str) -> Vec<String> {
        p.split('/').map(String::from).collect()
    }

    #[test]
    fn writes_go_through_to_members_still_shared() {
        let text = "metadata:\n  labels:\n    a: x\nspec:\n  selector:\n    a: x\n  other:\n    a: x\n";
        let mut r = Resource::new(parse_single("r.yaml", text).unwrap().unwrap());
        record(&mut r, vec![path("metadata/labels/a"), path("spec/selector/a"), path("spec/other/a")]);
        *node_at_mut(&mut r.node, &path("spec/other/a")).unwrap() = Node::string("rebuilt", Span::default());
        let before = r.node.clone();
        *node_at_mut(&mut r.node, &path("metadata/labels/a")).unwrap() = Node::string("y", Span::default());
        sync_after_edit(&mut r, &before);
        assert_eq!(r.node.path(&["spec", "selector", "a"]).and_then(|n| n.as_str()), Some("y"));
        assert_eq!(r.node.path(&["spec", "other", "a"]).and_then(|n| n.as_str()), Some("rebuilt"));
    }
}
