//! `transformers:` — built-in transformers configured by a plugin config
//! object (`apiVersion: builtin`, `kind: PrefixSuffixTransformer`, …) rather
//! than by kustomization fields (kusttarget.go configureExternalTransformers,
//! api/internal/plugins/loader).
//!
//! An entry is either an inline YAML object or a path (a file of configs or a
//! kustomization directory that builds into configs). Inline configs come
//! first, then those from paths, each applied in turn after the
//! kustomization's own transformers.
//!
//! Field-spec transformers run here directly; patch kinds go through the
//! patch transformers, ReplacementTransformer configs through the
//! `replacements:` list function (paths resolve against this kustomization).

use super::images::{self, ImageRule};
use super::labels::{set_entries, string_pairs};
use super::namespace::{Namespace, SubjectMode};
use super::prefix_suffix::{Affix, AffixTransformer};
use super::replicas::set_replicas;
use crate::error::{Error, Result};
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::aliases;
use crate::kustomize::fieldspec::FieldSpec;
use crate::kustomize::kustomization::{Kustomization, Spanned};
use crate::kustomize::loader::{read_resource_file, Loader};
use crate::kustomize::origin::{self, Origin};
use crate::kustomize::patch::json6902;
use crate::kustomize::resmap::{ResMap, Resource};
use crate::kustomize::selector::Selector;
use crate::yaml::{parse_documents, Node};

pub fn run(b: &mut dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let entries = k.string_list("transformers");
    if entries.is_empty() {
        return Ok(());
    }
    for config in load_configs(b, k, &entries)?.iter() {
        run_one(b, k, config, acc)?;
        if b.origin().is_some() {
            if let Some(o) = Origin::plugin(config) {
                origin::note_transformer(&mut acc.resources, &o);
            }
        }
    }
    Ok(())
}

/// `validators:` — plugin configs run like transformers, after them, whose
/// result must be the resources they were given (apart from a
/// `validated-by` label), as kustomize's runValidators demands.
pub fn validate(b: &mut dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let entries = k.string_list("validators");
    if entries.is_empty() {
        return Ok(());
    }
    for config in load_configs(b, k, &entries)?.iter() {
        // The validator's own result is kept (its label shows in the output);
        // only a copy without that label is compared with what it was given.
        let given = acc.resources.clone();
        run_one(b, k, config, acc)?;
        let mut check = acc.resources.clone();
        for r in check.iter_mut() {
            if let Some(meta) = r.node.get_mut("metadata") {
                if let Some(labels) = meta.get_mut("labels") {
                    labels.remove("validated-by");
                    if labels.as_map().is_some_and(|m| m.is_empty()) {
                        meta.remove("labels");
                    }
                }
            }
        }
        let same = check.len() == given.len() && given.iter().all(|r| check.iter().any(|t| t.id().same_as(&r.id()) && t.node == r.node));
        if !same {
            return Err(Error::at(
                &config.source,
                format!("validator shouldn't modify the resource map: {} '{}' changed the resources", config.kind(), config.name()),
            ));
        }
    }
    Ok(())
}

fn run_one(b: &mut dyn Loader, k: &Kustomization, config: &Resource, acc: &mut Accumulator) -> Result<()> {
    let builtin = config.node.get_str("apiVersion") == Some("builtin");
    match config.kind() {
        "PatchJson6902Transformer" if builtin => json6902(b, k, config, acc),
        "PatchTransformer" | "PatchStrategicMergeTransformer" if builtin => patch(b, k, config, acc),
        "ReplacementTransformer" if builtin => {
            if let Some(list) = config.node.get("replacements").filter(|n| !n.is_null()) {
                let before = aliases::snapshot(&acc.resources);
                super::replacements::apply_list(b, k, list, &mut acc.resources.resources)?;
                aliases::sync(&mut acc.resources, before);
            }
            Ok(())
        }
        _ => apply(config, acc),
    }
}

/// The plugin config objects the entries name, inline ones first.
fn load_configs(b: &mut dyn Loader, k: &Kustomization, entries: &[Spanned]) -> Result<Vec<Resource>> {
    let mut configs = ResMap::new();
    let mut paths = Vec::new();
    for entry in entries {
        match read_resource_file(&k.file, entry.text.as_bytes()) {
            Ok(list) if !list.is_empty() => {
                for mut r in list {
                    // Parsed from the entry's own text: positions move to
                    // where that text is in the kustomization.
                    let written = ["transformers", "generators", "validators"]
                        .iter()
                        .filter_map(|f| k.field(f).and_then(|n| n.as_seq()))
                        .flatten()
                        .find(|n| n.span == entry.span);
                    match written {
                        Some(n) => super::patches::place_inline(&*b, n, &mut r.node),
                        None => super::patches::pin(&mut r.node, &entry.span),
                    }
                    r.source = r.node.span.clone();
                    if let Some(dir) = &b.origin() {
                        origin::set(&mut r, &Origin::file(origin::join(dir, crate::fs::file_name(&k.file))));
                    }
                    configs.append(r)?;
                }
            }
            _ => paths.push(entry.clone()),
        }
    }
    let from_paths = b.accumulate_resources(k, Accumulator::empty(), &paths)?;
    configs.append_all(from_paths.resources)?;
    Ok(configs.resources)
}

/// Runs one plugin config over the resources.
fn apply(config: &Resource, acc: &mut Accumulator) -> Result<()> {
    let node = &config.node;
    let kind = config.kind();
    if node.get_str("apiVersion") != Some("builtin") {
        return Err(Error::at(
            &config.source,
            format!("transformer '{}' ({}) is an external plugin (exec, Go or KRM function): the playground runs only built-in transformers (apiVersion: builtin)", config.name(), kind),
        ));
    }
    let span = config.source.clone();
    match kind {
        "PrefixSuffixTransformer" => {
            affix(config, Affix::Prefix, acc)?;
            affix(config, Affix::Suffix, acc)
        }
        "PrefixTransformer" => affix(config, Affix::Prefix, acc),
        "SuffixTransformer" => affix(config, Affix::Suffix, acc),
        "LabelTransformer" => set_entries(&mut acc.resources, &string_pairs(node.get("labels")), &field_specs(node)?),
        "AnnotationsTransformer" => set_entries(&mut acc.resources, &string_pairs(node.get("annotations")), &field_specs(node)?),
        "ImageTagTransformer" => {
            let rule = node.get("imageTag").map(ImageRule::from_node).unwrap_or_default();
            let specs = field_specs(node)?;
            acc.resources.iter_mut().try_for_each(|r| images::apply(&mut r.node, &rule, &specs))
        }
        "ReplicaCountTransformer" => {
            let replica = node.get("replica");
            let name = replica.and_then(|r| r.get_str("name")).unwrap_or("");
            let count = replica.and_then(|r| r.get("count")).and_then(|c| c.as_str()).and_then(|c| c.parse().ok()).unwrap_or(0);
            set_replicas(&mut acc.resources, name, count, &field_specs(node)?, &span)
        }
        "NamespaceTransformer" => namespace(config, acc),
        _ => Err(Error::at(&span, format!("built-in transformer kind '{}' in 'transformers:' is not supported by this engine yet", kind))),
    }
}

/// A PatchTransformer config is one `patches:` entry (path, patch, target,
/// options); a PatchStrategicMergeTransformer config lists
/// `patchesStrategicMerge:` entries (`paths`, then the inline `patches`).
/// Both run through the patch transformers as if this kustomization had
/// those fields, so paths resolve against it.
fn patch(b: &dyn Loader, k: &Kustomization, config: &Resource, acc: &mut Accumulator) -> Result<()> {
    let span = config.source.clone();
    let mut fields = Node::map(span.clone());
    let mut as_kustomization = k.clone();
    if config.kind() == "PatchTransformer" {
        fields.set("patches", Node::seq(vec![config.node.clone()], span));
        as_kustomization.node = fields;
        return super::patches::patches(b, &as_kustomization, acc);
    }
    let mut entries: Vec<Node> = config.node.get("paths").and_then(|p| p.as_seq()).cloned().unwrap_or_default();
    if let Some(inline) = config.node.get("patches").filter(|p| p.as_str().is_some_and(|t| !t.is_empty())) {
        entries.push(inline.clone());
    }
    fields.set("patchesStrategicMerge", Node::seq(entries, span));
    as_kustomization.node = fields;
    super::patches::strategic_merge(b, &as_kustomization, acc)
}

/// A JSON 6902 patch (`jsonOp:` inline, or a file at `path:` relative to
/// this kustomization) applied to the resources `target` selects.
fn json6902(b: &dyn Loader, k: &Kustomization, config: &Resource, acc: &mut Accumulator) -> Result<()> {
    let node = &config.node;
    let at = |m: &str| Error::at(&config.source, format!("PatchJson6902Transformer '{}': {}", config.name(), m));
    let target = node.get("target").filter(|t| !t.is_null()).map(Selector::from_node);
    let Some(target) = target.filter(|t| !t.name.is_empty()) else { return Err(at("must specify the target name")) };
    let inline = node.get_str("jsonOp").unwrap_or("");
    let path = node.get_str("path").unwrap_or("");
    let (file, text) = match (inline.is_empty(), path.is_empty()) {
        (true, true) => return Err(at("empty file path and empty jsonOp")),
        (false, false) => return Err(at("must specify a file path or jsonOp, not both")),
        (false, true) => (config.source.file.to_string(), inline.to_string()),
        (true, false) => {
            let span = node.get("path").map(|n| n.span.clone()).unwrap_or_else(|| config.source.clone());
            let (file, bytes) = b.read_file(k, path, &span)?;
            let text = String::from_utf8(bytes).map_err(|_| Error::in_file(&file, "the patch file is not UTF-8 text"))?;
            if text.is_empty() {
                return Err(at(&format!("patch file '{}' empty seems to be empty", path)));
            }
            (file, text)
        }
    };
    let mut ops = parse_documents(&file, &text)?
        .into_iter()
        .next()
        .filter(|n| n.is_seq())
        .ok_or_else(|| at("the JSON patch must be a list of operations"))?;
    if let Some(op) = node.get("jsonOp").filter(|_| !inline.is_empty()) {
        super::patches::place_inline(b, op, &mut ops);
    }
    if ops.as_seq().is_some_and(|s| s.is_empty()) {
        return Err(at("patch appears to be empty"));
    }
    for i in target.select(&acc.resources)? {
        let r = &mut acc.resources.resources[i];
        let internal = super::patches::internal_annotations(r);
        json6902::apply_with_internal_annotations(&mut r.node, &ops, &internal)?;
        aliases::forget(r);
    }
    Ok(())
}

fn affix(config: &Resource, affix: Affix, acc: &mut Accumulator) -> Result<()> {
    let key = match affix {
        Affix::Prefix => "prefix",
        Affix::Suffix => "suffix",
    };
    if config.node.get("fieldSpecs").is_none_or(|n| n.is_null()) {
        return Err(Error::at(&config.source, format!("{}: fieldSpecs is not expected to be nil", config.kind())));
    }
    let specs = field_specs(&config.node)?;
    let text = config.node.get_str(key).unwrap_or("");
    let t = AffixTransformer { affix, text, specs: &specs, span: config.source.clone() };
    acc.resources.iter_mut().try_for_each(|r| t.apply(r))
}

fn namespace(config: &Resource, acc: &mut Accumulator) -> Result<()> {
    let node = &config.node;
    let ns = node.path(&["metadata", "namespace"]).and_then(|n| n.as_str()).unwrap_or("");
    let subjects = match node.get_str("setRoleBindingSubjects").unwrap_or("") {
        "" | "defaultOnly" => SubjectMode::DefaultOnly,
        "allServiceAccounts" => SubjectMode::AllServiceAccounts,
        "none" => SubjectMode::None,
        other => {
            return Err(Error::at(
                &config.source,
                format!(
                    "invalid value \"{}\" for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\"",
                    other
                ),
            ))
        }
    };
    if ns.is_empty() {
        return Ok(());
    }
    let unset_only = node.get("unsetOnly").and_then(|n| n.as_str()) == Some("true");
    let specs = field_specs(node)?;
    // The namespace nodes it writes carry the place of the value they copy.
    let span = node.path(&["metadata", "namespace"]).map(|n| n.span.clone()).unwrap_or_else(|| config.source.clone());
    Namespace { namespace: ns, specs: &specs, subjects, unset_only, span }.apply(acc)
}

fn field_specs(node: &Node) -> Result<Vec<FieldSpec>> {
    node.get("fieldSpecs").and_then(|n| n.as_seq()).map(|s| s.iter().map(FieldSpec::from_node).collect()).unwrap_or(Ok(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    fn resmap(texts: &[&str]) -> Accumulator {
        let mut acc = Accumulator::empty();
        for t in texts {
            acc.resources.append(Resource::new(parse_single("r.yaml", t).unwrap().unwrap())).unwrap();
        }
        acc
    }

    fn config(text: &str) -> Resource {
        Resource::new(parse_single("c.yaml", text).unwrap().unwrap())
    }

    #[test]
    fn prefix_suffix_plugin() {
        let mut acc = resmap(&["apiVersion: v1\nkind: Service\nmetadata:\n  name: apple\n"]);
        let c = config("apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: x\nprefix: baked-\nsuffix: -pie\nfieldSpecs:\n- path: metadata/name\n");
        apply(&c, &mut acc).unwrap();
        assert_eq!(acc.resources.resources[0].name(), "baked-apple-pie");
        assert_eq!(acc.resources.resources[0].prefixes, vec!["baked-"]);
    }

    #[test]
    fn label_plugin_uses_only_its_specs() {
        let mut acc = resmap(&["apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"]);
        let c = config("apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: x\nlabels:\n  a: b\nfieldSpecs:\n- path: metadata/labels\n  create: true\n");
        apply(&c, &mut acc).unwrap();
        let n = &acc.resources.resources[0].node;
        assert_eq!(n.path(&["metadata", "labels", "a"]).and_then(|n| n.as_str()), Some("b"));
        assert!(n.path(&["spec", "selector"]).is_none());
    }

    #[test]
    fn json6902_plugin_patches_its_target() {
        use crate::fs::MemFs;
        use crate::kustomize::BuildOptions;
        let mut fs = MemFs::new();
        fs.add_dir("/k");
        fs.insert("/k/kustomization.yaml", b"resources: [d.yaml]\ntransformers: [p.yaml]\n".to_vec());
        fs.insert("/k/d.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n".to_vec());
        fs.insert(
            "/k/p.yaml",
            b"apiVersion: builtin\nkind: PatchJson6902Transformer\nmetadata:\n  name: p\ntarget:\n  kind: Deployment\n  name: d\njsonOp: '[{\"op\": \"add\", \"path\": \"/spec\", \"value\": {\"replicas\": 2}}]'\n".to_vec(),
        );
        let out = crate::kustomize::build(&fs, "/k", &BuildOptions::default()).unwrap();
        assert_eq!(out.resources.resources[0].node.path(&["spec", "replicas"]).and_then(|n| n.as_str()), Some("2"));
    }

    #[test]
    fn replacement_plugin_runs_its_list() {
        use crate::fs::MemFs;
        use crate::kustomize::BuildOptions;
        let mut fs = MemFs::new();
        fs.add_dir("/k");
        fs.insert("/k/kustomization.yaml", b"resources: [r.yaml]\ntransformers: [t.yaml]\n".to_vec());
        fs.insert("/k/r.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  x: hello\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dst\n".to_vec());
        fs.insert("/k/more.yaml", b"source:\n  name: src\n  fieldPath: data.x\ntargets:\n- select:\n    name: dst\n  fieldPaths: [data.z]\n  options:\n    create: true\n".to_vec());
        fs.insert(
            "/k/t.yaml",
            b"apiVersion: builtin\nkind: ReplacementTransformer\nmetadata:\n  name: r\nreplacements:\n- source:\n    name: src\n    fieldPath: data.x\n  targets:\n  - select:\n      name: dst\n    fieldPaths: [data.y]\n    options:\n      create: true\n- path: more.yaml\n".to_vec(),
        );
        let out = crate::kustomize::build(&fs, "/k", &BuildOptions::default()).unwrap();
        let dst = out.resources.iter().find(|r| r.name() == "dst").unwrap();
        assert_eq!(dst.node.path(&["data", "y"]).and_then(|n| n.as_str()), Some("hello"));
        assert_eq!(dst.node.path(&["data", "z"]).and_then(|n| n.as_str()), Some("hello"));
    }

    #[test]
    fn external_plugins_are_refused() {
        let mut acc = resmap(&[]);
        let c = config("apiVersion: someteam.example.com/v1\nkind: ChartInflator\nmetadata:\n  name: x\n");
        assert!(apply(&c, &mut acc).is_err());
    }
}
