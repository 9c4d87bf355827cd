//! The emitter against outputs recorded from `kubectl kustomize`
//! (tests/golden/emit/record.sh): each input is parsed, checked, emitted and
//! compared byte for byte with what kustomize printed for it.

use overlay::yaml::emit::check_json_compatible;
use overlay::yaml::{emit_documents, parse_documents};
use std::fs;
use std::path::Path;

#[test]
fn emitter_matches_recorded_kustomize_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/emit");
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.ends_with(".yaml") && !name.ends_with(".expected.yaml")
        })
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5, "golden inputs missing in {}", dir.display());

    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_stem().unwrap().to_str().unwrap();
        let text = fs::read_to_string(input).unwrap();
        let expected = fs::read_to_string(dir.join(format!("{name}.expected.yaml")))
            .unwrap_or_else(|_| panic!("{name}.expected.yaml missing: run tests/golden/emit/record.sh"));
        let docs = parse_documents(&format!("{name}.yaml"), &text).unwrap();
        for doc in &docs {
            check_json_compatible(doc).unwrap();
        }
        let actual = emit_documents(&docs);
        if actual != expected {
            failures.push(format!("{name}:\n{}", first_difference(&expected, &actual)));
        }
    }
    assert!(failures.is_empty(), "{} of {} golden files differ:\n{}", failures.len(), inputs.len(), failures.join("\n"));
}

/// The first differing line, for a readable failure.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<_>, Vec<_>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..e.len().max(a.len()) {
        if e.get(i) != a.get(i) {
            return format!("  line {}:\n    kustomize: {:?}\n    ours:      {:?}", i + 1, e.get(i), a.get(i));
        }
    }
    "  (line endings differ)".to_string()
}
