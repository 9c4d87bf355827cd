//! Differential test against the oracle: generates multi-environment
//! repositories (a base, a component, dev/staging/prod overlays) that mix
//! kustomize's features at random, builds every overlay with the engine and
//! with `kubectl kustomize`, and requires identical bytes (or both failing).
//!
//! Seeded and bounded: `DIFFERENTIAL_COUNT` (default 30 repositories, 3
//! overlays each) and `DIFFERENTIAL_SEED` (default 1) choose the run. Failing
//! repositories are kept under target/differential/ for inspection.

use overlay::kustomize::{self, BuildOptions};
use overlay::DiskFs;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::Rng;

const APPS: [&str; 4] = ["web", "api", "worker", "cache"];
const VALUES: [&str; 12] =
    ["true", "yes", "8080", "1.5", "on", "a: b", "x #y", "", "2024-01-01", "plain", "'q'", "long value with several words to fold maybe"];

fn quote(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn base(rng: &mut Rng, dir: &Path) -> Vec<&'static str> {
    let n = 1 + rng.below(3);
    let apps: Vec<&str> = APPS[..n].to_vec();
    let mut res = String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
    for app in &apps {
        let replicas = 1 + rng.below(3);
        let mut env = String::new();
        if rng.chance(60) {
            env.push_str("        env:\n        - name: MODE\n          value: normal\n        - name: LEVEL\n          value: \"3\"\n");
        }
        let mut volumes = String::new();
        let mut mounts = String::new();
        if rng.chance(50) {
            mounts.push_str("        volumeMounts:\n        - name: config\n          mountPath: /etc/config\n");
            volumes.push_str(&format!("      volumes:\n      - name: config\n        configMap:\n          name: {app}-config\n"));
        }
        let env_from = if rng.chance(50) {
            format!("        envFrom:\n        - configMapRef:\n            name: {app}-config\n")
        } else {
            String::new()
        };
        write(
            dir,
            &format!("base/{app}.yaml"),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  labels:\n    app: {app}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n    spec:\n      containers:\n      - name: main\n        image: registry.example.com/{app}:1.0.{replicas}\n        ports:\n        - containerPort: 8080\n{env}{env_from}{mounts}      - name: sidecar\n        image: busybox\n{volumes}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector:\n    app: {app}\n  ports:\n  - port: 80\n    targetPort: 8080\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\ndata:\n  key: {}\n  other: plain\n",
                quote(rng.choose(&VALUES))
            ),
        );
        writeln!(res, "- {app}.yaml").unwrap();
    }
    if rng.chance(30) {
        res.push_str("commonLabels:\n  team: core\n");
    }
    if rng.chance(30) {
        res.push_str("configMapGenerator:\n- name: base-settings\n  literals:\n  - COLOR=blue\n  - SIZE=2\n");
    }
    write(dir, "base/kustomization.yaml", &res);
    write(
        dir,
        "components/monitoring/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  monitoring: enabled\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /metadata/annotations/scrape\n      value: \"true\"\n",
    );
    apps
}

fn overlay(rng: &mut Rng, dir: &Path, env: &str, apps: &[&str]) {
    let mut k = String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base\n");
    let app = apps[rng.below(apps.len())];
    if rng.chance(70) {
        writeln!(k, "namespace: {env}").unwrap();
    }
    if rng.chance(40) {
        writeln!(k, "namePrefix: {env}-").unwrap();
    }
    if rng.chance(25) {
        k.push_str("nameSuffix: -v2\n");
    }
    if rng.chance(40) {
        writeln!(k, "labels:\n- pairs:\n    env: {env}\n  includeSelectors: {}", rng.chance(50)).unwrap();
    }
    if rng.chance(30) {
        writeln!(k, "commonAnnotations:\n  note: {}", quote(rng.choose(&VALUES))).unwrap();
    }
    if rng.chance(50) {
        let tag = format!("{}.{}.{}", 1 + rng.below(3), rng.below(10), rng.below(10));
        match rng.below(3) {
            0 => writeln!(k, "images:\n- name: registry.example.com/{app}\n  newTag: {}", quote(&tag)).unwrap(),
            1 => writeln!(k, "images:\n- name: registry.example.com/{app}\n  newName: mirror.example.com/{app}\n  newTag: {}", quote(&tag))
                .unwrap(),
            _ => writeln!(k, "images:\n- name: busybox\n  digest: sha256:{}", "ab".repeat(32)).unwrap(),
        }
    }
    if rng.chance(40) {
        writeln!(k, "replicas:\n- name: {app}\n  count: {}", 1 + rng.below(9)).unwrap();
    }
    let mut patches = Vec::new();
    if rng.chance(60) {
        write(
            dir,
            &format!("envs/{env}/patch.yaml"),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        env:\n        - name: MODE\n          value: {env}\n        - name: EXTRA\n          value: {}\n        resources:\n          limits:\n            memory: {}Mi\n",
                quote(rng.choose(&VALUES)),
                64 * (1 + rng.below(8))
            ),
        );
        patches.push("- path: patch.yaml".to_string());
    }
    if rng.chance(40) {
        patches.push(format!(
            "- target:\n    kind: Service\n    name: {app}\n  patch: |-\n    - op: replace\n      path: /spec/ports/0/port\n      value: {}",
            80 + rng.below(10)
        ));
    }
    if rng.chance(25) {
        patches.push("- target:\n    kind: Deployment\n    labelSelector: app\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n    spec:\n      revisionHistoryLimit: 3".to_string());
    }
    if !patches.is_empty() {
        writeln!(k, "patches:\n{}", patches.join("\n")).unwrap();
    }
    if rng.chance(50) {
        let behavior = if rng.chance(30) { "\n  behavior: merge" } else { "" };
        let name = if behavior.is_empty() { format!("{env}-settings") } else { format!("{app}-config") };
        writeln!(
            k,
            "configMapGenerator:\n- name: {name}{behavior}\n  literals:\n  - FEATURE={}\n  - LEVEL={}",
            *rng.pick(&["on", "off", "x"]),
            rng.below(5)
        )
        .unwrap();
    }
    if rng.chance(20) {
        writeln!(k, "secretGenerator:\n- name: creds\n  literals:\n  - password=s3cr3t{}", rng.below(100)).unwrap();
    }
    if rng.chance(20) {
        writeln!(
            k,
            "replacements:\n- source:\n    kind: Service\n    name: {app}\n    fieldPath: metadata.name\n  targets:\n  - select:\n      kind: Deployment\n      name: {app}\n    fieldPaths:\n    - spec.template.metadata.annotations.service\n    options:\n      create: true"
        )
        .unwrap();
    }
    if rng.chance(25) {
        k.push_str("components:\n- ../../components/monitoring\n");
    }
    write(dir, &format!("envs/{env}/kustomization.yaml"), &k);
}

fn kubectl() -> Option<PathBuf> {
    let out = Command::new("kubectl").arg("version").arg("--client").output().ok()?;
    out.status.success().then(|| PathBuf::from("kubectl"))
}

#[test]
fn engine_matches_kubectl_on_generated_overlays() {
    let Some(kubectl) = kubectl() else {
        println!("differential: skipped: kubectl not found on PATH");
        return;
    };
    let count: usize = std::env::var("DIFFERENTIAL_COUNT").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let seed: u64 = std::env::var("DIFFERENTIAL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/differential");
    let _ = std::fs::remove_dir_all(&root);
    let (mut passed, mut failed, mut both_failed) = (0, 0, 0);
    let mut failures = Vec::new();
    for i in 0..count {
        let mut rng = Rng(seed.wrapping_mul(0x9E3779B97F4A7C15).wrapping_add(i as u64 + 1) | 1);
        let dir = root.join(format!("repo-{seed}-{i}"));
        let apps = base(&mut rng, &dir);
        for env in ["dev", "staging", "prod"] {
            overlay(&mut rng, &dir, env, &apps);
            let target = dir.join("envs").join(env);
            let want = Command::new(&kubectl).arg("kustomize").arg(&target).output().expect("run kubectl");
            let have = kustomize::render(&DiskFs, &target.to_string_lossy(), &BuildOptions::default());
            let same = match (&have, want.status.success()) {
                (Ok(text), true) => text.as_bytes() == want.stdout.as_slice(),
                (Err(_), false) => {
                    both_failed += 1;
                    true
                }
                _ => false,
            };
            if same {
                passed += 1;
            } else {
                failed += 1;
                failures.push(format!(
                    "{}: engine {} / kubectl {}",
                    target.display(),
                    match &have {
                        Ok(_) => "ok".to_string(),
                        Err(e) => format!("error {}", e),
                    },
                    if want.status.success() {
                        "ok".to_string()
                    } else {
                        format!("error {}", String::from_utf8_lossy(&want.stderr).trim())
                    }
                ));
            }
        }
        if failures.is_empty() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    println!("differential: {} passed, {} failed", passed, failed);
    println!("({} overlays in {} repositories, seed {}; {} failed in both)", passed + failed, count, seed, both_failed);
    assert!(failures.is_empty(), "overlays where the engine and kubectl differ:\n{}", failures.join("\n"));
}
