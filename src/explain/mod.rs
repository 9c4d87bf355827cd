//! Explain: where every rendered value comes from, and where an edit goes.
//!
//! A build in explain mode carries a recorder (`recorder.rs`) that sees the
//! resources after every step of the kustomize pipeline. For each leaf of
//! the output it then knows its origin (the span it had when its resource
//! was first read or generated: the resource file, the generator entry, or
//! the patch that added it) and every step that set it since, with the
//! place that configured the step. A normal build carries no recorder and
//! pays nothing.
//!
//! JSON shapes (`--format json`, and the page through wasm):
//! - `explain`: `[{"resource", "path", "value", "steps": [{"file", "line",
//!   "column", "kind", "detail"}]}]`, one entry per leaf, steps newest first,
//!   the last one of kind `origin`; a step that copied its value from
//!   elsewhere (a replacement) also has `"from": {"file", "line", "column"}`. `resource` is `Kind/name`, or
//!   `group/version/Kind/namespace/name` (empty group as `core`) when two
//!   outputs share a kind and name.
//! - `from`: `[{"environment", "error"?, "landings": [{"resource", "path",
//!   "value", "verdict", "by": [{"file", "line", "column", "kind",
//!   "detail"}]}]}]`; `verdict` is `reaches`, `overridden` (by the first
//!   entry of `by`) or `changed` (by every entry of `by`); no landings means
//!   the position is not used by that environment.

pub mod format;
pub mod paths;
mod recorder;

use crate::diff::path::{IgnoreRule, Path};
use crate::error::{Error, Result};
use crate::fs::Files;
use crate::kustomize::{self, BuildOptions, ResId};
use crate::yaml::Span;
use paths::{leaves, Leaf};
use recorder::{Change, Tracker};
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
                    Some((span, first)) => steps.push(Step { place: span.clone(), kind: "origin", detail: format!("origin: {}", short(first)), changes_value: false, from: None }),
                    None => match steps.pop() {
                        // Added by a step: that step is where the text is.
                        Some(added) => steps.push(Step { kind: "origin", detail: format!("origin: {}", added.detail), ..added }),
                        None => steps.push(Step { place: node.span.clone(), kind: "origin", detail: format!("origin: {}", short(&value)), changes_value: false, from: None }),
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

/// Whether `wanted` (`Kind/name` or `group/version/Kind/namespace/name`)
/// names `id`.
fn names(wanted: &str, id: &ResId) -> bool {
    let parts: Vec<&str> = wanted.split('/').collect();
    match parts.as_slice() {
        [kind, name] => *kind == id.gvk.kind && *name == id.name,
        [group, version, kind, namespace, name] => {
            let group = if *group == "core" { "" } else { group };
            group == id.gvk.group && *version == id.gvk.version && *kind == id.gvk.kind && *namespace == id.namespace && *name == id.name
        }
        _ => false,
    }
}

/// `overlay explain DIR [RESOURCE [FIELD]]`: the chains of every leaf of
/// the build, of one resource, or at and under one field of it.
pub fn explain(files: &dyn Files, dir: &str, options: &BuildOptions, resource: Option<&str>, field: Option<&str>) -> Result<Vec<Entry>> {
    if let Some(r) = resource {
        if !matches!(r.split('/').count(), 2 | 5) {
            return Err(Error::new(format!("resource '{}': write Kind/name or group/version/Kind/namespace/name", r)));
        }
    }
    let rule = match field {
        Some(f) => Some(IgnoreRule::parse(f).map_err(|e| Error::new(e.replace("ignore rule", "field")))?),
        None => None,
    };
    let all = build(files, dir, options)?;
    let chosen: Vec<&Explained> = all.iter().filter(|e| resource.is_none_or(|r| names(r, &e.id))).collect();
    if let Some(r) = resource {
        if chosen.is_empty() {
            let known: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
            return Err(Error::new(format!("no resource '{}' in this build's output (it has {})", r, known.join(", "))));
        }
    }
    let mut out = Vec::new();
    for e in chosen {
        for (path, entry) in &e.fields {
            if rule.as_ref().is_none_or(|rule| rule.matches(e.id.gvk.kind.as_str(), path)) {
                out.push(entry.clone());
            }
        }
    }
    if let (Some(f), true) = (field, out.is_empty()) {
        return Err(Error::new(format!("no field '{}' in {}", f, resource.unwrap_or("the output"))));
    }
    Ok(out)
}

/// What became of one position's text in one environment.
#[derive(Clone, Debug)]
pub struct Landing {
    pub resource: String,
    pub path: String,
    /// The final value there.
    pub value: String,
    pub verdict: Verdict,
    /// For `Overridden`, the step that overrides (newest first); for
    /// `Changed`, every step that changed it on the way.
    pub by: Vec<Step>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Reaches,
    Overridden,
    Changed,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Reaches => "reaches",
            Verdict::Overridden => "overridden",
            Verdict::Changed => "changed",
        }
    }
}

/// One environment's answer to `from`.
#[derive(Clone, Debug)]
pub struct FromEnv {
    /// The environment's directory.
    pub environment: String,
    /// The build failed: nothing can be said.
    pub error: Option<Error>,
    /// Empty when the position is not used.
    pub landings: Vec<Landing>,
}

/// Steps whose new value does not depend on the old one: an edit of what
/// they replace does not reach the output.
fn overrides(kind: &str) -> bool {
    !matches!(kind, "name-prefix" | "name-suffix" | "hash-suffix" | "images" | "name-reference" | "vars" | "origin")
}

fn at(span: &Span, file: &str, line: u32, column: Option<u32>) -> bool {
    span.line == line && &*span.file == file && column.is_none_or(|c| span.col == c)
}

/// Where the text at `file:line[:column]` goes in each environment under
/// `root` (`overlay explain --from`), as `env::environments_with` finds them.
pub fn from(files: &dyn Files, root: &str, envs: &crate::env::Options, file: &str, line: u32, column: Option<u32>, options: &BuildOptions) -> Vec<FromEnv> {
    let envs = crate::env::environments_with(files, root, envs);
    envs.iter()
        .map(|env| match build(files, &env.path, options) {
            Err(e) => FromEnv { environment: env.path.clone(), error: Some(e), landings: Vec::new() },
            Ok(all) => FromEnv { environment: env.path.clone(), error: None, landings: landings(&all, file, line, column) },
        })
        .collect()
}

fn landings(all: &[Explained], file: &str, line: u32, column: Option<u32>) -> Vec<Landing> {
    let mut out = Vec::new();
    for e in all {
        let before = out.len();
        for (_, entry) in &e.fields {
            if let Some(i) = entry.steps.iter().position(|s| at(&s.place, file, line, column)) {
                out.push(landing(entry, i));
            }
        }
        if out.len() > before {
            continue;
        }
        // A line with a key and no value of its own (`spec:`): it reaches
        // the output where anything under that key does.
        let mut keyed: Vec<&str> = e.keys.iter().filter(|(_, s)| at(s, file, line, column)).map(|(p, _)| p.as_str()).collect();
        keyed.dedup();
        for p in keyed {
            if let Some((_, entry)) = e.fields.iter().find(|(_, en)| en.path == p) {
                out.push(landing(entry, entry.steps.len() - 1));
            } else if e.fields.iter().any(|(_, en)| en.path.starts_with(p) && en.path[p.len()..].starts_with(['.', '['])) {
                out.push(Landing { resource: e.name.clone(), path: p.to_string(), value: String::new(), verdict: Verdict::Reaches, by: Vec::new() });
            }
        }
    }
    out
}

/// The verdict for the text at step `i` of `entry`'s chain.
fn landing(entry: &Entry, i: usize) -> Landing {
    let newer = &entry.steps[..i];
    let verdict;
    let by: Vec<Step>;
    if let Some(o) = newer.iter().find(|s| overrides(s.kind)) {
        verdict = Verdict::Overridden;
        by = vec![o.clone()];
    } else if newer.iter().any(|s| s.changes_value) {
        verdict = Verdict::Changed;
        by = newer.iter().filter(|s| s.changes_value).cloned().collect();
    } else {
        verdict = Verdict::Reaches;
        by = Vec::new();
    }
    Landing { resource: entry.resource.clone(), path: entry.path.clone(), value: entry.value.clone(), verdict, by }
}

#[cfg(test)]
mod tests;
