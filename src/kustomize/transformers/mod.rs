//! The built-in transformers, run in kustomize's order
//! (api/internal/target/kusttarget_configplugin.go).

mod annotations;
mod images;
pub(crate) mod labels;
mod namespace;
mod patches;
mod plugins;
mod prefix_suffix;
mod replicas;
pub mod replacements;

use super::build::{Accumulator, Builder};
use super::kustomization::Kustomization;
use crate::error::{Error, Result};

/// Fields this engine cannot apply yet: a build that uses one fails rather
/// than printing something kustomize would not.
const NOT_YET: [&str; 2] = [
    "validators",
    "helmCharts",
];

pub fn run(b: &mut Builder, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    for field in NOT_YET {
        if let Some(node) = k.field(field) {
            let unused = node.as_seq().is_some_and(|s| s.is_empty()) || node.as_map().is_some_and(|m| m.is_empty());
            if !unused {
                let why = match field {
                    // kustomize itself needs --enable-helm and a helm binary
                    // that downloads the chart.
                    "helmCharts" => "'helmCharts' cannot be inflated here: that needs the helm program and the network; run `helm template` yourself and list its output under resources:".to_string(),
                    _ => format!("'{}' is not supported by this engine yet", field),
                };
                return Err(Error::at(&node.span, why));
            }
        }
    }
    patches::strategic_merge(b, k, acc)?;
    patches::patches(b, k, acc)?;
    namespace::run(k, acc)?;
    prefix_suffix::run(k, acc)?;
    labels::run(k, acc)?;
    annotations::run(k, acc)?;
    patches::json6902(b, k, acc)?;
    replicas::run(k, acc)?;
    images::run(k, acc)?;
    // Last of kustomize's builtin transformers.
    replacements::run(b, k, acc)?;
    plugins::run(b, k, acc)?;
    Ok(())
}
