//! The built-in transformers, run in kustomize's order
//! (api/internal/target/kusttarget_configplugin.go).

mod namespace;
mod patches;

use super::build::{Accumulator, Builder};
use super::kustomization::Kustomization;
use crate::error::{Error, Result};

/// Fields this engine cannot apply yet: a build that uses one fails rather
/// than printing something kustomize would not.
const NOT_YET: [&str; 19] = [
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "replicas",
    "images",
    "imageTags",
    "replacements",
    "vars",
    "configMapGenerator",
    "secretGenerator",
    "configurations",
    "crds",
    "openapi",
    "transformers",
    "generators",
    "validators",
    "helmCharts",
];

pub fn run(b: &mut Builder, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    for field in NOT_YET {
        if let Some(node) = k.field(field) {
            let unused = node.as_seq().is_some_and(|s| s.is_empty()) || node.as_map().is_some_and(|m| m.is_empty());
            if !unused {
                return Err(Error::at(&node.span, format!("'{}' is not supported by this engine yet", field)));
            }
        }
    }
    patches::strategic_merge(b, k, acc)?;
    patches::patches(b, k, acc)?;
    namespace::run(k, acc)?;
    patches::json6902(b, k, acc)?;
    Ok(())
}
