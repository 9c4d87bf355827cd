//! The two orders Flux applies in: Kustomizations by `dependsOn`
//! (fluxcd/pkg runtime/dependency/sort.go: depth-first, dependencies
//! first, cycles refused), and objects within one Kustomization by the
//! staged server-side apply (pkg ssa/manager_apply.go ApplyAllStaged, each
//! stage sorted as ssa/sort.go sorts).

use super::kustomization::{Dependency, Key};
use crate::error::{Error, Result};
use crate::kustomize::ResId;
use crate::yaml::Node;

/// Orders Kustomizations so that each comes after what it depends on.
/// `deps[i]` are the dependencies of `keys[i]`. Unknown names and cycles are
/// errors, placed at the `dependsOn` entry that causes them.
pub fn dependency_order(keys: &[Key], deps: &[Vec<Dependency>]) -> Result<Vec<usize>> {
    for d in deps.iter().flatten() {
        if !keys.contains(&d.key) {
            return Err(Error::at(
                &d.span,
                format!("dependency '{}' not found: no Kustomization of that name in this cluster; fix the name or add it", d.key),
            ));
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        None,
        Visiting,
        Done,
    }
    let index = |k: &Key| keys.iter().position(|x| x == k).unwrap_or(0);
    let mut marks = vec![Mark::None; keys.len()];
    let mut sorted = Vec::new();
    // Depth-first with an explicit stack: (vertex, next edge to follow).
    for start in 0..keys.len() {
        if marks[start] != Mark::None {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::Visiting;
        while let Some(&mut (u, ref mut edge)) = stack.last_mut() {
            if let Some(d) = deps[u].get(*edge) {
                *edge += 1;
                let v = index(&d.key);
                match marks[v] {
                    Mark::Done => {}
                    Mark::Visiting => {
                        let from = stack.iter().position(|(x, _)| *x == v).unwrap_or(0);
                        let mut cycle: Vec<String> = stack[from..].iter().map(|(x, _)| keys[*x].to_string()).collect();
                        cycle.push(keys[v].to_string());
                        return Err(Error::at(&d.span, format!("circular dependency detected: {}", cycle.join(" -> "))));
                    }
                    Mark::None => {
                        marks[v] = Mark::Visiting;
                        stack.push((v, 0));
                    }
                }
            } else {
                marks[u] = Mark::Done;
                sorted.push(u);
                stack.pop();
            }
        }
    }
    Ok(sorted)
}

/// The stages of `ApplyAllStaged`, in the order they are applied; the
/// controller waits for each of the first two before the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// CustomResourceDefinitions, Namespaces and ClusterRoles.
    Definitions,
    /// Every kind whose name ends in `Class`.
    Classes,
    Rest,
}

impl Stage {
    pub fn of(node: &Node) -> Stage {
        let kind = node.get_str("kind").unwrap_or("");
        let api = node.get_str("apiVersion").unwrap_or("");
        let lower = kind.to_ascii_lowercase();
        if (lower == "customresourcedefinition" && api.starts_with("apiextensions.k8s.io/"))
            || (lower == "namespace" && api == "v1")
            || (lower == "clusterrole" && api.starts_with("rbac.authorization.k8s.io/"))
        {
            Stage::Definitions
        } else if kind.ends_with("Class") {
            Stage::Classes
        } else {
            Stage::Rest
        }
    }
}

/// ssa's ReconcileOrder: kinds applied first and last within a stage.
const FIRST: [&str; 23] = [
    "CustomResourceDefinition",
    "Namespace",
    "ClusterRole",
    "ClusterClass",
    "RuntimeClass",
    "PriorityClass",
    "StorageClass",
    "VolumeSnapshotClass",
    "IngressClass",
    "GatewayClass",
    "ClusterRoleBinding",
    "ResourceQuota",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "Service",
    "LimitRange",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn kind_rank(kind: &str) -> i32 {
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return i as i32 - FIRST.len() as i32;
    }
    if let Some(i) = LAST.iter().position(|k| *k == kind) {
        return 1 + i as i32;
    }
    0
}

/// Indexes of `nodes` in the order the controller applies them: by stage,
/// then by kind rank, group, kind, namespace and name.
pub fn apply_order(nodes: &[&Node]) -> Vec<usize> {
    let mut keyed: Vec<(Stage, i32, String, String, String, String, usize)> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let id = ResId::of(n);
            (Stage::of(n), kind_rank(&id.gvk.kind), id.gvk.group, id.gvk.kind, id.namespace, id.name, i)
        })
        .collect();
    keyed.sort();
    keyed.into_iter().map(|k| k.6).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_documents, Span};

    fn key(n: &str) -> Key {
        Key { namespace: "flux-system".into(), name: n.into() }
    }
    fn dep(n: &str) -> Dependency {
        Dependency { key: key(n), span: Span::file("/c/x.yaml") }
    }

    #[test]
    fn dependencies_come_first() {
        let keys = vec![key("apps"), key("configs"), key("controllers")];
        let deps = vec![vec![dep("configs")], vec![dep("controllers")], vec![]];
        let order = dependency_order(&keys, &deps).unwrap();
        let names: Vec<&str> = order.iter().map(|&i| keys[i].name.as_str()).collect();
        assert_eq!(names, vec!["controllers", "configs", "apps"]);
    }

    #[test]
    fn cycles_and_unknown_names_are_errors() {
        let keys = vec![key("a"), key("b")];
        let e = dependency_order(&keys, &[vec![dep("b")], vec![dep("a")]]).unwrap_err();
        assert_eq!(e.message, "circular dependency detected: flux-system/a -> flux-system/b -> flux-system/a");
        let e = dependency_order(&keys, &[vec![dep("c")], vec![]]).unwrap_err();
        assert!(e.message.contains("'flux-system/c' not found"), "{}", e.message);
    }

    #[test]
    fn staged_apply_order() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n";
        let docs = parse_documents("/x.yaml", text).unwrap();
        let refs: Vec<&Node> = docs.iter().collect();
        let kinds: Vec<&str> = apply_order(&refs).iter().map(|&i| docs[i].get_str("kind").unwrap()).collect();
        assert_eq!(kinds, vec!["CustomResourceDefinition", "Namespace", "IngressClass", "Service", "Deployment", "Widget"]);
    }
}
