//! What a change prunes: the controller deletes the objects of its last
//! inventory that the new build no longer has (kustomize-controller
//! internal/inventory Diff, by group, kind, namespace and name), unless
//! `prune` is off or the live object opts out (pkg ssa DeleteAll and its
//! exclusions). A Kustomization removed altogether takes its objects with
//! it through its finalizer, under the same rules.

use super::cluster::{Cluster, Options, Status};
use super::discover::load;
use super::kustomization::{FluxKustomization, Key};
use crate::error::Result;
use crate::fs::Files;
use crate::kustomize::ResId;
use crate::yaml::Node;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Delete,
    /// `prune: false` (or a removed Kustomization with deletion off): the
    /// object stays in the cluster, no longer managed.
    Orphan,
    /// The live object opts out through a label or annotation.
    Keep(String),
    /// Another Kustomization now renders it: whether it survives depends on
    /// which of the two reconciles first.
    Moved(Key),
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub owner: Key,
    pub id: ResId,
    pub action: Action,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.id.namespace.is_empty() { String::new() } else { format!("{}/", self.id.namespace) };
        let obj = format!("{}/{}{}", self.id.gvk.kind, ns, self.id.name);
        match &self.action {
            Action::Delete => write!(f, "{}: {} deleted", self.owner, obj),
            Action::Orphan => write!(f, "{}: {} left in the cluster (prune is off): delete it by hand or set prune: true", self.owner, obj),
            Action::Keep(why) => write!(f, "{}: {} kept ({})", self.owner, obj, why),
            Action::Moved(to) => {
                write!(f, "{}: {} moves to {} (deleted if {} reconciles first, then re-created)", self.owner, obj, to, self.owner)
            }
        }
    }
}

/// A Kustomization and its objects in one version of the repository.
type Version<'a> = (&'a FluxKustomization, &'a [Node]);

/// The objects each Kustomization of `before` would delete or leave behind
/// when the repository changes to `after` (same cluster directory).
pub fn stale(before: &Cluster, after: &Cluster) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut owners: Vec<(&FluxKustomization, &[Node], Option<Version>)> = Vec::new();
    // A cluster directory that fails to build stops its reconcile before the prune.
    if let (Some(b), Some(_), true) = (&before.root_spec, &before.root_ks, after.errors.is_empty()) {
        owners.push((b, &before.dir_objects, after.root_spec.as_ref().map(|a| (a, after.dir_objects.as_slice()))));
    }
    for u in &before.units {
        if !matches!(u.status, Status::Rendered) {
            continue;
        }
        let next = match after.unit(&u.ks.key) {
            // A failed build stops the reconcile before its prune step; a
            // dependency that is not ready stops it before the build.
            Some(a) if !matches!(a.status, Status::Rendered) || !a.blocked_by.is_empty() => continue,
            Some(a) => Some((&a.ks, a.objects.as_slice())),
            None => None,
        };
        owners.push((&u.ks, &u.objects, next));
    }
    let rendered_after = |id: &ResId, except: &Key| -> Option<Key> {
        after
            .units
            .iter()
            .filter(|u| &u.ks.key != except)
            .find(|u| u.objects.iter().any(|n| same(&ResId::of(n), id)))
            .map(|u| u.ks.key.clone())
    };
    for (old_ks, old_objects, next) in owners {
        let new_ids: Vec<ResId> = next.map(|(_, objs)| objs.iter().map(ResId::of).collect()).unwrap_or_default();
        let deletes = match next {
            Some((ks, _)) => ks.prune == Some(true),
            // Removed: the finalizer deletes under the old spec's rules.
            None => {
                let policy = old_ks.node.path(&["spec", "deletionPolicy"]).and_then(|n| n.as_str()).unwrap_or("MirrorPrune");
                !old_ks.suspend && (policy == "Delete" || (policy == "MirrorPrune" && old_ks.prune == Some(true)))
            }
        };
        // The controller deletes in reverse apply order.
        for obj in old_objects.iter().rev() {
            let id = ResId::of(obj);
            if new_ids.iter().any(|n| same(n, &id)) {
                continue;
            }
            let action = if !deletes {
                Action::Orphan
            } else if let Some(why) = opt_out(obj) {
                Action::Keep(why)
            } else if let Some(to) = rendered_after(&id, &old_ks.key) {
                Action::Moved(to)
            } else {
                Action::Delete
            };
            out.push(Entry { owner: old_ks.key.clone(), id, action });
        }
    }
    out
}

/// What changing the repository from `before` to `after` prunes in the
/// cluster directory `dir` (repository root `root` in both). A cluster
/// directory that `before` lacks is new: it prunes nothing.
pub fn between(before: &dyn Files, after: &dyn Files, dir: &str, root: &str, options: &Options) -> Result<Vec<Entry>> {
    let new = load(after, dir, root, options)?;
    if !before.is_dir(dir) {
        return Ok(Vec::new());
    }
    let old = load(before, dir, root, options)?;
    Ok(stale(&old, &new))
}

/// `between` for every cluster directory of `after` below `root`: the
/// directories in order, each with its entries or the error that stopped it.
pub fn between_all(before: &dyn Files, after: &dyn Files, root: &str, options: &Options) -> Vec<(String, Result<Vec<Entry>>)> {
    super::lint::cluster_dirs(after, root)
        .into_iter()
        .map(|dir| {
            let entries = between(before, after, &dir, root, options);
            (dir, entries)
        })
        .collect()
}

/// Inventory identity: group, kind, namespace, name (not the version).
fn same(a: &ResId, b: &ResId) -> bool {
    a.gvk.group == b.gvk.group && a.gvk.kind == b.gvk.kind && a.namespace == b.namespace && a.name == b.name
}

/// The exclusions the controller checks on the live object, label or
/// annotation, values compared without case.
fn opt_out(node: &Node) -> Option<String> {
    const RULES: [(&str, &str); 3] = [
        ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
        ("kustomize.toolkit.fluxcd.io/reconcile", "disabled"),
        ("kustomize.toolkit.fluxcd.io/ssa", "ignore"),
    ];
    for (key, value) in RULES {
        for field in ["annotations", "labels"] {
            let v = node.path(&["metadata", field, key]).and_then(|n| n.as_str()).unwrap_or("");
            if !v.is_empty() && v.eq_ignore_ascii_case(value) {
                return Some(format!("{}: {}", key, v));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn repo(prune: bool, files: &[(&str, &str)]) -> MemFs {
        let mut fs = MemFs::new();
        fs.insert(
            "/clusters/prod/apps.yaml",
            format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./apps\n  prune: {}\n", prune),
        );
        for (p, t) in files {
            fs.insert(p, *t);
        }
        fs
    }
    const A: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\n";
    const B: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: x\n";
    const C: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: x\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: Disabled\n";

    #[test]
    fn removed_objects_are_deleted_unless_they_opt_out() {
        let before = repo(true, &[("/apps/a.yaml", A), ("/apps/b.yaml", B), ("/apps/c.yaml", C)]);
        let after = repo(true, &[("/apps/a.yaml", A)]);
        let o = Options::default();
        let b = load(&before, "/clusters/prod", "/", &o).unwrap();
        let a = load(&after, "/clusters/prod", "/", &o).unwrap();
        let lines: Vec<String> = stale(&b, &a).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            lines,
            vec![
                "flux-system/apps: ConfigMap/x/c kept (kustomize.toolkit.fluxcd.io/prune: Disabled)".to_string(),
                "flux-system/apps: ConfigMap/x/b deleted".to_string(),
            ]
        );
    }

    #[test]
    fn prune_false_orphans() {
        let before = repo(false, &[("/apps/a.yaml", A), ("/apps/b.yaml", B)]);
        let after = repo(false, &[("/apps/a.yaml", A)]);
        let o = Options::default();
        let e = stale(&load(&before, "/clusters/prod", "/", &o).unwrap(), &load(&after, "/clusters/prod", "/", &o).unwrap());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].action, Action::Orphan);
    }

    #[test]
    fn between_two_file_sets() {
        let before = repo(true, &[("/apps/a.yaml", A), ("/apps/b.yaml", B)]);
        let after = repo(true, &[("/apps/a.yaml", A)]);
        let o = Options::default();
        let e = between(&before, &after, "/clusters/prod", "/", &o).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].to_string(), "flux-system/apps: ConfigMap/x/b deleted");
        assert!(between(&MemFs::new(), &after, "/clusters/prod", "/", &o).unwrap().is_empty(), "a new cluster prunes nothing");
        let all = between_all(&before, &after, "/", &o);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].0, "/clusters/prod");
        assert_eq!(all[0].1.as_ref().unwrap().len(), 1);
        assert!(between(&before, &after, "/nowhere", "/", &o).is_err());
    }
    #[test]
    fn a_cluster_directory_that_fails_prunes_nothing() {
        let sync = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./clusters/prod\n  prune: true\n";
        let before = repo(true, &[("/apps/a.yaml", A), ("/clusters/prod/sync.yaml", sync), ("/clusters/prod/b.yaml", B)]);
        let mut after = before.clone();
        after.insert("/clusters/prod/values.yaml", "replicas: 3\n");
        let o = Options::default();
        let a = load(&after, "/clusters/prod", "/", &o).unwrap();
        assert_eq!(a.errors.len(), 1);
        assert!(stale(&load(&before, "/clusters/prod", "/", &o).unwrap(), &a).is_empty());
    }
    #[test]
    fn a_blocked_kustomization_prunes_nothing() {
        let infra = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: infra\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./infra\n  prune: true\n";
        let mut before =
            repo(true, &[("/apps/a.yaml", A), ("/apps/b.yaml", B), ("/clusters/prod/infra.yaml", infra), ("/infra/c.yaml", C)]);
        let apps = String::from_utf8(before.get("/clusters/prod/apps.yaml").unwrap().to_vec()).unwrap();
        before.insert("/clusters/prod/apps.yaml", apps.replace("spec:\n", "spec:\n  dependsOn:\n  - name: infra\n"));
        let mut after = before.clone();
        after.remove("/apps/b.yaml");
        after.insert("/infra/kustomization.yaml", "resources: [missing.yaml]\n");
        let o = Options::default();
        let a = load(&after, "/clusters/prod", "/", &o).unwrap();
        assert_eq!(a.unit(&Key { namespace: "flux-system".into(), name: "apps".into() }).unwrap().blocked_by.len(), 1);
        assert!(stale(&load(&before, "/clusters/prod", "/", &o).unwrap(), &a).is_empty());
    }
}

/// What a change prunes: `{owner, apiVersion, kind, namespace, name, action, detail, message}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryInfo {
    owner: String,
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    /// `delete`, `orphan` (prune is off), `keep` (the object opts out), `move`
    /// (another Kustomization renders it now).
    action: &'static str,
    /// Why it is kept, or the Kustomization it moves to.
    detail: Option<String>,
    message: String,
}

impl Entry {
    /// As the page and the JSON formats show it.
    pub fn info(&self) -> EntryInfo {
        let e = self;
        let (action, detail) = match &e.action {
            Action::Delete => ("delete", None),
            Action::Orphan => ("orphan", None),
            Action::Keep(why) => ("keep", Some(why.clone())),
            Action::Moved(to) => ("move", Some(to.to_string())),
        };
        EntryInfo {
            owner: e.owner.to_string(),
            api_version: e.id.gvk.api_version(),
            kind: e.id.gvk.kind.clone(),
            namespace: e.id.namespace.clone(),
            name: e.id.name.clone(),
            action,
            detail,
            message: e.to_string(),
        }
    }
}
