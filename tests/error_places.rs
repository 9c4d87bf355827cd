//! Errors point at the place the page should show: the file and line a user
//! has to change.

use overlay::{render, BuildOptions, MemFs};

const KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n";

fn tree(patch_entry: &str, patch_file: Option<&str>) -> MemFs {
    let mut fs = MemFs::new();
    fs.insert("app/deployment.yaml", DEPLOYMENT);
    fs.insert("app/kustomization.yaml", format!("{KUSTOMIZATION}resources:\n- deployment.yaml\npatches:\n{patch_entry}"));
    if let Some(text) = patch_file {
        fs.insert("app/patch.yaml", text);
    }
    fs
}

fn error_place(fs: &MemFs) -> (String, u32, u32, String) {
    let e = render(fs, "/app", &BuildOptions::default()).expect_err("the build should fail");
    let span = e.span.clone().expect("the error should have a place");
    (span.file.to_string(), span.line, span.col, e.message)
}

#[test]
fn broken_yaml_in_a_patch_file_is_reported_at_its_line() {
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 7: 8\n";
    let (file, line, col, message) = error_place(&tree("- path: patch.yaml\n", Some(patch)));
    assert_eq!((file.as_str(), line), ("/app/patch.yaml", 6), "{message}");
    assert!(col > 0);
}

#[test]
fn leading_blank_lines_of_a_patch_file_count() {
    let patch = "\n\n# a comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 7: 8\n";
    let (file, line, _, message) = error_place(&tree("- path: patch.yaml\n", Some(patch)));
    assert_eq!((file.as_str(), line), ("/app/patch.yaml", 9), "{message}");
}

#[test]
fn broken_yaml_in_an_inline_patch_is_reported_at_the_patch_field() {
    let entry = "- patch: |\n    kind: Deployment\n    metadata: [\n";
    let (file, line, _, message) = error_place(&tree(entry, None));
    assert_eq!(file, "/app/kustomization.yaml", "{message}");
    assert!(line >= 7, "line {line}: {message}");
}
