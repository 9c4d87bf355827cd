//! The house rules of `src/`, checked from the code itself (ARCHITECTURE.md
//! states them): which layer may import which, and no import circles between
//! the files of the engine.
//!
//! Read as text: `use crate::…`/`use super::…` trees and inline `crate::…`
//! paths outside `#[cfg(test)]` modules. A path is charged to the file that
//! defines its longest module prefix; names a `mod.rs` or `lib.rs` re-exports
//! (`pub use x::Y`) are charged to the file that defines them, because a
//! facade's re-export is not a dependency of the facade's own code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom of the house up. A module may import
/// from its own rank or below, never above: `yaml` knows nothing of the
/// kustomize pipeline, the pipeline nothing of Flux, diffs or promotion, and
/// no part of the engine knows the faces.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("span", 0),
    ("limits", 0),
    ("fs", 1),
    ("yaml", 2),
    ("kustomize", 3),
    ("env", 4),
    ("memo", 4),
    ("fuzzing", 4),
    ("diff", 4),
    ("flux", 5),
    ("promote", 5),
    ("review", 6),
    ("lesson", 6),
    ("explain", 6),
    ("wasm", 9),
];

/// Pairs of the same rank that must still not meet. A promotion may ask
/// Flux what it would prune once it lands; Flux knows nothing of promotion.
const NEVER: &[(&str, &str)] = &[("diff", "flux"), ("diff", "promote"), ("flux", "promote")];

struct Module {
    /// `kustomize::transformers::labels`; empty for lib.rs.
    path: String,
    file: PathBuf,
    is_dir_module: bool,
    text: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn modules() -> Vec<Module> {
    let mut out = Vec::new();
    collect(&src_dir(), &mut Vec::new(), &mut out);
    out
}

fn collect(dir: &Path, prefix: &mut Vec<String>, out: &mut Vec<Module>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if prefix.is_empty() && name == "bin" {
                continue; // the CLI is another crate: it sees only `overlay::`
            }
            prefix.push(name);
            collect(&path, prefix, out);
            prefix.pop();
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let is_dir_module = stem == "mod" || (prefix.is_empty() && stem == "lib");
            let mut parts = prefix.clone();
            if !is_dir_module {
                parts.push(stem.to_string());
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.push(Module { path: parts.join("::"), file: path, is_dir_module, text });
        }
    }
}

/// The code without comments, string literals and `#[cfg(test)]` modules.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map(|e| i + 2 + e + 2).unwrap_or(b.len());
            i = end;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // a char literal ('"', '\n'); lifetimes ('a) are left alone
            let end = text[i + 1..].find('\'').map(|e| i + 1 + e + 1).unwrap_or(b.len());
            i = end;
            out.push_str("' '");
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    strip_test_modules(&out)
}

fn strip_test_modules(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find(['{', ';']) else { break };
        if after.as_bytes()[open] == b';' {
            rest = &after[open + 1..];
            continue;
        }
        let mut depth = 0;
        let mut end = after.len();
        for (k, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every `use` tree of the code, expanded to full paths (`a::b::C`), each
/// with whether it was a `pub use` (a re-export).
fn use_paths(code: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let before = rest[..at].trim_end();
        let is_pub = before.ends_with("pub") || before.ends_with(')') && before.contains("pub(");
        let after = &rest[at + 3..];
        let end = after.find(';').unwrap_or(after.len());
        let tree: String = after[..end].chars().filter(|c| !c.is_whitespace()).collect();
        for path in expand(&tree) {
            out.push((path, is_pub));
        }
        rest = &after[end..];
    }
    out
}

fn find_word(s: &str, word: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(k) = s[from..].find(word) {
        let at = from + k;
        let ok_before = at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_');
        let next = b.get(at + word.len()).copied().unwrap_or(b' ');
        if ok_before && next.is_ascii_whitespace() {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else { return vec![tree.split(" as ").next().unwrap_or(tree).to_string()] };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (k, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(expand)
        .map(|p| if p == "self" { prefix.trim_end_matches("::").to_string() } else { format!("{}{}", prefix, p) })
        .collect()
}

/// Inline paths in the code outside `use` statements: `crate::fs::join(…)`,
/// `super::cluster::WALK_BUDGET`.
fn inline_paths(code: &str) -> Vec<String> {
    let mut out = inline_paths_from(&without_uses(code), "crate::");
    out.extend(inline_paths_from(&without_uses(code), "super::"));
    out
}

fn without_uses(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        rest = &after[after.find(';').map(|e| e + 1).unwrap_or(after.len())..];
    }
    out.push_str(rest);
    out
}

fn inline_paths_from(code: &str, root: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(k) = code[from..].find(root) {
        let at = from + k;
        let ok_before = at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_' || b[at - 1] == b':');
        let mut end = at;
        while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_' || b[end] == b':') {
            end += 1;
        }
        if ok_before {
            out.push(code[at..end].trim_end_matches(':').to_string());
        }
        from = end.max(at + 1);
    }
    out
}

struct House {
    modules: Vec<Module>,
    by_path: BTreeMap<String, usize>,
    /// `yaml::Node` → the module that defines it (`yaml::node`), from the
    /// re-exports of directory modules and lib.rs.
    reexports: BTreeMap<String, String>,
}

impl House {
    fn new() -> House {
        let modules = modules();
        let by_path = modules.iter().enumerate().map(|(i, m)| (m.path.clone(), i)).collect();
        let mut house = House { modules, by_path, reexports: BTreeMap::new() };
        for i in 0..house.modules.len() {
            if !house.modules[i].is_dir_module {
                continue;
            }
            let code = code_of(&house.modules[i].text);
            for (path, is_pub) in use_paths(&code) {
                if !is_pub {
                    continue;
                }
                if let Some(full) = house.absolute(i, &path) {
                    let name = full.rsplit("::").next().unwrap().to_string();
                    let here = &house.modules[i].path;
                    let alias = if here.is_empty() { name } else { format!("{}::{}", here, name) };
                    house.reexports.insert(alias, full);
                }
            }
        }
        house
    }

    /// `super::x`, `self::x`, `crate::x` or a child module's `x::y`, made
    /// absolute (without `crate::`); `None` for other crates.
    fn absolute(&self, from: usize, path: &str) -> Option<String> {
        let m = &self.modules[from];
        let mut here: Vec<&str> = if m.path.is_empty() { vec![] } else { m.path.split("::").collect() };
        let mut segments: Vec<&str> = path.split("::").collect();
        match segments[0] {
            "crate" => {
                here.clear();
                segments.remove(0);
            }
            "self" => {
                segments.remove(0);
            }
            "super" => {
                while segments.first() == Some(&"super") {
                    segments.remove(0);
                    here.pop();
                }
            }
            first => {
                // `use child::X` from a directory module names a child;
                // anything else is another crate (std, serde, …)
                let child = if m.path.is_empty() { first.to_string() } else { format!("{}::{}", m.path, first) };
                if !self.by_path.keys().any(|k| *k == child || k.starts_with(&format!("{}::", child))) {
                    return None;
                }
            }
        }
        let all = here.into_iter().chain(segments).filter(|s| *s != "*");
        Some(all.collect::<Vec<_>>().join("::"))
    }

    /// The file that defines what `path` (absolute) names.
    fn target(&self, path: &str) -> Option<usize> {
        let mut path = path.to_string();
        for _ in 0..8 {
            if let Some(to) = self.reexports.get(&path) {
                path = to.clone();
                continue;
            }
            break;
        }
        let mut parts: Vec<&str> = path.split("::").collect();
        while !parts.is_empty() {
            let candidate = parts.join("::");
            if let Some(&i) = self.by_path.get(&candidate) {
                // A name defined in a directory module but re-exported from a
                // child was resolved above; what is left is defined here.
                return Some(i);
            }
            let alias = parts.join("::");
            if let Some(to) = self.reexports.get(&alias) {
                return self.target(to);
            }
            parts.pop();
        }
        self.by_path.get("").copied()
    }

    /// Every file's imports of other files of the crate.
    fn edges(&self) -> BTreeMap<usize, BTreeSet<usize>> {
        let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for (i, m) in self.modules.iter().enumerate() {
            let code = code_of(&m.text);
            let mut paths: Vec<String> = use_paths(&code)
                .into_iter()
                .filter(|(_, is_pub)| !(m.is_dir_module && *is_pub))
                .filter_map(|(p, _)| self.absolute(i, &p))
                .collect();
            paths.extend(inline_paths(&code).iter().filter_map(|p| self.absolute(i, p)));
            // Paths through an imported module (`use super::transformers;`
            // then `transformers::labels::f()`).
            // A module's own children are in scope without a `use`.
            let children = self.by_path.keys().filter(|k| {
                let rest = if m.path.is_empty() { Some(k.as_str()) } else { k.strip_prefix(&format!("{}::", m.path)) };
                rest.is_some_and(|r| !r.is_empty() && !r.contains("::"))
            });
            let imported: Vec<String> = paths.iter().filter(|p| self.by_path.contains_key(*p)).cloned().chain(children.cloned()).collect();
            let bare = without_uses(&code);
            for module in imported {
                let name = module.rsplit("::").next().unwrap().to_string();
                for inline in inline_paths_from(&bare, &format!("{}::", name)) {
                    paths.push(format!("{}{}", module, &inline[name.len()..]));
                }
            }
            for p in paths {
                if let Some(t) = self.target(&p) {
                    if t != i && !self.modules[t].path.is_empty() {
                        edges.entry(i).or_default().insert(t);
                    }
                }
            }
        }
        edges
    }

    fn name(&self, i: usize) -> String {
        self.modules[i].file.strip_prefix(src_dir().parent().unwrap()).unwrap().display().to_string()
    }
}

fn top(path: &str) -> &str {
    path.split("::").next().unwrap_or("")
}

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(name, _)| *name == module).map(|(_, r)| *r)
}

#[test]
fn every_top_level_module_has_a_layer() {
    let house = House::new();
    let unknown: BTreeSet<&str> = house.modules.iter().map(|m| top(&m.path)).filter(|t| !t.is_empty() && rank(t).is_none()).collect();
    assert!(unknown.is_empty(), "add these modules to LAYERS in tests/architecture.rs: {:?}", unknown);
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let house = House::new();
    let mut violations = Vec::new();
    for (from, tos) in house.edges() {
        for to in tos {
            let (a, b) = (top(&house.modules[from].path), top(&house.modules[to].path));
            let (Some(ra), Some(rb)) = (rank(a), rank(b)) else { continue };
            if rb > ra || NEVER.contains(&(a, b)) {
                violations.push(format!("{} imports {} ({} may not know {})", house.name(from), house.name(to), a, b));
            }
        }
    }
    assert!(violations.is_empty(), "layering violations:\n{}", violations.join("\n"));
}

#[test]
fn no_file_takes_part_in_an_import_circle() {
    let house = House::new();
    let edges = house.edges();
    let circles = strongly_connected(house.modules.len(), &edges);
    let report: Vec<String> = circles.iter().map(|c| c.iter().map(|&i| house.name(i)).collect::<Vec<_>>().join(" ↔ ")).collect();
    assert!(report.is_empty(), "import circles:\n{}", report.join("\n"));
}

/// The reader itself, on a known shape: a test that cannot fail is no test.
#[test]
fn the_reader_sees_use_trees_and_inline_paths() {
    let code = code_of(
        "use crate::a::{b, c::{D, e}};\npub use super::x::Y;\n// use crate::hidden;\nfn f() { crate::fs::join(\"crate::no\"); }\n#[cfg(test)]\nmod tests { use crate::z; }\n",
    );
    let uses: Vec<String> = use_paths(&code).into_iter().map(|(p, _)| p).collect();
    assert_eq!(uses, ["crate::a::b", "crate::a::c::D", "crate::a::c::e", "super::x::Y"]);
    assert_eq!(inline_paths(&code), ["crate::fs::join"]);
    let cycle = strongly_connected(3, &BTreeMap::from([(0, BTreeSet::from([1])), (1, BTreeSet::from([0])), (2, BTreeSet::from([0]))]));
    assert_eq!(cycle, vec![vec![0, 1]]);
}

/// Tarjan's algorithm; only components of two or more files are circles.
fn strongly_connected(n: usize, edges: &BTreeMap<usize, BTreeSet<usize>>) -> Vec<Vec<usize>> {
    struct State<'a> {
        edges: &'a BTreeMap<usize, BTreeSet<usize>>,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        let empty = BTreeSet::new();
        for &w in s.edges.get(&v).unwrap_or(&empty) {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State { edges, index: vec![None; n], low: vec![0; n], on_stack: vec![false; n], stack: vec![], next: 0, out: vec![] };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}
