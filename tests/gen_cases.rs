//! Generators, hashes, vars and replacements against what `kubectl
//! kustomize` printed for the cases in tests/gen-cases (recorded by its
//! record.sh). Output is compared by meaning — documents in order, keys in
//! any order, scalars with their types — so these cases check the engine
//! apart from the emitter; the conformance suite checks the bytes.

use overlay::kustomize::{self, BuildOptions};
use overlay::yaml::{parse_documents, Kind, Node, Value};
use overlay::MemFs;
use std::path::Path;

fn load_tree(fs: &mut MemFs, base: &Path, dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            fs.add_dir(&format!("/input/{}", rel));
            load_tree(fs, base, &p);
        } else {
            fs.insert(&format!("/input/{}", rel), std::fs::read(&p).unwrap());
        }
    }
}

/// A node as text with mapping keys sorted, one scalar per line.
fn canon(n: &Node, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match &n.value {
        // Numbers by value: how a float is spelt is the emitter's business.
        Value::Scalar(s) if matches!(s.kind, Kind::Int | Kind::Float) => match s.text.parse::<f64>() {
            Ok(f) => out.push_str(&format!("{}Number {:?}\n", pad, f)),
            Err(_) => out.push_str(&format!("{}{:?} {:?}\n", pad, s.kind, s.text)),
        },
        Value::Scalar(s) => out.push_str(&format!("{}{:?} {:?}\n", pad, s.kind, s.text)),
        Value::Seq(items) => {
            out.push_str(&format!("{}[\n", pad));
            items.iter().for_each(|i| canon(i, depth + 1, out));
            out.push_str(&format!("{}]\n", pad));
        }
        Value::Map(entries) => {
            let mut sorted: Vec<&(Node, Node)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
            for (k, v) in sorted {
                out.push_str(&format!("{}{}:\n", pad, k.as_str().unwrap_or("?")));
                canon(v, depth + 1, out);
            }
        }
    }
}

fn canon_all(nodes: &[Node]) -> String {
    let mut out = String::new();
    for n in nodes.iter().filter(|n| !n.is_null()) {
        out.push_str("---\n");
        canon(n, 0, &mut out);
    }
    out
}

#[test]
fn generator_cases_match_kubectl() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gen-cases");
    let mut dirs: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).filter(|p| p.join("case.json").exists()).collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
        let build_dir = overlay::fs::join("/input", meta["build_dir"].as_str().unwrap_or("."));
        let mut fs = MemFs::new();
        fs.add_dir("/input");
        load_tree(&mut fs, &dir.join("input"), &dir.join("input"));
        let got = kustomize::build(&fs, &build_dir, &BuildOptions::default());
        match (std::fs::read_to_string(dir.join("expected.yaml")), got) {
            (Ok(want), Ok(out)) => {
                let want = canon_all(&parse_documents("expected.yaml", &want).unwrap());
                let have = canon_all(&out.resources.nodes());
                if want != have {
                    failures.push(format!("{}: output differs\n--- want\n{}--- have\n{}", name, want, have));
                }
            }
            (Ok(_), Err(e)) => failures.push(format!("{}: unexpected error: {}", name, e)),
            (Err(_), Ok(_)) => failures.push(format!("{}: expected an error, built fine", name)),
            (Err(_), Err(_)) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
