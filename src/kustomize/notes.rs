//! Builds that succeed and still do not do what was meant: kustomize is
//! silent about these, and they are the questions people ask most (a patch
//! whose target matches nothing, a selector changed under a running
//! Deployment, a name reference kustomize does not know to rewrite).
//! Each becomes a `Note`; the rendered output never changes.

use super::accumulator::PatchMatch;
use super::fieldspec::NameBackRef;
use super::kustomization::Kustomization;
use super::resmap::{ResId, ResMap};
use crate::fs::{self, Files};
use crate::yaml::{Node, Span, Value};
use std::collections::BTreeSet;

/// A remark about a build that is not an error: kustomize itself is silent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    /// A short name for the kind of remark (`patch-matches-nothing`, …).
    pub rule: &'static str,
    pub message: String,
    pub fix: String,
}

/// Kinds whose `spec.selector` the API server refuses to change.
const IMMUTABLE_SELECTOR: [&str; 5] = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"];

/// Patches that matched no resource.
pub fn unmatched_patches(matches: &[PatchMatch]) -> Vec<Note> {
    matches
        .iter()
        .filter(|m| m.count == 0)
        .map(|m| Note {
            span: m.span.clone(),
            rule: "patch-matches-nothing",
            message: "patch matched 0 resources: no resource has the kind, name, namespace or labels its target names, so it changes nothing (kustomize does not say so)".to_string(),
            fix: "compare the target with what the base renders (`overlay build`): a tag in an image name, a name prefix or a namespace often hides the match".to_string(),
        })
        .collect()
}

/// The selectors of workloads that come from bases of `k` (not from its own
/// resource files), as they are before `k`'s transformers run.
pub fn base_selectors(files: &dyn Files, k: &Kustomization, resources: &ResMap) -> Vec<(ResId, Node)> {
    let own: BTreeSet<String> = k.resources.iter().map(|e| fs::join(&k.dir, &e.text)).filter(|p| files.is_file(p)).collect();
    resources
        .iter()
        .filter(|r| IMMUTABLE_SELECTOR.contains(&r.kind()) && !own.contains(&*r.source.file))
        .filter_map(|r| r.node.path(&["spec", "selector"]).map(|s| (r.id(), s.clone())))
        .collect()
}

/// Workloads whose selector `k` changed compared with its base: applied over
/// what the base deployed, the API server rejects them.
pub fn changed_selectors(k: &Kustomization, before: &[(ResId, Node)], resources: &ResMap) -> Vec<Note> {
    let mut out = Vec::new();
    for (id, selector) in before {
        let Some(r) = resources.iter().find(|r| r.id().same_as(id) || r.previous.iter().any(|p| p.same_as(id))) else { continue };
        if r.node.path(&["spec", "selector"]) == Some(selector) {
            continue;
        }
        let (span, cause) = match (k.field("commonLabels"), k.field("labels")) {
            (Some(n), _) => (n.span.clone(), "commonLabels"),
            (None, Some(n)) => (n.span.clone(), "labels with includeSelectors"),
            _ => (Span::file(&k.file), "this kustomization"),
        };
        out.push(Note {
            span,
            rule: "selector-changed",
            message: format!(
                "a selector changed compared with the base: {} changes spec.selector of {} {}; a selector is immutable on a live cluster, so applying this over what the base deployed fails",
                cause,
                r.kind(),
                r.name()
            ),
            fix: "add labels with `labels: [{pairs: {…}, includeSelectors: false}]` so selectors stay as the base has them".to_string(),
        });
    }
    out
}

/// Fields that still hold the old name of a renamed object (a name prefix,
/// suffix or generator hash) because no nameReference entry lists them:
/// `spec.secretName` of a cert-manager Certificate is the classic. Only
/// fields that read as references count: a key ending in `Name`, or `name`
/// under a key ending in `Ref`.
pub fn unrewritten_references(resources: &ResMap, backrefs: &[NameBackRef]) -> Vec<Note> {
    let referable: BTreeSet<&str> = backrefs.iter().map(|b| b.kind.as_str()).collect();
    let current: BTreeSet<(&str, &str)> = resources.iter().map(|r| (r.kind(), r.name())).collect();
    // (kind, old name, new name) of renamed objects whose old name is gone.
    let mut renamed: Vec<(String, String, String)> = Vec::new();
    for r in resources.iter() {
        let old = r.original_id();
        if old.name != r.name() && referable.contains(r.kind()) && !current.contains(&(r.kind(), old.name.as_str())) {
            renamed.push((r.kind().to_string(), old.name.clone(), r.name().to_string()));
        }
    }
    if renamed.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for r in resources.iter() {
        let Some(entries) = r.node.as_map() else { continue };
        for (key, value) in entries {
            let key = key.as_str().unwrap_or("");
            if key == "metadata" {
                continue;
            }
            let mut path = vec![key];
            walk(value, &mut path, &mut |path, field| {
                let Some(text) = field.as_string() else { return };
                let last = path.last().copied().unwrap_or("");
                let parent = if path.len() > 1 { path[path.len() - 2] } else { "" };
                if !(last.ends_with("Name") || (last == "name" && parent.ends_with("Ref"))) {
                    return;
                }
                if let Some((kind, old, new)) = renamed.iter().find(|(_, old, _)| old == text) {
                    out.push(Note {
                        span: field.span.clone(),
                        rule: "name-reference",
                        message: format!(
                            "a name reference was not rewritten because the field is not in the nameReference configuration: {} of {} {} still says '{}', but {} '{}' is now '{}'",
                            path.join("."),
                            r.kind(),
                            r.name(),
                            old,
                            kind,
                            old,
                            new
                        ),
                        fix: format!("teach kustomize the field (`configurations:` with a nameReference for {} at {}), or set it with `replacements:`", kind, path.join("/")),
                    });
                }
            });
        }
    }
    out
}

/// Calls `f` on every scalar below `node` with the keys that lead to it
/// (list items add no key).
fn walk<'a>(node: &'a Node, path: &mut Vec<&'a str>, f: &mut dyn FnMut(&[&'a str], &'a Node)) {
    match &node.value {
        Value::Scalar(_) => f(path, node),
        Value::Seq(items) => items.iter().for_each(|i| walk(i, path, f)),
        Value::Map(entries) => {
            for (k, v) in entries {
                path.push(k.as_str().unwrap_or(""));
                walk(v, path, f);
                path.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fs::MemFs;
    use crate::kustomize::{build, BuildOptions};

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n";

    fn notes(overlay: &str, extra: &[(&str, &str)]) -> Vec<(u32, &'static str, String)> {
        let mut fs = MemFs::new();
        fs.insert("/base/d.yaml", DEPLOY);
        fs.insert("/base/kustomization.yaml", "resources: [d.yaml]\n");
        fs.insert("/prod/kustomization.yaml", overlay);
        for (p, t) in extra {
            fs.insert(p, *t);
        }
        let out = build(&fs, "/prod", &BuildOptions::default()).unwrap();
        out.notes.into_iter().map(|n| (n.span.line, n.rule, n.message)).collect()
    }

    #[test]
    fn a_patch_that_matches_nothing_is_noted_and_counted() {
        let k = |name: &str| {
            format!("resources: [../base]\npatches:\n- target: {{kind: Deployment, name: {}}}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\n", name)
        };
        let found = notes(&k("api"), &[]);
        assert_eq!(found.len(), 1, "{:?}", found);
        assert_eq!((found[0].0, found[0].1), (3, "patch-matches-nothing"));
        assert!(found[0].2.starts_with("patch matched 0 resources"));
        assert!(notes(&k("web"), &[]).is_empty());
        let mut fs = MemFs::new();
        fs.insert("/base/d.yaml", DEPLOY);
        fs.insert("/base/kustomization.yaml", "resources: [d.yaml]\n");
        fs.insert("/prod/kustomization.yaml", k("web"));
        let out = build(&fs, "/prod", &BuildOptions::default()).unwrap();
        assert_eq!(out.patch_matches.iter().map(|m| (m.file.as_str(), m.count)).collect::<Vec<_>>(), vec![("/prod/kustomization.yaml", 1)]);
    }

    #[test]
    fn a_selector_changed_against_the_base_is_noted() {
        let found = notes("resources: [../base]\ncommonLabels:\n  team: a\n", &[]);
        assert_eq!(found.iter().map(|n| n.1).collect::<Vec<_>>(), vec!["selector-changed"], "{:?}", found);
        assert!(found[0].2.contains("commonLabels changes spec.selector of Deployment web"), "{}", found[0].2);
        assert!(notes("resources: [../base]\nlabels:\n- pairs: {team: a}\n  includeSelectors: false\n", &[]).is_empty());
        // The overlay's own workloads have no base to differ from.
        let own = notes("resources: [d.yaml]\ncommonLabels:\n  team: a\n", &[("/prod/d.yaml", DEPLOY)]);
        assert!(own.is_empty(), "{:?}", own);
    }

    #[test]
    fn a_reference_outside_the_name_reference_configuration_is_noted() {
        let cert = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\nspec:\n  secretName: web-tls\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\n";
        let found = notes("resources: [../base, c.yaml]\nnamePrefix: p-\n", &[("/prod/c.yaml", cert)]);
        assert_eq!(found.len(), 1, "{:?}", found);
        assert_eq!((found[0].0, found[0].1), (6, "name-reference"));
        assert!(
            found[0].2.contains("spec.secretName of Certificate p-web still says 'web-tls', but Secret 'web-tls' is now 'p-web-tls'"),
            "{}",
            found[0].2
        );
        // Fields kustomize rewrites, and names nothing renamed, say nothing.
        let volume = DEPLOY.replace(
            "      containers:",
            "      volumes:\n      - name: tls\n        secret:\n          secretName: web-tls\n      containers:",
        );
        let found = notes(
            "resources: [c.yaml, d.yaml]\nnamePrefix: p-\n",
            &[("/prod/c.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\n"), ("/prod/d.yaml", &volume)],
        );
        assert!(found.is_empty(), "{:?}", found);
        assert!(notes("resources: [../base, c.yaml]\n", &[("/prod/c.yaml", cert)]).is_empty());
    }
}
