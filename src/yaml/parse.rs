//! YAML text → `Node` trees, one per document, each node with its span.
//! Scalars are resolved with the YAML 1.2 rules kustomize's kyaml uses for
//! resources (go-yaml v3); `resolve_yaml11` gives the YAML 1.1 reading that
//! kustomize applies to kustomization files.

use super::node::{Kind, Node, Scalar, Span, Style, Value};
use crate::error::{Error, Result};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};
use std::collections::HashMap;
use std::sync::Arc;

/// Bounds that keep hostile input from hanging the page; the defaults are
/// those of `crate::limits`, where each is explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_documents: usize,
    /// Nodes one file may expand to through aliases and documents.
    pub max_nodes: usize,
    pub max_depth: usize,
    /// Nodes one file may add by repeating anchors: real manifests use a few
    /// aliases; a "billion laughs" document uses billions.
    pub max_alias_nodes: usize,
    /// Kustomization files are read by a YAML 1.1 reader that lets a later
    /// duplicate key win; resources reject duplicates.
    pub allow_duplicate_keys: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        use crate::limits::*;
        Limits {
            max_bytes: MAX_FILE_BYTES,
            max_documents: MAX_DOCUMENTS,
            max_nodes: MAX_NODES,
            max_depth: MAX_YAML_DEPTH,
            max_alias_nodes: MAX_ALIAS_NODES,
            allow_duplicate_keys: false,
        }
    }
}

/// Parses every document of a file. Empty documents are dropped, as kustomize
/// drops them.
pub fn parse_documents(file: &str, text: &str) -> Result<Vec<Node>> {
    parse_with(file, text, Limits::default())
}

/// Parses a file that must hold exactly one document (or none: `None`).
pub fn parse_single(file: &str, text: &str) -> Result<Option<Node>> {
    let mut docs = parse_documents(file, text)?;
    if docs.len() > 1 {
        let span = docs[1].span.clone();
        return Err(Error::at(&span, "expected one YAML document, found several"));
    }
    Ok(docs.pop())
}

enum Frame {
    Seq {
        items: Vec<Node>,
        span: Span,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        span: Span,
        anchor: usize,
        merges: Vec<Node>,
        /// Positions of keys, built once a mapping grows large, so that
        /// duplicate detection stays linear.
        index: Option<HashMap<String, usize>>,
    },
}

struct Builder {
    file: Arc<str>,
    limits: Limits,
    stack: Vec<Frame>,
    /// Anchored nodes with their node count and nesting depth, which an
    /// alias adds where it is used.
    anchors: HashMap<usize, (Node, usize, usize)>,
    /// Documents seen, empty ones included.
    documents: usize,
    nodes: usize,
    alias_nodes: usize,
    docs: Vec<Node>,
    doc: Option<Node>,
}

fn span_of(file: &Arc<str>, m: &saphyr_parser::Marker) -> Span {
    Span::new(file, m.line() as u32, m.col() as u32 + 1)
}

fn scan_error(file: &Arc<str>, e: &ScanError) -> Error {
    let m = e.marker();
    let msg = describe_scan_error(e.info());
    Error::at(&Span::new(file, m.line() as u32, m.col() as u32 + 1), msg)
}

/// Turns the scanner's terse messages into ones a learner can act on.
fn describe_scan_error(info: &str) -> String {
    // The first hint that fits: what the scanner found, said as what to do.
    const HINTS: [(&str, &str); 13] = [
        ("mapping values are not allowed", "a value containing ': ' must be quoted, or the indentation is off"),
        ("did not find expected key", "check the indentation of this line"),
        ("did not find expected '-'", "check the indentation of this line"),
        ("invalid indentation", "check the indentation of this line"),
        ("tab", "YAML indentation must use spaces, not tabs"),
        ("unknown anchor", "an alias *name must refer to an anchor &name defined earlier in the same document"),
        ("duplicated anchor", "each &name may be defined once per document"),
        ("quoted scalar, found unexpected end of stream", "a quote opened here is never closed"),
        ("unexpected end of stream", "the file ends in the middle of something: is a quote or bracket left open?"),
        ("unexpected eof", "the file ends in the middle of something: is a quote or bracket left open?"),
        ("recursion limit exceeded", "brackets or collections nest too deeply"),
        ("misplaced bracket", "a closing bracket has no matching opening one, or the brackets cross"),
        ("unprintable character", "the file holds control characters or binary data; YAML must be printable text"),
    ];
    match HINTS.iter().find(|(needle, _)| info.contains(needle)) {
        Some((_, hint)) => format!("invalid YAML: {} ({})", info, hint),
        None => format!("invalid YAML: {}", info),
    }
}

/// How many collection levels a node holds (a scalar: 0). Recursion is
/// bounded: parsed nodes are never deeper than `max_depth`.
fn depth(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(_) => 0,
        Value::Seq(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Map(entries) => 1 + entries.iter().map(|(k, v)| depth(k).max(depth(v))).max().unwrap_or(0),
    }
}

fn count(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(_) => 1,
        Value::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|(k, v)| count(k) + count(v)).sum::<usize>(),
    }
}

impl Builder {
    fn push_node(&mut self, node: Node, weight: usize) -> Result<()> {
        self.nodes += weight;
        if self.nodes > self.limits.max_nodes {
            return Err(Error::at(
                &node.span,
                format!(
                    "this file expands to more than {} YAML nodes (through aliases or documents); refusing to build it",
                    self.limits.max_nodes
                ),
            ));
        }
        match self.stack.last_mut() {
            None => self.doc = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, merges, index, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let is_merge = matches!(&k.value, Value::Scalar(s) if s.text == "<<" && s.style == Style::Plain);
                    if is_merge {
                        merges.push(node);
                    } else {
                        if let Some(name) = k.as_str() {
                            let allow = self.limits.allow_duplicate_keys;
                            if index.is_none() && entries.len() >= 32 {
                                let map =
                                    entries.iter().enumerate().filter_map(|(i, (pk, _))| Some((pk.as_str()?.to_string(), i))).collect();
                                *index = Some(map);
                            }
                            let found = match index {
                                Some(ix) => ix.get(name).copied(),
                                None => entries.iter().position(|(pk, _)| pk.as_str() == Some(name)),
                            };
                            if let Some(at) = found {
                                let slot = &mut entries[at];
                                if allow {
                                    slot.1 = node;
                                    return Ok(());
                                }
                                let prev = &slot.0;
                                return Err(Error::at(
                                    &k.span,
                                    format!(
                                        "duplicate key \"{}\": it is already defined at line {} of this mapping; remove one of them",
                                        name, prev.span.line
                                    ),
                                ));
                            }
                        }
                        if let (Some(ix), Some(name)) = (index.as_mut(), k.as_str()) {
                            ix.insert(name.to_string(), entries.len());
                        }
                        entries.push((k, node));
                    }
                }
            },
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), count(node), depth(node)));
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<()> {
        match event {
            Event::DocumentStart(_) => {
                self.doc = None;
                self.documents += 1;
                if self.documents > self.limits.max_documents {
                    return Err(Error::at(
                        &span,
                        format!(
                            "this file holds more than {} YAML documents; refusing to build it (split it into several files)",
                            self.limits.max_documents
                        ),
                    ));
                }
            }
            Event::DocumentEnd => {
                if let Some(doc) = self.doc.take() {
                    if !doc.is_null() {
                        self.docs.push(doc);
                    }
                }
                self.anchors.clear();
            }
            Event::Alias(id) => {
                let (weight, nested) = match self.anchors.get(&id) {
                    Some((_, w, d)) => (*w, *d),
                    None => {
                        return Err(Error::at(
                            &span,
                            "invalid YAML: an alias (*name) refers to an anchor (&name) that is not defined earlier in this document",
                        ))
                    }
                };
                // Check the budgets before cloning grows memory further.
                if nested > 0 && self.stack.len() + nested > self.limits.max_depth {
                    return Err(Error::at(
                        &span,
                        format!("this alias nests the YAML deeper than {} levels; refusing to build it", self.limits.max_depth),
                    ));
                }
                self.alias_nodes += weight;
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(Error::at(
                        &span,
                        format!(
                            "aliases in this file expand to more than {} YAML nodes (an alias bomb?); refusing to build it",
                            self.limits.max_alias_nodes
                        ),
                    ));
                }
                let Some((node, _, _)) = self.anchors.get(&id) else { return Ok(()) };
                // kyaml merges `<<: *alias` only from a mapping (a list of
                // mappings must be written as a list of aliases).
                if !self.limits.allow_duplicate_keys && !node.is_map() {
                    if let Some(Frame::Map { key: Some(k), .. }) = self.stack.last() {
                        if matches!(&k.value, Value::Scalar(s) if s.text == "<<" && s.style == Style::Plain) {
                            return Err(Error::at(&span, "invalid map merge: received alias for a non-map value (the anchor of a merge key (<<) must be on a mapping)"));
                        }
                    }
                }
                let mut node = node.clone();
                node.span = span;
                self.push_node(node, weight)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::Single,
                    ScalarStyle::DoubleQuoted => Style::Double,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let kind = resolve_tagged(&text, style, tag.as_deref());
                let mut text = text.into_owned();
                // Resources are read as kyaml holds them after writing them
                // out and back; kustomization files (whose reader lets a
                // duplicate key win) are not.
                if matches!(style, Style::Literal | Style::Folded) && !self.limits.allow_duplicate_keys {
                    super::folded::reread(&mut text, style, &span)?;
                }
                let node = Node::new(Value::Scalar(Scalar { text, kind, style }), span);
                self.remember(anchor, &node);
                self.push_node(node, 1)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.check_depth(&span)?;
                self.stack.push(Frame::Seq { items: Vec::new(), span, anchor });
            }
            Event::MappingStart(anchor, _) => {
                self.check_depth(&span)?;
                self.stack.push(Frame::Map { entries: Vec::new(), key: None, span, anchor, merges: Vec::new(), index: None });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { items, span, anchor }) = self.stack.pop() {
                    let node = Node::new(Value::Seq(items), span);
                    self.remember(anchor, &node);
                    self.push_node(node, 1)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { mut entries, span, anchor, merges, .. }) = self.stack.pop() {
                    // kyaml refuses a second `<<` in a resource's mapping.
                    if merges.len() > 1 && !self.limits.allow_duplicate_keys {
                        return Err(Error::at(
                            &merges[1].span,
                            "duplicate merge key: a mapping may have one `<<`; merge several mappings with one list (`<<: [*a, *b]`)",
                        ));
                    }
                    merge_keys(&mut entries, merges, &span)?;
                    let node = Node::new(Value::Map(entries), span);
                    self.remember(anchor, &node);
                    self.push_node(node, 1)?;
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn check_depth(&self, span: &Span) -> Result<()> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Error::at(
                span,
                format!(
                    "YAML nested deeper than {} levels; refusing to build it (real manifests stay far below; is an indentation or a bracket runaway?)",
                    self.limits.max_depth
                ),
            ));
        }
        Ok(())
    }
}

/// `<<: *base` fills in the keys the mapping does not set itself, as
/// go-yaml does when kustomize decodes a resource.
fn merge_keys(entries: &mut Vec<(Node, Node)>, merges: Vec<Node>, span: &Span) -> Result<()> {
    for merge in merges {
        let sources: Vec<Node> = match merge.value {
            Value::Map(_) => vec![merge],
            Value::Seq(items) => items,
            _ => return Err(Error::at(span, "invalid YAML: the value of a merge key (<<) must be a mapping or a list of mappings")),
        };
        for source in sources {
            let Value::Map(src) = source.value else {
                return Err(Error::at(&source.span, "invalid YAML: the value of a merge key (<<) must be a mapping or a list of mappings"));
            };
            // A set of the string keys keeps big merges linear.
            let scalar_key = |k: &Node| k.as_scalar().map(|s| (s.kind, s.text.clone()));
            let mut names: std::collections::HashSet<(Kind, String)> = entries.iter().filter_map(|(k, _)| scalar_key(k)).collect();
            for (k, v) in src {
                let present = match scalar_key(&k) {
                    Some(key) => !names.insert(key),
                    None => entries.iter().any(|(ek, _)| ek == &k),
                };
                if !present {
                    entries.push((k, v));
                }
            }
        }
    }
    Ok(())
}

pub fn parse_with(file: &str, text: &str, limits: Limits) -> Result<Vec<Node>> {
    if let Some(hit) = PARSES.with(|c| c.borrow_mut().as_mut().and_then(|cache| cache.get(file, text, limits))) {
        return hit;
    }
    let result = parse_uncached(file, text, limits);
    PARSES.with(|c| {
        if let Some(cache) = c.borrow_mut().as_mut() {
            cache.insert(file, text, limits, result.clone());
        }
    });
    result
}

/// Parses remembered while a [`ParseCache`] is in use (see [`with_parse_cache`]):
/// a file's nodes, for exactly its name, text and limits. The page renders
/// every environment on each keystroke, and they share their bases: each
/// unchanged file is parsed once, then copied.
#[derive(Default)]
pub struct ParseCache {
    entries: HashMap<u64, Vec<Parsed>>,
}

struct Parsed {
    file: String,
    text: String,
    limits: Limits,
    result: Result<Vec<Node>>,
    used: bool,
}

impl ParseCache {
    fn key(file: &str, text: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        file.hash(&mut h);
        text.hash(&mut h);
        h.finish()
    }
    fn get(&mut self, file: &str, text: &str, limits: Limits) -> Option<Result<Vec<Node>>> {
        let p =
            self.entries.get_mut(&Self::key(file, text))?.iter_mut().find(|p| p.file == file && p.text == text && p.limits == limits)?;
        p.used = true;
        Some(p.result.clone())
    }
    fn insert(&mut self, file: &str, text: &str, limits: Limits, result: Result<Vec<Node>>) {
        let parsed = Parsed { file: file.to_string(), text: text.to_string(), limits, result, used: true };
        self.entries.entry(Self::key(file, text)).or_default().push(parsed);
    }
    /// Forgets the parses not used since the last sweep: what an edit replaced.
    pub fn sweep(&mut self) {
        for list in self.entries.values_mut() {
            list.retain(|p| p.used);
            list.iter_mut().for_each(|p| p.used = false);
        }
        self.entries.retain(|_, list| !list.is_empty());
    }
    pub fn len(&self) -> usize {
        self.entries.values().map(Vec::len).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

thread_local! {
    static PARSES: std::cell::RefCell<Option<ParseCache>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `cache` remembering its parses (on this thread), and gives
/// the cache back afterwards, also when `f` panics.
pub fn with_parse_cache<R>(cache: &mut ParseCache, f: impl FnOnce() -> R) -> R {
    struct Restore<'a> {
        cache: &'a mut ParseCache,
        previous: Option<ParseCache>,
    }
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let mine = PARSES.with(|c| c.replace(self.previous.take()));
            *self.cache = mine.unwrap_or_default();
        }
    }
    let previous = PARSES.with(|c| c.replace(Some(std::mem::take(cache))));
    let _restore = Restore { cache, previous };
    f()
}

fn parse_uncached(file: &str, text: &str, limits: Limits) -> Result<Vec<Node>> {
    let file: Arc<str> = Arc::from(file);
    if text.len() > limits.max_bytes {
        return Err(Error::in_file(
            &file,
            format!("this file is {} bytes, more than the {} bytes a file may have; refusing to build it", text.len(), limits.max_bytes),
        ));
    }
    let mut b = Builder {
        file: file.clone(),
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        documents: 0,
        nodes: 0,
        alias_nodes: 0,
        docs: Vec::new(),
        doc: None,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut tails: Option<Vec<bool>> = None;
    for item in Parser::new_from_str(text) {
        let (mut event, span) = item.map_err(|e| scan_error(&file, &e))?;
        // kyaml writes a resource out and reads it back (see yaml::folded).
        // A block scalar kept with `+` that ends in blank lines and is
        // followed by nothing but comments to the end of its document gets
        // one more line break that way: the emitter writes those comments as
        // a foot comment after a line break that the `+` block takes in
        // (unless it writes the value double-quoted).
        // Kustomization files (read by a reader that lets duplicate keys
        // win) take no such round trip.
        if !limits.allow_duplicate_keys {
            if let Event::Scalar(value, ScalarStyle::Literal | ScalarStyle::Folded, ..) = &mut event {
                if (value.as_ref() == "\n" || value.ends_with("\n\n")) && super::folded::block_allowed(value) {
                    let tails = tails.get_or_insert_with(|| comment_tails(text));
                    if tails.get(span.end.line().saturating_sub(1)) == Some(&true) {
                        value.to_mut().push('\n');
                    }
                }
            }
        }
        let sp = span_of(&b.file, &span.start);
        b.event(event, sp)?;
    }
    if let Some(doc) = b.doc.take() {
        if !doc.is_null() {
            b.docs.push(doc);
        }
    }
    Ok(b.docs)
}

/// For each line: whether it and the lines after it, to the end of its
/// document, are blank lines and comments, with at least one comment, all
/// comments at one column. (Comments at several columns go-yaml attaches
/// elsewhere, and kubectl then shows no extra line break; that rule is read
/// off kubectl's output, not go-yaml's source.)
fn comment_tails(text: &str) -> Vec<bool> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut tails = vec![false; lines.len()];
    // Whether only blank lines and comments follow, and the comments' column
    // (`Some(None)` once columns differ).
    let (mut only, mut column): (bool, Option<Option<usize>>) = (true, None);
    for (i, line) in lines.iter().enumerate().rev() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let marker = (line.starts_with("---") || line.starts_with("...")) && line[3..].chars().next().is_none_or(|c| c == ' ' || c == '\t');
        let body = line.trim_start_matches([' ', '\t']);
        if marker {
            // After `---` the document has ended as at the end of the file;
            // an explicit `...` keeps the comments out of the mapping.
            (only, column) = (line.starts_with('-'), None);
            continue;
        } else if body.starts_with('#') {
            let at = line.len() - body.len();
            column = match column {
                None => Some(Some(at)),
                Some(Some(c)) if c == at => Some(Some(c)),
                _ => Some(None),
            };
        } else if !body.is_empty() {
            only = false;
        }
        tails[i] = only && matches!(column, Some(Some(_)));
    }
    tails
}

fn resolve_tagged(text: &str, style: Style, tag: Option<&str>) -> Kind {
    match tag {
        Some("tag:yaml.org,2002:str") | Some("!!str") => Kind::Str,
        Some("tag:yaml.org,2002:int") | Some("!!int") => Kind::Int,
        Some("tag:yaml.org,2002:float") | Some("!!float") => Kind::Float,
        Some("tag:yaml.org,2002:bool") | Some("!!bool") => Kind::Bool,
        Some("tag:yaml.org,2002:null") | Some("!!null") => Kind::Null,
        Some("tag:yaml.org,2002:timestamp") | Some("!!timestamp") => Kind::Timestamp,
        Some(_) => Kind::Str,
        None if style == Style::Plain => resolve_plain(text),
        None => Kind::Str,
    }
}

/// The kind go-yaml v3 (YAML 1.2 core, plus its compatibility rules) gives an
/// untagged plain scalar.
pub fn resolve_plain(text: &str) -> Kind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Kind::Bool,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" => {
            return Kind::Float
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    match first {
        b'0'..=b'9' | b'+' | b'-' => {
            if first.is_ascii_digit() && is_timestamp(text) {
                return Kind::Timestamp;
            }
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            if parse_go_int(&plain).is_some() {
                return Kind::Int;
            }
            // Go's ParseFloat must also succeed: `1e400` overflows and
            // go-yaml then keeps it as a string.
            if is_yaml_float(&plain) && super::gonum::go_parse_float(&plain).is_some() {
                return Kind::Float;
            }
            let unsigned = plain.strip_prefix('-').unwrap_or(&plain);
            if let Some(b) = unsigned.strip_prefix("0b") {
                if !b.is_empty() && b.bytes().all(|c| c == b'0' || c == b'1') {
                    return Kind::Int;
                }
            }
            if let Some(o) = unsigned.strip_prefix("0o") {
                if !o.is_empty() && o.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                    return Kind::Int;
                }
            }
            Kind::Str
        }
        // go-yaml hands these to Go's ParseFloat as written, which also
        // takes underscores between digits (`.5_5`).
        b'.' => {
            if super::gonum::go_parse_float(text).is_some() {
                Kind::Float
            } else {
                Kind::Str
            }
        }
        _ => Kind::Str,
    }
}

/// The kind go-yaml v2 (YAML 1.1) gives an untagged plain scalar; used for
/// kustomization files, which kustomize reads through sigs.k8s.io/yaml.
pub fn resolve_yaml11(text: &str) -> Kind {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Kind::Bool,
        _ => match resolve_plain(text) {
            Kind::Timestamp => Kind::Str,
            k => k,
        },
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` acceptance: the
/// value as i128 when the text is an integer literal that fits.
pub fn parse_go_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if v > (i64::MAX as u128) + 1 {
            return None;
        }
        Some(-(v as i128))
    } else {
        if v > u64::MAX as u128 {
            return None;
        }
        Some(v as i128)
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
pub fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A YAML timestamp as go-yaml accepts it: `YYYY-M-D`, optionally followed
/// by a time (`T`, `t` or a space, then `H:M:S[.frac][Z|±HH:MM]`).
pub fn is_timestamp(s: &str) -> bool {
    // Go's time.Parse has quirks (10+ fraction digits, `,` before the
    // fraction, runs of spaces) that decide what kustomize prints.
    super::gotime::parse(s).is_some()
}

/// A timestamp's parts: year, month, day, hour, minute, second, nanoseconds,
/// offset in seconds.
pub type Timestamp = (i64, u32, u32, u32, u32, u32, u32, i32);

/// Parses a timestamp into its parts.
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(|c| c.is_ascii_digit()) || b[4] != b'-' {
        return None;
    }
    let mut i = 5;
    let num = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        if *i == start {
            return None;
        }
        s[start..*i].parse().ok()
    };
    let year: i64 = s[..4].parse().ok()?;
    let month = num(&mut i, 2)?;
    if i >= b.len() || b[i] != b'-' {
        return None;
    }
    i += 1;
    let day = num(&mut i, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if i == b.len() {
        return Some((year, month, day, 0, 0, 0, 0, 0));
    }
    let sep = b[i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return None;
    }
    i += 1;
    let hour = num(&mut i, 2)?;
    if i >= b.len() || b[i] != b':' {
        return None;
    }
    i += 1;
    let minute = num(&mut i, 2)?;
    if i >= b.len() || b[i] != b':' {
        return None;
    }
    i += 1;
    let second = num(&mut i, 2)?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut nanos = 0u32;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 9 {
            return None;
        }
        let frac = &s[start..i];
        nanos = format!("{:0<9}", frac).parse().ok()?;
    }
    let mut offset = 0i32;
    if sep == b' ' {
        // go-yaml's space-separated layout has no zone.
        return if i == b.len() { Some((year, month, day, hour, minute, second, nanos, 0)) } else { None };
    }
    if i == b.len() {
        return None;
    }
    match b[i] {
        b'Z' => i += 1,
        b'+' | b'-' => {
            let sign = if b[i] == b'-' { -1 } else { 1 };
            i += 1;
            let oh = num(&mut i, 2)?;
            if i >= b.len() || b[i] != b':' {
                return None;
            }
            i += 1;
            let om = num(&mut i, 2)?;
            offset = sign * (oh as i32 * 3600 + om as i32 * 60);
        }
        _ => return None,
    }
    if i != b.len() {
        return None;
    }
    Some((year, month, day, hour, minute, second, nanos, offset))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_parse_cache_serves_only_the_same_text() {
        let mut cache = ParseCache::default();
        let a = with_parse_cache(&mut cache, || {
            let first = parse_documents("a.yaml", "x: 1\n").unwrap();
            assert_eq!(parse_documents("a.yaml", "x: 1\n").unwrap(), first);
            assert_eq!(parse_documents("a.yaml", "x: 2\n").unwrap(), parse_uncached("a.yaml", "x: 2\n", Limits::default()).unwrap());
            assert_eq!(parse_documents("b.yaml", "x: 1\n").unwrap()[0].span.file.as_ref(), "b.yaml");
            assert!(parse_documents("a.yaml", "x: [\n").is_err());
            let strict = parse_documents("a.yaml", "x: 1\nx: 2\n");
            let lax = parse_with("a.yaml", "x: 1\nx: 2\n", Limits { allow_duplicate_keys: true, ..Limits::default() });
            assert!(strict.is_err() && lax.is_ok(), "the limits are part of the key");
            first
        });
        assert_eq!(cache.len(), 6);
        cache.sweep();
        assert_eq!(cache.len(), 6, "all were used since the last sweep");
        with_parse_cache(&mut cache, || parse_documents("a.yaml", "x: 1\n").unwrap());
        cache.sweep();
        assert_eq!(cache.len(), 1, "only the one used again stays");
        assert_eq!(a, parse_documents("a.yaml", "x: 1\n").unwrap());
        // Outside with_parse_cache nothing is remembered.
        parse_documents("c.yaml", "y: 1\n").unwrap();
        assert_eq!(cache.len(), 1);
    }

    use super::*;

    #[test]
    fn resolves_like_go_yaml_v3() {
        assert_eq!(resolve_plain("yes"), Kind::Str);
        assert_eq!(resolve_plain("true"), Kind::Bool);
        assert_eq!(resolve_plain("010"), Kind::Int);
        assert_eq!(resolve_plain("0x1F"), Kind::Int);
        assert_eq!(resolve_plain("1_000"), Kind::Int);
        assert_eq!(resolve_plain("1e3"), Kind::Float);
        assert_eq!(resolve_plain("08"), Kind::Float);
        assert_eq!(resolve_plain("2024-01-01"), Kind::Timestamp);
        assert_eq!(resolve_plain("1.2.3"), Kind::Str);
        assert_eq!(resolve_plain(".5_5"), Kind::Float);
        assert_eq!(resolve_plain(".1e1_0"), Kind::Float);
        assert_eq!(resolve_plain("1e400"), Kind::Str);
        assert_eq!(resolve_plain("2024-01-01T10:00:00.1234567891Z"), Kind::Timestamp);
        assert_eq!(resolve_plain("~"), Kind::Null);
        assert_eq!(resolve_plain("-"), Kind::Str);
        assert_eq!(resolve_yaml11("n"), Kind::Bool);
    }

    #[test]
    fn keeps_order_and_positions() {
        let docs = parse_documents("a.yaml", "b: 1\na:\n  - x\n---\n# empty\n---\nc: 'q'\n").unwrap();
        assert_eq!(docs.len(), 2);
        let m = docs[0].as_map().unwrap();
        assert_eq!(m[0].0.as_str(), Some("b"));
        assert_eq!(m[1].0.as_str(), Some("a"));
        let x = &docs[0].get("a").unwrap().as_seq().unwrap()[0];
        assert_eq!((x.span.line, x.span.col), (3, 5));
        assert_eq!(docs[1].get("c").unwrap().as_scalar().unwrap().kind, Kind::Str);
    }

    #[test]
    fn errors_carry_positions() {
        let e = parse_documents("bad.yaml", "a: 1\nb: [\n").unwrap_err();
        assert_eq!(e.file(), Some("bad.yaml"));
        assert!(e.span.unwrap().line >= 2);
        let e = parse_documents("dup.yaml", "a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.span.as_ref().unwrap().line, 2);
        assert!(e.message.contains("duplicate key"));
    }

    #[test]
    fn refuses_alias_bombs_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let e = parse_documents("bomb.yaml", &text).unwrap_err();
        assert!(e.message.contains("alias"), "{}", e.message);
    }

    #[test]
    fn kept_block_scalars_take_in_a_trailing_comment_as_kubectl_shows() {
        let value = |text: &str| parse_documents("c.yaml", text).unwrap()[0].get_str("x").unwrap().to_string();
        // Each pair: the file after `x: |+`, and the value kubectl prints.
        for (tail, want) in [
            ("  a\n\n# c\n", "a\n\n\n"),
            ("  a\n\n# c\n# d", "a\n\n\n"),
            ("  a\n\n# c\n\n# d\n---\n", "a\n\n\n"),
            ("    a\n\n  # c\n# d\n", "a\n\n"),
            ("    a\n\n  # c\n  # d\n", "a\n\n\n"),
            ("  a\n\n# c\n...\n", "a\n\n"),
            ("  a\n\n# c\ny: b\n", "a\n\n"),
            ("  a\n# c\n", "a\n"),
            ("  a \n\n# c\n", "a \n\n"),
        ] {
            assert_eq!(value(&format!("x: |+\n{tail}")), want, "{tail:?}");
        }
        let lax = Limits { allow_duplicate_keys: true, ..Limits::default() };
        let k = parse_with("k.yaml", "x: |+\n  a\n\n# c\n", lax).unwrap();
        assert_eq!(k[0].get_str("x"), Some("a\n\n"), "kustomization files take no round trip");
    }

    #[test]
    fn merge_keys_fill_in() {
        let docs = parse_documents("m.yaml", "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n").unwrap();
        let d = docs[0].get("d").unwrap();
        assert_eq!(d.get_str("x"), Some("1"));
        assert_eq!(d.get_str("y"), Some("3"));
        let e = parse_documents("m.yaml", "l: &l []\nd:\n  <<: *l\n").unwrap_err();
        assert!(e.message.contains("invalid map merge"), "{}", e.message);
        assert!(parse_documents("m.yaml", "l: &l {a: 1}\nd:\n  <<: [*l]\n").is_ok());
    }
}
