//! The fleet-infra preset renders byte for byte as `kubectl kustomize`
//! rendered it (tests/golden/fleet-infra, recorded by record.sh), through
//! the CLI exactly as a user runs it; so does the app-components preset
//! (tests/golden/app-components).

use std::path::{Path, PathBuf};
use std::process::Command;

const OVERLAYS: [&str; 4] = ["apps/staging", "apps/production", "infrastructure/staging", "infrastructure/production"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn overlay(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_overlay")).args(args).current_dir(cwd).output().expect("run overlay")
}

#[test]
fn fleet_infra_overlays_match_kubectl() {
    let preset = root().join("www/presets/fleet-infra");
    for dir in OVERLAYS {
        let out = overlay(&["build", dir], &preset);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "overlay build {} failed: {}", dir, stderr);
        let want =
            std::fs::read_to_string(root().join("tests/golden/fleet-infra").join(format!("{}.yaml", dir.replace('/', "-")))).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "overlay build {} differs from kubectl kustomize", dir);
    }
}

/// The app-components preset (a ConfigMap generator with a file, a
/// Component, a JSON 6902 patch, images), recorded by
/// tests/golden/app-components/record.sh.
#[test]
fn app_components_overlays_match_kubectl() {
    let preset = root().join("www/presets/app-components");
    for dir in ["overlays/dev", "overlays/staging", "overlays/production"] {
        let out = overlay(&["build", dir], &preset);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "overlay build {} failed: {}", dir, stderr);
        let want =
            std::fs::read_to_string(root().join("tests/golden/app-components").join(format!("{}.yaml", dir.replace('/', "-")))).unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "overlay build {} differs from kubectl kustomize", dir);
    }
}

#[test]
fn preset_is_the_shared_example() {
    // The preset is a copy of ../shared/examples/fleet-infra; when that is
    // present, the two must not drift apart.
    let shared = root().join("../shared/examples/fleet-infra");
    if !shared.is_dir() {
        println!("skipped: {} not present", shared.display());
        return;
    }
    let preset = root().join("www/presets/fleet-infra");
    fn files(dir: &Path, base: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, base, out);
            } else {
                out.push((p.strip_prefix(base).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    files(&shared, &shared, &mut a);
    files(&preset, &preset, &mut b);
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn flags_are_accepted_like_kubectl() {
    let preset = root().join("www/presets/fleet-infra");
    for args in [
        vec!["build", "apps/staging", "--load-restrictor", "LoadRestrictionsNone"],
        vec!["build", "apps/staging", "--load-restrictor=LoadRestrictionsRootOnly", "--enable-helm", "--enable-alpha-plugins"],
    ] {
        let out = overlay(&args, &preset);
        assert!(out.status.success(), "{:?}: {}", args, String::from_utf8_lossy(&out.stderr));
    }
    let out = overlay(&["build", "apps/staging", "--load-restrictor=Sometimes"], &preset);
    assert!(!out.status.success());
}

#[test]
fn errors_name_the_file_and_position() {
    let tmp = std::env::temp_dir().join(format!("overlay-golden-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("app")).unwrap();
    std::fs::write(tmp.join("app/kustomization.yaml"), "resources:\n- deploy.yaml\n").unwrap();
    std::fs::write(tmp.join("app/deploy.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [1, 2\n").unwrap();
    let out = overlay(&["build", "app"], &tmp);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("app/deploy.yaml:7:1"), "{}", stderr);
    assert_eq!(out.stdout.len(), 0);

    let out = overlay(&["build", "missing"], &tmp);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("missing"), "{}", stderr);
    let _ = std::fs::remove_dir_all(&tmp);
}
