//! Evaluates a lesson's checks against a tree. Each check says, when it
//! fails, why: the page shows that reason as the learner types.

use super::format::{Check, CheckKind, Expect, Lesson, Mode, Variant};
use super::glob;
use crate::error::Error;
use crate::flux::cluster::{Cluster, Options as FluxOptions, Status};
use crate::fs::{Files, MemFs, Overlay};
use crate::kustomize::{self, BuildOptions, Output, Resource};
use crate::span::Span;
use crate::yaml::Node;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// What the check asks, for people: `build_ok overlays/production`.
    pub label: String,
    pub ok: bool,
    /// Why it fails (the lesson's own `message` first); empty when it holds.
    pub message: String,
    /// The hidden variant it ran on; `None` for the learner's own tree.
    pub variant: Option<String>,
    /// Where the check is written in the lesson file.
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.ok)
    }
}

/// Runs every check of `lesson` on `tree` (relative paths rooted at `/`),
/// then on `tree` with each variant laid over it.
pub fn check(lesson: &Lesson, tree: &dyn Files) -> Report {
    let start = super::tree(lesson, false);
    let mut outcomes = check_tree(lesson, &lesson.checks, tree, &start);
    for v in &lesson.variants {
        let checks: Vec<Check> = lesson.checks.iter().map(|c| substituted(c, v)).collect();
        let mut over = Overlay::new(tree);
        let mut over_start = Overlay::new(&start);
        for (path, content) in &v.files {
            let path = format!("/{}", path);
            match content {
                Some(text) => {
                    over.insert(&path, text.as_bytes().to_vec());
                    over_start.insert(&path, text.as_bytes().to_vec());
                }
                None => {
                    over.hide(&path);
                    over_start.hide(&path);
                }
            }
        }
        for mut o in check_tree(lesson, &checks, &over, &over_start) {
            o.variant = Some(v.name.clone());
            outcomes.push(o);
        }
    }
    Report { outcomes }
}

/// Runs `checks` on `tree`; `start` is what "unchanged" and
/// "changed_files" compare with.
pub fn check_tree(lesson: &Lesson, checks: &[Check], tree: &dyn Files, start: &dyn Files) -> Vec<Outcome> {
    let cx = Context { mode: lesson.mode, tree, start, builds: RefCell::new(BTreeMap::new()), clusters: RefCell::new(BTreeMap::new()) };
    checks
        .iter()
        .map(|c| {
            let result = cx.run(&c.kind);
            let (ok, message) = match result {
                Ok(()) => (true, String::new()),
                Err(why) => (
                    false,
                    match &c.message {
                        Some(m) => format!("{} ({})", m, why),
                        None => why,
                    },
                ),
            };
            Outcome { label: label(&c.kind), ok, message, variant: None, span: c.span.clone() }
        })
        .collect()
}

fn substituted(c: &Check, v: &Variant) -> Check {
    let s = |t: &String| -> String { v.substitute.iter().fold(t.clone(), |acc, (from, to)| acc.replace(from.as_str(), to)) };
    let node_sub = |n: &Node| -> Node {
        let mut n = n.clone();
        if let crate::yaml::Value::Scalar(sc) = &mut n.value {
            sc.text = s(&sc.text);
        }
        n
    };
    let kind = match &c.kind {
        CheckKind::BuildOk(e) => CheckKind::BuildOk(s(e)),
        CheckKind::BuildError { env, contains } => CheckKind::BuildError { env: s(env), contains: s(contains) },
        CheckKind::Object { env, kind, name, expect } => CheckKind::Object {
            env: s(env),
            kind: kind.clone(),
            name: name.as_ref().map(s),
            expect: match expect {
                Expect::Eq { path, value } => Expect::Eq { path: s(path), value: node_sub(value) },
                Expect::Ne { path, value } => Expect::Ne { path: s(path), value: node_sub(value) },
                Expect::Absent(p) => Expect::Absent(s(p)),
                other => other.clone(),
            },
        },
        CheckKind::Unchanged(e) => CheckKind::Unchanged(s(e)),
        CheckKind::DiffersOnly { from, to, paths } => CheckKind::DiffersOnly { from: s(from), to: s(to), paths: paths.clone() },
        CheckKind::ChangedFiles(g) => CheckKind::ChangedFiles(g.iter().map(s).collect()),
        CheckKind::PatchMatches { env, file, at_least } => {
            CheckKind::PatchMatches { env: env.as_ref().map(s), file: s(file), at_least: *at_least }
        }
        CheckKind::RefsResolve(e) => CheckKind::RefsResolve(s(e)),
        CheckKind::FluxReady { cluster, kustomization } => {
            CheckKind::FluxReady { cluster: cluster.as_ref().map(s), kustomization: s(kustomization) }
        }
        CheckKind::AppliedBefore { cluster, first, then } => {
            CheckKind::AppliedBefore { cluster: cluster.as_ref().map(s), first: s(first), then: s(then) }
        }
        CheckKind::PrunesNothing(d) => CheckKind::PrunesNothing(s(d)),
    };
    Check { kind, message: c.message.clone(), span: c.span.clone() }
}

/// What a check asks, in one line.
pub fn label(k: &CheckKind) -> String {
    match k {
        CheckKind::BuildOk(e) => format!("{} builds", e),
        CheckKind::BuildError { env, contains } => format!("{} fails to build with \"{}\"", env, contains),
        CheckKind::Object { env, kind, name, expect } => {
            let what = match name {
                Some(n) => format!("{} {}", kind, n),
                None => kind.clone(),
            };
            match expect {
                Expect::Exists => format!("{} renders {}", env, what),
                Expect::Eq { path, value } => format!("{} in {}: {} = {}", what, env, path, one_line(value)),
                Expect::Ne { path, value } => format!("{} in {}: {} ≠ {}", what, env, path, one_line(value)),
                Expect::Absent(p) => format!("{} in {}: no {}", what, env, p),
                Expect::Count { kind: k, equals } => format!("{} renders {} {}", env, equals, k.as_deref().unwrap_or(&what)),
            }
        }
        CheckKind::Unchanged(e) => format!("{} renders as it did at the start", e),
        CheckKind::DiffersOnly { from, to, paths } => format!("{} differs from {} only in {}", to, from, paths.join(", ")),
        CheckKind::ChangedFiles(g) => format!("changed files are within {}", g.join(", ")),
        CheckKind::PatchMatches { file, at_least, .. } => {
            format!("the patch in {} matches at least {} resource{}", file, at_least, if *at_least == 1 { "" } else { "s" })
        }
        CheckKind::RefsResolve(e) => format!("every ConfigMap, Secret and volume {} refers to exists", e),
        CheckKind::FluxReady { kustomization, .. } => format!("Flux Kustomization {} becomes ready", kustomization),
        CheckKind::AppliedBefore { first, then, .. } => format!("{} is applied before {}", first, then),
        CheckKind::PrunesNothing(d) => format!("the change deletes nothing from cluster {}", d),
    }
}

fn one_line(n: &Node) -> String {
    match n.as_str() {
        Some(s) => s.to_string(),
        None => crate::yaml::emit_node(n).trim_end().replace('\n', " "),
    }
}

type Built = std::result::Result<Output, Error>;

struct Context<'a> {
    mode: Mode,
    tree: &'a dyn Files,
    start: &'a dyn Files,
    /// (from the start tree, env) → build; several checks read one env.
    builds: RefCell<BTreeMap<(bool, String), std::rc::Rc<Built>>>,
    clusters: RefCell<BTreeMap<String, std::rc::Rc<std::result::Result<Cluster, String>>>>,
}

type Why = String;

impl Context<'_> {
    fn build(&self, env: &str, from_start: bool) -> std::rc::Rc<Built> {
        let key = (from_start, env.to_string());
        if let Some(b) = self.builds.borrow().get(&key) {
            return b.clone();
        }
        let files = if from_start { self.start } else { self.tree };
        let dir = crate::fs::join("/", env);
        let built = match self.mode {
            Mode::Kustomize => kustomize::build(files, &dir, &BuildOptions::default()),
            Mode::Flux => crate::flux::cluster::build_dir(files, &dir, None).map(|(_, out)| out),
        };
        let built = std::rc::Rc::new(built);
        self.builds.borrow_mut().insert(key, built.clone());
        built
    }

    fn built(&self, env: &str) -> std::result::Result<std::rc::Rc<Built>, Why> {
        let b = self.build(env, false);
        if let Err(e) = &*b {
            return Err(format!("{} does not build: {}", env, shown(e)));
        }
        Ok(b)
    }

    fn run(&self, kind: &CheckKind) -> std::result::Result<(), Why> {
        match kind {
            CheckKind::BuildOk(env) => self.built(env).map(|_| ()),
            CheckKind::BuildError { env, contains } => match &*self.build(env, false) {
                Ok(_) => Err(format!("{} builds; it should fail with \"{}\"", env, contains)),
                Err(e) if shown(e).contains(contains.as_str()) => Ok(()),
                Err(e) => Err(format!("{} fails, but not with \"{}\": {}", env, contains, shown(e))),
            },
            CheckKind::Object { env, kind, name, expect } => {
                let b = self.built(env)?;
                let out = b.as_ref().as_ref().map_err(shown)?;
                object(out, env, kind, name.as_deref(), expect)
            }
            CheckKind::Unchanged(env) => {
                let now = self.build(env, false);
                let then = self.build(env, true);
                match (&*then, &*now) {
                    (Ok(a), Ok(b)) => {
                        let (a, b) = (a.resources.nodes(), b.resources.nodes());
                        if a == b {
                            return Ok(());
                        }
                        let d = crate::diff::diff(&a, &b, &crate::diff::DiffOptions::default());
                        Err(format!("{} renders differently than at the start: {}", env, changes(&d)))
                    }
                    (Err(_), Err(_)) => Ok(()),
                    (Ok(_), Err(e)) => Err(format!("{} no longer builds: {}", env, shown(e))),
                    (Err(_), Ok(_)) => Err(format!("{} builds now, and did not at the start", env)),
                }
            }
            CheckKind::DiffersOnly { from, to, paths } => {
                let a = self.built(from)?;
                let b = self.built(to)?;
                let (Ok(a), Ok(b)) = (&*a, &*b) else { return Err("no build".into()) };
                let ignore = paths.iter().map(|p| crate::diff::IgnoreRule::parse(p)).collect::<std::result::Result<Vec<_>, _>>()?;
                let d = crate::diff::diff(
                    &a.resources.nodes(),
                    &b.resources.nodes(),
                    &crate::diff::DiffOptions { ignore, ..Default::default() },
                );
                if d.resources.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{} and {} also differ in {}", from, to, changes(&d)))
                }
            }
            CheckKind::ChangedFiles(globs) => {
                let changed = changed_files(self.start, self.tree);
                if changed.is_empty() {
                    return Err("no file has changed yet".to_string());
                }
                let outside: Vec<&String> = changed.iter().filter(|p| !globs.iter().any(|g| glob::matches(g, p))).collect();
                if outside.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "changed outside {}: {}",
                        globs.join(", "),
                        outside.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ))
                }
            }
            CheckKind::PatchMatches { env, file, at_least } => {
                let env = env.clone().unwrap_or_else(|| crate::fs::parent(&crate::fs::join("/", file)).trim_start_matches('/').to_string());
                let b = self.built(&env)?;
                let Ok(out) = &*b else { return Err("no build".into()) };
                let path = crate::fs::join("/", file);
                let found: Vec<usize> = out.patch_matches.iter().filter(|m| m.file == path).map(|m| m.count).collect();
                if found.is_empty() {
                    return Err(format!("building {} applies no patch from {}", env, file));
                }
                let total: usize = found.iter().sum();
                if total >= *at_least {
                    Ok(())
                } else {
                    Err(format!(
                        "the patch in {} matched {} resource{} (at least {} wanted)",
                        file,
                        total,
                        if total == 1 { "" } else { "s" },
                        at_least
                    ))
                }
            }
            CheckKind::RefsResolve(env) => {
                let b = self.built(env)?;
                let Ok(out) = &*b else { return Err("no build".into()) };
                let missing = dangling_refs(out);
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(format!("not in the render of {}: {}", env, missing.join("; ")))
                }
            }
            CheckKind::FluxReady { cluster, kustomization } => {
                let rc = self.cluster(cluster.as_deref())?;
                let Ok(c) = &*rc else { return Err("no cluster".into()) };
                let u = unit(c, kustomization)?;
                if let Err(e) = &c.order {
                    return Err(format!("the cluster's dependencies cannot be ordered: {}", shown(e)));
                }
                match &u.status {
                    Status::Failed(e) => Err(format!("Kustomization {} fails: {}", u.ks.key, shown(e))),
                    Status::External(why) => Err(format!("Kustomization {} is built from outside this repository: {}", u.ks.key, why)),
                    Status::Rendered => match u.blocked_message() {
                        Some(m) => Err(format!("Kustomization {} waits: {}", u.ks.key, m)),
                        None => Ok(()),
                    },
                }
            }
            CheckKind::AppliedBefore { cluster, first, then } => {
                let rc = self.cluster(cluster.as_deref())?;
                let Ok(c) = &*rc else { return Err("no cluster".into()) };
                applied_before(c, first, then)
            }
            CheckKind::PrunesNothing(dir) => {
                let dir = crate::fs::join("/", dir);
                let entries =
                    crate::flux::prune::between(self.start, self.tree, &dir, "/", &FluxOptions::default()).map_err(|e| shown(&e))?;
                use crate::flux::prune::Action;
                let lost: Vec<String> =
                    entries.iter().filter(|e| matches!(e.action, Action::Delete | Action::Moved(_))).map(|e| e.to_string()).collect();
                if lost.is_empty() {
                    Ok(())
                } else {
                    Err(lost.join("; "))
                }
            }
        }
    }

    fn cluster(&self, dir: Option<&str>) -> std::result::Result<std::rc::Rc<std::result::Result<Cluster, String>>, Why> {
        let key = dir.unwrap_or("").to_string();
        if let Some(c) = self.clusters.borrow().get(&key) {
            return match &**c {
                Ok(_) => Ok(c.clone()),
                Err(e) => Err(e.clone()),
            };
        }
        let dir = match dir {
            Some(d) => crate::fs::join("/", d),
            None => match crate::flux::discover::discover(self.tree, "/").clusters.first() {
                Some(f) => f.dir.clone(),
                None => return Err("no Flux cluster in this tree (no Kustomization applies the repository)".to_string()),
            },
        };
        let loaded = crate::flux::discover::load(self.tree, &dir, "/", &FluxOptions::default()).map_err(|e| shown(&e));
        let loaded = std::rc::Rc::new(loaded);
        self.clusters.borrow_mut().insert(key, loaded.clone());
        match &*loaded {
            Ok(_) => Ok(loaded),
            Err(e) => Err(e.clone()),
        }
    }
}

/// An error as a check reports it: the file relative to the tree.
fn shown(e: &Error) -> String {
    let mut e = e.clone();
    if let Some(span) = e.span.as_mut() {
        span.file = span.file.trim_start_matches('/').into();
    }
    e.to_string()
}

/// A short account of a diff: which resources, which fields.
fn changes(d: &crate::diff::Diff) -> String {
    let mut parts: Vec<String> = Vec::new();
    for r in d.resources.iter().take(4) {
        let fields: Vec<String> = r.changes.iter().take(3).map(|c| c.path.to_string()).collect();
        let what = format!("{} {}", r.id().kind, r.id().name);
        parts.push(if fields.is_empty() { format!("{} {}", what, r.status.word()) } else { format!("{} ({})", what, fields.join(", ")) });
    }
    if d.resources.len() > 4 {
        parts.push(format!("and {} more", d.resources.len() - 4));
    }
    parts.join("; ")
}

/// Whether `r` is the object a lesson calls `name`: its name now, the one
/// it was declared with, or that with a generator's hash suffix.
fn is_named(r: &Resource, name: &str) -> bool {
    r.name() == name || r.original_id().name == name || r.previous.iter().any(|p| p.name == name)
}

fn object(out: &Output, env: &str, kind: &str, name: Option<&str>, expect: &Expect) -> std::result::Result<(), Why> {
    if let Expect::Count { kind: k, equals } = expect {
        let kind = k.as_deref().unwrap_or(kind);
        let n = out.resources.iter().filter(|r| r.kind() == kind && name.is_none_or(|n| is_named(r, n))).count();
        return if n == *equals {
            Ok(())
        } else {
            Err(format!("{} renders {} {} object{} ({} wanted)", env, n, kind, if n == 1 { "" } else { "s" }, equals))
        };
    }
    let name = name.unwrap_or("");
    let found: Vec<&Resource> = out.resources.iter().filter(|r| r.kind() == kind && is_named(r, name)).collect();
    let r = match found.as_slice() {
        [] => {
            let same_kind: Vec<&str> = out.resources.iter().filter(|r| r.kind() == kind).map(|r| r.name()).collect();
            return Err(if same_kind.is_empty() {
                format!("{} renders no {}", env, kind)
            } else {
                format!("{} renders no {} named {} (it has {})", env, kind, name, same_kind.join(", "))
            });
        }
        [r] => r,
        _ => return Err(format!("{} renders {} {} objects called {}; the check needs one", env, found.len(), kind, name)),
    };
    match expect {
        Expect::Exists | Expect::Count { .. } => Ok(()),
        Expect::Absent(path) => match crate::diff::path::lookup(&r.node, path)? {
            None => Ok(()),
            Some(v) => Err(format!("{} {} still has {} ({})", kind, r.name(), path, one_line(v))),
        },
        Expect::Eq { path, value } => match crate::diff::path::lookup(&r.node, path)? {
            None => Err(format!("{} {} has no {}", kind, r.name(), path)),
            Some(v) if same_value(v, value) => Ok(()),
            Some(v) => Err(format!("{} of {} {} is {}, not {}", path, kind, r.name(), one_line(v), one_line(value))),
        },
        Expect::Ne { path, value } => match crate::diff::path::lookup(&r.node, path)? {
            None => Err(format!("{} {} has no {}", kind, r.name(), path)),
            Some(v) if same_value(v, value) => Err(format!("{} of {} {} is still {}", path, kind, r.name(), one_line(v))),
            Some(_) => Ok(()),
        },
    }
}

/// Scalars compare by text (`3` in a lesson is the rendered `3` or `"3"`);
/// the rest structurally.
fn same_value(a: &Node, b: &Node) -> bool {
    match (a.as_scalar(), b.as_scalar()) {
        (Some(x), Some(y)) => x.text == y.text,
        _ => a == b,
    }
}

/// Files added, removed or changed between two trees, relative paths.
pub fn changed_files(before: &dyn Files, after: &dyn Files) -> Vec<String> {
    let mut paths = BTreeSet::new();
    list_all(before, "/", &mut paths, 0);
    list_all(after, "/", &mut paths, 0);
    paths.into_iter().filter(|p| before.read(p) != after.read(p)).map(|p| p.trim_start_matches('/').to_string()).collect()
}

pub(crate) fn list_all(files: &dyn Files, dir: &str, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    for name in files.list(dir) {
        let path = crate::fs::join(dir, &name);
        if files.is_dir(&path) {
            list_all(files, &path, out, depth + 1);
        } else {
            out.insert(path);
        }
    }
}

/// References to ConfigMaps, Secrets and claims that the render lacks:
/// `envFrom`, `env[].valueFrom`, volumes and projected volumes. Optional
/// references (`optional: true`) are left out: a pod starts without them.
fn dangling_refs(out: &Output) -> Vec<String> {
    let have: BTreeSet<(&str, &str)> = out.resources.iter().map(|r| (r.kind(), r.name())).collect();
    let mut missing = Vec::new();
    for r in out.resources.iter() {
        let mut refs: Vec<(&'static str, String, &'static str)> = Vec::new();
        collect_refs(&r.node, "", &mut refs);
        for (kind, name, via) in refs {
            if !have.contains(&(kind, name.as_str())) {
                let line = format!("{} {} refers to {} {} ({}), which is not rendered", r.kind(), r.name(), kind, name, via);
                if !missing.contains(&line) {
                    missing.push(line);
                }
            }
        }
    }
    missing
}

fn collect_refs(n: &Node, key: &str, out: &mut Vec<(&'static str, String, &'static str)>) {
    let optional = n.get("optional").and_then(|o| o.as_str()) == Some("true");
    let target: Option<(&'static str, &str, &'static str)> = match key {
        "configMapRef" => Some(("ConfigMap", "name", "envFrom")),
        "secretRef" => Some(("Secret", "name", "envFrom")),
        "configMapKeyRef" => Some(("ConfigMap", "name", "env")),
        "secretKeyRef" => Some(("Secret", "name", "env")),
        "configMap" => Some(("ConfigMap", "name", "volume")),
        "secret" => Some(("Secret", "secretName", "volume")),
        "persistentVolumeClaim" => Some(("PersistentVolumeClaim", "claimName", "volume")),
        _ => None,
    };
    if let Some((kind, field, via)) = target {
        if let Some(name) = n.get(field).and_then(|v| v.as_str()) {
            if !optional && n.is_map() {
                out.push((kind, name.to_string(), via));
            }
        }
    }
    match &n.value {
        crate::yaml::Value::Map(entries) => {
            for (k, v) in entries {
                let k = k.as_str().unwrap_or("");
                // A ConfigMap's own data never holds references.
                if k == "data" || k == "stringData" || k == "metadata" {
                    continue;
                }
                collect_refs(v, k, out);
            }
        }
        crate::yaml::Value::Seq(items) => items.iter().for_each(|i| collect_refs(i, key, out)),
        _ => {}
    }
}

fn unit<'a>(c: &'a Cluster, name: &str) -> std::result::Result<&'a crate::flux::cluster::Unit, Why> {
    let found: Vec<&crate::flux::cluster::Unit> =
        c.units.iter().filter(|u| u.ks.key.name == name || u.ks.key.to_string() == name).collect();
    match found.as_slice() {
        [u] => Ok(u),
        [] if c.units.is_empty() => Err(format!("the cluster has no Flux Kustomization {} (it has none besides its own)", name)),
        [] => Err(format!(
            "the cluster has no Flux Kustomization {} (it has {})",
            name,
            c.units.iter().map(|u| u.ks.key.name.clone()).collect::<Vec<_>>().join(", ")
        )),
        _ => Err(format!("{} names more than one Flux Kustomization; write namespace/name", name)),
    }
}

/// `first` and `then` are Flux Kustomizations (`apps`, `flux-system/apps`)
/// or objects (`Kind/name`) some Kustomization applies.
fn applied_before(c: &Cluster, first: &str, then: &str) -> std::result::Result<(), Why> {
    let locate =
        |what: &str| -> std::result::Result<(usize, Option<usize>), Why> {
            if let Some((kind, name)) = what.split_once('/').filter(|(k, _)| k.starts_with(|c: char| c.is_ascii_uppercase())) {
                for (i, u) in c.units.iter().enumerate() {
                    if let Some(j) = u.objects.iter().position(|o| {
                        o.get_str("kind") == Some(kind) && o.path(&["metadata", "name"]).and_then(|n| n.as_str()) == Some(name)
                    }) {
                        return Ok((i, Some(j)));
                    }
                }
                return Err(format!("no Flux Kustomization of the cluster applies {}", what));
            }
            let u = unit(c, what)?;
            Ok((c.units.iter().position(|x| std::ptr::eq(x, u)).unwrap_or(0), None))
        };
    let (a, a_obj) = locate(first)?;
    let (b, b_obj) = locate(then)?;
    if a == b {
        return match (a_obj, b_obj) {
            // `objects` are in apply order already.
            (Some(x), Some(y)) if x < y => Ok(()),
            (Some(_), Some(_)) => Err(format!("Kustomization {} applies {} after {}", c.units[a].ks.key, first, then)),
            _ => Err(format!("{} and {} are the same Kustomization", first, then)),
        };
    }
    let (ka, kb) = (&c.units[a].ks.key, &c.units[b].ks.key);
    if c.dependency_closure(kb).contains(ka) {
        Ok(())
    } else {
        Err(format!("nothing makes Kustomization {} wait for {}: they reconcile in parallel (add dependsOn)", kb, ka))
    }
}

/// For tests and the page: a tree from relative paths.
pub fn memfs(files: &[(&str, &str)]) -> MemFs {
    let mut fs = MemFs::new();
    for (p, t) in files {
        fs.insert(&format!("/{}", p), t.as_bytes().to_vec());
    }
    fs
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        envFrom:\n        - configMapRef: {name: cfg}\n";

    /// A lesson whose start is a base and a `prod` overlay (prefix `p-`,
    /// a generated ConfigMap `cfg`), with `checks`.
    fn lesson(checks: &str) -> Lesson {
        let text = format!(
            "id: t\ntitle: T\nstart:\n  base/kustomization.yaml: |\n    resources: [d.yaml]\n    configMapGenerator:\n    - name: cfg\n      literals: [A=1]\n  base/d.yaml: |\n{}  prod/kustomization.yaml: |\n    resources: [../base]\n    namePrefix: p-\nchecks:\n{}solution: {{}}\n",
            DEPLOY.lines().map(|l| format!("    {}\n", l)).collect::<String>(),
            checks
        );
        super::super::parse("/t.yaml", &text).unwrap_or_else(|e| panic!("{}", e))
    }

    /// The outcome of a one-check lesson on the start tree changed by `edits`.
    fn run(text: &str, edits: &[(&str, Option<&str>)]) -> Outcome {
        let l = lesson(text);
        let mut tree = super::super::tree(&l, false);
        for (p, t) in edits {
            match t {
                Some(t) => tree.insert(&format!("/{}", p), t.as_bytes().to_vec()),
                None => {
                    tree.remove(&format!("/{}", p));
                }
            }
        }
        let report = check(&l, &tree);
        assert_eq!(report.outcomes.len(), 1);
        report.outcomes.into_iter().next().unwrap()
    }

    fn pass(check: &str, edits: &[(&str, Option<&str>)]) {
        let o = run(check, edits);
        assert!(o.ok, "{} should pass: {}", check, o.message);
    }

    fn fail(check: &str, edits: &[(&str, Option<&str>)], why: &str) {
        let o = run(check, edits);
        assert!(!o.ok, "{} should fail", check);
        assert!(o.message.contains(why), "{}: '{}' lacks '{}'", check, o.message, why);
    }

    const BROKEN: &str = "resources: [../base, missing.yaml]\n";

    #[test]
    fn build_ok_and_build_error() {
        pass("- build_ok: prod\n", &[]);
        fail("- build_ok: prod\n", &[("prod/kustomization.yaml", Some(BROKEN))], "prod does not build: prod/kustomization.yaml:1:");
        pass("- build_error: {env: prod, contains: missing.yaml}\n", &[("prod/kustomization.yaml", Some(BROKEN))]);
        fail("- build_error: {env: prod, contains: missing.yaml}\n", &[], "prod builds; it should fail");
        fail("- build_error: {env: prod, contains: nope}\n", &[("prod/kustomization.yaml", Some(BROKEN))], "fails, but not with \"nope\"");
        fail(
            "- build_ok: prod\n  message: fix the overlay\n",
            &[("prod/kustomization.yaml", Some(BROKEN))],
            "fix the overlay (prod does not build",
        );
    }

    #[test]
    fn objects_are_found_by_the_name_before_prefix_and_hash() {
        pass("- object: {env: prod, kind: Deployment, name: web}\n", &[]);
        pass("- object: {env: prod, kind: Deployment, name: p-web}\n", &[]);
        pass("- object: {env: prod, kind: ConfigMap, name: cfg}\n  eq: {path: data.A, value: 1}\n", &[]);
        fail("- object: {env: prod, kind: Deployment, name: api}\n", &[], "renders no Deployment named api (it has p-web)");
        fail("- object: {env: prod, kind: Service, name: web}\n", &[], "renders no Service");
    }

    #[test]
    fn eq_ne_absent_and_count() {
        pass("- object: {env: prod, kind: Deployment, name: web}\n  eq: {path: \"spec.template.spec.containers[name=web].image\", value: \"web:1\"}\n", &[]);
        fail(
            "- object: {env: prod, kind: Deployment, name: web}\n  eq: {path: spec.replicas, value: 3}\n",
            &[],
            "spec.replicas of Deployment p-web is 1, not 3",
        );
        fail("- object: {env: prod, kind: Deployment, name: web}\n  eq: {path: spec.paused, value: true}\n", &[], "has no spec.paused");
        pass("- object: {env: prod, kind: ConfigMap, name: cfg}\n  ne: {path: metadata.name, value: p-cfg}\n", &[]);
        fail("- object: {env: prod, kind: Deployment, name: web}\n  ne: {path: metadata.name, value: p-web}\n", &[], "is still p-web");
        pass("- object: {env: prod, kind: Deployment, name: web}\n  absent: spec.paused\n", &[]);
        fail("- object: {env: prod, kind: Deployment, name: web}\n  absent: spec.replicas\n", &[], "still has spec.replicas (1)");
        pass("- object: {env: prod, kind: Deployment, name: web}\n  count: {equals: 1}\n", &[]);
        pass("- object: {env: prod}\n  count: {kind: Service, equals: 0}\n", &[]);
        fail("- object: {env: prod}\n  count: {kind: ConfigMap, equals: 2}\n", &[], "renders 1 ConfigMap object (2 wanted)");
    }

    #[test]
    fn unchanged_and_differs_only() {
        let replicas = "resources: [../base]\nnamePrefix: p-\nreplicas: [{name: web, count: 3}]\n";
        pass("- unchanged: prod\n", &[]);
        fail(
            "- unchanged: prod\n",
            &[("prod/kustomization.yaml", Some(replicas))],
            "renders differently than at the start: Deployment p-web (spec.replicas)",
        );
        fail("- unchanged: prod\n", &[("prod/kustomization.yaml", Some(BROKEN))], "no longer builds");
        let base_replicas = "resources: [../base]\nreplicas: [{name: web, count: 3}]\n";
        pass("- differs_only: {from: base, to: prod, paths: [spec.replicas]}\n", &[("prod/kustomization.yaml", Some(base_replicas))]);
        fail(
            "- differs_only: {from: base, to: prod, paths: [spec.template]}\n",
            &[("prod/kustomization.yaml", Some(base_replicas))],
            "also differ in Deployment web (spec.replicas)",
        );
    }

    #[test]
    fn changed_files_are_within_the_globs() {
        let edit = [("prod/kustomization.yaml", Some("resources: [../base]\n"))];
        pass("- changed_files: [\"prod/**\"]\n", &edit);
        fail("- changed_files: [\"prod/**\"]\n", &[], "no file has changed yet");
        fail("- changed_files: [\"prod/**\"]\n", &[("base/d.yaml", None)], "changed outside prod/**: base/d.yaml");
    }

    #[test]
    fn patch_matches_counts_what_a_patch_selected() {
        let k = |name: &str| format!("resources: [../base]\npatches:\n- path: p.yaml\n  target: {{kind: Deployment, name: {}}}\n", name);
        let patch = Some("- op: replace\n  path: /spec/replicas\n  value: 2\n");
        let good = k("web");
        let bad = k("webapp");
        pass("- patch_matches: {file: prod/p.yaml}\n", &[("prod/kustomization.yaml", Some(&good)), ("prod/p.yaml", patch)]);
        fail(
            "- patch_matches: {file: prod/p.yaml}\n",
            &[("prod/kustomization.yaml", Some(&bad)), ("prod/p.yaml", patch)],
            "matched 0 resources (at least 1 wanted)",
        );
        fail(
            "- patch_matches: {file: prod/p.yaml, at_least: 2}\n",
            &[("prod/kustomization.yaml", Some(&good)), ("prod/p.yaml", patch)],
            "matched 1 resource (at least 2 wanted)",
        );
        fail("- patch_matches: {file: prod/p.yaml}\n", &[], "applies no patch from prod/p.yaml");
    }

    #[test]
    fn refs_resolve_finds_dangling_config_maps() {
        pass("- refs_resolve: prod\n", &[]);
        let no_generator = "resources: [d.yaml]\n";
        fail(
            "- refs_resolve: base\n",
            &[("base/kustomization.yaml", Some(no_generator))],
            "Deployment web refers to ConfigMap cfg (envFrom), which is not rendered",
        );
        let optional = DEPLOY.replace("{name: cfg}", "{name: cfg, optional: true}");
        pass("- refs_resolve: base\n", &[("base/kustomization.yaml", Some(no_generator)), ("base/d.yaml", Some(&optional))]);
    }

    fn flux_lesson(checks: &str, apps_extra: &str) -> (Lesson, MemFs) {
        let ks = |name: &str, extra: &str| {
            format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {}\n  namespace: flux-system\nspec:\n  interval: 1m\n  path: ./{}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n{}", name, name, extra)
        };
        let indent = |t: &str| t.lines().map(|l| format!("    {}\n", l)).collect::<String>();
        let cm = |n: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n  namespace: default\n", n);
        let text = format!(
            "id: f\ntitle: F\nmode: flux\ncluster: clusters/prod\nstart:\n  clusters/prod/infra.yaml: |\n{}  clusters/prod/apps.yaml: |\n{}  infra/a.yaml: |\n{}  apps/b.yaml: |\n{}checks:\n{}solution: {{}}\n",
            indent(&ks("infra", "")),
            indent(&ks("apps", apps_extra)),
            indent(&cm("a")),
            indent(&cm("b")),
            checks
        );
        let l = super::super::parse("/f.yaml", &text).unwrap_or_else(|e| panic!("{}", e));
        let tree = super::super::tree(&l, false);
        (l, tree)
    }

    fn flux_outcome(checks: &str, apps_extra: &str, edits: &[(&str, Option<&str>)]) -> Outcome {
        let (l, mut tree) = flux_lesson(checks, apps_extra);
        for (p, t) in edits {
            match t {
                Some(t) => tree.insert(&format!("/{}", p), t.as_bytes().to_vec()),
                None => {
                    tree.remove(&format!("/{}", p));
                }
            }
        }
        check(&l, &tree).outcomes.remove(0)
    }

    #[test]
    fn flux_ready_and_applied_before() {
        let depends = "  dependsOn:\n  - name: infra\n";
        assert!(flux_outcome("- flux_ready: apps\n", "", &[]).ok);
        let o = flux_outcome("- flux_ready: apps\n", "", &[("apps/b.yaml", Some("kind: [\n"))]);
        assert!(!o.ok && o.message.contains("Kustomization flux-system/apps fails"), "{}", o.message);
        let o = flux_outcome("- flux_ready: apps\n", depends, &[("infra/a.yaml", Some("kind: [\n"))]);
        assert!(!o.ok && o.message.contains("waits: dependency 'flux-system/infra' is not ready"), "{}", o.message);
        let o = flux_outcome("- flux_ready: web\n", "", &[]);
        assert!(!o.ok && o.message.contains("no Flux Kustomization web (it has"), "{}", o.message);
        assert!(flux_outcome("- applied_before: {first: infra, then: apps}\n", depends, &[]).ok);
        assert!(flux_outcome("- applied_before: {first: ConfigMap/a, then: ConfigMap/b}\n", depends, &[]).ok);
        let o = flux_outcome("- applied_before: {first: infra, then: apps}\n", "", &[]);
        assert!(!o.ok && o.message.contains("reconcile in parallel"), "{}", o.message);
        let o = flux_outcome("- applied_before: {first: apps, then: infra}\n", depends, &[]);
        assert!(!o.ok, "{}", o.message);
    }

    #[test]
    fn prunes_nothing_sees_deletes_and_races() {
        assert!(flux_outcome("- prunes_nothing: clusters/prod\n", "", &[]).ok);
        let o = flux_outcome(
            "- prunes_nothing: clusters/prod\n",
            "",
            &[
                ("apps/b.yaml", None),
                ("apps/c.yaml", Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n")),
            ],
        );
        assert!(!o.ok && o.message.contains("ConfigMap/default/b deleted"), "{}", o.message);
        let moved = flux_outcome(
            "- prunes_nothing: clusters/prod\n",
            "",
            &[
                ("apps/b.yaml", Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n")),
                ("infra/b.yaml", Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: default\n")),
            ],
        );
        assert!(!moved.ok && moved.message.contains("moves to flux-system/infra"), "{}", moved.message);
    }

    #[test]
    fn variants_run_the_checks_again_with_their_files_and_substitutions() {
        let mut l = lesson("- object: {env: prod, kind: Deployment, name: web}\n  eq: {path: metadata.name, value: p-web}\n");
        l.variants.push(Variant {
            name: "qa".into(),
            files: [("prod/kustomization.yaml".to_string(), Some("resources: [../base]\nnamePrefix: q-\n".to_string()))]
                .into_iter()
                .collect(),
            substitute: vec![("p-web".into(), "q-web".into())],
        });
        let r = check(&l, &super::super::tree(&l, false));
        assert_eq!(r.outcomes.len(), 2);
        assert!(r.passed(), "{:#?}", r);
        l.variants[0].substitute.clear();
        let r = check(&l, &super::super::tree(&l, false));
        assert!(!r.outcomes[1].ok && r.outcomes[1].variant.as_deref() == Some("qa"), "{:#?}", r);
    }
}
