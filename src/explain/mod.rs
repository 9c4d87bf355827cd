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
//!   the last one of kind `origin`. A step whose value was read elsewhere
//!   (a replacement's source field, where a Flux variable is defined) also
//!   has `"from": {"file", "line", "column"}`. Kinds: `origin`,
//!   `strategic-merge-patch`, `json6902-patch`, `namespace`, `name-prefix`,
//!   `name-suffix`, `labels`, `annotations`, `images`, `replicas`,
//!   `replacement`, `transformer-plugin`, `generator` (a merging generator),
//!   `hash-suffix`, `name-reference`, `vars`, `managed-by-label`, and for
//!   Flux `flux-substitute`, `flux-common-metadata`, `flux-owner-label`.
//!   `resource` is `Kind/name`, or `group/version/Kind/namespace/name`
//!   (empty group as `core`) when two outputs share a kind and name; in a
//!   Flux cluster it is prefixed with the Kustomization
//!   (`flux-system/apps: Deployment/my-app`).
//! - `from`: `[{"environment", "error"?, "landings": [{"resource", "path",
//!   "value", "verdict", "by": [{"file", "line", "column", "kind",
//!   "detail"}]}]}]`; `verdict` is `reaches`, `overridden` (by the first
//!   entry of `by`) or `changed` (by every entry of `by`); no landings means
//!   the position is not used by that environment.

mod chain;
pub mod flux;
pub mod format;
pub mod paths;
mod recorder;

pub use chain::{build, short, Entry, Explained, Step};

use crate::diff::path::IgnoreRule;
use crate::error::{Error, Result};
use crate::fs::Files;
use crate::kustomize::{BuildOptions, ResId};
use crate::yaml::Span;

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
/// the build, of one resource, or at and under one field of it. A
/// directory without a kustomization is a Flux cluster directory: every
/// object its Kustomizations apply, named `namespace/kustomization: Kind/name`.
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
    // A directory without a kustomization is read as `overlay flux` reads
    // a cluster directory.
    let all = if crate::kustomize::kustomization::find_file(files, dir)?.is_none() && files.is_dir(dir) {
        let root = crate::flux::cluster::guess_root(files, dir);
        flux::explain_cluster(files, dir, &root, &Default::default())?
    } else {
        build(files, dir, options)?
    };
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
pub fn from(
    files: &dyn Files,
    root: &str,
    envs: &crate::env::Options,
    file: &str,
    line: u32,
    column: Option<u32>,
    options: &BuildOptions,
) -> Vec<FromEnv> {
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
                out.push(Landing {
                    resource: e.name.clone(),
                    path: p.to_string(),
                    value: String::new(),
                    verdict: Verdict::Reaches,
                    by: Vec::new(),
                });
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
