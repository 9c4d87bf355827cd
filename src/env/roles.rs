//! The role of every kustomization directory: what a person sees in it.
//!
//! Being referenced is not the same as being a base. On real repositories
//! the installs people deploy are also built on by other installs:
//! argo-cd's `manifests/cluster-install` is what most people apply, and
//! `cluster-install-with-hydrator` is `cluster-install` plus one more
//! component; kubeflow's `example/` pulls in `common/cert-manager/overlays/kubeflow`
//! and thirty other overlays that the same README tells people to apply one
//! by one. Listing only the directories nothing references hides all of
//! them, and lists every test fixture instead.
//!
//! The rule, in order (the first that applies decides):
//!
//! 1. **pinned**: a directory the user pinned is an environment, whatever
//!    it looks like. The rule guesses; the user knows.
//! 2. **fixture**: a path component (below the scanned root) `test`,
//!    `tests`, `testdata`, `e2e`, `examples`, `hack` or `docs`. Test data
//!    and examples are built by test suites and readers, never deployed,
//!    and on argo-cd they are two thirds of all kustomizations. `test` and
//!    `tests` are stage names too: beside a folder named as a stage
//!    (`envs/test` beside `envs/dev`) they make no fixture. What a
//!    fixture references does not count as a use below: argo-cd's
//!    `test/manifests/base` builds on `manifests/crds`, which says nothing
//!    about what `manifests/crds` is.
//! 3. **component**: `kind: Component`. A component is only ever mixed
//!    into something else; kustomize refuses to build one on its own.
//! 4. **environment**, when no other (non-fixture) kustomization uses it
//!    and it is not in a `base`/`bases` folder: the plain overlay
//!    (`apps/staging`, `envs/prod-eu`).
//! 5. **environment**, when others use it but it is itself an *overlay*:
//!    it builds on a kustomization (not a component) outside its own
//!    folder, it is not in a `base`/`bases` folder, and not only bases use
//!    it. An overlay is already a complete variant of
//!    something; that another variant builds on it (`X-with-hydrator` on
//!    `X`, `ha/cluster-install` on `ha/namespace-install`, an aggregate
//!    like kubeflow's `example/` on each component's overlay) does not
//!    make it a part. What it is used by is given in its reason. A
//!    component mixed in is no overlay (a leaf with a component is still a
//!    leaf), and what only bases use is a part of a base (kubebuilder's
//!    `config/default` under kubeflow's `upstream/base`).
//! 6. **base**, otherwise: used by others and either in a base folder, or
//!    a leaf (only files: argo-cd's `manifests/crds`), or an aggregation
//!    of its own subfolders only (argo-cd's `manifests/cluster-rbac`).
//!    A base folder nothing uses yet (`apps/base/redis`) is a base too.
//!
//! Folder names decide only where the layout says it plainly (`base`,
//! `bases`, the fixture folders); names like `overlays`, `envs`, `install`
//! vary too much between repositories to carry a rule, while "builds on
//! something outside itself" holds in all five repositories of the corpus.
//!
//! When the rule finds no environment at all (a lone base, a repository of
//! examples), every directory that nothing uses and that is not a
//! component is listed as one, so that something can still be rendered
//! and compared. Pins do not count here: pinning one directory must not
//! make the others disappear.

use crate::fs;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a kustomization directory is to the people who keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Something people deploy: rendered, compared, promoted.
    Environment,
    /// A part others build on.
    Base,
    /// `kind: Component`, mixed into others.
    Component,
    /// Test data or an example.
    Fixture,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Environment => "environment",
            Role::Base => "base",
            Role::Component => "component",
            Role::Fixture => "fixture",
        }
    }
}

/// A kustomization directory as the scan found it.
pub(super) struct Node {
    /// Absolute: `/manifests/cluster-install`.
    pub path: String,
    pub is_component: bool,
    /// The kustomization directories it refers to, in its own order (the
    /// base it builds on usually first), once each, itself excluded.
    pub uses: Vec<String>,
}

/// The reason of a plain overlay, the common case.
pub(super) const UNUSED: &str = "no other kustomization uses it";

/// The folders whose contents are test data or examples.
const FIXTURE_FOLDERS: [&str; 7] = ["test", "tests", "testdata", "e2e", "examples", "hack", "docs"];

/// Whether `dir` lies in a folder the layout names as a base (`apps/base/x`,
/// `bases/x`, `base`).
pub(super) fn is_base(dir: &str) -> bool {
    dir.split('/').any(|part| part == "base" || part == "bases")
}

/// The folders on the way to each kustomization directory (relative to the
/// scan's root), for telling a `test` folder of fixtures from a `test`
/// stage beside `dev` and `prod`.
pub(super) struct Folders(BTreeSet<String>);

impl Folders {
    /// From the kustomization directories, relative to the root.
    pub fn new<'a>(rels: impl IntoIterator<Item = &'a str>) -> Folders {
        let mut set = BTreeSet::new();
        for rel in rels {
            let parts: Vec<&str> = rel.split('/').collect();
            for end in 1..=parts.len() {
                set.insert(parts[..end].join("/"));
            }
        }
        Folders(set)
    }

    /// Whether a folder beside `folder` is named as a stage (`dev`,
    /// `prod-eu`): then `folder` is a stage too.
    fn among_stages(&self, folder: &str) -> bool {
        let (parent, name) = match folder.rsplit_once('/') {
            Some((p, n)) => (format!("{}/", p), n),
            None => (String::new(), folder),
        };
        self.0
            .range(parent.clone()..)
            .take_while(|f| f.starts_with(&parent))
            .filter(|f| !f[parent.len()..].contains('/') && &f[parent.len()..] != name)
            .any(|f| super::stage::stage_rank(&f[parent.len()..]) < 4 && !FIXTURE_FOLDERS.contains(&&f[parent.len()..]))
    }

    /// The fixture folder `rel` lies in (`util/kustomize/testdata`) and the
    /// word for what is in it. `test` and `tests` are also stage names
    /// (`envs/test` beside `envs/dev`): there they make no fixture.
    pub fn fixture_folder(&self, rel: &str) -> Option<(String, &'static str)> {
        let parts: Vec<&str> = rel.split('/').collect();
        // The deepest such folder: `test/e2e/testdata` groups better than `test`.
        let i = (0..parts.len()).rev().find(|&i| {
            FIXTURE_FOLDERS.contains(&parts[i]) && !(matches!(parts[i], "test" | "tests") && self.among_stages(&parts[..=i].join("/")))
        })?;
        let what = match parts[i] {
            "examples" | "docs" => "an example",
            "hack" => "a development helper",
            _ => "a test fixture",
        };
        Some((parts[..=i].join("/"), what))
    }
}

/// `path` relative to the scan's `root`, `.` for the root itself.
pub(super) fn relative(path: &str, root: &str) -> String {
    if !fs::is_within(path, root) || path == root {
        return if path == root { ".".to_string() } else { path.trim_start_matches('/').to_string() };
    }
    let rest = if root == "/" { &path[1..] } else { &path[root.len() + 1..] };
    rest.to_string()
}

/// `n` paths as a reason names them: all of them up to three, then a count.
fn named(paths: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut text = paths.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}

/// The role and the reason of each node, in the order of `nodes`. Paths in
/// reasons are relative to `root`.
pub(super) fn classify(root: &str, nodes: &[Node], pinned: &BTreeSet<String>) -> Vec<(Role, String)> {
    let rel = |path: &str| relative(path, root);
    let rels: Vec<String> = nodes.iter().map(|n| rel(&n.path)).collect();
    let folders = Folders::new(rels.iter().map(String::as_str));
    let fixtures: Vec<Option<(String, &str)>> = rels.iter().map(|r| folders.fixture_folder(r)).collect();
    // Who uses each directory, fixtures left out; and what anything uses.
    let mut users: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for (node, fixture) in nodes.iter().zip(&fixtures) {
        used.extend(node.uses.iter().map(String::as_str));
        if fixture.is_none() {
            for target in &node.uses {
                users.entry(target.as_str()).or_default().push(rel(&node.path));
            }
        }
    }
    let components: BTreeSet<&str> = nodes.iter().filter(|n| n.is_component).map(|n| n.path.as_str()).collect();
    let mut roles: Vec<(Role, String)> = nodes
        .iter()
        .zip(&fixtures)
        .map(|(node, fixture)| {
            let used_by: Vec<&str> = users.get(node.path.as_str()).map(|u| u.iter().map(String::as_str).collect()).unwrap_or_default();
            let users_text =
                if used_by.is_empty() { "unused".to_string() } else { format!("used by {}: {}", used_by.len(), named(&used_by)) };
            // `rel` is relative to the scan's root, so a scan of
            // `examples/x` itself sees no fixture folder.
            let in_base = is_base(&rel(&node.path));
            if let Some((folder, what)) = fixture {
                (Role::Fixture, format!("{} (under {}/)", what, folder))
            } else if node.is_component {
                (Role::Component, format!("kind: Component, {}", users_text))
            } else if used_by.is_empty() {
                match (in_base, used.contains(node.path.as_str())) {
                    (true, _) => (Role::Base, "in a base folder, used by nothing yet".to_string()),
                    (false, false) => (Role::Environment, UNUSED.to_string()),
                    (false, true) => (Role::Environment, "only test fixtures or examples use it".to_string()),
                }
            } else {
                // Mixing in a component makes no overlay: a leaf with a
                // component is still a leaf (home-ops' bootstrap namespaces).
                let outside: Vec<String> = node
                    .uses
                    .iter()
                    .filter(|u| !fs::is_within(u, &node.path) && !components.contains(u.as_str()))
                    .map(|u| rel(u))
                    .collect();
                // What only bases build on is part of a base: kubebuilder's
                // `config/default` under kubeflow's `upstream/base`.
                let used_beside_bases = used_by.iter().any(|u| !is_base(u));
                if !in_base && !outside.is_empty() && used_beside_bases {
                    let of = match outside.as_slice() {
                        [one] => one.clone(),
                        [first, rest @ ..] => format!("{} and {} more", first, rest.len()),
                        [] => String::new(),
                    };
                    (Role::Environment, format!("an overlay (of {}) others build on: {}", of, users_text))
                } else {
                    (Role::Base, users_text)
                }
            }
        })
        .collect();
    if !roles.iter().any(|(role, _)| *role == Role::Environment) {
        for ((role, reason), node) in roles.iter_mut().zip(nodes) {
            if !node.is_component && !used.contains(node.path.as_str()) {
                *reason = format!("{}; listed because nothing else is an environment", reason);
                *role = Role::Environment;
            }
        }
    }
    for ((role, reason), node) in roles.iter_mut().zip(nodes) {
        if pinned.contains(&node.path) {
            *role = Role::Environment;
            *reason = "pinned".to_string();
        }
    }
    roles
}
