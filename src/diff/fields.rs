//! Field-level changes between two versions of one resource.

use super::merge_key::{item_segment, merge_key};
use super::path::{IgnoreRule, Path, Segment};
use crate::yaml::{Node, Value};
use std::collections::HashMap;

/// One field that differs. `before` is `None` for an added field, `after`
/// for a removed one.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub path: Path,
    pub before: Option<Node>,
    pub after: Option<Node>,
}

/// Compares two versions of a resource; `ignore` names fields that may
/// differ.
pub fn compare(before: &Node, after: &Node, ignore: &[IgnoreRule]) -> Vec<FieldChange> {
    let api_version = after.get_str("apiVersion").unwrap_or("");
    let kind = after.get_str("kind").unwrap_or("");
    let mut c = Comparer { api_version, kind, ignore, out: Vec::new() };
    c.node(&Path::root(), before, after);
    c.out
}

struct Comparer<'a> {
    api_version: &'a str,
    kind: &'a str,
    ignore: &'a [IgnoreRule],
    out: Vec<FieldChange>,
}

impl Comparer<'_> {
    fn ignored(&self, path: &Path) -> bool {
        self.ignore.iter().any(|r| r.matches(self.kind, path))
    }

    fn node(&mut self, path: &Path, a: &Node, b: &Node) {
        if self.ignored(path) || a == b {
            return;
        }
        match (&a.value, &b.value) {
            (Value::Map(am), Value::Map(bm)) => self.maps(path, am, bm),
            (Value::Seq(al), Value::Seq(bl)) => self.lists(path, al, bl),
            _ => self.out.push(FieldChange { path: path.clone(), before: Some(a.clone()), after: Some(b.clone()) }),
        }
    }

    fn maps(&mut self, path: &Path, a: &[(Node, Node)], b: &[(Node, Node)]) {
        let key = |k: &Node| k.as_str().unwrap_or("").to_string();
        let b_index: HashMap<String, &Node> = b.iter().map(|(k, v)| (key(k), v)).collect();
        let a_keys: HashMap<String, ()> = a.iter().map(|(k, _)| (key(k), ())).collect();
        for (k, av) in a {
            let p = path.key(&key(k));
            match b_index.get(&key(k)) {
                Some(bv) => self.node(&p, av, bv),
                None => self.removed(&p, av),
            }
        }
        for (k, bv) in b {
            if !a_keys.contains_key(&key(k)) {
                self.added(&path.key(&key(k)), bv);
            }
        }
    }

    fn lists(&mut self, path: &Path, a: &[Node], b: &[Node]) {
        if let Some(key) = merge_key(self.api_version, self.kind, path, a, b) {
            let value = |n: &Node| n.get_str(&key).unwrap_or("").to_string();
            let a_index: HashMap<String, (usize, &Node)> = a.iter().enumerate().map(|(i, n)| (value(n), (i, n))).collect();
            let b_keys: HashMap<String, ()> = b.iter().map(|n| (value(n), ())).collect();
            for (j, bn) in b.iter().enumerate() {
                let p = path.child(item_segment(&key, bn, j));
                match a_index.get(&value(bn)) {
                    Some((_, an)) => self.node(&p, an, bn),
                    None => self.added(&p, bn),
                }
            }
            for (i, an) in a.iter().enumerate() {
                if !b_keys.contains_key(&value(an)) {
                    self.removed(&path.child(item_segment(&key, an, i)), an);
                }
            }
        } else if a.len() == b.len() && a.iter().any(|n| !is_scalar(n)) {
            // Same-length lists of objects without a key: item by item.
            for (i, (an, bn)) in a.iter().zip(b).enumerate() {
                self.node(&path.child(Segment::Index(i)), an, bn);
            }
        } else {
            // Lists of scalars (args, hosts) read best as a whole.
            let (na, nb) = (Node::seq(a.to_vec(), Default::default()), Node::seq(b.to_vec(), Default::default()));
            self.out.push(FieldChange { path: path.clone(), before: Some(na), after: Some(nb) });
        }
    }

    /// A field that appeared: a mapping is listed leaf by leaf, so that
    /// `resources.limits.cpu: + "1"` reads like the other changes.
    fn added(&mut self, path: &Path, node: &Node) {
        if self.ignored(path) {
            return;
        }
        match node.as_map() {
            // A whole list item stays one change.
            Some(entries) if !entries.is_empty() && matches!(path.0.last(), Some(Segment::Key(_))) => {
                for (k, v) in entries {
                    self.added(&path.key(k.as_str().unwrap_or("")), v);
                }
            }
            _ => self.out.push(FieldChange { path: path.clone(), before: None, after: Some(node.clone()) }),
        }
    }

    fn removed(&mut self, path: &Path, node: &Node) {
        if self.ignored(path) {
            return;
        }
        match node.as_map() {
            // A whole list item stays one change.
            Some(entries) if !entries.is_empty() && matches!(path.0.last(), Some(Segment::Key(_))) => {
                for (k, v) in entries {
                    self.removed(&path.key(k.as_str().unwrap_or("")), v);
                }
            }
            _ => self.out.push(FieldChange { path: path.clone(), before: Some(node.clone()), after: None }),
        }
    }
}

fn is_scalar(n: &Node) -> bool {
    n.as_scalar().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::value::inline;
    use crate::yaml::parse_single;

    fn doc(text: &str) -> Node {
        parse_single("t.yaml", text).unwrap().unwrap()
    }

    fn lines(changes: &[FieldChange]) -> Vec<String> {
        let show = |n: &Option<Node>| n.as_ref().map(inline).unwrap_or_else(|| "∅".into());
        changes.iter().map(|c| format!("{}: {} → {}", c.path, show(&c.before), show(&c.after))).collect()
    }

    const STAGING: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: my-app, namespace: staging}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: sidecar
        image: envoy:1
      - name: app
        image: ghcr.io/my-org/my-app:1.0.0
        args: [--port, '80']
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m}
";

    #[test]
    fn containers_are_matched_by_name_not_position() {
        let prod = "apiVersion: apps/v1
kind: Deployment
metadata: {name: my-app, namespace: production}
spec:
  replicas: 5
  template:
    spec:
      containers:
      - name: app
        image: ghcr.io/my-org/my-app:1.0.0
        args: [--port, '8080']
        resources:
          requests: {cpu: 500m, memory: 512Mi}
          limits: {cpu: \"1\", memory: 1Gi}
      - name: sidecar
        image: envoy:1
";
        let ignore = [IgnoreRule::parse("metadata.namespace").unwrap()];
        assert_eq!(
            lines(&compare(&doc(STAGING), &doc(prod), &ignore)),
            vec![
                "spec.replicas: 2 → 5",
                "spec.template.spec.containers[name=app].args: [--port, \"80\"] → [--port, \"8080\"]",
                "spec.template.spec.containers[name=app].resources.requests.cpu: 100m → 500m",
                "spec.template.spec.containers[name=app].resources.requests.memory: 128Mi → 512Mi",
                "spec.template.spec.containers[name=app].resources.limits.cpu: 500m → \"1\"",
                "spec.template.spec.containers[name=app].resources.limits.memory: ∅ → 1Gi",
            ]
        );
    }

    #[test]
    fn added_and_removed_items_and_ignored_fields() {
        let other = STAGING.replace("      - name: sidecar\n        image: envoy:1\n", "").replace("replicas: 2", "replicas: 3");
        let changes = compare(&doc(STAGING), &doc(&other), &[IgnoreRule::parse("/spec/replicas").unwrap()]);
        assert_eq!(lines(&changes), vec!["spec.template.spec.containers[name=sidecar]: {name: sidecar, image: envoy:1} → ∅"]);
        assert_eq!(changes[0].path.pointer(), "/spec/template/spec/containers/0");
        assert!(compare(&doc(STAGING), &doc(STAGING), &[]).is_empty());
    }
}
