//! `buildMetadata: [originAnnotations, transformerAnnotations]` —
//! kustomize's origin tracking (api/resource/origin.go, kusttarget.go).
//!
//! When the top kustomization lists any build metadata, every resource read
//! from a file is annotated with the file's path (relative to the top
//! kustomization), every generated one with the generator that made it, and
//! each transformer that runs appends itself to every resource's list of
//! transformations. At the end the annotations not asked for are removed.

use super::resmap::{ResMap, Resource};
use crate::yaml::Node;

pub const ORIGIN: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";

/// Where a resource came from, or what changed it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Origin {
    pub path: String,
    pub configured_in: String,
    /// apiVersion, kind, name, namespace of the generator or transformer.
    pub configured_by: [String; 4],
}

impl Origin {
    pub fn file(path: String) -> Origin {
        Origin { path, ..Origin::default() }
    }

    /// A built-in generator or transformer configured by a kustomization
    /// field: `configured_in` is that kustomization file.
    pub fn builtin(configured_in: String, kind: &str) -> Origin {
        Origin { configured_in, configured_by: ["builtin".into(), kind.into(), String::new(), String::new()], ..Origin::default() }
    }

    /// A plugin config object: it is configured in the file it came from.
    pub fn plugin(config: &Resource) -> Option<Origin> {
        Origin::plugin_node(&config.node)
    }

    pub fn plugin_node(config: &Node) -> Option<Origin> {
        let from = annotation(config, ORIGIN)?;
        let path = from.lines().find_map(|l| l.strip_prefix("path: ")).map(unquote)?;
        let id = super::resmap::ResId::of(config);
        Some(Origin { configured_in: path, configured_by: [id.gvk.api_version(), id.gvk.kind, id.name, id.namespace], ..Origin::default() })
    }

    /// As kyaml marshals it: fields in struct order, empty ones left out.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        if !self.path.is_empty() {
            out.push_str(&format!("path: {}\n", scalar(&self.path)));
        }
        if !self.configured_in.is_empty() {
            out.push_str(&format!("configuredIn: {}\n", scalar(&self.configured_in)));
        }
        if self.configured_by.iter().any(|s| !s.is_empty()) {
            out.push_str("configuredBy:\n");
            for (key, value) in ["apiVersion", "kind", "name", "namespace"].iter().zip(&self.configured_by) {
                if !value.is_empty() {
                    out.push_str(&format!("  {}: {}\n", key, scalar(value)));
                }
            }
        }
        out
    }
}

/// A value as a plain scalar when it reads back as the same string.
fn scalar(s: &str) -> String {
    // go-yaml v3 and the emitter kustomize prints with choose alike here:
    // plain when it reads back as the same string, double quotes for what
    // would read as another type (`"123"`, `"on"`), single quotes where a
    // plain scalar cannot be written (`'a: b'`).
    let out = crate::yaml::emit_node(&Node::string(s, crate::yaml::Span::default()));
    let line = out.strip_suffix('\n').unwrap_or(&out);
    if line.contains('\n') || line.starts_with('|') || line.starts_with('>') {
        return serde_json::to_string(s).unwrap_or_default();
    }
    line.to_string()
}

/// A scalar as written in an annotation, read back.
fn unquote(s: &str) -> String {
    match crate::yaml::parse_single(ORIGIN, s) {
        Ok(Some(n)) => n.as_scalar().map(|x| x.text.clone()).unwrap_or_else(|| s.to_string()),
        _ => s.to_string(),
    }
}

/// kustomize's filepath.Join: `dir/rel`, cleaned lexically.
pub fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in dir.split('/').chain(rel.split('/')) {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(seg),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

pub fn annotation<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.path(&["metadata", "annotations", key]).and_then(|n| n.as_str())
}

fn set_annotation(r: &mut Resource, key: &str, value: &str) {
    let span = r.source.clone();
    set_node_annotation(&mut r.node, key, value, &span);
}

pub fn set_node_annotation(node: &mut Node, key: &str, value: &str, span: &crate::yaml::Span) {
    if let Some(ann) = node.entry_map("metadata").and_then(|m| m.entry_map("annotations")) {
        ann.set(key, Node::string(value, span.clone()));
    }
}

/// Gives the resource this origin.
pub fn set(r: &mut Resource, origin: &Origin) {
    set_annotation(r, ORIGIN, &origin.to_yaml());
}

/// Gives the resource this origin unless it has one.
pub fn set_if_missing(r: &mut Resource, origin: &Origin) {
    if annotation(&r.node, ORIGIN).is_none() {
        set_annotation(r, ORIGIN, &origin.to_yaml());
    }
}

/// After a transformer ran: a resource without an origin was made by it;
/// the others list it among their transformations.
pub fn note_transformer(resources: &mut ResMap, origin: &Origin) {
    for r in resources.iter_mut() {
        if annotation(&r.node, ORIGIN).is_none() {
            set_annotation(r, ORIGIN, &origin.to_yaml());
            continue;
        }
        let mut list = annotation(&r.node, TRANSFORMATIONS).unwrap_or("").to_string();
        for (i, line) in origin.to_yaml().lines().enumerate() {
            list.push_str(if i == 0 { "- " } else { "  " });
            list.push_str(line);
            list.push('\n');
        }
        set_annotation(r, TRANSFORMATIONS, &list);
    }
}

/// Removes the annotations the build metadata did not ask for.
pub fn finish(resources: &mut ResMap, build_metadata: &[String]) {
    let keep = |o: &str| build_metadata.iter().any(|m| m == o);
    for r in resources.iter_mut() {
        let Some(meta) = r.node.get_mut("metadata") else { continue };
        let Some(ann) = meta.get_mut("annotations") else { continue };
        let before = ann.as_map().map(|m| m.len()).unwrap_or(0);
        if !keep("originAnnotations") {
            ann.remove(ORIGIN);
        }
        if !keep("transformerAnnotations") {
            ann.remove(TRANSFORMATIONS);
        }
        if before > 0 && ann.as_map().is_some_and(|m| m.is_empty()) {
            meta.remove("annotations");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_go() {
        assert_eq!(join("", "service.yaml"), "service.yaml");
        assert_eq!(join("../base", "service.yaml"), "../base/service.yaml");
        assert_eq!(join("a/b", "../../c"), "c");
        assert_eq!(join("..", "../x"), "../../x");
    }

    #[test]
    fn yaml_as_kyaml_writes_it() {
        let o = Origin::builtin("kustomization.yaml".into(), "PrefixTransformer");
        assert_eq!(o.to_yaml(), "configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: PrefixTransformer\n");
        assert_eq!(Origin::file("service.yaml".into()).to_yaml(), "path: service.yaml\n");
    }
}
