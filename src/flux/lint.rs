//! Mistakes worth pointing out in a Flux repository, each at the file and
//! line it concerns, with a one-line fix. The first four are the "common
//! mistakes" of multi-environment Flux setups (full manifests copied per
//! environment, missing `dependsOn`, environments sharing a namespace,
//! `prune` off); the rest are no-ops and traps the controller does not
//! report itself.

use super::cluster::{self, Cluster, Options, Status, Unit};
use super::discover::load_all;
use super::kustomization::{is_flux_kustomization, FluxKustomization, Key};
use crate::env::stage_rank;
use crate::error::Error;
use crate::fs::{self, Files};
use crate::kustomize::kustomization::FILE_NAMES;
use crate::kustomize::selector::Selector;
use crate::kustomize::{ResId, ResMap, Resource};
use crate::yaml::{parse_documents, Node, Span, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub span: Span,
    /// A short name for the kind of mistake (`prune`, `depends-on`, …).
    pub rule: &'static str,
    pub message: String,
    pub fix: String,
}

impl Finding {
    fn new(span: &Span, rule: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { span: span.clone(), rule, message: message.into(), fix: fix.into() }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.span.line.max(1);
        write!(f, "{}:{}: {} [{}] Fix: {}", self.span.file, line, self.message, self.rule, self.fix)
    }
}

/// Lints the repository at `root`: every cluster in it (as
/// `discover::discover` finds them), and the files themselves.
pub fn lint_repository(files: &dyn Files, root: &str) -> Vec<Finding> {
    let ignore = super::sourceignore::SourceIgnore::load(files, root);
    let visible = super::sourceignore::Visible { base: files, keep: &ignore };
    let files: &dyn Files = &visible;
    let mut findings = Vec::new();
    for loaded in load_all(files, root, &Options::default()).1 {
        match loaded {
            Ok(c) => findings.extend(lint_cluster(files, &c)),
            Err(e) => findings.push(error_finding(&e, "build")),
        }
    }
    findings.extend(lint_files(files, root));
    findings.extend(duplicated_manifests(files, root));
    if cluster_dirs(files, root).is_empty() {
        findings.extend(lint_environments(files, root));
    }
    findings.sort_by(|a, b| (&a.span.file, a.span.line, &a.message).cmp(&(&b.span.file, b.span.line, &b.message)));
    findings.dedup();
    findings
}

/// A kustomize build's note as a finding.
fn note_finding(n: &crate::kustomize::Note) -> Finding {
    Finding::new(&n.span, n.rule, n.message.clone(), n.fix.clone())
}

/// In a repository without Flux: what building each environment notices
/// (Flux repositories get the same from each Kustomization's build).
/// Environments that fail to build are left to `overlay build`.
pub fn lint_environments(files: &dyn Files, root: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for env in crate::env::environments_under(files, root) {
        if let Ok(built) = crate::kustomize::build(files, &env.path, &crate::kustomize::BuildOptions::default()) {
            out.extend(built.notes.iter().map(note_finding));
        }
    }
    out
}

/// Directories holding Flux Kustomization documents directly.
pub fn cluster_dirs(files: &dyn Files, root: &str) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    cluster::walk_yaml(files, root, 0, &mut |path, text| {
        let dir = fs::parent(path).to_string();
        if !dirs.contains(&dir) && parse_documents(path, text).unwrap_or_default().iter().any(is_flux_kustomization) {
            dirs.push(dir);
        }
    });
    dirs.sort();
    dirs
}

/// How much user text a finding quotes: enough to recognise it, never a
/// whole script from a ConfigMap.
const QUOTE_MAX: usize = 200;

/// User text as a finding quotes it: its first line, at most `QUOTE_MAX`
/// characters, with `…` where it was cut.
fn quote(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let cut = first.chars().count() > QUOTE_MAX || first.len() < text.trim_end().len();
    let mut q: String = first.chars().take(QUOTE_MAX).collect();
    if cut {
        q.push('…');
    }
    q
}

/// A list of names as a finding quotes it: the first ones, then how many
/// more, within about `QUOTE_MAX` characters.
fn quote_list(items: &[String]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let item = quote(item);
        if i > 0 && out.chars().count() + item.chars().count() > QUOTE_MAX {
            return format!("{} and {} more", out, items.len() - i);
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&item);
    }
    out
}

fn error_finding(e: &Error, rule: &'static str) -> Finding {
    let span = e.span.clone().unwrap_or_default();
    if let Some(i) = e.message.find("variable not set (strict mode): ") {
        let var = e.message[i + 32..].trim_matches('"');
        return Finding::new(
            &span,
            "substitution",
            format!("${{{}}} has no value and no default: the controller's strict substitution fails the whole Kustomization", var),
            format!("set {} in postBuild.substitute or a substituteFrom ConfigMap, or write ${{{}:=default}}", var, var),
        );
    }
    // Our messages are short; what makes one long is quoted user text.
    let message: String = if e.message.chars().count() > 2 * QUOTE_MAX {
        e.message.chars().take(2 * QUOTE_MAX).chain(['…']).collect()
    } else {
        e.message.clone()
    };
    Finding::new(&span, rule, message, "fix this error: the controller stops at it and applies nothing of this Kustomization")
}

/// Everything that needs the rendered cluster.
pub fn lint_cluster(files: &dyn Files, c: &Cluster) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(e) = &c.order {
        out.push(error_finding(e, "depends-on"));
    }
    for e in &c.errors {
        out.push(error_finding(e, "build"));
    }
    for (key, span) in &c.duplicates {
        out.push(Finding::new(
            span,
            "duplicate",
            format!("Kustomization {} is declared twice in this cluster", key),
            "give each Kustomization its own name",
        ));
    }
    for u in &c.units {
        if let Status::Failed(e) = &u.status {
            out.push(error_finding(e, "build"));
        }
        for (span, name) in u.generated.iter().flat_map(|g| g.ignored.iter()) {
            out.push(Finding::new(
                span,
                "unknown-field",
                format!("unknown field '{}': the controller silently drops it (kubectl kustomize rejects it)", quote(name)),
                "fix the spelling or remove the field",
            ));
        }
        out.extend(u.notes.iter().map(note_finding));
        prune(u, &mut out);
        timing(u, &mut out);
        helm_depends_on(c, u, &mut out);
        health(c, u, &mut out);
        substitution(u, &mut out);
        no_ops(u, files, &mut out);
    }
    depends_on(c, &mut out);
    namespaces(c, files, &mut out);
    // The no-op rule already says it of a patch entry, in Flux's words.
    let no_ops: Vec<(String, u32)> = out.iter().filter(|f| f.rule == "no-op").map(|f| (f.span.file.to_string(), f.span.line)).collect();
    out.retain(|f| f.rule != "patch-matches-nothing" || !no_ops.contains(&(f.span.file.to_string(), f.span.line)));
    out
}

// ---- the four seed mistakes -------------------------------------------

fn prune(u: &Unit, out: &mut Vec<Finding>) {
    let ks = &u.ks;
    let msg = match ks.prune {
        Some(true) => return,
        Some(false) => {
            format!("Kustomization {} has prune: false: objects removed from {} stay in the cluster as orphans", ks.key, show_path(ks))
        }
        None => format!(
            "Kustomization {} does not set prune (a required field): objects removed from {} would stay in the cluster",
            ks.key,
            show_path(ks)
        ),
    };
    out.push(Finding::new(
        &ks.span_of("prune"),
        "prune",
        msg,
        "set `prune: true` (mark objects to keep with the annotation kustomize.toolkit.fluxcd.io/prune: disabled)",
    ));
}

fn show_path(ks: &FluxKustomization) -> String {
    if ks.path.is_empty() {
        "the source root".to_string()
    } else {
        ks.path.clone()
    }
}

/// Infrastructure: what installs controllers and CRDs for the others.
fn is_infrastructure(u: &Unit) -> bool {
    const WORDS: [&str; 6] = ["infra", "controllers", "crds", "operators", "platform", "cluster-addons"];
    let name = u.ks.key.name.to_ascii_lowercase();
    let path = u.ks.path.to_ascii_lowercase();
    WORDS.iter().any(|w| name.contains(w) || path.contains(w))
        || u.objects.iter().any(|n| n.get_str("kind") == Some("CustomResourceDefinition"))
}

fn depends_on(c: &Cluster, out: &mut Vec<Finding>) {
    // Custom resources whose CRD another Kustomization installs.
    let mut crd_owner: BTreeMap<(String, String), Key> = BTreeMap::new();
    for u in &c.units {
        for n in u.objects.iter().filter(|n| n.get_str("kind") == Some("CustomResourceDefinition")) {
            let group = n.path(&["spec", "group"]).and_then(|g| g.as_str()).unwrap_or("").to_string();
            let kind = n.path(&["spec", "names", "kind"]).and_then(|g| g.as_str()).unwrap_or("").to_string();
            crd_owner.insert((group, kind), u.ks.key.clone());
        }
    }
    for u in &c.units {
        let closure = c.dependency_closure(&u.ks.key);
        let mut reported: Vec<Key> = Vec::new();
        for n in &u.objects {
            let id = ResId::of(n);
            if let Some(owner) = crd_owner.get(&(id.gvk.group.clone(), id.gvk.kind.clone())) {
                if owner != &u.ks.key && !closure.contains(owner) && !reported.contains(owner) {
                    reported.push(owner.clone());
                    out.push(Finding::new(
                        &u.ks.span_of("dependsOn"),
                        "depends-on",
                        format!(
                            "Kustomization {} applies {} objects whose CustomResourceDefinition comes from Kustomization {}, but does not depend on it: the first apply fails with 'no matches for kind'",
                            u.ks.key, id.gvk.kind, owner
                        ),
                        format!("add `dependsOn: [{{name: {}}}]`", owner.name),
                    ));
                }
            }
        }
        if !reported.is_empty() || is_infrastructure(u) || u.parent.is_some() {
            continue;
        }
        // Apps that do not wait for the infrastructure of their cluster.
        let infra: Vec<&Unit> = c.units.iter().filter(|o| o.ks.key != u.ks.key && o.parent.is_none() && is_infrastructure(o)).collect();
        if infra.is_empty() || infra.iter().any(|i| closure.contains(&i.ks.key)) {
            continue;
        }
        // Suggest the last of the infrastructure chain: what nothing else in it depends on.
        let last: Vec<&str> = infra
            .iter()
            .filter(|i| !infra.iter().any(|o| c.dependency_closure(&o.ks.key).contains(&i.ks.key)))
            .map(|i| i.ks.key.name.as_str())
            .collect();
        out.push(Finding::new(
            &u.ks.span_of("dependsOn"),
            "depends-on",
            format!(
                "Kustomization {} does not depend on {}: it is applied in parallel with the infrastructure and can fail or run before it is ready",
                u.ks.key,
                last.join(", ")
            ),
            format!("add `dependsOn: [{}]` under spec", last.iter().map(|n| format!("{{name: {}}}", n)).collect::<Vec<_>>().join(", ")),
        ));
    }
}

fn namespaces(c: &Cluster, files: &dyn Files, out: &mut Vec<Finding>) {
    let env = fs::file_name(&c.dir).to_string();
    for u in &c.units {
        if !matches!(u.status, Status::Rendered) || is_infrastructure(u) {
            continue;
        }
        let loose: Vec<String> = u
            .objects
            .iter()
            .map(ResId::of)
            .filter(|id| id.namespace.is_empty() && !id.gvk.is_cluster_scoped() && !is_flux_kustomization_id(id))
            .map(|id| format!("{} {}", id.gvk.kind, id.name))
            .collect();
        if loose.is_empty() {
            continue;
        }
        let file = u.dir.as_deref().and_then(|d| crate::kustomize::kustomization::find_file(files, d).ok().flatten());
        let (span, fix) = match file {
            Some(f) => (
                Span::new(&f.as_str().into(), 1, 1),
                format!("add `namespace: {}` to this kustomization (or `targetNamespace: {}` to {})", env, env, u.ks.span.file),
            ),
            None => (u.ks.span_of("path"), format!("add `targetNamespace: {}` under spec", env)),
        };
        out.push(Finding::new(
            &span,
            "namespace",
            format!(
                "the objects of Kustomization {} have no namespace ({}) and land in 'default', where every environment on a shared cluster writes the same objects",
                u.ks.key,
                quote_list(&loose)
            ),
            fix,
        ));
    }
    // Namespaces objects go to that nothing creates: the apply fails. A
    // Kustomization with kubeConfig applies to another cluster: only what
    // goes to that same cluster counts there.
    const PRESENT: [&str; 5] = ["default", "kube-system", "kube-public", "kube-node-lease", "flux-system"];
    let target = |u: &Unit| cluster::remote_cluster(&u.ks);
    let created = |to: &Option<String>| -> Vec<&str> {
        let local = if to.is_none() { c.dir_objects.iter().collect::<Vec<_>>() } else { Vec::new() };
        local
            .into_iter()
            .chain(c.units.iter().filter(|u| &target(u) == to).flat_map(|u| u.objects.iter()))
            .filter(|n| n.get_str("kind") == Some("Namespace"))
            .filter_map(|n| n.path(&["metadata", "name"]).and_then(|n| n.as_str()))
            .collect()
    };
    if c.units.iter().all(|u| matches!(u.status, Status::Rendered)) {
        for u in &c.units {
            let created = created(&target(u));
            let mut missing: Vec<&str> = Vec::new();
            for n in &u.objects {
                let ns = n.path(&["metadata", "namespace"]).and_then(|n| n.as_str()).unwrap_or("");
                if !ns.is_empty() && !PRESENT.contains(&ns) && !created.contains(&ns) && !missing.contains(&ns) {
                    missing.push(ns);
                }
            }
            for ns in missing {
                let span =
                    if u.ks.target_namespace.as_deref() == Some(ns) { u.ks.span_of("targetNamespace") } else { u.ks.span_of("path") };
                out.push(Finding::new(
                    &span,
                    "namespace",
                    format!("Kustomization {} applies objects into namespace '{}', which nothing in this cluster creates: the apply fails with namespaces \"{}\" not found", u.ks.key, ns, ns),
                    format!("add a Namespace '{}' manifest to {} (or to an infrastructure Kustomization it depends on)", ns, show_path(&u.ks)),
                ));
            }
        }
    }
    // The same object applied by two Kustomizations: they overwrite each
    // other and fight over the owner labels.
    let mut owner: BTreeMap<(Option<String>, String, String, String, String), &Unit> = BTreeMap::new();
    for u in &c.units {
        for n in &u.objects {
            let id = ResId::of(n);
            let key = (target(u), id.gvk.group.clone(), id.gvk.kind.clone(), id.effective_namespace().to_string(), id.name.clone());
            match owner.get(&key) {
                Some(first) if first.ks.key != u.ks.key => out.push(Finding::new(
                    &u.ks.span_of("path"),
                    "namespace",
                    format!(
                        "{} {}/{} is applied by both {} and {}: they overwrite each other and prune it from under each other",
                        id.gvk.kind,
                        id.effective_namespace(),
                        id.name,
                        first.ks.key,
                        u.ks.key
                    ),
                    "give each environment its own namespace (targetNamespace) or render the object in one Kustomization only",
                )),
                Some(_) => {}
                None => {
                    owner.insert(key, u);
                }
            }
        }
    }
}

fn is_flux_kustomization_id(id: &ResId) -> bool {
    id.gvk.group.ends_with("toolkit.fluxcd.io")
}

/// Full manifests copied into several environments instead of a base with
/// overlays: the same kind and name, mostly the same fields, in files of
/// different directories that are resources (not patches).
pub fn duplicated_manifests(files: &dyn Files, root: &str) -> Vec<Finding> {
    let mut patch_files: Vec<String> = Vec::new();
    let mut docs: Vec<(String, Node)> = Vec::new();
    cluster::walk_yaml(files, root, 0, &mut |path, text| {
        let Ok(parsed) = parse_documents(path, text) else { return };
        if FILE_NAMES.contains(&fs::file_name(path)) {
            if let Some(k) = parsed.first() {
                patch_files.extend(patch_paths(k).into_iter().map(|p| fs::join(fs::parent(path), &p)));
            }
            return;
        }
        for d in parsed {
            let id = ResId::of(&d);
            // Flux's own objects are per-cluster configuration, copied by design.
            if !id.gvk.kind.is_empty()
                && !id.name.is_empty()
                && !id.gvk.group.ends_with("fluxcd.io")
                && !fs::file_name(path).starts_with("gotk-")
            {
                docs.push((path.to_string(), d));
            }
        }
    });
    docs.retain(|(p, _)| !patch_files.contains(p));
    let mut groups: BTreeMap<(String, String), Vec<(String, Node)>> = BTreeMap::new();
    for (p, d) in docs {
        let id = ResId::of(&d);
        groups.entry((id.gvk.kind, id.name)).or_default().push((p, d));
    }
    let mut out = Vec::new();
    for ((kind, name), mut copies) in groups {
        // A Namespace is what differs per environment (often a stub that
        // each folder's `namespace:` renames): copies of it are by design.
        if copies.len() < 2 || kind == "Namespace" {
            continue;
        }
        copies.sort_by_key(|(p, _)| (env_rank(p), p.clone()));
        let (first_path, first) = &copies[0];
        let first_leaves = leaves(first);
        for (path, doc) in &copies[1..] {
            if fs::parent(path) == fs::parent(first_path) {
                continue;
            }
            let these = leaves(doc);
            let same = these.iter().filter(|(k, v)| first_leaves.get(*k) == Some(*v)).count();
            let total = first_leaves.keys().chain(these.keys()).collect::<std::collections::BTreeSet<_>>().len();
            if total >= 3 && same * 2 >= total {
                out.push(Finding::new(
                    &doc.span,
                    "duplicated-manifests",
                    format!(
                        "{} {} repeats the full manifest of {} ({} of {} fields identical): every change must now be made once per environment",
                        kind, name, fs::relative(first_path, root), same, total
                    ),
                    "move the shared manifest into a base (e.g. apps/base) and keep only the differences as patches in each environment's overlay",
                ));
            }
        }
    }
    out
}

/// Which copy is the reference: one in a `base` first, then the earliest
/// environment of the promotion chain.
fn env_rank(path: &str) -> u8 {
    path.split('/').map(|p| if p == "base" || p == "bases" { 0 } else { 1 + stage_rank(p) }).min().unwrap_or(5)
}

fn patch_paths(k: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for field in ["patches", "patchesJson6902"] {
        for p in k.get(field).and_then(|n| n.as_seq()).into_iter().flatten() {
            if let Some(path) = p.get_str("path") {
                out.push(path.to_string());
            }
        }
    }
    for p in k.get("patchesStrategicMerge").and_then(|n| n.as_seq()).into_iter().flatten() {
        if let Some(s) = p.as_str().filter(|s| !s.contains('\n')) {
            out.push(s.to_string());
        }
    }
    out
}

/// Leaf values by path, without the namespace (which overlays set anyway).
fn leaves(node: &Node) -> BTreeMap<String, String> {
    fn walk(n: &Node, path: String, out: &mut BTreeMap<String, String>) {
        match &n.value {
            Value::Scalar(s) => {
                out.insert(path, s.text.clone());
            }
            Value::Seq(items) => items.iter().enumerate().for_each(|(i, c)| walk(c, format!("{}[{}]", path, i), out)),
            Value::Map(m) => m.iter().for_each(|(k, v)| walk(v, format!("{}.{}", path, k.as_str().unwrap_or("")), out)),
        }
    }
    let mut out = BTreeMap::new();
    walk(node, String::new(), &mut out);
    out.remove(".metadata.namespace");
    out
}

// ---- the rest -----------------------------------------------------------

fn health(c: &Cluster, u: &Unit, out: &mut Vec<Finding>) {
    if u.ks.wait && !u.ks.health_checks.is_empty() {
        out.push(Finding::new(
            &u.ks.span_of("healthChecks"),
            "health-checks",
            format!("Kustomization {} sets wait: true, which checks every applied object and ignores healthChecks", u.ks.key),
            "remove healthChecks, or set wait: false to check only the listed objects",
        ));
    }
    if !matches!(u.status, Status::Rendered) || c.units.iter().any(|o| !matches!(o.status, Status::Rendered | Status::External(_))) {
        return;
    }
    for hc in &u.ks.health_checks {
        let group = hc.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let found = c.dir_objects.iter().chain(c.units.iter().flat_map(|o| o.objects.iter())).any(|n| {
            let id = ResId::of(n);
            id.gvk.group == group
                && id.gvk.kind == hc.kind
                && id.name == hc.name
                && (hc.namespace.is_empty() || id.namespace == hc.namespace)
        });
        let external = c.units.iter().any(|o| matches!(o.status, Status::External(_)));
        // A chart renders its objects (CRDs among them) at install time:
        // a HelmRelease going to that namespace may create the object.
        let from_chart = c.units.iter().flat_map(|o| o.objects.iter()).any(|n| {
            let id = ResId::of(n);
            let release_ns = n.path(&["spec", "targetNamespace"]).and_then(|x| x.as_str()).unwrap_or(&id.namespace).to_string();
            id.gvk.kind == "HelmRelease" && (hc.namespace.is_empty() || hc.namespace == release_ns || hc.namespace == id.namespace)
        });
        if !found && !external && !from_chart {
            let ns = if hc.namespace.is_empty() { String::new() } else { format!("{}/", hc.namespace) };
            out.push(Finding::new(
                &hc.span,
                "health-checks",
                format!(
                    "health check {} {}{} ({}) points at an object nothing in this cluster renders: the Kustomization never becomes ready",
                    hc.kind, ns, hc.name, hc.api_version
                ),
                "fix the name, namespace, kind or apiVersion to match a rendered object",
            ));
        }
    }
}

/// A Go duration (`1h30m`, `90s`, `500ms`) in seconds.
fn seconds(text: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"].into_iter().find(|u| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total += value
            * match unit {
                "h" => 3600.0,
                "m" => 60.0,
                "s" => 1.0,
                "ms" => 1e-3,
                "us" | "µs" => 1e-6,
                _ => 1e-9,
            };
    }
    Some(total)
}

/// A timeout at least as long as the interval: a stuck health check runs
/// into the next reconciliation.
fn timing(u: &Unit, out: &mut Vec<Finding>) {
    let spec = u.ks.node.get("spec");
    let get = |k: &str| spec.and_then(|s| s.get_str(k)).and_then(seconds);
    if let (Some(timeout), Some(interval)) = (get("timeout"), get("interval")) {
        if timeout >= interval {
            out.push(Finding::new(
                &u.ks.span_of("timeout"),
                "timing",
                format!("Kustomization {} has a timeout no shorter than its interval: a stuck apply or health check delays the next reconciliation", u.ks.key),
                "make timeout shorter than interval (the default is interval minus 30s)",
            ));
        }
    }
}

/// HelmRelease `dependsOn` names HelmReleases only: one that names a
/// Kustomization waits forever (flux2#3364).
fn helm_depends_on(c: &Cluster, u: &Unit, out: &mut Vec<Finding>) {
    for n in u.objects.iter().filter(|n| n.get_str("kind") == Some("HelmRelease")) {
        let own_ns = n.path(&["metadata", "namespace"]).and_then(|x| x.as_str()).unwrap_or("default");
        for d in n.path(&["spec", "dependsOn"]).and_then(|x| x.as_seq()).into_iter().flatten() {
            let name = d.get_str("name").unwrap_or("");
            let ns = d.get_str("namespace").unwrap_or(own_ns);
            let is_helm = c.units.iter().flat_map(|o| o.objects.iter()).any(|o| {
                let id = ResId::of(o);
                id.gvk.kind == "HelmRelease" && id.name == name && id.namespace == ns
            });
            if !is_helm && c.units.iter().any(|o| o.ks.key.name == name) {
                out.push(Finding::new(
                    &d.span,
                    "depends-on",
                    format!("HelmRelease dependsOn '{}' names a Kustomization: a HelmRelease can only wait for other HelmReleases, so it never becomes ready", name),
                    "make the Kustomization that applies this HelmRelease depend on it instead",
                ));
            }
        }
    }
}

fn substitution(u: &Unit, out: &mut Vec<Finding>) {
    for un in &u.unresolved {
        out.push(Finding::new(
            &un.span,
            "substitution",
            format!(
                "${{{}}} has no value in Kustomization {} and no default: it becomes an empty string (strict mode fails the build)",
                un.name, u.ks.key
            ),
            format!("set {} in postBuild.substitute or a substituteFrom ConfigMap, or write ${{{}:=default}}", un.name, un.name),
        ));
    }
    if u.ks.post_build.is_none() {
        return;
    }
    // Left as is: postBuild with no variables at all skips substitution.
    let mut left = Vec::new();
    for n in &u.objects {
        find_vars(n, &mut left);
    }
    for (span, text) in left.into_iter().take(5) {
        out.push(Finding::new(
            &span,
            "substitution",
            format!(
                "'{}' is not substituted by Kustomization {}: with no variables defined, substitution is skipped",
                quote(&text),
                u.ks.key
            ),
            "define the variables in postBuild.substitute, or set postBuild.substituteStrategy: Always, or escape it as $${…}",
        ));
    }
}

fn find_vars(n: &Node, out: &mut Vec<(Span, String)>) {
    match &n.value {
        Value::Scalar(s) if s.text.contains("${") => out.push((n.span.clone(), s.text.clone())),
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter().for_each(|i| find_vars(i, out)),
        Value::Map(m) => m.iter().for_each(|(_, v)| find_vars(v, out)),
    }
}

/// Patches and images that change nothing, from the Flux Kustomization and
/// from the top-level kustomization file.
fn no_ops(u: &Unit, files: &dyn Files, out: &mut Vec<Finding>) {
    if !matches!(u.status, Status::Rendered) {
        return;
    }
    let current = ResMap { resources: u.built.clone() };
    // Targets may name the ids before namespace and prefix transformers
    // (Flux's patches run before the namespace is set: KC#702).
    let original = ResMap {
        resources: u
            .built
            .iter()
            .map(|r| {
                let mut n = r.node.clone();
                let id = r.original_id();
                if let Some(meta) = n.get_mut("metadata") {
                    meta.set("name", Node::string(id.name, meta.span.clone()));
                    if id.namespace.is_empty() {
                        meta.remove("namespace");
                    } else {
                        meta.set("namespace", Node::string(id.namespace, meta.span.clone()));
                    }
                }
                Resource::new(n)
            })
            .collect(),
    };
    // Patches a parent Kustomization wrote into this one are defaults for
    // all its children: that one child has nothing to patch is no mistake.
    let own = |p: &&Node| p.span.file == u.ks.span.file;
    let mut patches: Vec<(Node, &'static str)> = u.ks.patches.iter().filter(own).map(|p| (p.clone(), "spec.patches")).collect();
    let mut images: Vec<(Node, &'static str)> = u.ks.images.iter().map(|p| (p.clone(), "spec.images")).collect();
    if let Some(file) = u.dir.as_deref().and_then(|d| crate::kustomize::kustomization::find_file(files, d).ok().flatten()) {
        if let Some(k) =
            files.read(&file).and_then(|b| parse_documents(&file, &String::from_utf8_lossy(&b)).ok()).and_then(|d| d.into_iter().next())
        {
            patches.extend(k.get("patches").and_then(|n| n.as_seq()).cloned().unwrap_or_default().into_iter().map(|p| (p, "patches")));
            images.extend(k.get("images").and_then(|n| n.as_seq()).cloned().unwrap_or_default().into_iter().map(|p| (p, "images")));
        }
    }
    for (p, field) in &patches {
        let Some(target) = p.get("target").filter(|t| t.is_map()) else { continue };
        let sel = Selector::from_node(target);
        let hits = |m: &ResMap| sel.select(m).map(|v| !v.is_empty()).unwrap_or(true);
        if !hits(&current) && !hits(&original) {
            out.push(Finding::new(
                &target.span,
                "no-op",
                format!(
                    "this {} entry's target ({}) matches no object of Kustomization {}: the patch does nothing",
                    field,
                    quote(&sel.describe()),
                    u.ks.key
                ),
                "fix the target (kind, name, namespace are anchored regular expressions) or remove the patch",
            ));
        }
    }
    let mut used = Vec::new();
    for r in &u.built {
        collect_images(&r.node, &mut used);
    }
    for (img, field) in &images {
        let name = img.get_str("name").unwrap_or("");
        let new_name = img.get_str("newName").unwrap_or("");
        let matches = used.iter().any(|i| {
            let n = image_name(i);
            n == name || (!new_name.is_empty() && n == new_name)
        });
        if !name.is_empty() && !matches {
            out.push(Finding::new(
                &img.span,
                "no-op",
                format!(
                    "{} entry '{}' matches no container image of Kustomization {} (images: {})",
                    field,
                    name,
                    u.ks.key,
                    if used.is_empty() { "none".to_string() } else { quote_list(&used) }
                ),
                "use the image name as written in the manifests, without tag or digest",
            ));
        }
    }
}

fn collect_images(n: &Node, out: &mut Vec<String>) {
    match &n.value {
        Value::Map(m) => {
            for (k, v) in m {
                if k.as_str() == Some("image") {
                    if let Some(s) = v.as_str() {
                        if !out.iter().any(|o| o == s) {
                            out.push(s.to_string());
                        }
                    }
                } else {
                    collect_images(v, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| collect_images(i, out)),
        Value::Scalar(_) => {}
    }
}

/// An image reference without its tag or digest.
fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

/// Deprecated fields, file by file: kustomization files and Flux objects.
pub fn lint_files(files: &dyn Files, root: &str) -> Vec<Finding> {
    const KUSTOMIZE: [(&str, &str); 6] = [
        ("bases", "list the directories under `resources:`"),
        ("commonLabels", "use `labels: [{pairs: {…}, includeSelectors: true}]`"),
        ("patchesStrategicMerge", "list each file under `patches: [{path: …}]`"),
        ("patchesJson6902", "move each entry to `patches:` (same path/target)"),
        ("imageTags", "use `images:`"),
        ("vars", "use `replacements:`"),
    ];
    let mut out = Vec::new();
    cluster::walk_yaml(files, root, 0, &mut |path, text| {
        let Ok(docs) = parse_documents(path, text) else { return };
        if FILE_NAMES.contains(&fs::file_name(path)) {
            let Some(k) = docs.first() else { return };
            for (key, _) in k.as_map().into_iter().flatten() {
                if let Some((field, fix)) = KUSTOMIZE.iter().find(|(f, _)| Some(*f) == key.as_str()) {
                    out.push(Finding::new(&key.span, "deprecated", format!("'{}' is deprecated in kustomize", field), *fix));
                }
            }
            return;
        }
        for d in docs.iter().filter(|d| is_flux_kustomization(d)) {
            let api = d.get_str("apiVersion").unwrap_or("");
            if api != "kustomize.toolkit.fluxcd.io/v1" {
                let span = d.get("apiVersion").map(|n| n.span.clone()).unwrap_or_else(|| d.span.clone());
                out.push(Finding::new(
                    &span,
                    "deprecated",
                    format!("{} is deprecated; current Flux serves kustomize.toolkit.fluxcd.io/v1", api),
                    "set apiVersion: kustomize.toolkit.fluxcd.io/v1 (`flux migrate` rewrites the files)",
                ));
            }
            for field in ["patchesStrategicMerge", "patchesJson6902", "validation"] {
                if let Some((key, _)) =
                    d.get("spec").and_then(|s| s.as_map()).and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(field)))
                {
                    out.push(Finding::new(
                        &key.span,
                        "deprecated",
                        format!("spec.{} was removed in kustomize.toolkit.fluxcd.io/v1", field),
                        "use spec.patches",
                    ));
                }
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn ks(name: &str, path: &str, extra: &str) -> String {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {}\n  namespace: flux-system\nspec:\n  interval: 10m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: {}\n{}",
            name, path, extra
        )
    }
    const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n";
    const WIDGET: &str = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: prod\n";

    fn rules(findings: &[Finding]) -> Vec<(String, u32, &'static str)> {
        findings.iter().map(|f| (f.span.file.to_string(), f.span.line, f.rule)).collect()
    }

    #[test]
    fn custom_resources_need_the_kustomization_of_their_crd() {
        let mut fs = MemFs::new();
        fs.insert("/clusters/prod/crds.yaml", ks("crds", "./crds", "  prune: true\n"));
        fs.insert("/clusters/prod/apps.yaml", ks("apps", "./apps", "  prune: true\n"));
        fs.insert("/crds/widget.yaml", format!("{}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n", CRD));
        fs.insert("/apps/w.yaml", WIDGET);
        let found = lint_repository(&fs, "/");
        assert_eq!(rules(&found), vec![("/clusters/prod/apps.yaml".to_string(), 6, "depends-on")], "{:#?}", found);
        assert!(found[0].message.contains("Widget objects whose CustomResourceDefinition comes from Kustomization flux-system/crds"));
        fs.insert("/clusters/prod/apps.yaml", ks("apps", "./apps", "  prune: true\n  dependsOn:\n  - name: crds\n"));
        assert!(lint_repository(&fs, "/").is_empty());
    }

    #[test]
    fn prune_unknown_dependencies_and_deprecations() {
        let mut fs = MemFs::new();
        fs.insert("/clusters/prod/apps.yaml", ks("apps", "./apps", "  prune: false\n  dependsOn:\n  - name: nope\n"));
        fs.insert("/apps/kustomization.yaml", "namespace: prod\ncommonLabels:\n  a: b\nresources: [cm.yaml]\n");
        fs.insert("/apps/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
        let found = lint_repository(&fs, "/");
        let r = rules(&found);
        assert!(r.contains(&("/apps/kustomization.yaml".to_string(), 2, "deprecated")), "{:#?}", found);
        assert!(r.contains(&("/clusters/prod/apps.yaml".to_string(), 12, "prune")), "{:#?}", found);
        assert!(r.contains(&("/clusters/prod/apps.yaml".to_string(), 14, "depends-on")), "{:#?}", found);
    }

    #[test]
    fn patch_files_are_not_duplicates() {
        let mut fs = MemFs::new();
        let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n";
        fs.insert("/base/d.yaml", dep);
        fs.insert("/base/kustomization.yaml", "resources: [d.yaml]\n");
        fs.insert("/prod/kustomization.yaml", "resources: [../base]\npatches:\n- path: d.yaml\n");
        fs.insert("/prod/d.yaml", dep.replace("replicas: 1", "replicas: 5"));
        assert!(duplicated_manifests(&fs, "/").is_empty());
        fs.insert("/prod/kustomization.yaml", "resources: [d.yaml]\n");
        let found = duplicated_manifests(&fs, "/");
        assert_eq!(rules(&found), vec![("/prod/d.yaml".to_string(), 1, "duplicated-manifests")]);
    }

    #[test]
    fn kube_config_kustomizations_apply_to_another_cluster() {
        let mut fs = MemFs::new();
        let remote = "  prune: true\n  kubeConfig:\n    secretRef:\n      name: edge-kubeconfig\n";
        fs.insert("/clusters/hub/local.yaml", ks("local", "./app", "  prune: true\n"));
        fs.insert("/clusters/hub/edge.yaml", ks("edge", "./app", remote));
        fs.insert("/app/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n");
        fs.insert("/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: web\n");
        assert!(lint_repository(&fs, "/").is_empty(), "{:#?}", lint_repository(&fs, "/"));
        // Both local: the same objects applied twice.
        fs.insert("/clusters/hub/edge.yaml", ks("edge", "./app", "  prune: true\n"));
        let found = lint_repository(&fs, "/");
        assert!(found.iter().any(|f| f.rule == "namespace" && f.message.contains("applied by both")), "{:#?}", found);
        // The namespace a remote Kustomization needs must be created over there.
        fs.insert("/clusters/hub/edge.yaml", ks("edge", "./edge", remote));
        fs.insert("/edge/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n  namespace: web\n");
        let found = lint_repository(&fs, "/");
        assert_eq!(rules(&found), vec![("/clusters/hub/edge.yaml".to_string(), 11, "namespace")], "{:#?}", found);
    }

    #[test]
    fn findings_quote_little_of_the_users_text() {
        let mut fs = MemFs::new();
        fs.insert("/clusters/prod/apps.yaml", ks("apps", "./apps", "  prune: true\n  postBuild:\n    substitute: {}\n"));
        let script = format!("#!/bin/sh\necho ${{HOME}} {}\n", "x".repeat(4500));
        fs.insert(
            "/apps/cm.yaml",
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  run.sh: {:?}\n", script),
        );
        let found = lint_repository(&fs, "/");
        let f = found.iter().find(|f| f.rule == "substitution").expect("a substitution finding");
        assert!(f.message.starts_with("'#!/bin/sh…' is not substituted"), "{}", f.message);
        assert!(found.iter().all(|f| f.message.len() < 600), "{:#?}", found);
        assert_eq!(quote(&"y".repeat(300)).chars().count(), QUOTE_MAX + 1);
        let many: Vec<String> = (0..100).map(|i| format!("ConfigMap c{}", i)).collect();
        assert!(quote_list(&many).ends_with("more"), "{}", quote_list(&many));
    }

    #[test]
    fn kustomize_notes_are_findings_with_or_without_flux() {
        let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n";
        let overlay = "resources: [../base]\npatches:\n- target: {kind: Deployment, name: api}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\n";
        let mut fs = MemFs::new();
        fs.insert("/base/d.yaml", dep);
        fs.insert("/base/kustomization.yaml", "resources: [d.yaml]\n");
        fs.insert("/prod/kustomization.yaml", overlay);
        assert_eq!(rules(&lint_repository(&fs, "/")), vec![("/prod/kustomization.yaml".to_string(), 3, "patch-matches-nothing")]);
        fs.insert("/clusters/prod/apps.yaml", ks("apps", "./prod", "  prune: true\n"));
        fs.insert("/clusters/prod/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n");
        // Under Flux the no-op rule says it, once.
        let found = lint_repository(&fs, "/");
        assert_eq!(rules(&found), vec![("/prod/kustomization.yaml".to_string(), 3, "no-op")], "{:#?}", found);
        // A selector changed against the base is a kustomize note in both.
        fs.insert("/prod/kustomization.yaml", "resources: [../base]\ncommonLabels:\n  team: a\n");
        let found = lint_repository(&fs, "/");
        assert!(rules(&found).contains(&("/prod/kustomization.yaml".to_string(), 3, "selector-changed")), "{:#?}", found);
    }

    #[test]
    fn go_durations() {
        assert_eq!(seconds("1h30m"), Some(5400.0));
        assert_eq!(seconds("5m0s"), Some(300.0));
        assert_eq!(seconds("500ms"), Some(0.5));
        assert_eq!(seconds("10"), None);
    }

    #[test]
    fn image_names_drop_tags_and_digests() {
        assert_eq!(image_name("ghcr.io/a/b:1.0"), "ghcr.io/a/b");
        assert_eq!(image_name("localhost:5000/b"), "localhost:5000/b");
        assert_eq!(image_name("b@sha256:00"), "b");
    }
}

/// A lint finding: `{file, line, column, message, rule, fix}`; `line` is
/// at least 1, `column` is `null` for findings about a whole file.
#[derive(Serialize)]
pub struct FindingInfo<'a> {
    file: &'a str,
    line: u32,
    column: Option<u32>,
    message: &'a str,
    rule: &'a str,
    fix: &'a str,
}

impl Finding {
    /// As the page and `overlay lint --format json` show it.
    pub fn info(&self) -> FindingInfo<'_> {
        let f = self;
        let column = if f.span.has_position() { Some(f.span.col) } else { None };
        FindingInfo { file: &f.span.file, line: f.span.line.max(1), column, message: &f.message, rule: f.rule, fix: &f.fix }
    }
}
