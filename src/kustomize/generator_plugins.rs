//! `generators:` — generator plugin configurations, inline or in files
//! (kustomize's configureExternalGenerators). Only kustomize's builtin
//! generators can run here, as with kubectl's default plugin restrictions:
//! ConfigMapGenerator, SecretGenerator and IAMPolicyGenerator.
//!
//! A plugin's config is the generator's arguments at the top level; `name`
//! and `namespace` fall back to the config's own metadata. The
//! kustomization's `generatorOptions:` do not apply to plugins.

use super::accumulator::Accumulator;
use super::generators::{absorb, generate_plugin, GenKind};
use super::kustomization::{field, field_str, Kustomization, Spanned};
use super::loader::{read_resource_file, Loader};
use super::origin::{self, Origin};
use super::resmap::{ResMap, Resource};
use crate::error::{Error, Result};
use crate::fs;
use crate::yaml::{parse_documents, Node, Span};

/// Runs every generator the `generators:` field names, after the builtin
/// generator fields: inline configs first, then those from paths, as
/// kustomize gathers them.
pub fn run(b: &mut dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let entries = k.string_list("generators");
    let mut configs = Vec::new();
    let mut paths = Vec::new();
    for entry in &entries {
        match inline_configs(k, entry) {
            Some(docs) => configs.extend(docs.into_iter().map(|d| with_origin(b, d, crate::fs::file_name(&k.file)))),
            None => paths.push(entry),
        }
    }
    for entry in paths {
        let from_dir = b.files().is_dir(&fs::join(&k.dir, &entry.text));
        for config in path_configs(b, k, entry)? {
            // A directory's build has set its configs' origins already.
            configs.push(if from_dir { config } else { with_origin(b, config, &entry.text) });
        }
    }
    // kustomize collects the configs as resources: one id, one config.
    let mut ids = ResMap::new();
    for config in &configs {
        ids.append(Resource::new(config.clone()))?;
    }
    for config in &configs {
        // Origin tracking: made by this config, configured where it was read.
        let made_by = Origin::plugin(&Resource::new(config.clone()));
        for mut r in generate(b, k, config)? {
            if let Some(o) = &made_by {
                origin::set_if_missing(&mut r, o);
            }
            absorb(&mut acc.resources, r).map_err(|e| e.or_at(&config.span))?;
        }
    }
    Ok(())
}

/// An entry that reads as YAML objects is an inline config.
fn inline_configs(k: &Kustomization, entry: &Spanned) -> Option<Vec<Node>> {
    if !entry.text.contains('\n') {
        return None;
    }
    let docs = parse_documents(&k.file, &entry.text).ok()?;
    if !docs.iter().any(|d| d.is_map()) {
        return None;
    }
    Some(docs.into_iter().filter(|d| d.is_map()).map(|d| with_span(d, &entry.span)).collect())
}

/// A file of configs, or a kustomization directory that builds into configs.
fn path_configs(b: &mut dyn Loader, k: &Kustomization, entry: &Spanned) -> Result<Vec<Node>> {
    let target = fs::join(&k.dir, &entry.text);
    if b.files().is_dir(&target) {
        let sub = b.build_directory(&target, entry)?;
        return Ok(sub.resources.nodes());
    }
    let (file, bytes) = b.read_file(k, &entry.text, &entry.span)?;
    Ok(read_resource_file(&file, &bytes)?.into_iter().map(|r| r.node).collect())
}

/// Origin tracking: a config read from `path` (relative to this
/// kustomization; the kustomization file itself for inline configs).
fn with_origin(b: &dyn Loader, config: Node, path: &str) -> Node {
    let Some(dir) = &b.origin() else { return config };
    let mut r = Resource::new(config);
    origin::set(&mut r, &Origin::file(origin::join(dir, path)));
    r.node
}

/// Inline configs are parsed from a string inside the kustomization: their
/// own positions are relative to that string, so point at the entry.
fn with_span(mut node: Node, span: &Span) -> Node {
    node.span = span.clone();
    node
}

fn generate(b: &dyn Loader, k: &Kustomization, config: &Node) -> Result<Vec<Resource>> {
    let api_version = config.get_str("apiVersion").unwrap_or("");
    let kind = config.get_str("kind").unwrap_or("");
    if api_version != "builtin" {
        return Err(Error::at(
            &config.span,
            format!("external plugins disabled; unable to load external plugin '{}' (only apiVersion: builtin generators can run)", kind),
        ));
    }
    match kind {
        "ConfigMapGenerator" => Ok(vec![generate_plugin(b, k, GenKind::ConfigMap, &args_with_metadata(config))?]),
        "SecretGenerator" => Ok(vec![generate_plugin(b, k, GenKind::Secret, &args_with_metadata(config))?]),
        "IAMPolicyGenerator" => Ok(vec![iam_policy(config)?]),
        _ => Err(Error::at(&config.span, format!("builtin plugin {} is not a generator this engine can run", kind))),
    }
}

/// The config with `name`/`namespace` filled from its metadata when unset.
fn args_with_metadata(config: &Node) -> Node {
    let mut args = config.clone();
    for key in ["name", "namespace"] {
        if field_str(config, key).is_some_and(|s| !s.is_empty()) {
            continue;
        }
        if let Some(v) = config.get("metadata").and_then(|m| field(m, key)).cloned() {
            args.set(key, v);
        }
    }
    args
}

/// GKE workload identity: a ServiceAccount annotated with its Google
/// service account.
fn iam_policy(config: &Node) -> Result<Resource> {
    let cloud = field_str(config, "cloud").unwrap_or("");
    if cloud != "gke" {
        return Err(Error::at(&config.span, format!("cloud provider {} not supported yet", cloud)));
    }
    let get = |obj: &str, key: &str| field(config, obj).and_then(|o| field_str(o, key)).unwrap_or("").to_string();
    let span = config.span.clone();
    let mut annotations = Node::map(span.clone());
    let account = format!("{}@{}.iam.gserviceaccount.com", get("serviceAccount", "name"), get("serviceAccount", "projectId"));
    annotations.set("iam.gke.io/gcp-service-account", Node::string(account, span.clone()));
    let mut meta = Node::map(span.clone());
    meta.set("annotations", annotations);
    meta.set("name", Node::string(get("kubernetesService", "name"), span.clone()));
    let namespace = get("kubernetesService", "namespace");
    if !namespace.is_empty() {
        meta.set("namespace", Node::string(namespace, span.clone()));
    }
    let mut node = Node::map(span.clone());
    node.set("apiVersion", Node::string("v1", span.clone()));
    node.set("kind", Node::string("ServiceAccount", span.clone()));
    node.set("metadata", meta);
    let mut r = Resource::new(node);
    r.source = span;
    Ok(r)
}
