//! Parser differential against the oracle: generates YAML documents that
//! stress go-yaml v3's scanner (block scalars with every chomping and
//! indentation indicator, at the end of the file with and without a line
//! break; multi-line plain and quoted scalars at odd indentations; tabs,
//! anchors, aliases, merge keys, flow collections across lines, document
//! markers, comments everywhere, CRLF, a BOM), wraps each into a resource
//! file, and requires the engine's build to equal `kubectl kustomize`'s byte
//! for byte, or both to fail.
//!
//! kubectl costs ~100 ms a call, so documents are built in batches (one
//! kustomization listing many files); a batch that differs is split in
//! halves down to the single documents that differ. Documents the engine
//! refuses are checked one by one (kubectl must refuse them too).
//!
//! Seeded and bounded: `PARSER_DIFF_DOCS` (default 300) documents from
//! `PARSER_DIFF_SEED` (default 1), `PARSER_DIFF_BATCH` (default 100) files
//! per kubectl call. Differing documents are kept under
//! target/parser-differential/seed-N/ for inspection.
//!
//! PARSER_DIFF_DOCS=20000 PARSER_DIFF_SEED=5 cargo test --test parser_differential -- --nocapture

use overlay::kustomize::{self, BuildOptions};
use overlay::DiskFs;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::Rng;

const WORDS: [&str; 16] =
    ["alpha", "beta", "x", "true", "yes", "8080", "1e3", "0x1F", "~", "null", "2024-01-01", "a-b", "é", "日本", "v1.2", "-dash"];

/// Text for one line of scalar content: words, sometimes with characters
/// that mean something elsewhere in YAML.
fn words(rng: &mut Rng, max: usize) -> String {
    let n = 1 + rng.below(max);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push_str(if rng.chance(8) { "  " } else { " " });
        }
        s.push_str(rng.choose(&WORDS));
        if rng.chance(8) {
            s.push_str(rng.choose(&[",", ";", "!", "%", "@x", "'", "\"", "[x]", "{y}", "&z", "*w", "|", ">", "\\"]));
        }
    }
    s
}

/// A plain scalar safe on one line.
fn plain_word(rng: &mut Rng) -> String {
    let w = *rng.pick(&WORDS);
    let w = if w.starts_with('-') || w == "*w" { "dash" } else { w };
    w.to_string()
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// A block scalar after `key:` written at `indent`; ends with its last
/// content line's line break unless `at_eof` and the line break is dropped.
fn block_scalar(rng: &mut Rng, indent: usize, out: &mut String) {
    let style = if rng.chance(50) { '|' } else { '>' };
    let chomp = *rng.pick(&["", "", "-", "+"]);
    let step = 1 + rng.below(4);
    let explicit = rng.chance(20);
    out.push(' ');
    out.push(style);
    if explicit {
        let digit = step.to_string();
        if rng.chance(50) {
            out.push_str(&digit);
            out.push_str(chomp);
        } else {
            out.push_str(chomp);
            out.push_str(&digit);
        }
    } else {
        out.push_str(chomp);
    }
    if rng.chance(15) {
        out.push_str(" # header comment");
    }
    out.push('\n');
    let content = indent + step;
    // Leading blank lines, sometimes with spaces (more than the content
    // indentation makes the scanner take that as the indentation).
    if rng.chance(20) {
        for _ in 0..1 + rng.below(2) {
            out.push_str(&spaces(if explicit { rng.below(content + 1) } else { rng.below(content.max(1)) }));
            out.push('\n');
        }
    }
    // A first line more indented than the rest needs an explicit indicator.
    let lines = 1 + rng.below(6);
    for i in 0..lines {
        let mut extra = 0;
        if rng.chance(25) && (i > 0 || explicit) {
            extra = 1 + rng.below(3);
        }
        out.push_str(&spaces(content + extra));
        match rng.below(12) {
            0 => out.push_str("# looks like a comment"),
            1 => out.push_str("\tafter a tab"),
            2 => out.push_str("key: value"),
            3 => out.push_str("- item"),
            _ => out.push_str(&words(rng, 5)),
        }
        if rng.chance(5) {
            out.push(' ');
        }
        out.push('\n');
        if rng.chance(20) {
            for _ in 0..1 + rng.below(2) {
                out.push_str(&spaces(rng.below(content + 2)));
                out.push('\n');
            }
        }
    }
    if rng.chance(15) {
        // A comment after the block, less indented than its content.
        out.push_str(&spaces(rng.below(content)));
        out.push_str("# trailing comment\n");
    }
}

/// A quoted scalar spread over lines whose continuation lines sit at odd
/// indentations, down to column 0.
fn quoted(rng: &mut Rng, indent: usize, out: &mut String) {
    let single = rng.chance(50);
    let q = if single { '\'' } else { '"' };
    out.push(' ');
    out.push(q);
    let lines = 1 + rng.below(4);
    for i in 0..lines {
        if i > 0 {
            out.push('\n');
            if rng.chance(20) {
                out.push_str(&spaces(rng.below(4)));
                out.push('\n');
            }
            let col = match rng.below(4) {
                0 => 0,
                1 => rng.below(indent + 1),
                _ => indent + rng.below(4),
            };
            out.push_str(&spaces(col));
            if rng.chance(10) {
                out.push('\t');
            }
        }
        let mut text = words(rng, 4);
        if single {
            text = text.replace('\'', "''");
        } else {
            text = text.replace('\\', "\\\\").replace('"', "\\\"");
            if rng.chance(25) {
                text.push_str(rng.choose(&[
                    "\\n",
                    "\\t",
                    "\\x41",
                    "\\u00e9",
                    "\\U0001F600",
                    "\\ ",
                    "\\/",
                    "\\0",
                    "\\e",
                    "\\N",
                    "\\_",
                    "\\L",
                ]));
            }
            if rng.chance(10) && i + 1 < lines {
                text.push('\\');
            }
        }
        if rng.chance(10) {
            text.push(' ');
        }
        out.push_str(&text);
    }
    out.push(q);
    out.push('\n');
}

/// A plain scalar spread over lines, continuation lines more indented than
/// the key (as they must be), sometimes with blank lines between.
fn plain_multiline(rng: &mut Rng, indent: usize, out: &mut String) {
    out.push(' ');
    out.push_str(&plain_word(rng));
    for _ in 0..1 + rng.below(3) {
        out.push('\n');
        if rng.chance(20) {
            out.push('\n');
        }
        out.push_str(&spaces(indent + 1 + rng.below(4)));
        if rng.chance(5) {
            out.push('\t');
        }
        out.push_str(&plain_word(rng));
        if rng.chance(30) {
            out.push(' ');
            out.push_str(&plain_word(rng));
        }
    }
    if rng.chance(15) {
        out.push_str(" # comment");
    }
    out.push('\n');
}

/// A flow collection written across lines.
fn flow(rng: &mut Rng, indent: usize, depth: usize, out: &mut String) {
    let seq = rng.chance(50);
    out.push(if seq { '[' } else { '{' });
    let n = rng.below(4);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        if rng.chance(40) {
            if rng.chance(20) {
                out.push_str(" # c");
            }
            out.push('\n');
            out.push_str(&spaces(indent + 1 + rng.below(3)));
        } else {
            out.push(' ');
        }
        if !seq {
            write!(out, "k{i}: ").unwrap();
        }
        match rng.below(6) {
            0 if depth < 2 => flow(rng, indent + 2, depth + 1, out),
            1 => out.push_str("\"q, x\""),
            2 => out.push_str("'s: y'"),
            _ => out.push_str(&plain_word(rng)),
        }
    }
    if n > 0 && rng.chance(15) {
        out.push(',');
    }
    if rng.chance(30) {
        out.push('\n');
        out.push_str(&spaces(indent + rng.below(2)));
    }
    out.push(if seq { ']' } else { '}' });
}

struct Doc {
    anchors: Vec<String>,
    maps: Vec<String>,
}

/// A mapping at `indent`, `n` keys, values of every kind.
fn mapping(rng: &mut Rng, doc: &mut Doc, indent: usize, depth: usize, out: &mut String) {
    let n = 1 + rng.below(4);
    for i in 0..n {
        if rng.chance(8) {
            out.push_str(&spaces(rng.below(indent + 3)));
            out.push_str("# a comment line\n");
        }
        if rng.chance(3) {
            out.push('\n');
        }
        out.push_str(&spaces(indent));
        if i > 0 && !doc.maps.is_empty() && rng.chance(8) {
            let m = rng.pick(&doc.maps).clone();
            writeln!(out, "<<: *{m}").unwrap();
            continue;
        }
        write!(out, "k{depth}{i}:").unwrap();
        if rng.chance(5) {
            out.push('\t');
        }
        value(rng, doc, indent, depth, out);
    }
}

fn value(rng: &mut Rng, doc: &mut Doc, indent: usize, depth: usize, out: &mut String) {
    let anchor = if rng.chance(8) {
        let name = format!("a{}", doc.anchors.len() + doc.maps.len());
        write!(out, " &{name}").unwrap();
        Some(name)
    } else {
        None
    };
    match rng.below(if depth < 3 { 11 } else { 8 }) {
        0 | 1 => block_scalar(rng, indent, out),
        2 => quoted(rng, indent, out),
        3 => plain_multiline(rng, indent, out),
        4 => {
            out.push(' ');
            flow(rng, indent, 0, out);
            if rng.chance(20) {
                out.push_str(" # after");
            }
            out.push('\n');
        }
        5 if anchor.is_none() && !doc.anchors.is_empty() => {
            let a = rng.pick(&doc.anchors).clone();
            writeln!(out, " *{a}").unwrap();
        }
        6 | 7 => {
            out.push(' ');
            out.push_str(&words(rng, 3).replace(": ", " ").replace(" #", " "));
            if rng.chance(20) {
                out.push_str("  # end of line");
            }
            out.push('\n');
        }
        8 => {
            if rng.chance(15) {
                out.push_str(" # on the key");
            }
            out.push('\n');
            let inner = indent + 1 + rng.below(3);
            mapping(rng, doc, inner, depth + 1, out);
            if let Some(a) = anchor {
                doc.maps.push(a);
            }
            return;
        }
        _ => {
            out.push('\n');
            let dash = if rng.chance(50) { indent } else { indent + 2 };
            for _ in 0..1 + rng.below(3) {
                out.push_str(&spaces(dash));
                out.push('-');
                match rng.below(4) {
                    0 => {
                        out.push('\n');
                        mapping(rng, doc, dash + 2, depth + 1, out);
                    }
                    1 => quoted(rng, dash + 2, out),
                    2 => block_scalar(rng, dash, out),
                    _ => writeln!(out, " {}", plain_word(rng)).unwrap(),
                }
            }
        }
    }
    if let Some(a) = anchor {
        doc.anchors.push(a);
    }
}

/// One resource file: a custom resource whose `spec` holds the stress.
fn document(rng: &mut Rng, name: &str) -> Vec<u8> {
    let mut out = String::new();
    if rng.chance(10) {
        out.push_str("# leading comment\n");
    }
    if rng.chance(15) {
        out.push_str(if rng.chance(80) { "---\n" } else { "--- # marker\n" });
    }
    let kind = if rng.chance(50) { "Widget" } else { "Gadget" };
    write!(out, "apiVersion: example.com/v1\nkind: {kind}\nmetadata:\n  name: {name}\n").unwrap();
    if rng.chance(10) {
        out.push_str("  labels: {app: x,\n    tier: \"y\"}\n");
    }
    out.push_str("spec:");
    let mut doc = Doc { anchors: Vec::new(), maps: Vec::new() };
    if rng.chance(10) {
        out.push_str(" # spec");
    }
    out.push('\n');
    mapping(rng, &mut doc, 2, 0, &mut out);
    if rng.chance(10) {
        // A block scalar at the very end, often without a final line break.
        out.push_str("  last:");
        block_scalar(rng, 2, &mut out);
    }
    match rng.below(10) {
        0 => out.push_str("...\n"),
        1 => write!(out, "---\napiVersion: example.com/v1\nkind: {kind}\nmetadata:\n  name: {name}-2\n").unwrap(),
        2 => out.push_str("# trailing comment"),
        _ => {}
    }
    if rng.chance(30) {
        while out.ends_with('\n') {
            out.pop();
        }
    }
    if rng.chance(8) {
        out = out.replace('\n', "\r\n");
    }
    let mut bytes = Vec::new();
    if rng.chance(5) {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    bytes.extend_from_slice(out.as_bytes());
    bytes
}

fn kubectl_ok() -> bool {
    Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success())
}

/// Writes a kustomization listing `docs` (indices) and returns its directory.
fn batch_dir(root: &Path, tag: &str, docs: &[(usize, Vec<u8>)]) -> PathBuf {
    let dir = root.join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut k = String::from("resources:\n");
    for (i, text) in docs {
        std::fs::write(dir.join(format!("d{i}.yaml")), text).unwrap();
        writeln!(k, "- d{i}.yaml").unwrap();
    }
    std::fs::write(dir.join("kustomization.yaml"), k).unwrap();
    dir
}

enum Verdict {
    Same,
    Differ(String),
}

fn compare(dir: &Path) -> Verdict {
    let want = Command::new("kubectl").arg("kustomize").arg(dir).output().expect("run kubectl");
    let have = kustomize::render(&DiskFs, &dir.to_string_lossy(), &BuildOptions::default());
    match (&have, want.status.success()) {
        (Ok(text), true) if text.as_bytes() == want.stdout.as_slice() => Verdict::Same,
        (Err(_), false) => Verdict::Same,
        (Ok(text), true) => {
            let want = String::from_utf8_lossy(&want.stdout);
            let first = want.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(want.lines().count().min(text.lines().count()));
            let at = |t: &str| t.lines().skip(first).take(3).collect::<Vec<_>>().join("\n");
            Verdict::Differ(format!("output differs at line {}\n--- kubectl\n{}\n--- engine\n{}", first + 1, at(&want), at(text)))
        }
        (Ok(_), false) => Verdict::Differ(format!("kubectl fails, the engine builds: {}", String::from_utf8_lossy(&want.stderr).trim())),
        (Err(e), true) => Verdict::Differ(format!("the engine fails, kubectl builds: {}", e)),
    }
}

struct Run {
    root: PathBuf,
    calls: usize,
    differ: Vec<(usize, String)>,
}

impl Run {
    /// Checks `docs` as one build; on a difference, splits down to the
    /// documents that differ alone.
    fn check(&mut self, docs: &[(usize, Vec<u8>)]) {
        let tag = format!("b{}", docs[0].0);
        let dir = batch_dir(&self.root, &tag, docs);
        self.calls += 1;
        let verdict = compare(&dir);
        match verdict {
            Verdict::Same => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Verdict::Differ(why) if docs.len() == 1 => {
                let keep = self.root.join(format!("differs-d{}", docs[0].0));
                let _ = std::fs::remove_dir_all(&keep);
                std::fs::rename(&dir, &keep).unwrap();
                self.differ.push((docs[0].0, why));
            }
            Verdict::Differ(_) => {
                let _ = std::fs::remove_dir_all(&dir);
                let (a, b) = docs.split_at(docs.len() / 2);
                self.check(a);
                self.check(b);
            }
        }
    }
}

#[test]
fn parser_matches_kubectl_on_generated_yaml() {
    if !kubectl_ok() {
        println!("parser differential: skipped: kubectl not found on PATH");
        return;
    }
    let count: usize = std::env::var("PARSER_DIFF_DOCS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let seed: u64 = std::env::var("PARSER_DIFF_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let batch: usize = std::env::var("PARSER_DIFF_BATCH").ok().and_then(|s| s.parse().ok()).unwrap_or(100);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/parser-differential/seed-{seed}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let mut run = Run { root: root.clone(), calls: 0, differ: Vec::new() };
    let (mut builds, mut refused) = (Vec::new(), 0);
    for i in 0..count {
        let mut rng = Rng(seed.wrapping_mul(0x9E3779B97F4A7C15) ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
        let text = document(&mut rng, &format!("d{i}"));
        // What the engine refuses alone is checked alone (kubectl must
        // refuse it too); the rest goes in batches.
        let dir = batch_dir(&root, "probe", &[(i, text.clone())]);
        if kustomize::render(&DiskFs, &dir.to_string_lossy(), &BuildOptions::default()).is_err() {
            refused += 1;
            run.check(&[(i, text)]);
        } else {
            builds.push((i, text));
            if builds.len() == batch {
                run.check(&std::mem::take(&mut builds));
            }
        }
    }
    if !builds.is_empty() {
        run.check(&builds);
    }
    let _ = std::fs::remove_dir_all(root.join("probe"));
    println!(
        "parser differential: {} documents (seed {}), {} differ; {} refused by both; {} kubectl calls",
        count,
        seed,
        run.differ.len(),
        refused - run.differ.iter().filter(|(_, w)| w.starts_with("the engine fails")).count().min(refused),
        run.calls
    );
    let report: Vec<String> =
        run.differ.iter().take(20).map(|(i, why)| format!("d{i} ({}): {why}", root.join(format!("differs-d{i}")).display())).collect();
    assert!(run.differ.is_empty(), "{} documents differ from kubectl:\n{}", run.differ.len(), report.join("\n"));
}
