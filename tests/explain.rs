//! `overlay explain`: goldens on the presets (byte for byte, through the CLI
//! as a user runs it), and a property over kustomize's own test cases: every
//! step points inside a file of the case, and a value no step changed is
//! the very text at its origin.
//!
//! `EXPLAIN_RECORD=1 cargo test --test explain` rewrites the goldens; read
//! the diff before committing it.

mod common;

use overlay::explain;
use overlay::kustomize::{BuildOptions, LoadRestrictor};
use overlay::{Files, MemFs};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn overlay(args: &[&str], cwd: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(args).current_dir(cwd).output().expect("run overlay");
    assert!(out.status.success(), "overlay {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn check_golden(name: &str, got: &str) {
    let path = root().join("tests/golden/explain").join(name);
    if std::env::var("EXPLAIN_RECORD").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing golden {}", path.display()));
    assert_eq!(got, want, "overlay explain differs from {}", path.display());
}

#[test]
fn fleet_infra_goldens() {
    let preset = root().join("www/presets/fleet-infra");
    for dir in ["apps/staging", "apps/production", "infrastructure/staging", "infrastructure/production"] {
        check_golden(&format!("fleet-infra/{}.txt", dir.replace('/', "-")), &overlay(&["explain", dir], &preset));
    }
    let one = overlay(&["explain", "apps/production", "Deployment/my-app", "spec.replicas", "--format", "json"], &preset);
    check_golden("fleet-infra/replicas.json", &one);
    let from = overlay(&["explain", "--from", "apps/base/my-app/deployment.yaml:6"], &preset);
    check_golden("fleet-infra/from-base-replicas.txt", &from);
    let from = overlay(&["explain", "--from=apps/production/my-app-patch.yaml:13:18", "--format=json"], &preset);
    check_golden("fleet-infra/from-patch-cpu.json", &from);
    // A directory without a kustomization: the Flux cluster, Kustomization by Kustomization.
    check_golden("fleet-infra/clusters-production.txt", &overlay(&["explain", "clusters/production"], &preset));
}

#[test]
fn app_components_goldens() {
    let preset = root().join("www/presets/app-components");
    for dir in ["overlays/dev", "overlays/staging", "overlays/production"] {
        check_golden(&format!("app-components/{}.txt", dir.replace('/', "-")), &overlay(&["explain", dir], &preset));
    }
    for (name, at) in
        [("from-base-image", "base/deployment.yaml:11"), ("from-component", "components/monitoring/scrape-annotations.yaml:9")]
    {
        check_golden(&format!("app-components/{}.txt", name), &overlay(&["explain", "--from", at], &preset));
    }
}

#[test]
fn the_example_of_the_issue() {
    let preset = root().join("www/presets/fleet-infra");
    let got = overlay(&["explain", "apps/production", "Deployment/my-app", "spec.replicas"], &preset);
    assert_eq!(
        got,
        "# Deployment/my-app\nspec.replicas: 5\n  apps/production/my-app-patch.yaml:6:13  strategic-merge patch sets 5\n  apps/base/my-app/deployment.yaml:6:13  origin: 1\n"
    );
}

// ---- the property over the conformance cases ------------------------------

fn corpus_dir() -> PathBuf {
    match std::env::var("CONFORMANCE_DIR") {
        Ok(d) => PathBuf::from(d),
        Err(_) => root().join("../shared/conformance/kustomize"),
    }
}

/// Each case with an expected output: its input tree at /input, the
/// directory to build and its options.
fn cases(corpus: &Path) -> Vec<(String, MemFs, String, BuildOptions)> {
    let mut dirs = Vec::new();
    for group in std::fs::read_dir(corpus).unwrap().flatten() {
        for case in std::fs::read_dir(group.path()).into_iter().flatten().flatten() {
            if case.path().join("case.json").exists() && case.path().join("expected.yaml").exists() {
                dirs.push(case.path());
            }
        }
    }
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
        if meta["needs"].as_array().is_some_and(|a| !a.is_empty()) {
            continue;
        }
        let empty: Vec<&str> = meta["empty_dirs"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
        let fs = common::conformance_input(&dir, &empty);
        let mut options = BuildOptions::default();
        if meta["args"].as_array().into_iter().flatten().any(|a| a.as_str() == Some("--load-restrictor=LoadRestrictionsNone")) {
            options.load_restrictor = LoadRestrictor::None;
        }
        let build_dir = overlay::fs::join("/input", meta["build_dir"].as_str().unwrap_or("."));
        out.push((dir.strip_prefix(corpus).unwrap().to_string_lossy().into_owned(), fs, build_dir, options));
    }
    out
}

/// The scalar token at `col` (1-based, in characters) of `line`, unquoted
/// as YAML reads a one-line scalar; `None` for block scalars and tokens
/// that go on past the line.
fn token(line: &str, col: u32) -> Option<String> {
    let rest: String = line.chars().skip(col as usize - 1).collect();
    if let Some(body) = rest.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return Some(out);
                }
            } else {
                out.push(c);
            }
        }
        return None;
    }
    if rest.starts_with('"') {
        let end = rest
            .char_indices()
            .skip(1)
            .scan(false, |esc, (i, c)| {
                let close = c == '"' && !*esc;
                *esc = c == '\\' && !*esc;
                Some((i, close))
            })
            .find(|(_, close)| *close)?
            .0;
        return serde_json::from_str::<String>(&rest[..=end]).ok();
    }
    if rest.starts_with('|') || rest.starts_with('>') {
        return None;
    }
    // A plain scalar ends at a comment, and in flow context at , ] }.
    let mut end = rest.len();
    if let Some(i) = rest.find(" #") {
        end = end.min(i);
    }
    let flow = line.trim_start().starts_with('[')
        || line.trim_start().starts_with('{')
        || line.contains(": [")
        || line.contains(": {")
        || line.contains("- [")
        || line.contains("- {");
    if flow {
        if let Some(i) = rest.find([',', ']', '}']) {
            end = end.min(i);
        }
    }
    Some(rest[..end].trim_end().to_string())
}

#[test]
fn every_step_points_into_a_file_and_unchanged_values_are_their_source_text() {
    let corpus = corpus_dir();
    if !corpus.is_dir() {
        println!("conformance corpus not found at {}: skipped (set CONFORMANCE_DIR)", corpus.display());
        return;
    }
    let (mut cases_run, mut steps_checked, mut tokens_checked) = (0, 0, 0);
    let mut problems = Vec::new();
    for (name, fs, dir, options) in cases(&corpus) {
        let Ok(all) = explain::build(&fs, &dir, &options) else { continue };
        cases_run += 1;
        for r in &all {
            for (_, e) in &r.fields {
                for s in &e.steps {
                    steps_checked += 1;
                    let file = &*s.place.file;
                    let Some(bytes) = fs.read(file) else {
                        problems
                            .push(format!("{}: {} {}: step '{}' names {}, which is not a file", name, e.resource, e.path, s.detail, file));
                        continue;
                    };
                    if !s.place.has_position() {
                        continue;
                    }
                    let text = String::from_utf8_lossy(&bytes);
                    let line = text.lines().nth(s.place.line as usize - 1);
                    match line {
                        Some(l) if s.place.col as usize <= l.chars().count().max(1) => {}
                        _ => problems
                            .push(format!("{}: {} {}: step '{}' at {} is outside the file", name, e.resource, e.path, s.detail, s.place)),
                    }
                }
                let origin = e.steps.last().unwrap();
                let unchanged = e.steps[..e.steps.len() - 1].iter().all(|s| !s.changes_value);
                // Values kustomize makes rather than copies: a generator's
                // (from a literal `KEY=value` or a whole file) and the
                // managed-by label's.
                let made =
                    r.generated || origin.detail.starts_with("origin: generator") || origin.detail.starts_with("origin: buildMetadata");
                if made || !unchanged || !origin.place.has_position() || e.value.contains('\n') || matches!(e.value.as_str(), "{}" | "[]") {
                    continue;
                }
                let Some(bytes) = fs.read(&origin.place.file) else { continue };
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let Some(line) = text.lines().nth(origin.place.line as usize - 1) else { continue };
                let Some(tok) = token(line, origin.place.col) else { continue };
                tokens_checked += 1;
                let same = tok == e.value || (e.value == "null" && matches!(tok.as_str(), "" | "~" | "null" | "Null" | "NULL"));
                if !same {
                    problems.push(format!(
                        "{}: {} {} = {:?} but its origin {} reads {:?}",
                        name, e.resource, e.path, e.value, origin.place, tok
                    ));
                }
            }
        }
    }
    println!("{} cases, {} steps, {} origin tokens checked", cases_run, steps_checked, tokens_checked);
    assert!(cases_run > 100, "only {} cases built", cases_run);
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.iter().take(200).cloned().collect::<Vec<_>>().join("\n"));
}
