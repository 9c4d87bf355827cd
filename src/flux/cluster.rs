//! A cluster as Flux sees it: the objects of a `clusters/<env>` directory
//! (built from its own kustomization, or from the one Flux generates), the
//! Kustomizations among them (and those they render in turn), each one
//! built the way the controller builds it.

use super::artifact;
use super::generate::{self, Generated};
use super::kustomization::{is_flux_kustomization, FluxKustomization, Key};
use super::order;
use super::sourceignore::{SourceIgnore, Visible};
use super::substitute::{self, Unresolved, Variables};
use crate::error::{Error, Result};
use crate::fs::Overlay;
use crate::fs::{self, Files};
use crate::kustomize::{self, BuildOptions, LoadRestrictor, ResId, Resource};
use crate::yaml::{parse_documents, Node, Span, Value};
use std::collections::BTreeMap;

pub const OWNER_NAME: &str = "kustomize.toolkit.fluxcd.io/name";
pub const OWNER_NAMESPACE: &str = "kustomize.toolkit.fluxcd.io/namespace";

#[derive(Clone, Debug)]
pub struct Options {
    /// Fail on `${var}` with no value and no default. On by default, as in
    /// the controller since v1.9 (the `flux` CLI still defaults to off).
    pub strict_substitute: bool,
    /// The sources that are this repository itself: a GitRepository's
    /// name, or `Kind/name` (`OCIRepository/flux-system`). Empty:
    /// `GitRepository/flux-system`, the name bootstrap gives it;
    /// `discover::load` puts in the ones the repository names.
    pub self_sources: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options { strict_substitute: true, self_sources: Vec::new() }
    }
}

impl Options {
    /// Whether the source `kind`/`name` is this repository.
    pub fn is_self_source(&self, kind: &str, name: &str) -> bool {
        if self.self_sources.is_empty() {
            return kind == "GitRepository" && name == "flux-system";
        }
        self.self_sources.iter().any(|s| match s.split_once('/') {
            Some((k, n)) => k == kind && n == name,
            None => kind == "GitRepository" && s == name,
        })
    }
}

#[derive(Clone, Debug)]
pub enum Status {
    Rendered,
    /// Its source is not this repository: nothing to build here.
    External(String),
    Failed(Error),
}

/// One Flux Kustomization of the cluster and what it renders.
#[derive(Clone, Debug)]
pub struct Unit {
    pub ks: FluxKustomization,
    /// The repository directory its source's root is: the repository root,
    /// or where an ArtifactGenerator copies the artifact from.
    pub source_root: Option<String>,
    /// The directory `spec.path` resolves to.
    pub dir: Option<String>,
    pub generated: Option<Generated>,
    /// The kustomize output before post-build steps, with source spans.
    pub built: Vec<Resource>,
    /// What gets applied, in apply order.
    pub objects: Vec<Node>,
    pub status: Status,
    pub unresolved: Vec<Unresolved>,
    pub warnings: Vec<String>,
    /// What the kustomize build noticed and did not fail on (a patch that
    /// matched nothing, a changed selector, …).
    pub notes: Vec<kustomize::Note>,
    /// The Kustomization that applies this one; `None` for the cluster directory.
    pub parent: Option<Key>,
    /// Its `dependsOn` entries that will not become ready because they fail
    /// (or are blocked in turn): the controller waits and applies nothing.
    pub blocked_by: Vec<Key>,
}

impl Unit {
    /// The controller's message while it waits for `blocked_by`.
    pub fn blocked_message(&self) -> Option<String> {
        self.blocked_by.first().map(|k| format!("dependency '{}' is not ready", k))
    }
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub root: String,
    pub dir: String,
    /// The Kustomization whose path is the cluster directory (flux-system).
    pub root_ks: Option<Key>,
    pub root_spec: Option<FluxKustomization>,
    /// The cluster directory's own objects, in apply order.
    pub dir_objects: Vec<Node>,
    pub units: Vec<Unit>,
    /// Indexes into `units` in the order Flux reconciles them.
    pub order: std::result::Result<Vec<usize>, Error>,
    /// Second declarations of a Kustomization name: (key, where).
    pub duplicates: Vec<(Key, Span)>,
    /// Failures that belong to no one Kustomization's build: the cluster
    /// directory's own build (then `dir_objects` is empty) and Flux
    /// Kustomization objects that cannot be read.
    pub errors: Vec<Error>,
    /// Notes on the cluster directory's own objects (encrypted Secrets shown masked).
    pub warnings: Vec<String>,
}

impl Cluster {
    pub fn unit(&self, key: &Key) -> Option<&Unit> {
        self.units.iter().find(|u| &u.ks.key == key)
    }
    /// Keys of everything `key` depends on, directly or not.
    pub fn dependency_closure(&self, key: &Key) -> Vec<Key> {
        let mut out: Vec<Key> = Vec::new();
        let mut todo = vec![key.clone()];
        while let Some(k) = todo.pop() {
            for d in self.unit(&k).map(|u| u.ks.depends_on.clone()).unwrap_or_default() {
                if !out.contains(&d.key) {
                    out.push(d.key.clone());
                    todo.push(d.key);
                }
            }
        }
        out
    }
}

/// Reads the cluster directory `dir` of the repository at `root`. Only a
/// missing directory is an error: a Kustomization that fails (even the
/// cluster directory's own build) is reported in the model, and the rest
/// still renders, as the controller reconciles each one on its own.
pub fn load(files: &dyn Files, dir: &str, root: &str, options: &Options) -> Result<Cluster> {
    if !files.is_dir(dir) {
        return Err(Error::in_file(dir, format!("cluster directory '{}' does not exist", dir)));
    }
    // Flux sees the repository as its artifact holds it.
    let ignore = SourceIgnore::load(files, root);
    let visible = Visible { base: files, keep: &ignore };
    let files: &dyn Files = &visible;
    let mut cluster = Cluster {
        root: root.to_string(),
        dir: dir.to_string(),
        root_ks: None,
        root_spec: None,
        dir_objects: Vec::new(),
        units: Vec::new(),
        order: Ok(Vec::new()),
        duplicates: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    // A broken cluster directory applies nothing, but the Kustomizations in
    // its parts that still build exist and reconcile on their own.
    let (mut dir_nodes, mut dir_ok): (Vec<Node>, bool) = match build_dir(files, dir, None) {
        Ok((_, out)) => (out.resources.resources.into_iter().map(|r| r.node).collect(), true),
        Err(e) => {
            cluster.errors.push(e);
            (salvage(files, dir, None), false)
        }
    };
    let mut queue: Vec<(FluxKustomization, Option<Key>)> = Vec::new();
    for n in &dir_nodes {
        if is_flux_kustomization(n) {
            let ks = match FluxKustomization::from_node(n, "default") {
                Ok(ks) => ks,
                Err(e) => {
                    cluster.errors.push(e);
                    continue;
                }
            };
            if is_self(&ks, options) && resolve(root, &ks.path).ok().as_deref() == Some(dir) {
                cluster.root_ks = Some(ks.key.clone());
                cluster.root_spec = Some(ks);
            } else {
                queue.push((ks, None));
            }
        }
    }
    // The root Kustomization's own overrides (patches, targetNamespace, …)
    // go into the directory's kustomization as into any other.
    if let Some(spec) = cluster.root_spec.clone().filter(|k| dir_ok && k.has_overrides()) {
        match build_dir(files, dir, Some(&spec)) {
            Ok((_, out)) => {
                dir_nodes = out.resources.resources.into_iter().map(|r| r.node).collect();
                queue = dir_nodes
                    .iter()
                    .filter(|n| is_flux_kustomization(n))
                    .filter_map(|n| FluxKustomization::from_node(n, "default").ok())
                    .filter(|ks| ks.key != spec.key)
                    .map(|ks| (ks, None))
                    .collect();
            }
            Err(e) => {
                cluster.errors.push(e);
                dir_ok = false;
            }
        }
    }
    // The root Kustomization's apply refuses an encrypted Secret it was not
    // told to decrypt, and then applies nothing of the directory.
    let refused = cluster.root_spec.as_ref().and_then(|ks| {
        let secret = dir_nodes.iter().find(|n| is_encrypted_secret(n) && !decryption_disabled(n))?;
        (!decrypts(ks)).then(|| encrypted_secret_error(secret))
    });
    if let Some(e) = refused {
        cluster.errors.push(e);
    } else if dir_ok {
        let mut dir_nodes = dir_nodes;
        for n in &mut dir_nodes {
            if let Some(w) = mask_sops(n) {
                cluster.warnings.push(w);
            }
            if let Some(key) = &cluster.root_ks {
                set_owner(n, key);
            }
        }
        cluster.dir_objects = in_apply_order(dir_nodes);
    }

    // Build everything found so far, then post-build it; Kustomizations that
    // those render join the queue, until no new ones appear.
    let mut seen: Vec<Key> = cluster.root_ks.iter().cloned().collect();
    let mut post_built: Vec<bool> = Vec::new();
    while !queue.is_empty() {
        let start = cluster.units.len();
        for (ks, parent) in std::mem::take(&mut queue) {
            if seen.contains(&ks.key) {
                cluster.duplicates.push((ks.key.clone(), ks.span.clone()));
                continue;
            }
            seen.push(ks.key.clone());
            let generators: Vec<&Node> = cluster
                .dir_objects
                .iter()
                .chain(cluster.units.iter().flat_map(|u| u.objects.iter()))
                .filter(|n| n.get_str("kind") == Some("ArtifactGenerator"))
                .collect();
            let unit = build_unit(files, root, ks, parent, options, &generators);
            cluster.units.push(unit);
            post_built.push(false);
        }
        for i in start..cluster.units.len() {
            post_build(&mut cluster, i, options, &mut post_built);
        }
        for i in start..cluster.units.len() {
            let unit = &cluster.units[i];
            // What a kubeConfig Kustomization applies lives in another
            // cluster: its Kustomizations are reconciled there, not here.
            if remote_cluster(&unit.ks).is_some() {
                continue;
            }
            // A failed Kustomization applies nothing; the Kustomizations it
            // applied before still reconcile, from what builds of it now.
            let found: Vec<Node> = match &unit.status {
                Status::Rendered => unit.objects.clone(),
                Status::Failed(_) if !unit.built.is_empty() => unit.built.iter().map(|r| r.node.clone()).collect(),
                Status::Failed(_) => match &unit.dir {
                    Some(d) if unit.source_root.as_deref() == Some(root) => salvage(files, d, Some(&unit.ks)),
                    _ => Vec::new(),
                },
                Status::External(_) => Vec::new(),
            };
            let failed = matches!(unit.status, Status::Failed(_));
            let parent = unit.ks.key.clone();
            for n in &found {
                if is_flux_kustomization(n) {
                    match FluxKustomization::from_node(n, "default") {
                        Ok(ks) => {
                            if !seen.contains(&ks.key) && !queue.iter().any(|(q, _)| q.key == ks.key) {
                                queue.push((ks, Some(parent.clone())));
                            }
                        }
                        Err(e) if !failed => cluster.errors.push(e),
                        Err(_) => {}
                    }
                }
            }
        }
    }
    // A source found only in a later round (applied by a Kustomization that
    // another one applies): post-build those again now that all are known.
    let retry: Vec<usize> = (0..cluster.units.len())
        .filter(|&i| matches!(&cluster.units[i].status, Status::Failed(e) if e.message.contains(MISSING_SOURCE)))
        .collect();
    for &i in &retry {
        cluster.units[i].status = Status::Rendered;
        post_built[i] = false;
    }
    for &i in &retry {
        post_build(&mut cluster, i, options, &mut post_built);
    }
    let failed: Vec<Key> = cluster.units.iter().filter(|u| matches!(u.status, Status::Failed(_))).map(|u| u.ks.key.clone()).collect();
    for u in &mut cluster.units {
        if let Some(p) = u.parent.as_ref().filter(|p| failed.contains(p)) {
            u.warnings.push(format!(
                "applied by Kustomization {}, which fails to build: it is in the cluster only if an earlier revision applied it",
                p
            ));
        }
    }
    let keys: Vec<Key> = cluster.units.iter().map(|u| u.ks.key.clone()).collect();
    let deps: Vec<_> = cluster.units.iter().map(|u| u.ks.depends_on.clone()).collect();
    cluster.order = order::dependency_order(&keys, &deps);
    mark_blocked(&mut cluster);
    Ok(cluster)
}

/// Whether the Kustomization's source is this repository.
pub fn is_self(ks: &FluxKustomization, options: &Options) -> bool {
    options.is_self_source(&ks.source.kind, &ks.source.name)
}

/// The other cluster a Kustomization applies to (`spec.kubeConfig`): the
/// name of the Secret or ConfigMap that holds its kubeconfig.
pub fn remote_cluster(ks: &FluxKustomization) -> Option<String> {
    let kc = ks.node.path(&["spec", "kubeConfig"]).filter(|k| !k.is_null())?;
    let name = ["secretRef", "configMapRef"].iter().find_map(|r| kc.path(&[r, "name"]).and_then(|n| n.as_str()));
    Some(name.unwrap_or("kubeConfig").to_string())
}

/// `spec.path` against the repository root; it may not leave the root.
pub fn resolve(root: &str, path: &str) -> std::result::Result<String, String> {
    let joined = fs::join(root, path.trim_start_matches('/'));
    if fs::is_within(&joined, root) {
        Ok(joined)
    } else {
        Err(format!("path '{}' leads outside the source", path))
    }
}

/// Builds a directory the controller's way: its kustomization (found or
/// generated, with `ks`'s overrides), loaded with no load restriction.
pub fn build_dir(files: &dyn Files, dir: &str, ks: Option<&FluxKustomization>) -> Result<(Generated, kustomize::Output)> {
    let generated = generate::kustomization_for(files, dir, ks)?;
    let mut layered = Overlay::new(files);
    layered.insert(&generated.file, generated.text.clone());
    let out =
        kustomize::build(&layered, dir, &BuildOptions { load_restrictor: LoadRestrictor::None }).map_err(|e| explain(e, &generated, ks))?;
    Ok((generated, out))
}

/// Whether `span` is a place in what the user wrote, not in the overrides
/// the controller writes into the kustomization (a parent's default patch
/// that matches nothing in this directory is by design, and its line is in
/// no file the user can open).
fn in_users_text(files: &dyn Files, generated: &Generated, span: &Span) -> bool {
    if *span.file != *generated.file {
        return true;
    }
    let Some(bytes) = files.read(&generated.file) else { return false };
    let line = |text: &str| text.lines().nth(span.line.saturating_sub(1) as usize).map(str::to_string);
    let disk = String::from_utf8_lossy(&bytes).into_owned();
    span.line > 0 && line(&disk).is_some() && line(&disk) == line(&generated.text)
}

/// What still builds of a directory whose build fails: the same build with
/// the resources entries that lead to each error left out, a few times.
/// Only for finding the Kustomizations it applies (they exist in the cluster
/// and reconcile on their own); the controller applies none of it.
fn salvage(files: &dyn Files, dir: &str, ks: Option<&FluxKustomization>) -> Vec<Node> {
    let mut patched = Overlay::new(files);
    for _ in 0..8 {
        let generated = match generate::kustomization_for(&patched, dir, ks) {
            Ok(g) => g,
            Err(e) => {
                // A file the generated kustomization cannot list: leave it out.
                match e.file() {
                    Some(f) if f != dir && fs::is_within(f, dir) && patched.is_file(f) => {
                        let f = f.to_string();
                        patched.hide(&f);
                        continue;
                    }
                    _ => return Vec::new(),
                }
            }
        };
        let mut layered = Overlay::new(&patched);
        layered.insert(&generated.file, generated.text.clone());
        let e = match kustomize::build(&layered, dir, &BuildOptions { load_restrictor: LoadRestrictor::None }) {
            Ok(out) => return out.resources.resources.into_iter().map(|r| r.node).collect(),
            Err(e) => e,
        };
        let Some(bad) = e.span.clone() else { return Vec::new() };
        let Some((kfile, rewritten)) = without_entry(&layered, &generated.file, &bad, 0) else { return Vec::new() };
        patched.insert(&kfile, rewritten);
    }
    Vec::new()
}

/// The kustomization file, from `kfile` down, whose `resources` entry leads
/// to the error at `bad` (the entry itself, or the file or folder it names),
/// and its text without that entry (as JSON).
fn without_entry(files: &dyn Files, kfile: &str, bad: &Span, depth: usize) -> Option<(String, String)> {
    if depth > 32 {
        return None;
    }
    let text = String::from_utf8(files.read(kfile)?.into_owned()).ok()?;
    let mut k = crate::kustomize::kustomization::parse(kfile, &text).ok()?;
    let base = fs::parent(kfile).to_string();
    let items = k.node.get("resources")?.as_seq()?.clone();
    let file: &str = &bad.file;
    let at = if file == kfile {
        let here = |r: &&Node| r.span.line == bad.line;
        items.iter().position(|r| here(&r) && r.span.col == bad.col).or_else(|| items.iter().position(|r| here(&r)))?
    } else {
        let at = items.iter().position(|r| {
            r.as_str().is_some_and(|p| {
                let path = fs::join(&base, p);
                path == file || (files.is_dir(&path) && fs::is_within(file, &path))
            })
        })?;
        let path = fs::join(&base, items[at].as_str()?);
        if files.is_dir(&path) {
            if let Some(inner) = crate::kustomize::kustomization::find_file(files, &path).ok().flatten() {
                if let Some(deeper) = without_entry(files, &inner, bad, depth + 1) {
                    return Some(deeper);
                }
            }
        }
        at
    };
    let mut rest = items;
    rest.remove(at);
    if rest.is_empty() {
        return None;
    }
    let span = k.node.span.clone();
    k.node.set("resources", Node::seq(rest, span));
    Some((kfile.to_string(), generate::to_json(&k.node)))
}

/// Marks the Kustomizations whose `dependsOn` will not become ready: a
/// dependency that fails, or is blocked in turn.
fn mark_blocked(cluster: &mut Cluster) {
    loop {
        let not_ready: Vec<Key> = cluster
            .units
            .iter()
            .filter(|u| matches!(u.status, Status::Failed(_)) || !u.blocked_by.is_empty())
            .map(|u| u.ks.key.clone())
            .collect();
        let mut changed = false;
        for u in &mut cluster.units {
            for d in &u.ks.depends_on {
                if not_ready.contains(&d.key) && !u.blocked_by.contains(&d.key) && d.key != u.ks.key {
                    u.blocked_by.push(d.key.clone());
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// Says so when an error lies in text the controller wrote.
fn explain(mut e: Error, generated: &Generated, ks: Option<&FluxKustomization>) -> Error {
    if e.file() != Some(generated.file.as_str()) {
        return e;
    }
    let user_lines =
        if generated.created { 0 } else { generated.text.split("\n# written by Flux").next().unwrap_or("").lines().count() as u32 };
    let line = e.span.as_ref().map(|s| s.line).unwrap_or(0);
    if generated.created {
        e.message.push_str(" (in the kustomization.yaml Flux generates for this directory)");
    } else if line > user_lines {
        if let Some(ks) = ks {
            e.message.push_str(&format!(" (in the overrides Flux writes from Kustomization {}, declared at {})", ks.key, ks.span));
        }
    }
    e
}

fn build_unit(files: &dyn Files, root: &str, ks: FluxKustomization, parent: Option<Key>, options: &Options, generators: &[&Node]) -> Unit {
    let mut unit = Unit {
        ks,
        source_root: None,
        dir: None,
        generated: None,
        built: Vec::new(),
        objects: Vec::new(),
        status: Status::Rendered,
        unresolved: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
        parent,
        blocked_by: Vec::new(),
    };
    let s = unit.ks.source.clone();
    let external = |why: String| Status::External(format!("source {}/{}/{} {}", s.kind, s.namespace, s.name, why));
    // The source: this repository, or an artifact copied from it.
    let mapping = if is_self(&unit.ks, options) {
        None
    } else if s.kind == "ExternalArtifact" {
        let generator = generators.iter().find(|g| {
            let ns = g.path(&["metadata", "namespace"]).and_then(|n| n.as_str()).unwrap_or("default");
            ns == s.namespace
                && g.path(&["spec", "artifacts"])
                    .and_then(|a| a.as_seq())
                    .is_some_and(|a| a.iter().any(|x| x.get_str("name") == Some(s.name.as_str())))
        });
        let Some(generator) = generator else {
            unit.status = external("is not generated from this repository by any ArtifactGenerator in this cluster".to_string());
            return unit;
        };
        let is_self_source = |kind: &str, name: &str| options.is_self_source(kind, name);
        match artifact::mapping(files, root, generator, &s.name, &is_self_source) {
            Ok(m) => Some(m),
            Err(why) => {
                unit.status = external(format!("cannot be simulated: {}", why));
                return unit;
            }
        }
    } else {
        unit.status = external("is not this repository".to_string());
        return unit;
    };
    let source_root = mapping.as_ref().map(|m| m.root.clone()).unwrap_or_else(|| root.to_string());
    unit.source_root = Some(source_root.clone());
    let subset = mapping.as_ref().map(|m| artifact::Subset { base: files, keep: m });
    let view: &dyn Files = match &subset {
        Some(v) => v,
        None => files,
    };
    let dir = match resolve(&source_root, &unit.ks.path) {
        Ok(d) => d,
        Err(m) => {
            unit.status = Status::Failed(Error::at(&unit.ks.span_of("path"), m));
            return unit;
        }
    };
    unit.dir = Some(dir.clone());
    if !view.is_dir(&dir) {
        let msg = format!("kustomization path not found: {} (looked for {})", unit.ks.path, dir);
        unit.status = Status::Failed(Error::at(&unit.ks.span_of("path"), msg));
        return unit;
    }
    match build_dir(view, &dir, Some(&unit.ks)) {
        Ok((generated, out)) => {
            unit.notes = out.notes.into_iter().filter(|n| in_users_text(view, &generated, &n.span)).collect();
            unit.generated = Some(generated);
            unit.warnings = out.warnings;
            unit.built = out.resources.resources;
            for r in &unit.built {
                let id = r.id();
                if id.name.is_empty() || id.gvk.kind.is_empty() || id.gvk.version.is_empty() {
                    unit.status =
                        Status::Failed(Error::at(&r.source, "failed to decode Kubernetes apiVersion, kind and name from this object"));
                }
            }
        }
        Err(e) => unit.status = Status::Failed(e),
    }
    unit
}

/// Substitution, the apply's SOPS check, commonMetadata, owner labels,
/// apply order. `done` marks the units already post-built: a unit whose
/// `substituteFrom` names an object another unit renders post-builds that
/// one first, so it reads the values as applied.
fn post_build(cluster: &mut Cluster, i: usize, options: &Options, done: &mut Vec<bool>) {
    if done[i] {
        return;
    }
    done[i] = true;
    if !matches!(cluster.units[i].status, Status::Rendered) {
        return;
    }
    let ks = cluster.units[i].ks.clone();
    if let Some(pb) = &ks.post_build {
        for r in &pb.substitute_from {
            for j in 0..cluster.units.len() {
                if !done[j] && cluster.units[j].built.iter().any(|b| is_source(&b.node, &r.kind, &r.name, &ks.key.namespace)) {
                    post_build(cluster, j, options, done);
                }
            }
        }
    }
    let mut nodes: Vec<Node> = cluster.units[i].built.iter().map(|r| r.node.clone()).collect();
    let mut unresolved = Vec::new();
    let mut warnings = Vec::new();
    let result = (|| -> Result<()> {
        let Some(pb) = &ks.post_build else { return Ok(()) };
        // The controller reads the variables for each object it substitutes:
        // with none to substitute, a missing source is no error.
        let Some(first) = nodes.iter().find(|n| !substitute::is_disabled(n)) else { return Ok(()) };
        let id = ResId::of(first);
        let in_object =
            |e: Error| Error { message: format!("post build failed for '{}/{}': {}", id.gvk.dotted(), id.name, e.message), ..e };
        let (vars, masked) = variables(cluster, &ks).map_err(in_object)?;
        if vars.is_empty() && !pb.always {
            return Ok(());
        }
        for n in nodes.iter_mut().filter(|n| !substitute::is_disabled(n)) {
            let id = ResId::of(n);
            let mut read = Vec::new();
            substitute::substitute_resource_reading(n, &vars, options.strict_substitute, &mut unresolved, &mut read)
                .map_err(|e| Error { message: format!("post build failed for '{}/{}': {}", id.gvk.dotted(), id.name, e.message), ..e })?;
            for (name, span) in read {
                if let Some(source) = masked.get(&name) {
                    warnings.push(format!(
                        "{}:{}: ${{{}}} comes from the SOPS-encrypted {}: the cluster decrypts it, shown here as {}",
                        span.file, span.line, name, source, SOPS_MASK
                    ));
                }
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        cluster.units[i].status = Status::Failed(e);
        return;
    }
    // The apply refuses encrypted Secrets it was not told to decrypt.
    if let Some(secret) = nodes.iter().find(|n| is_encrypted_secret(n) && !decryption_disabled(n)) {
        if !decrypts(&ks) {
            cluster.units[i].status = Status::Failed(encrypted_secret_error(secret));
            return;
        }
    }
    // What the cluster decrypts is shown as `flux build` shows it.
    for n in &mut nodes {
        if let Some(w) = mask_sops(n) {
            warnings.push(w);
        }
    }
    // The controller sets the owner labels as it reads the build, and
    // commonMetadata later in its apply step: commonMetadata wins a clash.
    for n in &mut nodes {
        set_owner(n, &ks.key);
        for (k, v) in &ks.common_labels {
            set_meta(n, "labels", k, v);
        }
        for (k, v) in &ks.common_annotations {
            set_meta(n, "annotations", k, v);
        }
    }
    let unit = &mut cluster.units[i];
    unit.unresolved = unresolved;
    for w in warnings {
        if !unit.warnings.contains(&w) {
            unit.warnings.push(w);
        }
    }
    unit.objects = in_apply_order(nodes);
}

/// Whether the controller decrypts this Kustomization's SOPS documents.
fn decrypts(ks: &FluxKustomization) -> bool {
    ks.node.path(&["spec", "decryption", "provider"]).and_then(|p| p.as_str()).is_some_and(|p| !p.is_empty())
}

fn encrypted_secret_error(secret: &Node) -> Error {
    let id = ResId::of(secret);
    Error::at(
        &secret.span,
        format!(
            "Secret/{}/{} is SOPS encrypted, configuring decryption is required for this secret to be reconciled",
            id.namespace, id.name
        ),
    )
}

/// What `flux build` prints for an encrypted value (its base64 in `data`).
pub const SOPS_MASK: &str = "**SOPS**";

/// Whether the apply sees a SOPS-encrypted Secret (decryptor.IsEncryptedSecret).
fn is_encrypted_secret(node: &Node) -> bool {
    node.get_str("kind") == Some("Secret") && node.get_str("apiVersion") == Some("v1") && node.get("sops").is_some()
}

/// Masks a Secret's encrypted values as `flux build` does: a Secret with a
/// `sops` block (and its `mac`) loses the block and every value; otherwise
/// only values that are themselves SOPS documents are masked. Returns the
/// warning to show, if anything was masked.
pub fn mask_sops(node: &mut Node) -> Option<String> {
    if node.get_str("kind") != Some("Secret") {
        // flux build shows other encrypted objects as they are.
        let id = ResId::of(node);
        return node.get("sops").map(|_| {
            format!(
                "{}:{}: {} {} is SOPS-encrypted: the cluster decrypts it; shown encrypted, as flux build shows it",
                node.span.file, node.span.line, id.gvk.kind, id.name
            )
        });
    }
    let whole = node.get("sops").is_some_and(|s| s.get("mac").and_then(|m| m.as_str()).is_some_and(|m| m.starts_with("ENC[")));
    let docker = node.get_str("type") == Some("kubernetes.io/dockerconfigjson");
    let encoded_mask = base64_encode(SOPS_MASK.as_bytes());
    let docker_mask = "{\"mask\":\"**SOPS**\"}";
    let mut masked = 0;
    for field in ["data", "stringData"] {
        let encoded = field == "data";
        let Some(map) = node.get_mut(field) else { continue };
        let Value::Map(entries) = &mut map.value else { continue };
        for (_, v) in entries.iter_mut() {
            let Some(text) = v.as_str().map(String::from) else { continue };
            let replacement = if whole {
                match (docker, encoded) {
                    (true, true) => base64_encode(docker_mask.as_bytes()),
                    (true, false) => docker_mask.to_string(),
                    (false, true) => encoded_mask.clone(),
                    (false, false) => SOPS_MASK.to_string(),
                }
            } else {
                let plain = if encoded { String::from_utf8_lossy(&base64_decode(&text)).into_owned() } else { text.clone() };
                if !(plain.contains("sops") && plain.contains("ENC[")) {
                    continue;
                }
                // flux build writes the base64 mask into stringData too.
                encoded_mask.clone()
            };
            *v = Node::string(&replacement, v.span.clone());
            masked += 1;
        }
    }
    if whole {
        node.remove("sops");
    } else if masked == 0 {
        return None;
    }
    let id = ResId::of(node);
    let ns = if id.namespace.is_empty() { String::new() } else { format!("{}/", id.namespace) };
    Some(format!(
        "{}:{}: Secret {}{} is SOPS-encrypted: the cluster decrypts it; its values are shown masked, as flux build shows them",
        node.span.file, node.span.line, ns, id.name
    ))
}

fn base64_encode(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The variables of a Kustomization: `substituteFrom` in order, then
/// `substitute`; and, for the names whose value is encrypted, where they
/// come from.
fn variables(cluster: &Cluster, ks: &FluxKustomization) -> Result<(Variables, BTreeMap<String, String>)> {
    let mut vars = Variables::default();
    let mut masked = BTreeMap::new();
    let Some(pb) = &ks.post_build else { return Ok((vars, masked)) };
    let ns = &ks.key.namespace;
    for r in &pb.substitute_from {
        if r.kind != "ConfigMap" && r.kind != "Secret" {
            continue;
        }
        match find_source_object(cluster, &r.kind, &r.name, ns) {
            Some(obj) => {
                let sops = obj.get("sops").is_some();
                for (k, v) in data_of(&obj) {
                    // The applied copy of an encrypted Secret is masked, an
                    // encrypted ConfigMap still holds ciphertext: the value
                    // the cluster decrypts is unknown here.
                    if is_mask(&v) || (sops && v.starts_with("ENC[")) {
                        masked.insert(k.clone(), format!("{} {}/{}", r.kind, ns, r.name));
                        vars.set(&k, SOPS_MASK);
                    } else {
                        masked.remove(&k);
                        vars.set(&k, &v);
                    }
                }
            }
            None if r.optional => {}
            None => {
                // The API server's NotFound, as the controller reports it.
                let resource = if r.kind == "Secret" { "secrets" } else { "configmaps" };
                return Err(Error::at(
                    &r.span,
                    format!(
                        "substitute from '{}/{}' error: {} \"{}\" not found (no Kustomization of this cluster applies {} {}/{}{}",
                        r.kind, r.name, resource, r.name, r.kind, ns, r.name, MISSING_SOURCE
                    ),
                ));
            }
        }
    }
    for (k, v) in &pb.substitute {
        masked.remove(k);
        vars.set(k, v);
    }
    vars.check_names().map_err(|m| Error::at(&ks.span_of("postBuild"), m))?;
    Ok((vars, masked))
}

/// The end of a missing-source message, which also marks it for a retry.
const MISSING_SOURCE: &str = "; one made outside Flux is not known here)";

fn is_source(n: &Node, kind: &str, name: &str, namespace: &str) -> bool {
    let id = ResId::of(n);
    id.gvk.kind == kind && id.gvk.group.is_empty() && id.name == name && id.namespace == namespace
}

/// A ConfigMap or Secret for `substituteFrom`, only among the objects this
/// cluster applies (the cluster directory's and those of the Kustomizations
/// that render), in the Flux Kustomization's namespace.
fn find_source_object(cluster: &Cluster, kind: &str, name: &str, namespace: &str) -> Option<Node> {
    let applying = cluster.units.iter().filter(|u| matches!(u.status, Status::Rendered) && !u.ks.suspend);
    let mut candidates = cluster.dir_objects.iter().chain(applying.flat_map(|u| u.objects.iter()));
    candidates.find(|n| is_source(n, kind, name, namespace) && skipped(n).is_none()).cloned()
}

/// Whether a (decoded) Secret value is one `mask_sops` wrote.
fn is_mask(value: &str) -> bool {
    value == SOPS_MASK || value == base64_encode(SOPS_MASK.as_bytes()) || value.contains("\"mask\":\"**SOPS**\"")
}

/// Calls `f` with every YAML file below `dir`, skipping hidden directories.
pub fn walk_yaml(files: &dyn Files, dir: &str, depth: usize, f: &mut dyn FnMut(&str, &str)) {
    let mut budget = crate::limits::WALK_BUDGET;
    walk_yaml_within(files, dir, depth, f, &mut budget);
}

fn walk_yaml_within(files: &dyn Files, dir: &str, depth: usize, f: &mut dyn FnMut(&str, &str), budget: &mut usize) {
    if depth > 64 || *budget == 0 {
        return;
    }
    *budget -= 1;
    for name in files.list(dir) {
        if name.starts_with('.') || name == "node_modules" {
            continue;
        }
        let path = fs::join(dir, &name);
        if files.is_dir(&path) {
            walk_yaml_within(files, &path, depth + 1, f, budget);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            if let Some(bytes) = files.read(&path) {
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    f(&path, text);
                }
            }
        }
    }
}

/// The key/value data of a ConfigMap or Secret (Secret `data` decoded,
/// `stringData` on top as the API server merges it).
fn data_of(node: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let pairs = |field: &str| -> Vec<(String, String)> {
        node.get(field)
            .and_then(|d| d.as_map())
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str().unwrap_or("").to_string()))).collect())
            .unwrap_or_default()
    };
    if node.get_str("kind") == Some("Secret") {
        for (k, v) in pairs("data") {
            out.push((k, String::from_utf8_lossy(&base64_decode(&v)).into_owned()));
        }
        out.extend(pairs("stringData"));
    } else {
        out.extend(pairs("data"));
    }
    out
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter_map(value) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn decryption_disabled(node: &Node) -> bool {
    node.path(&["metadata", "annotations", "kustomize.toolkit.fluxcd.io/decrypt"])
        .and_then(|n| n.as_str())
        .is_some_and(|v| v.eq_ignore_ascii_case("disabled"))
}

/// Why the apply skips an object: the controller's exclusion selector
/// (`reconcile: disabled` or `ssa: Ignore`, label or annotation, any case).
pub fn skipped(node: &Node) -> Option<String> {
    for (key, value) in [("kustomize.toolkit.fluxcd.io/reconcile", "disabled"), ("kustomize.toolkit.fluxcd.io/ssa", "ignore")] {
        for field in ["annotations", "labels"] {
            let v = node.path(&["metadata", field, key]).and_then(|n| n.as_str()).unwrap_or("");
            if !v.is_empty() && v.eq_ignore_ascii_case(value) {
                return Some(format!("{}: {}", key, v));
            }
        }
    }
    None
}

pub fn set_owner(node: &mut Node, key: &Key) {
    set_meta(node, "labels", OWNER_NAME, &key.name);
    set_meta(node, "labels", OWNER_NAMESPACE, &key.namespace);
}

/// Sets `metadata.<field>.<key>`, creating the maps as needed.
pub fn set_meta(node: &mut Node, field: &str, key: &str, value: &str) {
    let span = node.span.clone();
    if let Some(meta) = node.entry_map("metadata") {
        if let Some(map) = meta.entry_map(field) {
            map.set(key, Node::string(value, span));
        }
    }
}

fn in_apply_order(nodes: Vec<Node>) -> Vec<Node> {
    let refs: Vec<&Node> = nodes.iter().collect();
    let idx = order::apply_order(&refs);
    idx.into_iter().map(|i| nodes[i].clone()).collect()
}

/// The repository root for a cluster directory when none is given: the
/// nearest ancestor where the paths of the directory's Kustomizations
/// exist, or else the nearest one with a `.git`. The paths come first: an
/// example repository may sit inside another git repository.
pub fn guess_root(files: &dyn Files, dir: &str) -> String {
    let ancestors: Vec<String> = {
        let mut v = vec![dir.to_string()];
        let mut d = dir.to_string();
        while d != "/" {
            d = fs::parent(&d).to_string();
            v.push(d.clone());
        }
        v
    };
    let mut paths = Vec::new();
    walk_yaml(files, dir, 62, &mut |path, text| {
        for d in parse_documents(path, text).unwrap_or_default() {
            let from_git = d.path(&["spec", "sourceRef", "kind"]).and_then(|n| n.as_str()) == Some("GitRepository");
            if is_flux_kustomization(&d) && from_git {
                if let Some(p) = d.path(&["spec", "path"]).and_then(|n| n.as_str()) {
                    paths.push(p.trim_start_matches('/').to_string());
                }
            }
        }
    });
    if !paths.is_empty() {
        if let Some(a) = ancestors.iter().find(|a| paths.iter().all(|p| files.is_dir(&fs::join(a, p)))) {
            return a.clone();
        }
    }
    if let Some(a) = ancestors.iter().find(|a| files.exists(&fs::join(a, ".git"))) {
        return a.clone();
    }
    fs::parent(fs::parent(dir)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn repo() -> MemFs {
        let mut fs = MemFs::new();
        fs.insert("/clusters/prod/infra.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: infra\n  namespace: flux-system\nspec:\n  interval: 10m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./infra\n  prune: true\n");
        fs.insert("/clusters/prod/apps.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  dependsOn:\n  - name: infra\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./apps\n  prune: true\n  targetNamespace: prod\n  commonMetadata:\n    labels:\n      team: a\n  postBuild:\n    substitute:\n      replicas: \"3\"\n    substituteFrom:\n    - kind: ConfigMap\n      name: cluster-vars\n");
        fs.insert("/clusters/prod/vars.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  env: production\n  replicas: \"1\"\n");
        fs.insert("/infra/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n");
        fs.insert("/apps/web.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  labels:\n    env: ${env}\ndata:\n  replicas: ${replicas}\n  literal: $${env}\n");
        fs
    }

    #[test]
    fn renders_each_kustomization_like_the_controller() {
        let fs = repo();
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let order: Vec<&str> = c.order.as_ref().unwrap().iter().map(|&i| c.units[i].ks.key.name.as_str()).collect();
        assert_eq!(order, vec!["infra", "apps"]);
        let apps = c.unit(&Key { namespace: "flux-system".into(), name: "apps".into() }).unwrap();
        assert!(matches!(apps.status, Status::Rendered), "{:?}", apps.status);
        let web = &apps.objects[0];
        let get = |p: &[&str]| web.path(p).and_then(|n| n.as_str()).unwrap_or("").to_string();
        assert_eq!(get(&["metadata", "namespace"]), "prod");
        assert_eq!(get(&["metadata", "labels", "env"]), "production");
        assert_eq!(get(&["metadata", "labels", "team"]), "a");
        assert_eq!(get(&["metadata", "labels", OWNER_NAME]), "apps");
        assert_eq!(get(&["metadata", "labels", OWNER_NAMESPACE]), "flux-system");
        // Inline `substitute` wins over substituteFrom; `$${}` escapes.
        assert_eq!(get(&["data", "replicas"]), "3");
        assert_eq!(get(&["data", "literal"]), "${env}");
    }

    #[test]
    fn strict_substitution_fails_on_missing_variables() {
        let mut fs = repo();
        fs.insert("/apps/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  x: ${nope}\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let apps = &c.units[0];
        match &apps.status {
            Status::Failed(e) => {
                assert!(e.message.contains("variable not set (strict mode): \"nope\""), "{}", e.message);
                assert_eq!(e.span.as_ref().unwrap().file.as_ref(), "/apps/extra.yaml");
                assert_eq!(e.span.as_ref().unwrap().line, 6);
            }
            s => panic!("{:?}", s),
        }
        let lax = load(&fs, "/clusters/prod", "/", &Options { strict_substitute: false, ..Options::default() }).unwrap();
        assert_eq!(lax.units[0].unresolved[0].name, "nope");
    }

    #[test]
    fn other_sources_are_external_and_the_cluster_directory_is_the_root() {
        let mut fs = repo();
        fs.insert("/clusters/prod/tenant.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: tenant\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: team-repo\n  path: ./deploy\n  prune: true\n");
        fs.insert("/clusters/prod/flux-system/kustomization.yaml", "resources: [gotk-sync.yaml]\n");
        fs.insert("/clusters/prod/flux-system/gotk-sync.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./clusters/prod\n  prune: true\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert_eq!(c.root_ks.as_ref().map(|k| k.name.as_str()), Some("flux-system"));
        let tenant = c.unit(&Key { namespace: "flux-system".into(), name: "tenant".into() }).unwrap();
        assert!(matches!(&tenant.status, Status::External(m) if m.contains("GitRepository/flux-system/team-repo")));
        // The root Kustomization owns the cluster directory's objects.
        assert!(c.dir_objects.iter().all(|n| n.path(&["metadata", "labels", OWNER_NAME]).and_then(|v| v.as_str()) == Some("flux-system")));
        assert_eq!(c.units.len(), 3);
    }

    #[test]
    fn external_artifacts_copied_from_this_repository_are_built() {
        let mut fs = MemFs::new();
        fs.insert("/clusters/staging/artifacts.yaml", "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: gen\n  namespace: flux-system\nspec:\n  sources:\n  - alias: repo\n    kind: GitRepository\n    name: flux-system\n  artifacts:\n  - name: apps\n    copy:\n    - from: \"@repo/apps/base/**\"\n      to: \"@artifact/base/\"\n    - from: \"@repo/apps/staging/**\"\n      to: \"@artifact/staging/\"\n");
        fs.insert("/clusters/staging/apps.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: ExternalArtifact\n    name: apps\n  path: ./staging\n  prune: true\n");
        fs.insert("/apps/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
        fs.insert("/apps/base/kustomization.yaml", "resources: [cm.yaml]\n");
        fs.insert("/apps/staging/kustomization.yaml", "namespace: staging\nresources: [../base]\n");
        // Not copied into the artifact: a reference to it fails, as in Flux.
        fs.insert("/apps/production/kustomization.yaml", "namespace: production\nresources: [../base]\n");
        let c = load(&fs, "/clusters/staging", "/", &Options::default()).unwrap();
        let apps = &c.units[0];
        assert!(matches!(apps.status, Status::Rendered), "{:?}", apps.status);
        assert_eq!(apps.source_root.as_deref(), Some("/apps"));
        assert_eq!(apps.dir.as_deref(), Some("/apps/staging"));
        assert_eq!(apps.objects[0].path(&["metadata", "namespace"]).and_then(|n| n.as_str()), Some("staging"));
        assert_eq!(apps.built[0].source.file.as_ref(), "/apps/base/cm.yaml");
    }

    #[test]
    fn encrypted_secrets_need_decryption() {
        let mut fs = repo();
        fs.insert("/infra/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: prod\ndata:\n  k: ENC[AES256_GCM,data:x]\nsops:\n  version: 3.8.1\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let infra = c.unit(&Key { namespace: "flux-system".into(), name: "infra".into() }).unwrap();
        assert!(matches!(&infra.status, Status::Failed(e) if e.message.contains("SOPS encrypted")), "{:?}", infra.status);
    }

    #[test]
    fn errors_in_what_flux_writes_say_so() {
        let mut fs = repo();
        fs.insert("/infra/kustomization.yaml", "resources: [ns.yaml]\n");
        let text = String::from_utf8(fs.get("/clusters/prod/infra.yaml").unwrap().to_vec()).unwrap();
        fs.insert("/clusters/prod/infra.yaml", text + "  components: [../nope]\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let infra = c.unit(&Key { namespace: "flux-system".into(), name: "infra".into() }).unwrap();
        match &infra.status {
            Status::Failed(e) => {
                assert!(e.message.contains("in the overrides Flux writes from Kustomization flux-system/infra"), "{}", e.message)
            }
            s => panic!("{:?}", s),
        }
    }

    #[test]
    fn sourceignored_files_are_not_in_the_artifact() {
        let mut fs = repo();
        fs.insert("/infra/values.yaml", "replicas: 3\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert!(matches!(c.units[1].status, Status::Failed(_)), "not Kubernetes YAML fails the generated kustomization");
        fs.insert("/.sourceignore", "values.yaml\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert!(matches!(c.units[1].status, Status::Rendered), "{:?}", c.units[1].status);
    }

    #[test]
    fn secrets_and_the_always_strategy() {
        let mut fs = repo();
        // "eu-west-1\n" in base64: the newline is stripped.
        fs.insert("/clusters/prod/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: flux-system\ndata:\n  region: ZXUtd2VzdC0xCg==\nstringData:\n  zone: b\n");
        fs.insert(
            "/infra/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: prod\ndata:\n  r: ${region}-${zone}\n  d: ${tier:=web}\n",
        );
        let infra = |spec: &str| {
            let mut fs = fs.clone();
            fs.insert("/clusters/prod/infra.yaml", format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: infra\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./infra\n  prune: true\n{}", spec));
            let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
            let u = c.unit(&Key { namespace: "flux-system".into(), name: "infra".into() }).unwrap().clone();
            u
        };
        let u = infra("  postBuild:\n    substituteFrom:\n    - kind: Secret\n      name: s\n");
        let cm = u.objects.iter().find(|n| n.get_str("kind") == Some("ConfigMap")).unwrap();
        assert_eq!(cm.path(&["data", "r"]).and_then(|n| n.as_str()), Some("eu-west-1-b"));
        // With no variables at all, substitution is skipped...
        let u = infra("  postBuild:\n    substitute: {}\n");
        let cm = u.objects.iter().find(|n| n.get_str("kind") == Some("ConfigMap")).unwrap();
        assert_eq!(cm.path(&["data", "d"]).and_then(|n| n.as_str()), Some("${tier:=web}"));
        // ...unless the strategy is Always (then strict mode sees ${region}).
        let u = infra("  postBuild:\n    substituteStrategy: Always\n");
        assert!(matches!(&u.status, Status::Failed(e) if e.message.contains("\"region\"")), "{:?}", u.status);
    }

    #[test]
    fn finds_the_root_by_the_paths() {
        let fs = repo();
        assert_eq!(guess_root(&fs, "/clusters/prod"), "/");
    }
    fn key(ns: &str, name: &str) -> Key {
        Key { namespace: ns.into(), name: name.into() }
    }

    fn failed(u: &Unit) -> &Error {
        match &u.status {
            Status::Failed(e) => e,
            s => panic!("{} did not fail: {:?}", u.ks.key, s),
        }
    }

    #[test]
    fn substitute_from_reads_only_what_the_cluster_applies() {
        let mut fs = repo();
        // The same name elsewhere in the repository (a template, a
        // bootstrap file) is not what the controller reads.
        let vars = String::from_utf8(fs.get("/clusters/prod/vars.yaml").unwrap().to_vec()).unwrap();
        fs.remove("/clusters/prod/vars.yaml");
        fs.insert("/bootstrap/vars.yaml", vars.clone());
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        let e = failed(apps);
        assert_eq!(
            e.message,
            "post build failed for 'ConfigMap.v1.[noGrp]/web': substitute from 'ConfigMap/cluster-vars' error: configmaps \"cluster-vars\" not found (no Kustomization of this cluster applies ConfigMap flux-system/cluster-vars; one made outside Flux is not known here)"
        );
        assert_eq!((e.span.as_ref().unwrap().file.as_ref(), e.span.as_ref().unwrap().line), ("/clusters/prod/apps.yaml", 23));
        // In another namespace it is not found either.
        fs.insert("/clusters/prod/vars.yaml", vars.replace("namespace: flux-system", "namespace: prod"));
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert!(matches!(c.unit(&key("flux-system", "apps")).unwrap().status, Status::Failed(_)));
        // Optional: skipped, as the controller skips it.
        let apps_ks = String::from_utf8(fs.get("/clusters/prod/apps.yaml").unwrap().to_vec()).unwrap();
        fs.insert("/clusters/prod/apps.yaml", apps_ks.replace("name: cluster-vars\n", "name: cluster-vars\n      optional: true\n"));
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert!(matches!(apps.status, Status::Failed(_)), "without cluster-vars, ${{env}} has no value");
        assert!(failed(apps).message.contains("variable not set (strict mode): \"env\""), "{}", failed(apps).message);
        // Rendered by another Kustomization of the cluster: found.
        fs.insert("/infra/vars.yaml", vars.replace("production", "from-infra"));
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert!(matches!(apps.status, Status::Rendered), "{:?}", apps.status);
        assert_eq!(apps.objects[0].path(&["metadata", "labels", "env"]).and_then(|n| n.as_str()), Some("from-infra"));
    }

    #[test]
    fn a_missing_source_fails_only_when_there_is_something_to_substitute() {
        let mut fs = repo();
        fs.remove("/clusters/prod/vars.yaml");
        let web = String::from_utf8(fs.get("/apps/web.yaml").unwrap().to_vec()).unwrap();
        fs.insert(
            "/apps/web.yaml",
            web.replace("  name: web\n", "  name: web\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n"),
        );
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert!(matches!(apps.status, Status::Rendered), "{:?}", apps.status);
    }

    const SOPS_SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: flux-system\ntype: Opaque\ndata:\n  region: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\nstringData:\n  zone: ENC[AES256_GCM,data:def=,iv:x,tag:y,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:m,iv:x,tag:y,type:str]\n  version: 3.9.0\n";

    #[test]
    fn encrypted_secrets_are_masked_as_flux_build_masks_them() {
        let mut fs = repo();
        let text = String::from_utf8(fs.get("/clusters/prod/infra.yaml").unwrap().to_vec()).unwrap();
        fs.insert("/clusters/prod/infra.yaml", text + "  decryption:\n    provider: sops\n");
        fs.insert("/infra/secret.yaml", SOPS_SECRET);
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let infra = c.unit(&key("flux-system", "infra")).unwrap();
        assert!(matches!(infra.status, Status::Rendered), "{:?}", infra.status);
        let secret = infra.objects.iter().find(|n| n.get_str("kind") == Some("Secret")).unwrap();
        assert!(secret.get("sops").is_none());
        assert_eq!(secret.path(&["data", "region"]).and_then(|n| n.as_str()), Some("KipTT1BTKio="));
        assert_eq!(secret.path(&["stringData", "zone"]).and_then(|n| n.as_str()), Some("**SOPS**"));
        assert_eq!(infra.warnings.len(), 1, "{:?}", infra.warnings);
        assert!(
            infra.warnings[0].starts_with("/infra/secret.yaml:1: Secret flux-system/s is SOPS-encrypted: the cluster decrypts it"),
            "{}",
            infra.warnings[0]
        );
        // A docker config secret gets a JSON mask.
        let mut docker = Node::map(Span::file("/d.yaml"));
        for doc in parse_documents("/d.yaml", &SOPS_SECRET.replace("type: Opaque", "type: kubernetes.io/dockerconfigjson")).unwrap() {
            docker = doc;
        }
        mask_sops(&mut docker).unwrap();
        assert_eq!(docker.path(&["data", "region"]).and_then(|n| n.as_str()), Some("eyJtYXNrIjoiKipTT1BTKioifQ=="));
        assert_eq!(docker.path(&["stringData", "zone"]).and_then(|n| n.as_str()), Some("{\"mask\":\"**SOPS**\"}"));
        // A value that is a SOPS document in a plain Secret: only it is masked.
        let mut partial =
            parse_documents("/p.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: p\ndata:\n  a: c29wczogRU5DW3g=\n  b: eA==\n")
                .unwrap()
                .remove(0);
        assert!(mask_sops(&mut partial).is_some());
        assert_eq!(partial.path(&["data", "a"]).and_then(|n| n.as_str()), Some("KipTT1BTKio="));
        assert_eq!(partial.path(&["data", "b"]).and_then(|n| n.as_str()), Some("eA=="));
    }

    #[test]
    fn encrypted_substitution_values_become_a_placeholder() {
        let mut fs = repo();
        fs.insert("/clusters/prod/secret.yaml", SOPS_SECRET);
        let apps = String::from_utf8(fs.get("/clusters/prod/apps.yaml").unwrap().to_vec()).unwrap();
        fs.insert(
            "/clusters/prod/apps.yaml",
            apps.replace(
                "    - kind: ConfigMap\n      name: cluster-vars\n",
                "    - kind: ConfigMap\n      name: cluster-vars\n    - kind: Secret\n      name: s\n",
            ),
        );
        fs.insert(
            "/apps/zone.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: zone\ndata:\n  where: ${region}-${zone}\n  env: ${env}\n",
        );
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert!(matches!(apps.status, Status::Rendered), "{:?}", apps.status);
        let zone = apps.objects.iter().find(|n| n.path(&["metadata", "name"]).and_then(|v| v.as_str()) == Some("zone")).unwrap();
        assert_eq!(zone.path(&["data", "where"]).and_then(|n| n.as_str()), Some("**SOPS**-**SOPS**"));
        assert_eq!(zone.path(&["data", "env"]).and_then(|n| n.as_str()), Some("production"));
        let w: Vec<&String> = apps.warnings.iter().filter(|w| w.contains("comes from the SOPS-encrypted")).collect();
        assert_eq!(w.len(), 2, "{:?}", apps.warnings);
        assert_eq!(w[0], "/apps/zone.yaml:6: ${region} comes from the SOPS-encrypted Secret flux-system/s: the cluster decrypts it, shown here as **SOPS**");
    }

    #[test]
    fn one_broken_kustomization_never_blanks_the_cluster() {
        let mut fs = repo();
        fs.insert("/clusters/prod/late.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: late\n  namespace: flux-system\nspec:\n  dependsOn:\n  - name: apps\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./late\n  prune: true\n");
        fs.insert("/late/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: prod\n");
        fs.insert("/infra/kustomization.yaml", "resources:\n- ns.yaml\n- missing.yaml\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let infra = c.unit(&key("flux-system", "infra")).unwrap();
        let e = failed(infra);
        assert_eq!((e.span.as_ref().unwrap().file.as_ref(), e.span.as_ref().unwrap().line), ("/infra/kustomization.yaml", 3));
        // apps depends on infra: blocked, still rendered and listed; late
        // depends on apps: blocked in turn.
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert!(matches!(apps.status, Status::Rendered) && !apps.objects.is_empty());
        assert_eq!(apps.blocked_message().as_deref(), Some("dependency 'flux-system/infra' is not ready"));
        let late = c.unit(&key("flux-system", "late")).unwrap();
        assert_eq!(late.blocked_by, vec![key("flux-system", "apps")]);
        assert!(c.errors.is_empty());
    }

    #[test]
    fn a_broken_cluster_directory_or_parent_keeps_the_kustomizations_that_still_build() {
        let mut fs = repo();
        // A file the generated kustomization of the cluster directory cannot take.
        fs.insert("/clusters/prod/values.yaml", "replicas: 3\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert_eq!(c.errors.len(), 1);
        assert!(
            c.errors[0].message.contains("failed to decode Kubernetes YAML from /clusters/prod/values.yaml"),
            "{}",
            c.errors[0].message
        );
        assert!(c.dir_objects.is_empty(), "the cluster directory applies nothing");
        let names: Vec<&str> = c.units.iter().map(|u| u.ks.key.name.as_str()).collect();
        assert_eq!(names, vec!["apps", "infra"]);
        assert!(matches!(c.unit(&key("flux-system", "apps")).unwrap().status, Status::Failed(_)), "cluster-vars is not applied then");
        assert!(matches!(c.unit(&key("flux-system", "infra")).unwrap().status, Status::Rendered));

        // A parent applying per-app Kustomizations, one app's folder broken.
        let mut fs = MemFs::new();
        let ks = |name: &str, path: &str| {
            format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {}\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: {}\n  prune: true\n", name, path)
        };
        fs.insert("/cluster/apps.yaml", ks("apps", "./apps"));
        fs.insert("/apps/a/kustomization.yaml", "resources: [ks.yaml]\n");
        fs.insert("/apps/a/ks.yaml", ks("a", "./apps/a/app"));
        fs.insert("/apps/a/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: a\n");
        fs.insert("/apps/b/kustomization.yaml", "resources: [ks.yaml, nope.yaml]\n");
        fs.insert("/apps/b/ks.yaml", ks("b", "./apps/b/app"));
        fs.insert("/apps/b/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: b\n");
        let c = load(&fs, "/cluster", "/", &Options::default()).unwrap();
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert!(failed(apps).message.contains("nope.yaml"), "{}", failed(apps).message);
        let names: Vec<&str> = c.units.iter().map(|u| u.ks.key.name.as_str()).collect();
        assert_eq!(names, vec!["apps", "a", "b"]);
        for name in ["a", "b"] {
            let u = c.unit(&key("flux-system", name)).unwrap();
            assert!(matches!(u.status, Status::Rendered) && u.objects.len() == 1, "{:?}", u.status);
            assert_eq!(u.parent, Some(key("flux-system", "apps")));
            assert!(u.warnings[0].starts_with("applied by Kustomization flux-system/apps, which fails to build"), "{:?}", u.warnings);
        }
    }
    #[test]
    fn a_source_applied_by_a_later_kustomization_is_found() {
        let mut fs = repo();
        let vars = String::from_utf8(fs.get("/clusters/prod/vars.yaml").unwrap().to_vec()).unwrap();
        fs.remove("/clusters/prod/vars.yaml");
        // infra applies a Kustomization `settings`, which applies the ConfigMap.
        fs.insert("/infra/settings.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: settings\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./settings\n  prune: true\n");
        fs.insert("/settings/vars.yaml", vars);
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert!(matches!(apps.status, Status::Rendered), "{:?}", apps.status);
        assert_eq!(apps.objects[0].path(&["metadata", "labels", "env"]).and_then(|n| n.as_str()), Some("production"));
    }

    #[test]
    fn the_root_kustomization_refuses_encrypted_secrets_it_does_not_decrypt() {
        let mut fs = repo();
        fs.insert("/clusters/prod/flux-system/kustomization.yaml", "resources: [gotk-sync.yaml]\n");
        fs.insert("/clusters/prod/flux-system/gotk-sync.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./clusters/prod\n  prune: true\n");
        fs.insert("/clusters/prod/secret.yaml", SOPS_SECRET);
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert_eq!(c.errors.len(), 1);
        assert!(
            c.errors[0].message.starts_with("Secret/flux-system/s is SOPS encrypted, configuring decryption"),
            "{}",
            c.errors[0].message
        );
        assert!(c.dir_objects.is_empty());
        // The Kustomizations it declares still reconcile.
        assert!(matches!(c.unit(&key("flux-system", "infra")).unwrap().status, Status::Rendered));
        let sync = String::from_utf8(fs.get("/clusters/prod/flux-system/gotk-sync.yaml").unwrap().to_vec()).unwrap();
        fs.insert("/clusters/prod/flux-system/gotk-sync.yaml", sync + "  decryption:\n    provider: sops\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let secret = c.dir_objects.iter().find(|n| n.get_str("kind") == Some("Secret")).unwrap();
        assert_eq!(secret.path(&["data", "region"]).and_then(|n| n.as_str()), Some("KipTT1BTKio="));
        assert_eq!(c.warnings.len(), 1);
    }
    // The controller adds buildMetadata [originAnnotations] to a
    // kustomization with no resources; the expected text is what
    // `kubectl kustomize` (v5.5.0) printed for that file.
    #[test]
    fn no_resources_builds_with_origin_annotations_like_kubectl() {
        let mut fs = MemFs::new();
        fs.insert("/app/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: apps\nconfigMapGenerator:\n- name: settings\n  literals:\n  - a=b\ncomponents:\n- ../comp\n");
        fs.insert("/comp/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- cm.yaml\n");
        fs.insert("/comp/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  k: v\n");
        let (_, out) = build_dir(&fs, "/app", None).unwrap();
        let nodes: Vec<Node> = out.resources.resources.into_iter().map(|r| r.node).collect();
        assert_eq!(
            crate::yaml::emit_documents(&nodes),
            "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../comp/cm.yaml\n  name: extra\n  namespace: apps\n---\napiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      configuredIn: kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n  name: settings-4h2mbtbbt6\n  namespace: apps\n"
        );
    }
    #[test]
    fn an_encrypted_config_map_source_gives_placeholders() {
        let mut fs = repo();
        fs.insert("/clusters/prod/vars.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  env: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:m,iv:x,tag:y,type:str]\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert!(c.warnings[0].contains("ConfigMap cluster-vars is SOPS-encrypted"), "{:?}", c.warnings);
        let apps = c.unit(&key("flux-system", "apps")).unwrap();
        assert_eq!(apps.objects[0].path(&["metadata", "labels", "env"]).and_then(|n| n.as_str()), Some("**SOPS**"));
        assert!(
            apps.warnings.iter().any(|w| w.contains("${env} comes from the SOPS-encrypted ConfigMap flux-system/cluster-vars")),
            "{:?}",
            apps.warnings
        );
    }
    #[test]
    fn the_root_kustomizations_overrides_apply_to_the_cluster_directory() {
        let mut fs = repo();
        fs.insert("/clusters/prod/flux-system/kustomization.yaml", "resources: [gotk-sync.yaml]\n");
        // A common setup: the root patches every Kustomization it applies.
        fs.insert("/clusters/prod/flux-system/gotk-sync.yaml", "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./clusters/prod\n  prune: true\n  patches:\n  - patch: |\n      - op: add\n        path: /spec/targetNamespace\n        value: patched\n    target:\n      kind: Kustomization\n      name: infra\n");
        let c = load(&fs, "/clusters/prod", "/", &Options::default()).unwrap();
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let infra = c.unit(&key("flux-system", "infra")).unwrap();
        assert_eq!(infra.ks.target_namespace.as_deref(), Some("patched"));
        // kustomize's namespace transformer renames the Namespace object too.
        assert_eq!(infra.objects[0].path(&["metadata", "name"]).and_then(|n| n.as_str()), Some("patched"), "{:?}", infra.status);
        let ks = c.dir_objects.iter().find(|n| n.path(&["metadata", "name"]).and_then(|v| v.as_str()) == Some("infra")).unwrap();
        assert_eq!(ks.path(&["spec", "targetNamespace"]).and_then(|n| n.as_str()), Some("patched"));
    }
}
