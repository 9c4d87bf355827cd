//! `replicas:` — kustomize's ReplicaCountTransformer
//! (api/internal/builtins/ReplicaCountTransformer.go, api/filters/replicacount).
//!
//! An entry names a resource by any name it has had (so an overlay can use
//! the base's name after a prefix was added) and sets `spec/replicas` on it,
//! creating the field. An entry that matches nothing is an error.

use crate::error::{Error, Result};
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::fieldspec::{self, Create, FieldSpec, SpecList};
use crate::kustomize::kustomization::Kustomization;
use crate::kustomize::resmap::{ResMap, Resource};
use crate::yaml::{Node, Span};

pub fn run(k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    for entry in k.field("replicas").and_then(|n| n.as_seq()).map(|s| s.as_slice()).unwrap_or(&[]) {
        let name = entry.get_str("name").unwrap_or("");
        let count = entry.get("count").and_then(|n| n.as_scalar()).map(|s| go_int(&s.text)).unwrap_or(0);
        set_replicas(&mut acc.resources, name, count, &acc.config[SpecList::Replicas], &entry.span)?;
    }
    Ok(())
}

pub fn set_replicas(resources: &mut ResMap, name: &str, count: i64, specs: &[FieldSpec], span: &Span) -> Result<()> {
    let mut found = false;
    for spec in specs {
        for r in resources.iter_mut().filter(|r| has_had_id(r, name, spec)) {
            found = true;
            let mut setter = |field: &mut Node| {
                if !field.is_null() && field.as_scalar().is_none() {
                    return Err(Error::at(&field.span, format!("wrong node kind: replicas must be a number, found {}", field.shape())));
                }
                *field = Node::int(count, span.clone());
                Ok(())
            };
            fieldspec::apply(&mut r.node, spec, Create::Scalar, &mut setter)?;
        }
    }
    if !found {
        let gvks: Vec<String> = specs.iter().map(|s| s.gvk_string()).collect();
        return Err(Error::at(
            span,
            format!("resource with name {} does not match a config with the following GVK [{}]", name, gvks.join(" ")),
        ));
    }
    Ok(())
}

/// Whether the resource is, or was before a rename, `name` of a gvk the
/// spec selects.
fn has_had_id(r: &Resource, name: &str, spec: &FieldSpec) -> bool {
    r.previous.iter().chain(std::iter::once(&r.id())).any(|id| id.name == name && spec.selects(&id.gvk))
}

/// The value of a YAML 1.1 integer as Go reads it (`0x1F`, `017`, `1_000`).
fn go_int(text: &str) -> i64 {
    let t: String = text.chars().filter(|c| *c != '_').collect();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d.to_string()),
        None => (false, t.trim_start_matches('+').to_string()),
    };
    let value = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16)
    } else if let Some(b) = digits.strip_prefix("0b") {
        i64::from_str_radix(b, 2)
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8)
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse()
    };
    let v = value.unwrap_or(0);
    if neg {
        -v
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::fieldspec::TransformerConfig;
    use crate::yaml::{parse_single, Kind};

    fn resmap(text: &str) -> ResMap {
        let mut m = ResMap::new();
        m.append(Resource::new(parse_single("r.yaml", text).unwrap().unwrap())).unwrap();
        m
    }

    #[test]
    fn sets_and_creates_replicas() {
        let mut m = resmap("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n");
        set_replicas(&mut m, "d", 3, &TransformerConfig::builtin()[SpecList::Replicas], &Span::default()).unwrap();
        let n = m.resources[0].node.path(&["spec", "replicas"]).unwrap();
        assert_eq!((n.as_str(), n.as_scalar().unwrap().kind), (Some("3"), Kind::Int));
    }

    #[test]
    fn matches_previous_names() {
        let mut m = resmap("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n");
        let r = &mut m.resources[0];
        r.store_previous_id();
        if let Some(n) = r.node.path_mut(&["metadata", "name"]) {
            *n = Node::string("p-d", Span::default());
        }
        set_replicas(&mut m, "d", 2, &TransformerConfig::builtin()[SpecList::Replicas], &Span::default()).unwrap();
        assert!(m.resources[0].node.path(&["spec", "replicas"]).is_some());
    }

    #[test]
    fn unknown_names_are_errors() {
        let mut m = resmap("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n");
        let e = set_replicas(&mut m, "x", 2, &TransformerConfig::builtin()[SpecList::Replicas], &Span::default()).unwrap_err();
        assert!(e.message.contains("resource with name x does not match"), "{}", e.message);
    }

    #[test]
    fn yaml11_integers() {
        assert_eq!(go_int("010"), 8);
        assert_eq!(go_int("0x10"), 16);
        assert_eq!(go_int("1_000"), 1000);
        assert_eq!(go_int("-3"), -3);
    }
}
