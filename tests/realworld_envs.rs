//! The role of every kustomization directory of the five corpus
//! repositories, as `overlay envs` gives it, against the lists committed in
//! tests/golden/realworld-envs/ (compared byte for byte). These lists are
//! the decision, reviewed: argo-cd's installs and kubeflow's
//! `common/*/overlays/*` are environments though others build on them, its
//! test data is fixtures.
//!
//! `REALWORLD_ENVS_WRITE=1 cargo test --test realworld_envs` rewrites the
//! lists after a deliberate change of the rule; review the diff.

use overlay::env::{self, Options, Role};
use overlay::DiskFs;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realworld");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/realworld-envs");

const REPOSITORIES: [&str; 5] = [
    "argoproj+argo-cd",
    "fluxcd+flux2-kustomize-helm-example",
    "kostis-codefresh+gitops-environment-promotion",
    "kubeflow+manifests",
    "onedr0p+home-ops",
];

/// One line per kustomization directory: role, path relative to the
/// repository, reason.
fn listing(root: &str) -> String {
    env::kustomizations(&DiskFs, root, &Options::default())
        .iter()
        .map(|k| {
            let path = k.dir.path.strip_prefix(root).unwrap_or(&k.dir.path).trim_start_matches('/');
            format!("{:<11} {}  # {}\n", k.role.as_str(), if path.is_empty() { "." } else { path }, k.reason)
        })
        .collect()
}

fn corpus() -> Option<String> {
    let root = overlay::fs::normalize(CORPUS);
    if std::path::Path::new(&root).is_dir() {
        Some(root)
    } else {
        println!("skipped: the real-world corpus is not at {root}");
        None
    }
}

#[test]
fn every_kustomization_directory_of_the_corpus_has_its_expected_role() {
    let Some(corpus) = corpus() else { return };
    let write = std::env::var("REALWORLD_ENVS_WRITE").is_ok();
    let mut failures = Vec::new();
    for repo in REPOSITORIES {
        let got = listing(&format!("{corpus}/{repo}"));
        let file = format!("{GOLDEN}/{repo}.txt");
        if write {
            std::fs::create_dir_all(GOLDEN).expect("golden folder");
            std::fs::write(&file, &got).expect("golden file");
            continue;
        }
        let want = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        if got != want {
            let first = got.lines().zip(want.lines()).find(|(g, w)| g != w);
            failures.push(format!("{repo}: first difference {first:?} (got {} lines, want {})", got.lines().count(), want.lines().count()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The cases the rule exists for, named, so that a change of the goldens
/// that loses one fails here with a clear message.
#[test]
fn what_people_deploy_is_listed_and_test_data_is_not() {
    let Some(corpus) = corpus() else { return };
    let role = |repo: &str, dir: &str| {
        let root = format!("{corpus}/{repo}");
        let path = format!("{root}/{dir}");
        env::kustomizations(&DiskFs, &root, &Options::default())
            .into_iter()
            .find(|k| k.dir.path == path)
            .map(|k| k.role)
            .unwrap_or_else(|| panic!("{repo}: no kustomization directory {dir}"))
    };
    let argo = "argoproj+argo-cd";
    for dir in [
        "manifests/cluster-install",
        "manifests/namespace-install",
        "manifests/core-install",
        "manifests/ha/cluster-install",
        "manifests/ha/namespace-install",
        "manifests/cluster-install-with-hydrator",
    ] {
        assert_eq!(role(argo, dir), Role::Environment, "argo-cd {dir}");
    }
    for dir in ["manifests/base", "manifests/crds", "manifests/cluster-rbac", "manifests/ha/base"] {
        assert_eq!(role(argo, dir), Role::Base, "argo-cd {dir}");
    }
    for dir in [
        "test/e2e/testdata/guestbook",
        "util/kustomize/testdata/kustomization_yaml",
        "examples/known-hosts",
        "reposerver/repository/testdata/Kustomization",
    ] {
        assert_eq!(role(argo, dir), Role::Fixture, "argo-cd {dir}");
    }
    let kubeflow = "kubeflow+manifests";
    for dir in [
        "example",
        "common/cert-manager/overlays/kubeflow",
        "common/istio/istio-install/overlays/oauth2-proxy",
        "common/dex/overlays/oauth2-proxy",
        "applications/katib/upstream/installs/katib-with-kubeflow",
    ] {
        assert_eq!(role(kubeflow, dir), Role::Environment, "kubeflow {dir}");
    }
    assert_eq!(role(kubeflow, "common/cert-manager/base"), Role::Base);
    assert_eq!(role(kubeflow, "applications/profiles/upstream/default"), Role::Base, "used only by a base");
    let promotion = "kostis-codefresh+gitops-environment-promotion";
    assert_eq!(role(promotion, "envs/prod-eu"), Role::Environment);
    assert_eq!(role(promotion, "variants/prod"), Role::Component);
    assert_eq!(role(promotion, "base"), Role::Base);
}

/// `overlay envs` on the shipped fleet-infra preset: the compact text, and
/// JSON with a pinned base.
#[test]
fn the_command_line_lists_roles_and_takes_pins() {
    use std::process::Command;
    let preset = concat!(env!("CARGO_MANIFEST_DIR"), "/www/presets/fleet-infra");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(args).current_dir(preset).output().expect("run overlay");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, text, _) = run(&["envs"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        text,
        "\
apps: staging → production
infrastructure: staging → production

bases (4):
  apps/base/my-app                   used by 2: apps/production, apps/staging
  apps/base/redis                    in a base folder, used by nothing yet
  infrastructure/base/cert-manager   used by 2: infrastructure/production, infrastructure/staging
  infrastructure/base/ingress-nginx  used by 2: infrastructure/production, infrastructure/staging
"
    );
    let (code, json, err) = run(&["envs", ".", "--format", "json", "--pin", "apps/base/redis", "--pin=nowhere"]);
    assert_eq!(code, Some(0));
    assert!(err.contains("--pin nowhere: not a kustomization directory"), "{err}");
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let redis = rows.as_array().unwrap().iter().find(|r| r["path"] == "apps/base/redis").expect("redis listed");
    assert_eq!(
        redis,
        &serde_json::json!({"path": "apps/base/redis", "name": "redis", "group": "apps/base", "role": "environment", "reason": "pinned"})
    );
    assert_eq!(rows.as_array().unwrap().len(), 8);
    let (code, _, err) = run(&["envs", "--format", "markdown"]);
    assert_eq!((code, err.contains("unknown --format 'markdown'")), (Some(2), true));
}
