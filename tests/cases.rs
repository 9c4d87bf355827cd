//! Small cases written while building each feature, against what `kubectl
//! kustomize` printed for them (tests/cases/<group>/<case>, recorded by
//! tests/cases/record.sh), byte for byte; for an expected error, only that
//! there is one. Groups: generators (hashes, vars, replacements),
//! transformers (field specs, name references, build metadata) and yaml
//! (files read as go-yaml v3 reads them: block scalars at the end of a file,
//! folded more-indented lines, quoted lines left of their key; empty
//! kustomizations and patches).

use overlay::kustomize::{self, BuildOptions};
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

#[test]
fn generator_cases_match_kubectl() {
    run_group("generators");
}

#[test]
fn transformer_cases_match_kubectl() {
    run_group("transformers");
}

#[test]
fn yaml_cases_match_kubectl() {
    run_group("yaml");
}

fn run_group(group: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases").join(group);
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
        let got = kustomize::render(&fs, &build_dir, &BuildOptions::default());
        match (std::fs::read_to_string(dir.join("expected.yaml")), got) {
            (Ok(want), Ok(have)) => {
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
