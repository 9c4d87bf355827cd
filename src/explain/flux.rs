//! Explain through Flux: a cluster directory read as `overlay flux` reads
//! it. Each Flux Kustomization's build is explained as a kustomize build of
//! the kustomization the controller writes; the overrides it writes into
//! that file (patches, targetNamespace, images, namePrefix, …) are credited
//! to the Flux Kustomization's own fields. What the controller does after
//! the build (postBuild substitution, commonMetadata, its owner labels) is
//! read off the difference between the build and the objects it applies.

use super::chain::{build, short, Entry, Explained, Step};
use super::paths::{leaves, Leaf};
use crate::error::Result;
use crate::flux::cluster::{self, Status};
use crate::flux::kustomization::FluxKustomization;
use crate::fs::{Files, Overlay};
use crate::kustomize::{BuildOptions, LoadRestrictor, ResId};
use crate::yaml::Span;

/// Every Kustomization of the cluster at `dir` that renders here, each
/// object of it explained; resources are named `namespace/ks: Kind/name`.
pub fn explain_cluster(files: &dyn Files, dir: &str, root: &str, options: &cluster::Options) -> Result<Vec<Explained>> {
    let c = crate::flux::discover::load(files, dir, root, options)?;
    let mut out = Vec::new();
    for unit in &c.units {
        let (Some(kdir), Some(generated), Status::Rendered) = (&unit.dir, &unit.generated, &unit.status) else { continue };
        let mut layered = Overlay::new(files);
        layered.insert(&generated.file, generated.text.clone());
        let all = build(&layered, kdir, &BuildOptions { load_restrictor: LoadRestrictor::None })?;
        // Lines past the user's own text are the controller's overrides.
        let user_lines = if generated.created {
            0
        } else {
            files.read(&generated.file).map(|b| b.iter().filter(|c| **c == b'\n').count() as u32).unwrap_or(0)
        };
        let owner = format!("{}/{}", unit.ks.key.namespace, unit.ks.key.name);
        for mut e in all {
            for (_, entry) in e.fields.iter_mut() {
                for s in entry.steps.iter_mut() {
                    if &*s.place.file == generated.file.as_str() && s.place.line > user_lines {
                        credit_override(s, &unit.ks);
                    }
                }
            }
            if let Some(object) = unit.objects.iter().find(|o| ResId::of(o) == e.id) {
                post_build(&mut e, object, &unit.ks, &c);
            }
            e.name = format!("{}: {}", owner, e.name);
            for (_, entry) in e.fields.iter_mut() {
                entry.resource = e.name.clone();
            }
            out.push(e);
        }
    }
    Ok(out)
}

/// A step the generated kustomization configured: the Flux Kustomization
/// field that asked for it.
fn credit_override(s: &mut Step, ks: &FluxKustomization) {
    let field = match s.kind {
        "strategic-merge-patch" | "json6902-patch" => "patches",
        "namespace" => "targetNamespace",
        "name-prefix" => "namePrefix",
        "name-suffix" => "nameSuffix",
        "images" => "images",
        "origin" if s.detail.contains("namespace adds") => "targetNamespace",
        "origin" if s.detail.contains("patch adds") => "patches",
        _ => "",
    };
    s.place = if field.is_empty() { ks.span.clone() } else { ks.span_of(field) };
    s.detail = format!("{} (Flux Kustomization {})", s.detail, ks.key.name);
}

/// What the controller changed after the build: substituted values, and
/// the labels and annotations it adds.
fn post_build(e: &mut Explained, object: &crate::yaml::Node, ks: &FluxKustomization, c: &cluster::Cluster) {
    let mut applied = Vec::new();
    leaves(object, &mut |leaf| {
        if let Leaf::Value(path, _, value) = leaf {
            applied.push((path, value));
        }
    });
    for (path, value) in applied {
        let text = path.to_string();
        let step = |kind: &'static str, place: Span, detail: String| Step { place, kind, detail, changes_value: true, from: None };
        match e.fields.iter_mut().find(|(_, en)| en.path == text) {
            Some((_, en)) if en.value != value => {
                let from = variables_in(&en.value).iter().find_map(|name| defined_at(ks, c, name));
                let s = Step {
                    from,
                    ..step("flux-substitute", ks.span_of("postBuild"), format!("postBuild substitution sets {}", short(&value)))
                };
                en.steps.insert(0, s);
                en.value = value;
            }
            Some(_) => {}
            None => {
                let key = path.keys().last().unwrap_or("").to_string();
                let (kind, place, what) = if key.starts_with("kustomize.toolkit.fluxcd.io/") {
                    ("flux-owner-label", ks.span.clone(), "the controller's owner label")
                } else {
                    ("flux-common-metadata", ks.span_of("commonMetadata"), "commonMetadata")
                };
                let origin = Step { kind: "origin", ..step(kind, place, format!("origin: {} adds {}", what, short(&value))) };
                let entry = Entry { resource: e.name.clone(), path: text, value, steps: vec![origin] };
                e.fields.push((path, entry));
            }
        }
    }
}

/// The names of the `${var}` references in `text`.
fn variables_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

/// Where the value of `name` comes from, as the controller reads it: the
/// Kustomization's own `substitute:` entry, or else the last
/// `substituteFrom` ConfigMap or Secret of the cluster that has it.
fn defined_at(ks: &FluxKustomization, c: &cluster::Cluster, name: &str) -> Option<Span> {
    let pb = ks.post_build.as_ref()?;
    if pb.substitute.iter().any(|(k, _)| k == name) {
        return ks.node.path(&["spec", "postBuild", "substitute", name]).map(|n| n.span.clone());
    }
    let objects = || c.dir_objects.iter().chain(c.units.iter().flat_map(|u| u.objects.iter()));
    pb.substitute_from.iter().rev().find_map(|r| {
        let object = objects().find(|o| {
            let id = ResId::of(o);
            id.gvk.kind == r.kind && id.name == r.name && (id.namespace.is_empty() || id.namespace == ks.key.namespace)
        })?;
        ["data", "stringData"].iter().find_map(|field| object.path(&[field, name])).map(|n| n.span.clone())
    })
}
