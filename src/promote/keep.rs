//! "Everything but the ignored fields": after B takes A's overlay files, the
//! fields the ignore rules name (replicas, a hostname, …) would change too.
//! This step keeps B's values by adding JSON 6902 patches to B's
//! kustomization — overlay edits, like everything else a promotion does.

use super::edit::{keep_line_endings, Edits, Source};
use crate::diff::fields::compare;
use crate::diff::matching::match_resources;
use crate::diff::value::to_json;
use crate::diff::{FieldChange, IgnoreRule, Path, Segment};
use crate::error::{Error, Result};
use crate::yaml::{parse_single, Node};

/// One resource's fields to set back, as a patch.
#[derive(Clone, Debug)]
pub struct KeepPatch {
    pub kind: String,
    pub name: String,
    pub ops: Vec<FieldChange>,
}

/// What in B's render `before` → `after` falls under the ignore rules, per
/// resource. `targets` names `before`'s resources as B's own patches see
/// them (without B's own prefix and suffix, which come after patches);
/// without it, patches name resources as rendered.
pub fn ignored_changes(before: &[Node], after: &[Node], ignore: &[IgnoreRule], targets: Option<&[String]>) -> Vec<KeepPatch> {
    let mut out = Vec::new();
    for pair in match_resources(before, after, false) {
        let (Some(b), Some(a)) = (pair.before, pair.after) else { continue };
        let target = targets.and_then(|t| t.get(pair.before_index?)).cloned();
        if a == b {
            continue;
        }
        let kind = a.get_str("kind").unwrap_or("").to_string();
        let mut ops: Vec<FieldChange> = Vec::new();
        for c in compare(b, a, &[]).into_iter().filter(|c| ignore.iter().any(|r| r.matches(&kind, &c.path))) {
            let c = lift_add(c, b, a);
            // Several removed leaves may lift to one missing parent.
            if !ops.iter().any(|o| o.path == c.path) {
                ops.push(c);
            }
        }
        if !ops.is_empty() {
            let name = target.unwrap_or_else(|| a.path(&["metadata", "name"]).and_then(Node::as_str).unwrap_or("").to_string());
            out.push(KeepPatch { kind, name, ops });
        }
    }
    out
}

/// A field A's files remove must come back with an `add`, which needs its
/// parent to exist: add at the highest missing ancestor instead, with B's
/// whole value there.
fn lift_add(c: FieldChange, before: &Node, after: &Node) -> FieldChange {
    if c.before.is_none() || c.after.is_some() {
        return c;
    }
    for k in 1..=c.path.0.len() {
        let prefix = Path(c.path.0[..k].to_vec());
        if lookup(after, &prefix).is_none() {
            if let Some(value) = lookup(before, &prefix) {
                return FieldChange { path: prefix, before: Some(value.clone()), after: None };
            }
        }
    }
    c
}

/// The node at `path`, list items found by their key where they have one.
fn lookup<'a>(node: &'a Node, path: &Path) -> Option<&'a Node> {
    path.0.iter().try_fold(node, |n, seg| match seg {
        Segment::Key(k) => n.get(k),
        Segment::Index(i) => n.as_seq()?.get(*i),
        Segment::Item { key, value, .. } => n.as_seq()?.iter().find(|item| item.get_str(key) == Some(value.as_str())),
    })
}

/// The patch's operations: each field back to B's value.
fn ops_text(ops: &[FieldChange], indent: &str) -> String {
    let mut out = String::new();
    for c in ops {
        let json = |n: &Node| serde_json::to_string(&to_json(n)).unwrap_or_default();
        // `before` is B's value, `after` what A's files would make it.
        match (&c.before, &c.after) {
            (Some(b), Some(_)) => {
                out.push_str(&format!("{i}- op: replace\n{i}  path: {}\n{i}  value: {}\n", c.path.pointer(), json(b), i = indent))
            }
            (Some(b), None) => {
                out.push_str(&format!("{i}- op: add\n{i}  path: {}\n{i}  value: {}\n", c.path.pointer(), json(b), i = indent))
            }
            (None, Some(_)) => out.push_str(&format!("{i}- op: remove\n{i}  path: {}\n", c.path.pointer(), i = indent)),
            (None, None) => {}
        }
    }
    out
}

/// B's kustomization text with the patches appended to its `patches:`.
pub fn add_patches(file: &str, text: &str, patches: &[KeepPatch]) -> Result<String> {
    if patches.is_empty() {
        return Ok(text.to_string());
    }
    let doc = parse_single(file, text)?;
    let src = Source::new(text);
    let key = doc.as_ref().and_then(|d| d.as_map()).and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some("patches")));
    let mut edits = Edits::new();
    let (at, dash, header) = match key {
        None => (text.len(), 0, if text.is_empty() || text.ends_with('\n') { "patches:\n" } else { "\npatches:\n" }),
        Some((k, v)) => {
            let key_line = k.span.line as usize;
            let key_col = src.column(&k.span);
            match v.as_seq() {
                Some(items) if !items.is_empty() && v.span.line as usize != key_line => {
                    let dash = src.dash_column(&items[0].span).unwrap_or(key_col);
                    (src.after_line(src.block_last_line(key_line, key_col, true)), dash, "")
                }
                Some(items) if items.is_empty() => {
                    // `patches: []`: the block takes the flow list's place.
                    let line = src.line(key_line);
                    let colon = src.line_start(key_line) + line.find(':').map_or(0, |i| i + 1);
                    edits.replace(colon..src.line_start(key_line) + line.len(), "");
                    (src.after_line(key_line), key_col, "")
                }
                _ => return Err(Error::at(&v.span, "patches is written in flow style; write it as a block list to keep ignored fields")),
            }
        }
    };
    let pad = " ".repeat(dash);
    let mut block = String::from(header);
    if at == text.len() && !text.is_empty() && !text.ends_with('\n') && header.is_empty() {
        block.insert(0, '\n');
    }
    for p in patches {
        block.push_str(&format!("{pad}# kept from before the promotion (ignored fields)\n"));
        block.push_str(&format!("{pad}- target:\n{pad}    kind: {}\n{pad}    name: {}\n{pad}  patch: |-\n", p.kind, p.name));
        block.push_str(&ops_text(&p.ops, &format!("{pad}    ")));
    }
    edits.insert(at, block);
    Ok(keep_line_endings(text, edits.apply(text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    #[test]
    fn a_removed_subtree_comes_back_whole() {
        let before = parse_documents("b", "kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: app, resources: {limits: {cpu: '1', memory: 1Gi}}}]}}}\n").unwrap();
        let after =
            parse_documents("a", "kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: app}]}}}\n")
                .unwrap();
        let keep =
            ignored_changes(&before, &after, &[IgnoreRule::parse("spec.template.spec.containers[name=app].resources").unwrap()], None);
        assert_eq!(keep[0].ops.len(), 1);
        assert_eq!(
            ops_text(&keep[0].ops, ""),
            "- op: add\n  path: /spec/template/spec/containers/0/resources\n  value: {\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}\n"
        );
    }

    #[test]
    fn ignored_fields_become_json_patches() {
        let before =
            parse_documents("b", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 5, paused: true}\n")
                .unwrap();
        let after =
            parse_documents("a", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2, minReadySeconds: 3}\n")
                .unwrap();
        let rules = [
            IgnoreRule::parse("spec.replicas").unwrap(),
            IgnoreRule::parse("spec.paused").unwrap(),
            IgnoreRule::parse("spec.minReadySeconds").unwrap(),
        ];
        let keep = ignored_changes(&before, &after, &rules, None);
        assert_eq!(keep.len(), 1);
        let text = add_patches("k", "resources:\n- ../base\npatches:\n  - path: p.yaml\n", &keep).unwrap();
        assert_eq!(
            text,
            "resources:\n- ../base\npatches:\n  - path: p.yaml\n  # kept from before the promotion (ignored fields)\n  - target:\n      kind: Deployment\n      name: web\n    patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 5\n      - op: add\n        path: /spec/paused\n        value: true\n      - op: remove\n        path: /spec/minReadySeconds\n"
        );
        let fresh = add_patches("k", "resources:\n- ../base", &keep).unwrap();
        assert!(fresh.starts_with("resources:\n- ../base\npatches:\n# kept"), "{}", fresh);
        assert!(parse_single("k", &fresh).unwrap().is_some());
    }
}
