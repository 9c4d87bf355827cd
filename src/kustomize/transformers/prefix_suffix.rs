//! `namePrefix:` and `nameSuffix:` — kustomize's PrefixTransformer and
//! SuffixTransformer (api/internal/builtins, api/filters/prefix, suffix).
//!
//! Both change the fields their specs name (by default only
//! `metadata/name`). When they rename a resource they remember its old id and
//! the affix, so that name references can later be followed to it.

use crate::error::{Error, Result};
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::fieldspec::{self, Create, FieldSpec, SpecList};
use crate::kustomize::kustomization::Kustomization;
use crate::kustomize::resmap::{Gvk, Resource};
use crate::yaml::{Node, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Affix {
    Prefix,
    Suffix,
}

/// The prefix first, then the suffix, as kustomize runs them.
pub fn run(k: &Kustomization, acc: &mut Accumulator, affix: Affix) -> Result<()> {
    let field = match affix {
        Affix::Prefix => "namePrefix",
        Affix::Suffix => "nameSuffix",
    };
    {
        let Some(text) = k.string(field) else { return Ok(()) };
        let span = k.field(field).map(|n| n.span.clone()).unwrap_or_default();
        let specs = match affix {
            Affix::Prefix => &acc.config[SpecList::NamePrefix],
            Affix::Suffix => &acc.config[SpecList::NameSuffix],
        };
        let t = AffixTransformer { affix, text, specs, span };
        for r in acc.resources.iter_mut() {
            t.apply(r)?;
        }
    }
    Ok(())
}

pub struct AffixTransformer<'a> {
    pub affix: Affix,
    pub text: &'a str,
    pub specs: &'a [FieldSpec],
    pub span: Span,
}

impl AffixTransformer<'_> {
    pub fn apply(&self, r: &mut Resource) -> Result<()> {
        // kustomize selects by the id the resource was declared with, so a
        // kind changed by a patch keeps the treatment of its original kind.
        let original = r.original_gvk();
        if is_skipped(&original) {
            return Ok(());
        }
        for spec in self.specs {
            if !spec.selects(&original) {
                continue;
            }
            if spec.path_string() == "metadata/name" && !self.text.is_empty() {
                self.record(r);
            }
            let mut setter = |field: &mut Node| self.set(field);
            fieldspec::apply(&mut r.node, spec, Create::Scalar, &mut setter)?;
        }
        Ok(())
    }

    /// Notes the affix and the id before renaming.
    fn record(&self, r: &mut Resource) {
        match self.affix {
            Affix::Prefix => {
                r.prefixes.push(self.text.to_string());
                r.prefix_sources.push(self.span.file.clone());
            }
            Affix::Suffix => {
                r.suffixes.push(self.text.to_string());
                r.suffix_sources.push(self.span.file.clone());
            }
        }
        r.store_previous_id();
    }

    fn set(&self, field: &mut Node) -> Result<()> {
        if !field.is_null() && field.as_scalar().is_none() {
            return Err(Error::at(&field.span, format!("wrong node kind: expected a scalar but got {}", field.shape())));
        }
        let old = if field.is_null() { "" } else { field.as_str().unwrap_or("") };
        let new = match self.affix {
            Affix::Prefix => format!("{}{}", self.text, old),
            Affix::Suffix => format!("{}{}", old, self.text),
        };
        let span = if field.is_null() { self.span.clone() } else { field.span.clone() };
        *field = Node::string(new, span);
        Ok(())
    }
}

/// Kinds whose names must stay as declared: CRDs (their names are
/// `plural.group`), APIServices (`version.group`) and Namespaces.
fn is_skipped(gvk: &Gvk) -> bool {
    gvk.is_selected_by("", "", "CustomResourceDefinition")
        || gvk.is_selected_by("apiregistration.k8s.io", "", "APIService")
        || gvk.is_selected_by("", "", "Namespace")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    fn resource(text: &str) -> Resource {
        Resource::new(parse_single("r.yaml", text).unwrap().unwrap())
    }

    fn specs() -> Vec<FieldSpec> {
        vec![FieldSpec::new("metadata/name", false)]
    }

    #[test]
    fn prefix_and_suffix_rename_and_record() {
        let specs = specs();
        let mut r = resource("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
        let p = AffixTransformer { affix: Affix::Prefix, text: "a-", specs: &specs, span: Span::default() };
        let s = AffixTransformer { affix: Affix::Suffix, text: "-z", specs: &specs, span: Span::default() };
        p.apply(&mut r).unwrap();
        s.apply(&mut r).unwrap();
        assert_eq!(r.name(), "a-cm-z");
        assert_eq!(r.prefixes, vec!["a-"]);
        assert_eq!(r.suffixes, vec!["-z"]);
        assert_eq!(r.original_id().name, "cm");
        assert_eq!(r.previous.len(), 2);
    }

    #[test]
    fn namespaces_and_crds_keep_their_names() {
        let specs = specs();
        let p = AffixTransformer { affix: Affix::Prefix, text: "a-", specs: &specs, span: Span::default() };
        for text in [
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: crd\n",
            "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: svc\n",
        ] {
            let mut r = resource(text);
            let before = r.name().to_string();
            p.apply(&mut r).unwrap();
            assert_eq!(r.name(), before);
            assert!(r.prefixes.is_empty());
        }
    }

    #[test]
    fn custom_specs_apply_to_other_fields() {
        let specs = vec![
            FieldSpec::new("metadata/name", false),
            FieldSpec { kind: "Deployment".into(), ..FieldSpec::new("spec/serviceName", true) },
        ];
        let p = AffixTransformer { affix: Affix::Prefix, text: "p-", specs: &specs, span: Span::default() };
        let mut r = resource("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n");
        p.apply(&mut r).unwrap();
        assert_eq!(r.node.path(&["spec", "serviceName"]).and_then(|n| n.as_str()), Some("p-"));
    }
}
