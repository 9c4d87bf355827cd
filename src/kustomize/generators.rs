//! `configMapGenerator:` and `secretGenerator:` (kustomize's builtin
//! generators, api/internal/generators and api/kv), with `generatorOptions:`
//! and the create/merge/replace behaviors against resources gathered from
//! bases (api/resmap's appendReplaceOrMerge).
//!
//! Generated objects are marked `needs_hash`; `hash::hash_names` adds the
//! suffix at the top level, after every transformer has run.

use super::accumulator::Accumulator;
use super::kustomization::{field, field_str, is_true, Kustomization};
use super::loader::Loader;
use super::origin::{self, Origin};
use super::resmap::{Behavior, ResMap, Resource};
use crate::error::{Error, Result};
use crate::yaml::{Kind, Node, Span};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    ConfigMap,
    Secret,
}

impl GenKind {
    fn name(self) -> &'static str {
        match self {
            GenKind::ConfigMap => "ConfigMap",
            GenKind::Secret => "Secret",
        }
    }
}

/// `options:` of one generator, or the kustomization's `generatorOptions:`.
#[derive(Clone, Debug, Default)]
struct Options {
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    disable_hash: bool,
    immutable: bool,
}

impl Options {
    fn from_node(node: Option<&Node>) -> Options {
        let Some(node) = node.filter(|n| n.is_map()) else { return Options::default() };
        let flag = |key: &str| is_true(field(node, key));
        Options {
            labels: string_map(field(node, "labels")),
            annotations: string_map(field(node, "annotations")),
            disable_hash: flag("disableNameSuffixHash"),
            immutable: flag("immutable"),
        }
    }

    /// kustomize's MergeGlobalOptionsIntoLocal: the generator's own labels
    /// and annotations win; either side can turn the flags on.
    fn with_global(mut self, global: &Options) -> Options {
        for (k, v) in &global.labels {
            self.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &global.annotations {
            self.annotations.entry(k.clone()).or_insert_with(|| v.clone());
        }
        self.disable_hash |= global.disable_hash;
        self.immutable |= global.immutable;
        self
    }
}

fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    node.and_then(|n| n.as_map())
        .map(|m| m.iter().map(|(k, v)| (k.as_str().unwrap_or("").to_string(), v.as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default()
}

/// A string of the kustomization with the place it was written.
struct Source<'a> {
    text: &'a str,
    span: &'a Span,
}

fn sources<'a>(entry: &'a Node, key: &str) -> Vec<Source<'a>> {
    field(entry, key)
        .and_then(|n| n.as_seq())
        .map(|items| items.iter().filter_map(|i| i.as_str().map(|t| Source { text: t, span: &i.span })).collect())
        .unwrap_or_default()
}

/// Runs this kustomization's generators and folds their output into the
/// accumulated resources: ConfigMaps first, then Secrets, each in order,
/// then the plugin configs of `generators:`.
pub fn run(b: &mut dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let global = Options::from_node(k.field("generatorOptions"));
    for (field, kind) in [("configMapGenerator", GenKind::ConfigMap), ("secretGenerator", GenKind::Secret)] {
        let Some(list) = k.field(field).and_then(|n| n.as_seq()) else { continue };
        // Origin tracking (`buildMetadata`): made by this builtin generator,
        // configured in this kustomization file.
        let made_by =
            b.origin().map(|dir| Origin::builtin(origin::join(dir, crate::fs::file_name(&k.file)), &format!("{}Generator", kind.name())));
        for entry in list {
            let mut r = generate(b, k, kind, entry, &global)?;
            if let Some(o) = &made_by {
                origin::set_if_missing(&mut r, o);
            }
            absorb(&mut acc.resources, r).map_err(|e| e.or_at(&entry.span))?;
        }
    }
    Ok(())
}

/// A generator run from a plugin config (`generators:`): the same
/// arguments, without the kustomization's `generatorOptions:`.
pub fn generate_plugin(b: &dyn Loader, k: &Kustomization, kind: GenKind, args: &Node) -> Result<Resource> {
    generate(b, k, kind, args, &Options::default())
}

fn generate(b: &dyn Loader, k: &Kustomization, kind: GenKind, entry: &Node, global: &Options) -> Result<Resource> {
    let span = entry.span.clone();
    let name = field_str(entry, "name").unwrap_or("");
    if name.is_empty() {
        return Err(Error::at(&span, format!("a {} generator needs a name", kind.name().to_ascii_lowercase())));
    }
    let options = Options::from_node(field(entry, "options")).with_global(global);
    let pairs = load_pairs(b, k, entry, name)?;
    let namespace = field_str(entry, "namespace").unwrap_or("");
    let mut node = object_node(kind, name, namespace, &options, &span);
    match kind {
        GenKind::ConfigMap => set_configmap_data(&mut node, &pairs, &span),
        GenKind::Secret => {
            let t = field_str(entry, "type").filter(|s| !s.is_empty()).unwrap_or("Opaque");
            node.set("type", Node::string(t, span.clone()));
            set_secret_data(&mut node, &pairs, &span);
        }
    }
    if options.immutable {
        node.set("immutable", Node::scalar("true", Kind::Bool, span.clone()));
    }

    let mut r = Resource::new(node);
    r.source = span;
    r.needs_hash = !options.disable_hash;
    r.generated = true;
    r.behavior = match field_str(entry, "behavior") {
        Some("create") => Behavior::Create,
        Some("merge") => Behavior::Merge,
        Some("replace") => Behavior::Replace,
        // kustomize treats anything else as unspecified, which creates.
        _ => Behavior::Unspecified,
    };
    Ok(r)
}

/// `apiVersion`, `kind` and `metadata` of a generated object.
fn object_node(kind: GenKind, name: &str, namespace: &str, options: &Options, span: &Span) -> Node {
    let mut meta = Node::map(span.clone());
    meta.set("name", Node::string(name, span.clone()));
    if !namespace.is_empty() {
        meta.set("namespace", Node::string(namespace, span.clone()));
    }
    if !options.labels.is_empty() {
        meta.set("labels", string_map_node(&options.labels, span));
    }
    if !options.annotations.is_empty() {
        meta.set("annotations", string_map_node(&options.annotations, span));
    }
    let mut node = Node::map(span.clone());
    node.set("apiVersion", Node::string("v1", span.clone()));
    node.set("kind", Node::string(kind.name(), span.clone()));
    node.set("metadata", meta);
    node
}

fn string_map_node(map: &BTreeMap<String, String>, span: &Span) -> Node {
    let mut n = Node::map(span.clone());
    for (k, v) in map {
        n.set(k, Node::string(v.clone(), span.clone()));
    }
    n
}

/// The generator's key/value pairs: env files, then literals, then files
/// (kustomize's order), with repeated keys rejected.
/// Each value keeps the span of its literal or file.
fn load_pairs(b: &dyn Loader, k: &Kustomization, entry: &Node, name: &str) -> Result<BTreeMap<String, (Vec<u8>, Span)>> {
    let mut pairs: Vec<(String, Vec<u8>, Span)> = Vec::new();
    let mut envs = sources(entry, "envs");
    if let Some(env) = field(entry, "env") {
        if let Some(text) = env.as_str().filter(|s| !s.is_empty()) {
            envs.push(Source { text, span: &env.span });
        }
    }
    for src in envs {
        let (file, bytes) = b.read_file(k, src.text, src.span)?;
        for (key, value) in parse_env_file(&bytes).map_err(|m| Error::at(src.span, format!("env file '{}': {}", file, m)))? {
            pairs.push((key, value.into_bytes(), src.span.clone()));
        }
    }
    for src in sources(entry, "literals") {
        let (key, value) = parse_literal(src.text).map_err(|m| Error::at(src.span, m))?;
        pairs.push((key, value.into_bytes(), src.span.clone()));
    }
    for src in sources(entry, "files") {
        let (key, path) = parse_file_source(src.text).map_err(|m| Error::at(src.span, m))?;
        let (file, bytes) = b.read_file(k, &path, src.span)?;
        // The value's text is the whole file: explain mode points there.
        pairs.push((key, bytes, Span { file: file.as_str().into(), line: 1, col: 1 }));
    }
    let mut out = BTreeMap::new();
    for (key, value, span) in pairs {
        if out.insert(key.clone(), (value, span.clone())).is_some() {
            return Err(Error::at(&span, format!("configmap {} illegally repeats the key `{}`", name, key)));
        }
    }
    Ok(out)
}

/// `key=value`, with one pair of matching outer quotes removed from the value.
pub fn parse_literal(source: &str) -> std::result::Result<(String, String), String> {
    match source.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), remove_quotes(value).to_string())),
        _ => Err(format!("invalid literal source {}, expected key=value", source)),
    }
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// `path` (key = the file's base name) or `key=path`.
pub fn parse_file_source(source: &str) -> std::result::Result<(String, String), String> {
    let n = source.matches('=').count();
    if n == 0 {
        let base = source.trim_end_matches('/').rsplit('/').next().unwrap_or(source);
        return Ok((if base.is_empty() { source } else { base }.to_string(), source.to_string()));
    }
    if n > 1 {
        return Err(format!("source \"{}\" key name or file path contains '='", source));
    }
    let (key, path) = source.split_once('=').unwrap_or((source, ""));
    if key.is_empty() {
        return Err(format!("missing key name for file path \"{}\" in source \"{}\"", path, source));
    }
    if path.is_empty() {
        return Err(format!("missing file path for key name \"{}\" in source \"{}\"", key, source));
    }
    Ok((key.to_string(), path.to_string()))
}

/// An env file: `KEY=value` lines; blank lines and `#` comments skipped,
/// leading space trimmed, a line without `=` gives an empty value.
pub fn parse_env_file(bytes: &[u8]) -> std::result::Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = std::str::from_utf8(raw).map_err(|_| format!("line {} has invalid utf8 bytes", i + 1))?;
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if key.is_empty() {
            continue;
        }
        out.push((key.to_string(), value.to_string()));
    }
    Ok(out)
}

/// UTF-8 values go to `data`, anything else base64-encoded to `binaryData`.
fn set_configmap_data(node: &mut Node, pairs: &BTreeMap<String, (Vec<u8>, Span)>, span: &Span) {
    let mut data = Node::map(span.clone());
    let mut binary = Node::map(span.clone());
    for (k, (v, at)) in pairs {
        match std::str::from_utf8(v) {
            Ok(text) => data.set(k, Node::string(text, at.clone())),
            Err(_) => binary.set(k, Node::string(base64_lines(v), at.clone())),
        }
    }
    for (field, map) in [("data", data), ("binaryData", binary)] {
        if map.as_map().is_some_and(|m| !m.is_empty()) {
            node.set(field, map);
        }
    }
}

/// Every value base64-encoded into `data`, which a Secret always has, even
/// empty (kyaml creates it before adding entries; a ConfigMap's is created
/// per entry).
fn set_secret_data(node: &mut Node, pairs: &BTreeMap<String, (Vec<u8>, Span)>, span: &Span) {
    let mut data = Node::map(span.clone());
    for (k, (v, at)) in pairs {
        data.set(k, Node::string(base64_lines(v), at.clone()));
    }
    node.set("data", data);
}

/// Standard base64 as kyaml writes it: lines of 70 characters, each ended
/// by a newline once the text is longer than one line.
pub fn base64_lines(bytes: &[u8]) -> String {
    let encoded = base64(bytes);
    const LINE: usize = 70;
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out
}

pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Adds a generated resource, or folds it into the one it names
/// (kustomize's appendReplaceOrMerge). An existing resource matches by its
/// current id or any id it had before (a base may have renamed it).
pub fn absorb(resources: &mut ResMap, new: Resource) -> Result<()> {
    let id = new.id();
    let matches: Vec<usize> = resources
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.previous.iter().chain(std::iter::once(&r.id())).any(|p| p.same_as(&id)))
        .map(|(i, _)| i)
        .collect();
    match (matches.as_slice(), new.behavior) {
        ([], Behavior::Merge | Behavior::Replace) => Err(Error::at(
            &new.source,
            format!("id {} does not exist; cannot merge or replace (no resource from the bases has that kind and name)", id),
        )),
        ([], _) => {
            check_block_values(&new.node)?;
            resources.append(new)
        }
        ([i], Behavior::Merge | Behavior::Replace) => {
            let old = &resources.resources[*i];
            let merged = combine(old, new);
            check_block_values(&merged.node)?;
            resources.resources[*i] = merged;
            Ok(())
        }
        ([_], _) => Err(Error::at(&new.source, format!("id {} exists; behavior must be merge or replace", id))),
        (_, _) => Err(Error::at(&new.source, format!("found multiple objects that could accept merge of {}", id))),
    }
}

/// kyaml marks a generated value that spans lines as a literal block; one
/// that starts with a tab cannot be read back that way, and kustomize fails.
fn check_block_values(node: &Node) -> Result<()> {
    for (k, v) in node.get("data").and_then(|d| d.as_map()).into_iter().flatten() {
        if v.as_str().is_some_and(|t| t.starts_with('\t') && t.contains('\n') && literal_block_allowed(t)) {
            return Err(Error::at(
                &v.span,
                format!(
                    "data key '{}': a generated value that starts with a tab and spans lines cannot be printed by kustomize (yaml: found a tab character where an indentation space is expected)",
                    k.as_str().unwrap_or("")
                ),
            ));
        }
    }
    Ok(())
}

/// Whether go-yaml v3 keeps a requested literal block for this text rather
/// than falling back to double quotes: no trailing space, no space before a
/// line break, no character it cannot print (other than a tab).
fn literal_block_allowed(text: &str) -> bool {
    let is_break = |c: char| matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
    let special = |c: char| match c {
        '\t' | '\n' => false,
        c if (c as u32) < 0x20 => true,
        // go-yaml's printable set stops at the Basic Multilingual Plane.
        '\u{7f}'..='\u{9f}' | '\u{feff}' | '\u{fffe}'.. => true,
        _ => false,
    };
    let chars: Vec<char> = text.chars().collect();
    let space_break = chars.windows(2).any(|w| w[0] == ' ' && is_break(w[1]));
    !(text.ends_with(' ') || space_break || chars.iter().any(|c| special(*c)))
}

/// The generated object takes the old one's name, namespace and history;
/// labels and annotations merge (new wins); with `merge`, data merges too.
fn combine(old: &Resource, mut new: Resource) -> Resource {
    let merge_data = new.behavior == Behavior::Merge;
    new.trace = old.trace;
    let span = new.source.clone();
    let old_meta = old.node.get("metadata");
    let labels = merged_map(old_meta.and_then(|m| m.get("labels")), new.node.path(&["metadata", "labels"]), &span);
    let annotations = merged_map(old_meta.and_then(|m| m.get("annotations")), new.node.path(&["metadata", "annotations"]), &span);
    if let Some(meta) = new.node.entry_map("metadata") {
        for (key, value) in [("labels", labels), ("annotations", annotations)] {
            match value {
                Some(v) => meta.set(key, v),
                None => {
                    meta.remove(key);
                }
            }
        }
        meta.set("name", Node::string(old.name(), span.clone()));
        match old_meta.and_then(|m| m.get_str("namespace")).filter(|s| !s.is_empty()) {
            Some(ns) => meta.set("namespace", Node::string(ns, span.clone())),
            None => {
                meta.remove("namespace");
            }
        }
    }
    if merge_data {
        // A merge keeps where the object first came from.
        if let Some(first) = old.node.path(&["metadata", "annotations", origin::ORIGIN]).cloned() {
            if let Some(ann) = new.node.entry_map("metadata").and_then(|m| m.entry_map("annotations")) {
                ann.set(origin::ORIGIN, first);
            }
        }
        for field in ["data", "binaryData"] {
            match merged_map(old.node.get(field), new.node.get(field), &span) {
                Some(v) => new.node.set(field, v),
                None => {
                    new.node.remove(field);
                }
            }
        }
    }
    // Everything kustomize keeps in build annotations and resource fields
    // (previous ids, affixes, var names, behavior) comes from the old
    // resource; only the object itself is new. The hash flag is kept only
    // when both sides asked for it.
    let mut out = old.clone();
    out.node = new.node;
    out.source = new.source;
    out.needs_hash = old.needs_hash && new.needs_hash;
    out
}

/// Two string maps merged, the second winning; `None` when empty.
/// Each value keeps the span of the side it came from.
fn merged_map(old: Option<&Node>, new: Option<&Node>, span: &Span) -> Option<Node> {
    let mut merged: BTreeMap<String, (String, Span)> = BTreeMap::new();
    for side in [old, new].into_iter().flatten() {
        for (k, v) in side.as_map().into_iter().flatten() {
            merged.insert(k.as_str().unwrap_or("").to_string(), (scalar_text(v), v.span.clone()));
        }
    }
    if merged.is_empty() {
        None
    } else {
        let mut n = Node::map(span.clone());
        for (k, (v, at)) in merged {
            n.set(&k, Node::string(v, at));
        }
        Some(n)
    }
}

/// A value as kyaml's GetValue reads it: the scalar's text, `""` for null.
fn scalar_text(n: &Node) -> String {
    match n.as_scalar() {
        Some(s) if s.kind == Kind::Null => String::new(),
        Some(s) => s.text.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(parse_literal("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(parse_literal("a=\"x y\"").unwrap(), ("a".into(), "x y".into()));
        assert_eq!(parse_literal("a='x\"").unwrap(), ("a".into(), "'x\"".into()));
        assert_eq!(parse_literal("a=").unwrap(), ("a".into(), "".into()));
        assert!(parse_literal("=b").is_err());
        assert!(parse_literal("ab").is_err());
    }

    #[test]
    fn file_sources() {
        assert_eq!(parse_file_source("dir/app.properties").unwrap(), ("app.properties".into(), "dir/app.properties".into()));
        assert_eq!(parse_file_source("k=dir/f").unwrap(), ("k".into(), "dir/f".into()));
        assert!(parse_file_source("=f").is_err());
        assert!(parse_file_source("k=").is_err());
        assert!(parse_file_source("a=b=c").is_err());
    }

    #[test]
    fn env_files() {
        let got = parse_env_file(b"\xEF\xBB\xBFA=1\r\n  # c\n\nB = x \nC\nD=e=f\n").unwrap();
        let want = vec![("A", "1"), ("B ", " x "), ("C", ""), ("D", "e=f")];
        assert_eq!(got, want.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());
    }

    fn resource(yaml: &str, needs_hash: bool, behavior: Behavior) -> Resource {
        let mut r = Resource::new(crate::yaml::parse_single("t.yaml", yaml).unwrap().unwrap());
        r.needs_hash = needs_hash;
        r.behavior = behavior;
        r
    }

    #[test]
    fn merge_finds_renamed_base_and_keeps_its_name_and_history() {
        let mut base = resource(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: {a: base, b: base}\ndata: {x: \"1\", y: \"1\"}\n",
            true,
            Behavior::Unspecified,
        );
        base.store_previous_id();
        base.node.path_mut(&["metadata"]).unwrap().set("name", Node::string("p-cm", Span::default()));
        let mut map = ResMap::new();
        map.append(base).unwrap();
        let overlay = resource(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: {b: ov}\ndata: {y: \"2\"}\n",
            true,
            Behavior::Merge,
        );
        absorb(&mut map, overlay).unwrap();
        let r = &map.resources[0];
        assert_eq!(r.name(), "p-cm");
        assert_eq!(r.previous.len(), 1);
        assert!(r.needs_hash);
        assert_eq!(r.node.path(&["metadata", "labels", "a"]).unwrap().as_str(), Some("base"));
        assert_eq!(r.node.path(&["metadata", "labels", "b"]).unwrap().as_str(), Some("ov"));
        assert_eq!(r.node.path(&["data", "x"]).unwrap().as_str(), Some("1"));
        assert_eq!(r.node.path(&["data", "y"]).unwrap().as_str(), Some("2"));
    }

    #[test]
    fn behaviors_and_hash_flag() {
        let plain = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: {x: \"1\"}\n";
        let generated = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: {z: \"3\"}\n";
        let mut map = ResMap::new();
        map.append(resource(plain, false, Behavior::Unspecified)).unwrap();
        // A plain resource replaced by a generator keeps its name unhashed.
        absorb(&mut map, resource(generated, true, Behavior::Replace)).unwrap();
        assert!(!map.resources[0].needs_hash);
        assert!(map.resources[0].node.path(&["data", "x"]).is_none());
        assert!(absorb(&mut map, resource(generated, true, Behavior::Create)).is_err());
        assert!(absorb(&mut ResMap::new(), resource(generated, true, Behavior::Merge)).is_err());
    }

    #[test]
    fn base64_matches_go() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"1"), "MQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        let long = base64_lines(&[b'x'; 60]);
        assert_eq!(long, "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eH\nh4eHh4eHh4\n");
    }
}
