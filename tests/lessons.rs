//! Every lesson under `lessons/` is sound (issue 18): its checks fail on the
//! start tree and pass on its solution, hidden variants included, and the
//! solution only touches editable files. `overlay lesson verify lessons`
//! says the same; this runs it in `cargo test`.

use overlay::fs::DiskFs;

#[test]
fn every_lesson_fails_at_the_start_and_passes_with_its_solution() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
    let verdicts = overlay::lesson::verify_dir(&DiskFs, dir).unwrap_or_else(|e| panic!("{}", e));
    let bad: Vec<String> =
        verdicts.iter().filter(|v| !v.problems.is_empty()).map(|v| format!("{} ({}): {}", v.id, v.file, v.problems.join("; "))).collect();
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

fn overlay(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_overlay"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run overlay");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_cli_checks_a_lesson_its_solution_and_a_tree_on_disk() {
    let lesson = "lessons/02-images-and-replicas.yaml";
    let (code, out, _) = overlay(&["lesson", "check", lesson]);
    assert_eq!(code, 1, "{}", out);
    assert!(out.contains("✗ Deployment web in overlays/production: spec.replicas = 3\n    production should run 3 replicas (spec.replicas of Deployment web is 1, not 3)\n"), "{}", out);
    assert!(out.contains("✓ overlays/production builds\n"), "{}", out);
    let (code, out, _) = overlay(&["lesson", "check", "--solution", lesson]);
    assert_eq!(code, 0, "{}", out);
    assert!(!out.contains('✗'), "{}", out);

    // The solution written to disk checks as the solution does.
    let dir = std::env::temp_dir().join(format!("overlay-lesson-{}", std::process::id()));
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/02-images-and-replicas.yaml")).unwrap();
    let parsed = overlay::lesson::parse(lesson, &text).unwrap();
    let tree = overlay::lesson::tree(&parsed, true);
    for p in tree.paths() {
        let path = dir.join(p.trim_start_matches('/'));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, tree.get(p).unwrap()).unwrap();
    }
    let (code, out, err) = overlay(&["lesson", "check", lesson, dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0, "{}{}", out, err);

    let (code, out, _) = overlay(&["lesson", "verify", "lessons"]);
    assert_eq!(code, 0, "{}", out);
    assert!(out.ends_with(" sound, 0 with problems\n"), "{}", out);
}

#[test]
fn the_cli_names_the_place_of_a_mistake_in_a_lesson_file() {
    let dir = std::env::temp_dir().join(format!("overlay-bad-lesson-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yaml");
    std::fs::write(&file, "id: bad\ntitle: Bad\nstart: {}\nchecks:\n- build_okay: x\nsolution: {}\n").unwrap();
    let (code, out, err) = overlay(&["lesson", "check", file.to_str().unwrap()]);
    let (vcode, _, verr) = overlay(&["lesson", "verify", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 2, "{}", out);
    assert!(err.contains("bad.yaml:5:3: unknown check 'build_okay'"), "{}", err);
    assert_eq!(vcode, 2);
    assert!(verr.contains("bad.yaml:5:3:"), "{}", verr);
    let (code, _, err) = overlay(&["lesson", "check"]);
    assert_eq!(code, 2, "{}", err);
}
