//! The Flux layer end to end on the shared examples: `overlay flux` renders
//! fleet-infra's clusters the way the controller would, `overlay lint`
//! finds the seed article's mistakes where they are planted.
//!
//! Tests that render apps or infrastructure need the whole kustomize engine
//! (patches, the emitter); they fail until it has landed on main.

use overlay::flux::cluster::{self, Options, Status};
use overlay::flux::kustomization::Key;
use overlay::DiskFs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/examples")
}

fn fleet_infra() -> PathBuf {
    // The preset is a checked-in copy of the shared example.
    let shared = examples().join("fleet-infra");
    if shared.is_dir() {
        shared
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("www/presets/fleet-infra")
    }
}

fn overlay(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(args).current_dir(cwd).output().expect("run overlay");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A private copy of an example, to plant mistakes in.
struct Copy(PathBuf);

impl Copy {
    fn of(src: &Path, name: &str) -> Copy {
        let dst = std::env::temp_dir().join(format!("overlay-flux-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dst);
        copy_dir(src, &dst);
        Copy(dst)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn edit(&self, file: &str, from: &str, to: &str) {
        let p = self.0.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{} does not contain {:?}", file, from);
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.0.join(file), text).unwrap();
    }
    /// The 1-based line of the first line of `file` containing `needle`.
    fn line_of(&self, file: &str, needle: &str) -> usize {
        let text = std::fs::read_to_string(self.0.join(file)).unwrap();
        text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap_or_else(|| panic!("{:?} not in {}", needle, file))
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &dst.join(e.file_name()));
        } else {
            std::fs::copy(&p, dst.join(e.file_name())).unwrap();
        }
    }
}

/// The part of `overlay flux` output under one Kustomization's header.
fn section<'a>(out: &'a str, name: &str) -> &'a str {
    let head = format!("# Kustomization flux-system/{} ", name);
    let start = out.find(&head).unwrap_or_else(|| panic!("no section {} in:\n{}", name, out));
    let rest = &out[start + head.len()..];
    let end = rest.find("\n# Kustomization ").map(|i| i + 1).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn graph_shows_infrastructure_before_apps() {
    let (code, out, err) = overlay(&["flux", "clusters/production", "--graph"], &fleet_infra());
    assert!(out.contains("infrastructure → apps"), "{}\n{}", out, err);
    let infra = out.find("1. flux-system/infrastructure").expect("infrastructure first");
    let apps = out.find("2. flux-system/apps").expect("apps second");
    assert!(infra < apps);
    // The graph needs no build; only broken builds make the exit code non-zero.
    let _ = code;
}

#[test]
fn production_renders_infrastructure_then_apps() {
    let (code, out, err) = overlay(&["flux", "clusters/production"], &fleet_infra());
    assert_eq!(code, 0, "overlay flux failed:\n{}", err);
    let infra_at = out.find("# Kustomization flux-system/infrastructure").unwrap();
    let apps_at = out.find("# Kustomization flux-system/apps").unwrap();
    assert!(infra_at < apps_at, "infrastructure must be applied before apps:\n{}", out);

    let infra = section(&out, "infrastructure");
    assert!(infra.contains("kind: HelmRelease"), "{}", infra);
    assert!(infra.contains("kustomize.toolkit.fluxcd.io/name: infrastructure"), "{}", infra);
    // Staged apply: Namespaces before the HelmRepositories and HelmReleases in them.
    assert!(infra.find("kind: Namespace").unwrap() < infra.find("kind: HelmRelease").unwrap(), "{}", infra);

    let apps = section(&out, "apps");
    assert!(apps.contains("namespace: production"), "{}", apps);
    assert!(apps.contains("replicas: 5"), "{}", apps);
    assert!(apps.contains("kustomize.toolkit.fluxcd.io/name: apps"), "{}", apps);
    assert!(apps.contains("kustomize.toolkit.fluxcd.io/namespace: flux-system"), "{}", apps);
}

#[test]
fn production_model_through_the_library() {
    let root = fleet_infra().canonicalize().unwrap();
    let root = root.to_string_lossy();
    let dir = format!("{}/clusters/production", root);
    assert_eq!(cluster::guess_root(&DiskFs, &dir), root);
    let c = cluster::load(&DiskFs, &dir, &root, &Options::default()).unwrap();
    let order: Vec<&str> = c.order.as_ref().unwrap().iter().map(|&i| c.units[i].ks.key.name.as_str()).collect();
    assert_eq!(order, vec!["infrastructure", "apps"]);
    let apps = c.unit(&Key { namespace: "flux-system".into(), name: "apps".into() }).unwrap();
    assert_eq!(apps.dir.as_deref(), Some(format!("{}/apps/production", root).as_str()));
    match &apps.status {
        Status::Rendered => {}
        s => panic!("apps does not render (needs the full engine): {:?}", s),
    }
    let deployment = apps.objects.iter().find(|n| n.get_str("kind") == Some("Deployment")).unwrap();
    assert_eq!(deployment.path(&["spec", "replicas"]).and_then(|n| n.as_str()), Some("5"));
    assert_eq!(deployment.path(&["metadata", "namespace"]).and_then(|n| n.as_str()), Some("production"));
}

#[test]
fn lint_reports_duplicated_manifests() {
    let (code, out, _) = overlay(&["lint"], &examples().join("clusters-per-env"));
    assert_eq!(code, 1, "{}", out);
    for copy in ["clusters/staging/apps/web.yaml:1:", "clusters/prod/apps/web.yaml:1:"] {
        let line = out.lines().find(|l| l.starts_with(copy) && l.contains("[duplicated-manifests]"));
        assert!(line.is_some(), "no duplicated-manifests finding at {}:\n{}", copy, out);
    }
    assert!(out.contains("repeats the full manifest of clusters/dev/apps/web.yaml"), "{}", out);
    assert!(!out.lines().any(|l| l.starts_with("clusters/dev/")), "the first copy is the reference:\n{}", out);
}

#[test]
fn lint_reports_missing_depends_on() {
    let repo = Copy::of(&fleet_infra(), "depends-on");
    repo.edit("clusters/production/apps.yaml", "  dependsOn:\n  - name: infrastructure\n", "");
    let (code, out, _) = overlay(&["lint"], repo.path());
    assert_eq!(code, 1);
    let at = format!("clusters/production/apps.yaml:{}:", repo.line_of("clusters/production/apps.yaml", "spec:"));
    assert!(
        out.lines().any(|l| l.starts_with(&at) && l.contains("[depends-on]") && l.contains("dependsOn: [{name: infrastructure}]")),
        "expected a depends-on finding at {}:\n{}",
        at,
        out
    );
    assert!(!out.lines().any(|l| l.starts_with("clusters/staging/apps.yaml") && l.contains("[depends-on]")), "{}", out);
}

#[test]
fn lint_reports_prune_false() {
    let repo = Copy::of(&fleet_infra(), "prune");
    repo.edit("clusters/production/apps.yaml", "prune: true", "prune: false");
    let (code, out, _) = overlay(&["lint"], repo.path());
    assert_eq!(code, 1);
    let at = format!("clusters/production/apps.yaml:{}:", repo.line_of("clusters/production/apps.yaml", "prune: false"));
    assert!(out.lines().any(|l| l.starts_with(&at) && l.contains("[prune]")), "expected a prune finding at {}:\n{}", at, out);
    assert!(!out.lines().any(|l| l.starts_with("clusters/staging/") && l.contains("[prune]")), "{}", out);
}

#[test]
fn lint_reports_missing_namespace() {
    let repo = Copy::of(&fleet_infra(), "namespace");
    repo.edit("apps/production/kustomization.yaml", "namespace: production\n", "");
    let (code, out, _) = overlay(&["lint"], repo.path());
    assert_eq!(code, 1);
    assert!(
        out.lines().any(|l| l.starts_with("apps/production/kustomization.yaml:1:")
            && l.contains("[namespace]")
            && l.contains("namespace: production")),
        "expected a namespace finding at apps/production/kustomization.yaml:1:\n{}",
        out
    );
    assert!(!out.lines().any(|l| l.starts_with("apps/staging/") && l.contains("[namespace]")), "{}", out);
}

#[test]
fn lint_reports_unmatched_patches_and_health_checks() {
    let repo = Copy::of(&fleet_infra(), "no-ops");
    repo.edit(
        "clusters/production/apps.yaml",
        "  wait: true\n",
        "  patches:\n  - patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 1\n    target:\n      kind: StatefulSet\n",
    );
    repo.edit("clusters/production/apps.yaml", "    name: my-app\n    namespace: production", "    name: my-app\n    namespace: prod");
    let (_, out, _) = overlay(&["lint"], repo.path());
    let file = "clusters/production/apps.yaml";
    let has = |needle: &str, rule: &str| {
        let at = format!("{}:{}:", file, repo.line_of(file, needle));
        assert!(out.lines().any(|l| l.starts_with(&at) && l.contains(rule)), "expected {} at {}:\n{}", rule, at, out);
    };
    has("kind: StatefulSet", "[no-op]");
    has("- apiVersion: apps/v1", "[health-checks]");
}

#[test]
fn lint_reports_unmatched_images() {
    let repo = Copy::of(&fleet_infra(), "images");
    repo.edit("clusters/production/apps.yaml", "  wait: true\n", "  images:\n  - name: ghcr.io/my-org/no-such-app\n    newTag: 2.0.0\n");
    repo.edit("apps/production/kustomization.yaml", "patches:", "images:\n- name: redis\n  newTag: \"7.4\"\npatches:");
    let (_, out, _) = overlay(&["lint"], repo.path());
    for (file, needle) in
        [("clusters/production/apps.yaml", "name: ghcr.io/my-org/no-such-app"), ("apps/production/kustomization.yaml", "- name: redis")]
    {
        let at = format!("{}:{}:", file, repo.line_of(file, needle));
        assert!(out.lines().any(|l| l.starts_with(&at) && l.contains("[no-op]")), "expected [no-op] at {}:\n{}", at, out);
    }
}

/// Substitution as fluxcd/pkg envsubst/README.md and the kustomize-controller
/// docs describe it, on fleet-infra with variables added.
#[test]
fn substitution_follows_flux_rules() {
    let repo = Copy::of(&fleet_infra(), "substitute");
    repo.edit(
        "clusters/production/apps.yaml",
        "  wait: true\n",
        "  wait: true\n  postBuild:\n    substitute:\n      cluster_env: production\n      tag: 1.2.3\n    substituteFrom:\n    - kind: ConfigMap\n      name: cluster-vars\n    - kind: Secret\n      name: cluster-secrets\n      optional: true\n",
    );
    repo.write(
        "clusters/production/vars.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  region: eu-west-1\n  cluster_env: overridden-by-inline\n",
    );
    repo.edit("apps/base/my-app/deployment.yaml", "image: ghcr.io/my-org/my-app:1.0.0", "image: ghcr.io/my-org/my-app:${tag}");
    repo.edit(
        "apps/base/my-app/deployment.yaml",
        "  name: my-app\n",
        "  name: my-app\n  labels:\n    env: ${cluster_env}\n    region: ${region:=us-east-1}\n    tier: ${tier:=web}\n    zone: ${zone:-a}\n    short: ${region:0:2}\n  annotations:\n    literal: $${cluster_env}\n    upper: ${cluster_env^^}\n",
    );
    repo.write(
        "apps/base/my-app/script.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: script\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  run.sh: echo ${HOME}\n",
    );
    repo.edit("apps/base/my-app/kustomization.yaml", "- service.yaml\n", "- service.yaml\n- script.yaml\n");

    let root = repo.path().canonicalize().unwrap().to_string_lossy().into_owned();
    let dir = format!("{}/clusters/production", root);
    let c = cluster::load(&DiskFs, &dir, &root, &Options::default()).unwrap();
    let apps = c.unit(&Key { namespace: "flux-system".into(), name: "apps".into() }).unwrap();
    if let Status::Failed(e) = &apps.status {
        panic!("apps does not render (needs the full engine): {}", e);
    }
    let d = apps.objects.iter().find(|n| n.get_str("kind") == Some("Deployment")).unwrap();
    let meta = |f: &str, k: &str| d.path(&["metadata", f, k]).and_then(|n| n.as_str()).unwrap_or("<none>").to_string();
    assert_eq!(meta("labels", "env"), "production", "inline substitute wins over substituteFrom");
    assert_eq!(meta("labels", "region"), "eu-west-1", "a set variable ignores its default");
    assert_eq!(meta("labels", "tier"), "web", "{}", "${var:=default}");
    assert_eq!(meta("labels", "zone"), "a", "{}", "${var:-default}");
    assert_eq!(meta("labels", "short"), "eu", "{}", "${var:offset:length}");
    assert_eq!(meta("annotations", "literal"), "${cluster_env}", "{}", "$${var} escapes");
    assert_eq!(meta("annotations", "upper"), "PRODUCTION", "{}", "${var^^}");
    let image = d.path(&["spec", "template", "spec", "containers"]).and_then(|c| c.as_seq()).and_then(|c| c[0].get_str("image")).unwrap();
    assert_eq!(image, "ghcr.io/my-org/my-app:1.2.3");
    let script = apps.objects.iter().find(|n| n.path(&["metadata", "name"]).and_then(|n| n.as_str()) == Some("script")).unwrap();
    assert_eq!(script.path(&["data", "run.sh"]).and_then(|n| n.as_str()), Some("echo ${HOME}"), "substitute: disabled opts out");

    // Strict mode (the controller's default): a variable with no value and
    // no default fails the build at its line; switched off it becomes empty.
    repo.edit("apps/base/my-app/deployment.yaml", "    tier: ${tier:=web}\n", "    tier: ${tier}\n");
    let c = cluster::load(&DiskFs, &dir, &root, &Options::default()).unwrap();
    let apps = c.unit(&Key { namespace: "flux-system".into(), name: "apps".into() }).unwrap();
    match &apps.status {
        Status::Failed(e) => {
            assert!(e.message.contains("variable not set (strict mode): \"tier\""), "{}", e.message);
            let span = e.span.as_ref().unwrap();
            assert!(span.file.ends_with("apps/base/my-app/deployment.yaml"), "{}", span);
            assert_eq!(span.line as usize, repo.line_of("apps/base/my-app/deployment.yaml", "tier: ${tier}"));
        }
        s => panic!("strict substitution should fail: {:?}", s),
    }
    let lax = Options { strict_substitute: false, ..Options::default() };
    let c = cluster::load(&DiskFs, &dir, &root, &lax).unwrap();
    let apps = c.unit(&Key { namespace: "flux-system".into(), name: "apps".into() }).unwrap();
    assert_eq!(apps.unresolved.len(), 1);
    assert_eq!(apps.unresolved[0].name, "tier");
    let (_, out, _) = overlay(&["lint"], repo.path());
    assert!(out.contains("[substitution]"), "{}", out);
}

#[test]
fn prune_lists_what_a_change_deletes_and_keeps() {
    let before = Copy::of(&fleet_infra(), "prune-before");
    let after = Copy::of(&fleet_infra(), "prune-after");
    before.edit(
        "infrastructure/base/ingress-nginx/namespace.yaml",
        "  name: ingress-nginx\n",
        "  name: ingress-nginx\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\n",
    );
    after.write(
        "infrastructure/staging/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../base/cert-manager\n",
    );
    let before_root = before.path().canonicalize().unwrap();
    let (code, out, err) = overlay(&["flux", "clusters/staging", "--before", before_root.to_str().unwrap()], after.path());
    assert_eq!(code, 0, "{}", err);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        vec![
            "flux-system/infrastructure: HelmRepository/ingress-nginx/ingress-nginx deleted",
            "flux-system/infrastructure: HelmRelease/ingress-nginx/ingress-nginx deleted",
            "flux-system/infrastructure: Namespace/ingress-nginx kept (kustomize.toolkit.fluxcd.io/prune: disabled)",
        ]
    );
}

/// `--format json` prints the report the page reads from `flux()` and
/// `lint()` (one engine function each), with paths relative to where the
/// command runs; `--flag=value` and `--flag value` are the same flag.
#[test]
fn json_reports_are_the_page_reports() {
    let root = fleet_infra();
    let (code, out, err) = overlay(&["flux", "--format=json", "clusters/production"], &root);
    assert_eq!(code, 0, "{}", err);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["dir"], "clusters/production");
    assert_eq!(report["order"], serde_json::json!(["flux-system/infrastructure", "flux-system/apps"]));
    let edges = report["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["from"] == "flux-system/infrastructure" && e["to"] == "flux-system/apps" && e["kind"] == "dependsOn"));
    let apps = &report["kustomizations"][1];
    assert_eq!(apps["key"], "flux-system/apps");
    assert_eq!(apps["declaredAt"]["file"], "clusters/production/apps.yaml");
    assert!(apps["output"].as_str().unwrap().contains("kind: Deployment"));

    let (code, out, _) = overlay(&["lint", "--format", "json"], &root);
    assert_eq!(code, 1);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let (_, text, _) = overlay(&["lint"], &root);
    assert_eq!(findings.len(), text.lines().count());
    for (f, line) in findings.iter().zip(text.lines()) {
        let head =
            format!("{}:{}: {} [{}]", f["file"].as_str().unwrap(), f["line"], f["message"].as_str().unwrap(), f["rule"].as_str().unwrap());
        assert!(line.starts_with(&head), "{} / {}", line, head);
    }
    let (code, _, err) = overlay(&["lint", "--format=yaml"], &root);
    assert_eq!(code, 2);
    assert!(err.contains("unknown --format 'yaml'"), "{}", err);
}
