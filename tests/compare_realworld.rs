//! Comparing and promoting on a real layout: gitops-environment-promotion,
//! where each environment adds its own `namePrefix` (`staging-eu-`,
//! `prod-eu-`) over a shared base and picks its variant as a component.
//! Outputs are compared byte for byte with goldens in
//! tests/golden/compare-realworld (rewrite them with
//! `COMPARE_GOLDEN_UPDATE=1`); kubectl's builds of the two environments
//! are recorded there too. Skips, saying so, when ../shared/realworld is absent.

use overlay::diff::format::{json, text, Labels};
use overlay::diff::{self, DiffOptions};
use overlay::promote::{self, report, PromoteOptions, Selection};
use overlay::DiskFs;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = "kostis-codefresh+gitops-environment-promotion";

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realworld")).join(REPO);
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap())
    } else {
        eprintln!("SKIPPED: {} is absent (the real-world corpus lives beside the project)", dir.display());
        None
    }
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/compare-realworld").join(name);
    if std::env::var("COMPARE_GOLDEN_UPDATE").is_ok() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing; record it with COMPARE_GOLDEN_UPDATE=1", path.display()));
    assert!(expected == actual, "{} differs from the golden:\n--- expected\n{}\n--- actual\n{}", name, expected, actual);
}

fn overlay(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(args).current_dir(dir).output().expect("overlay runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn path(root: &Path, rel: &str) -> String {
    root.join(rel).to_string_lossy().into_owned()
}

#[test]
fn the_two_environments_build_as_kubectl_recorded() {
    let Some(root) = corpus() else { return };
    for env in ["staging-eu", "prod-eu"] {
        let (code, out, err) = overlay(&root, &["build", &format!("envs/{}", env)]);
        assert_eq!(code, 0, "{}", err);
        golden(&format!("kubectl-{}.yaml", env), &out);
    }
}

#[test]
fn staging_eu_and_prod_eu_differ_in_fields_not_in_resources() {
    let Some(root) = corpus() else { return };
    let (code, out, err) = overlay(&root, &["diff", "envs/staging-eu", "envs/prod-eu"]);
    assert_eq!(code, 1, "{}", err);
    assert!(out.ends_with("1 changed, 0 added, 0 removed, 1 unchanged\n"), "{}", out);
    for field in [
        "spec.replicas: 3 → 8",
        "image: docker.io/kostiscodefresh/simple-env-app:2.0 → docker.io/kostiscodefresh/simple-env-app:3.0",
        "env[name=ENV].value: staging-eu → prod-eu",
        "livenessProbe.httpGet.path: + /health",
    ] {
        assert!(out.contains(field), "{} missing:\n{}", field, out);
    }
    golden("diff-staging-eu-prod-eu.txt", &out);
    let (code, out, _) = overlay(&root, &["diff", "envs/staging-eu", "envs/prod-eu", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"], serde_json::json!({"added": 0, "removed": 0, "changed": 1, "unchanged": 1}));
    assert_eq!(v["resources"][0]["name"], "simple-deployment");
    assert_eq!(v["resources"][0]["renamed"], false);
    golden("diff-staging-eu-prod-eu.json", &out);

    // The engine call the page makes gives the same.
    let c = diff::compare_builds(
        &DiskFs,
        &path(&root, "envs/staging-eu"),
        &path(&root, "envs/prod-eu"),
        &Default::default(),
        &DiffOptions::default(),
    )
    .unwrap();
    let labels = Labels { from: "envs/staging-eu".into(), to: "envs/prod-eu".into() };
    assert_eq!(json::render(&c.diff, &labels), out);
    assert_eq!(text::render(&c.diff, &labels), golden_text("diff-staging-eu-prod-eu.txt"));
}

fn golden_text(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/compare-realworld").join(name)).unwrap()
}

fn promotion(root: &Path, what: Selection, keep: &[&str], force: bool) -> promote::Promotion {
    let options = PromoteOptions {
        root: root.to_string_lossy().into_owned(),
        keep: keep.iter().map(|s| s.to_string()).collect(),
        force,
        ..PromoteOptions::default()
    };
    promote::promote(&DiskFs, &path(root, "envs/staging-eu"), &path(root, "envs/prod-eu"), &what, &options).unwrap()
}

#[test]
fn promoting_images_says_where_the_differing_tags_come_from() {
    let Some(root) = corpus() else { return };
    let p = promotion(&root, Selection { images: true, ..Selection::default() }, &[], false);
    assert!(p.is_noop());
    assert!(!p.notes.iter().any(|n| n.contains("nothing to promote")), "{:?}", p.notes);
    assert_eq!(p.image_differences.len(), 1);
    assert_eq!(p.image_differences[0].from.sources, vec!["envs/staging-eu/version.yml:11"]);
    assert_eq!(p.image_differences[0].to.sources, vec!["envs/prod-eu/version.yml:11"]);
    golden("promote-images-staging-eu-prod-eu.txt", &report::text(&p));
}

#[test]
fn promoting_everything_keeps_prod_eu_and_lists_what_looks_environment_specific() {
    let Some(root) = corpus() else { return };
    let p = promotion(&root, Selection { everything: true, ..Selection::default() }, &[], false);
    assert!(!p.confirmed && p.writable().is_err());
    let checks: Vec<String> = p.specific.iter().map(|s| format!("{} {}", s.check, s.change)).collect();
    assert_eq!(
        checks,
        vec![
            "reference ../../variants/prod → ../../variants/non-prod",
            "replicas 8 → 3",
            "stage production → non-prod",
            "stage production.paypal.com → staging2.paypal.com",
            "stage prod_username → non-prod-user",
            "stage prod_password → non-prod-password",
        ]
    );
    // prod-eu keeps its namespace, prefix and name: deployment.yml (ENV: prod-eu) is not touched.
    assert!(
        !p.change.files.iter().any(|f| f.path.ends_with("deployment.yml")),
        "{:?}",
        p.change.files.iter().map(|f| &f.path).collect::<Vec<_>>()
    );
    let k = p.change.files.iter().find(|f| f.path.ends_with("kustomization.yml")).unwrap();
    assert!(k.after.as_deref().unwrap().contains("namespace: prod\nnamePrefix: prod-eu-\n"));
    golden("promote-all-staging-eu-prod-eu.txt", &report::text(&p));
    let v = report::json(&p);
    assert_eq!(v["confirmed"], false);
    golden("promote-all-specific-staging-eu-prod-eu.json", &(serde_json::to_string_pretty(&v["specific"]).unwrap() + "\n"));

    assert!(promotion(&root, Selection { everything: true, ..Selection::default() }, &[], true).writable().is_ok(), "--force confirms");
    // Declaring prod-eu's own variant and replicas leaves only the image to promote.
    let kept = promotion(&root, Selection { everything: true, ..Selection::default() }, &["components", "replicas.yml"], false);
    assert!(kept.confirmed && kept.specific.is_empty(), "{:?}", kept.specific);
    let files: Vec<String> = kept.change.files.iter().map(|f| kept.path_label(&f.path)).collect();
    assert_eq!(files, vec!["envs/prod-eu/version.yml"]);
    golden("promote-all-keep-staging-eu-prod-eu.txt", &report::text(&kept));

    // The command line refuses to write without --force, and says why.
    let (code, out, err) = overlay(&root, &["promote", "--all", "envs/staging-eu", "envs/prod-eu", "--write"]);
    assert_eq!(code, 3, "{}{}", out, err);
    assert!(err.starts_with("not written: 6 change(s) look specific to envs/prod-eu"), "{}", err);
}
