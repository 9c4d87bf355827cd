//! Semantic diff of two renders: resources matched by identity, field-level
//! changes with readable paths, Secret values masked; plus a unified text
//! diff of the rendered YAML as a second view.
//!
//! The engine works on `Node`s, so it diffs any two lists of resources: two
//! environments, one environment before and after a promotion, two commits.

pub mod fields;
pub mod format;
pub mod lines;
pub mod mask;
pub mod matching;
pub mod merge_key;
pub mod path;
pub mod value;

pub use fields::FieldChange;
pub use path::{IgnoreRule, Path, Segment};

use crate::yaml::{emit_node, Node};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// Match resources of the same group, kind and name whatever their
    /// namespace, so the same app in `staging` and `production` is one
    /// resource; its namespace is then not reported as a change.
    pub across_namespaces: bool,
    /// Fields meant to differ.
    pub ignore: Vec<IgnoreRule>,
    /// Lines of context in unified diffs.
    pub context: usize,
}

impl Default for DiffOptions {
    fn default() -> DiffOptions {
        DiffOptions { across_namespaces: true, ignore: Vec::new(), context: 3 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }
}

/// Who a resource is, on one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
}

impl ResourceRef {
    pub fn of(node: &Node) -> ResourceRef {
        let meta = |k: &str| node.path(&["metadata", k]).and_then(Node::as_str).unwrap_or("").to_string();
        ResourceRef {
            api_version: node.get_str("apiVersion").unwrap_or("").to_string(),
            kind: node.get_str("kind").unwrap_or("").to_string(),
            namespace: meta("namespace"),
            name: meta("name"),
        }
    }
}

impl fmt::Display for ResourceRef {
    /// `Kind/namespace/name` (`Kind/name` without a namespace), as `flux diff` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// One resource that differs.
#[derive(Clone, Debug)]
pub struct ResourceDiff {
    pub status: Status,
    pub before: Option<ResourceRef>,
    pub after: Option<ResourceRef>,
    /// Field changes, Secret values masked; empty for added/removed.
    pub changes: Vec<FieldChange>,
    /// The two versions as printed in text views: Secret values masked,
    /// ignored fields removed.
    pub before_node: Option<Node>,
    pub after_node: Option<Node>,
    /// The names it was matched by on each side when either differs from
    /// its name: the names without each environment's own prefix and suffix.
    pub stems: Option<(String, String)>,
}

impl ResourceDiff {
    /// The side that names it: the newer one when there is one.
    pub fn id(&self) -> &ResourceRef {
        self.after.as_ref().or(self.before.as_ref()).expect("a resource diff has a side")
    }
    /// A generated ConfigMap/Secret whose hash suffix changed (not a name
    /// that differs only by each environment's own prefix and suffix).
    pub fn renamed(&self) -> bool {
        matches!((&self.before, &self.after), (Some(a), Some(b)) if a.name != b.name) && !self.same_stem()
    }
    fn same_stem(&self) -> bool {
        matches!(&self.stems, Some((a, b)) if a == b)
    }
    /// The name both sides share once each environment's own prefix and
    /// suffix are removed (the name itself when nothing was removed).
    pub fn name(&self) -> &str {
        match &self.stems {
            Some((a, b)) => {
                if self.after.is_some() {
                    b
                } else {
                    a
                }
            }
            None => &self.id().name,
        }
    }
    /// A namespace-insensitive title: `Deployment/my-app`, with the rename
    /// (`ConfigMap/cfg-abc → cfg-def`) or the namespaces (`staging → production`);
    /// names that differ by each environment's own prefix/suffix show under
    /// the name they share: `Deployment/web (staging/stg-web → prod/prd-web)`.
    pub fn title(&self) -> String {
        match (&self.before, &self.after) {
            (Some(a), Some(b)) if a.name != b.name && self.same_stem() => {
                let side = |r: &ResourceRef| {
                    if a.namespace == b.namespace || r.namespace.is_empty() {
                        r.name.clone()
                    } else {
                        format!("{}/{}", r.namespace, r.name)
                    }
                };
                format!("{}/{} ({} → {})", b.kind, self.name(), side(a), side(b))
            }
            (Some(a), Some(b)) if a.name != b.name => {
                let old = ResourceRef { name: a.name.clone(), ..b.clone() };
                format!("{} → {}", old, b.name)
            }
            (Some(a), Some(b)) if a.namespace != b.namespace => {
                let ns = |s: &str| if s.is_empty() { "(none)".to_string() } else { s.to_string() };
                format!("{}/{} ({} → {})", b.kind, b.name, ns(&a.namespace), ns(&b.namespace))
            }
            _ => self.id().to_string(),
        }
    }
    /// The YAML of both versions as a unified diff.
    pub fn unified(&self, context: usize) -> String {
        let text = |n: &Option<Node>| n.as_ref().map(emit_node).unwrap_or_default();
        let name = self.id().to_string();
        lines::unified(&text(&self.before_node), &text(&self.after_node), &format!("a/{}", name), &format!("b/{}", name), context)
    }
}

/// Everything that differs between two renders.
#[derive(Clone, Debug, Default)]
pub struct Diff {
    pub resources: Vec<ResourceDiff>,
    /// Resources present on both sides and equal (up to ignored fields).
    pub unchanged: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
    pub fn summary(&self) -> Summary {
        let count = |s: Status| self.resources.iter().filter(|r| r.status == s).count();
        Summary { added: count(Status::Added), removed: count(Status::Removed), changed: count(Status::Changed), unchanged: self.unchanged }
    }
}

/// Compares two renders.
pub fn diff(before: &[Node], after: &[Node], options: &DiffOptions) -> Diff {
    diff_stems(before, after, None, options)
}

/// Compares two renders whose resources are matched by `stems` (see
/// `matching::Stems`): a field that names a renamed resource on each side
/// (`configMapRef: {name: stg-cfg}` → `prd-cfg`) is no change when the two
/// names are one resource's in each environment.
pub fn diff_stems(before: &[Node], after: &[Node], stems: Option<&matching::Stems>, options: &DiffOptions) -> Diff {
    let mut out = Diff::default();
    let pairs = matching::match_stems(before, after, stems, options.across_namespaces);
    // A side's stem, when it is not the side's name.
    let stem_of = |side: Option<&Vec<String>>, i: Option<usize>, n: &Node| -> Option<String> {
        let s = side?.get(i?)?;
        (s != &ResourceRef::of(n).name).then(|| s.clone())
    };
    let pair_stems = |p: &matching::Pair| -> Option<(String, String)> {
        let sa = p.before.and_then(|a| stem_of(stems.map(|s| &s.before), p.before_index, a));
        let sb = p.after.and_then(|b| stem_of(stems.map(|s| &s.after), p.after_index, b));
        if sa.is_none() && sb.is_none() {
            return None;
        }
        let name = |n: Option<&Node>| n.map(|n| ResourceRef::of(n).name).unwrap_or_default();
        Some((sa.unwrap_or_else(|| name(p.before)), sb.unwrap_or_else(|| name(p.after))))
    };
    // Names that are one resource's in each environment.
    let renames: std::collections::HashSet<(String, String)> = pairs
        .iter()
        .filter_map(|p| {
            let (a, b) = (p.before?, p.after?);
            let (sa, sb) = pair_stems(p)?;
            (sa == sb).then(|| (ResourceRef::of(a).name, ResourceRef::of(b).name))
        })
        .collect();
    for pair in pairs {
        let stems = pair_stems(&pair);
        match (pair.before, pair.after) {
            (Some(a), Some(b)) => {
                if a == b {
                    out.unchanged += 1;
                    continue;
                }
                let (ra, rb) = (ResourceRef::of(a), ResourceRef::of(b));
                let mut rules = options.ignore.clone();
                // What matching already accounted for is not a change.
                if ra.namespace != rb.namespace {
                    rules.push(IgnoreRule::parse("metadata.namespace").expect("valid rule"));
                }
                if ra.name != rb.name {
                    rules.push(IgnoreRule::parse("metadata.name").expect("valid rule"));
                }
                let mut changes = fields::compare(a, b, &rules);
                if !renames.is_empty() {
                    changes
                        .retain(|c| !(c.before.is_some() && c.after.is_some() && renames.contains(&(scalar(&c.before), scalar(&c.after)))));
                    drop_renamed_items(&mut changes, &renames);
                }
                if changes.is_empty() {
                    out.unchanged += 1;
                    continue;
                }
                if mask::is_secret(a) || mask::is_secret(b) {
                    mask::mask_changes(&mut changes);
                }
                out.resources.push(ResourceDiff {
                    status: Status::Changed,
                    before: Some(ra),
                    after: Some(rb),
                    changes,
                    before_node: Some(printable(a, Some(b), "before", &options.ignore)),
                    after_node: Some(printable(b, Some(a), "after", &options.ignore)),
                    stems,
                });
            }
            (None, Some(b)) => out.resources.push(ResourceDiff {
                status: Status::Added,
                before: None,
                after: Some(ResourceRef::of(b)),
                changes: Vec::new(),
                before_node: None,
                after_node: Some(printable(b, None, "after", &options.ignore)),
                stems,
            }),
            (Some(a), None) => out.resources.push(ResourceDiff {
                status: Status::Removed,
                before: Some(ResourceRef::of(a)),
                after: None,
                changes: Vec::new(),
                before_node: Some(printable(a, None, "before", &options.ignore)),
                after_node: None,
                stems,
            }),
            (None, None) => {}
        }
    }
    out
}

/// A list item keyed by a name that is one resource's in each environment
/// (`imagePullSecrets: [{name: stg-regcred}]` → `prd-regcred`) shows as
/// one item removed and one added: no change when the two items are the
/// same but for that name.
fn drop_renamed_items(changes: &mut Vec<FieldChange>, renames: &std::collections::HashSet<(String, String)>) {
    let item = |c: &FieldChange| -> Option<(Path, String, String)> {
        let (last, parent) = c.path.0.split_last()?;
        let Segment::Item { key, value, .. } = last else { return None };
        Some((Path(parent.to_vec()), key.clone(), value.clone()))
    };
    let mut gone = vec![false; changes.len()];
    for i in 0..changes.len() {
        let (Some(old), None) = (&changes[i].before, &changes[i].after) else { continue };
        let Some((parent, key, a)) = item(&changes[i]) else { continue };
        for j in 0..changes.len() {
            let (None, Some(new)) = (&changes[j].before, &changes[j].after) else { continue };
            if gone[j] {
                continue;
            }
            let Some((p, k, b)) = item(&changes[j]) else { continue };
            let mut renamed = old.clone();
            if let Some(entries) = renamed.as_map_mut() {
                for (ek, ev) in entries.iter_mut() {
                    if ek.as_str() == Some(key.as_str()) {
                        *ev = Node::string(b.clone(), ev.span.clone());
                    }
                }
            }
            if p == parent && k == key && renames.contains(&(a.clone(), b)) && renamed == *new {
                gone[i] = true;
                gone[j] = true;
                break;
            }
        }
    }
    let mut i = 0;
    changes.retain(|_| {
        i += 1;
        !gone[i - 1]
    });
}

/// A string scalar's text, for comparing names; empty for anything else.
fn scalar(n: &Option<Node>) -> String {
    n.as_ref().filter(|n| n.as_scalar().is_some()).and_then(Node::as_str).unwrap_or("").to_string()
}

/// Two renders and how they differ: builds `a` and `b` (kustomization
/// directories in `files`) and compares them.
pub struct Comparison {
    pub before: Vec<Node>,
    pub after: Vec<Node>,
    pub diff: Diff,
}

pub fn compare_builds(
    files: &dyn crate::fs::Files,
    a: &str,
    b: &str,
    build: &crate::kustomize::BuildOptions,
    options: &DiffOptions,
) -> crate::Result<Comparison> {
    let before = crate::kustomize::build(files, a, build)?.resources;
    let after = crate::kustomize::build(files, b, build)?.resources;
    Ok(compare_resmaps(&before, &after, options))
}

/// Compares two builds, each resource matched by its stem.
pub fn compare_resmaps(
    before: &crate::kustomize::resmap::ResMap,
    after: &crate::kustomize::resmap::ResMap,
    options: &DiffOptions,
) -> Comparison {
    let stems = matching::Stems::of(before, after);
    let (before, after) = (before.nodes(), after.nodes());
    let diff = diff_stems(&before, &after, Some(&stems), options);
    Comparison { before, after, diff }
}

/// A copy fit for printing: Secret values masked, ignored fields removed.
fn printable(node: &Node, other: Option<&Node>, side: &str, ignore: &[IgnoreRule]) -> Node {
    let mut n = node.clone();
    mask::mask_secret(&mut n, other, side);
    if !ignore.is_empty() {
        let kind = node.get_str("kind").unwrap_or("").to_string();
        strip(&mut n, &Path::root(), &kind, ignore);
    }
    n
}

/// Removes the fields the ignore rules name.
fn strip(node: &mut Node, path: &Path, kind: &str, ignore: &[IgnoreRule]) {
    if let Some(entries) = node.as_map_mut() {
        entries.retain(|(k, _)| !ignore.iter().any(|r| r.matches(kind, &path.key(k.as_str().unwrap_or("")))));
        for (k, v) in entries.iter_mut() {
            let p = path.key(k.as_str().unwrap_or(""));
            strip(v, &p, kind, ignore);
        }
    } else if let Some(items) = node.as_seq_mut() {
        let keyed = items.iter().all(|i| i.get_str("name").is_some());
        let seg = |i: usize, item: &Node| if keyed { merge_key::item_segment("name", item, i) } else { Segment::Index(i) };
        let mut i = 0;
        items.retain(|item| {
            let keep = !ignore.iter().any(|r| r.matches(kind, &path.child(seg(i, item))));
            i += 1;
            keep
        });
        for (i, item) in items.iter_mut().enumerate() {
            let p = path.child(seg(i, item));
            strip(item, &p, kind, ignore);
        }
    }
}

/// The unified text diff of two whole renders, Secret values masked.
pub fn unified_render(before: &[Node], after: &[Node], a_name: &str, b_name: &str, context: usize) -> String {
    let print = |docs: &[Node], others: &[Node], side: &str| -> String {
        // Secrets are few: find each one's counterpart by name among them.
        let secrets: Vec<&Node> = others.iter().filter(|o| mask::is_secret(o)).collect();
        let masked: Vec<Node> = docs
            .iter()
            .map(|d| {
                if !mask::is_secret(d) {
                    return d.clone();
                }
                let name = ResourceRef::of(d).name;
                let other = secrets.iter().copied().find(|o| ResourceRef::of(o).name == name);
                let mut d = d.clone();
                mask::mask_secret(&mut d, other, side);
                d
            })
            .collect();
        crate::yaml::emit_documents(&masked)
    };
    lines::unified(&print(before, after, "before"), &print(after, before, "after"), a_name, b_name, context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    #[test]
    fn environments_differ_by_fields_not_by_namespace() {
        let staging = parse_documents(
            "s",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: staging}\nspec: {ports: [{port: 80}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: staging}\nspec: {replicas: 2}\n",
        )
        .unwrap();
        let prod = parse_documents(
            "p",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: production}\nspec: {ports: [{port: 80}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: production}\nspec: {replicas: 5}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: eA==}\n",
        )
        .unwrap();
        let d = diff(&staging, &prod, &DiffOptions::default());
        assert_eq!(d.summary(), Summary { added: 1, removed: 0, changed: 1, unchanged: 1 });
        assert_eq!(d.resources[0].title(), "Deployment/web (staging → production)");
        assert_eq!(d.resources[0].changes.len(), 1);
        assert_eq!(d.resources[0].changes[0].path.to_string(), "spec.replicas");
        let strict = diff(&staging, &prod, &DiffOptions { across_namespaces: false, ..DiffOptions::default() });
        assert_eq!(strict.summary(), Summary { added: 3, removed: 2, changed: 0, unchanged: 0 });
        let ignoring = diff(
            &staging,
            &prod[..2],
            &DiffOptions { ignore: vec![IgnoreRule::parse("spec.replicas").unwrap()], ..DiffOptions::default() },
        );
        assert!(ignoring.is_empty());
        assert_eq!(ignoring.unchanged, 2);
    }

    #[test]
    fn a_regenerated_config_map_is_one_renamed_object_with_its_data_changes() {
        let a = parse_documents("a", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config-5tb2c9dkh6}\ndata: {LOG: info, MODE: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds-7g2h5m9c4k}\ndata: {token: YQ==}\n").unwrap();
        let b = parse_documents("b", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config-m2f8bh7m4g}\ndata: {LOG: debug, MODE: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds-b2c4d5f6g7}\ndata: {token: Yg==}\n").unwrap();
        let d = diff(&a, &b, &DiffOptions::default());
        assert_eq!(d.summary(), Summary { added: 0, removed: 0, changed: 2, unchanged: 0 });
        let text = format::text::render(&d, &format::Labels::default());
        assert_eq!(
            text,
            "► ConfigMap/app-config-5tb2c9dkh6 → app-config-m2f8bh7m4g renamed\n    data.LOG: info → debug\n► Secret/creds-7g2h5m9c4k → creds-b2c4d5f6g7 renamed\n    data.token: \"*** (before)\" → \"*** (after)\"\n2 changed, 0 added, 0 removed, 0 unchanged\n"
        );
        let printed = format!("{:?}", d.resources[1].after_node);
        assert!(!printed.contains("Yg=="), "Secret values never reach the text view");
    }

    #[test]
    fn references_that_differ_only_by_the_environments_prefix_are_no_change() {
        use crate::fs::MemFs;
        let mut fs = MemFs::new();
        fs.insert("/base/kustomization.yaml", "namePrefix: app-\nresources:\n- r.yaml\n");
        fs.insert(
            "/base/r.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {A: '1'}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: regcred}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  template:\n    spec:\n      imagePullSecrets:\n      - name: regcred\n      containers:\n      - name: web\n        envFrom:\n        - configMapRef: {name: cfg}\n        env:\n        - {name: PEER, value: cfg}\n",
        );
        fs.insert("/staging/kustomization.yaml", "namespace: staging\nnamePrefix: staging-\nresources:\n- ../base\n");
        fs.insert(
            "/prod/kustomization.yaml",
            "namespace: prod\nnamePrefix: prod-\nnameSuffix: -eu\nresources:\n- ../base\nreplicas:\n- {name: app-web, count: 3}\n",
        );
        let c = compare_builds(&fs, "/staging", "/prod", &Default::default(), &DiffOptions::default()).unwrap();
        assert_eq!(c.diff.summary(), Summary { added: 0, removed: 0, changed: 1, unchanged: 2 });
        let r = &c.diff.resources[0];
        assert_eq!(r.title(), "Deployment/app-web (staging/staging-app-web → prod/prod-app-web-eu)");
        assert_eq!((r.name(), r.renamed()), ("app-web", false));
        // The configMapRef and the pull secret (a list item keyed by its
        // name) name the same object in each environment; a plain value
        // (`PEER: cfg`) is not a reference and stays as it is.
        let paths: Vec<String> = r.changes.iter().map(|c| c.path.to_string()).collect();
        assert_eq!(paths, vec!["spec.replicas"]);
        let text = format::text::render(&c.diff, &format::Labels::default());
        assert_eq!(text, "► Deployment/app-web (staging/staging-app-web → prod/prod-app-web-eu) changed\n    spec.replicas: 1 → 3\n1 changed, 0 added, 0 removed, 2 unchanged\n");
    }
}
