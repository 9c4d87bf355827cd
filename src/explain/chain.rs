//! A build in explain mode, and each output leaf's chain: its origin and
//! the steps that set it since, newest first.

use super::paths::{leaves, Leaf};
use super::recorder::{Change, Tracker};
use crate::diff::path::Path;
use crate::error::Result;
use crate::fs::Files;
use crate::kustomize::{self, BuildOptions, ResId};
use crate::yaml::Span;
use std::collections::HashMap;

/// One step of a leaf's chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Where it was configured, or where the origin's text is.
    pub place: Span,
    /// `origin`, or the step's kind (`strategic-merge-patch`, `namespace`, …).
    pub kind: &'static str,
    /// For people: `strategic-merge patch sets 5`, `origin: 1`.
    pub detail: String,
    /// Whether the value differs from what it was before this step.
    pub changes_value: bool,
    /// Where the value was read: a replacement's source field.
    pub from: Option<Span>,
}

/// One leaf of a rendered resource with its chain.
#[derive(Clone, Debug)]
pub struct Entry {
    pub resource: String,
    pub path: String,
    pub value: String,
    /// Newest first; the origin last.
    pub steps: Vec<Step>,
}

/// One rendered resource, explained.
#[derive(Clone, Debug)]
pub struct Explained {
    pub id: ResId,
    /// As `Entry::resource` names it.
    pub name: String,
    pub fields: Vec<(Path, Entry)>,
    /// Every mapping key of the output and of the resource as first read,
    /// by the path of its value: a line holding only `spec:` still leads
    /// somewhere.
    pub keys: Vec<(String, Span)>,
    /// Made by a generator: its values' origins are the generator's
    /// entries, literals and files rather than YAML tokens.
    pub generated: bool,
}

/// Builds `dir` in explain mode.
pub fn build(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<Vec<Explained>> {
    let mut tracker = Tracker::default();
    let out = kustomize::build_traced(files, dir, options, &mut tracker)?;
    let ids: Vec<ResId> = out.resources.iter().map(|r| r.id()).collect();
    let mut result = Vec::with_capacity(ids.len());
    for r in out.resources.iter() {
        let id = r.id();
        let name = resource_name(&id, &ids);
        let seen = (r.trace > 0).then(|| &tracker.seen[r.trace as usize - 1]);
        let mut by_path: HashMap<&str, Vec<&Change>> = HashMap::new();
        if let Some(s) = seen {
            for (p, c) in &s.changes {
                by_path.entry(p.as_str()).or_default().push(c);
            }
        }
        let mut fields = Vec::new();
        let mut keys = Vec::new();
        if let Some(s) = seen {
            keys.extend(s.origin_keys.iter().cloned());
        }
        leaves(&r.node, &mut |leaf| match leaf {
            Leaf::Value(path, node, value) => {
                let text = path.to_string();
                let changes = by_path.get(text.as_str()).map(|v| v.as_slice()).unwrap_or(&[]);
                let mut steps: Vec<Step> = changes.iter().rev().map(|c| step(c)).collect();
                match seen.and_then(|s| s.origins.get(&text)) {
                    Some((span, first)) => steps.push(Step {
                        place: span.clone(),
                        kind: "origin",
                        detail: format!("origin: {}", short(first)),
                        changes_value: false,
                        from: None,
                    }),
                    None => match steps.pop() {
                        // Added by a step: that step is where the text is.
                        Some(added) => steps.push(Step { kind: "origin", detail: format!("origin: {}", added.detail), ..added }),
                        None => steps.push(Step {
                            place: node.span.clone(),
                            kind: "origin",
                            detail: format!("origin: {}", short(&value)),
                            changes_value: false,
                            from: None,
                        }),
                    },
                }
                fields.push((path, Entry { resource: name.clone(), path: text, value, steps }));
            }
            Leaf::Key(path, key) => keys.push((path.to_string(), key.span.clone())),
        });
        result.push(Explained { id, name, fields, keys, generated: seen.is_some_and(|s| s.generated) });
    }
    Ok(result)
}

fn step(c: &Change) -> Step {
    let mut label = c.kind.label().to_string();
    if c.component {
        label.push_str(" (component)");
    }
    let detail = match &c.value {
        None => format!("{} removes it", label),
        Some(v) if !c.existed => format!("{} adds {}", label, short(v)),
        Some(v) => format!("{} sets {}", label, short(v)),
    };
    Step { place: c.place.clone(), kind: c.kind.id(), detail, changes_value: c.changes_value, from: c.from.clone() }
}

/// A value on one line: newlines shown as `\n`, long text cut.
pub fn short(v: &str) -> String {
    let one: String = v.replace('\\', "\\\\").replace('\n', "\\n");
    if one.chars().count() > 80 {
        format!("{}…", one.chars().take(79).collect::<String>())
    } else {
        one
    }
}

/// `Kind/name`, or the full id when another output shares kind and name.
fn resource_name(id: &ResId, all: &[ResId]) -> String {
    let twins = all.iter().filter(|o| o.gvk.kind == id.gvk.kind && o.name == id.name).count();
    if twins <= 1 {
        format!("{}/{}", id.gvk.kind, id.name)
    } else {
        let group = if id.gvk.group.is_empty() { "core" } else { &id.gvk.group };
        format!("{}/{}/{}/{}/{}", group, id.gvk.version, id.gvk.kind, id.namespace, id.name)
    }
}
