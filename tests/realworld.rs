//! Every kustomization directory of the real-world corpus (../shared/realworld
//! beside the project), built as `overlay build DIR` builds it, against what
//! `kubectl kustomize DIR` did there: tests/realworld/expected.tsv, recorded
//! by tools/record-realworld.py, holds the sha256 and byte length of kubectl's
//! output for each build that worked and the first line of its error for each
//! that failed (network, helm, exec plugins, files the corpus leaves out).
//! A build kubectl did must give the same bytes; one it refused must fail
//! here too, with an error that names a file.
//!
//! `REALWORLD_ONLY=substring` limits the run to the matching directories.
//! On a mismatch the test prints the directory and, when kubectl is on the
//! machine, the first lines where the two outputs differ.

use overlay::kustomize::hash::sha256_hex;
use overlay::kustomize::{self, BuildOptions};
use overlay::DiskFs;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realworld");
const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/realworld/expected.tsv");
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

enum Want {
    Ok { sha256: String, len: usize },
    Fail { kubectl: String },
}

struct Row {
    dir: String,
    want: Want,
}

fn expected() -> Vec<Row> {
    let text = std::fs::read_to_string(EXPECTED).expect("tests/realworld/expected.tsv");
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let want = match (f.first().copied(), f.len()) {
            (Some("ok"), 4) => Want::Ok { sha256: f[2].to_string(), len: f[3].parse().expect("byte length") },
            (Some("fail"), 3) => Want::Fail { kubectl: f[2].to_string() },
            _ => panic!("expected.tsv:{}: not 'ok DIR SHA256 LEN' nor 'fail DIR ERROR': {}", i + 1, line),
        };
        rows.push(Row { dir: f[1].to_string(), want });
    }
    rows
}

/// The corpus's kustomization directories, as the recorder finds them: a
/// corpus that gained or lost one needs recording again.
fn corpus_dirs(root: &Path, rel: &str, out: &mut BTreeSet<String>) {
    let here = if rel.is_empty() { root.to_path_buf() } else { root.join(rel) };
    let Ok(entries) = std::fs::read_dir(&here) else { return };
    let mut has_kustomization = false;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            let sub = if rel.is_empty() { name } else { format!("{}/{}", rel, name) };
            corpus_dirs(root, &sub, out);
        } else if !rel.is_empty() && KUSTOMIZATION_FILES.contains(&name.as_str()) {
            has_kustomization = true;
        }
    }
    if has_kustomization {
        out.insert(rel.to_string());
    }
}

#[test]
fn realworld_builds_match_kubectl() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        println!("skipped: no real-world corpus at {} (see tests/realworld.rs)", CORPUS);
        return;
    }
    let corpus = std::fs::canonicalize(corpus).unwrap();
    let rows = expected();
    let only = std::env::var("REALWORLD_ONLY").ok();

    if only.is_none() {
        let mut found = BTreeSet::new();
        corpus_dirs(&corpus, "", &mut found);
        let recorded: BTreeSet<String> = rows.iter().map(|r| r.dir.clone()).collect();
        let new: Vec<_> = found.difference(&recorded).collect();
        let gone: Vec<_> = recorded.difference(&found).collect();
        assert!(
            new.is_empty() && gone.is_empty(),
            "the corpus and tests/realworld/expected.tsv disagree (run tools/record-realworld.py): not recorded {:?}, no longer there {:?}",
            new,
            gone
        );
    }

    let kubectl = Command::new("kubectl").arg("version").arg("--client").output().map(|o| o.status.success()).unwrap_or(false);
    let options = BuildOptions::default();
    let (mut total, mut built, mut refused) = (0, 0, 0);
    let (mut built_same, mut refused_same) = (0, 0);
    let mut failures = Vec::new();
    for row in &rows {
        if let Some(only) = &only {
            if !row.dir.contains(only.as_str()) {
                continue;
            }
        }
        total += 1;
        let before = failures.len();
        match row.want {
            Want::Ok { .. } => built += 1,
            Want::Fail { .. } => refused += 1,
        }
        let dir = corpus.join(&row.dir).to_string_lossy().into_owned();
        let got = kustomize::render(&DiskFs, &dir, &options);
        match (&row.want, got) {
            (Want::Ok { sha256, len }, Ok(text)) => {
                if text.len() != *len || sha256_hex(text.as_bytes()) != *sha256 {
                    let mut report = format!("{}: output differs from kubectl's ({} bytes, want {})", row.dir, text.len(), len);
                    if kubectl {
                        report.push('\n');
                        report.push_str(&diff_with_kubectl(&corpus, &row.dir, &text));
                    }
                    failures.push(report);
                }
            }
            (Want::Ok { .. }, Err(e)) => failures.push(format!("{}: kubectl builds it, we fail: {}", row.dir, e)),
            (Want::Fail { kubectl }, Ok(_)) => failures.push(format!("{}: kubectl fails ({}), we build", row.dir, kubectl)),
            (Want::Fail { .. }, Err(e)) => {
                // A clear error names the file it is about (the page marks
                // it there).
                if e.file().is_none_or(|f| f.is_empty()) {
                    failures.push(format!("{}: fails as kubectl does, but the error names no file: {}", row.dir, e));
                }
            }
        }
        if failures.len() == before {
            match row.want {
                Want::Ok { .. } => built_same += 1,
                Want::Fail { .. } => refused_same += 1,
            }
        }
    }
    for f in &failures {
        println!("MISMATCH {}\n", f);
    }
    println!("{} of {} builds that kubectl does: byte-identical", built_same, built);
    println!("{} of {} builds that kubectl refuses: refused here too, naming a file", refused_same, refused);
    println!("{} of {} builds byte-identical or failing as kubectl does", built_same + refused_same, total);
    assert!(failures.is_empty(), "{} of {} builds differ from kubectl; see above", failures.len(), total);
}

/// kubectl's output against ours as a unified diff excerpt: the hunks of a
/// line diff over a window from the first differing line (at most 400 lines
/// a side, so a megabyte install costs little), three lines of context, at
/// most 60 lines printed.
fn diff_with_kubectl(corpus: &Path, dir: &str, ours: &str) -> String {
    let out = match Command::new("kubectl").arg("kustomize").arg(dir).current_dir(corpus).output() {
        Ok(o) if o.status.success() => o.stdout,
        Ok(o) => return format!("  (kubectl fails here now: {})", String::from_utf8_lossy(&o.stderr).lines().next().unwrap_or("")),
        Err(e) => return format!("  (kubectl did not run: {})", e),
    };
    let theirs = String::from_utf8_lossy(&out);
    let a: Vec<&str> = theirs.split_inclusive('\n').collect();
    let b: Vec<&str> = ours.split_inclusive('\n').collect();
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let from = start.saturating_sub(3);
    let a = &a[from..a.len().min(start + 400)];
    let b = &b[from..b.len().min(start + 400)];
    // Longest common subsequence, then a walk that emits ' ', '-' or '+'.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let show = |l: &str| -> String {
        let (body, note) = match l.strip_suffix('\n') {
            Some(body) => (body, ""),
            None => (l, "  [no newline at end]"),
        };
        let cut = body.char_indices().nth(160).map(|(i, _)| i).unwrap_or(body.len());
        format!("{}{}{}", &body[..cut], if cut < body.len() { "…" } else { "" }, note)
    };
    // Context lines within three of a change are shown; a gap becomes "…".
    let near: Vec<bool> = (0..ops.len()).map(|k| ops[k.saturating_sub(3)..(k + 4).min(ops.len())].iter().any(|(c, _)| *c != ' ')).collect();
    let mut s = format!("  --- kubectl kustomize {}\n  +++ overlay build\n  @@ from line {} @@\n", dir, from + 1);
    let mut printed = 0;
    let mut gap = false;
    for (k, (c, l)) in ops.iter().enumerate() {
        if !near[k] {
            gap = true;
            continue;
        }
        if gap {
            s.push_str("  …\n");
            gap = false;
        }
        if printed == 60 {
            s.push_str("  … (more differences)\n");
            break;
        }
        s.push_str(&format!("  {}{}\n", c, show(l)));
        printed += 1;
    }
    s
}
