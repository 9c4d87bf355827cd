//! The kustomization.yaml the controller builds (fluxcd/pkg
//! kustomize/kustomize_generator.go): the one at `spec.path`, or one it
//! generates when there is none, with the Kustomization's overrides
//! written into that same top-level file.
//!
//! Overrides are appended to the user's text as later duplicate keys (the
//! kustomization reader lets a later key win), so every line the user wrote
//! keeps its line number in error messages.

use super::kustomization::FluxKustomization;
use crate::error::{Error, Result};
use crate::fs::{self, Files};
use crate::kustomize::kustomization;
use crate::kustomize::loader::read_resource_file;
use crate::yaml::{Kind, Node, Span, Value};

/// The top-level kustomization file as the controller writes it.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Where it lives: the existing file's path, or `<dir>/kustomization.yaml`.
    pub file: String,
    pub text: String,
    /// True when the directory had no kustomization file.
    pub created: bool,
    /// Fields of the user's file the controller drops (where they were,
    /// and their name): it reads the file leniently before rewriting it,
    /// where `kubectl kustomize` rejects unknown fields.
    pub ignored: Vec<(Span, String)>,
}

/// The file for `dir`; `ks` brings the overrides (none for a cluster
/// directory applied as it is).
pub fn kustomization_for(files: &dyn Files, dir: &str, ks: Option<&FluxKustomization>) -> Result<Generated> {
    let mut ignored = Vec::new();
    let (file, mut text, created) = match kustomization::find_file(files, dir)? {
        Some(file) => {
            let bytes = files.read(&file).unwrap_or_default();
            let text = String::from_utf8(bytes.into_owned())
                .map_err(|_| Error::in_file(&file, "invalid Kustomization: the file is not UTF-8 text"))?;
            let text = drop_unknown_fields(&file, text, &mut ignored);
            (file, text, false)
        }
        None => (fs::join(dir, "kustomization.yaml"), generated_text(files, dir)?, true),
    };
    // An existing kustomization without resources gets
    // `buildMetadata: [originAnnotations]`, which the controller adds so that
    // kustomize never finds it empty (and which annotates every object).
    let no_resources = !created
        && kustomization::parse(&file, &text)
            .map(|k| k.node.get("resources").and_then(|r| r.as_seq()).is_none_or(|r| r.is_empty()))
            .unwrap_or(false);
    let overrides = ks.filter(|k| k.has_overrides());
    if overrides.is_some() || no_resources {
        let current = if created { None } else { Some(kustomization::parse(&file, &text)?) };
        let mut lines = match overrides {
            Some(ks) => override_lines(files, dir, ks, current.as_ref().map(|k| &k.node))?,
            None => String::new(),
        };
        if no_resources && overrides.is_none_or(|k| k.build_metadata.is_empty()) {
            lines.push_str("buildMetadata: [\"originAnnotations\"]\n");
        }
        let appendable = current.as_ref().is_none_or(|k| is_block_mapping(&text, &k.node));
        if appendable {
            if !text.ends_with('\n') && !text.is_empty() {
                text.push('\n');
            }
            match overrides {
                Some(ks) => text.push_str(&format!("# written by Flux for Kustomization {}\n", ks.key)),
                None => text.push_str("# written by Flux\n"),
            }
            text.push_str(&lines);
        } else {
            // A flow-style or indented file cannot take appended keys:
            // rewrite it as JSON, which YAML reads as well.
            let mut node = current.map(|k| k.node).unwrap_or_else(|| Node::map(Span::file(&file)));
            let extra = crate::yaml::parse_documents(&file, &lines)?;
            if let Some(m) = extra.first().and_then(|n| n.as_map()) {
                for (k, v) in m {
                    node.set(k.as_str().unwrap_or(""), v.clone());
                }
            }
            text = to_json(&node);
        }
    }
    Ok(Generated { file, text, created, ignored })
}

/// The controller decodes the file into kustomize's Go type without strict
/// field checks and writes it back, so a misspelt field just disappears.
/// Drop each one the strict reader rejects, and remember it.
fn drop_unknown_fields(file: &str, mut text: String, ignored: &mut Vec<(Span, String)>) -> String {
    for _ in 0..64 {
        let Err(e) = kustomization::parse(file, &text) else { break };
        let Some(name) = e.message.split("unknown field \"").nth(1).and_then(|r| r.split('"').next()) else { break };
        let Some(span) = e.span.clone() else { break };
        let blanked = blank_entry(&text, &span).or_else(|| {
            // The key shares its line with a `- `: rewrite the file as JSON.
            let limits = crate::yaml::parse::Limits { allow_duplicate_keys: true, ..Default::default() };
            let mut node = crate::yaml::parse::parse_with(file, &text, limits).ok()?.pop()?;
            remove_key_at(&mut node, &span).then(|| to_json(&node))
        });
        let Some(next) = blanked else { break };
        text = next;
        ignored.push((span, name.to_string()));
    }
    text
}

/// Blanks the lines of the block mapping entry whose key starts a line at
/// `span` (the key, and its value's deeper lines or same-level `- ` items),
/// so that every other line keeps its number.
fn blank_entry(text: &str, span: &Span) -> Option<String> {
    let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
    let start = (span.line as usize).checked_sub(1)?;
    let col = (span.col as usize).checked_sub(1)?;
    let first = lines.get(start)?;
    if first.chars().take(col).any(|c| c != ' ') {
        return None;
    }
    let mut end = start + 1;
    while let Some(l) = lines.get(end) {
        let body = l.trim_start_matches(' ');
        let indent = l.len() - body.len();
        let deeper = indent > col || (indent == col && (body.starts_with("- ") || body == "-"));
        if body.is_empty() || body.starts_with('#') || deeper {
            end += 1;
        } else {
            break;
        }
    }
    for l in &mut lines[start..end] {
        l.clear();
    }
    Some(lines.join("\n"))
}

/// Removes the mapping entry whose key was written at `span`.
fn remove_key_at(node: &mut Node, span: &Span) -> bool {
    match &mut node.value {
        Value::Map(entries) => {
            if let Some(i) = entries.iter().position(|(k, _)| k.span.line == span.line && k.span.col == span.col) {
                entries.remove(i);
                return true;
            }
            entries.iter_mut().any(|(_, v)| remove_key_at(v, span))
        }
        Value::Seq(items) => items.iter_mut().any(|i| remove_key_at(i, span)),
        Value::Scalar(_) => false,
    }
}

/// Flux's generated kustomization: every manifest below `dir`, with
/// directories that have their own kustomization taken whole.
fn generated_text(files: &dyn Files, dir: &str) -> Result<String> {
    let mut resources = Vec::new();
    scan(files, dir, dir, &mut resources, 0)?;
    let mut text = String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    if resources.is_empty() {
        // What Flux does to avoid kustomize's "kustomization.yaml is empty".
        text.push_str("namespace: _placeholder\n");
    } else {
        text.push_str("resources:\n");
        for r in resources {
            text.push_str(&format!("- {}\n", json_string(&r)));
        }
    }
    Ok(text)
}

fn scan(files: &dyn Files, base: &str, dir: &str, out: &mut Vec<String>, depth: usize) -> Result<()> {
    if depth > 64 {
        return Ok(());
    }
    for name in files.list(dir) {
        let path = fs::join(dir, &name);
        let rel = format!("./{}", fs::relative(&path, base));
        if files.is_dir(&path) {
            if kustomization::find_file(files, &path).ok().flatten().is_some() {
                out.push(rel);
            } else {
                scan(files, base, &path, out, depth + 1)?;
            }
            continue;
        }
        if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let bytes = files.read(&path).unwrap_or_default();
        read_resource_file(&path, &bytes)
            .map_err(|e| Error { message: format!("failed to decode Kubernetes YAML from {}: {}", path, e.message), ..e })?;
        out.push(rel);
    }
    Ok(())
}

/// The keys the controller sets, as YAML lines of JSON values.
fn override_lines(files: &dyn Files, dir: &str, ks: &FluxKustomization, current: Option<&Node>) -> Result<String> {
    let mut out = String::new();
    let existing = |key: &str| -> Vec<Node> { current.and_then(|n| n.get(key)).and_then(|n| n.as_seq()).cloned().unwrap_or_default() };
    if let Some(ns) = &ks.target_namespace {
        out.push_str(&format!("namespace: {}\n", json_string(ns)));
    }
    if let Some(p) = &ks.name_prefix {
        out.push_str(&format!("namePrefix: {}\n", json_string(p)));
    }
    if let Some(s) = &ks.name_suffix {
        out.push_str(&format!("nameSuffix: {}\n", json_string(s)));
    }
    if !ks.patches.is_empty() {
        // Flux's patches come after the user's, in the same transformer.
        let mut items: Vec<String> = existing("patches").iter().map(to_json).collect();
        for p in &ks.patches {
            // Flux's Patch carries the patch text and a Selector, nothing else.
            let mut patch = Node::map(p.span.clone());
            patch.set("patch", p.get("patch").filter(|v| !v.is_null()).cloned().unwrap_or_else(|| Node::string("", p.span.clone())));
            if let Some(t) = p.get("target").filter(|t| t.is_map()) {
                patch
                    .set("target", only_node(t, &["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"]));
            }
            items.push(to_json(&patch));
        }
        out.push_str(&format!("patches: [{}]\n", items.join(", ")));
    }
    if !ks.components.is_empty() {
        let mut items: Vec<String> = existing("components").iter().map(to_json).collect();
        for c in &ks.components {
            if !is_local_relative(c) {
                return Err(Error::at(&ks.span_of("components"), format!("component path '{}' must be local and relative", c)));
            }
            if ks.ignore_missing_components && !files.exists(&fs::join(dir, c)) {
                continue;
            }
            items.push(json_string(c));
        }
        out.push_str(&format!("components: [{}]\n", items.join(", ")));
    }
    if !ks.build_metadata.is_empty() {
        let items: Vec<String> = ks.build_metadata.iter().map(|b| json_string(b)).collect();
        out.push_str(&format!("buildMetadata: [{}]\n", items.join(", ")));
    }
    if !ks.images.is_empty() {
        let mut images = existing("images");
        for img in &ks.images {
            let name = img.get_str("name").unwrap_or("");
            match images.iter_mut().find(|i| i.get_str("name") == Some(name)) {
                Some(slot) => {
                    // newTag and digest choose the version together: setting
                    // one clears the other, so no stale digest outlives a tag.
                    if let Some(n) = img.get("newName").filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) {
                        slot.set("newName", n.clone());
                    }
                    let tag = img.get_str("newTag").unwrap_or("");
                    let digest = img.get_str("digest").unwrap_or("");
                    if !tag.is_empty() || !digest.is_empty() {
                        slot.remove("newTag");
                        slot.remove("digest");
                        if !tag.is_empty() {
                            slot.set("newTag", Node::string(tag, img.span.clone()));
                        }
                        if !digest.is_empty() {
                            slot.set("digest", Node::string(digest, img.span.clone()));
                        }
                    }
                }
                // A new entry takes only the fields Flux's Image has.
                None => images.push(only_node(img, &["name", "newName", "newTag", "digest"])),
            }
        }
        let items: Vec<String> = images.iter().map(|i| only_keys(i, &["name", "newName", "tagSuffix", "newTag", "digest"])).collect();
        out.push_str(&format!("images: [{}]\n", items.join(", ")));
    }
    Ok(out)
}

/// kustomize's notion of a local path (no git or http URL, not absolute).
fn is_local_relative(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let remote = ["git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"]
        .iter()
        .any(|p| p.len() < lower.len() && lower.starts_with(p));
    !remote && !path.starts_with('/') && !lower.trim_start_matches("file://").starts_with('/')
}

/// A top-level block mapping at column 1 with no document markers after
/// its start: appended keys then extend it.
fn is_block_mapping(text: &str, node: &Node) -> bool {
    let first_key_col = node.as_map().and_then(|m| m.first()).map(|(k, _)| k.span.col);
    let starts_flow = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).is_some_and(|l| l.starts_with('{'));
    let markers = text.lines().skip_while(|l| l.trim().is_empty() || l.starts_with('#') || *l == "---").any(|l| l == "---" || l == "...");
    first_key_col == Some(1) && !starts_flow && !markers
}

fn only_keys(node: &Node, keys: &[&str]) -> String {
    to_json(&only_node(node, keys))
}

/// The map with only `keys`, as a Go struct with those fields keeps it.
fn only_node(node: &Node, keys: &[&str]) -> Node {
    let mut m = Node::map(node.span.clone());
    for k in keys {
        if let Some(v) = node.get(k).filter(|v| !v.is_null()) {
            m.set(k, v.clone());
        }
    }
    m
}

pub fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A node as JSON text, which any YAML reader accepts.
pub fn to_json(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => match s.kind {
            Kind::Str | Kind::Timestamp => json_string(&s.text),
            Kind::Null => "null".to_string(),
            Kind::Bool => matches!(s.text.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "y").to_string(),
            Kind::Int => match crate::yaml::parse::parse_go_int(&s.text.replace('_', "")) {
                Some(n) => n.to_string(),
                None => json_string(&s.text),
            },
            Kind::Float => match s.text.parse::<f64>() {
                Ok(f) if f.is_finite() => s.text.clone(),
                _ => json_string(&s.text),
            },
        },
        Value::Seq(items) => format!("[{}]", items.iter().map(to_json).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", json_string(k.as_str().unwrap_or("")), to_json(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;
    use crate::yaml::parse_documents;

    fn ks(spec: &str) -> FluxKustomization {
        let text = format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n{}",
            spec
        );
        FluxKustomization::from_node(&parse_documents("/c/apps.yaml", &text).unwrap()[0], "default").unwrap()
    }

    #[test]
    fn generates_a_kustomization_for_a_plain_directory() {
        let mut fs = MemFs::new();
        fs.insert("/c/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
        fs.insert("/c/a.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
        fs.insert("/c/notes.txt", "x");
        fs.insert("/c/sub/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
        fs.insert("/c/base/kustomization.yaml", "resources: [y.yaml]\n");
        fs.insert("/c/base/y.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n");
        let g = kustomization_for(&fs, "/c", Some(&ks("  prune: true\n"))).unwrap();
        assert!(g.created);
        assert_eq!(g.file, "/c/kustomization.yaml");
        assert!(g.text.ends_with("resources:\n- \"./a.yml\"\n- \"./b.yaml\"\n- \"./base\"\n- \"./sub/x.yaml\"\n"), "{}", g.text);
    }

    #[test]
    fn unknown_fields_are_dropped_as_the_controller_drops_them() {
        let mut fs = MemFs::new();
        fs.insert(
            "/c/kustomization.yaml",
            "resources: [a.yaml]\npatchs:\n- path: p.yaml\nimages:\n- name: x\n  newTag: \"1\"\n  tagg: y\n",
        );
        let g = kustomization_for(&fs, "/c", None).unwrap();
        let names: Vec<(u32, &str)> = g.ignored.iter().map(|(s, n)| (s.line, n.as_str())).collect();
        assert_eq!(names, vec![(2, "patchs"), (7, "tagg")]);
        let k = kustomization::parse(&g.file, &g.text).unwrap();
        assert_eq!(k.field("images").unwrap().as_seq().unwrap()[0].get_str("newTag"), Some("1"));
    }

    #[test]
    fn empty_directory_gets_the_placeholder_namespace() {
        let mut fs = MemFs::new();
        fs.add_dir("/c");
        let g = kustomization_for(&fs, "/c", Some(&ks("  prune: true\n"))).unwrap();
        assert!(g.text.contains("namespace: _placeholder"));
    }

    #[test]
    fn not_kubernetes_yaml_is_an_error() {
        let mut fs = MemFs::new();
        fs.insert("/c/values.yaml", "replicas: 3\n");
        let e = kustomization_for(&fs, "/c", Some(&ks("  prune: true\n"))).unwrap_err();
        assert!(e.message.contains("failed to decode Kubernetes YAML from /c/values.yaml"), "{}", e.message);
    }

    #[test]
    fn overrides_are_written_into_the_users_file() {
        let mut fs = MemFs::new();
        fs.insert(
            "/c/kustomization.yaml",
            "namespace: a\nresources: [d.yaml]\npatches:\n- path: p.yaml\nimages:\n- name: app\n  newTag: \"1\"\n  digest: sha256:0\n",
        );
        let k = ks("  targetNamespace: prod\n  namePrefix: p-\n  patches:\n  - patch: |\n      - op: remove\n        path: /x\n    target:\n      kind: Deployment\n  images:\n  - name: app\n    newTag: \"2\"\n  - name: other\n    newName: o\n");
        let g = kustomization_for(&fs, "/c", Some(&k)).unwrap();
        assert!(!g.created);
        let parsed = kustomization::parse(&g.file, &g.text).unwrap();
        assert_eq!(parsed.string("namespace"), Some("prod"));
        assert_eq!(parsed.string("namePrefix"), Some("p-"));
        let patches = parsed.field("patches").unwrap().as_seq().unwrap();
        assert_eq!(patches.len(), 2);
        assert_eq!(patches[0].get_str("path"), Some("p.yaml"));
        assert_eq!(patches[1].path(&["target", "kind"]).and_then(|n| n.as_str()), Some("Deployment"));
        let images = parsed.field("images").unwrap().as_seq().unwrap();
        assert_eq!(images[0].get_str("newTag"), Some("2"));
        assert!(images[0].get("digest").is_none());
        assert_eq!(images[1].get_str("newName"), Some("o"));
        // The user's lines keep their numbers.
        assert_eq!(parsed.resources[0].span.line, 2);
    }
    fn build_metadata(g: &Generated) -> Vec<String> {
        let k = kustomization::parse(&g.file, &g.text).unwrap();
        k.node
            .get("buildMetadata")
            .and_then(|b| b.as_seq())
            .map(|s| s.iter().filter_map(|n| n.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    // kustomize_generator.go: an existing kustomization with no `resources`
    // gets buildMetadata [originAnnotations], whatever it had, unless the
    // Kustomization sets buildMetadata itself.
    #[test]
    fn origin_annotations_when_the_existing_file_has_no_resources() {
        let mut fs = MemFs::new();
        let gen = "configMapGenerator:\n- name: s\n  literals: [a=b]\n";
        fs.insert("/c/kustomization.yaml", gen);
        let g = kustomization_for(&fs, "/c", None).unwrap();
        assert_eq!(build_metadata(&g), vec!["originAnnotations"]);
        // The user's lines keep their numbers: the key is appended.
        assert!(g.text.starts_with(gen), "{}", g.text);
        fs.insert("/c/kustomization.yaml", format!("resources: []\nbuildMetadata: [managedByLabel]\n{}", gen));
        let g = kustomization_for(&fs, "/c", Some(&ks("  prune: true\n"))).unwrap();
        assert_eq!(build_metadata(&g), vec!["originAnnotations"]);
        let g = kustomization_for(&fs, "/c", Some(&ks("  buildMetadata: [transformerAnnotations]\n"))).unwrap();
        assert_eq!(build_metadata(&g), vec!["transformerAnnotations"]);
        // Deprecated `bases` are not `resources` to the controller's check.
        fs.insert("/c/kustomization.yaml", "bases: [../b]\nresources:\n");
        let g = kustomization_for(&fs, "/c", None).unwrap();
        assert_eq!(build_metadata(&g), vec!["originAnnotations"]);
        // With resources, or when Flux generates the file, nothing is added.
        fs.insert("/c/kustomization.yaml", "resources: [cm.yaml]\n");
        let g = kustomization_for(&fs, "/c", Some(&ks("  prune: true\n"))).unwrap();
        assert_eq!(g.text, "resources: [cm.yaml]\n");
        let mut plain = MemFs::new();
        plain.insert("/c/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
        let g = kustomization_for(&plain, "/c", Some(&ks("  prune: true\n"))).unwrap();
        assert!(g.created && build_metadata(&g).is_empty(), "{}", g.text);
        // A flow-style file is rewritten as JSON with the key.
        fs.insert("/c/kustomization.yaml", "{configMapGenerator: [{name: s, literals: [a=b]}]}\n");
        let g = kustomization_for(&fs, "/c", None).unwrap();
        assert_eq!(build_metadata(&g), vec!["originAnnotations"]);
    }

    // scanManifests walks every file: hidden ones are the artifact's business.
    #[test]
    fn generated_resources_include_hidden_files() {
        let mut fs = MemFs::new();
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
        fs.insert("/c/.hidden.yaml", cm);
        fs.insert("/c/.d/x.yml", cm);
        fs.insert("/c/a.yaml", cm);
        let g = kustomization_for(&fs, "/c", None).unwrap();
        assert!(g.text.ends_with("resources:\n- \"./.d/x.yml\"\n- \"./.hidden.yaml\"\n- \"./a.yaml\"\n"), "{}", g.text);
    }

    #[test]
    fn overrides_keep_to_the_fields_flux_has() {
        let mut fs = MemFs::new();
        fs.insert(
            "/c/kustomization.yaml",
            "namespace: a\nnamePrefix: p-\nresources: [d.yaml]\nimages:\n- name: app\n  tagSuffix: -x\n  newTag: \"1\"\n",
        );
        let k = ks("  targetNamespace: \"\"\n  namePrefix: \"\"\n  patches:\n  - patch: x\n    target:\n      kind: Deployment\n      extra: 1\n  images:\n  - name: app\n    newName: n\n  - name: other\n    newTag: \"2\"\n");
        let g = kustomization_for(&fs, "/c", Some(&k)).unwrap();
        let parsed = kustomization::parse(&g.file, &g.text).unwrap();
        // Set but empty: the controller clears the kustomization's own value.
        assert_eq!(parsed.field("namespace").and_then(|n| n.as_str()), Some(""));
        assert_eq!(parsed.field("namePrefix").and_then(|n| n.as_str()), Some(""));
        let target = parsed.field("patches").unwrap().as_seq().unwrap()[0].get("target").unwrap().clone();
        assert_eq!(to_json(&target), "{\"kind\": \"Deployment\"}");
        let images = parsed.field("images").unwrap().as_seq().unwrap();
        assert_eq!(to_json(&images[0]), "{\"name\": \"app\", \"newName\": \"n\", \"tagSuffix\": \"-x\", \"newTag\": \"1\"}");
        assert_eq!(to_json(&images[1]), "{\"name\": \"other\", \"newTag\": \"2\"}");
    }
}
