//! Every lesson under `lessons/` is sound (issue 18): its checks fail on the
//! start tree and pass on its solution, hidden variants included, and the
//! solution only touches editable files. `overlay lesson verify lessons`
//! says the same; this runs it in `cargo test`.

use overlay::fs::DiskFs;

#[test]
fn every_lesson_fails_at_the_start_and_passes_with_its_solution() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
    let verdicts = overlay::lesson::verify_dir(&DiskFs, dir).unwrap_or_else(|e| panic!("{}", e));
    let bad: Vec<String> = verdicts.iter().filter(|v| !v.problems.is_empty()).map(|v| format!("{} ({}): {}", v.id, v.file, v.problems.join("; "))).collect();
    assert!(bad.is_empty(), "unsound lessons:\n{}", bad.join("\n"));
    assert!(verdicts.len() >= 14, "the syllabus has {} lessons, fewer than 14", verdicts.len());
}

#[test]
fn a_hard_coded_answer_fails_the_hidden_variant() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/07-nameprefix-and-references.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let lesson = overlay::lesson::parse(path, &text).unwrap();
    assert!(!lesson.variants.is_empty());
    let mut tree = overlay::lesson::tree(&lesson, false);
    let hard_coded = "resources:\n- ../../base\ncomponents:\n- ../../components/naming\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - name: web\n            env:\n            - name: DB_HOST\n              value: prod-db\n";
    tree.insert("/overlays/production/kustomization.yaml", hard_coded);
    let report = overlay::lesson::check(&lesson, &tree);
    let own: Vec<_> = report.outcomes.iter().filter(|o| o.variant.is_none()).collect();
    assert!(own.iter().all(|o| o.ok), "{:#?}", own);
    let hidden: Vec<_> = report.outcomes.iter().filter(|o| o.variant.as_deref() == Some("qa") && !o.ok).collect();
    assert_eq!(hidden.len(), 1, "{:#?}", report);
    assert!(hidden[0].message.contains("is prod-db, not qa-db"), "{}", hidden[0].message);
}
