//! The recorder explain mode hands the kustomize pipeline: it remembers
//! each resource as the previous step left it and, after the next step,
//! walks old and new side by side. Every leaf whose value or span changed
//! is a step of that leaf's chain; the spans a resource had when it was
//! first seen are the origins.

use super::paths::{leaves, list_key, Leaf};
use crate::diff::merge_key::item_segment;
use crate::diff::path::{Path, Segment};
use crate::kustomize::resmap::Resource;
use crate::kustomize::trace::{Recorder, Stage, StepKind};
use crate::yaml::{Node, Span, Value};
use std::collections::HashMap;

/// A change one step made to one leaf.
#[derive(Clone, Debug)]
pub struct Change {
    pub kind: StepKind,
    pub place: Span,
    pub component: bool,
    /// The leaf's value after the step (`None`: the step removed it).
    pub value: Option<String>,
    /// Whether the leaf existed before the step.
    pub existed: bool,
    /// Whether the value differs from before (a patch may set the same value).
    pub changes_value: bool,
    /// Where the value was read (a replacement's source field).
    pub from: Option<Span>,
}

/// What the recorder knows of one resource.
#[derive(Debug)]
pub struct Seen {
    prev: Node,
    /// Each leaf's span and value when the resource was first seen.
    pub origins: HashMap<String, (Span, String)>,
    /// Every key's span when first seen, by the path of its value.
    pub origin_keys: Vec<(String, Span)>,
    /// Changes in the order they happened, by leaf path.
    pub changes: Vec<(String, Change)>,
    /// Where the resource was declared (a generator entry for generated ones).
    source: Span,
    /// Made by a generator (first seen after the generators ran).
    pub generated: bool,
}

#[derive(Debug, Default)]
pub struct Tracker {
    pub seen: Vec<Seen>,
}

impl Recorder for Tracker {
    fn stage(&mut self, stage: &Stage, resources: &mut [Resource]) {
        // A reference now names its target's final name: the place to show
        // is where that target was declared.
        let names: HashMap<String, Span> = match stage.kind {
            StepKind::NameReference => resources.iter().map(|r| (r.name().to_string(), r.source.clone())).collect(),
            _ => HashMap::new(),
        };
        let all: Vec<usize>;
        let chosen: &[usize] = match &stage.targets {
            Some(t) => t,
            None => {
                all = (0..resources.len()).collect();
                &all
            }
        };
        for &i in chosen {
            let Some(r) = resources.get_mut(i) else { continue };
            if r.trace == 0 {
                self.seen.push(first_sight(&r.node, &r.source, stage.kind == StepKind::Generated));
                r.trace = self.seen.len() as u32;
                continue;
            }
            if stage.kind == StepKind::Resources {
                continue; // merging accumulated resources changes nothing
            }
            let seen = &mut self.seen[r.trace as usize - 1];
            if same(&seen.prev, &r.node) {
                continue;
            }
            let place = match stage.kind {
                StepKind::HashSuffix => seen.source.clone(),
                _ => stage.place.clone(),
            };
            let mut w = Walk {
                api: r.node.get_str("apiVersion").unwrap_or(""),
                kind: r.node.get_str("kind").unwrap_or(""),
                stage,
                place: &place,
                names: &names,
                out: Vec::new(),
                renames: Vec::new(),
            };
            let mut path = Vec::new();
            w.walk(&mut path, Some(&seen.prev), Some(&r.node));
            let out = std::mem::take(&mut w.out);
            for (old, new) in std::mem::take(&mut w.renames) {
                seen.rename(&old, &new);
            }
            seen.changes.extend(out);
            seen.prev = r.node.clone();
        }
    }
}

impl Seen {
    /// A list item's name changed (`subjects[name=sa]` became
    /// `subjects[name=p-sa]`): what was known under the old name is known
    /// under the new one.
    fn rename(&mut self, old: &str, new: &str) {
        let moved = |p: &str| -> Option<String> {
            let rest = p.strip_prefix(old)?;
            (rest.is_empty() || rest.starts_with(['.', '['])).then(|| format!("{}{}", new, rest))
        };
        let keys: Vec<String> = self.origins.keys().filter(|k| moved(k).is_some()).cloned().collect();
        for k in keys {
            if let (Some(v), Some(to)) = (self.origins.remove(&k), moved(&k)) {
                self.origins.insert(to, v);
            }
        }
        for p in self.origin_keys.iter_mut().map(|(p, _)| p).chain(self.changes.iter_mut().map(|(p, _)| p)) {
            if let Some(to) = moved(p) {
                *p = to;
            }
        }
    }
}

fn first_sight(node: &Node, source: &Span, generated: bool) -> Seen {
    let mut origins = HashMap::new();
    let mut origin_keys = Vec::new();
    leaves(node, &mut |leaf: Leaf| match leaf {
        Leaf::Value(path, n, value) => {
            origins.insert(path.to_string(), (n.span.clone(), value));
        }
        Leaf::Key(path, key) => origin_keys.push((path.to_string(), key.span.clone())),
    });
    Seen { prev: node.clone(), origins, origin_keys, changes: Vec::new(), source: source.clone(), generated }
}

/// Equal in value, kind and span, all the way down.
fn same(a: &Node, b: &Node) -> bool {
    if a.span != b.span {
        return false;
    }
    match (&a.value, &b.value) {
        (Value::Scalar(x), Value::Scalar(y)) => x == y,
        (Value::Seq(x), Value::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Map(x), Value::Map(y)) => x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2)),
        _ => false,
    }
}

struct Walk<'a> {
    api: &'a str,
    kind: &'a str,
    stage: &'a Stage,
    place: &'a Span,
    names: &'a HashMap<String, Span>,
    out: Vec<(String, Change)>,
    /// List items whose path changed: (old path, new path), outer first.
    renames: Vec<(String, String)>,
}

impl Walk<'_> {
    fn walk(&mut self, path: &mut Vec<Segment>, old: Option<&Node>, new: Option<&Node>) {
        match (old, new) {
            (Some(o), Some(n)) => {
                if same(o, n) {
                    return;
                }
                match (&o.value, &n.value) {
                    (Value::Map(om), Value::Map(nm)) if !nm.is_empty() || !om.is_empty() => {
                        for (k, v) in nm {
                            let key = k.as_str().unwrap_or("");
                            let before = om.iter().find(|(ok, _)| ok.as_str() == Some(key)).map(|(_, ov)| ov);
                            path.push(Segment::Key(key.to_string()));
                            self.walk(path, before, Some(v));
                            path.pop();
                        }
                        for (k, v) in om {
                            let key = k.as_str().unwrap_or("");
                            if !nm.iter().any(|(nk, _)| nk.as_str() == Some(key)) {
                                path.push(Segment::Key(key.to_string()));
                                self.walk(path, Some(v), None);
                                path.pop();
                            }
                        }
                    }
                    (Value::Seq(os), Value::Seq(ns)) if !ns.is_empty() || !os.is_empty() => {
                        let here = Path(path.clone());
                        let key = list_key(self.api, self.kind, &here, ns);
                        let old_key = list_key(self.api, self.kind, &here, os);
                        // Items pair up by their key; an item whose key
                        // changed keeps its place in the list.
                        let by_key: Vec<Option<usize>> = ns
                            .iter()
                            .map(|item| {
                                let k = key.as_ref()?;
                                let v = item.get_str(k)?;
                                os.iter().position(|x| x.get_str(k) == Some(v))
                            })
                            .collect();
                        let mut used: Vec<bool> = vec![false; os.len()];
                        by_key.iter().flatten().for_each(|&j| used[j] = true);
                        let mut pairs: Vec<Option<usize>> = Vec::with_capacity(ns.len());
                        for (i, found) in by_key.iter().enumerate() {
                            let j = found.or_else(|| (i < os.len() && !used[i]).then_some(i));
                            if let Some(j) = j {
                                used[j] = true;
                            }
                            pairs.push(j);
                        }
                        for (i, item) in ns.iter().enumerate() {
                            let before = pairs[i].map(|j| &os[j]);
                            if let Some(j) = pairs[i] {
                                let old = here.child(segment(&old_key, &os[j], j)).to_string();
                                let new = here.child(segment(&key, item, i)).to_string();
                                if old != new {
                                    self.renames.push((old, new));
                                }
                            }
                            path.push(segment(&key, item, i));
                            self.walk(path, before, Some(item));
                            path.pop();
                        }
                        for (i, item) in os.iter().enumerate() {
                            if !used[i] {
                                path.push(segment(&key, item, i));
                                self.walk(path, Some(item), None);
                                path.pop();
                            }
                        }
                    }
                    _ => {
                        if is_leaf(o) && is_leaf(n) {
                            self.change(path, Some(o), Some(n));
                        } else {
                            // A list became a mapping, or the like: the old
                            // leaves are gone and the new ones are set.
                            self.walk(path, Some(o), None);
                            self.walk(path, None, Some(n));
                        }
                    }
                }
            }
            (None, Some(n)) | (Some(n), None) => {
                let added = old.is_none();
                let base = Path(path.clone());
                let api = self.api;
                let kind = self.kind;
                let mut found = Vec::new();
                super::paths::leaves_at(api, kind, &base, n, &mut |leaf| {
                    if let Leaf::Value(p, node, _) = leaf {
                        found.push((p, node.clone()));
                    }
                });
                for (p, node) in found {
                    let mut segs = p.0.clone();
                    if added {
                        self.change(&mut segs, None, Some(&node));
                    } else {
                        self.change(&mut segs, Some(&node), None);
                    }
                }
            }
            (None, None) => {}
        }
    }

    fn change(&mut self, path: &mut [Segment], old: Option<&Node>, new: Option<&Node>) {
        let value = new.map(super::paths::value_text);
        let old_value = old.map(super::paths::value_text);
        let place = match new {
            // A node the step made carries the span of what made it.
            // A reference's new text is its target's name: the place is
            // where the target was declared, not the node kustomize edited.
            Some(_) if self.stage.kind == StepKind::NameReference => {
                value.as_ref().and_then(|v| self.names.get(v)).unwrap_or(self.place).clone()
            }
            Some(n) if n.span.has_position() && old.is_none_or(|o| o.span != n.span) => n.span.clone(),
            _ => self.place.clone(),
        };
        let changes_value =
            value != old_value || old.zip(new).is_some_and(|(o, n)| o.as_scalar().map(|s| s.kind) != n.as_scalar().map(|s| s.kind));
        if !changes_value && old.is_some() && self.stage.kind == StepKind::Generated {
            return; // a generator merging into an object rewrites what it keeps
        }
        let change = Change {
            kind: self.stage.kind,
            place,
            component: self.stage.component,
            value,
            existed: old.is_some(),
            changes_value,
            from: self.stage.from.clone(),
        };
        self.out.push((Path(path.to_vec()).to_string(), change));
    }
}

fn segment(key: &Option<String>, item: &Node, i: usize) -> Segment {
    match key {
        Some(k) => item_segment(k, item, i),
        None => Segment::Index(i),
    }
}

fn is_leaf(n: &Node) -> bool {
    match &n.value {
        Value::Scalar(_) => true,
        Value::Seq(s) => s.is_empty(),
        Value::Map(m) => m.is_empty(),
    }
}
