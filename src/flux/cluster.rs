//! A cluster as Flux sees it: the objects of a `clusters/<env>` directory
//! (built from its own kustomization, or from the one Flux generates), the
//! Kustomizations among them (and those they render in turn), each one
//! built the way the controller builds it.

use super::artifact;
use super::sourceignore::{SourceIgnore, Visible};
use super::generate::{self, Generated};
use super::kustomization::{is_flux_kustomization, FluxKustomization, Key};
use crate::fs::Overlay;
use super::order;
use super::substitute::{self, Unresolved, Variables};
use crate::error::{Error, Result};
use crate::fs::{self, Files};
use crate::kustomize::{self, BuildOptions, LoadRestrictor, ResId, Resource};
use crate::yaml::{parse_documents, Node, Span};

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
    /// The Kustomization that applies this one; `None` for the cluster directory.
    pub parent: Option<Key>,
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

/// Reads the cluster directory `dir` of the repository at `root`.
pub fn load(files: &dyn Files, dir: &str, root: &str, options: &Options) -> Result<Cluster> {
    if !files.is_dir(dir) {
        return Err(Error::in_file(dir, format!("cluster directory '{}' does not exist", dir)));
    }
    // Flux sees the repository as its artifact holds it.
    let ignore = SourceIgnore::load(files, root);
    let visible = Visible { base: files, keep: &ignore };
    let files: &dyn Files = &visible;
    let (_, out) = build_dir(files, dir, None)?;
    let dir_resources = out.resources.resources;
    let mut cluster = Cluster {
        root: root.to_string(),
        dir: dir.to_string(),
        root_ks: None,
        root_spec: None,
        dir_objects: Vec::new(),
        units: Vec::new(),
        order: Ok(Vec::new()),
        duplicates: Vec::new(),
    };
    let mut queue: Vec<(FluxKustomization, Option<Key>)> = Vec::new();
    for r in &dir_resources {
        if is_flux_kustomization(&r.node) {
            let ks = FluxKustomization::from_node(&r.node, "default")?;
            if is_self(&ks, options) && resolve(root, &ks.path).ok().as_deref() == Some(dir) {
                cluster.root_ks = Some(ks.key.clone());
                cluster.root_spec = Some(ks);
            } else {
                queue.push((ks, None));
            }
        }
    }
    let mut dir_nodes: Vec<Node> = dir_resources.iter().map(|r| r.node.clone()).collect();
    if let Some(key) = &cluster.root_ks {
        for n in &mut dir_nodes {
            set_owner(n, key);
        }
    }
    cluster.dir_objects = in_apply_order(dir_nodes);

    // Build everything found so far, then post-build it; Kustomizations that
    // those render join the queue, until no new ones appear.
    let mut seen: Vec<Key> = cluster.root_ks.iter().cloned().collect();
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
        }
        for i in start..cluster.units.len() {
            post_build(files, &mut cluster, i, options);
            let unit = &cluster.units[i];
            // What a kubeConfig Kustomization applies lives in another
            // cluster: its Kustomizations are reconciled there, not here.
            if remote_cluster(&unit.ks).is_some() {
                continue;
            }
            for n in &unit.objects {
                if is_flux_kustomization(n) {
                    if let Ok(ks) = FluxKustomization::from_node(n, "default") {
                        if !seen.contains(&ks.key) && !queue.iter().any(|(q, _)| q.key == ks.key) {
                            queue.push((ks, Some(unit.ks.key.clone())));
                        }
                    }
                }
            }
        }
    }
    let keys: Vec<Key> = cluster.units.iter().map(|u| u.ks.key.clone()).collect();
    let deps: Vec<_> = cluster.units.iter().map(|u| u.ks.depends_on.clone()).collect();
    cluster.order = order::dependency_order(&keys, &deps);
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
    let out = kustomize::build(&layered, dir, &BuildOptions { load_restrictor: LoadRestrictor::None }).map_err(|e| explain(e, &generated, ks))?;
    Ok((generated, out))
}

/// Says so when an error lies in text the controller wrote.
fn explain(mut e: Error, generated: &Generated, ks: Option<&FluxKustomization>) -> Error {
    if e.file() != Some(generated.file.as_str()) {
        return e;
    }
    let user_lines = if generated.created { 0 } else { generated.text.split("\n# written by Flux").next().unwrap_or("").lines().count() as u32 };
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
        parent,
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
                && g.path(&["spec", "artifacts"]).and_then(|a| a.as_seq()).is_some_and(|a| a.iter().any(|x| x.get_str("name") == Some(s.name.as_str())))
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
            unit.generated = Some(generated);
            unit.warnings = out.warnings;
            unit.built = out.resources.resources;
            for r in &unit.built {
                let id = r.id();
                if id.name.is_empty() || id.gvk.kind.is_empty() || id.gvk.version.is_empty() {
                    unit.status = Status::Failed(Error::at(&r.source, "failed to decode Kubernetes apiVersion, kind and name from this object"));
                }
            }
        }
        Err(e) => unit.status = Status::Failed(e),
    }
    unit
}

/// Substitution, commonMetadata, owner labels, apply order.
fn post_build(files: &dyn Files, cluster: &mut Cluster, i: usize, options: &Options) {
    if !matches!(cluster.units[i].status, Status::Rendered) {
        return;
    }
    let ks = cluster.units[i].ks.clone();
    let mut nodes: Vec<Node> = cluster.units[i].built.iter().map(|r| r.node.clone()).collect();
    let mut unresolved = Vec::new();
    let result = (|| -> Result<()> {
        if let Some(pb) = &ks.post_build {
            let vars = variables(files, cluster, &ks)?;
            if !vars.is_empty() || pb.always {
                for n in nodes.iter_mut().filter(|n| !substitute::is_disabled(n)) {
                    let id = ResId::of(n);
                    substitute::substitute_resource(n, &vars, options.strict_substitute, &mut unresolved).map_err(|e| Error {
                        message: format!("post build failed for '{}/{}': {}", id.gvk.dotted(), id.name, e.message),
                        ..e
                    })?;
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
    let decrypts = ks.node.path(&["spec", "decryption"]).is_some_and(|d| !d.is_null());
    if let Some(secret) = nodes.iter().find(|n| n.get_str("kind") == Some("Secret") && n.get("sops").is_some() && !decrypts && !decryption_disabled(n)) {
        let id = ResId::of(secret);
        cluster.units[i].status = Status::Failed(Error::at(
            &secret.span,
            format!("Secret/{}/{} is SOPS encrypted, configuring decryption is required for this secret to be reconciled", id.namespace, id.name),
        ));
        return;
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
    unit.objects = in_apply_order(nodes);
}

/// The variables of a Kustomization: `substituteFrom` in order, then `substitute`.
fn variables(files: &dyn Files, cluster: &Cluster, ks: &FluxKustomization) -> Result<Variables> {
    let mut vars = Variables::default();
    let Some(pb) = &ks.post_build else { return Ok(vars) };
    for r in &pb.substitute_from {
        match find_source_object(files, cluster, &r.kind, &r.name, &ks.key.namespace) {
            Some(obj) => {
                for (k, v) in data_of(&obj) {
                    vars.set(&k, &v);
                }
            }
            None if r.optional => {}
            None => {
                return Err(Error::at(
                    &r.span,
                    format!(
                        "substitute from '{}/{}' error: no {} named '{}' in namespace '{}' is rendered for this cluster or found in the repository",
                        r.kind, r.name, r.kind, r.name, ks.key.namespace
                    ),
                ))
            }
        }
    }
    for (k, v) in &pb.substitute {
        vars.set(k, v);
    }
    vars.check_names().map_err(|m| Error::at(&ks.span_of("postBuild"), m))?;
    Ok(vars)
}

/// A ConfigMap or Secret for `substituteFrom`: among the cluster's objects
/// first, then anywhere in the repository (it may be created out of band).
fn find_source_object(files: &dyn Files, cluster: &Cluster, kind: &str, name: &str, namespace: &str) -> Option<Node> {
    let matches = |n: &Node, strict_ns: bool| {
        let id = ResId::of(n);
        id.gvk.kind == kind && id.gvk.group.is_empty() && id.name == name && (id.namespace == namespace || (!strict_ns && id.namespace.is_empty()))
    };
    let rendered = cluster.dir_objects.iter().chain(cluster.units.iter().flat_map(|u| u.objects.iter().chain(u.built.iter().map(|r| &r.node))));
    if let Some(n) = rendered.into_iter().find(|n| matches(n, true)) {
        return Some(n.clone());
    }
    let mut found = None;
    walk_yaml(files, &cluster.root, 0, &mut |path, text| {
        if found.is_none() {
            if let Ok(docs) = parse_documents(path, text) {
                found = docs.into_iter().find(|n| matches(n, false));
            }
        }
    });
    found
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
    node.path(&["metadata", "annotations", "kustomize.toolkit.fluxcd.io/decrypt"]).and_then(|n| n.as_str()).is_some_and(|v| v.eq_ignore_ascii_case("disabled"))
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
            Status::Failed(e) => assert!(e.message.contains("in the overrides Flux writes from Kustomization flux-system/infra"), "{}", e.message),
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
        fs.insert("/infra/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: prod\ndata:\n  r: ${region}-${zone}\n  d: ${tier:=web}\n");
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
}
