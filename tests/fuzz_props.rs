//! Property test: kustomize's conformance inputs, mutated the ways half-typed
//! or pasted YAML goes wrong (truncated, bytes flipped, lines deleted or
//! duplicated, indentation changed, tabs, anchors), must never make the
//! build panic, and every error must name a file.
//!
//! Deterministic: a fixed seed and a fixed number of mutations per case.
//! `FUZZ_PROPS_SEED=n` picks another seed; `FUZZ_PROPS_SECONDS=s` keeps
//! mutating (new seeds) until `s` seconds have passed — the bounded run
//! `./build.sh test` does. A failing input is written to
//! target/fuzz-props-failure.txt; copy it into tests/fuzz-regressions/.

use overlay::fuzzing;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Conformance cases as encoded trees (the format of src/fuzzing.rs).
fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/kustomize");
    let mut out = Vec::new();
    let mut cases: Vec<PathBuf> = Vec::new();
    for group in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for case in std::fs::read_dir(group.path()).into_iter().flatten().flatten() {
            if case.path().join("case.json").exists() {
                cases.push(case.path());
            }
        }
    }
    cases.sort();
    for dir in cases {
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap_or_default()).unwrap_or_default();
        let build_dir = meta["build_dir"].as_str().unwrap_or(".").to_string();
        let none = meta["args"].as_array().is_some_and(|a| a.iter().any(|v| v.as_str() == Some("--load-restrictor=LoadRestrictionsNone")));
        let mut files = Vec::new();
        walk(&dir.join("input"), &dir.join("input"), &mut files);
        files.sort();
        let name = dir.strip_prefix(&root).unwrap_or(&dir).to_string_lossy().into_owned();
        out.push((name, fuzzing::encode(&build_dir, none, &files)));
    }
    // The regression files too: each is a tree already.
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut more: Vec<PathBuf> = std::fs::read_dir(reg).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    more.sort();
    for p in more {
        if let Ok(bytes) = std::fs::read(&p) {
            out.push((p.display().to_string(), bytes));
        }
    }
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(base, &p, out);
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p.strip_prefix(base).unwrap_or(&p).to_string_lossy().into_owned(), bytes));
        }
    }
}

mod common;
use common::Rng;

/// Line starts that are not tree headers (`=== path`), so mutations hit the
/// YAML rather than the framing (some still hit the framing, on purpose).
fn lines(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < data.len() {
        out.push((start, data.len()));
    }
    out
}

const SNIPPETS: [&[u8]; 14] =
    [b"\t", b": ", b"- ", b"&a ", b"*a", b"<<: *a\n", b"{", b"[", b"'", b"\"", b"\xef\xbb\xbf", b"\r\n", b"\xff\xfe", b"---\n"];

fn mutate(rng: &mut Rng, data: &[u8]) -> Vec<u8> {
    let mut d = data.to_vec();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        let ls = lines(&d);
        match rng.below(9) {
            // Truncate: the half-typed file.
            0 => {
                let at = rng.below(d.len() + 1);
                d.truncate(at);
            }
            // Flip a byte.
            1 if !d.is_empty() => {
                let at = rng.below(d.len());
                d[at] ^= 1 << rng.below(8);
            }
            // Delete a line.
            2 if !ls.is_empty() => {
                let (s, e) = ls[rng.below(ls.len())];
                d.drain(s..e);
            }
            // Duplicate a line: duplicate keys, repeated list items.
            3 if !ls.is_empty() => {
                let (s, e) = ls[rng.below(ls.len())];
                let line = d[s..e].to_vec();
                d.splice(e..e, line);
            }
            // Indent or dedent a line by one or two spaces.
            4 if !ls.is_empty() => {
                let (s, _) = ls[rng.below(ls.len())];
                if rng.below(2) == 0 {
                    let n = 1 + rng.below(2);
                    d.splice(s..s, std::iter::repeat_n(b' ', n));
                } else if d.get(s) == Some(&b' ') {
                    d.remove(s);
                }
            }
            // Insert a YAML-significant snippet.
            5 => {
                let at = rng.below(d.len() + 1);
                let snip = SNIPPETS[rng.below(SNIPPETS.len())];
                d.splice(at..at, snip.iter().copied());
            }
            // Move a line elsewhere.
            6 if ls.len() > 1 => {
                let (s, e) = ls[rng.below(ls.len())];
                let line: Vec<u8> = d.drain(s..e).collect();
                let ls2 = lines(&d);
                let at = ls2.get(rng.below(ls2.len())).map(|l| l.0).unwrap_or(0);
                d.splice(at..at, line);
            }
            // Swap a value for another shape.
            7 if !ls.is_empty() => {
                let (s, e) = ls[rng.below(ls.len())];
                if let Some(colon) = d[s..e].windows(2).position(|w| w == b": ") {
                    let from = s + colon + 2;
                    let to = if d[e - 1] == b'\n' { e - 1 } else { e };
                    let repl: &[u8] = [&b"[]"[..], b"{}", b"~", b"- x", b"1", b"\"\"", b"*a"][rng.below(7)];
                    d.splice(from..to, repl.iter().copied());
                }
            }
            // Remove a char of a multi-byte sequence: non-UTF-8 input.
            _ => {
                if let Some(at) = d.iter().position(|&b| b >= 0x80) {
                    d.remove(at);
                } else if !d.is_empty() {
                    let at = rng.below(d.len());
                    d.insert(at, 0xc3);
                }
            }
        }
    }
    d
}

fn check_one(name: &str, input: &[u8]) -> Result<(), String> {
    let outcome = std::panic::catch_unwind(|| fuzzing::check(input));
    let problem = match outcome {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(problem)) => problem,
        Err(panic) => {
            let msg = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            format!("panic: {}", msg.unwrap_or_default())
        }
    };
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-props-failure.txt");
    let _ = std::fs::write(&out, input);
    Err(format!("{} (from {}); input saved to {}", problem, name, out.display()))
}

#[test]
fn mutated_conformance_inputs_never_panic() {
    let seeds = seeds();
    if seeds.is_empty() {
        println!("no conformance corpus: skipped");
        return;
    }
    let seed: u64 = std::env::var("FUZZ_PROPS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_0f0e_71a7);
    let budget = std::env::var("FUZZ_PROPS_SECONDS").ok().and_then(|s| s.parse::<u64>().ok()).map(Duration::from_secs);
    let started = Instant::now();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut runs = 0u64;
    let result = (|| -> Result<(), String> {
        // Unmutated first: the seeds themselves must hold the properties.
        for (name, data) in &seeds {
            check_one(name, data)?;
            runs += 1;
        }
        loop {
            for (name, data) in &seeds {
                for _ in 0..4 {
                    let m = mutate(&mut rng, data);
                    check_one(name, &m)?;
                    runs += 1;
                }
            }
            match budget {
                Some(b) if started.elapsed() < b => continue,
                _ => return Ok(()),
            }
        }
    })();
    std::panic::set_hook(hook);
    if let Err(problem) = result {
        panic!("after {} builds: {}", runs, problem);
    }
    println!("fuzz props: {} builds in {:.1}s, seed {:#x}", runs, started.elapsed().as_secs_f64(), seed);
}
