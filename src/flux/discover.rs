//! Where reconciliation starts: the clusters of a repository, and the
//! source that is the repository itself.
//!
//! Flux reconciles a cluster from one Kustomization that something outside
//! the repository created: `flux bootstrap` (its gotk-sync.yaml, kept in the
//! repository) or the flux-operator (a FluxInstance's `spec.sync`). Every
//! other Flux Kustomization in the repository is applied by one of those,
//! directly or through a chain. So a cluster is one of:
//! - the directory a bootstrap Kustomization points to: one whose `spec.path`
//!   takes in its own file (that is how bootstrap keeps itself up to date);
//! - a FluxInstance's `spec.sync.path` (also inside the flux-instance
//!   chart's `values.instance.sync`, as HelmReleases install it);
//! - a directory of Flux Kustomizations that no Kustomization of this
//!   repository applies (a repository bootstrapped out of band);
//! - a directory applied only through `spec.kubeConfig`: that is another
//!   cluster, reconciled from here.
//!
//! A folder of per-app `ks.yaml` files that a parent applies is part of the
//! parent's cluster. "Applies" is read statically, as the controller's
//! build would reach files: `resources` and `components` of kustomization
//! files, or everything below a directory without one (the kustomization
//! Flux generates there). Only Kustomizations whose source is this
//! repository apply anything here; an ExternalArtifact's paths are the
//! artifact's, and they hold no Flux Kustomizations in the layouts Flux
//! documents.

use super::cluster;
use super::kustomization::{is_flux_kustomization, Key};
use super::sourceignore::{SourceIgnore, Visible};
use crate::env::stage_rank;
use crate::error::Result;
use crate::fs::{self, Files};
use crate::kustomize::kustomization::{self, FILE_NAMES};
use crate::yaml::{parse_documents, Node, Span};
use std::collections::{BTreeMap, BTreeSet};

/// Why a directory is a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// `flux bootstrap`'s Kustomization (gotk-sync) points here.
    Bootstrap { ks: Key, at: Span },
    /// A FluxInstance's `spec.sync.path` (or the flux-instance chart's
    /// `values.instance.sync.path`).
    FluxInstance { at: Span },
    /// Its Flux Kustomizations are applied by nothing in the repository.
    Unapplied,
    /// Applied only by Kustomizations with `spec.kubeConfig`: objects that
    /// land in another cluster.
    Remote { by: Key, at: Span },
}

impl Start {
    /// Why, in words; `shown` writes a file path as the reader should see it.
    pub fn describe(&self, shown: &dyn Fn(&str) -> String) -> String {
        match self {
            Start::Bootstrap { ks, at } => format!("bootstrap Kustomization {} at {}:{}", ks, shown(&at.file), at.line),
            Start::FluxInstance { at } => format!("FluxInstance sync path at {}:{}", shown(&at.file), at.line),
            Start::Unapplied => "applied by no Kustomization of the repository".to_string(),
            Start::Remote { by, at } => {
                format!("applied to another cluster by Kustomization {} (spec.kubeConfig) at {}:{}", by, shown(&at.file), at.line)
            }
        }
    }
}

impl std::fmt::Display for Start {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe(&|p| p.to_string()))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub dir: String,
    pub start: Start,
}

/// A source that is this repository: `kind/name` as a Kustomization's
/// `sourceRef` names it, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelfSource {
    pub kind: String,
    pub name: String,
    pub why: String,
    /// Where that was read.
    pub at: Option<Span>,
}

impl SelfSource {
    /// `Kind/name (why, at file:line)`; `shown` writes a file path as the
    /// reader should see it.
    pub fn describe(&self, shown: &dyn Fn(&str) -> String) -> String {
        match &self.at {
            Some(at) => format!("{}/{} ({}, {}:{})", self.kind, self.name, self.why, shown(&at.file), at.line),
            None => format!("{}/{} ({})", self.kind, self.name, self.why),
        }
    }

    /// As `Options::self_sources` holds it: a bare name for a GitRepository.
    pub fn option(&self) -> String {
        if self.kind == "GitRepository" {
            self.name.clone()
        } else {
            format!("{}/{}", self.kind, self.name)
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// Sorted by directory.
    pub clusters: Vec<Found>,
    pub self_sources: Vec<SelfSource>,
    /// Directories of Flux Kustomizations under test or documentation
    /// paths (`testdata`, `docs`, …): fixtures, not clusters.
    pub fixtures: Vec<String>,
}

/// Path components that hold test data or examples rather than what
/// people deploy (the list `overlay envs` uses for fixtures).
const FIXTURE_DIRS: [&str; 7] = ["test", "tests", "testdata", "e2e", "examples", "hack", "docs"];

/// Names `flux bootstrap` and the flux-operator give the repository's
/// source when nothing says otherwise: the namespace, `flux-system`.
const DEFAULT_SELF: &str = "flux-system";

/// A Flux Kustomization found in a file of the repository.
struct Declared {
    key: Key,
    file: String,
    span: Span,
    source_kind: String,
    source_name: String,
    path: String,
    components: Vec<String>,
    remote: bool,
}

/// What the walk collects.
#[derive(Default)]
struct Scan {
    kustomizations: Vec<Declared>,
    /// `(kind, name, url, where)` of GitRepository, OCIRepository and Bucket objects.
    sources: Vec<(String, String, String, Span)>,
    /// The `sync` of each FluxInstance, with the name its source gets by default.
    instances: Vec<(Node, String)>,
}

/// The clusters of the repository at `root`, as Flux sees it.
pub fn discover(files: &dyn Files, root: &str) -> Discovery {
    let ignore = SourceIgnore::load(files, root);
    let visible = Visible { base: files, keep: &ignore };
    let files: &dyn Files = &visible;
    let scan = scan(files, root);
    let self_sources = self_sources_of(files, root, &scan);
    let is_self = |d: &Declared| self_sources.iter().any(|s| s.kind == d.source_kind && s.name == d.source_name);

    let mut reach = Reach::default();
    let mut starts: BTreeMap<String, Start> = BTreeMap::new();
    // Bootstrap Kustomizations and FluxInstances first: they win over the rest.
    for d in &scan.kustomizations {
        if let Some(dir) = target(files, root, &d.path) {
            if reach.files(files, &dir, &d.components).contains(&d.file) {
                starts.entry(dir).or_insert(Start::Bootstrap { ks: d.key.clone(), at: d.span.clone() });
            }
        }
    }
    for (sync, _) in &scan.instances {
        let path = sync.get_str("path").unwrap_or("");
        if let Some(dir) = target(files, root, path) {
            let at = sync.get("path").map(|n| n.span.clone()).unwrap_or_else(|| sync.span.clone());
            starts.entry(dir).or_insert(Start::FluxInstance { at });
        }
    }
    // Which files each local Kustomization of this repository applies; a
    // Kustomization with kubeConfig applies to another cluster.
    let mut local: BTreeSet<String> = BTreeSet::new();
    let mut remote: BTreeMap<String, (Key, Span)> = BTreeMap::new();
    for d in scan.kustomizations.iter().filter(|d| is_self(d)) {
        let Some(dir) = target(files, root, &d.path) else { continue };
        for f in reach.files(files, &dir, &d.components) {
            if d.remote {
                remote.entry(f).or_insert((d.key.clone(), d.span.clone()));
            } else {
                local.insert(f);
            }
        }
    }
    let mut candidates: BTreeMap<String, Vec<&Declared>> = BTreeMap::new();
    for d in &scan.kustomizations {
        candidates.entry(fs::parent(&d.file).to_string()).or_default().push(d);
    }
    for (dir, declared) in &candidates {
        if starts.contains_key(dir) || declared.iter().any(|d| local.contains(&d.file)) {
            continue;
        }
        let start = match declared.iter().find_map(|d| remote.get(&d.file)) {
            Some((by, at)) => Start::Remote { by: by.clone(), at: at.clone() },
            None => Start::Unapplied,
        };
        starts.insert(dir.clone(), start);
    }
    let mut out = Discovery { self_sources, ..Discovery::default() };
    for (dir, start) in starts {
        if is_fixture(files, &dir, root) {
            out.fixtures.push(dir);
        } else {
            out.clusters.push(Found { dir, start });
        }
    }
    out
}

/// `cluster::load` with the self-sources the repository names, when
/// `options` names none.
pub fn load(files: &dyn Files, dir: &str, root: &str, options: &cluster::Options) -> Result<cluster::Cluster> {
    let mut options = options.clone();
    if options.self_sources.is_empty() {
        options.self_sources = self_source_options(files, root);
    }
    cluster::load(files, dir, root, &options)
}

/// Every cluster of the repository, loaded with `options` (the detected
/// self-sources when `options` names none), in the order of
/// `Discovery::clusters`.
pub fn load_all(files: &dyn Files, root: &str, options: &cluster::Options) -> (Discovery, Vec<Result<cluster::Cluster>>) {
    let found = discover(files, root);
    let mut options = options.clone();
    if options.self_sources.is_empty() {
        options.self_sources = found.self_sources.iter().map(SelfSource::option).collect();
    }
    let loaded = found.clusters.iter().map(|f| cluster::load(files, &f.dir, root, &options)).collect();
    (found, loaded)
}

/// The sources that are this repository (see `self_sources_of`), as
/// `Options::self_sources` takes them.
pub fn self_source_options(files: &dyn Files, root: &str) -> Vec<String> {
    let ignore = SourceIgnore::load(files, root);
    let visible = Visible { base: files, keep: &ignore };
    let scan = scan(&visible, root);
    self_sources_of(&visible, root, &scan).iter().map(SelfSource::option).collect()
}

/// The sources that are this repository, read from how Flux was set up:
/// - the source of a bootstrap Kustomization (one that applies its own
///   file: gotk-sync's `flux-system`, whatever it is named);
/// - the source a FluxInstance creates: `spec.sync.kind`, named
///   `spec.sync.name` or else after the FluxInstance's namespace;
/// - any GitRepository or OCIRepository of the repository whose URL is
///   the URL of one of those (the same repository under another name);
/// - with none of these, `GitRepository/flux-system`, the name both
///   bootstrap and the operator give it by default.
fn self_sources_of(files: &dyn Files, root: &str, scan: &Scan) -> Vec<SelfSource> {
    let mut out: Vec<SelfSource> = Vec::new();
    let push = |out: &mut Vec<SelfSource>, kind: &str, name: &str, why: String, at: Option<&Span>| {
        if !kind.is_empty() && !name.is_empty() && !out.iter().any(|s| s.kind == kind && s.name == name) {
            out.push(SelfSource { kind: kind.to_string(), name: name.to_string(), why, at: at.cloned() });
        }
    };
    let mut reach = Reach::default();
    for d in &scan.kustomizations {
        if let Some(dir) = target(files, root, &d.path) {
            if reach.files(files, &dir, &d.components).contains(&d.file) {
                let why = format!("the source of bootstrap Kustomization {}", d.key);
                push(&mut out, &d.source_kind, &d.source_name, why, Some(&d.span));
            }
        }
    }
    for (sync, default_name) in &scan.instances {
        let kind = sync.get_str("kind").unwrap_or("GitRepository");
        let name = sync.get_str("name").filter(|n| !n.is_empty()).unwrap_or(default_name);
        push(&mut out, kind, name, "created by a FluxInstance's sync".to_string(), Some(&sync.span));
    }
    let urls: Vec<String> = out
        .iter()
        .filter_map(|s| scan.sources.iter().find(|(k, n, _, _)| *k == s.kind && *n == s.name).map(|(_, _, u, _)| u.clone()))
        .chain(scan.instances.iter().filter_map(|(sync, _)| sync.get_str("url").map(String::from)))
        .map(|u| normalize_url(&u))
        .filter(|u| !u.is_empty())
        .collect();
    for (kind, name, url, at) in &scan.sources {
        if urls.contains(&normalize_url(url)) {
            push(&mut out, kind, name, format!("its URL {} is this repository's", quote_url(url)), Some(at));
        }
    }
    if out.is_empty() {
        push(
            &mut out,
            "GitRepository",
            DEFAULT_SELF,
            "nothing names it: the name flux bootstrap and the flux-operator give it".to_string(),
            None,
        );
    }
    out
}

/// A Git or OCI URL without scheme, user, `.git` and trailing slash, so
/// that `ssh://git@github.com/a/b.git` and `https://github.com/a/b` agree.
fn normalize_url(url: &str) -> String {
    let u = url.trim();
    let u = u.split_once("://").map(|(_, r)| r).unwrap_or(u);
    let u = u.split_once('@').map(|(_, r)| r).unwrap_or(u);
    let u = u.trim_end_matches('/').trim_end_matches(".git");
    // scp-like `github.com:a/b`
    u.replacen(':', "/", 1).to_ascii_lowercase()
}

/// A URL as a message shows it: short, and without credentials.
fn quote_url(url: &str) -> String {
    let u = match url.split_once("://") {
        Some((scheme, rest)) => format!("{}://{}", scheme, rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest)),
        None => url.to_string(),
    };
    u.chars().take(120).collect()
}

fn scan(files: &dyn Files, root: &str) -> Scan {
    let mut out = Scan::default();
    cluster::walk_yaml(files, root, 0, &mut |path, text| {
        if FILE_NAMES.contains(&fs::file_name(path)) || !text.contains("fluxcd") {
            return;
        }
        for d in parse_documents(path, text).unwrap_or_default() {
            let kind = d.get_str("kind").unwrap_or("");
            let api = d.get_str("apiVersion").unwrap_or("");
            let ns = d.path(&["metadata", "namespace"]).and_then(|n| n.as_str()).filter(|n| !n.is_empty());
            if is_flux_kustomization(&d) {
                let name = d.path(&["metadata", "name"]).and_then(|n| n.as_str()).unwrap_or("").to_string();
                let spec = d.get("spec");
                let get = |keys: &[&str]| spec.and_then(|s| s.path(keys)).and_then(|n| n.as_str()).unwrap_or("").to_string();
                out.kustomizations.push(Declared {
                    key: Key { namespace: ns.unwrap_or("default").to_string(), name },
                    file: path.to_string(),
                    span: d.span.clone(),
                    source_kind: get(&["sourceRef", "kind"]),
                    source_name: get(&["sourceRef", "name"]),
                    path: get(&["path"]),
                    components: spec
                        .and_then(|s| s.get("components"))
                        .and_then(|c| c.as_seq())
                        .map(|c| c.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                        .unwrap_or_default(),
                    remote: spec.and_then(|s| s.get("kubeConfig")).is_some_and(|k| !k.is_null()),
                });
            } else if api.starts_with("source.toolkit.fluxcd.io/") && ["GitRepository", "OCIRepository", "Bucket"].contains(&kind) {
                let name = d.path(&["metadata", "name"]).and_then(|n| n.as_str()).unwrap_or("").to_string();
                let url = d.path(&["spec", "url"]).and_then(|n| n.as_str()).unwrap_or("").to_string();
                out.sources.push((kind.to_string(), name, url, d.span.clone()));
            } else if kind == "FluxInstance" && api.starts_with("fluxcd.controlplane.io/") {
                if let Some(sync) = d.path(&["spec", "sync"]).filter(|s| s.is_map()) {
                    out.instances.push((sync.clone(), ns.unwrap_or(DEFAULT_SELF).to_string()));
                }
            } else if kind == "HelmRelease" && api.starts_with("helm.toolkit.fluxcd.io/") {
                // The flux-instance chart renders its `instance` values into
                // a FluxInstance in the release namespace.
                let sync = d.path(&["spec", "values", "instance", "sync"]).filter(|s| s.get_str("path").is_some());
                if let Some(sync) = sync {
                    let ns = d.path(&["spec", "targetNamespace"]).and_then(|n| n.as_str()).or(ns).unwrap_or(DEFAULT_SELF);
                    out.instances.push((sync.clone(), ns.to_string()));
                }
            }
        }
    });
    out
}

/// `spec.path` as a directory of the repository, when it is one.
fn target(files: &dyn Files, root: &str, path: &str) -> Option<String> {
    cluster::resolve(root, path).ok().filter(|d| files.is_dir(d))
}

/// Whether `dir` lies in a test or documentation folder. A `test` folder
/// beside `dev` or `prod` is a stage (`clusters/test`), not test data.
fn is_fixture(files: &dyn Files, dir: &str, root: &str) -> bool {
    let rel = fs::relative(dir, root);
    let parts: Vec<&str> = rel.split('/').collect();
    parts.iter().enumerate().any(|(i, p)| {
        if !FIXTURE_DIRS.contains(p) {
            return false;
        }
        let parent = fs::join(root, &parts[..i].join("/"));
        let among_stages = matches!(*p, "test" | "tests")
            && files
                .list(&parent)
                .iter()
                .any(|s| stage_rank(s) < 4 && !FIXTURE_DIRS.contains(&s.as_str()) && files.is_dir(&fs::join(&parent, s)));
        !among_stages
    })
}

/// The files a build of a directory reads its objects from, remembered
/// per directory.
#[derive(Default)]
struct Reach {
    done: BTreeMap<String, BTreeSet<String>>,
    visiting: BTreeSet<String>,
}

impl Reach {
    /// The files a Kustomization with `path` `dir` and `components` applies.
    fn files(&mut self, files: &dyn Files, dir: &str, components: &[String]) -> BTreeSet<String> {
        let mut out = self.dir(files, dir, 0);
        for c in components {
            let p = fs::join(dir, c);
            if files.is_dir(&p) {
                out.extend(self.dir(files, &p, 0));
            }
        }
        out
    }

    fn dir(&mut self, files: &dyn Files, dir: &str, depth: usize) -> BTreeSet<String> {
        if let Some(done) = self.done.get(dir) {
            return done.clone();
        }
        if depth > 64 || !self.visiting.insert(dir.to_string()) {
            return BTreeSet::new();
        }
        let mut out = BTreeSet::new();
        match kustomization::find_file(files, dir).ok().flatten() {
            Some(file) => {
                let text = files.read(&file).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                let entries = kustomization::parse(&file, &text)
                    .map(|k| k.resources.into_iter().chain(k.components).map(|e| e.text).collect::<Vec<_>>());
                for e in entries.unwrap_or_default() {
                    if e.contains("://") || e.starts_with("github.com/") {
                        continue;
                    }
                    let p = fs::join(dir, &e);
                    if files.is_dir(&p) {
                        out.extend(self.dir(files, &p, depth + 1));
                    } else if files.is_file(&p) {
                        out.insert(p);
                    }
                }
            }
            // Flux generates a kustomization of every YAML file below, and
            // of the subdirectories that have their own.
            None => self.generated(files, dir, &mut out, depth),
        }
        self.visiting.remove(dir);
        self.done.insert(dir.to_string(), out.clone());
        out
    }

    fn generated(&mut self, files: &dyn Files, dir: &str, out: &mut BTreeSet<String>, depth: usize) {
        if depth > 64 {
            return;
        }
        for name in files.list(dir) {
            if name.starts_with('.') {
                continue;
            }
            let p = fs::join(dir, &name);
            if files.is_dir(&p) {
                if kustomization::find_file(files, &p).ok().flatten().is_some() {
                    out.extend(self.dir(files, &p, depth + 1));
                } else {
                    self.generated(files, &p, out, depth + 1);
                }
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                out.insert(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn ks(name: &str, path: &str, source: &str, extra: &str) -> String {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {}\n  namespace: flux-system\nspec:\n  interval: 10m\n  sourceRef:\n    kind: GitRepository\n    name: {}\n  path: {}\n  prune: true\n{}",
            name, source, path, extra
        )
    }

    fn dirs(d: &Discovery) -> Vec<(&str, String)> {
        d.clusters
            .iter()
            .map(|f| {
                let why = match &f.start {
                    Start::Bootstrap { ks, .. } => format!("bootstrap {}", ks),
                    Start::FluxInstance { at } => format!("instance {}", at.file),
                    Start::Unapplied => "unapplied".to_string(),
                    Start::Remote { by, .. } => format!("remote {}", by),
                };
                (f.dir.as_str(), why)
            })
            .collect()
    }

    fn names(d: &Discovery) -> Vec<String> {
        d.self_sources.iter().map(SelfSource::option).collect()
    }

    #[test]
    fn gotk_sync_names_the_cluster_and_the_self_source() {
        let mut fs = MemFs::new();
        let sync = format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: home-ops-kubernetes\n  namespace: flux-system\nspec:\n  url: ssh://git@github.com/me/home-ops.git\n---\n{}",
            ks("flux-system", "./clusters/prod", "home-ops-kubernetes", "")
        );
        fs.insert("/clusters/prod/flux-system/gotk-sync.yaml", sync);
        fs.insert("/clusters/prod/flux-system/kustomization.yaml", "resources: [gotk-sync.yaml]\n");
        fs.insert("/clusters/prod/apps.yaml", ks("apps", "./apps", "home-ops-kubernetes", ""));
        // The same repository under a second name, found by its URL.
        fs.insert("/clusters/prod/mirror.yaml", "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: mirror\nspec:\n  url: https://github.com/me/home-ops\n");
        fs.insert("/apps/app/ks.yaml", ks("app", "./apps/app/deploy", "home-ops-kubernetes", ""));
        fs.insert("/apps/app/deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
        let d = discover(&fs, "/");
        assert_eq!(dirs(&d), vec![("/clusters/prod", "bootstrap flux-system/flux-system".to_string())]);
        assert_eq!(names(&d), vec!["home-ops-kubernetes", "mirror"]);
        assert_eq!(self_source_options(&fs, "/"), vec!["home-ops-kubernetes", "mirror"]);
        // Loaded with the detected source, the Kustomizations build from
        // this repository; with the old assumption they were external.
        let c = load(&fs, "/clusters/prod", "/", &cluster::Options::default()).unwrap();
        assert_eq!(c.root_ks.as_ref().map(|k| k.name.as_str()), Some("flux-system"));
        let keys: Vec<String> =
            c.units.iter().map(|u| format!("{} {:?}", u.ks.key, matches!(u.status, cluster::Status::Rendered))).collect();
        assert_eq!(keys, vec!["flux-system/apps true", "flux-system/app true"]);
        let assumed = cluster::load(&fs, "/clusters/prod", "/", &cluster::Options::default()).unwrap();
        assert!(matches!(assumed.units[0].status, cluster::Status::External(_)));
        // --self-source overrides the detection.
        let given = cluster::Options { self_sources: vec!["mirror".into()], ..cluster::Options::default() };
        assert!(matches!(load(&fs, "/clusters/prod", "/", &given).unwrap().units[0].status, cluster::Status::External(_)));
    }

    #[test]
    fn a_flux_instance_sync_path_is_a_cluster_and_per_app_folders_are_not() {
        let mut fs = MemFs::new();
        fs.insert(
            "/infra/flux/instance.yaml",
            "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  namespace: gitops\nspec:\n  sync:\n    kind: OCIRepository\n    url: oci://ghcr.io/me/fleet\n    path: kubernetes/cluster\n",
        );
        fs.insert(
            "/kubernetes/cluster/apps.yaml",
            ks("apps", "./kubernetes/apps", "gitops", "").replace("kind: GitRepository", "kind: OCIRepository"),
        );
        fs.insert("/kubernetes/apps/web/kustomization.yaml", "resources: [ks.yaml]\n");
        fs.insert(
            "/kubernetes/apps/web/ks.yaml",
            ks("web", "./kubernetes/apps/web/app", "gitops", "").replace("kind: GitRepository", "kind: OCIRepository"),
        );
        fs.insert("/kubernetes/apps/web/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
        // Left out of its folder's kustomization: applied by nothing.
        fs.insert("/kubernetes/apps/db/kustomization.yaml", "resources: []\n");
        fs.insert("/kubernetes/apps/db/ks.yaml", ks("db", "./kubernetes/apps/db/app", "gitops", ""));
        fs.insert("/docs/example/ks.yaml", ks("example", "./apps", "flux-system", ""));
        // `test` among stages is a stage; `tests` of its own is test data.
        fs.insert("/envs/test/ks.yaml", ks("t", "./apps", "flux-system", ""));
        fs.insert("/envs/prod/ks.yaml", ks("p", "./apps", "flux-system", ""));
        fs.insert("/tests/e2e/ks.yaml", ks("e2e", "./apps", "flux-system", ""));
        let d = discover(&fs, "/");
        assert_eq!(
            dirs(&d),
            vec![
                ("/envs/prod", "unapplied".to_string()),
                ("/envs/test", "unapplied".to_string()),
                ("/kubernetes/apps/db", "unapplied".to_string()),
                ("/kubernetes/cluster", "instance /infra/flux/instance.yaml".to_string())
            ]
        );
        assert_eq!(names(&d), vec!["OCIRepository/gitops"]);
        assert_eq!(d.fixtures, vec!["/docs/example", "/tests/e2e"]);
    }

    #[test]
    fn the_flux_instance_chart_values_count_as_a_flux_instance() {
        let mut fs = MemFs::new();
        fs.insert(
            "/apps/flux/hr.yaml",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: flux-instance\nspec:\n  values:\n    instance:\n      sync:\n        kind: GitRepository\n        url: https://github.com/me/ops\n        path: kubernetes/flux/cluster\n",
        );
        fs.insert("/kubernetes/flux/cluster/ks.yaml", ks("cluster-apps", "./apps", "flux-system", ""));
        let d = discover(&fs, "/");
        assert_eq!(dirs(&d), vec![("/kubernetes/flux/cluster", "instance /apps/flux/hr.yaml".to_string())]);
        assert_eq!(names(&d), vec!["flux-system"]);
    }

    #[test]
    fn kube_config_applies_to_another_cluster() {
        let mut fs = MemFs::new();
        fs.insert(
            "/clusters/hub/spoke.yaml",
            ks("spoke", "./clusters/spoke", "flux-system", "  kubeConfig:\n    secretRef:\n      name: spoke-kubeconfig\n"),
        );
        fs.insert("/clusters/hub/apps.yaml", ks("apps", "./apps", "flux-system", ""));
        fs.insert("/clusters/spoke/apps.yaml", ks("apps", "./apps", "flux-system", ""));
        fs.insert("/apps/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
        let d = discover(&fs, "/");
        assert_eq!(dirs(&d), vec![("/clusters/hub", "unapplied".to_string()), ("/clusters/spoke", "remote flux-system/spoke".to_string())]);
        // The hub does not reconcile what it sends to the spoke.
        let hub = load(&fs, "/clusters/hub", "/", &cluster::Options::default()).unwrap();
        let keys: Vec<String> = hub.units.iter().map(|u| u.ks.key.to_string()).collect();
        assert_eq!(keys, vec!["flux-system/apps", "flux-system/spoke"]);
        // Without kubeConfig the hub applies it: one cluster.
        fs.insert("/clusters/hub/spoke.yaml", ks("spoke", "./clusters/spoke", "flux-system", ""));
        assert_eq!(dirs(&discover(&fs, "/")), vec![("/clusters/hub", "unapplied".to_string())]);
    }

    #[test]
    fn urls_compare_without_scheme_user_and_suffix() {
        assert_eq!(normalize_url("ssh://git@github.com/Me/Ops.git"), normalize_url("https://github.com/me/ops/"));
        assert_eq!(normalize_url("git@github.com:me/ops.git"), "github.com/me/ops");
    }
}
