//! Name references (kustomize's FixBackReferences: api/internal/accumulator
//! namereferencetransformer.go and api/filters/nameref).
//!
//! Once every name is final (prefixes, suffixes, hashes), each field that
//! names another object — a Deployment's `configMapRef`, a RoleBinding's
//! `roleRef`, … as the `nameReference` specs list them — is pointed at that
//! object's new name. A referral target is found by a name it had *before*
//! being renamed: a resource that was never renamed or moved has no previous
//! ids and is never a target, as in kustomize.
//!
//! Candidates are looked up in an index by previous name, so the work grows
//! with the number of references, not with the square of the resources.

use crate::error::{Error, Result};
use crate::kustomize::fieldspec::{self, Create, FieldSpec, NameBackRef};
use crate::kustomize::resmap::{Gvk, ResId, ResMap, Resource};
use crate::yaml::{Node, Value};
use std::collections::{HashMap, HashSet};

/// What the search needs to know about each resource, taken before any
/// field is changed.
struct Info {
    id: ResId,
    /// Previous ids with the current group and version, as kustomize
    /// rebuilds them from its annotations.
    previous: Vec<Gvk>,
    /// Effective namespace of the id it was declared with.
    original_ns: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Info {
    fn of(r: &Resource) -> Info {
        let id = r.id();
        let previous = r.previous.iter().map(|p| Gvk { kind: p.gvk.kind.clone(), ..id.gvk.clone() }).collect();
        let original_ns = r.original_id().effective_namespace().to_string();
        Info { id, previous, original_ns, prefixes: r.prefixes.clone(), suffixes: r.suffixes.clone() }
    }
}

/// The resources that could be referral targets, indexed.
struct Index {
    infos: Vec<Info>,
    /// Previous name → resources that had it, in resource order.
    by_previous_name: HashMap<String, Vec<usize>>,
    /// Effective original namespace → resources (cluster-scoped ones left
    /// out, as kustomize's GroupedByOriginalNamespace does).
    by_original_ns: HashMap<String, Vec<usize>>,
}

const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

impl Index {
    fn new(resources: &ResMap) -> Index {
        let infos: Vec<Info> = resources.iter().map(Info::of).collect();
        let mut by_previous_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            let names: HashSet<&str> = r.previous.iter().map(|p| p.name.as_str()).collect();
            for n in names {
                by_previous_name.entry(n.to_string()).or_default().push(i);
            }
        }
        for list in by_previous_name.values_mut() {
            list.sort_unstable();
        }
        let mut by_original_ns: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, info) in infos.iter().enumerate() {
            if info.original_ns != NOT_A_NAMESPACE {
                by_original_ns.entry(info.original_ns.clone()).or_default().push(i);
            }
        }
        Index { infos, by_previous_name, by_original_ns }
    }
}

/// One referrer: the resource whose fields are being fixed.
struct Referrer<'a> {
    info: &'a Info,
    /// For RoleBindings: namespaces of ServiceAccount subjects, whose
    /// objects it may name although they live elsewhere.
    subject_namespaces: HashSet<String>,
    /// `roleRef`'s apiGroup and kind, when it has both.
    role_ref: Option<(String, String)>,
}

impl Referrer<'_> {
    /// kustomize's SubsetThatCouldBeReferencedByResource, for one candidate.
    fn could_refer_to(&self, c: &Info) -> bool {
        self.info.id.gvk.is_cluster_scoped()
            || c.id.gvk.is_cluster_scoped()
            || c.id.effective_namespace() == self.info.id.effective_namespace()
            || self.subject_namespaces.contains(&c.id.namespace)
    }
}

/// Points every name reference at the current name of its target.
pub fn fix_back_references(resources: &mut ResMap, backrefs: &[NameBackRef]) -> Result<()> {
    let index = Index::new(resources);
    for i in 0..resources.len() {
        let filters = filters_for(&index.infos[i], backrefs);
        if filters.is_empty() {
            continue;
        }
        let node = &resources.resources[i].node;
        let referrer =
            Referrer { info: &index.infos[i], subject_namespaces: subject_namespaces(node, &index.infos[i].id)?, role_ref: role_ref(node) };
        let node = &mut resources.resources[i].node;
        for (spec, target) in filters {
            let fix = Fix { index: &index, referrer: &referrer, target, role_ref_path: spec.path_string().ends_with("roleRef/name") };
            // The spec selected the referrer by its original gvk; its path
            // applies whatever the gvk is now.
            let path_only = FieldSpec { group: String::new(), version: String::new(), kind: String::new(), ..spec.clone() };
            let mut setter = |field: &mut Node| {
                let span = field.span.clone();
                fix.set(field).map_err(|e| e.or_at(&span))
            };
            fieldspec::apply(node, &path_only, Create::No, &mut setter).map_err(|e| Error {
                message: format!("updating name reference in '{}' field of '{}': {}", spec.path_string(), referrer.info.id, e.message),
                span: e.span,
            })?;
        }
    }
    Ok(())
}

/// The (field, target gvk) pairs that apply to a referrer, in the order of
/// the back-reference list.
fn filters_for<'a>(info: &Info, backrefs: &'a [NameBackRef]) -> Vec<(&'a FieldSpec, Gvk)> {
    let original = info.previous.first().unwrap_or(&info.id.gvk);
    let mut out = Vec::new();
    for b in backrefs {
        for spec in &b.referrers {
            if spec.selects(original) {
                out.push((spec, Gvk { group: b.group.clone(), version: b.version.clone(), kind: b.kind.clone() }));
            }
        }
    }
    out
}

fn subject_namespaces(node: &Node, id: &ResId) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    if id.gvk.kind != "RoleBinding" {
        return Ok(out);
    }
    for s in node.get("subjects").and_then(|s| s.as_seq()).map(|s| s.as_slice()).unwrap_or(&[]) {
        let (Some(ns), Some(kind)) = (s.get("namespace"), s.get("kind")) else { continue };
        if kind.as_str() != Some("ServiceAccount") {
            continue;
        }
        match ns.as_string() {
            Some(n) => {
                out.insert(n.to_string());
            }
            None => return Err(Error::at(&ns.span, format!("Invalid Input: namespace is blank for resource \"{}\"", id))),
        }
    }
    Ok(out)
}

fn role_ref(node: &Node) -> Option<(String, String)> {
    let r = node.get("roleRef")?;
    let group = r.get("apiGroup")?.as_str()?.to_string();
    let kind = r.get("kind")?.as_str()?.to_string();
    Some((group, kind))
}

/// One field spec of one referrer, pointing at one target gvk.
struct Fix<'a> {
    index: &'a Index,
    referrer: &'a Referrer<'a>,
    target: Gvk,
    role_ref_path: bool,
}

impl Fix<'_> {
    fn set(&self, field: &mut Node) -> Result<()> {
        match &field.value {
            Value::Scalar(_) if field.is_null() => Ok(()),
            Value::Scalar(_) => self.set_scalar(field),
            Value::Map(_) => self.set_mapping(field),
            Value::Seq(_) => {
                for item in field.as_seq_mut().into_iter().flatten() {
                    match &item.value {
                        Value::Scalar(_) if item.is_null() => {}
                        Value::Scalar(_) => self.set_scalar(item)?,
                        Value::Map(_) => self.set_mapping(item)?,
                        Value::Seq(_) => {
                            return Err(Error::at(&item.span, "a name reference list must hold names or mappings with a name"))
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn set_scalar(&self, field: &mut Node) -> Result<()> {
        let old = field.as_str().unwrap_or("").to_string();
        let candidates = self.candidates(&old, |_| true);
        let Some(found) = self.select(candidates, false).map_err(|e| e.or_at(&field.span))? else { return Ok(()) };
        if found.id.name != old {
            *field = Node::string(found.id.name.clone(), field.span.clone());
        }
        Ok(())
    }

    fn set_mapping(&self, field: &mut Node) -> Result<()> {
        let Some(name) = field.get("name") else {
            return Err(Error::at(&field.span, "path config error; no 'name' field in node"));
        };
        let old = name.as_str().unwrap_or("").to_string();
        let candidates = match field.get("namespace") {
            None => self.candidates(&old, |_| true),
            Some(ns) => {
                let ns = ns.as_str().unwrap_or("");
                // Objects declared in that namespace if the referrer could
                // see any; otherwise objects now in it.
                if self.any_in(self.index.by_original_ns.get(ns)) {
                    self.candidates(&old, |c| c.original_ns == ns)
                } else {
                    self.candidates(&old, |c| c.id.effective_namespace() == ns)
                }
            }
        };
        let Some(found) = self.select(candidates, true).map_err(|e| e.or_at(&field.span))? else { return Ok(()) };
        if found.id.name == old && found.id.namespace.is_empty() {
            return Ok(());
        }
        let span = field.span.clone();
        field.set("name", Node::string(found.id.name.clone(), span.clone()));
        if !found.id.namespace.is_empty() {
            field.set("namespace", Node::string(found.id.namespace.clone(), span));
        }
        Ok(())
    }

    /// Whether the referrer could refer to any of these resources.
    fn any_in(&self, list: Option<&Vec<usize>>) -> bool {
        list.is_some_and(|l| l.iter().any(|&i| self.referrer.could_refer_to(&self.index.infos[i])))
    }

    /// Resources the referrer could see that once had the name `old`, in
    /// resource order.
    fn candidates(&self, old: &str, keep: impl Fn(&Info) -> bool) -> Vec<&Info> {
        let Some(list) = self.index.by_previous_name.get(old) else { return Vec::new() };
        list.iter().map(|&i| &self.index.infos[i]).filter(|c| self.referrer.could_refer_to(c) && keep(c)).collect()
    }

    /// kustomize's selectReferral: sieve the candidates down to one.
    fn select<'b>(&self, candidates: Vec<&'b Info>, with_namespace: bool) -> Result<Option<&'b Info>> {
        let mut c: Vec<&Info> = candidates
            .into_iter()
            .filter(|c| c.previous.iter().any(|g| g.is_selected_by(&self.target.group, &self.target.version, &self.target.kind)))
            .filter(|c| self.role_ref_matches(c))
            .filter(|c| self.same_namespace(c))
            .collect();
        if c.len() == 1 {
            return Ok(c.pop());
        }
        let me = self.referrer.info;
        c.retain(|x| affixes_match(x, me, true));
        if c.len() > 1 {
            c.retain(|x| affixes_match(x, me, false));
        }
        match c.len() {
            0 => Ok(None),
            1 => Ok(c.pop()),
            _ => {
                let first = c[0];
                let identical = c.iter().all(|x| x.id.name == first.id.name && (!with_namespace || x.id.namespace == first.id.namespace));
                if identical {
                    return Ok(Some(first));
                }
                let ids: Vec<String> = c.iter().map(|x| x.id.to_string()).collect();
                Err(Error::new(format!("found multiple possible referrals: {}", ids.join(", "))))
            }
        }
    }

    /// For `roleRef/name`: only targets of the kind and group `roleRef` says.
    fn role_ref_matches(&self, c: &Info) -> bool {
        match (&self.referrer.role_ref, self.role_ref_path) {
            (Some((group, kind)), true) => c.previous.iter().any(|g| g.is_selected_by(group, "", kind)),
            _ => true,
        }
    }

    /// A namespaced referrer refers within its own namespace, except to
    /// cluster-scoped objects and ServiceAccounts.
    fn same_namespace(&self, c: &Info) -> bool {
        let me = &self.referrer.info.id;
        me.gvk.is_cluster_scoped()
            || c.id.gvk.is_cluster_scoped()
            || c.id.gvk.kind == "ServiceAccount"
            || me.effective_namespace() == c.id.effective_namespace()
    }
}

/// kustomize's PrefixesSuffixesEquals: the shorter affix list must end the
/// longer one; with `allow_empty`, an empty list matches anything.
fn affixes_match(a: &Info, b: &Info, allow_empty: bool) -> bool {
    let ok = |x: &[String], y: &[String]| (allow_empty && (x.is_empty() || y.is_empty())) || same_ending(x, y);
    ok(&a.prefixes, &b.prefixes) && ok(&a.suffixes, &b.suffixes)
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::fieldspec::TransformerConfig;
    use crate::yaml::{parse_single, Span};

    fn res(text: &str) -> Resource {
        Resource::new(parse_single("r.yaml", text).unwrap().unwrap())
    }

    fn rename(r: &mut Resource, name: &str) {
        r.store_previous_id();
        *r.node.path_mut(&["metadata", "name"]).unwrap() = Node::string(name, Span::default());
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        envFrom:\n        - configMapRef:\n            name: cm\n      volumes:\n      - name: v\n        configMap:\n          name: cm\n";

    fn build(resources: Vec<Resource>) -> Result<ResMap> {
        let mut m = ResMap::new();
        for r in resources {
            m.append(r).unwrap();
        }
        fix_back_references(&mut m, &TransformerConfig::builtin().name_reference)?;
        Ok(m)
    }

    #[test]
    fn renamed_config_maps_are_followed() {
        let mut cm = res("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
        rename(&mut cm, "cm-abc");
        let m = build(vec![res(DEPLOY), cm]).unwrap();
        let spec = m.resources[0].node.path(&["spec", "template", "spec"]).unwrap();
        assert_eq!(spec.path(&["volumes"]).unwrap().as_seq().unwrap()[0].path(&["configMap", "name"]).unwrap().as_str(), Some("cm-abc"));
        let c = &spec.get("containers").unwrap().as_seq().unwrap()[0];
        assert_eq!(c.get("envFrom").unwrap().as_seq().unwrap()[0].path(&["configMapRef", "name"]).unwrap().as_str(), Some("cm-abc"));
    }

    #[test]
    fn unrenamed_targets_are_left_alone() {
        let m = build(vec![res(DEPLOY), res("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")]).unwrap();
        assert_eq!(m.resources[0].node, res(DEPLOY).node);
    }

    #[test]
    fn other_namespaces_are_not_targets() {
        let mut cm = res("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: other\n");
        rename(&mut cm, "cm-x");
        let m = build(vec![res(DEPLOY), cm]).unwrap();
        assert_eq!(m.resources[0].node, res(DEPLOY).node);
    }

    #[test]
    fn prefixes_pick_between_candidates_and_ties_are_errors() {
        let mut a = res("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: default\n");
        let mut b = res("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
        rename(&mut a, "a-cm");
        a.prefixes.push("a-".into());
        rename(&mut b, "b-cm");
        b.prefixes.push("b-".into());
        // Same id twice is refused by the ResMap, so give b its own namespace after the fact.
        b.node.path_mut(&["metadata"]).unwrap().set("namespace", Node::string("default", Span::default()));
        let mut d = res(DEPLOY);
        d.prefixes.push("b-".into());
        let mut m = ResMap { resources: vec![d, a, b] };
        fix_back_references(&mut m, &TransformerConfig::builtin().name_reference).unwrap();
        let v = m.resources[0].node.path(&["spec", "template", "spec", "volumes"]).unwrap();
        assert_eq!(v.as_seq().unwrap()[0].path(&["configMap", "name"]).unwrap().as_str(), Some("b-cm"));
        // Without affixes to tell them apart, two targets are ambiguous.
        for r in m.resources.iter_mut() {
            r.prefixes.clear();
        }
        m.resources[0].node = res(DEPLOY).node;
        assert!(fix_back_references(&mut m, &TransformerConfig::builtin().name_reference).is_err());
    }

    #[test]
    fn role_binding_subjects_get_namespaces() {
        let mut sa = res("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: ns1\n");
        rename(&mut sa, "p-sa");
        let rb = res("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: r\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace: ns1\n");
        let m = build(vec![rb, sa]).unwrap();
        let s = &m.resources[0].node.get("subjects").unwrap().as_seq().unwrap()[0];
        assert_eq!(s.get_str("name"), Some("p-sa"));
        assert_eq!(s.get_str("namespace"), Some("ns1"));
    }

    #[test]
    fn blank_subject_namespaces_are_errors() {
        let rb = res("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace:\n");
        assert!(build(vec![rb]).is_err());
    }

    #[test]
    fn many_resources_stay_fast() {
        let mut list = Vec::new();
        for i in 0..2000 {
            let mut cm = res(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{}\n", i));
            rename(&mut cm, &format!("p-cm{}", i));
            list.push(cm);
            list.push(res(&DEPLOY.replace("name: d\n", &format!("name: d{}\n", i)).replace("name: cm\n", &format!("name: cm{}\n", i))));
        }
        let mut m = ResMap { resources: list };
        let start = std::time::Instant::now();
        fix_back_references(&mut m, &TransformerConfig::builtin().name_reference).unwrap();
        assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
        let v = m.resources[1].node.path(&["spec", "template", "spec", "volumes"]).unwrap();
        assert_eq!(v.as_seq().unwrap()[0].path(&["configMap", "name"]).unwrap().as_str(), Some("p-cm0"));
    }
}
