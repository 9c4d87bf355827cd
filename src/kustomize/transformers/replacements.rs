//! `replacements:` — copies a field of one resource into fields of others
//! (api/filters/replacement, api/internal/builtins/ReplacementTransformer).
//!
//! Behaviours kept from kustomize on purpose:
//! - a selected target that lacks a field path is an error unless
//!   `options.create` is set;
//! - an existing scalar keeps its type when its text is replaced (a string
//!   copied into `replicas: 1` prints as a number), a created one is typed by
//!   its new text;
//! - `[name=value]` in a target path matches `value` as an unanchored regular
//!   expression, while in a source path it must match exactly.

use crate::error::{Error, Result};
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::fieldpath::{index_number, list_index, lookup, split_path};
use crate::kustomize::kustomization::{field, field_str, is_true, Kustomization};
use crate::kustomize::loader::Loader;
use crate::kustomize::resmap::Resource;
use crate::kustomize::selector::Selector;
use crate::kustomize::trace::StepKind;
use crate::yaml::parse::resolve_plain;
use crate::yaml::{parse_documents, Node, Span, Value};

/// `options:` of a source or target.
#[derive(Clone, Debug, Default)]
struct FieldOptions {
    delimiter: String,
    index: i64,
    create: bool,
}

impl FieldOptions {
    fn from_node(node: Option<&Node>) -> FieldOptions {
        let Some(n) = node else { return FieldOptions::default() };
        FieldOptions {
            delimiter: field_str(n, "delimiter").unwrap_or("").to_string(),
            index: field_str(n, "index").and_then(|s| s.parse().ok()).unwrap_or(0),
            create: is_true(field(n, "create")),
        }
    }
}

struct Target {
    select: Selector,
    reject: Vec<Selector>,
    field_paths: Vec<String>,
    options: FieldOptions,
    span: Span,
}

struct Replacement {
    source: Selector,
    field_path: String,
    options: FieldOptions,
    targets: Vec<Target>,
    span: Span,
}

pub fn run(b: &dyn Loader, k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let Some(list) = k.field("replacements") else { return Ok(()) };
    apply_list(b, k, list, &mut acc.resources.resources)
}

/// Applies a `replacements:` list: the kustomization's field, or the same
/// list in a builtin ReplacementTransformer plugin config.
pub fn apply_list(b: &dyn Loader, k: &Kustomization, list: &Node, resources: &mut [Resource]) -> Result<()> {
    let Some(items) = list.as_seq() else {
        return Err(Error::at(&list.span, format!("replacements must be a list, found {}", list.shape())));
    };
    let mut replacements = Vec::new();
    for item in items {
        replacements.extend(load(b, k, item)?);
    }
    for r in &replacements {
        let from = apply(r, resources)?;
        b.note_from(k, StepKind::Replacements, &r.span, &from, resources);
    }
    Ok(())
}

/// One entry of `replacements:`: inline, or `path:` to a file holding one
/// replacement or a list of them.
fn load(b: &dyn Loader, k: &Kustomization, item: &Node) -> Result<Vec<Replacement>> {
    let Some(path) = field_str(item, "path").filter(|p| !p.is_empty()) else {
        return Ok(vec![parse(item)?]);
    };
    if field(item, "source").is_some() || field(item, "targets").and_then(|n| n.as_seq()).is_some_and(|s| !s.is_empty()) {
        return Err(Error::at(&item.span, "cannot specify both path and inline replacement"));
    }
    let span = field(item, "path").map(|n| n.span.clone()).unwrap_or_else(|| item.span.clone());
    let (file, bytes) = b.read_file(k, path, &span)?;
    let text = String::from_utf8(bytes).map_err(|_| Error::at(&span, format!("replacement file '{}' is not UTF-8 text", file)))?;
    let docs = parse_documents(&file, &text)?;
    let Some(doc) = docs.into_iter().next() else { return Ok(Vec::new()) };
    match &doc.value {
        Value::Seq(list) => list.iter().map(parse).collect(),
        Value::Map(_) => Ok(vec![parse(&doc)?]),
        _ => Err(Error::at(&doc.span, format!("unsupported replacement type encountered within replacement path: {}", doc.shape()))),
    }
}

fn parse(node: &Node) -> Result<Replacement> {
    let source = field(node, "source").filter(|n| n.is_map());
    let targets = field(node, "targets").and_then(|n| n.as_seq());
    let (Some(source), Some(targets)) = (source, targets) else {
        return Err(Error::at(&node.span, "replacements must specify a source and at least one target"));
    };
    let mut out = Vec::new();
    for t in targets {
        let Some(select) = field(t, "select").filter(|n| n.is_map()) else {
            return Err(Error::at(&t.span, "target must specify resources to select"));
        };
        let reject = field(t, "reject").and_then(|n| n.as_seq()).map(|s| s.iter().map(Selector::from_node).collect()).unwrap_or_default();
        let mut field_paths: Vec<String> = field(t, "fieldPaths")
            .and_then(|n| n.as_seq())
            .map(|s| s.iter().filter_map(|p| p.as_str().map(String::from)).collect())
            .unwrap_or_default();
        if field_paths.is_empty() {
            field_paths.push("metadata.name".to_string());
        }
        out.push(Target {
            select: Selector::from_node(select),
            reject,
            field_paths,
            options: FieldOptions::from_node(field(t, "options")),
            span: t.span.clone(),
        });
    }
    let field_path = field_str(source, "fieldPath").filter(|s| !s.is_empty()).unwrap_or("metadata.name").to_string();
    Ok(Replacement {
        source: Selector::from_node(source),
        field_path,
        options: FieldOptions::from_node(field(source, "options")),
        targets: out,
        span: node.span.clone(),
    })
}

/// Returns where the source value was read.
fn apply(r: &Replacement, resources: &mut [Resource]) -> Result<Span> {
    let (source, first) = source_value(r, resources)?;
    let from = first.span.clone();
    // kyaml hands the source field itself to every target field, so a write
    // into it shows in the fields set after it; a delimiter makes a copy.
    let live = r.options.delimiter.is_empty();
    let path = split_path(&r.field_path);
    let current = |resources: &[Resource]| -> Node {
        match lookup(&resources[source].node, &path) {
            Ok(Some(n)) if live => n.clone(),
            _ => first.clone(),
        }
    };
    for t in &r.targets {
        for i in 0..resources.len() {
            if !selected(t, &resources[i])? {
                continue;
            }
            for fp in &t.field_paths {
                copy_to_target(t, fp, resources, i, &current)?;
                crate::yaml::check_built_depth(&resources[i].node, &r.span, "this replacement")?;
            }
        }
    }
    Ok(from)
}

/// The selected source resource's index and the value it gives.
fn source_value(r: &Replacement, resources: &[Resource]) -> Result<(usize, Node)> {
    let mut found = resources.iter().enumerate().filter(|(_, res)| r.source.selects_resource(res));
    let Some((index, source)) = found.next() else {
        return Err(Error::at(&r.span, format!("nothing selected by {}", r.source)));
    };
    if found.next().is_some() {
        return Err(Error::at(&r.span, format!("multiple matches for selector {}", r.source)));
    }
    let path = split_path(&r.field_path);
    let node = lookup(&source.node, &path).map_err(|m| Error::at(&r.span, format!("error looking up replacement source: {}", m)))?;
    let node = match node {
        Some(n) if !is_nil_or_empty(n) => n,
        _ => return Err(Error::at(&r.span, format!("fieldPath `{}` is missing for replacement source {}", r.field_path, source.id()))),
    };
    Ok((index, refine(&r.options, node).map_err(|m| Error::at(&r.span, m))?))
}

fn is_nil_or_empty(n: &Node) -> bool {
    n.is_null() || n.as_map().is_some_and(|m| m.is_empty()) || n.as_seq().is_some_and(|s| s.is_empty())
}

/// The part of a source value that `delimiter`/`index` pick.
fn refine(options: &FieldOptions, node: &Node) -> std::result::Result<Node, String> {
    if options.delimiter.is_empty() {
        return Ok(node.clone());
    }
    let Some(scalar) = node.as_scalar() else { return Err("delimiter option can only be used with scalar nodes".to_string()) };
    let parts: Vec<&str> = scalar.text.split(options.delimiter.as_str()).collect();
    if options.index < 0 || options.index as usize >= parts.len() {
        return Err(format!("options.index {} is out of bounds for value {}", options.index, scalar.text));
    }
    let mut out = node.clone();
    if let Value::Scalar(s) = &mut out.value {
        s.text = parts[options.index as usize].to_string();
    }
    Ok(out)
}

fn selected(t: &Target, res: &Resource) -> Result<bool> {
    if !t.select.matches_metadata(res, &t.span)? {
        return Ok(false);
    }
    for reject in &t.reject {
        let by_meta = !reject.label_selector.is_empty() || !reject.annotation_selector.is_empty();
        if by_meta && reject.matches_metadata(res, &t.span)? {
            return Ok(false);
        }
    }
    if !t.select.selects_resource(res) {
        return Ok(false);
    }
    let rejected = t.reject.iter().filter(|r| r.has_id()).any(|r| r.selects_resource(res));
    Ok(!rejected)
}

/// Finds (or creates) every field `fp` names in resource `target`, then
/// sets each in turn to the source's value as it is at that moment.
fn copy_to_target(t: &Target, fp: &str, resources: &mut [Resource], target: usize, current: &dyn Fn(&[Resource]) -> Node) -> Result<()> {
    let path = split_path(fp);
    let create = t.options.create;
    let missing = || {
        let what = if create { "unable to find or create field" } else { "unable to find field" };
        format!("{} \"{}\" in replacement target", what, fp)
    };
    let creating = if create { Some(shape_of(&current(resources))) } else { None };
    let hits = match_path(&mut resources[target].node, &path, creating).map_err(|m| Error::at(&t.span, format!("{}: {}", missing(), m)))?;
    if hits.is_empty() {
        return Err(Error::at(&t.span, missing()));
    }
    for hit in hits.iter().filter(|h| !h.detached) {
        let value = current(resources);
        let Some(field) = field_at(&mut resources[target].node, &hit.trail) else { continue };
        set_field(&t.options, field, &value, hit.fresh).map_err(|m| Error::at(&t.span, m))?;
    }
    Ok(())
}

/// One step from a node to a child.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// A field a target path matched: where it is, whether it was just
/// created, and whether it lies inside a scalar (kyaml "creates" it there,
/// out of sight: it counts as found but nothing changes).
struct Hit {
    trail: Vec<Step>,
    fresh: bool,
    detached: bool,
}

fn field_at<'a>(node: &'a mut Node, trail: &[Step]) -> Option<&'a mut Node> {
    trail.iter().try_fold(node, |n, step| match step {
        Step::Key(k) => n.get_mut(k),
        Step::Index(i) => n.as_seq_mut().and_then(|s| s.get_mut(*i)),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Scalar,
    Map,
    Seq,
}

fn shape_of(n: &Node) -> Shape {
    match n.value {
        Value::Scalar(_) => Shape::Scalar,
        Value::Map(_) => Shape::Map,
        Value::Seq(_) => Shape::Seq,
    }
}

fn set_field(options: &FieldOptions, field: &mut Node, value: &Node, fresh: bool) -> std::result::Result<(), String> {
    let mut value = value.clone();
    if !options.delimiter.is_empty() {
        let Some(target) = field.as_scalar() else { return Err("delimiter option can only be used with scalar nodes".to_string()) };
        let mut parts: Vec<String> = target.text.split(options.delimiter.as_str()).map(String::from).collect();
        let v = value.as_str().unwrap_or("").to_string();
        if options.index < 0 {
            parts.insert(0, v);
        } else if options.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[options.index as usize] = v;
        }
        let joined = parts.join(&options.delimiter);
        match &mut value.value {
            Value::Scalar(s) => s.text = joined,
            _ => value = Node::string(joined, value.span.clone()),
        }
    }
    let text = value.as_str().map(String::from);
    match &mut field.value {
        Value::Scalar(s) if !fresh && s.kind != crate::yaml::Kind::Null => {
            // kyaml replaces only the text: the target keeps its type, and
            // kustomize fails later when the text does not fit it.
            let t = text.unwrap_or_default();
            check_fits(s.kind, &t)?;
            s.text = t;
        }
        Value::Scalar(_) => {
            // A new (or null) node has no type yet: its text decides.
            let t = text.unwrap_or_default();
            let kind = resolve_plain(&t);
            *field = Node::scalar(t, kind, value.span.clone());
        }
        _ => *field = value,
    }
    Ok(())
}

/// A typed scalar given new text must still read as its type, or kustomize
/// cannot decode it when it writes the object out.
fn check_fits(kind: crate::yaml::Kind, text: &str) -> std::result::Result<(), String> {
    use crate::yaml::Kind;
    let actual = resolve_plain(text);
    let fits = match kind {
        Kind::Int => actual == Kind::Int,
        Kind::Float => matches!(actual, Kind::Int | Kind::Float),
        Kind::Bool => actual == Kind::Bool,
        Kind::Str | Kind::Null | Kind::Timestamp => true,
    };
    let tag = |k: Kind| match k {
        Kind::Str => "!!str",
        Kind::Int => "!!int",
        Kind::Float => "!!float",
        Kind::Bool => "!!bool",
        Kind::Null => "!!null",
        Kind::Timestamp => "!!timestamp",
    };
    if fits {
        Ok(())
    } else {
        Err(format!("cannot decode {} `{}` as a {}", tag(actual), text, tag(kind)))
    }
}

/// Target matching (kyaml's PathMatcher): every field the path names,
/// creating what is missing when `create` gives the shape of the value.
fn match_path(node: &mut Node, path: &[String], create: Option<Shape>) -> std::result::Result<Vec<Hit>, String> {
    let mut walker = Walker { create, trail: Vec::new(), hits: Vec::new() };
    walker.walk(node, path, false, false)?;
    Ok(walker.hits)
}

fn fresh_node(next: Option<&String>, create: Shape, span: &Span) -> Node {
    let kind = match next {
        Some(p) if index_number(p).is_some() || (p.starts_with('[') && p.ends_with(']')) => Shape::Seq,
        Some(_) => Shape::Map,
        None => create,
    };
    match kind {
        Shape::Seq => Node::seq(Vec::new(), span.clone()),
        Shape::Map => Node::map(span.clone()),
        // kyaml's new scalar has no value yet: empty text, not `null`.
        Shape::Scalar => Node::scalar("", crate::yaml::Kind::Null, span.clone()),
    }
}

struct Walker {
    create: Option<Shape>,
    trail: Vec<Step>,
    hits: Vec<Hit>,
}

impl Walker {
    fn step(&mut self, step: Step, node: &mut Node, rest: &[String], fresh: bool, detached: bool) -> std::result::Result<(), String> {
        self.trail.push(step);
        let result = self.walk(node, rest, fresh, detached);
        self.trail.pop();
        result
    }

    fn walk(&mut self, node: &mut Node, path: &[String], fresh: bool, detached: bool) -> std::result::Result<(), String> {
        let Some((part, rest)) = path.split_first() else {
            self.hits.push(Hit { trail: self.trail.clone(), fresh, detached });
            return Ok(());
        };
        let span = node.span.clone();
        if let Some(idx) = index_number(part) {
            let Some(items) = node.as_seq_mut() else { return Err(format!("expected a list at '{}', found {}", part, node.shape())) };
            let mut created = false;
            if let Some(c) = self.create.filter(|_| items.len() == idx) {
                items.push(fresh_node(rest.first(), c, &span));
                created = true;
            }
            let len = items.len();
            let Some(item) = items.get_mut(idx) else { return Err(format!("index {} specified but only {} elements found", idx, len)) };
            return self.step(Step::Index(idx), item, rest, created, detached);
        }
        if part.starts_with('[') && part.ends_with(']') {
            return self.walk_matching(node, part, rest, detached);
        }
        if part == "*" {
            let Some(items) = node.as_seq_mut() else { return Ok(()) };
            for (i, item) in items.iter_mut().enumerate() {
                self.step(Step::Index(i), item, rest, false, detached)?;
            }
            return Ok(());
        }
        if !node.is_map() {
            // kyaml "creates" the field inside a scalar (even null) where no
            // output shows it: the target counts as found and stays unchanged.
            if let (Some(c), Some(_)) = (self.create, node.as_scalar()) {
                let mut hidden = fresh_node(rest.first(), c, &span);
                return self.step(Step::Key(part.clone()), &mut hidden, rest, true, true);
            }
            return Ok(());
        }
        let mut created = false;
        if node.get(part).is_none() {
            let Some(c) = self.create else { return Ok(()) };
            node.set(part, fresh_node(rest.first(), c, &span));
            created = true;
        }
        match node.get_mut(part) {
            Some(field) => self.step(Step::Key(part.clone()), field, rest, created, detached),
            None => Ok(()),
        }
    }

    /// `[k=v]`: every list element whose `k` (or, for `[=v]`, whose own
    /// value) matches the regular expression `v`; created when none does.
    fn walk_matching(&mut self, node: &mut Node, part: &str, rest: &[String], detached: bool) -> std::result::Result<(), String> {
        let Some((key, pattern)) = list_index(part).filter(|_| part.contains('=')) else {
            return Err("list path element must contain fieldName=fieldValue for element to match".to_string());
        };
        let span = node.span.clone();
        let Some(items) = node.as_seq_mut() else { return Ok(()) };
        // kyaml compiles the value as a Go regular expression, unanchored.
        let re = regex_lite::Regex::new(pattern).map_err(|e| format!("invalid regular expression '{}': {}", pattern, e))?;
        let matches = |item: &Node| -> bool {
            let text = if key.is_empty() { item.as_str() } else { item.get(key).and_then(|v| v.as_str()) };
            text.is_some_and(|t| re.is_match(t.trim()))
        };
        if !items.iter().any(matches) {
            if self.create.is_none() {
                return Ok(());
            }
            let value = Node::string(pattern, span.clone());
            let elem = if key.is_empty() {
                value
            } else {
                let mut m = Node::map(span.clone());
                m.set(key, value);
                m
            };
            items.push(elem);
        }
        for (i, item) in items.iter_mut().enumerate() {
            if matches(item) {
                self.step(Step::Index(i), item, rest, false, detached)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    fn yaml(s: &str) -> Node {
        parse_single("t.yaml", s).unwrap().unwrap()
    }

    #[test]
    fn paths_split_like_kyaml() {
        assert_eq!(split_path("spec.containers.[name=a.b].image"), vec!["spec", "containers", "[name=a.b]", "image"]);
        assert_eq!(split_path("metadata.annotations.[a.b/c]"), vec!["metadata", "annotations", "a.b/c"]);
        assert_eq!(split_path("data.a\\.b"), vec!["data", "a.b"]);
    }

    #[test]
    fn existing_scalars_keep_type_created_ones_resolve() {
        let mut resources = vec![Resource::new(yaml("spec:\n  replicas: 1\n"))];
        let value = |_: &[Resource]| Node::string("3", Span::default());
        let t = Target {
            select: Selector::default(),
            reject: vec![],
            field_paths: vec![],
            options: FieldOptions { create: true, ..Default::default() },
            span: Span::default(),
        };
        copy_to_target(&t, "spec.replicas", &mut resources, 0, &value).unwrap();
        copy_to_target(&t, "spec.x.y", &mut resources, 0, &value).unwrap();
        let node = &resources[0].node;
        let r = node.path(&["spec", "replicas"]).unwrap().as_scalar().unwrap();
        assert_eq!((r.text.as_str(), r.kind), ("3", crate::yaml::Kind::Int));
        let y = node.path(&["spec", "x", "y"]).unwrap().as_scalar().unwrap();
        assert_eq!((y.text.as_str(), y.kind), ("3", crate::yaml::Kind::Int));
    }

    #[test]
    fn delimiters() {
        let opts = FieldOptions { delimiter: "-".into(), index: 1, create: false };
        let v = refine(&opts, &Node::string("a-b-c", Span::default())).unwrap();
        assert_eq!(v.as_str(), Some("b"));
        let mut field = Node::string("x-y", Span::default());
        set_field(&FieldOptions { delimiter: "-".into(), index: 5, create: false }, &mut field, &Node::string("z", Span::default()), false)
            .unwrap();
        assert_eq!(field.as_str(), Some("x-y-z"));
    }
}
