//! Pairs the resources of two renders: same group, kind and name (and
//! namespace, unless environments are compared across namespaces), then
//! generated ConfigMaps/Secrets whose hash suffix changed.

use crate::yaml::Node;
use std::collections::HashMap;

/// A resource on one or both sides.
#[derive(Clone, Copy, Debug)]
pub struct Pair<'a> {
    pub before: Option<&'a Node>,
    pub after: Option<&'a Node>,
}

/// What identifies a resource for matching; the version is left out so
/// that an apiVersion bump is a change, not a remove and an add.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key<'a> {
    group: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

fn key(node: &Node) -> Key<'_> {
    let api_version = node.get_str("apiVersion").unwrap_or("");
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let meta = node.get("metadata");
    let text = |k: &str| meta.and_then(|m| m.get_str(k)).unwrap_or("");
    Key { group, kind: node.get_str("kind").unwrap_or(""), namespace: text("namespace"), name: text("name") }
}

/// Pairs in the order of `after`, then what only `before` has.
pub fn match_resources<'a>(before: &'a [Node], after: &'a [Node], across_namespaces: bool) -> Vec<Pair<'a>> {
    let mut partner: Vec<Option<usize>> = vec![None; after.len()];
    let mut taken = vec![false; before.len()];

    // Each pass pairs what is still free under a looser identity: exact,
    // any namespace, any hash suffix, both.
    for pass in 0..4 {
        if !across_namespaces && pass % 2 == 1 {
            continue;
        }
        let pass = |k: &Key<'a>| loosen(k, pass);
        let mut free: HashMap<Key, Vec<usize>> = HashMap::new();
        for (i, node) in before.iter().enumerate().rev() {
            if !taken[i] {
                free.entry(pass(&key(node))).or_default().push(i);
            }
        }
        for (j, node) in after.iter().enumerate() {
            if partner[j].is_some() {
                continue;
            }
            if let Some(i) = free.get_mut(&pass(&key(node))).and_then(|v| v.pop()) {
                partner[j] = Some(i);
                taken[i] = true;
            }
        }
    }

    let mut pairs: Vec<Pair> = after.iter().zip(&partner).map(|(b, p)| Pair { before: p.map(|i| &before[i]), after: Some(b) }).collect();
    pairs.extend(before.iter().zip(&taken).filter(|(_, t)| !**t).map(|(a, _)| Pair { before: Some(a), after: None }));
    pairs
}

fn loosen<'a>(k: &Key<'a>, pass: usize) -> Key<'a> {
    let mut k = k.clone();
    if pass % 2 == 1 {
        k.namespace = "";
    }
    if pass >= 2 {
        k.name = generated_base(k.kind, k.name);
    }
    k
}

/// The name of a generated ConfigMap or Secret without kustomize's content
/// hash (`app-config-7g2h5m9c4k` → `app-config`); other names unchanged.
pub fn generated_base<'a>(kind: &str, name: &'a str) -> &'a str {
    if kind != "ConfigMap" && kind != "Secret" {
        return name;
    }
    match name.rsplit_once('-') {
        // kustomize encodes the hash with these characters only.
        Some((base, hash)) if !base.is_empty() && hash.len() == 10 && hash.bytes().all(|c| b"bcdfghkmt2456789".contains(&c)) => base,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn docs(text: &str) -> Vec<Node> {
        parse_documents("t.yaml", text).unwrap()
    }

    fn names(p: &Pair) -> (String, String) {
        let n = |x: Option<&Node>| x.map(|n| format!("{}/{}", n.path(&["metadata", "namespace"]).and_then(Node::as_str).unwrap_or("-"), n.path(&["metadata", "name"]).and_then(Node::as_str).unwrap_or(""))).unwrap_or_default();
        (n(p.before), n(p.after))
    }

    #[test]
    fn pairs_across_namespaces_and_hash_suffixes() {
        let a = docs("kind: Deployment\napiVersion: apps/v1\nmetadata: {name: web, namespace: staging}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: cfg-5tb2c9dkh6, namespace: staging}\n---\nkind: Service\napiVersion: v1\nmetadata: {name: old}\n");
        let b = docs("kind: Deployment\napiVersion: apps/v1\nmetadata: {name: web, namespace: production}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: cfg-m2f8bh7m4g, namespace: production}\n---\nkind: Service\napiVersion: v1\nmetadata: {name: new}\n");
        let got: Vec<_> = match_resources(&a, &b, true).iter().map(names).collect();
        let s = |x: &str, y: &str| (x.to_string(), y.to_string());
        assert_eq!(got, vec![s("staging/web", "production/web"), s("staging/cfg-5tb2c9dkh6", "production/cfg-m2f8bh7m4g"), s("", "-/new"), s("-/old", "")]);
        let strict: Vec<_> = match_resources(&a, &b, false).iter().map(names).collect();
        assert_eq!(strict.len(), 6);
    }

    #[test]
    fn generated_names() {
        assert_eq!(generated_base("ConfigMap", "app-config-7g2h5m9c4k"), "app-config");
        assert_eq!(generated_base("ConfigMap", "app-config"), "app-config");
        assert_eq!(generated_base("Deployment", "app-7g2h5m9c4k"), "app-7g2h5m9c4k");
        assert_eq!(generated_base("Secret", "-7g2h5m9c4k"), "-7g2h5m9c4k");
    }
}
