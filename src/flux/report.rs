//! A cluster as both faces report it: the JSON the page reads (`flux()`) and
//! `overlay flux --format json` prints, the YAML listing `overlay flux`
//! prints, and the dependency graph. One place, so the page and the CLI
//! cannot drift.

use super::cluster::{self, Cluster, Status};
use super::kustomization::Key;
use super::lint::{Finding, FindingInfo};
use super::order::Stage;
use crate::error::ErrorInfo;
use crate::kustomize::ResId;
use crate::yaml::Node;
use serde::Serialize;

/// One object of an apply, in apply order: `{stage, apiVersion, kind,
/// namespace, name}`, with `reason` when the apply skips it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectInfo {
    stage: &'static str,
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

pub fn object_ref(n: &Node) -> ObjectInfo {
    let id = ResId::of(n);
    let stage = match Stage::of(n) {
        Stage::Definitions => "definitions",
        Stage::Classes => "classes",
        Stage::Rest => "rest",
    };
    ObjectInfo {
        stage,
        api_version: id.gvk.api_version(),
        kind: id.gvk.kind,
        namespace: id.namespace,
        name: id.name,
        reason: cluster::skipped(n),
    }
}

/// Objects as the apply sees them: the YAML applied, those objects, and
/// the ones it skips.
pub fn applied(objects: &[Node]) -> (String, Vec<ObjectInfo>, Vec<ObjectInfo>) {
    let (skipped, applied): (Vec<&Node>, Vec<&Node>) = objects.iter().partition(|n| cluster::skipped(n).is_some());
    let output = crate::yaml::emit_documents(&applied.iter().map(|n| (*n).clone()).collect::<Vec<_>>());
    (output, applied.into_iter().map(object_ref).collect(), skipped.into_iter().map(object_ref).collect())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report<'a> {
    dir: &'a str,
    root: &'a str,
    root_kustomization: Option<String>,
    output: String,
    objects: Vec<ObjectInfo>,
    skipped: Vec<ObjectInfo>,
    order: Vec<String>,
    order_error: Option<ErrorInfo>,
    errors: Vec<ErrorInfo>,
    warnings: &'a [String],
    kustomizations: Vec<UnitReport<'a>>,
    edges: Vec<Edge>,
    findings: Vec<FindingInfo<'a>>,
}

#[derive(Serialize)]
pub struct Edge {
    from: String,
    to: String,
    kind: &'static str,
}

#[derive(Serialize)]
pub struct Ref<'a> {
    #[serde(rename = "apiVersion", skip_serializing_if = "Option::is_none")]
    api_version: Option<&'a str>,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

/// A Flux Kustomization of a cluster as `flux()` returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitReport<'a> {
    key: String,
    namespace: &'a str,
    name: &'a str,
    path: &'a str,
    dir: Option<&'a str>,
    declared_at: ErrorInfo,
    source_ref: Ref<'a>,
    depends_on: Vec<String>,
    parent: Option<String>,
    prune: Option<bool>,
    wait: bool,
    suspend: bool,
    health_checks: Vec<Ref<'a>>,
    status: &'static str,
    reason: Option<&'a str>,
    errors: Vec<ErrorInfo>,
    output: String,
    objects: Vec<ObjectInfo>,
    skipped: Vec<ObjectInfo>,
    warnings: &'a [String],
    blocked_by: Vec<String>,
    blocked: Option<String>,
}

pub fn unit(u: &cluster::Unit) -> UnitReport<'_> {
    let (status, reason, errors) = match &u.status {
        Status::Rendered if u.ks.suspend => ("suspended", None, Vec::new()),
        Status::Rendered => ("rendered", None, Vec::new()),
        Status::External(why) => ("external", Some(why.as_str()), Vec::new()),
        Status::Failed(e) => ("failed", None, vec![ErrorInfo::from(e)]),
    };
    let (output, objects, skipped) = applied(&u.objects);
    let ks = &u.ks;
    UnitReport {
        key: ks.key.to_string(),
        namespace: &ks.key.namespace,
        name: &ks.key.name,
        path: &ks.path,
        dir: u.dir.as_deref(),
        declared_at: ErrorInfo::from(&ks.span),
        source_ref: Ref { api_version: None, kind: &ks.source.kind, namespace: &ks.source.namespace, name: &ks.source.name },
        depends_on: ks.depends_on.iter().map(|d| d.key.to_string()).collect(),
        parent: u.parent.as_ref().map(|p| p.to_string()),
        prune: ks.prune,
        wait: ks.wait,
        suspend: ks.suspend,
        health_checks: ks
            .health_checks
            .iter()
            .map(|h| Ref { api_version: Some(&h.api_version), kind: &h.kind, namespace: &h.namespace, name: &h.name })
            .collect(),
        status,
        reason,
        errors,
        output,
        objects,
        skipped,
        warnings: &u.warnings,
        blocked_by: u.blocked_by.iter().map(|k| k.to_string()).collect(),
        blocked: u.blocked_message(),
    }
}

/// The whole report of a loaded cluster, with its lint findings.
pub fn json<'a>(c: &'a Cluster, findings: &'a [Finding]) -> Report<'a> {
    let (order, order_error) = match &c.order {
        Ok(o) => (o.clone(), None),
        Err(e) => ((0..c.units.len()).collect(), Some(ErrorInfo::from(e))),
    };
    let (output, objects, skipped) = applied(&c.dir_objects);
    Report {
        dir: &c.dir,
        root: &c.root,
        root_kustomization: c.root_ks.as_ref().map(|k| k.to_string()),
        output,
        objects,
        skipped,
        order: order.iter().map(|&i| c.units[i].ks.key.to_string()).collect(),
        order_error,
        errors: c.errors.iter().map(ErrorInfo::from).collect(),
        warnings: &c.warnings,
        kustomizations: order.iter().map(|&i| unit(&c.units[i])).collect(),
        edges: edges(c, &order),
        findings: findings.iter().map(Finding::info).collect(),
    }
}

/// The Kustomizations in reconcile order, or in declaration order when
/// `dependsOn` has a cycle or names nothing.
pub fn order(c: &Cluster) -> Vec<usize> {
    match &c.order {
        Ok(o) => o.clone(),
        Err(_) => (0..c.units.len()).collect(),
    }
}

/// Every `dependsOn` edge and every "applies" edge (a parent Kustomization
/// that renders another), in reconcile order of the dependent.
pub fn edges(c: &Cluster, order: &[usize]) -> Vec<Edge> {
    let mut edges = Vec::new();
    for &i in order {
        let u = &c.units[i];
        let to = u.ks.key.to_string();
        if let Some(p) = &u.parent {
            edges.push(Edge { from: p.to_string(), to: to.clone(), kind: "applies" });
        }
        for d in &u.ks.depends_on {
            edges.push(Edge { from: d.key.to_string(), to: to.clone(), kind: "dependsOn" });
        }
    }
    edges
}

/// `overlay flux`: the cluster directory's objects, then each Kustomization's
/// in reconcile order, as YAML with a comment line heading each part.
/// `show` writes a path as the user should see it.
pub fn text(c: &Cluster, show: &dyn Fn(&str) -> String) -> String {
    let mut text = String::new();
    let root_note = match &c.root_ks {
        Some(k) => format!("applied by Kustomization {}", k),
        None => "applied from outside the repository (flux bootstrap or a FluxInstance)".to_string(),
    };
    let dir_note = if c.errors.is_empty() { "" } else { ": build failed, see the error" };
    text.push_str(&format!("# {}: the cluster directory, {}{}\n", show(&c.dir), root_note, dir_note));
    let mut sections: Vec<(String, Vec<Node>)> = vec![(String::new(), c.dir_objects.clone())];
    for i in order(c) {
        let u = &c.units[i];
        let head = format!("# Kustomization {} (path {})", u.ks.key, if u.ks.path.is_empty() { "." } else { &u.ks.path });
        let head = match &u.status {
            Status::Rendered if u.ks.suspend => {
                sections.push((format!("{}: suspended, the controller applies nothing until it is resumed\n", head), Vec::new()));
                continue;
            }
            Status::Rendered => match u.blocked_message() {
                Some(m) => format!("{}: blocked, {} (the controller applies this once it is)\n", head, m),
                None => format!("{}\n", head),
            },
            Status::External(why) => format!("{}: not rendered, {}\n", head, why),
            Status::Failed(_) => match u.blocked_message() {
                Some(m) => format!("{}: build failed, see the error; blocked as well, {}\n", head, m),
                None => format!("{}: build failed, see the error\n", head),
            },
        };
        sections.push((head, u.objects.clone()));
    }
    let mut first = true;
    for (mut head, nodes) in sections {
        if !first {
            text.push_str("---\n");
        }
        first = false;
        // Objects the apply skips are named, not printed.
        let (skipped, applied): (Vec<_>, Vec<_>) = nodes.into_iter().partition(|n| cluster::skipped(n).is_some());
        for n in &skipped {
            let id = ResId::of(n);
            head.push_str(&format!("# skipped {}/{} ({})\n", id.gvk.kind, id.name, cluster::skipped(n).unwrap_or_default()));
        }
        text.push_str(&head);
        text.push_str(&crate::yaml::emit_documents(&applied));
    }
    text
}

/// `overlay flux --graph`: the reconcile order, then one `dependency →
/// dependent` line per edge.
pub fn graph(c: &Cluster) -> String {
    let order = order(c);
    let name = |k: &Key, of: &Key| if k.namespace == of.namespace { k.name.clone() } else { k.to_string() };
    let mut out = String::from("# reconcile order\n");
    for (n, &i) in order.iter().enumerate() {
        let u = &c.units[i];
        out.push_str(&format!("{}. {} ({})\n", n + 1, u.ks.key, if u.ks.path.is_empty() { "." } else { &u.ks.path }));
    }
    out.push_str("# dependencies\n");
    for &i in &order {
        let u = &c.units[i];
        for d in &u.ks.depends_on {
            out.push_str(&format!("{} → {}\n", name(&d.key, &u.ks.key), u.ks.key.name));
        }
        if let Some(p) = &u.parent {
            out.push_str(&format!("{} applies {}\n", name(p, &u.ks.key), u.ks.key.name));
        } else if u.ks.depends_on.is_empty() && !c.units.iter().any(|o| o.ks.depends_on.iter().any(|d| d.key == u.ks.key)) {
            out.push_str(&format!("{} (independent)\n", u.ks.key.name));
        }
    }
    out
}
