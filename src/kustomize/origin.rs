//! `buildMetadata: [originAnnotations, transformerAnnotations]`: where each
//! resource came from and what transformed it (kustomize's
//! api/resource/origin.go and the origin plumbing of api/internal/target).
//!
//! As in kustomize the records live in the resources' own annotations for
//! the whole build: `config.kubernetes.io/origin` (one [`Origin`]) and
//! `alpha.config.kubernetes.io/transformations` (a list of them), so patches,
//! generator merges and plugin configs see them exactly as kustomize's do.
//! They are only written when the top kustomization asks for build metadata
//! ([`crate::kustomize::build::Builder::origin`] is `None` otherwise), and the
//! end of the build removes whichever of the two was not asked for.
//!
//! Paths are relative to the directory being built, joined as Go's
//! `filepath.Join` joins them (`../base` + `service.yaml`).

use super::resmap::Resource;
use crate::error::{Error, Result};
use crate::yaml::{Node, Span, Value};

pub const ORIGIN_KEY: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS_KEY: &str = "alpha.config.kubernetes.io/transformations";

/// The `buildMetadata:` options that keep these annotations in the output.
pub const ORIGIN_OPTION: &str = "originAnnotations";
pub const TRANSFORMER_OPTION: &str = "transformerAnnotations";

/// A generator's or transformer's config: kyaml's ResourceIdentifier.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfiguredBy {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ConfiguredBy {
    fn is_empty(&self) -> bool {
        self.api_version.is_empty() && self.kind.is_empty() && self.name.is_empty() && self.namespace.is_empty()
    }
}

/// kustomize's resource.Origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub path: String,
    pub repo: String,
    pub git_ref: String,
    pub configured_in: String,
    pub configured_by: ConfiguredBy,
}

impl Origin {
    /// A copy with `path` appended (kustomize's Origin.Append for local paths).
    pub fn append(&self, path: &str) -> Origin {
        Origin { path: go_join(&self.path, path), ..self.clone() }
    }

    /// The origin kustomize gives a generator or transformer configured by a
    /// field of the kustomization file `kust_file_name` in this directory.
    pub fn builtin(&self, kust_file_name: &str, kind: &str) -> Origin {
        Origin {
            repo: self.repo.clone(),
            git_ref: self.git_ref.clone(),
            configured_in: go_join(&self.path, kust_file_name),
            configured_by: ConfiguredBy { api_version: "builtin".into(), kind: kind.into(), ..ConfiguredBy::default() },
            ..Origin::default()
        }
    }

    /// kustomize's OriginFromCustomPlugin: the origin of what a plugin
    /// config generates or transforms, from the config's own origin
    /// annotation. `None` when the config has none.
    pub fn from_plugin_config(config: &Node) -> Result<Option<Origin>> {
        let Some(own) = get_origin(config)? else { return Ok(None) };
        let meta = |key: &str| config.path(&["metadata", key]).and_then(|n| n.as_str()).unwrap_or("").to_string();
        Ok(Some(Origin {
            repo: own.repo,
            git_ref: own.git_ref,
            configured_in: own.path,
            configured_by: ConfiguredBy {
                api_version: config.get_str("apiVersion").unwrap_or("").to_string(),
                kind: config.get_str("kind").unwrap_or("").to_string(),
                name: meta("name"),
                namespace: meta("namespace"),
            },
            ..Origin::default()
        }))
    }

    fn is_empty(&self) -> bool {
        self.path.is_empty() && self.repo.is_empty() && self.git_ref.is_empty() && self.configured_in.is_empty() && self.configured_by.is_empty()
    }

    /// The annotation text, as kyaml.Marshal writes it (go-yaml v3, two
    /// spaces of indent, fields in declaration order, empty ones left out).
    pub fn to_yaml(&self) -> String {
        if self.is_empty() {
            return "{}\n".to_string();
        }
        let mut out = String::new();
        self.write(&mut out, "", "");
        out
    }

    /// Writes the fields, the first line after `first` and the others after
    /// `indent`.
    fn write(&self, out: &mut String, first: &str, indent: &str) {
        let mut lead = first;
        let mut line = |out: &mut String, key: &str, value: Option<&str>| {
            out.push_str(lead);
            out.push_str(key);
            out.push(':');
            if let Some(v) = value {
                out.push(' ');
                out.push_str(&scalar(v));
            }
            out.push('\n');
            lead = indent;
        };
        for (key, value) in [("path", &self.path), ("repo", &self.repo), ("ref", &self.git_ref), ("configuredIn", &self.configured_in)] {
            if !value.is_empty() {
                line(out, key, Some(value));
            }
        }
        let by = &self.configured_by;
        if !by.is_empty() {
            line(out, "configuredBy", None);
            for (key, value) in [("apiVersion", &by.api_version), ("kind", &by.kind), ("name", &by.name), ("namespace", &by.namespace)] {
                if !value.is_empty() {
                    out.push_str(indent);
                    out.push_str("  ");
                    out.push_str(key);
                    out.push_str(": ");
                    out.push_str(&scalar(value));
                    out.push('\n');
                }
            }
        }
    }

    /// Reads an origin from its annotation text, as yaml.Unmarshal into the
    /// struct would (unknown fields ignored, an empty text is an empty origin).
    pub fn parse(text: &str) -> Result<Origin> {
        match crate::yaml::parse_single(ORIGIN_KEY, text)? {
            None => Ok(Origin::default()),
            Some(node) => Origin::from_node(&node),
        }
    }

    fn from_node(node: &Node) -> Result<Origin> {
        if node.is_null() {
            return Ok(Origin::default());
        }
        if !node.is_map() {
            return Err(unmarshal_error(node, "resource.Origin"));
        }
        let text = |n: &Node, key: &str| -> Result<String> {
            match n.get(key) {
                None => Ok(String::new()),
                Some(v) if v.is_null() => Ok(String::new()),
                Some(v) => match &v.value {
                    Value::Scalar(s) => Ok(s.text.clone()),
                    _ => Err(unmarshal_error(v, "string")),
                },
            }
        };
        let mut by = ConfiguredBy::default();
        if let Some(b) = node.get("configuredBy").filter(|b| !b.is_null()) {
            if !b.is_map() {
                return Err(unmarshal_error(b, "yaml.ResourceIdentifier"));
            }
            by = ConfiguredBy { api_version: text(b, "apiVersion")?, kind: text(b, "kind")?, name: text(b, "name")?, namespace: text(b, "namespace")? };
        }
        Ok(Origin { path: text(node, "path")?, repo: text(node, "repo")?, git_ref: text(node, "ref")?, configured_in: text(node, "configuredIn")?, configured_by: by })
    }
}

fn unmarshal_error(node: &Node, into: &str) -> Error {
    Error::at(&node.span, format!("yaml: unmarshal errors: cannot unmarshal {} into {}", node.shape(), into))
}

/// A list of origins as the transformations annotation holds it.
pub fn transformations_to_yaml(list: &[Origin]) -> String {
    if list.is_empty() {
        return "[]\n".to_string();
    }
    let mut out = String::new();
    for o in list {
        if o.is_empty() {
            out.push_str("- {}\n");
        } else {
            o.write(&mut out, "- ", "  ");
        }
    }
    out
}

pub fn parse_transformations(text: &str) -> Result<Vec<Origin>> {
    let Some(node) = crate::yaml::parse_single(TRANSFORMATIONS_KEY, text)? else { return Ok(Vec::new()) };
    if node.is_null() {
        return Ok(Vec::new());
    }
    let Some(items) = node.as_seq() else { return Err(unmarshal_error(&node, "resource.Transformations")) };
    items.iter().map(Origin::from_node).collect()
}

/// One scalar as go-yaml writes it inside a block mapping: plain when it
/// reads back as the same string, quoted otherwise.
fn scalar(text: &str) -> String {
    let out = crate::yaml::emit_node(&Node::string(text, Span::default()));
    let line = out.strip_suffix('\n').unwrap_or(&out);
    if line.contains('\n') || line.starts_with('|') || line.starts_with('>') {
        // Never written by kustomize for a path or a kind; keep it valid.
        return serde_json::to_string(text).unwrap_or_default();
    }
    line.to_string()
}

/// Go's filepath.Join for two elements: empty ones dropped, the result cleaned.
pub fn go_join(a: &str, b: &str) -> String {
    let joined = match (a.is_empty(), b.is_empty()) {
        (true, true) => return String::new(),
        (true, false) => b.to_string(),
        (false, true) => a.to_string(),
        (false, false) => format!("{}/{}", a, b),
    };
    go_clean(&joined)
}

/// Go's filepath.Clean.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{}", joined),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn annotation<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.path(&["metadata", "annotations", key]).and_then(|n| n.as_scalar()).map(|s| s.text.as_str())
}

/// Sets one annotation, creating `metadata.annotations` when needed.
pub fn set_annotation(node: &mut Node, key: &str, value: String) {
    let span = node.span.clone();
    if let Some(ann) = node.entry_map("metadata").and_then(|m| m.entry_map("annotations")) {
        ann.set(key, Node::string(value, span));
    }
}

/// The resource's origin annotation, parsed (kustomize's GetOrigin).
pub fn get_origin(node: &Node) -> Result<Option<Origin>> {
    annotation(node, ORIGIN_KEY).map(Origin::parse).transpose()
}

pub fn set_origin(node: &mut Node, origin: &Origin) {
    set_annotation(node, ORIGIN_KEY, origin.to_yaml());
}

/// kustomize's AddOriginAnnotation: generated resources that have no
/// origin yet (or an unreadable one) get this one.
pub fn add_origin(resources: &mut [Resource], origin: &Origin) {
    for r in resources {
        if annotation(&r.node, ORIGIN_KEY).is_none() {
            set_origin(&mut r.node, origin);
        }
    }
}

/// kustomize's AddTransformerAnnotation, after each transformer: a resource
/// with an origin records the transformer among its transformations; one
/// without is taken to be the transformer's own output.
pub fn add_transformation(resources: &mut [Resource], origin: &Origin) -> Result<()> {
    for r in resources {
        if get_origin(&r.node)?.is_none() {
            set_origin(&mut r.node, origin);
            continue;
        }
        let mut list = match annotation(&r.node, TRANSFORMATIONS_KEY) {
            Some(text) => parse_transformations(text)?,
            None => Vec::new(),
        };
        list.push(origin.clone());
        set_annotation(&mut r.node, TRANSFORMATIONS_KEY, transformations_to_yaml(&list));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_as_go() {
        assert_eq!(go_join("", "service.yaml"), "service.yaml");
        assert_eq!(go_join("", "./service.yaml"), "service.yaml");
        assert_eq!(go_join("../base", "namespace.yaml"), "../base/namespace.yaml");
        assert_eq!(go_join("../base", "../common"), "../common");
        assert_eq!(go_join("a", "../../x"), "../x");
        assert_eq!(go_join("", ""), "");
        assert_eq!(go_join("a/b/", ""), "a/b");
        assert_eq!(go_clean("/../a"), "/a");
    }

    #[test]
    fn writes_like_kyaml() {
        let top = Origin::default();
        assert_eq!(top.append("../base").append("ns.yaml").to_yaml(), "path: ../base/ns.yaml\n");
        let b = top.append("../base").builtin("kustomization.yaml", "ConfigMapGenerator");
        assert_eq!(b.to_yaml(), "configuredIn: ../base/kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n");
        let t = top.builtin("Kustomization", "PrefixTransformer");
        assert_eq!(
            transformations_to_yaml(&[b.clone(), t]),
            "- configuredIn: ../base/kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: ConfigMapGenerator\n- configuredIn: Kustomization\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n"
        );
        assert_eq!(Origin::default().to_yaml(), "{}\n");
        assert_eq!(top.append("true").to_yaml(), "path: \"true\"\n");
    }

    #[test]
    fn reads_back_what_it_writes() {
        let o = Origin {
            path: "a.yaml".into(),
            repo: "https://example.com/r".into(),
            git_ref: "v1".into(),
            configured_in: "k.yaml".into(),
            configured_by: ConfiguredBy { api_version: "builtin".into(), kind: "X".into(), name: "n".into(), namespace: "ns".into() },
        };
        assert_eq!(Origin::parse(&o.to_yaml()).unwrap(), o);
        let list = vec![o.clone(), Origin::default().append("b")];
        assert_eq!(parse_transformations(&transformations_to_yaml(&list)).unwrap(), list);
        assert_eq!(Origin::parse("").unwrap(), Origin::default());
        assert!(Origin::parse("- a\n").is_err());
    }

    #[test]
    fn transformations_accumulate() {
        let node = crate::yaml::parse_single("r.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n").unwrap().unwrap();
        let mut rs = vec![Resource::new(node)];
        let t = Origin::default().builtin("kustomization.yaml", "PrefixTransformer");
        add_transformation(&mut rs, &t).unwrap();
        // No origin yet: the transformer is taken as its origin.
        assert_eq!(get_origin(&rs[0].node).unwrap(), Some(t.clone()));
        add_transformation(&mut rs, &t).unwrap();
        let text = annotation(&rs[0].node, TRANSFORMATIONS_KEY).unwrap();
        assert_eq!(parse_transformations(text).unwrap(), vec![t.clone()]);
        add_origin(&mut rs, &Origin::default().append("x"));
        assert_eq!(get_origin(&rs[0].node).unwrap(), Some(t));
    }

    fn render(files: &[(&str, &str)], dir: &str) -> String {
        let mut fs = crate::fs::MemFs::new();
        for (path, text) in files {
            fs.insert(path, text.as_bytes().to_vec());
        }
        crate::kustomize::render(&fs, dir, &crate::kustomize::BuildOptions::default()).unwrap()
    }

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    config.kubernetes.io/origin: |\n      path: made-up.yaml\n";

    #[test]
    fn only_the_top_kustomization_asks() {
        let base = ("/b/kustomization.yaml", "resources: [a.yaml]\nnamePrefix: p-\nbuildMetadata: [originAnnotations, transformerAnnotations]\n");
        let files = [base, ("/b/a.yaml", CM), ("/o/kustomization.yaml", "resources: [../b]\n")];
        // The overlay has none: nothing is tracked, and an origin written in
        // the input goes too.
        assert_eq!(render(&files, "/o"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-a\n");
        let files = [base, ("/b/a.yaml", CM), ("/o/kustomization.yaml", "resources: [../b]\nbuildMetadata: [originAnnotations]\n")];
        let out = render(&files, "/o");
        assert!(out.contains("config.kubernetes.io/origin: |\n      path: ../b/a.yaml\n"), "{}", out);
        assert!(!out.contains("transformations"), "{}", out);
    }

    #[test]
    fn generators_and_components() {
        let files = [
            ("/b/kustomization.yaml", "configMapGenerator:\n- name: g\n  literals: [a=1]\n"),
            ("/c/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n- name: g\n  behavior: merge\n  literals: [b=2]\n- name: h\n  literals: [c=3]\n"),
            ("/o/Kustomization", "resources: [../b]\ncomponents: [../c]\nnameSuffix: -s\nbuildMetadata: [originAnnotations, transformerAnnotations]\n"),
        ];
        let out = render(&files, "/o");
        // A merge keeps the base's origin; a new one is the component's.
        assert!(out.contains("      configuredIn: ../b/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n  name: g-s-"), "{}", out);
        assert!(out.contains("      configuredIn: ../c/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n  name: h-s-"), "{}", out);
        assert!(out.contains("      - configuredIn: Kustomization\n        configuredBy:\n          apiVersion: builtin\n          kind: SuffixTransformer\n"), "{}", out);
    }
}
