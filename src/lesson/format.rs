//! The lesson file (issue 18): `id`, `title`, `intro` (markdown), `mode`,
//! `start` (path → content), `editable` (globs), `checks`, `hints`,
//! `solution` (path → content; `null` deletes), and `variants` (hidden
//! trees the same checks also run on). Every error names the file, line and
//! column of the field at fault: other people write lessons.

use crate::error::{Error, Result};
use crate::yaml::{Node, Span, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `kubectl kustomize`'s rules: LoadRestrictionsRootOnly.
    Kustomize,
    /// kustomize-controller's rules: a generated kustomization where there
    /// is none, no load restrictor, Flux Kustomizations reconciled.
    Flux,
}

#[derive(Clone, Debug)]
pub struct Lesson {
    /// The lesson file, as given to `parse`.
    pub file: String,
    pub id: String,
    pub title: String,
    pub intro: String,
    pub mode: Mode,
    /// Relative path → content.
    pub start: BTreeMap<String, String>,
    pub editable: Vec<String>,
    pub checks: Vec<Check>,
    pub hints: Vec<String>,
    /// Relative path → new content, `None` to delete the file.
    pub solution: BTreeMap<String, Option<String>>,
    pub variants: Vec<Variant>,
}

/// A hidden tree the checks also run on, so that an answer hard-coded to
/// the visible tree fails: `files` are laid over the learner's tree (and
/// over the start and the solution when verifying), and each `substitute`
/// pair replaces text in the checks' strings (`prod-` → `qa-`).
#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub files: BTreeMap<String, Option<String>>,
    pub substitute: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub kind: CheckKind,
    /// Shown instead of the engine's reason when the check fails.
    pub message: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum CheckKind {
    BuildOk(String),
    BuildError {
        env: String,
        contains: String,
    },
    /// `object: {env, kind, name}`; `name` matches the name the object was
    /// declared with (before prefixes, suffixes and hashes) or its final one.
    Object {
        env: String,
        kind: String,
        name: Option<String>,
        expect: Expect,
    },
    Unchanged(String),
    DiffersOnly {
        from: String,
        to: String,
        paths: Vec<String>,
    },
    ChangedFiles(Vec<String>),
    PatchMatches {
        env: Option<String>,
        file: String,
        at_least: usize,
    },
    RefsResolve(String),
    FluxReady {
        cluster: Option<String>,
        kustomization: String,
    },
    AppliedBefore {
        cluster: Option<String>,
        first: String,
        then: String,
    },
    /// Going from the start tree to this one deletes nothing from the
    /// cluster directory given: no prune, no move that a prune may race.
    PrunesNothing(String),
}

#[derive(Clone, Debug)]
pub enum Expect {
    /// The object exists (no `eq`, `absent` or `count`).
    Exists,
    Eq {
        path: String,
        value: Node,
    },
    /// The field exists and differs from `value` (a generated name that
    /// kept its hash, an image that moved on).
    Ne {
        path: String,
        value: Node,
    },
    Absent(String),
    /// How many objects of `kind` (the object's kind when not given) the
    /// environment renders, with `name` too when the object has one.
    Count {
        kind: Option<String>,
        equals: usize,
    },
}

/// Reads a lesson file. `file` is the name errors give.
pub fn parse(file: &str, text: &str) -> Result<Lesson> {
    let doc = crate::yaml::parse_single(file, text)?.ok_or_else(|| Error::in_file(file, "the lesson file is empty"))?;
    let entries = doc
        .as_map()
        .ok_or_else(|| Error::at(&doc.span, "a lesson is a mapping (id, title, intro, mode, start, editable, checks, hints, solution)"))?;
    const KEYS: [&str; 11] = ["id", "title", "intro", "mode", "start", "editable", "checks", "hints", "solution", "variants", "cluster"];
    for (k, _) in entries {
        let name = k.as_str().unwrap_or("");
        if !KEYS.contains(&name) {
            return Err(Error::at(&k.span, format!("unknown lesson field '{}' (expected one of {})", name, KEYS.join(", "))));
        }
    }
    let need = |key: &str| doc.get(key).ok_or_else(|| Error::at(&doc.span, format!("the lesson has no '{}'", key)));
    let id = string(need("id")?, "id")?;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::at(&need("id")?.span, "id: letters, digits and '-' only (it names the lesson in links)"));
    }
    let mode = match doc.get("mode") {
        None => Mode::Kustomize,
        Some(n) => match n.as_str() {
            Some("kustomize") => Mode::Kustomize,
            Some("flux") => Mode::Flux,
            _ => return Err(Error::at(&n.span, "mode: kustomize or flux")),
        },
    };
    let start = files(need("start")?, "start")?.into_iter().map(|(p, t)| (p, t.unwrap_or_default())).collect();
    let editable = match doc.get("editable") {
        Some(n) => strings(n, "editable")?,
        None => Vec::new(),
    };
    let cluster = doc.get("cluster").map(|n| string(n, "cluster")).transpose()?;
    let checks_node = need("checks")?;
    let list = checks_node.as_seq().ok_or_else(|| Error::at(&checks_node.span, "checks: a list of checks"))?;
    if list.is_empty() {
        return Err(Error::at(&checks_node.span, "checks: a lesson needs at least one check"));
    }
    let checks = list.iter().map(|c| check(c, mode, cluster.as_deref())).collect::<Result<Vec<_>>>()?;
    let hints = match doc.get("hints") {
        Some(n) => strings(n, "hints")?,
        None => Vec::new(),
    };
    let solution = files(need("solution")?, "solution")?;
    let mut variants = Vec::new();
    if let Some(n) = doc.get("variants") {
        let list = n.as_seq().ok_or_else(|| Error::at(&n.span, "variants: a list of {name, files, substitute}"))?;
        for v in list {
            let name = string(v.get("name").ok_or_else(|| Error::at(&v.span, "a variant needs a name"))?, "name")?;
            let files = match v.get("files") {
                Some(f) => files(f, "files")?,
                None => BTreeMap::new(),
            };
            let mut substitute = Vec::new();
            if let Some(s) = v.get("substitute") {
                let pairs = s.as_map().ok_or_else(|| Error::at(&s.span, "substitute: a mapping of text → replacement"))?;
                for (k, val) in pairs {
                    substitute.push((string(k, "substitute")?, string(val, "substitute")?));
                }
            }
            variants.push(Variant { name, files, substitute });
        }
    }
    Ok(Lesson {
        file: file.to_string(),
        id,
        title: string(need("title")?, "title")?,
        intro: doc.get("intro").map(|n| string(n, "intro")).transpose()?.unwrap_or_default(),
        mode,
        start,
        editable,
        checks,
        hints,
        solution,
        variants,
    })
}

fn string(n: &Node, what: &str) -> Result<String> {
    match &n.value {
        Value::Scalar(s) if !n.is_null() => Ok(s.text.clone()),
        _ => Err(Error::at(&n.span, format!("{}: expected text, found {}", what, n.shape()))),
    }
}

fn strings(n: &Node, what: &str) -> Result<Vec<String>> {
    match &n.value {
        Value::Seq(items) => items.iter().map(|i| string(i, what)).collect(),
        Value::Scalar(_) if !n.is_null() => Ok(vec![string(n, what)?]),
        _ => Err(Error::at(&n.span, format!("{}: expected a list of text, found {}", what, n.shape()))),
    }
}

/// `path: content` pairs; paths relative, without `..`.
fn files(n: &Node, what: &str) -> Result<BTreeMap<String, Option<String>>> {
    let entries = n.as_map().ok_or_else(|| Error::at(&n.span, format!("{}: a mapping of file path → content", what)))?;
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        let path = string(k, what)?;
        if path.starts_with('/') || path.split('/').any(|p| p == ".." || p == "." || p.is_empty()) {
            return Err(Error::at(&k.span, format!("{}: '{}' must be a relative path without '.' or '..'", what, path)));
        }
        let content = if v.is_null() { None } else { Some(string(v, what)?) };
        if out.insert(path.clone(), content).is_some() {
            return Err(Error::at(&k.span, format!("{}: '{}' is given twice", what, path)));
        }
    }
    Ok(out)
}

const CHECK_KEYS: [&str; 12] = [
    "build_ok",
    "build_error",
    "object",
    "unchanged",
    "differs_only",
    "changed_files",
    "patch_matches",
    "refs_resolve",
    "flux_ready",
    "applied_before",
    "prunes_nothing",
    "message",
];

fn check(n: &Node, mode: Mode, cluster: Option<&str>) -> Result<Check> {
    let entries = n.as_map().ok_or_else(|| Error::at(&n.span, "a check is a mapping such as `build_ok: overlays/production`"))?;
    let message = n.get("message").map(|m| string(m, "message")).transpose()?;
    let modifiers = ["eq", "ne", "absent", "count"];
    let mut kind = None;
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        if key == "message" || modifiers.contains(&key) {
            continue;
        }
        if !CHECK_KEYS.contains(&key) {
            return Err(Error::at(&k.span, format!("unknown check '{}' (expected one of {})", key, CHECK_KEYS[..11].join(", "))));
        }
        if kind.is_some() {
            return Err(Error::at(
                &k.span,
                format!("one check per list item: '{}' starts another (write it as its own `- {}: …`)", key, key),
            ));
        }
        kind = Some(check_kind(key, v, n, mode, cluster)?);
    }
    let kind = kind.ok_or_else(|| Error::at(&n.span, format!("the check names no check (one of {})", CHECK_KEYS[..11].join(", "))))?;
    if !matches!(kind, CheckKind::Object { .. }) {
        if let Some((k, _)) = entries.iter().find(|(k, _)| modifiers.contains(&k.as_str().unwrap_or(""))) {
            return Err(Error::at(&k.span, format!("'{}' belongs to an `object:` check", k.as_str().unwrap_or(""))));
        }
    }
    Ok(Check { kind, message, span: n.span.clone() })
}

fn field<'a>(n: &'a Node, key: &str, what: &str) -> Result<&'a Node> {
    n.get(key).ok_or_else(|| Error::at(&n.span, format!("{}: needs '{}'", what, key)))
}

fn check_kind(key: &str, v: &Node, whole: &Node, mode: Mode, cluster: Option<&str>) -> Result<CheckKind> {
    let text = |k: &str| -> Result<String> { string(field(v, k, key)?, k) };
    let flux_only = || -> Result<()> {
        if mode != Mode::Flux {
            return Err(Error::at(&v.span, format!("{}: only for `mode: flux` lessons", key)));
        }
        Ok(())
    };
    Ok(match key {
        "build_ok" => CheckKind::BuildOk(string(v, key)?),
        "build_error" => CheckKind::BuildError { env: text("env")?, contains: text("contains")? },
        "unchanged" => CheckKind::Unchanged(string(v, key)?),
        "refs_resolve" => CheckKind::RefsResolve(string(v, key)?),
        "changed_files" => CheckKind::ChangedFiles(strings(v, key)?),
        "differs_only" => {
            let paths = field(v, "paths", key)?;
            let list = match paths.as_seq() {
                Some(items) => items
                    .iter()
                    .map(|p| {
                        let t = string(p, "paths")?;
                        crate::diff::IgnoreRule::parse(&t).map_err(|e| Error::at(&p.span, e))?;
                        Ok(t)
                    })
                    .collect::<Result<Vec<_>>>()?,
                None => return Err(Error::at(&paths.span, "paths: a list of field paths")),
            };
            CheckKind::DiffersOnly { from: text("from")?, to: text("to")?, paths: list }
        }
        "patch_matches" => {
            let at_least = match v.get("at_least") {
                Some(n) => count(n, "at_least")?,
                None => 1,
            };
            CheckKind::PatchMatches { env: v.get("env").map(|e| string(e, "env")).transpose()?, file: text("file")?, at_least }
        }
        "flux_ready" => {
            flux_only()?;
            CheckKind::FluxReady { cluster: cluster.map(String::from), kustomization: string(v, key)? }
        }
        "applied_before" => {
            flux_only()?;
            CheckKind::AppliedBefore { cluster: cluster.map(String::from), first: text("first")?, then: text("then")? }
        }
        "prunes_nothing" => {
            flux_only()?;
            CheckKind::PrunesNothing(string(v, key)?)
        }
        "object" => {
            let name = v.get("name").map(|n| string(n, "name")).transpose()?;
            let mut expect = Expect::Exists;
            let mut set = |e: Expect, at: &Node| -> Result<()> {
                if !matches!(expect, Expect::Exists) {
                    return Err(Error::at(
                        &at.span,
                        "an object check takes one of eq, ne, absent and count; write another check for the next",
                    ));
                }
                expect = e;
                Ok(())
            };
            if let Some(eq) = whole.get("eq") {
                set(Expect::Eq { path: text_of(eq, "path")?, value: field(eq, "value", "eq")?.clone() }, eq)?;
            }
            if let Some(ne) = whole.get("ne") {
                set(Expect::Ne { path: path(field(ne, "path", "ne")?)?, value: field(ne, "value", "ne")?.clone() }, ne)?;
            }
            if let Some(a) = whole.get("absent") {
                set(Expect::Absent(path(a)?), a)?;
            }
            if let Some(c) = whole.get("count") {
                let kind = c.get("kind").map(|k| string(k, "kind")).transpose()?;
                set(Expect::Count { kind, equals: count(field(c, "equals", "count")?, "equals")? }, c)?;
            }
            let kind = match v.get("kind") {
                Some(k) => string(k, "kind")?,
                None if matches!(expect, Expect::Count { kind: Some(_), .. }) => String::new(),
                None => return Err(Error::at(&v.span, "object: needs 'kind'")),
            };
            if name.is_none() && !matches!(expect, Expect::Count { .. }) {
                return Err(Error::at(&v.span, "object: needs 'name' (only a count may leave it out)"));
            }
            CheckKind::Object { env: text("env")?, kind, name, expect }
        }
        _ => unreachable!("keys are checked against CHECK_KEYS"),
    })
}

fn text_of(n: &Node, key: &str) -> Result<String> {
    let f = field(n, key, "eq")?;
    path(f)
}

/// A field path, read now so that a typo is reported where it is written.
fn path(n: &Node) -> Result<String> {
    let text = string(n, "path")?;
    if text.contains('*') {
        return Err(Error::at(&n.span, format!("path '{}': '*' names no one field", text)));
    }
    crate::diff::IgnoreRule::parse(&text).map_err(|e| Error::at(&n.span, e.replacen("ignore rule", "path", 1)))?;
    Ok(text)
}

fn count(n: &Node, what: &str) -> Result<usize> {
    n.as_str()
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(|| Error::at(&n.span, format!("{}: expected a whole number, found {}", what, n.shape())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "id: x\ntitle: X\nstart:\n  a/kustomization.yaml: |\n    resources: []\nchecks:\n- build_ok: a\nsolution: {}\n";

    #[test]
    fn a_minimal_lesson_reads() {
        let l = parse("/l.yaml", MINIMAL).unwrap();
        assert_eq!(l.id, "x");
        assert_eq!(l.mode, Mode::Kustomize);
        assert_eq!(l.start["a/kustomization.yaml"], "resources: []\n");
        assert!(matches!(&l.checks[0].kind, CheckKind::BuildOk(e) if e == "a"));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = parse("/l.yaml", &MINIMAL.replace("- build_ok: a", "- bulid_ok: a")).unwrap_err();
        assert_eq!(e.to_string().split(": ").next().unwrap(), "/l.yaml:7:3");
        assert!(e.message.contains("unknown check 'bulid_ok'"), "{}", e.message);
        let e = parse("/l.yaml", &MINIMAL.replace("- build_ok: a", "- object: {env: a, kind: Deployment}")).unwrap_err();
        assert!(e.message.contains("needs 'name'"), "{}", e);
        assert_eq!(e.span.unwrap().line, 7);
        let e = parse("/l.yaml", &MINIMAL.replace("- build_ok: a", "- flux_ready: apps")).unwrap_err();
        assert!(e.message.contains("only for `mode: flux`"), "{}", e);
        let e = parse("/l.yaml", &MINIMAL.replace("solution: {}", "solution:\n  ../x: y")).unwrap_err();
        assert_eq!((e.span.as_ref().unwrap().line, e.span.as_ref().unwrap().col), (9, 3), "{}", e);
        let e = parse("/l.yaml", &format!("{}colour: red\n", MINIMAL)).unwrap_err();
        assert!(e.to_string().starts_with("/l.yaml:9:1: unknown lesson field 'colour'"), "{}", e);
        let e = parse(
            "/l.yaml",
            &MINIMAL.replace(
                "- build_ok: a",
                "- object: {env: a, kind: Deployment, name: web}\n  eq: {path: \"spec.containers[name=web\", value: 1}",
            ),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("/l.yaml:8:14: path 'spec.containers[name=web': unclosed '['"), "{}", e);
        assert!(parse("/l.yaml", "").is_err());
        assert!(parse("/l.yaml", "- a\n").is_err());
    }
}
