//! Promoting everything: B's overlay is made to render like A's by taking
//! A's overlay files, while B keeps what makes it its own environment —
//! its namespace and name prefix/suffix. References that leave the overlay
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

pub fn plan(files: &dyn Files, from: &str, to: &str, out: &mut BTreeMap<String, String>, notes: &mut Vec<String>) -> Result<()> {
    let a_k = kustomization_file(files, from).ok_or_else(|| Error::new(format!("{} has no kustomization file", from)))?;
    let b_k = kustomization_file(files, to).ok_or_else(|| Error::new(format!("{} has no kustomization file", to)))?;
    let a_files = list_files(files, from);
    for path in &a_files {
        let rel = fs::relative(path, from);
        let text = read_text(files, path)?.unwrap_or_default();
        if *path == a_k {
            let b_text = read_text(files, &b_k)?.unwrap_or_default();
            out.insert(b_k.clone(), kustomization(&a_k, &text, from, &b_k, &b_text, to)?);
        } else {
            out.insert(fs::join(to, &rel), text);
        }
    }
    for path in list_files(files, to) {
        let rel = fs::relative(&path, to);
        if path != b_k && !a_files.iter().any(|p| fs::relative(p, from) == rel) {
            notes.push(format!("{} only exists in {}; left as it is", rel, to));
        }
    }
    Ok(())
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

/// A's kustomization text with B's identity fields and with references
/// out of the overlay rewritten for B's place.
fn kustomization(a_file: &str, a_text: &str, from: &str, b_file: &str, b_text: &str, to: &str) -> Result<String> {
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
    Ok(keep_line_endings(b_text, edits.apply(a_text)))
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
        fs.insert("deep/envs/prod/kustomization.yaml", "# prod\nnamespace: production # here\nnameSuffix: -p\nresources:\n- ../../../apps/base\n");
        fs.insert("deep/envs/prod/old.yaml", "x\n");
        let mut out = BTreeMap::new();
        let mut notes = Vec::new();
        plan(&fs, "/apps/staging", "/deep/envs/prod", &mut out, &mut notes).unwrap();
        assert_eq!(
            out["/deep/envs/prod/kustomization.yaml"],
            "kind: Kustomization\nnameSuffix: -p\nnamespace: production\nresources:\n- ../../../apps/base\n- extra.yaml\npatches:\n- path: patch.yaml\n"
        );
        assert_eq!(out["/deep/envs/prod/patch.yaml"], "replicas: 2\n");
        assert_eq!(notes, vec!["old.yaml only exists in /deep/envs/prod; left as it is"]);
    }
}
