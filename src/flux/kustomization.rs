//! The Flux `Kustomization` object (kustomize.toolkit.fluxcd.io/v1) as read
//! from the repository: the fields the controller acts on, each with the
//! place it was written so that findings can point at it.

use crate::error::{Error, Result};
use crate::yaml::{Node, Span};

pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";
/// API versions of the Kustomization kind; only `v1` is current.
pub const API_VERSIONS: [&str; 4] = ["v1", "v1beta2", "v1beta1", "v1alpha1"];

/// Whether a document is a Flux Kustomization (of any API version).
pub fn is_flux_kustomization(node: &Node) -> bool {
    node.get_str("kind") == Some("Kustomization")
        && node.get_str("apiVersion").is_some_and(|v| v.strip_prefix(GROUP).and_then(|r| r.strip_prefix('/')).is_some())
}

/// `namespace/name` of an object the controller refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

#[derive(Clone, Debug)]
pub struct SourceRef {
    pub kind: String,
    pub name: String,
    /// Defaults to the Kustomization's own namespace.
    pub namespace: String,
}

#[derive(Clone, Debug)]
pub struct Dependency {
    pub key: Key,
    pub span: Span,
}

/// A `healthChecks` entry: an object the controller waits for.
#[derive(Clone, Debug)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SubstituteRef {
    pub kind: String,
    pub name: String,
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct PostBuild {
    /// `substitute`, in written order (the last of duplicate keys wins).
    pub substitute: Vec<(String, String)>,
    pub substitute_from: Vec<SubstituteRef>,
    /// `substituteStrategy: Always`: substitute even with no variables.
    pub always: bool,
}

#[derive(Clone, Debug)]
pub struct FluxKustomization {
    pub key: Key,
    pub api_version: String,
    /// The whole object as written (after any build that produced it).
    pub node: Node,
    /// Where the object was declared.
    pub span: Span,
    pub source: SourceRef,
    /// `spec.path` as written; empty means the source root.
    pub path: String,
    pub depends_on: Vec<Dependency>,
    /// `None` when the field is missing (it is required by the API).
    pub prune: Option<bool>,
    pub wait: bool,
    pub suspend: bool,
    pub health_checks: Vec<ObjectRef>,
    pub target_namespace: Option<String>,
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    pub patches: Vec<Node>,
    pub images: Vec<Node>,
    pub components: Vec<String>,
    pub ignore_missing_components: bool,
    /// `spec.buildMetadata`, which replaces the kustomization's own.
    pub build_metadata: Vec<String>,
    pub post_build: Option<PostBuild>,
    pub common_labels: Vec<(String, String)>,
    pub common_annotations: Vec<(String, String)>,
}

impl FluxKustomization {
    /// Reads a Flux Kustomization document. `default_namespace` is where
    /// an object without `metadata.namespace` lands.
    pub fn from_node(node: &Node, default_namespace: &str) -> Result<FluxKustomization> {
        let meta = node.get("metadata");
        let name = meta.and_then(|m| m.get_str("name")).unwrap_or("").to_string();
        if name.is_empty() {
            return Err(Error::at(&node.span, "Flux Kustomization without metadata.name"));
        }
        let namespace = meta.and_then(|m| m.get_str("namespace")).filter(|s| !s.is_empty()).unwrap_or(default_namespace).to_string();
        let empty = Node::map(node.span.clone());
        let spec = node.get("spec").filter(|s| s.is_map()).unwrap_or(&empty);
        let text = |n: &Node, k: &str| n.get_str(k).filter(|s| !s.is_empty()).map(String::from);
        let flag = |k: &str| spec.get_str(k) == Some("true");
        let list = |k: &str| spec.get(k).and_then(|n| n.as_seq()).cloned().unwrap_or_default();

        let src = spec.get("sourceRef").unwrap_or(&empty);
        let source = SourceRef {
            kind: text(src, "kind").unwrap_or_default(),
            name: text(src, "name").unwrap_or_default(),
            namespace: text(src, "namespace").unwrap_or_else(|| namespace.clone()),
        };
        let depends_on = list("dependsOn")
            .iter()
            .filter_map(|d| {
                let name = text(d, "name")?;
                let ns = text(d, "namespace").unwrap_or_else(|| namespace.clone());
                Some(Dependency { key: Key { namespace: ns, name }, span: d.span.clone() })
            })
            .collect();
        let health_checks = list("healthChecks")
            .iter()
            .map(|h| ObjectRef {
                api_version: text(h, "apiVersion").unwrap_or_default(),
                kind: text(h, "kind").unwrap_or_default(),
                name: text(h, "name").unwrap_or_default(),
                namespace: text(h, "namespace").unwrap_or_default(),
                span: h.span.clone(),
            })
            .collect();
        let post_build = spec.get("postBuild").filter(|p| p.is_map()).map(|p| PostBuild {
            substitute: string_pairs(p.get("substitute")),
            substitute_from: p
                .get("substituteFrom")
                .and_then(|n| n.as_seq())
                .map(|items| {
                    items
                        .iter()
                        .map(|s| SubstituteRef {
                            kind: text(s, "kind").unwrap_or_default(),
                            name: text(s, "name").unwrap_or_default(),
                            optional: s.get_str("optional") == Some("true"),
                            span: s.span.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            always: p.get_str("substituteStrategy") == Some("Always"),
        });
        let common = spec.get("commonMetadata");
        Ok(FluxKustomization {
            key: Key { namespace, name },
            api_version: node.get_str("apiVersion").unwrap_or("").to_string(),
            node: node.clone(),
            span: node.span.clone(),
            source,
            path: spec.get_str("path").unwrap_or("").to_string(),
            depends_on,
            prune: spec.get("prune").and_then(|n| n.as_str()).map(|s| s == "true"),
            wait: flag("wait"),
            suspend: flag("suspend"),
            health_checks,
            // Present but empty still overrides: the controller clears the
            // kustomization's own value then.
            target_namespace: present(spec, "targetNamespace"),
            name_prefix: present(spec, "namePrefix"),
            name_suffix: present(spec, "nameSuffix"),
            patches: list("patches"),
            images: list("images"),
            components: list("components").iter().filter_map(|c| c.as_str().map(String::from)).collect(),
            ignore_missing_components: flag("ignoreMissingComponents"),
            build_metadata: list("buildMetadata").iter().filter_map(|c| c.as_str().map(String::from)).collect(),
            post_build,
            common_labels: string_pairs(common.and_then(|c| c.get("labels"))),
            common_annotations: string_pairs(common.and_then(|c| c.get("annotations"))),
        })
    }

    /// The span of `spec.<field>`'s value, or of `spec:` itself, or of the
    /// document: where a finding about that field belongs.
    pub fn span_of(&self, field: &str) -> Span {
        let spec = self.node.get("spec");
        if let Some(v) = spec.and_then(|s| s.get(field)) {
            return v.span.clone();
        }
        self.spec_key_span().unwrap_or_else(|| self.span.clone())
    }

    /// The span of the `spec:` key.
    pub fn spec_key_span(&self) -> Option<Span> {
        self.node.as_map()?.iter().find(|(k, _)| k.as_str() == Some("spec")).map(|(k, _)| k.span.clone())
    }

    /// Whether the controller would change the top-level kustomization.
    pub fn has_overrides(&self) -> bool {
        self.target_namespace.is_some()
            || self.name_prefix.is_some()
            || self.name_suffix.is_some()
            || !self.patches.is_empty()
            || !self.images.is_empty()
            || !self.components.is_empty()
            || !self.build_metadata.is_empty()
    }
}

/// A string field that is set, even to "" (null reads as unset, as the API
/// server drops it).
fn present(node: &Node, key: &str) -> Option<String> {
    node.get(key).filter(|n| !n.is_null()).and_then(|n| n.as_str()).map(String::from)
}

fn string_pairs(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(|n| n.as_map())
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str().unwrap_or("").to_string()))).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    #[test]
    fn reads_the_fields_the_controller_uses() {
        let text = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  dependsOn:\n  - name: infra\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./apps\n  prune: true\n  postBuild:\n    substitute:\n      A: b\n    substituteFrom:\n    - kind: ConfigMap\n      name: vars\n      optional: true\n";
        let doc = &parse_documents("/c/apps.yaml", text).unwrap()[0];
        assert!(is_flux_kustomization(doc));
        let k = FluxKustomization::from_node(doc, "default").unwrap();
        assert_eq!(k.key.to_string(), "flux-system/apps");
        assert_eq!(k.depends_on[0].key.to_string(), "flux-system/infra");
        assert_eq!(k.prune, Some(true));
        let pb = k.post_build.clone().unwrap();
        assert_eq!(pb.substitute, vec![("A".to_string(), "b".to_string())]);
        assert!(pb.substitute_from[0].optional);
        assert_eq!(k.span_of("prune").line, 13);
    }
}
