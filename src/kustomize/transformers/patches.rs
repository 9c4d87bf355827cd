//! `patchesStrategicMerge`, `patches` and `patchesJson6902`: load each patch,
//! tell strategic-merge from JSON 6902 as kustomize does, find its targets and
//! apply it (api/internal/builtins/Patch*Transformer.go).

use crate::error::{Error, Result};
use crate::kustomize::accumulator::{Accumulator, PatchMatch};
use crate::kustomize::aliases;
use crate::kustomize::kustomization::Kustomization;
use crate::kustomize::loader::{read_resource_file, Loader};
use crate::kustomize::patch::{json6902, schema::Schema, smp};
use crate::kustomize::resmap::{Behavior, ResMap, Resource};
use crate::kustomize::selector::Selector;
use crate::kustomize::trace::StepKind;
use crate::yaml::{parse_documents, Node, Span, Style, Value};

/// A loaded patch: its text, where it came from, and how to read it.
struct Source {
    text: String,
    /// The text as kustomize reads it: a patch file's is not trimmed.
    raw: String,
    file: String,
    span: Span,
    /// For an inline patch: where its text sits in the kustomization file,
    /// so that positions inside it are reported where the user wrote them.
    origin: Option<Origin>,
    /// For an inline patch whose text cannot be mapped: the field's span,
    /// given to every node of it, so that no span points at a place the
    /// text is not.
    pin: Option<Span>,
}

/// Line and column offsets from a position in an inline patch's own text to
/// the same character in the kustomization file.
#[derive(Clone, Copy)]
struct Origin {
    lines: u32,
    cols: u32,
}

impl Origin {
    /// Where `text` (the trimmed value of `node`) starts in `source`, the
    /// kustomization file's text. Block scalars (`patch: |`), the usual way
    /// to write one, map exactly; a one-line value maps from its first
    /// character. Other shapes (multi-line quoted or plain) have no exact
    /// mapping and keep the position of the field.
    fn of(node: &Node, value: &str, source: &str) -> Option<Origin> {
        let scalar = node.as_scalar()?;
        let leading_blank_lines = value.len() - value.trim_start().len();
        let skipped = value[..leading_blank_lines].matches('\n').count() as u32;
        match scalar.style {
            Style::Literal | Style::Folded => {
                // Content starts on the line after the `|` or `>` indicator
                // (the span may point at either).
                let at = source.lines().nth(node.span.line.checked_sub(1)? as usize)?;
                let from_col = at.get(node.span.col.saturating_sub(1) as usize..).unwrap_or("");
                let on_indicator = from_col.starts_with('|') || from_col.starts_with('>');
                let first = node.span.line + on_indicator as u32 + skipped;
                let line = source.lines().nth(first.checked_sub(1)? as usize)?;
                let indent = (line.len() - line.trim_start_matches(' ').len()) as u32;
                Some(Origin { lines: first - 1, cols: indent })
            }
            _ if !value.trim().contains('\n') => {
                let quote = matches!(scalar.style, Style::Single | Style::Double) as u32;
                Some(Origin { lines: node.span.line.checked_sub(1)?, cols: node.span.col.checked_sub(1)? + quote })
            }
            _ => None,
        }
    }

    fn span(&self, span: &mut Span) {
        if span.has_position() {
            span.line += self.lines;
            span.col += self.cols;
        }
    }

    fn node(&self, node: &mut Node) {
        self.span(&mut node.span);
        match &mut node.value {
            Value::Scalar(_) => {}
            Value::Seq(items) => items.iter_mut().for_each(|n| self.node(n)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                self.node(k);
                self.node(v);
            }),
        }
    }

    fn error(&self, mut e: Error) -> Error {
        if let Some(span) = e.span.as_mut() {
            self.span(span);
        }
        e
    }
}

/// Gives every node of `node` the span `at`.
pub(crate) fn pin(node: &mut Node, at: &Span) {
    node.span = at.clone();
    match &mut node.value {
        Value::Scalar(_) => {}
        Value::Seq(items) => items.iter_mut().for_each(|n| pin(n, at)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            pin(k, at);
            pin(v, at);
        }),
    }
}

/// Moves the positions of `parsed`, read from the text of the inline scalar
/// `node`, to where that text sits in its file; where that is not known, to
/// `node` itself.
pub(crate) fn place_inline(b: &dyn Loader, node: &Node, parsed: &mut Node) {
    match inline_origin(b, node) {
        Some(o) => o.node(parsed),
        None => pin(parsed, &node.span),
    }
}

fn inline_origin(b: &dyn Loader, node: &Node) -> Option<Origin> {
    let raw = node.as_str().unwrap_or("");
    let file_text = b.files().read(&node.span.file);
    file_text.as_deref().and_then(|t| std::str::from_utf8(t).ok()).and_then(|t| Origin::of(node, raw, t))
}

/// Parsed from an inline patch's text: positions moved to where that text
/// is in the kustomization file, or, where that is not known, to the field.
fn relocate_resources(source: &Source, parsed: Result<Vec<Resource>>) -> Result<Vec<Resource>> {
    match (&source.origin, parsed) {
        (None, Ok(mut list)) if source.pin.is_some() => {
            let at = source.pin.as_ref().unwrap_or(&source.span);
            for r in list.iter_mut() {
                pin(&mut r.node, at);
                r.source = at.clone();
            }
            Ok(list)
        }
        (None, parsed) => parsed,
        (Some(o), Ok(mut list)) => {
            for r in list.iter_mut() {
                o.node(&mut r.node);
                o.span(&mut r.source);
            }
            Ok(list)
        }
        (Some(o), Err(e)) => Err(o.error(e)),
    }
}

enum Parsed {
    Strategic(Vec<Resource>),
    Json(Node),
}

#[derive(Clone, Copy, Default)]
struct Options {
    allow_name_change: bool,
    allow_kind_change: bool,
}

/// `patchesStrategicMerge:` — each entry is a file or an inline patch.
pub fn strategic_merge(b: &dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let Some(list) = k.field("patchesStrategicMerge").and_then(|n| n.as_seq()) else { return Ok(()) };
    let mut patches = Vec::new();
    let mut matches = Vec::new();
    for entry in list {
        let text = entry.as_str().unwrap_or("");
        let inline = read_resource_file(&entry.span.file, text.as_bytes()).ok().filter(|p| !p.is_empty());
        let before = patches.len();
        let file = match inline {
            Some(mut p) => {
                // Parsed from the entry's own text: positions in that text.
                for r in p.iter_mut() {
                    place_inline(b, entry, &mut r.node);
                    r.source = r.node.span.clone();
                }
                patches.extend(p);
                k.file.clone()
            }
            None => {
                let (file, bytes) = b.read_file(k, text.trim(), &entry.span)?;
                patches.extend(read_resource_file(&file, &bytes)?);
                file
            }
        };
        // Each patch without a target matches exactly one resource, or the
        // build fails below.
        matches.push(PatchMatch { file, span: entry.span.clone(), count: patches.len() - before });
    }
    acc.patch_matches.extend(matches);
    if patches.is_empty() {
        return Ok(());
    }
    for patch in patches {
        let target = find_by_id(&acc.resources, &patch)?;
        let count = acc.resources.len();
        apply_strategic(b.schema(), &mut acc.resources, &[target], &patch, Options::default())?;
        b.note_targets(k, StepKind::StrategicMerge, &patch.source, &[target], count, &mut acc.resources);
    }
    Ok(())
}

/// `patches:` — strategic-merge or JSON 6902, with an optional target.
pub fn patches(b: &dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let Some(list) = k.field("patches").and_then(|n| n.as_seq()) else { return Ok(()) };
    for entry in list {
        let source = load(b, k, entry, "patch")?;
        let options = Options { allow_name_change: flag(entry, "allowNameChange"), allow_kind_change: flag(entry, "allowKindChange") };
        let target = entry.get("target").filter(|t| !t.is_null()).map(Selector::from_node);
        let mut matched = PatchMatch { file: source.file.clone(), span: entry.span.clone(), count: 0 };
        match detect(&source)? {
            Parsed::Strategic(patches) if patches.is_empty() => no_patch(&source, target.is_some())?,
            Parsed::Strategic(patches) => match &target {
                Some(sel) => {
                    if patches.len() > 1 {
                        return Err(Error::at(
                            &source.span,
                            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
                        ));
                    }
                    let Some(patch) = patches.into_iter().next() else { continue };
                    let selected = sel.select(&acc.resources)?;
                    matched.count = selected.len();
                    let count = acc.resources.len();
                    apply_strategic(b.schema(), &mut acc.resources, &selected, &patch, options)?;
                    b.note_targets(k, StepKind::StrategicMerge, &patch.source, &selected, count, &mut acc.resources);
                }
                None => {
                    for patch in patches {
                        let target = find_by_id(&acc.resources, &patch)?;
                        matched.count += 1;
                        let count = acc.resources.len();
                        apply_strategic(b.schema(), &mut acc.resources, &[target], &patch, options)?;
                        b.note_targets(k, StepKind::StrategicMerge, &patch.source, &[target], count, &mut acc.resources);
                    }
                }
            },
            Parsed::Json(ops) if ops.as_seq().is_some_and(|s| s.is_empty()) => {
                return Err(Error::at(
                    &source.span,
                    "the patch illegally qualifies as both a strategic-merge and a JSON 6902 patch: it is an empty list",
                ));
            }
            Parsed::Json(ops) => {
                let Some(sel) = &target else {
                    return Err(Error::at(&entry.span, "must specify a target for a JSON 6902 patch (add target: with kind and name)"));
                };
                let selected = sel.select(&acc.resources)?;
                matched.count = selected.len();
                for &i in &selected {
                    let r = &mut acc.resources.resources[i];
                    r.store_previous_id();
                    let internal = internal_annotations(r);
                    json6902::apply_with_internal_annotations(&mut r.node, &ops, &internal).map_err(|e| e.or_at(&source.span))?;
                    aliases::forget(r);
                }
                let count = acc.resources.len();
                b.note_targets(k, StepKind::Json6902, &source.span, &selected, count, &mut acc.resources);
            }
        }
        acc.patch_matches.push(matched);
    }
    Ok(())
}

/// A patch whose text holds no object: kustomize's strategic-merge reading
/// yields nothing, so it treats the text as a JSON 6902 patch, which needs a
/// target and then changes nothing. Text that both readings take as nothing
/// at all (only blank lines, comments or `---`) is refused as both.
fn no_patch(source: &Source, has_target: bool) -> Result<()> {
    let text = source.raw.as_str();
    let objects = parse_documents(&source.file, text).is_ok_and(|d| !d.is_empty());
    if !text.is_empty() && !objects {
        return Err(Error::at(
            &source.span,
            "the patch illegally qualifies as both a strategic-merge and a JSON 6902 patch: it holds no object and no operation (only blank lines, comments or `---`)",
        ));
    }
    if !has_target {
        return Err(Error::at(
            &source.span,
            "must specify a target for JSON patch: the patch is empty, so kustomize reads it as a JSON 6902 patch; add target: or write the patch",
        ));
    }
    if objects {
        return Err(Error::at(&source.span, "the patch holds only empty objects, so kustomize reads it as a JSON 6902 patch, which must be a list of operations: json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
    }
    Ok(())
}

/// `patchesJson6902:` — JSON patches with a required target name.
pub fn json6902(b: &dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let Some(list) = k.field("patchesJson6902").and_then(|n| n.as_seq()) else { return Ok(()) };
    for entry in list {
        let target = entry.get("target").filter(|t| !t.is_null());
        let Some(target) = target.map(Selector::from_node).filter(|s| !s.name.is_empty()) else {
            return Err(Error::at(&entry.span, "must specify the target name"));
        };
        let source = load(b, k, entry, "patch")?;
        let ops = parse_json_ops(&source)?
            .ok_or_else(|| Error::at(&source.span, "unable to parse the JSON 6902 patch: expected a list of operations"))?;
        if ops.as_seq().is_some_and(|s| s.is_empty()) {
            return Err(Error::at(&source.span, "patch appears to be empty"));
        }
        let selected = target.select(&acc.resources)?;
        acc.patch_matches.push(PatchMatch { file: source.file.clone(), span: entry.span.clone(), count: selected.len() });
        for &i in &selected {
            let r = &mut acc.resources.resources[i];
            let internal = internal_annotations(r);
            json6902::apply_with_internal_annotations(&mut r.node, &ops, &internal).map_err(|e| e.or_at(&source.span))?;
            aliases::forget(&mut acc.resources.resources[i]);
        }
        let count = acc.resources.len();
        b.note_targets(k, StepKind::Json6902, &source.span, &selected, count, &mut acc.resources);
    }
    Ok(())
}

fn flag(entry: &Node, name: &str) -> bool {
    entry.path(&["options", name]).and_then(|n| n.as_str()) == Some("true")
}

/// The patch text of an entry: inline `patch:` or the file at `path:`.
fn load(b: &dyn Loader, k: &Kustomization, entry: &Node, inline_key: &str) -> Result<Source> {
    let inline = entry.get(inline_key).and_then(|n| n.as_str()).map(|s| s.trim()).unwrap_or("");
    let path = entry.get_str("path").unwrap_or("");
    match (inline.is_empty(), path.is_empty()) {
        (true, true) => Err(Error::at(&entry.span, "must specify one of patch and path")),
        (false, false) => Err(Error::at(&entry.span, "patch and path can't be set at the same time")),
        (false, true) => {
            let node = entry.get(inline_key).unwrap_or(entry);
            // Inline patches are re-parsed from their own text; `origin` maps
            // positions in it back to the kustomization file.
            // The text sits in the file of the node (a plugin config's
            // patch is in that config, not in the kustomization).
            let origin = inline_origin(b, node);
            let pin = origin.is_none().then(|| node.span.clone());
            Ok(Source {
                text: inline.to_string(),
                raw: inline.to_string(),
                file: node.span.file.to_string(),
                span: node.span.clone(),
                origin,
                pin,
            })
        }
        (true, false) => {
            let span = entry.get("path").map(|n| n.span.clone()).unwrap_or_else(|| entry.span.clone());
            let (file, bytes) = b
                .read_file(k, path, &span)
                .map_err(|e| Error { message: format!("failed to get the patch file from path({}): {}", path, e.message), ..e })?;
            let text = String::from_utf8(bytes).map_err(|_| Error::in_file(&file, "the patch file is not UTF-8 text"))?;
            // Read whole, as kustomize reads a patch file (only an inline patch
            // is trimmed): trimming would drop a final block scalar's trailing
            // blanks and line break. Positions are then the file's own.
            let body = text.as_str();
            Ok(Source {
                text: body.to_string(),
                raw: text.clone(),
                span: Span::file(&file),
                file,
                origin: Some(Origin { lines: 0, cols: 0 }),
                pin: None,
            })
        }
    }
}

/// kustomize tries both readings; exactly one must work.
fn detect(source: &Source) -> Result<Parsed> {
    let sm = relocate_resources(source, read_resource_file(&source.file, source.text.as_bytes()));
    let json = parse_json_ops(source).ok().flatten();
    match (sm, json) {
        (Ok(p), None) => Ok(Parsed::Strategic(p)),
        (Err(_), Some(ops)) => Ok(Parsed::Json(ops)),
        (Ok(_), Some(_)) => Err(Error::at(&source.span, "the patch illegally qualifies as both a strategic-merge and a JSON 6902 patch")),
        (Err(e), None) => {
            // In a patch file, the reader's own position is a place in that
            // file; in an inline patch it is not, so the patch field is given.
            // Relocated positions are places in the file the user wrote;
            // without a known origin, the patch field is the best place.
            let span = match e.span {
                Some(at) if source.origin.is_some() && at.has_position() => at,
                _ => source.span.clone(),
            };
            Err(Error::at(
                &span,
                format!("unable to parse the patch as strategic-merge (a Kubernetes object with kind and metadata.name) or as JSON 6902 (a list of operations): {}", e.message),
            ))
        }
    }
}

/// A JSON 6902 operation list, written as JSON or YAML. `None` when the text
/// is not a list.
fn parse_json_ops(source: &Source) -> Result<Option<Node>> {
    if source.text.is_empty() {
        return Ok(None);
    }
    let mut docs = parse_documents(&source.file, &source.text)?;
    if docs.len() != 1 || !docs[0].is_seq() {
        return Ok(None);
    }
    let mut ops = docs.pop().unwrap_or_else(|| Node::seq(vec![], source.span.clone()));
    if let Some(o) = &source.origin {
        o.node(&mut ops);
    } else if let Some(at) = &source.pin {
        pin(&mut ops, at);
    }
    if ops.as_seq().is_some_and(|items| items.iter().any(|op| !op.is_map())) {
        return Ok(None);
    }
    Ok(Some(ops))
}

/// The one resource a patch without target names (by any id it has had).
fn find_by_id(resources: &ResMap, patch: &Resource) -> Result<usize> {
    let id = patch.id();
    let matches: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.id().same_as(&id) || r.previous.iter().any(|p| p.same_as(&id)))
        .map(|(i, _)| i)
        .collect();
    match matches.len() {
        1 => Ok(matches[0]),
        0 => Err(Error::at(
            &patch.source,
            format!("no resource matches strategic merge patch \"{}\": no resource has that kind, name and namespace", id),
        )),
        _ => Err(Error::at(&patch.source, format!("no resource matches strategic merge patch \"{}\": multiple matches for that id", id))),
    }
}

/// Applies one strategic-merge patch to the chosen resources. The patch
/// takes each target's apiVersion; name, kind and namespace stay unless the
/// options allow them to change. A `$patch: delete` removes the resource.
fn apply_strategic(schema: &Schema, resources: &mut ResMap, targets: &[usize], patch: &Resource, options: Options) -> Result<()> {
    let mut deleted = Vec::new();
    for &i in targets {
        let r = &mut resources.resources[i];
        let mut p = patch.node.clone();
        if let Some(v) = r.node.get("apiVersion").cloned() {
            p.set("apiVersion", v);
        }
        if options.allow_name_change || options.allow_kind_change {
            r.store_previous_id();
        }
        let merged = smp::apply_sm_patch(&r.node, &p, schema, options.allow_name_change, options.allow_kind_change)
            .map_err(|e| e.or_at(&patch.source))?;
        match merged {
            None => deleted.push(i),
            Some(node) => {
                // kustomize merges in place: shared label values change together.
                let before = std::mem::replace(&mut r.node, node);
                aliases::sync_after_edit(r, &before);
            }
        }
    }
    deleted.sort_unstable();
    for i in deleted.into_iter().rev() {
        resources.resources.remove(i);
    }
    Ok(())
}

/// The build annotations kustomize holds for a resource at this point (its
/// api/internal/utils keys), from what this engine keeps beside the object:
/// previous ids (a `patches:` entry always stores one first), prefixes and
/// suffixes, and a generated object's behavior and hash flag. JSON patches
/// see them in `metadata.annotations` while they run, so
/// `add /metadata/annotations/x` works on an object that shows none.
pub(crate) fn internal_annotations(r: &Resource) -> Vec<(String, String)> {
    let key = |name: &str| format!("internal.config.kubernetes.io/{}", name);
    let mut out = Vec::new();
    if !r.previous.is_empty() {
        let join = |f: &dyn Fn(&crate::kustomize::resmap::ResId) -> String| r.previous.iter().map(f).collect::<Vec<_>>().join(",");
        out.push((key("previousKinds"), join(&|id| id.gvk.kind.clone())));
        out.push((key("previousNames"), join(&|id| id.name.clone())));
        out.push((key("previousNamespaces"), join(&|id| id.effective_namespace().to_string())));
    }
    if !r.prefixes.is_empty() {
        out.push((key("prefixes"), r.prefixes.join(",")));
    }
    if !r.suffixes.is_empty() {
        out.push((key("suffixes"), r.suffixes.join(",")));
    }
    if r.generated {
        let behavior = match r.behavior {
            Behavior::Unspecified => "unspecified",
            Behavior::Create => "create",
            Behavior::Merge => "merge",
            Behavior::Replace => "replace",
        };
        out.push((key("generatorBehavior"), behavior.to_string()));
        if r.needs_hash {
            out.push((key("needsHashSuffix"), "enabled".to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::fs::MemFs;
    use crate::kustomize::{render, BuildOptions};

    fn build(kustomization: &str) -> crate::error::Result<String> {
        let mut fs = MemFs::new();
        fs.add_dir("/k");
        fs.insert("/k/kustomization.yaml", kustomization.as_bytes().to_vec());
        fs.insert("/k/r.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n".to_vec());
        render(&fs, "/k", &BuildOptions::default())
    }

    #[test]
    fn a_one_line_strategic_merge_patch_is_inline() {
        // kustomize first tries every patchesStrategicMerge entry as patch text.
        let k = "resources: [r.yaml]\npatchesStrategicMerge:\n- '{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"plain\"}, \"data\": {\"k\": \"v\"}}'\n";
        assert!(build(k).unwrap().contains("data:\n  k: v\n"));
    }

    const ADD: &str = "'[{\"op\": \"add\", \"path\": \"/metadata/annotations/x\", \"value\": \"1\"}]'";

    #[test]
    fn json_patches_see_the_annotations_kustomize_keeps() {
        // A `patches:` entry stores the previous id first: annotations exist.
        let out = build(&format!("resources: [r.yaml]\npatches:\n- target: {{name: plain}}\n  patch: {}\n", ADD)).unwrap();
        assert!(out.contains("annotations:\n    x: \"1\"\n"), "{}", out);
        // patchesJson6902 on an untouched object: there are none.
        assert!(build(&format!(
            "resources: [r.yaml]\npatchesJson6902:\n- target: {{version: v1, kind: ConfigMap, name: plain}}\n  patch: {}\n",
            ADD
        ))
        .is_err());
        // ... but a generated one, or a renamed one, has them.
        let generated = "configMapGenerator:\n- name: g\n  literals: [a=b]\npatchesJson6902:\n- target: {version: v1, kind: ConfigMap, name: g}\n  patch: ";
        assert!(build(&format!("{}{}\n", generated, ADD)).unwrap().contains("x: \"1\""));
        let renamed = format!("resources: [r.yaml]\nnamePrefix: p-\npatchesJson6902:\n- target: {{version: v1, kind: ConfigMap, name: p-plain}}\n  patch: {}\n", ADD);
        assert!(build(&renamed).unwrap().contains("x: \"1\""));
        // An annotations map the patch leaves empty is not printed.
        let noop = "resources: [r.yaml]\npatches:\n- target: {name: plain}\n  patch: '[{\"op\": \"test\", \"path\": \"/metadata/name\", \"value\": \"plain\"}]'\n";
        assert!(!build(noop).unwrap().contains("annotations"));
    }
}
