//! Resources and their ids (kustomize's resid and resmap): a resource is a
//! YAML object with an identity; a ResMap is the ordered set the build
//! passes from step to step.

use crate::error::{Error, Result};
use crate::yaml::{Node, Span};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// Group, version, kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.find('/') {
            Some(i) => (&api_version[..i], &api_version[i + 1..]),
            None => ("", api_version),
        };
        Gvk { group: group.to_string(), version: version.to_string(), kind: kind.to_string() }
    }
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    /// Whether the Kubernetes schema kustomize embeds says this kind has no
    /// namespace.
    pub fn is_cluster_scoped(&self) -> bool {
        let api_version = self.api_version();
        CLUSTER_SCOPED.iter().any(|(v, k)| *v == api_version && *k == self.kind)
    }
    /// Whether the selector's non-empty group, version and kind all match
    /// this one (kustomize's Gvk.IsSelected).
    pub fn is_selected_by(&self, group: &str, version: &str, kind: &str) -> bool {
        (group.is_empty() || group == self.group)
            && (version.is_empty() || version == self.version)
            && (kind.is_empty() || kind == self.kind)
    }
    /// `Kind.version.group`, with kustomize's placeholders for empty parts.
    pub fn dotted(&self) -> String {
        let or = |s: &str, d: &'static str| if s.is_empty() { d.to_string() } else { s.to_string() };
        format!("{}.{}.{}", or(&self.kind, "[noKind]"), or(&self.version, "[noVer]"), or(&self.group, "[noGrp]"))
    }
}

/// (apiVersion, kind) pairs kustomize knows to be cluster-scoped
/// (kyaml/openapi precomputedIsNamespaceScoped, kustomize v5.5.0).
const CLUSTER_SCOPED: [(&str, &str); 36] = [
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// A resource's identity: its gvk, name and namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    pub fn of(node: &Node) -> ResId {
        let gvk = Gvk::from_api_version(node.get_str("apiVersion").unwrap_or(""), node.get_str("kind").unwrap_or(""));
        let meta = node.get("metadata");
        let text = |k: &str| meta.and_then(|m| m.get_str(k)).unwrap_or("").to_string();
        ResId { gvk, name: text("name"), namespace: text("namespace") }
    }
    /// The namespace the resource lands in: none for cluster-scoped kinds,
    /// `default` when unset.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }
    /// Same object in a cluster (kustomize's ResId.Equals).
    pub fn same_as(&self, other: &ResId) -> bool {
        self.gvk == other.gvk && self.name == other.name && self.effective_namespace() == other.effective_namespace()
    }
}

impl fmt::Display for ResId {
    /// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = if self.namespace.is_empty() { "[noNs]" } else { &self.namespace };
        let name = if self.name.is_empty() { "[noName]" } else { &self.name };
        write!(f, "{}/{}.{}", self.gvk.dotted(), name, ns)
    }
}

/// A resource in the build: its YAML and where it came from.
#[derive(Clone, Debug)]
pub struct Resource {
    pub node: Node,
    /// The file that first declared it (or the kustomization that generated it).
    pub source: Span,
    /// Ids it had before transformers renamed or moved it, oldest first
    /// (kustomize keeps these in build annotations for name references).
    pub previous: Vec<ResId>,
    /// Made by a generator whose name gets a content hash suffix.
    pub needs_hash: bool,
    /// Made by a ConfigMap or Secret generator (kustomize marks these with
    /// its generatorBehavior build annotation).
    pub generated: bool,
    /// For generated resources: how they combine with one of the same id.
    pub behavior: Behavior,
    /// Name prefixes and suffixes added to it, innermost kustomization first
    /// (kustomize's prefixes/suffixes build annotations): name references
    /// prefer a target renamed the same way as the referrer.
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// The file that declared each of `prefixes` and `suffixes` (same
    /// order): comparing two environments strips only the affixes that one
    /// of them declares and the other does not (its own `namePrefix`), and
    /// keeps those of a base both share.
    pub prefix_sources: Vec<Arc<str>>,
    pub suffix_sources: Vec<Arc<str>>,
    /// Groups of fields that are one shared node in kustomize, so that
    /// changing one in place changes all (see `aliases.rs`).
    pub aliases: Vec<Vec<Vec<String>>>,
    /// Names of the `vars:` whose objref picked this resource (kustomize's
    /// refVarNames): a var's value is read from here at the top level.
    pub ref_vars: Vec<String>,
    /// Explain mode's name for it, kept through renames and moves; 0 until
    /// a recorder has seen it (see `trace.rs`).
    pub trace: u32,
}

/// A generator's `behavior:`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    #[default]
    Unspecified,
    Create,
    Merge,
    Replace,
}

impl Resource {
    pub fn new(node: Node) -> Resource {
        let source = node.span.clone();
        Resource {
            node,
            source,
            previous: Vec::new(),
            needs_hash: false,
            generated: false,
            behavior: Behavior::Unspecified,
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            prefix_sources: Vec::new(),
            suffix_sources: Vec::new(),
            aliases: Vec::new(),
            ref_vars: Vec::new(),
            trace: 0,
        }
    }
    /// Remembers the current id before a transformer may change it.
    pub fn store_previous_id(&mut self) {
        let id = self.id();
        if self.previous.last() != Some(&id) {
            self.previous.push(id);
        }
    }
    /// The id it was declared with.
    pub fn original_id(&self) -> ResId {
        self.previous.first().cloned().unwrap_or_else(|| self.id())
    }
    /// The gvk kustomize selects by for "original id" matches: the kind it
    /// was declared with, the group and version it has now (kustomize keeps
    /// only previous kinds, not previous apiVersions).
    pub fn original_gvk(&self) -> Gvk {
        let current = self.id().gvk;
        match self.previous.first() {
            Some(p) => Gvk { kind: p.gvk.kind.clone(), ..current },
            None => current,
        }
    }
    /// Whether kustomize would hold build annotations for it at this point
    /// (previous names, prefixes, suffixes, generator behavior): then its
    /// `metadata.annotations` exists during the build even when the output
    /// shows none, which a JSON patch can tell.
    pub fn has_build_annotations(&self) -> bool {
        self.generated || !self.previous.is_empty() || !self.prefixes.is_empty() || !self.suffixes.is_empty()
    }
    pub fn id(&self) -> ResId {
        ResId::of(&self.node)
    }
    pub fn name(&self) -> &str {
        self.node.path(&["metadata", "name"]).and_then(|n| n.as_str()).unwrap_or("")
    }
    pub fn kind(&self) -> &str {
        self.node.get_str("kind").unwrap_or("")
    }
}

/// The ordered collection of resources a build passes along.
#[derive(Clone, Debug, Default)]
pub struct ResMap {
    pub resources: Vec<Resource>,
}

impl ResMap {
    pub fn new() -> ResMap {
        ResMap::default()
    }
    pub fn len(&self) -> usize {
        self.resources.len()
    }
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Resource> {
        self.resources.iter()
    }
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Resource> {
        self.resources.iter_mut()
    }

    /// Adds a resource; two resources with the same id are an error, as in
    /// kustomize.
    pub fn append(&mut self, r: Resource) -> Result<()> {
        let id = r.id();
        if let Some(existing) = self.resources.iter().find(|e| e.id().same_as(&id)) {
            return Err(Error::at(
                &r.source,
                format!("may not add resource with an already registered id: {} (also declared in {})", id, existing.source),
            ));
        }
        self.resources.push(r);
        Ok(())
    }

    /// Adds many resources at once, checking ids with a hash set so that
    /// big builds stay linear.
    pub fn append_all(&mut self, other: ResMap) -> Result<()> {
        self.append_many(other.resources)
    }

    pub fn append_many(&mut self, items: Vec<Resource>) -> Result<()> {
        use std::collections::HashMap;
        let key = |id: &ResId| (id.gvk.clone(), id.name.clone(), id.effective_namespace().to_string());
        let mut seen: HashMap<(Gvk, String, String), usize> = HashMap::with_capacity(self.resources.len() + items.len());
        for (i, r) in self.resources.iter().enumerate() {
            seen.insert(key(&r.id()), i);
        }
        for r in items {
            let id = r.id();
            if let Some(&i) = seen.get(&key(&id)) {
                return Err(Error::at(
                    &r.source,
                    format!("may not add resource with an already registered id: {} (also declared in {})", id, self.resources[i].source),
                ));
            }
            seen.insert(key(&id), self.resources.len());
            self.resources.push(r);
        }
        Ok(())
    }

    pub fn nodes(&self) -> Vec<Node> {
        self.resources.iter().map(|r| r.node.clone()).collect()
    }

    /// kustomize's default ("legacy") output order: well-known kinds first
    /// (Namespace, … Deployment …), webhooks last, then by gvk and by
    /// namespace and name.
    pub fn sort_legacy(&mut self, order_first: &[&str], order_last: &[&str]) {
        let rank = |kind: &str| -> i64 {
            if let Some(i) = order_first.iter().position(|k| *k == kind) {
                return i as i64 - order_first.len() as i64;
            }
            if let Some(i) = order_last.iter().position(|k| *k == kind) {
                return 1 + i as i64;
            }
            0
        };
        // Keys are computed once per resource, not once per comparison.
        struct Key {
            id: ResId,
            rank: i64,
            gvk: String,
            id_string: String,
        }
        let mut keyed: Vec<(Key, Resource)> = self
            .resources
            .drain(..)
            .map(|r| {
                let id = r.id();
                let key = Key { rank: rank(&id.gvk.kind), gvk: legacy_gvk_string(&id.gvk), id_string: legacy_id_string(&id), id };
                (key, r)
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            if a.id.gvk != b.id.gvk {
                if a.rank != b.rank {
                    return a.rank.cmp(&b.rank);
                }
                // A quirk of kustomize's sorter: Namespaces with and without a group sort in reverse.
                if a.id.gvk.kind == "Namespace" && b.id.gvk.kind == "Namespace" && (a.id.gvk.group.is_empty() || b.id.gvk.group.is_empty())
                {
                    return b.gvk.cmp(&a.gvk);
                }
                return a.gvk.cmp(&b.gvk);
            }
            a.id_string.cmp(&b.id_string)
        });
        self.resources = keyed.into_iter().map(|(_, r)| r).collect();
    }
}

fn legacy_gvk_string(g: &Gvk) -> String {
    let or = |s: &str, d: &'static str| if s.is_empty() { d.to_string() } else { s.to_string() };
    format!("{}_{}_{}", or(&g.group, "~G"), or(&g.version, "~V"), or(&g.kind, "~K"))
}

fn legacy_id_string(id: &ResId) -> String {
    let or = |s: &str, d: &'static str| if s.is_empty() { d.to_string() } else { s.to_string() };
    let gvk = format!("{}.{}.{}", or(&id.gvk.kind, "~K"), or(&id.gvk.version, "~V"), or(&id.gvk.group, "~G"));
    format!("{}|{}|{}", gvk, or(&id.namespace, "~X"), or(&id.name, "~N"))
}

/// The kinds kustomize puts first and last by default.
pub const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
pub const ORDER_LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

impl PartialOrd for ResId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ResId {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.gvk, &self.namespace, &self.name).cmp(&(&other.gvk, &other.namespace, &other.name))
    }
}
