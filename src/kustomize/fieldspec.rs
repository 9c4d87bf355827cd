//! Field specs: "in objects of this group/version/kind, the field at this
//! path". Built-in transformers (namespace, prefix, labels, images, …) find
//! the fields they change through them, as kustomize's fsslice filter does.

use crate::error::{Error, Result};
use crate::yaml::{parse_documents, Kind, Node, Span};
use std::sync::OnceLock;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSpec {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Path segments; a `name[]` segment marks a list field.
    pub path: Vec<String>,
    pub create: bool,
}

/// What to create when a field on the path is missing and the spec says
/// `create: true`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Create {
    No,
    Scalar,
    Map,
}

impl FieldSpec {
    pub fn new(path: &str, create: bool) -> FieldSpec {
        FieldSpec { path: split_path(path), create, ..FieldSpec::default() }
    }
    pub fn from_node(node: &Node) -> Result<FieldSpec> {
        let s = |k: &str| node.get_str(k).unwrap_or("").to_string();
        // Read with YAML 1.1 rules as kustomize does: `yes` and `on` are true.
        let create = node.get("create").and_then(|n| n.as_scalar()).is_some_and(|s| {
            let plain = s.kind == Kind::Bool || (s.kind == Kind::Str && s.style == crate::yaml::Style::Plain);
            plain && matches!(s.text.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "y")
        });
        let path = s("path");
        Ok(FieldSpec { group: s("group"), version: s("version"), kind: s("kind"), path: split_path(&path), create })
    }
    /// Whether this spec's gvk selects `gvk` (empty parts match anything).
    pub fn selects(&self, gvk: &super::resmap::Gvk) -> bool {
        gvk.is_selected_by(&self.group, &self.version, &self.kind)
    }
    /// The spec's gvk as kustomize prints it (`Kind.version.group`).
    pub fn gvk_string(&self) -> String {
        super::resmap::Gvk { group: self.group.clone(), version: self.version.clone(), kind: self.kind.clone() }.dotted()
    }
    pub fn path_string(&self) -> String {
        self.path.join("/")
    }
    pub fn matches(&self, node: &Node) -> bool {
        let kind = node.get_str("kind").unwrap_or("");
        if !self.kind.is_empty() && self.kind != kind {
            return false;
        }
        let api_version = node.get_str("apiVersion").unwrap_or("");
        let (group, version) = match api_version.find('/') {
            Some(i) => (&api_version[..i], &api_version[i + 1..]),
            None => ("", api_version),
        };
        (self.group.is_empty() || self.group == group) && (self.version.is_empty() || self.version == version)
    }
}

/// Splits `a/b\/c/d` into `a`, `b/c`, `d` (a leading `/` is allowed).
pub fn split_path(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    let mut out: Vec<String> = Vec::new();
    for p in parts {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(p);
            }
            _ => out.push(p.to_string()),
        }
    }
    out
}

/// Calls `set` on every field of `obj` that `spec` names, creating missing
/// fields as the spec allows. `set` receives the field's node (a fresh null
/// when just created).
pub fn apply(obj: &mut Node, spec: &FieldSpec, create: Create, set: &mut dyn FnMut(&mut Node) -> Result<()>) -> Result<()> {
    apply_at(obj, spec, create, &mut |field, _| set(field))
}

/// As `apply`, also telling `set` where the field is: its keys from the
/// object's root, list items by index.
pub fn apply_at(obj: &mut Node, spec: &FieldSpec, create: Create, set: &mut dyn FnMut(&mut Node, &[String]) -> Result<()>) -> Result<()> {
    if !spec.matches(obj) {
        return Ok(());
    }
    let mut trail = Vec::new();
    walk(obj, &spec.path, spec.create, create, &mut trail, set).map_err(|e| {
        let id = super::resmap::ResId::of(obj);
        Error { message: format!("considering field '{}' of object {}: {}", spec.path_string(), id, e.message), span: e.span }
    })
}

fn walk(
    node: &mut Node,
    path: &[String],
    may_create: bool,
    create: Create,
    trail: &mut Vec<String>,
    set: &mut dyn FnMut(&mut Node, &[String]) -> Result<()>,
) -> Result<()> {
    let Some((first, rest)) = path.split_first() else {
        return set(node, trail);
    };
    if node.is_null() {
        return Ok(());
    }
    if let Some(items) = node.as_seq_mut() {
        for (i, item) in items.iter_mut().enumerate() {
            trail.push(i.to_string());
            let r = walk(item, path, may_create, create, trail, set);
            trail.pop();
            r?;
        }
        return Ok(());
    }
    if !node.is_map() {
        return Err(Error::at(&node.span, "expected sequence or mapping node"));
    }
    let (name, is_seq) = match first.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (first.as_str(), false),
    };
    if name.is_empty() {
        return Err(Error::at(&node.span, "cannot set or create an empty field name"));
    }
    let span = node.span.clone();
    if node.get(name).is_none() {
        if !may_create || create == Create::No || is_seq {
            return Ok(());
        }
        let fresh = if rest.is_empty() && create == Create::Scalar { Node::null(span.clone()) } else { Node::map(span.clone()) };
        node.set(name, fresh);
    }
    let Some(field) = node.get_mut(name) else { return Ok(()) };
    if field.is_null() && may_create && create != Create::No && !is_seq && !rest.is_empty() {
        *field = Node::map(span);
    }
    trail.push(name.to_string());
    let r = walk(field, rest, may_create, create, trail, set);
    trail.pop();
    r
}

/// The field-spec lists of kustomize's transformer configuration, one per
/// built-in transformer, in the order kustomize's MergeConfig merges them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecList {
    NamePrefix,
    NameSuffix,
    Namespace,
    CommonAnnotations,
    CommonLabels,
    /// Extra fields for `labels:` entries; empty by default, filled only by
    /// `configurations:` files.
    Labels,
    TemplateLabels,
    VarReference,
    Images,
    Replicas,
}

impl SpecList {
    pub const ALL: [SpecList; 10] = [
        SpecList::NamePrefix,
        SpecList::NameSuffix,
        SpecList::Namespace,
        SpecList::CommonAnnotations,
        SpecList::CommonLabels,
        SpecList::Labels,
        SpecList::TemplateLabels,
        SpecList::VarReference,
        SpecList::Images,
        SpecList::Replicas,
    ];

    /// Its key in a configuration file (`configurations:`, fieldspecs.yaml).
    pub fn key(self) -> &'static str {
        match self {
            SpecList::NamePrefix => "namePrefix",
            SpecList::NameSuffix => "nameSuffix",
            SpecList::Namespace => "namespace",
            SpecList::CommonAnnotations => "commonAnnotations",
            SpecList::CommonLabels => "commonLabels",
            SpecList::Labels => "labels",
            SpecList::TemplateLabels => "templateLabels",
            SpecList::VarReference => "varReference",
            SpecList::Images => "images",
            SpecList::Replicas => "replicas",
        }
    }

    /// The name kustomize's merge errors give it ("failed to merge
    /// NameSpace fieldSpec").
    fn merge_name(self) -> &'static str {
        match self {
            SpecList::NamePrefix => "NamePrefix",
            SpecList::NameSuffix => "NameSuffix",
            SpecList::Namespace => "NameSpace",
            SpecList::CommonAnnotations => "CommonAnnotations",
            SpecList::CommonLabels => "CommonLabels",
            SpecList::Labels => "Labels",
            SpecList::TemplateLabels => "TemplateLabels",
            SpecList::VarReference => "VarReference",
            SpecList::Images => "Images",
            SpecList::Replicas => "Replicas",
        }
    }
}

/// The field specs of kustomize's built-in transformers (its
/// "transformer configuration"): one list per `SpecList`, indexed by it
/// (`config[SpecList::Images]`), and the name back references.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransformerConfig {
    lists: [Vec<FieldSpec>; 10],
    pub name_reference: Vec<NameBackRef>,
}

impl std::ops::Index<SpecList> for TransformerConfig {
    type Output = Vec<FieldSpec>;
    fn index(&self, list: SpecList) -> &Vec<FieldSpec> {
        &self.lists[list as usize]
    }
}

impl std::ops::IndexMut<SpecList> for TransformerConfig {
    fn index_mut(&mut self, list: SpecList) -> &mut Vec<FieldSpec> {
        &mut self.lists[list as usize]
    }
}

/// "Objects of this gvk are referred to by name from these fields."
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameBackRef {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub referrers: Vec<FieldSpec>,
}

impl TransformerConfig {
    /// The defaults as a kustomization starts from them: merged into an
    /// empty configuration (deduplicated and sorted), computed once.
    pub fn builtin_merged() -> &'static TransformerConfig {
        static MERGED: OnceLock<TransformerConfig> = OnceLock::new();
        MERGED.get_or_init(|| {
            let mut c = TransformerConfig::default();
            let _ = c.merge_all(TransformerConfig::builtin());
            c
        })
    }

    /// `builtin_merged`, shared.
    pub fn builtin_shared() -> std::sync::Arc<TransformerConfig> {
        static SHARED: OnceLock<std::sync::Arc<TransformerConfig>> = OnceLock::new();
        SHARED.get_or_init(|| std::sync::Arc::new(TransformerConfig::builtin_merged().clone())).clone()
    }

    pub fn is_empty(&self) -> bool {
        *self == TransformerConfig::default()
    }

    /// The defaults, parsed once.
    pub fn builtin() -> &'static TransformerConfig {
        static CONFIG: OnceLock<TransformerConfig> = OnceLock::new();
        CONFIG.get_or_init(|| TransformerConfig::parse("fieldspecs.yaml", include_str!("fieldspecs.yaml")).unwrap_or_default())
    }

    /// Reads a transformer configuration file (kustomize's `configurations:`).
    pub fn parse(file: &str, text: &str) -> Result<TransformerConfig> {
        let mut config = TransformerConfig::default();
        for doc in parse_documents(file, text)? {
            config.merge_node(&doc)?;
        }
        config.sort_fields();
        Ok(config)
    }

    /// kustomize keeps each list sorted by gvk (sortFields after every load
    /// and merge). The order matters: merging skips a spec when an earlier
    /// one of a gvk it selects has the same path, so a general spec that
    /// sorts after a specific one disappears.
    fn sort_fields(&mut self) {
        for list in self.lists.iter_mut() {
            list.sort_by_cached_key(|s| gvk_sort_key(&s.group, &s.version, &s.kind));
        }
        self.name_reference.sort_by_cached_key(|b| gvk_sort_key(&b.group, &b.version, &b.kind));
    }

    fn merge_node(&mut self, doc: &Node) -> Result<()> {
        let Some(entries) = doc.as_map() else {
            return Err(Error::at(&doc.span, "a transformer configuration must be a mapping"));
        };
        for (k, v) in entries {
            let key = k.as_str().unwrap_or("");
            if key == "nameReference" {
                for item in v.as_seq().map(|s| s.as_slice()).unwrap_or(&[]) {
                    let s = |k: &str| item.get_str(k).unwrap_or("").to_string();
                    let referrers = specs(item.get("fieldSpecs"))?;
                    add_backref(
                        &mut self.name_reference,
                        NameBackRef { group: s("group"), version: s("version"), kind: s("kind"), referrers },
                    );
                }
                continue;
            }
            let Some(list) = SpecList::ALL.into_iter().find(|l| l.key() == key) else { continue };
            let list = &mut self[list];
            for spec in specs(Some(v))? {
                add_spec(list, spec);
            }
        }
        Ok(())
    }

    /// Adds another configuration's specs (kustomize's MergeConfig): specs
    /// already there are skipped; the same field listed once with and once
    /// without `create` is an error.
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<()> {
        self.merge_all(other)
    }

    fn merge_all(&mut self, other: &TransformerConfig) -> Result<()> {
        for list in SpecList::ALL {
            merge_specs(&mut self[list], &other[list])
                .map_err(|e| Error { message: format!("failed to merge {} fieldSpec: {}", list.merge_name(), e.message), ..e })?;
        }
        for b in &other.name_reference {
            self.add_name_reference(b)
                .map_err(|e| Error { message: format!("failed to merge NameReference fieldSpec: {}", e.message), ..e })?;
        }
        self.sort_fields();
        Ok(())
    }

    /// Adds one back reference: its referrers join those of the same gvk.
    pub fn add_name_reference(&mut self, b: &NameBackRef) -> Result<()> {
        match self.name_reference.iter_mut().find(|e| e.group == b.group && e.version == b.version && e.kind == b.kind) {
            Some(existing) => merge_specs(&mut existing.referrers, &b.referrers),
            None => {
                self.name_reference.push(b.clone());
                Ok(())
            }
        }
    }
}

/// Adds `incoming` to `list` as kustomize's FsSlice.MergeAll does: a spec
/// whose path is already there for a gvk it selects is skipped, unless the
/// two disagree on `create`.
pub fn merge_specs(list: &mut Vec<FieldSpec>, incoming: &[FieldSpec]) -> Result<()> {
    for spec in incoming {
        let same = list.iter().find(|s| s.path == spec.path && s.group_version_kind_selected_by(spec));
        match same {
            Some(s) if s.create != spec.create => {
                return Err(Error::new(format!(
                    "conflicting fieldspecs: '{}' is listed with create: {} and create: {}",
                    spec.path_string(),
                    s.create,
                    spec.create
                )))
            }
            Some(_) => {}
            None => list.push(spec.clone()),
        }
    }
    Ok(())
}

impl FieldSpec {
    fn group_version_kind_selected_by(&self, selector: &FieldSpec) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }
}

/// kustomize's Gvk.IsLessThan: well-known kinds first, in the legacy output
/// order, then `group_version_kind` with `~G`, `~V`, `~K` for empty parts.
fn gvk_sort_key(group: &str, version: &str, kind: &str) -> (i64, String) {
    use super::resmap::{ORDER_FIRST, ORDER_LAST};
    let rank = if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        i as i64 - ORDER_FIRST.len() as i64
    } else if let Some(i) = ORDER_LAST.iter().position(|k| *k == kind) {
        1 + i as i64
    } else {
        0
    };
    let or = |s: &str, d: &str| if s.is_empty() { d.to_string() } else { s.to_string() };
    (rank, format!("{}_{}_{}", or(group, "~G"), or(version, "~V"), or(kind, "~K")))
}

fn specs(node: Option<&Node>) -> Result<Vec<FieldSpec>> {
    node.and_then(|n| n.as_seq()).map(|items| items.iter().map(FieldSpec::from_node).collect()).unwrap_or(Ok(Vec::new()))
}

fn add_spec(list: &mut Vec<FieldSpec>, spec: FieldSpec) {
    if !list.contains(&spec) {
        list.push(spec);
    }
}

fn add_backref(list: &mut Vec<NameBackRef>, b: NameBackRef) {
    if let Some(existing) = list.iter_mut().find(|e| e.group == b.group && e.version == b.version && e.kind == b.kind) {
        for r in b.referrers {
            add_spec(&mut existing.referrers, r);
        }
    } else {
        list.push(b);
    }
}

/// Sets a scalar field to a string value.
pub fn set_string(node: &mut Node, value: &str, span: &Span) {
    *node = Node::string(value, span.clone());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_loads() {
        let c = TransformerConfig::builtin();
        assert!(c[SpecList::CommonLabels].len() > 10);
        assert!(c.name_reference.iter().any(|b| b.kind == "ConfigMap"));
        assert!(c[SpecList::Namespace].iter().any(|s| s.kind == "APIService"));
    }

    #[test]
    fn merged_defaults_are_a_fixed_point() {
        // build.rs shares them instead of merging them into an empty config.
        let mut again = TransformerConfig::default();
        again.merge(TransformerConfig::builtin_merged()).unwrap();
        assert_eq!(&again, TransformerConfig::builtin_merged());
    }

    #[test]
    fn escaped_slashes() {
        assert_eq!(split_path("metadata/annotations/a\\/b"), vec!["metadata", "annotations", "a/b"]);
        assert_eq!(split_path("/spec/x"), vec!["spec", "x"]);
    }
}
