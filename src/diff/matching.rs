//! Pairs the resources of two renders: same group, kind and name (and
//! namespace, unless environments are compared across namespaces), then
//! generated ConfigMaps/Secrets whose hash suffix changed. Two builds are
//! compared by stems: names without the prefixes and suffixes only one
//! environment's kustomizations declare (`staging-eu-web` and
//! `prod-eu-web` are both `web`).

use crate::kustomize::resmap::{ResMap, Resource};
use crate::yaml::Node;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The name each resource of two builds is matched by, in their order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stems {
    pub before: Vec<String>,
    pub after: Vec<String>,
}

impl Stems {
    /// An affix is an environment's own when the other build has no
    /// resource affixed by the same declaration (the same `namePrefix` in
    /// the same file). The build records who added what, so nothing is
    /// guessed from the text: a name that merely starts like the prefix
    /// keeps it, and a base both environments share keeps its prefix.
    pub fn of(before: &ResMap, after: &ResMap) -> Stems {
        let sources = |m: &ResMap| -> HashSet<Arc<str>> {
            m.iter().flat_map(|r| r.prefix_sources.iter().chain(&r.suffix_sources).cloned()).collect()
        };
        let (in_before, in_after) = (sources(before), sources(after));
        Stems {
            before: before.iter().map(|r| stem(r, &|f| !in_after.contains(f))).collect(),
            after: after.iter().map(|r| stem(r, &|f| !in_before.contains(f))).collect(),
        }
    }
}

/// `r`'s name without the affixes `own` picks (by the file that declared
/// them). A generated name keeps its content hash, which matching treats
/// on its own. When the name is not the composition the build recorded
/// (a patch renamed it since), it is left whole.
pub fn stem(r: &Resource, own: &dyn Fn(&str) -> bool) -> String {
    let name = r.name();
    let (body, hash) = match name.rsplit_once('-') {
        Some((body, _)) if r.needs_hash && generated_base(r.kind(), name) == body => (body, &name[body.len()..]),
        _ => (name, ""),
    };
    let mut rest = body;
    let mut head = String::new();
    // The outermost affix was added last: peel from the outside in.
    for (p, file) in r.prefixes.iter().zip(&r.prefix_sources).rev() {
        let Some(inner) = rest.strip_prefix(p.as_str()) else { return name.to_string() };
        rest = inner;
        if !own(file) {
            head.push_str(p);
        }
    }
    let mut tail: Vec<&str> = Vec::new();
    for (s, file) in r.suffixes.iter().zip(&r.suffix_sources).rev() {
        let Some(inner) = rest.strip_suffix(s.as_str()) else { return name.to_string() };
        rest = inner;
        if !own(file) {
            tail.push(s);
        }
    }
    tail.reverse();
    format!("{}{}{}{}", head, rest, tail.concat(), hash)
}

/// A resource on one or both sides.
#[derive(Clone, Copy, Debug)]
pub struct Pair<'a> {
    pub before: Option<&'a Node>,
    pub after: Option<&'a Node>,
    /// Where each side stands in its render (to find its stem).
    pub before_index: Option<usize>,
    pub after_index: Option<usize>,
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

fn key<'a>(node: &'a Node, stem: Option<&'a String>) -> Key<'a> {
    let api_version = node.get_str("apiVersion").unwrap_or("");
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let meta = node.get("metadata");
    let text = |k: &str| meta.and_then(|m| m.get_str(k)).unwrap_or("");
    Key {
        group,
        kind: node.get_str("kind").unwrap_or(""),
        namespace: text("namespace"),
        name: stem.map_or_else(|| text("name"), |s| s.as_str()),
    }
}

/// Pairs in the order of `after`, then what only `before` has.
pub fn match_resources<'a>(before: &'a [Node], after: &'a [Node], across_namespaces: bool) -> Vec<Pair<'a>> {
    match_stems(before, after, None, across_namespaces)
}

/// Pairs by stems (`Stems::of` the two builds) in place of names.
pub fn match_stems<'a>(before: &'a [Node], after: &'a [Node], stems: Option<&'a Stems>, across_namespaces: bool) -> Vec<Pair<'a>> {
    let b_stem = |i: usize| stems.and_then(|s| s.before.get(i));
    let a_stem = |j: usize| stems.and_then(|s| s.after.get(j));
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
                free.entry(pass(&key(node, b_stem(i)))).or_default().push(i);
            }
        }
        for (j, node) in after.iter().enumerate() {
            if partner[j].is_some() {
                continue;
            }
            if let Some(i) = free.get_mut(&pass(&key(node, a_stem(j)))).and_then(|v| v.pop()) {
                partner[j] = Some(i);
                taken[i] = true;
            }
        }
    }

    let mut pairs: Vec<Pair> = after
        .iter()
        .zip(&partner)
        .enumerate()
        .map(|(j, (b, p))| Pair { before: p.map(|i| &before[i]), after: Some(b), before_index: *p, after_index: Some(j) })
        .collect();
    pairs.extend(before.iter().enumerate().filter(|(i, _)| !taken[*i]).map(|(i, a)| Pair {
        before: Some(a),
        after: None,
        before_index: Some(i),
        after_index: None,
    }));
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
        let n = |x: Option<&Node>| {
            x.map(|n| {
                format!(
                    "{}/{}",
                    n.path(&["metadata", "namespace"]).and_then(Node::as_str).unwrap_or("-"),
                    n.path(&["metadata", "name"]).and_then(Node::as_str).unwrap_or("")
                )
            })
            .unwrap_or_default()
        };
        (n(p.before), n(p.after))
    }

    #[test]
    fn pairs_across_namespaces_and_hash_suffixes() {
        let a = docs("kind: Deployment\napiVersion: apps/v1\nmetadata: {name: web, namespace: staging}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: cfg-5tb2c9dkh6, namespace: staging}\n---\nkind: Service\napiVersion: v1\nmetadata: {name: old}\n");
        let b = docs("kind: Deployment\napiVersion: apps/v1\nmetadata: {name: web, namespace: production}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: cfg-m2f8bh7m4g, namespace: production}\n---\nkind: Service\napiVersion: v1\nmetadata: {name: new}\n");
        let got: Vec<_> = match_resources(&a, &b, true).iter().map(names).collect();
        let s = |x: &str, y: &str| (x.to_string(), y.to_string());
        assert_eq!(
            got,
            vec![
                s("staging/web", "production/web"),
                s("staging/cfg-5tb2c9dkh6", "production/cfg-m2f8bh7m4g"),
                s("", "-/new"),
                s("-/old", "")
            ]
        );
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

    /// Two environments over one base; `base_extra` and each environment's
    /// extra lines go into their kustomizations.
    fn stems_of(base_extra: &str, a_extra: &str, b_extra: &str) -> Stems {
        use crate::fs::MemFs;
        use crate::kustomize::{build, BuildOptions};
        let mut fs = MemFs::new();
        fs.insert("/base/kustomization.yaml", format!("resources:\n- r.yaml\n{}", base_extra));
        fs.insert("/base/r.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: staging-web}\n");
        fs.insert("/a/kustomization.yaml", format!("resources:\n- ../base\n{}", a_extra));
        fs.insert("/b/kustomization.yaml", format!("resources:\n- ../base\n{}", b_extra));
        let a = build(&fs, "/a", &BuildOptions::default()).unwrap().resources;
        let b = build(&fs, "/b", &BuildOptions::default()).unwrap().resources;
        Stems::of(&a, &b)
    }

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stems_drop_only_each_environments_own_affixes() {
        // A prefix from the shared base stays; each environment's goes. Kustomize
        // sorts the Service first.
        let s = stems_of("namePrefix: app-\n", "namePrefix: staging-\n", "namePrefix: prod-eu-\n");
        assert_eq!((s.before, s.after), (v(&["app-staging-web", "app-web"]), v(&["app-staging-web", "app-web"])));
        // Suffixes, and one side with none: a name that merely starts like
        // the other side's prefix (`staging-web`) is declared so, and kept.
        let s = stems_of("", "nameSuffix: -stg\n", "");
        assert_eq!((s.before, s.after), (v(&["staging-web", "web"]), v(&["staging-web", "web"])));
        let s = stems_of("", "namePrefix: staging-\nnameSuffix: -a\n", "namePrefix: prod-\nnameSuffix: -b\n");
        assert_eq!((s.before, s.after), (v(&["staging-web", "web"]), v(&["staging-web", "web"])));
        // Nothing to strip.
        let s = stems_of("", "", "");
        assert_eq!((s.before, s.after), (v(&["staging-web", "web"]), v(&["staging-web", "web"])));
    }

    #[test]
    fn the_same_prefix_text_from_two_files_is_each_environments_own() {
        // Both say `namePrefix: app-`, but in their own files: it is theirs.
        let s = stems_of("", "namePrefix: app-\n", "namePrefix: app-\n");
        assert_eq!(s.after, v(&["staging-web", "web"]));
    }
}
