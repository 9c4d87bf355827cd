//! Flux clusters and lint on the real-world corpus (../shared/realworld):
//! `overlay clusters` and `overlay lint` print byte for byte what
//! tests/golden/flux-clusters and tests/golden/flux-lint hold. Skipped, with
//! a message, when the corpus is absent. `FLUX_GOLDEN_UPDATE=1` rewrites
//! the goldens (then read the diff before committing it).

use overlay::flux::{cluster::Options, discover, lint};
use overlay::fs::Overlay;
use overlay::DiskFs;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPOS: [&str; 5] = [
    "argoproj+argo-cd",
    "fluxcd+flux2-kustomize-helm-example",
    "kostis-codefresh+gitops-environment-promotion",
    "kubeflow+manifests",
    "onedr0p+home-ops",
];

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realworld"));
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap())
    } else {
        println!("skipped: {} not present", dir.display());
        None
    }
}

fn overlay(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(args).current_dir(cwd).output().expect("run overlay");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn golden(kind: &str, repo: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(kind).join(format!("{}.txt", repo));
    if std::env::var("FLUX_GOLDEN_UPDATE").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {}", path.display(), e));
    assert!(got == want, "{} {} differs from {}:\n{}", kind, repo, path.display(), first_difference(&want, got));
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}:\n- {}\n+ {}", i + 1, w, g);
        }
    }
    format!("{} lines expected, {} got", want.lines().count(), got.lines().count())
}

/// Cluster directory → Kustomizations, for all five repositories.
#[test]
fn cluster_lists_match_the_goldens() {
    let Some(corpus) = corpus() else { return };
    for repo in REPOS {
        let (code, out, err) = overlay(&["clusters"], &corpus.join(repo));
        assert_eq!(code, 0, "overlay clusters in {}: {}", repo, err);
        golden("flux-clusters", repo, &out);
    }
}

/// home-ops: one cluster where the FluxInstance syncs, with all 78
/// Kustomizations of the per-app ks.yaml files under it.
#[test]
fn home_ops_is_one_cluster_of_78_kustomizations() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("onedr0p+home-ops").to_string_lossy().into_owned();
    let (found, loaded) = discover::load_all(&DiskFs, &root, &Options::default());
    let dirs: Vec<&str> = found.clusters.iter().map(|f| f.dir.as_str()).collect();
    assert_eq!(dirs, vec![format!("{}/kubernetes/flux/cluster", root)]);
    assert!(matches!(found.clusters[0].start, discover::Start::FluxInstance { .. }), "{:?}", found.clusters[0].start);
    assert_eq!(loaded[0].as_ref().unwrap().units.len(), 78);
}

#[test]
fn lint_matches_the_goldens() {
    let Some(corpus) = corpus() else { return };
    for repo in ["fluxcd+flux2-kustomize-helm-example", "onedr0p+home-ops"] {
        let (_, out, err) = overlay(&["lint", "."], &corpus.join(repo));
        assert!(err.is_empty(), "{}", err);
        golden("flux-lint", repo, &out);
        let wrong: Vec<&str> = out.lines().filter(|l| l.contains("[depends-on]") || l.contains("[namespace]")).collect();
        assert!(wrong.is_empty(), "{}: {:#?}", repo, wrong);
        assert!(out.lines().all(|l| l.chars().count() < 1000), "{}: a finding quotes too much", repo);
    }
}

/// The corpus leaves out program files; home-ops' sonarr reads two shell
/// scripts, and its failure turns off the checks that need the whole
/// cluster rendered. With them in place every Kustomization renders and
/// still nothing is reported about namespaces, dependencies or health checks.
#[test]
fn home_ops_lint_with_every_kustomization_rendered() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("onedr0p+home-ops").to_string_lossy().into_owned();
    let mut files = Overlay::new(&DiskFs);
    for script in ["refresh-series.sh", "tag-resolution.sh"] {
        files.insert(&format!("{}/kubernetes/apps/default/sonarr/app/resources/{}", root, script), "#!/bin/sh\n");
    }
    let (_, loaded) = discover::load_all(&files, &root, &Options::default());
    let c = loaded[0].as_ref().unwrap();
    // cloudflare-tunnel substitutes from a Secret that bootstrap makes
    // outside Flux: the controller fails it too, and nothing else fails.
    let failed: Vec<String> =
        c.units.iter().filter(|u| !matches!(u.status, overlay::flux::cluster::Status::Rendered)).map(|u| u.ks.key.to_string()).collect();
    assert_eq!(failed, ["network/cloudflare-tunnel"]);
    let findings = lint::lint_repository(&files, &root);
    let wrong: Vec<String> = findings
        .iter()
        .filter(|f| ["depends-on", "namespace", "health-checks", "no-op"].contains(&f.rule))
        .map(|f| f.to_string())
        .collect();
    assert!(wrong.is_empty(), "{:#?}", wrong);
}
