//! Promoting everything: B's overlay is made to render like A's by taking
//! A's overlay files, while B keeps what makes it its own environment —
//! its namespace and name prefix/suffix, and its name where A's files
//! spell A's (`ENV: staging-eu` stays `ENV: prod-eu`) — plus whatever the
//! user declared B's own (`--keep`). References that leave the overlay
//! (`../base`) are rewritten when the two overlays sit at different depths.
//! Whatever still differs afterwards is reported, not hidden.

use super::edit::{keep_line_endings, Edits, Source};
use super::files::{kustomization_file, read_text};
use crate::error::{Error, Result};
use crate::fs::{self, Files};
use crate::yaml::{parse_single, Node};
use std::collections::BTreeMap;

/// Fields that make an environment itself; B keeps its own.
pub const IDENTITY_FIELDS: [&str; 3] = ["namespace", "namePrefix", "nameSuffix"];

/// Fields whose entries are paths to other kustomizations or files.
const REFERENCE_FIELDS: [&str; 3] = ["resources", "bases", "components"];

/// What B keeps of its own besides its identity, as `--keep` declared it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keep {
    /// Files or directories relative to the overlays: never copied.
    pub files: Vec<String>,
    /// Top-level fields of the kustomization (`components`): B's stay.
    pub fields: Vec<String>,
}

impl Keep {
    fn file(&self, rel: &str) -> bool {
        self.files.iter().any(|k| rel == k || fs::is_within(&fs::join("/", rel), &fs::join("/", k)))
    }
}

/// Kustomization fields whose values are labels, annotations or literal
/// settings: where an environment's name shows, and where B keeps its own.
const VALUE_FIELDS: [&str; 5] = ["commonLabels", "commonAnnotations", "labels", "configMapGenerator", "secretGenerator"];

pub fn plan(
    files: &dyn Files,
    from: &str,
    to: &str,
    keep: &Keep,
    out: &mut BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let a_k = kustomization_file(files, from).ok_or_else(|| Error::new(format!("{} has no kustomization file", from)))?;
    let b_k = kustomization_file(files, to).ok_or_else(|| Error::new(format!("{} has no kustomization file", to)))?;
    let names = Names::of(from, to);
    let mut renamed: Vec<String> = Vec::new();
    let a_files = list_files(files, from);
    for path in &a_files {
        let rel = fs::relative(path, from);
        let text = read_text(files, path)?.unwrap_or_default();
        if *path == a_k && (keep.file(&rel) || keep.file(fs::file_name(&b_k))) {
            notes.push(format!("{} is kept as it is (--keep)", fs::file_name(&b_k)));
        } else if *path == a_k {
            let b_text = read_text(files, &b_k)?.unwrap_or_default();
            let (text, lines) = kustomization(&a_k, &text, from, &b_k, &b_text, to, keep, names.as_ref())?;
            // Its lines move with B's kept fields: the file is named alone.
            if !lines.is_empty() {
                renamed.push(fs::file_name(&b_k).to_string());
            }
            out.insert(b_k.clone(), text);
        } else if keep.file(&rel) {
            notes.push(format!("{} is kept as it is (--keep)", rel));
        } else {
            let text = match &names {
                Some(n) => {
                    let (text, lines) = rename_in_file(path, &text, n);
                    renamed.extend(lines.iter().map(|l| format!("{}:{}", rel, l)));
                    text
                }
                None => text,
            };
            out.insert(fs::join(to, &rel), text);
        }
    }
    if let (Some(n), false) = (&names, renamed.is_empty()) {
        notes.push(format!("kept the environment's name `{}` (not `{}`) in {}", n.b, n.a, renamed.join(", ")));
    }
    for path in list_files(files, to) {
        let rel = fs::relative(&path, to);
        if path != b_k && !a_files.iter().any(|p| fs::relative(p, from) == rel) {
            notes.push(format!("{} only exists in {}; left as it is", rel, to));
        }
    }
    Ok(())
}

/// The two environments' names (their directories' names). Matching is by
/// whole token (`replace_token`), so even a two-letter name like `qa` is
/// found only where it stands alone (`qa`, `app.qa.example.com`), never
/// inside a word; a single letter is too likely to be something else.
#[derive(Clone, Debug)]
struct Names {
    a: String,
    b: String,
}

impl Names {
    fn of(from: &str, to: &str) -> Option<Names> {
        let (a, b) = (fs::file_name(from), fs::file_name(to));
        (a != b && a.len() >= 2 && !b.is_empty()).then(|| Names { a: a.to_string(), b: b.to_string() })
    }
}

/// `text` with each whole-token `a` replaced by `b`: tokens end at
/// anything but a letter or digit, so `staging-eu` is found in
/// `app.staging-eu.example.com` but not in `staging-europe`.
pub fn replace_token(text: &str, a: &str, b: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    for (i, _) in text.match_indices(a) {
        let end = i + a.len();
        let free = |j: Option<&u8>| j.is_none_or(|c| !c.is_ascii_alphanumeric());
        if i < last || !free(i.checked_sub(1).and_then(|j| bytes.get(j))) || !free(bytes.get(end)) {
            continue;
        }
        out.push_str(&text[last..i]);
        out.push_str(b);
        last = end;
    }
    (last > 0).then(|| out + &text[last..])
}

/// A's name replaced by B's in a file's values: the one-line scalars of a
/// YAML file (never keys, never values of several lines), or the values
/// of a `KEY=value` env file. Returns the
/// text and the lines changed.
fn rename_in_file(path: &str, text: &str, n: &Names) -> (String, Vec<usize>) {
    if !text.contains(n.a.as_str()) {
        return (text.to_string(), Vec::new());
    }
    if let Ok(docs) = crate::yaml::parse_documents(path, text) {
        let src = Source::new(text);
        let mut edits = Edits::new();
        let mut lines = Vec::new();
        for d in &docs {
            rename_values(&src, d, n, &mut edits, &mut lines);
        }
        return (keep_line_endings(text, edits.apply(text)), lines);
    }
    if path.ends_with(".env") || path.ends_with(".properties") {
        let mut lines = Vec::new();
        let out: Vec<String> = text
            .split_inclusive('\n')
            .enumerate()
            .map(|(i, line)| match line.split_once('=') {
                Some((k, v)) if !line.trim_start().starts_with('#') => match replace_token(v, &n.a, &n.b) {
                    Some(v) => {
                        lines.push(i + 1);
                        format!("{}={}", k, v)
                    }
                    None => line.to_string(),
                },
                _ => line.to_string(),
            })
            .collect();
        return (out.concat(), lines);
    }
    (text.to_string(), Vec::new())
}

/// Edits that put B's name for A's in the values under `node`.
fn rename_values(src: &Source, node: &Node, n: &Names, edits: &mut Edits, lines: &mut Vec<usize>) {
    if let Some(entries) = node.as_map() {
        for (_, v) in entries {
            rename_values(src, v, n, edits, lines);
        }
    } else if let Some(items) = node.as_seq() {
        for i in items {
            rename_values(src, i, n, edits, lines);
        }
    } else if node.as_str().is_some_and(|s| s.contains(n.a.as_str()) && !s.contains('\n')) {
        // A value of several lines is a block scalar, whose text an edit of
        // one line would only partly cover: left as written.
        let Some(range) = src.scalar_range(node) else { return };
        if let Some(new) = replace_token(&src.text[range.clone()], &n.a, &n.b) {
            edits.replace(range, new);
            lines.push(node.span.line as usize);
        }
    }
}

/// Every file below `dir`.
fn list_files(files: &dyn Files, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_string()];
    while let Some(d) = stack.pop() {
        for name in files.list(&d) {
            let p = fs::join(&d, &name);
            if files.is_dir(&p) {
                if !name.starts_with('.') {
                    stack.push(p);
                }
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A's kustomization text with B's identity fields, B's kept fields, B's
/// name in label and literal values, and references out of the overlay
/// rewritten for B's place; and the lines where B's name was put.
#[allow(clippy::too_many_arguments)]
fn kustomization(
    a_file: &str,
    a_text: &str,
    from: &str,
    b_file: &str,
    b_text: &str,
    to: &str,
    keep: &Keep,
    names: Option<&Names>,
) -> Result<(String, Vec<usize>)> {
    let empty = Node::map(Default::default());
    let a_doc = parse_single(a_file, a_text)?.unwrap_or_else(|| empty.clone());
    let b_doc = parse_single(b_file, b_text)?.unwrap_or(empty);
    let (a_src, b_src) = (Source::new(a_text), Source::new(b_text));
    let entry = |doc: &Node, key: &str| -> Option<(Node, Node)> { doc.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).cloned() };
    let mut edits = Edits::new();
    for field in IDENTITY_FIELDS {
        match (entry(&a_doc, field), entry(&b_doc, field)) {
            (Some((_, av)), Some((_, bv))) if av.as_str() != bv.as_str() => {
                let (ar, br) = (a_src.scalar_range(&av), b_src.scalar_range(&bv));
                match (ar, br) {
                    (Some(ar), Some(br)) => edits.replace(ar, &b_text[br]),
                    _ => return Err(Error::at(&av.span, format!("{}: expected a one-line value", field))),
                }
            }
            (Some((ak, _)), None) => {
                let line = ak.span.line as usize;
                edits.replace(a_src.line_start(line)..a_src.after_line(line), "");
            }
            (None, Some((bk, _))) => {
                // B's own line, comment and all, after A's `kind:` (or first).
                let line = b_src.line(bk.span.line as usize);
                let at = match entry(&a_doc, "kind") {
                    Some((k, _)) => a_src.after_line(k.span.line as usize),
                    None => 0,
                };
                edits.insert(at, format!("{}\n", line));
            }
            _ => {}
        }
    }
    // Kept fields first: a block replaced whole wins over edits inside it.
    for field in &keep.fields {
        let block = |src: &Source, doc: &Node| -> Option<std::ops::Range<usize>> {
            let (k, _) = entry(doc, field)?;
            let line = k.span.line as usize;
            Some(src.line_start(line)..src.after_line(src.block_last_line(line, src.column(&k.span), true)))
        };
        match (block(&a_src, &a_doc), block(&b_src, &b_doc)) {
            (Some(a), Some(b)) => edits.replace(a, with_newline(&b_text[b])),
            (Some(a), None) => edits.replace(a, ""),
            (None, Some(b)) => {
                let lead = if a_text.is_empty() || a_text.ends_with('\n') { "" } else { "\n" };
                edits.insert(a_text.len(), format!("{}{}", lead, with_newline(&b_text[b])));
            }
            (None, None) => {}
        }
    }
    let mut renamed = Vec::new();
    if let Some(n) = names {
        for field in VALUE_FIELDS {
            let Some((_, v)) = entry(&a_doc, field) else { continue };
            if keep.fields.iter().any(|f| f == field) {
                continue;
            }
            match field {
                // Generators: only their literals are values; names and files are not.
                "configMapGenerator" | "secretGenerator" => {
                    for g in v.as_seq().into_iter().flatten() {
                        if let Some(l) = g.get("literals") {
                            rename_values(&a_src, l, n, &mut edits, &mut renamed);
                        }
                    }
                }
                _ => rename_values(&a_src, &v, n, &mut edits, &mut renamed),
            }
        }
    }
    for field in REFERENCE_FIELDS {
        let Some((_, list)) = entry(&a_doc, field) else { continue };
        for item in list.as_seq().into_iter().flatten() {
            let Some(r) = item.as_str() else { continue };
            if r.contains("://") || r.starts_with("github.com/") || r.starts_with("git@") {
                continue;
            }
            let target = fs::join(from, r);
            if fs::is_within(&target, from) {
                continue; // moves with the overlay
            }
            let moved = fs::relative(&target, to);
            if moved != r {
                if let Some(range) = a_src.scalar_range(item) {
                    edits.replace(range, moved);
                }
            }
        }
    }
    Ok((keep_line_endings(b_text, edits.apply(a_text)), renamed))
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{}\n", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    #[test]
    fn b_takes_a_files_but_keeps_its_namespace() {
        let mut fs = MemFs::new();
        fs.insert("apps/staging/kustomization.yaml", "kind: Kustomization\nnamespace: staging\nnamePrefix: stg-\nresources:\n- ../base\n- extra.yaml\npatches:\n- path: patch.yaml\n");
        fs.insert("apps/staging/patch.yaml", "replicas: 2\n");
        fs.insert("apps/staging/extra.yaml", "kind: ConfigMap\n");
        fs.insert(
            "deep/envs/prod/kustomization.yaml",
            "# prod\nnamespace: production # here\nnameSuffix: -p\nresources:\n- ../../../apps/base\n",
        );
        fs.insert("deep/envs/prod/old.yaml", "x\n");
        let mut out = BTreeMap::new();
        let mut notes = Vec::new();
        plan(&fs, "/apps/staging", "/deep/envs/prod", &Keep::default(), &mut out, &mut notes).unwrap();
        assert_eq!(
            out["/deep/envs/prod/kustomization.yaml"],
            "kind: Kustomization\nnameSuffix: -p\nnamespace: production\nresources:\n- ../../../apps/base\n- extra.yaml\npatches:\n- path: patch.yaml\n"
        );
        assert_eq!(out["/deep/envs/prod/patch.yaml"], "replicas: 2\n");
        assert_eq!(notes, vec!["old.yaml only exists in /deep/envs/prod; left as it is"]);
    }

    #[test]
    fn b_keeps_its_name_in_values_and_what_it_declares_its_own() {
        let mut fs = MemFs::new();
        fs.insert(
            "/envs/staging-eu/kustomization.yaml",
            "namespace: staging\ncommonLabels:\n  env: staging-eu\ncomponents:\n- ../../variants/non-prod\nresources:\n- ../../base\nconfigMapGenerator:\n- name: staging-eu-settings\n  literals:\n  - HOST=app.staging-eu.example.com\n",
        );
        fs.insert("/envs/staging-eu/deploy.yaml", "kind: Deployment\nmetadata:\n  name: web\n  labels: {env: staging-eu, staging-eu: key}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - env:\n        - {name: ENV, value: \"staging-eu\"}\n        - {name: OTHER, value: staging-europe}\n        - name: NOTE\n          value: |\n            staging-eu\n");
        fs.insert("/envs/staging-eu/app.env", "ENV=staging-eu\n# staging-eu\n");
        fs.insert("/envs/staging-eu/replicas.yaml", "replicas: 3\n");
        fs.insert(
            "/envs/prod-eu/kustomization.yaml",
            "namespace: prod\ncomponents:\n- ../../variants/prod\n- ../../variants/eu\nresources:\n- ../../base\n",
        );
        fs.insert("/envs/prod-eu/replicas.yaml", "replicas: 8\n");
        let keep = Keep { files: vec!["replicas.yaml".into()], fields: vec!["components".into()] };
        let mut out = BTreeMap::new();
        let mut notes = Vec::new();
        plan(&fs, "/envs/staging-eu", "/envs/prod-eu", &keep, &mut out, &mut notes).unwrap();
        assert_eq!(
            out["/envs/prod-eu/kustomization.yaml"],
            "namespace: prod\ncommonLabels:\n  env: prod-eu\ncomponents:\n- ../../variants/prod\n- ../../variants/eu\nresources:\n- ../../base\nconfigMapGenerator:\n- name: staging-eu-settings\n  literals:\n  - HOST=app.prod-eu.example.com\n"
        );
        // Values only: keys, other words and block scalars stay as written.
        assert_eq!(
            out["/envs/prod-eu/deploy.yaml"],
            "kind: Deployment\nmetadata:\n  name: web\n  labels: {env: prod-eu, staging-eu: key}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - env:\n        - {name: ENV, value: \"prod-eu\"}\n        - {name: OTHER, value: staging-europe}\n        - name: NOTE\n          value: |\n            staging-eu\n"
        );
        assert_eq!(out["/envs/prod-eu/app.env"], "ENV=prod-eu\n# staging-eu\n");
        assert!(!out.contains_key("/envs/prod-eu/replicas.yaml"), "kept: not promoted");
        assert_eq!(
            notes,
            vec![
                "replicas.yaml is kept as it is (--keep)",
                "kept the environment's name `prod-eu` (not `staging-eu`) in app.env:1, deploy.yaml:4, deploy.yaml:11, kustomization.yaml",
            ]
        );
    }

    #[test]
    fn tokens() {
        assert_eq!(replace_token("app.staging.example.com", "staging", "prod").as_deref(), Some("app.prod.example.com"));
        assert_eq!(replace_token("staging2.paypal.com", "staging", "prod"), None);
        assert_eq!(replace_token("staging-eu", "staging-eu", "prod-eu").as_deref(), Some("prod-eu"));
        assert_eq!(replace_token("x-staging-eu-y staging-eu", "staging-eu", "p").as_deref(), Some("x-p-y p"));
        assert_eq!(replace_token("app.qa.example.com", "qa", "staging-us").as_deref(), Some("app.staging-us.example.com"));
        assert_eq!(replace_token("aqua", "qa", "x"), None);
        assert!(Names::of("/envs/qa", "/envs/staging-us").is_some() && Names::of("/envs/a", "/envs/b").is_none());
    }
}
