//! `namespace:` — moves every namespaced resource into one namespace and
//! updates the fields that name a namespace (api/filters/namespace).

use crate::error::{Error, Result};
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::fieldspec::{self, Create, FieldSpec, SpecList};
use crate::kustomize::kustomization::Kustomization;
use crate::kustomize::resmap::{Gvk, ResId};
use crate::yaml::{Node, Span};
use std::collections::HashMap;

/// How RoleBinding subjects get the namespace (`setRoleBindingSubjects`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectMode {
    DefaultOnly,
    AllServiceAccounts,
    None,
}

pub struct Namespace<'a> {
    pub namespace: &'a str,
    pub specs: &'a [FieldSpec],
    pub subjects: SubjectMode,
    pub unset_only: bool,
    pub span: Span,
}

pub fn run(k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let Some(ns) = k.string("namespace") else { return Ok(()) };
    let span = k.field("namespace").map(|n| n.span.clone()).unwrap_or_default();
    // The shared configuration, not a copy of its specs.
    let config = std::sync::Arc::clone(&acc.config);
    let t = Namespace { namespace: ns, specs: &config[SpecList::Namespace], subjects: SubjectMode::DefaultOnly, unset_only: false, span };
    t.apply(acc)
}

impl Namespace<'_> {
    pub fn apply(&self, acc: &mut Accumulator) -> Result<()> {
        // How many resources have each id right now, kept up to date as
        // resources move, so that the conflict check after each one (as
        // kustomize does it) costs nothing per other resource.
        let key = |id: &ResId| (id.gvk.clone(), id.name.clone(), id.effective_namespace().to_string());
        let mut counts: HashMap<_, usize> = HashMap::new();
        for r in acc.resources.iter() {
            *counts.entry(key(&r.id())).or_default() += 1;
        }
        for r in acc.resources.iter_mut() {
            let before = key(&r.id());
            r.store_previous_id();
            self.apply_one(&mut r.node)?;
            let id = r.id();
            let after = key(&id);
            if after != before {
                if let Some(c) = counts.get_mut(&before) {
                    *c -= 1;
                }
                *counts.entry(after.clone()).or_default() += 1;
            }
            if counts.get(&after) != Some(&1) {
                return Err(Error::at(
                    &self.span,
                    format!(
                        "namespace transformation produces ID conflict: more than one {} ends up in namespace '{}'",
                        id, self.namespace
                    ),
                ));
            }
        }
        Ok(())
    }

    fn set(&self, field: &mut Node) -> Result<()> {
        let empty = field.is_null() || field.as_str().is_some_and(|s| s.is_empty());
        if self.unset_only && !empty {
            return Ok(());
        }
        if field.as_scalar().is_none() && !field.is_null() {
            return Err(Error::at(&field.span, "namespace field specs must target scalar nodes"));
        }
        *field = Node::string(self.namespace, self.span.clone());
        Ok(())
    }

    fn apply_one(&self, node: &mut Node) -> Result<()> {
        let api_version = node.get_str("apiVersion").unwrap_or("").to_string();
        let kind = node.get_str("kind").unwrap_or("").to_string();
        let gvk = Gvk::from_api_version(&api_version, &kind);
        let is_binding = kind == "RoleBinding" || kind == "ClusterRoleBinding";
        let specs: Vec<&FieldSpec> = self
            .specs
            .iter()
            .filter(|s| {
                let path = s.path_string();
                path != "metadata/namespace"
                    && !(api_version != "v1" && path == "metadata/name")
                    && !(is_binding && (s.kind == "RoleBinding" || s.kind == "ClusterRoleBinding") && path == "subjects/namespace")
            })
            .collect();
        let mut setter = |f: &mut Node| self.set(f);
        if !gvk.is_cluster_scoped() {
            let meta = FieldSpec::new("metadata/namespace", true);
            fieldspec::apply(node, &meta, Create::Scalar, &mut setter)?;
        }
        if is_binding {
            self.subjects(node)?;
        }
        for spec in specs {
            fieldspec::apply(node, spec, Create::Scalar, &mut setter)?;
        }
        Ok(())
    }

    fn subjects(&self, node: &mut Node) -> Result<()> {
        if self.subjects == SubjectMode::None {
            return Ok(());
        }
        let Some(subjects) = node.get_mut("subjects").and_then(|s| s.as_seq_mut()) else { return Ok(()) };
        for subject in subjects {
            let selected = match self.subjects {
                SubjectMode::DefaultOnly => subject.get_str("name") == Some("default"),
                SubjectMode::AllServiceAccounts => subject.get_str("kind") == Some("ServiceAccount"),
                SubjectMode::None => false,
            };
            if selected && subject.is_map() {
                let span = subject.span.clone();
                if subject.get("namespace").is_none() {
                    subject.set("namespace", Node::null(span));
                }
                if let Some(f) = subject.get_mut("namespace") {
                    self.set(f)?;
                }
            }
        }
        Ok(())
    }
}
