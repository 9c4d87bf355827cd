//! `commonLabels:` and `labels:` — kustomize's LabelTransformer
//! (api/internal/builtins/LabelTransformer.go, api/filters/labels), set up
//! for each field as kusttarget_configplugin.go does it.

use crate::error::{Error, Result};
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::aliases;
use crate::kustomize::fieldspec::{self, merge_specs, Create, FieldSpec, SpecList, TransformerConfig};
use crate::kustomize::kustomization::Kustomization;
use crate::kustomize::resmap::ResMap;
use crate::yaml::{Node, Span};

pub fn run(k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    for entry in k.field("labels").and_then(|n| n.as_seq()).map(|s| s.as_slice()).unwrap_or(&[]) {
        let specs = label_entry_specs(entry, &acc.config).map_err(|e| e.or_at(&entry.span))?;
        let pairs = string_pairs(entry.get("pairs"));
        set_entries(&mut acc.resources, &pairs, &specs)?;
    }
    let common = string_pairs(k.field("commonLabels"));
    set_entries(&mut acc.resources, &common, &acc.config[SpecList::CommonLabels])
}

/// `buildMetadata: [managedByLabel]` on the top kustomization: after the
/// output is sorted, every resource gets the label kubectl's embedded
/// kustomize stamps (its version string is "(devel)").
pub fn add_managed_by_label(resources: &mut ResMap, span: &Span) -> Result<()> {
    let pairs = [("app.kubernetes.io/managed-by".to_string(), "kustomize-(devel)".to_string(), span.clone())];
    set_entries(resources, &pairs, &[FieldSpec::new("metadata/labels", true)])
}

/// The fields one `labels:` entry writes to: its own `fields`, any `labels`
/// specs from configurations, then the selectors (includeSelectors) or the
/// templates (includeTemplates) and `metadata/labels`.
fn label_entry_specs(entry: &Node, config: &TransformerConfig) -> Result<Vec<FieldSpec>> {
    let flag = |key: &str| entry.get(key).is_some_and(is_true);
    let mut specs = Vec::new();
    for f in entry.get("fields").and_then(|n| n.as_seq()).map(|s| s.as_slice()).unwrap_or(&[]) {
        specs.push(FieldSpec::from_node(f)?);
    }
    merge_specs(&mut specs, &config[SpecList::Labels])?;
    if flag("includeSelectors") {
        merge_specs(&mut specs, &config[SpecList::CommonLabels])?;
    } else {
        if flag("includeTemplates") {
            merge_specs(&mut specs, &config[SpecList::TemplateLabels])?;
        }
        merge_specs(&mut specs, &[FieldSpec::new("metadata/labels", true)])?;
    }
    Ok(specs)
}

/// A YAML 1.1 boolean that reads as true (`true`, `yes`, `on`, …).
fn is_true(n: &Node) -> bool {
    n.as_scalar()
        .is_some_and(|s| s.kind == crate::yaml::Kind::Bool && matches!(s.text.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "y"))
}

/// A `key: value` mapping from the kustomization; a null value is the empty
/// string, as Go's JSON decoding into map[string]string makes it.
pub fn string_pairs(node: Option<&Node>) -> Vec<(String, String, Span)> {
    let mut pairs: Vec<(String, String, Span)> = node
        .and_then(|n| n.as_map())
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let value = if v.is_null() { "" } else { v.as_str().unwrap_or("") };
                    (k.as_str().unwrap_or("").to_string(), value.to_string(), v.span.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    // kustomize applies them in key order; a repeated key keeps its last value.
    pairs.reverse();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    pairs
}

/// Sets each pair in the mapping every spec names, in every resource
/// (kustomize's labels and annotations filters). As in kustomize, the fields
/// a key is added to share one value, and setting a key that is there
/// already writes through to the fields sharing it (see `aliases`).
pub fn set_entries(resources: &mut ResMap, pairs: &[(String, String, Span)], specs: &[FieldSpec]) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    for r in resources.iter_mut() {
        for (key, value, span) in pairs {
            let mut created: Vec<Vec<String>> = Vec::new();
            let mut replaced: Vec<(Vec<String>, Node)> = Vec::new();
            for spec in specs {
                let mut setter = |field: &mut Node, at: &[String]| {
                    let path: Vec<String> = at.iter().cloned().chain(std::iter::once(key.clone())).collect();
                    match set_entry(field, key, value, span)? {
                        Some(old) => replaced.push((path, old)),
                        None => created.push(path),
                    }
                    Ok(())
                };
                fieldspec::apply_at(&mut r.node, spec, Create::Map, &mut setter)?;
            }
            aliases::record(r, created);
            for (path, old) in replaced {
                aliases::write_through(r, &path, &old);
            }
        }
    }
    Ok(())
}

/// Sets `key` in the mapping; returns the value it replaced, if any.
fn set_entry(field: &mut Node, key: &str, value: &str, span: &Span) -> Result<Option<Node>> {
    if field.is_null() {
        *field = Node::map(span.clone());
    }
    if !field.is_map() {
        return Err(Error::at(&field.span, format!("wrong node kind: expected a mapping but got {}", field.shape())));
    }
    let old = field.get(key).cloned();
    field.set(key, Node::string(value, span.clone()));
    Ok(old)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::resmap::Resource;
    use crate::yaml::parse_single;

    fn resmap(texts: &[&str]) -> ResMap {
        let mut m = ResMap::new();
        for t in texts {
            m.append(Resource::new(parse_single("r.yaml", t).unwrap().unwrap())).unwrap();
        }
        m
    }

    fn entry(text: &str) -> Node {
        parse_single("k.yaml", text).unwrap().unwrap()
    }

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec: {}\n";

    #[test]
    fn common_labels_reach_selectors_and_templates() {
        let mut m = resmap(&[DEPLOYMENT]);
        let specs = TransformerConfig::builtin()[SpecList::CommonLabels].clone();
        set_entries(&mut m, &string_pairs(Some(&entry("app: web\n"))), &specs).unwrap();
        let n = &m.resources[0].node;
        assert_eq!(n.path(&["metadata", "labels", "app"]).and_then(|n| n.as_str()), Some("web"));
        assert_eq!(n.path(&["spec", "selector", "matchLabels", "app"]).and_then(|n| n.as_str()), Some("web"));
        assert_eq!(n.path(&["spec", "template", "metadata", "labels", "app"]).and_then(|n| n.as_str()), Some("web"));
    }

    #[test]
    fn labels_without_selectors_only_touch_metadata() {
        let config = TransformerConfig::builtin();
        let specs = label_entry_specs(&entry("pairs: {a: b}\n"), config).unwrap();
        assert_eq!(specs, vec![FieldSpec::new("metadata/labels", true)]);
        let with_templates = label_entry_specs(&entry("pairs: {a: b}\nincludeTemplates: true\n"), config).unwrap();
        assert!(with_templates.len() > 1);
        assert!(with_templates.iter().all(|s| !s.path_string().contains("selector")));
    }

    #[test]
    fn conflicting_create_flags_are_an_error() {
        let e = entry("pairs: {a: b}\nfields:\n- path: metadata/labels\n  create: false\n");
        assert!(label_entry_specs(&e, TransformerConfig::builtin()).is_err());
    }

    #[test]
    fn managed_by_label_only_touches_metadata() {
        let mut m = resmap(&[DEPLOYMENT]);
        add_managed_by_label(&mut m, &Span::default()).unwrap();
        let n = &m.resources[0].node;
        assert_eq!(n.path(&["metadata", "labels", "app.kubernetes.io/managed-by"]).and_then(|n| n.as_str()), Some("kustomize-(devel)"));
        assert!(n.path(&["spec", "selector"]).is_none());
    }

    #[test]
    fn a_later_label_writes_through_values_shared_by_an_earlier_one() {
        let mut m = resmap(&[DEPLOYMENT]);
        let config = TransformerConfig::builtin();
        set_entries(&mut m, &string_pairs(Some(&entry("app: web\n"))), &config[SpecList::CommonLabels]).unwrap();
        // Only metadata/labels, as `labels:` without selectors.
        set_entries(&mut m, &string_pairs(Some(&entry("app: api\n"))), &[FieldSpec::new("metadata/labels", true)]).unwrap();
        let n = &m.resources[0].node;
        assert_eq!(n.path(&["spec", "selector", "matchLabels", "app"]).and_then(|n| n.as_str()), Some("api"));
    }

    #[test]
    fn null_values_are_empty_strings() {
        let pairs = string_pairs(Some(&entry("b: x\na:\n")));
        assert_eq!(pairs.iter().map(|p| (p.0.as_str(), p.1.as_str())).collect::<Vec<_>>(), vec![("a", ""), ("b", "x")]);
    }
}
