//! Review: what a change to a repository does to every environment and
//! every Flux cluster in it, the one answer a reviewer wants before
//! approving a pull request.
//!
//! Both versions of the repository are plain file trees (`Files`), rooted at
//! `/`. What is an environment and what is a cluster is detected on the
//! union of the two trees, so that an environment the change adds or
//! removes is reported as added or removed, not missed. Each one is then
//! rendered on both sides and compared with `diff` (Secrets masked);
//! clusters also say what Flux would prune.
//!
//! Both sides share one parse cache, so a file the change leaves alone is
//! parsed once; and a render whose reads (`fs::Reads`) come out the same on
//! the new side is not built again at all.
//!
//! The faces: `text`, `markdown` (PR comments), `json` and `html` (one
//! self-contained report).

pub mod html;
pub mod json;
pub mod markdown;
pub mod text;

use crate::diff::{self, Diff, DiffOptions};
use crate::env::{self, Role};
use crate::error::Error;
use crate::flux::cluster::{self, Status};
use crate::flux::{discover, prune};
use crate::fs::{self, Files, Recorder};
use crate::kustomize::{self, BuildOptions, ResId};
use crate::yaml::parse::{with_parse_cache, ParseCache};
use crate::yaml::Node;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
pub struct Options {
    pub build: BuildOptions,
    /// Namespaces are compared strictly by default: within one environment
    /// a resource that moves namespace is a different object.
    pub diff: DiffOptions,
    pub flux: cluster::Options,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            build: BuildOptions::default(),
            diff: DiffOptions { across_namespaces: false, ..DiffOptions::default() },
            flux: cluster::Options::default(),
        }
    }
}

/// What is reviewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A kustomization directory people deploy (`env::kustomizations`).
    Environment,
    /// A Flux cluster directory (`flux::discover`).
    Cluster,
}

/// What the change does to one environment or cluster, as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Unchanged,
    Changed,
    /// Only the new side has it.
    Added,
    /// Only the old side has it.
    Removed,
    /// It built before and fails now.
    StartsFailing,
    /// It failed before and builds now.
    StopsFailing,
    /// It fails on both sides, and the error or what still renders differs.
    StillFailing,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Unchanged => "unchanged",
            Outcome::Changed => "changed",
            Outcome::Added => "added",
            Outcome::Removed => "removed",
            Outcome::StartsFailing => "starts failing",
            Outcome::StopsFailing => "stops failing",
            Outcome::StillFailing => "still failing",
        }
    }
}

/// One side of an environment or cluster.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Side {
    /// Whether this version of the repository has it.
    pub exists: bool,
    /// Why it fails to build (a cluster: its first failure), paths
    /// relative to the repository's root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Resources it renders (a failing cluster: those that still render).
    pub resources: usize,
}

/// What Flux does with one object of the old inventory (`flux::prune`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// The Flux Kustomization that owned it: `flux-system/apps`.
    pub owner: String,
    /// `Kind/namespace/name`.
    pub object: String,
    /// `delete`, `orphan`, `keep` or `move`.
    pub action: &'static str,
    /// The whole sentence, as `overlay flux --before` prints it.
    pub text: String,
}

/// One environment or cluster and what the change does to it.
#[derive(Clone, Debug)]
pub struct Target {
    pub kind: Kind,
    /// Relative to the repository's root: `apps/production`.
    pub path: String,
    pub outcome: Outcome,
    pub before: Side,
    pub after: Side,
    /// Resources changed, added and removed. Empty when one side fails as a
    /// whole: "everything removed" would hide the one thing that matters.
    pub diff: Diff,
    /// Clusters only: what Flux deletes or leaves behind.
    pub prune: Vec<Pruned>,
    /// One line for people: `1 changed, 0 added, 0 removed`.
    pub summary: String,
}

impl Target {
    pub fn is_unchanged(&self) -> bool {
        self.outcome == Outcome::Unchanged
    }
    /// An anchor name, unique in a report: `environment-apps-production`.
    pub fn anchor(&self) -> String {
        let kind = match self.kind {
            Kind::Environment => "environment",
            Kind::Cluster => "cluster",
        };
        let slug: String = self.path.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
        format!("{}-{}", kind, if slug.is_empty() { "root".to_string() } else { slug })
    }
}

/// Every environment and cluster of either version, environments first
/// (grouped, in promotion order), then clusters (likewise).
#[derive(Clone, Debug, Default)]
pub struct Review {
    pub targets: Vec<Target>,
}

impl Review {
    /// Whether the change leaves every environment and cluster as it was.
    pub fn is_unchanged(&self) -> bool {
        self.targets.iter().all(Target::is_unchanged)
    }
    /// How many targets the change reaches.
    pub fn reached(&self) -> usize {
        self.targets.iter().filter(|t| !t.is_unchanged()).count()
    }
    /// One line for the whole review: `The change reaches 2 of 4
    /// environments and 2 of 2 clusters.`
    pub fn headline(&self) -> String {
        let count = |k: Kind| {
            let all: Vec<&Target> = self.targets.iter().filter(|t| t.kind == k).collect();
            (all.iter().filter(|t| !t.is_unchanged()).count(), all.len())
        };
        let ((re, e), (rc, c)) = (count(Kind::Environment), count(Kind::Cluster));
        if self.is_unchanged() {
            let what = match (e, c) {
                (e, 0) => plural(e, "environment"),
                (0, c) => plural(c, "cluster"),
                (e, c) => format!("{} and {}", plural(e, "environment"), plural(c, "cluster")),
            };
            return format!("No changes in {}.", what);
        }
        let of = |r: usize, n: usize, word: &str| format!("{} of {}", r, plural(n, word));
        let what = match (e, c) {
            (e, 0) => of(re, e, "environment"),
            (0, c) => of(rc, c, "cluster"),
            (e, c) => format!("{} and {}", of(re, e, "environment"), of(rc, c, "cluster")),
        };
        format!("The change reaches {}.", what)
    }
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {}", word)
    } else {
        format!("{} {}s", n, word)
    }
}

/// Reviews the change from `before` to `after` (two versions of one
/// repository, each rooted at `/`).
pub fn review(before: &dyn Files, after: &dyn Files, options: &Options) -> Review {
    review_cached(before, after, options, &mut ParseCache::default())
}

/// `review` with the parses kept in `cache`: a caller that reviews again
/// after an edit (the page) parses only what the edit changed.
pub fn review_cached(before: &dyn Files, after: &dyn Files, options: &Options, cache: &mut ParseCache) -> Review {
    with_parse_cache(cache, || review_uncached(before, after, options))
}

fn review_uncached(before: &dyn Files, after: &dyn Files, options: &Options) -> Review {
    let union = Union { before, after };
    let mut targets = Vec::new();
    let envs = env::kustomizations(&union, "/", &env::Options::default());
    for e in envs.iter().filter(|k| k.role == Role::Environment) {
        targets.push(environment(before, after, &e.dir.path, options));
    }
    // Clusters in promotion order too (`clusters/staging` before
    // `clusters/production`), as the environments are.
    let mut clusters: Vec<String> = discover::discover(&union, "/").clusters.into_iter().map(|f| f.dir).collect();
    clusters.sort_by_key(|dir| (fs::parent(dir).to_string(), env::stage_rank(fs::file_name(dir)), dir.clone()));
    for dir in clusters {
        // The repository root the cluster's paths are relative to, as
        // `overlay flux` guesses it: `/` for a repository of its own, the
        // example's folder for a repository of examples.
        let root = cluster::guess_root(&union, &dir);
        targets.push(flux_cluster(before, after, &dir, &root, options));
    }
    Review { targets }
}

/// Either version: a file from the new side when it has it, directories
/// of both. Detection runs on it, so nothing either side has is missed.
struct Union<'a> {
    before: &'a dyn Files,
    after: &'a dyn Files,
}

impl Files for Union<'_> {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        self.after.read(path).or_else(|| self.before.read(path))
    }
    fn is_dir(&self, path: &str) -> bool {
        self.after.is_dir(path) || self.before.is_dir(path)
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let names: BTreeSet<String> = self.after.list(dir).into_iter().chain(self.before.list(dir)).collect();
        names.into_iter().collect()
    }
}

/// An error as a reviewer reads it: paths relative to the root.
fn error_text(e: &Error) -> String {
    let mut e = e.clone();
    if let Some(span) = e.span.as_mut() {
        if let Some(rel) = span.file.strip_prefix('/') {
            span.file = rel.into();
        }
    }
    // Messages quote the paths they name: `'/apps/x'`.
    e.to_string().replace("'/", "'")
}

fn relative(path: &str) -> String {
    path.trim_start_matches('/').to_string()
}

/// Renders `dir` on one side: `None` when that side has no kustomization
/// there.
fn render_env(files: &dyn Files, dir: &str, build: &BuildOptions) -> Option<Result<Vec<Node>, String>> {
    if !kustomize::kustomization::FILE_NAMES.iter().any(|n| files.is_file(&fs::join(dir, n))) {
        return None;
    }
    Some(kustomize::build(files, dir, build).map(|out| out.resources.nodes()).map_err(|e| error_text(&e)))
}

fn environment(before: &dyn Files, after: &dyn Files, dir: &str, options: &Options) -> Target {
    // A render whose every read the new side answers the same is the new
    // side's render too: the environments a change does not reach cost
    // one build, not two.
    let recorder = Recorder::new(before);
    let old = render_env(&recorder, dir, &options.build);
    let new = if recorder.into_reads().unchanged(after) { old.clone() } else { render_env(after, dir, &options.build) };
    let side = |r: &Option<Result<Vec<Node>, String>>| match r {
        None => Side::default(),
        Some(Ok(nodes)) => Side { exists: true, error: None, resources: nodes.len() },
        Some(Err(e)) => Side { exists: true, error: Some(e.clone()), resources: 0 },
    };
    let (b, a) = (side(&old), side(&new));
    let nodes = |r: &Option<Result<Vec<Node>, String>>| -> Vec<Node> {
        match r {
            Some(Ok(n)) => n.clone(),
            _ => Vec::new(),
        }
    };
    let d = match (&old, &new) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => Diff::default(),
        _ => diff::diff(&nodes(&old), &nodes(&new), &options.diff),
    };
    finish(Kind::Environment, dir, b, a, d, Vec::new())
}

fn flux_cluster(before: &dyn Files, after: &dyn Files, dir: &str, root: &str, options: &Options) -> Target {
    let load = |files: &dyn Files| -> Option<Result<cluster::Cluster, String>> {
        if !files.is_dir(dir) {
            return None;
        }
        Some(discover::load(files, dir, root, &options.flux).map_err(|e| error_text(&e)))
    };
    let recorder = Recorder::new(before);
    let old = load(&recorder);
    let new = if recorder.into_reads().unchanged(after) { old.clone() } else { load(after) };
    let failure = |c: &cluster::Cluster| -> Option<String> {
        if let Some(e) = c.errors.first() {
            return Some(error_text(e));
        }
        if let Err(e) = &c.order {
            return Some(error_text(e));
        }
        c.units.iter().find_map(|u| match &u.status {
            Status::Failed(e) => Some(format!("Kustomization {}: {}", u.ks.key, error_text(e))),
            _ => None,
        })
    };
    // The objects of Kustomizations that fail on either side are left out
    // of the comparison: their build failing is the news, not that every
    // object they hold would vanish.
    let failed_units: BTreeSet<String> = [&old, &new]
        .iter()
        .filter_map(|c| match c {
            Some(Ok(c)) => Some(c),
            _ => None,
        })
        .flat_map(|c| c.units.iter().filter(|u| matches!(u.status, Status::Failed(_))).map(|u| u.ks.key.to_string()))
        .collect();
    let objects = |c: &cluster::Cluster| -> Vec<Node> {
        let mut out: Vec<Node> = c.dir_objects.clone();
        let order: Vec<usize> = match &c.order {
            Ok(o) => o.clone(),
            Err(_) => (0..c.units.len()).collect(),
        };
        for i in order {
            let u = &c.units[i];
            if !failed_units.contains(&u.ks.key.to_string()) {
                out.extend(u.objects.iter().cloned());
            }
        }
        out
    };
    let side = |r: &Option<Result<cluster::Cluster, String>>| match r {
        None => Side::default(),
        Some(Ok(c)) => Side { exists: true, error: failure(c), resources: objects(c).len() },
        Some(Err(e)) => Side { exists: true, error: Some(e.clone()), resources: 0 },
    };
    let (b, a) = (side(&old), side(&new));
    let list = |r: &Option<Result<cluster::Cluster, String>>| match r {
        Some(Ok(c)) => objects(c),
        _ => Vec::new(),
    };
    // A cluster directory that cannot be read at all compares as a failure.
    let d = match (&old, &new) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => Diff::default(),
        (Some(Ok(o)), Some(Ok(n))) if !o.errors.is_empty() || !n.errors.is_empty() => Diff::default(),
        _ => diff::diff(&list(&old), &list(&new), &options.diff),
    };
    let pruned = match (&old, &new) {
        (Some(Ok(o)), Some(Ok(n))) => prune::stale(o, n).iter().map(pruned).collect(),
        _ => Vec::new(),
    };
    finish(Kind::Cluster, dir, b, a, d, pruned)
}

fn pruned(e: &prune::Entry) -> Pruned {
    let id: &ResId = &e.id;
    let ns = if id.namespace.is_empty() { String::new() } else { format!("{}/", id.namespace) };
    let action = match e.action {
        prune::Action::Delete => "delete",
        prune::Action::Orphan => "orphan",
        prune::Action::Keep(_) => "keep",
        prune::Action::Moved(_) => "move",
    };
    Pruned { owner: e.owner.to_string(), object: format!("{}/{}{}", id.gvk.kind, ns, id.name), action, text: e.to_string() }
}

fn finish(kind: Kind, dir: &str, before: Side, after: Side, diff: Diff, prune: Vec<Pruned>) -> Target {
    let outcome = match (&before, &after) {
        (b, a) if !b.exists && a.exists => Outcome::Added,
        (b, a) if b.exists && !a.exists => Outcome::Removed,
        (b, a) if b.error.is_none() && a.error.is_some() => Outcome::StartsFailing,
        (b, a) if b.error.is_some() && a.error.is_none() => Outcome::StopsFailing,
        (b, a) if b.error.is_some() && (b.error != a.error || !diff.is_empty() || !prune.is_empty()) => Outcome::StillFailing,
        _ if !diff.is_empty() || !prune.is_empty() => Outcome::Changed,
        _ => Outcome::Unchanged,
    };
    let s = diff.summary();
    let counts = format!("{} changed, {} added, {} removed", s.changed, s.added, s.removed);
    let prunes = match prune.iter().filter(|p| p.action == "delete").count() {
        0 if prune.is_empty() => String::new(),
        0 => format!("; Flux leaves {} behind", plural(prune.len(), "object")),
        n => format!("; Flux prunes {}", plural(n, "object")),
    };
    let first_line = |e: &Option<String>| e.as_deref().unwrap_or("").lines().next().unwrap_or("").to_string();
    let summary = match outcome {
        Outcome::Unchanged if before.error.is_some() => format!("unchanged, fails on both sides: {}", first_line(&before.error)),
        Outcome::Unchanged => format!("unchanged ({})", plural(after.resources, "resource")),
        Outcome::Changed => format!("{}{}", counts, prunes),
        Outcome::Added if after.error.is_some() => format!("new, and fails to build: {}", first_line(&after.error)),
        Outcome::Added => format!("new: {}", plural(after.resources, "resource")),
        Outcome::Removed => format!("removed (it rendered {})", plural(before.resources, "resource")),
        Outcome::StartsFailing => format!("starts failing: {}", first_line(&after.error)),
        Outcome::StopsFailing => {
            format!("builds again ({}); it failed with: {}", plural(after.resources, "resource"), first_line(&before.error))
        }
        Outcome::StillFailing if diff.is_empty() && prune.is_empty() => format!("still failing, now with: {}", first_line(&after.error)),
        Outcome::StillFailing => format!("still failing ({}): {}{}", first_line(&after.error), counts, prunes),
    };
    Target { kind, path: relative(dir), outcome, before, after, diff, prune, summary }
}
