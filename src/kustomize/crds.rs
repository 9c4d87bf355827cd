//! `crds:` — field specs read from OpenAPI definitions of custom types
//! (kustomize's LoadConfigFromCRDs, api/internal/accumulator
//! loadconfigfromcrds.go).
//!
//! A definition file maps type names to `{Schema: …}`. For each type that
//! looks like a Kubernetes object (it has kind, apiVersion and metadata), its
//! properties are walked, following `$ref`s: `x-kubernetes-annotation` marks
//! an annotations field, `x-kubernetes-label-selector` a selector for
//! commonLabels, `x-kubernetes-identity` a field that gets the name prefix,
//! and `x-kubernetes-object-ref-api-version` with `…-kind` a name reference.

use super::fieldspec::{merge_specs, FieldSpec, NameBackRef, SpecList, TransformerConfig};
use crate::error::Result;
use crate::yaml::Node;

/// The configuration one definition file adds.
pub fn config_from_definitions(defs: &Node) -> Result<TransformerConfig> {
    let mut config = TransformerConfig::default();
    for (name, def) in defs.as_map().map(|m| m.as_slice()).unwrap_or(&[]) {
        let name = name.as_str().unwrap_or("");
        let props = def.path(&["Schema", "properties"]);
        if !props.is_some_and(|p| p.get("kind").is_some() && p.get("apiVersion").is_some() && p.get("metadata").is_some()) {
            continue;
        }
        // The kind is the last dot-separated part of the type name.
        let kind = name.rsplit('.').next().unwrap_or(name);
        let mut found = TransformerConfig::default();
        walk(&mut found, kind, defs, name, &mut Vec::new())?;
        config.merge(&found)?;
    }
    Ok(config)
}

fn walk(config: &mut TransformerConfig, kind: &str, defs: &Node, type_name: &str, path: &mut Vec<String>) -> Result<()> {
    if path.len() > crate::limits::MAX_REF_DEPTH {
        return Ok(());
    }
    let Some(props) = defs.get(type_name).and_then(|d| d.path(&["Schema", "properties"])).and_then(|p| p.as_map()) else {
        return Ok(());
    };
    for (prop, schema) in props {
        let prop = prop.as_str().unwrap_or("");
        let ext = |key: &str| schema.get(key).and_then(|v| v.as_string());
        let spec = |extra: &[&str]| {
            let mut p: Vec<&str> = path.iter().map(|s| s.as_str()).chain(std::iter::once(prop)).collect();
            p.extend_from_slice(extra);
            FieldSpec { kind: kind.to_string(), ..FieldSpec::new(&p.join("/"), false) }
        };
        if ext("x-kubernetes-annotation").is_some() {
            merge_specs(&mut config[SpecList::CommonAnnotations], &[spec(&[])])?;
        }
        if ext("x-kubernetes-label-selector").is_some() {
            merge_specs(&mut config[SpecList::CommonLabels], &[spec(&[])])?;
        }
        if ext("x-kubernetes-identity").is_some() {
            merge_specs(&mut config[SpecList::NamePrefix], &[spec(&[])])?;
        }
        if let (Some(version), Some(target)) = (ext("x-kubernetes-object-ref-api-version"), ext("x-kubernetes-object-ref-kind")) {
            let name_key = ext("x-kubernetes-object-ref-name-key").unwrap_or("name");
            let backref = NameBackRef {
                group: String::new(),
                version: version.to_string(),
                kind: target.to_string(),
                referrers: vec![spec(&[name_key])],
            };
            config.add_name_reference(&backref)?;
        }
        if let Some(reference) = schema.get("$ref").and_then(|r| r.as_str()) {
            path.push(prop.to_string());
            walk(config, kind, defs, reference, path)?;
            path.pop();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    #[test]
    fn object_refs_become_name_references() {
        let text = r#"{
  "x.v1.Bee": {"Schema": {"properties": {"kind": {}, "apiVersion": {}, "metadata": {}, "spec": {"$ref": "x.v1.BeeSpec"}}}},
  "x.v1.BeeSpec": {"Schema": {"properties": {
     "secretRef": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "Secret"},
     "selector": {"x-kubernetes-label-selector": ""}}}}
}"#;
        let defs = parse_single("d.json", text).unwrap().unwrap();
        let c = config_from_definitions(&defs).unwrap();
        let secret = c.name_reference.iter().find(|b| b.kind == "Secret").unwrap();
        assert_eq!(secret.referrers[0].path_string(), "spec/secretRef/name");
        assert_eq!(secret.referrers[0].kind, "Bee");
        assert_eq!(c[SpecList::CommonLabels][0].path_string(), "spec/selector");
    }
}
