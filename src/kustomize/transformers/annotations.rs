//! `commonAnnotations:` — kustomize's AnnotationsTransformer
//! (api/filters/annotations): every pair into every annotations field the
//! specs name, creating `metadata/annotations` (and pod template
//! annotations) where missing.

use super::labels::{set_entries, string_pairs};
use crate::error::Result;
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::fieldspec::SpecList;
use crate::kustomize::kustomization::Kustomization;

pub fn run(k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let pairs = string_pairs(k.field("commonAnnotations"));
    set_entries(&mut acc.resources, &pairs, &acc.config[SpecList::CommonAnnotations])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::fieldspec::TransformerConfig;
    use crate::kustomize::resmap::{ResMap, Resource};
    use crate::yaml::parse_single;

    #[test]
    fn annotations_reach_pod_templates() {
        let mut m = ResMap::new();
        let d = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec: {}\n";
        m.append(Resource::new(parse_single("r.yaml", d).unwrap().unwrap())).unwrap();
        let pairs = string_pairs(Some(&parse_single("k.yaml", "note: hi\n").unwrap().unwrap()));
        set_entries(&mut m, &pairs, &TransformerConfig::builtin()[SpecList::CommonAnnotations]).unwrap();
        let n = &m.resources[0].node;
        assert_eq!(n.path(&["metadata", "annotations", "note"]).and_then(|n| n.as_str()), Some("hi"));
        assert_eq!(n.path(&["spec", "template", "metadata", "annotations", "note"]).and_then(|n| n.as_str()), Some("hi"));
    }
}
