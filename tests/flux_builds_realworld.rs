//! Flux builds of real repositories (../shared/realworld), rendered the
//! way the kustomize-controller renders them:
//! - each Kustomization's kustomize build equals what `kubectl kustomize`
//!   prints for the kustomization.yaml Flux writes there (recorded in
//!   tests/golden/flux-realworld by `record_kubectl_goldens`, which needs
//!   kubectl and is run by hand);
//! - the whole `overlay flux` output (post-build: substitution, owner
//!   labels, apply order) and its messages are pinned byte for byte.
//!
//! Skipped, with a message, when ../shared/realworld is absent.

use overlay::flux::cluster::{self, Cluster, Options, Status};
use overlay::kustomize::kustomization;
use overlay::DiskFs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn realworld() -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realworld"));
    if p.is_dir() {
        Some(p.canonicalize().unwrap())
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/flux-realworld")
}

/// (golden name, repository folder, cluster directory inside it)
const CLUSTERS: [(&str, &str, &str); 3] = [
    ("home-ops", "onedr0p+home-ops", "kubernetes/flux/cluster"),
    ("helm-example-staging", "fluxcd+flux2-kustomize-helm-example", "clusters/staging"),
    ("helm-example-production", "fluxcd+flux2-kustomize-helm-example", "clusters/production"),
];

fn load(repo: &Path, dir: &str) -> Cluster {
    let root = repo.to_string_lossy().to_string();
    let dir = format!("{}/{}", root, dir);
    cluster::load(&DiskFs, &dir, &root, &Options::default()).unwrap()
}

/// The golden file of one Kustomization's kustomize build.
fn unit_golden(name: &str, key: &overlay::flux::kustomization::Key) -> PathBuf {
    golden_dir().join(name).join(format!("{}.{}.yaml", key.namespace, key.name))
}

/// Kustomizations whose kustomize build ran (it may then fail in post-build).
fn built_units(c: &Cluster) -> Vec<&cluster::Unit> {
    c.units.iter().filter(|u| u.generated.is_some() && (matches!(u.status, Status::Rendered) || !u.built.is_empty())).collect()
}

#[test]
fn each_kustomization_builds_as_kubectl_builds_what_flux_writes() {
    let Some(rw) = realworld() else { return };
    let (mut checked, mut equal) = (0, 0);
    for (name, repo, dir) in CLUSTERS {
        let c = load(&rw.join(repo), dir);
        let mut failures = Vec::new();
        for u in built_units(&c) {
            let path = unit_golden(name, &u.ks.key);
            let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no golden {} (record_kubectl_goldens)", path.display()));
            let nodes: Vec<_> = u.built.iter().map(|r| r.node.clone()).collect();
            let got = overlay::yaml::emit_documents(&nodes);
            if got != want {
                // FLUX_REALWORLD_DUMP=DIR writes our build there, to diff against the golden.
                if let Ok(d) = std::env::var("FLUX_REALWORLD_DUMP") {
                    std::fs::write(format!("{}/{}.{}.yaml", d, u.ks.key.namespace, u.ks.key.name), &got).unwrap();
                }
                failures.push(format!("{} {}", name, u.ks.key));
            }
            checked += 1;
            equal += (got == want) as usize;
        }
        assert!(failures.is_empty(), "differs from kubectl: {:?}", failures);
    }
    eprintln!("{} of {} Kustomization builds equal kubectl's", equal, checked);
}

/// What the controller would report, one line per Kustomization: its state
/// and message, as `overlay flux` shows them.
fn statuses(c: &Cluster, root: &str) -> String {
    let mut out = String::new();
    for e in &c.errors {
        out.push_str(&format!("cluster error: {}\n", e.to_string().replace(root, ".")));
    }
    for u in &c.units {
        let state = match &u.status {
            Status::Rendered => "rendered".to_string(),
            Status::External(why) => format!("external: {}", why),
            Status::Failed(e) => format!("failed: {}", e.to_string().replace(root, ".")),
        };
        out.push_str(&format!("{} {}", u.ks.key, state));
        if let Some(m) = u.blocked_message() {
            out.push_str(&format!(" [blocked: {}]", m));
        }
        out.push('\n');
        for w in &u.warnings {
            out.push_str(&format!("  warning: {}\n", w.replace(root, ".")));
        }
    }
    out
}

#[test]
fn clusters_render_as_pinned() {
    let Some(rw) = realworld() else { return };
    for (name, repo, dir) in CLUSTERS {
        let repo = rw.join(repo);
        let c = load(&repo, dir);
        let want = std::fs::read_to_string(golden_dir().join(format!("{}.status.txt", name))).unwrap();
        assert_eq!(statuses(&c, &repo.to_string_lossy()), want, "{}", name);
        let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(["flux", dir]).current_dir(&repo).output().unwrap();
        let want = std::fs::read_to_string(golden_dir().join(format!("{}.flux.yaml", name))).unwrap();
        assert!(String::from_utf8_lossy(&out.stdout) == want, "{}: overlay flux output differs from {}.flux.yaml", name, name);
    }
}

#[test]
fn home_ops_is_one_cluster_of_78_kustomizations_with_nothing_invented() {
    let Some(rw) = realworld() else { return };
    let c = load(&rw.join("onedr0p+home-ops"), "kubernetes/flux/cluster");
    assert_eq!(c.units.len(), 78);
    assert!(c.errors.is_empty());
    // Its substituteFrom Secret is made by the bootstrap, outside Flux: the
    // 1Password template under bootstrap/ is not what the controller reads.
    let tunnel = c.unit(&overlay::flux::kustomization::Key { namespace: "network".into(), name: "cloudflare-tunnel".into() }).unwrap();
    match &tunnel.status {
        Status::Failed(e) => assert!(
            e.message
                .contains("substitute from 'Secret/cloudflare-tunnel-id-secret' error: secrets \"cloudflare-tunnel-id-secret\" not found"),
            "{}",
            e.message
        ),
        s => panic!("{:?}", s),
    }
    let all = overlay::yaml::emit_documents(&c.units.iter().flat_map(|u| u.objects.clone()).collect::<Vec<_>>());
    assert!(!all.contains("op://"), "a value from a file the cluster does not apply");
}

/// Records the goldens: kubectl's build of what Flux writes for each
/// Kustomization (on a copy of the repository), then our statuses and
/// `overlay flux` output. Run by hand after checking the changes:
/// `cargo test --test flux_builds_realworld -- --ignored record`.
#[test]
#[ignore]
fn record_kubectl_goldens() {
    let Some(rw) = realworld() else { return };
    for (name, repo_name, dir) in CLUSTERS {
        let repo = rw.join(repo_name);
        let c = load(&repo, dir);
        std::fs::create_dir_all(golden_dir().join(name)).unwrap();
        let tmp = std::env::temp_dir().join(format!("overlay-flux-realworld-{}", std::process::id()));
        for u in built_units(&c) {
            let _ = std::fs::remove_dir_all(&tmp);
            let ok = Command::new("cp").arg("-a").arg(&repo).arg(&tmp).status().unwrap().success();
            assert!(ok);
            let g = u.generated.as_ref().unwrap();
            // One key each (the later wins), as the controller writes it back.
            let k = kustomization::parse(&g.file, &g.text).unwrap();
            let rel = Path::new(&g.file).strip_prefix(&repo).unwrap();
            std::fs::write(tmp.join(rel), overlay::flux::generate::to_json(&k.node)).unwrap();
            let dir = tmp.join(Path::new(u.dir.as_deref().unwrap()).strip_prefix(&repo).unwrap());
            let out = Command::new("kubectl").args(["kustomize", "--load-restrictor", "LoadRestrictionsNone"]).arg(&dir).output().unwrap();
            assert!(out.status.success(), "{}: {}", u.ks.key, String::from_utf8_lossy(&out.stderr));
            std::fs::write(unit_golden(name, &u.ks.key), out.stdout).unwrap();
        }
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::write(golden_dir().join(format!("{}.status.txt", name)), statuses(&c, &repo.to_string_lossy())).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(["flux", dir]).current_dir(&repo).output().unwrap();
        std::fs::write(golden_dir().join(format!("{}.flux.yaml", name)), out.stdout).unwrap();
    }
}

/// A broken folder under the parent that applies every app: the parent
/// fails (file and line given), every app Kustomization still renders.
#[test]
fn home_ops_survives_a_broken_namespace_folder() {
    let Some(rw) = realworld() else { return };
    let tmp = std::env::temp_dir().join(format!("overlay-flux-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(Command::new("cp").arg("-a").arg(rw.join("onedr0p+home-ops")).arg(&tmp).status().unwrap().success());
    std::fs::create_dir_all(tmp.join("kubernetes/apps/zz-broken")).unwrap();
    std::fs::write(tmp.join("kubernetes/apps/zz-broken/kustomization.yaml"), "resources:\n  - ./missing.yaml\n").unwrap();
    let c = load(&tmp, "kubernetes/flux/cluster");
    let _ = std::fs::remove_dir_all(&tmp);
    assert_eq!(c.units.len(), 78);
    let parent = &c.units[0];
    assert_eq!(parent.ks.key.to_string(), "flux-system/cluster-apps");
    match &parent.status {
        Status::Failed(e) => {
            let span = e.span.as_ref().unwrap();
            assert!(span.file.ends_with("/kubernetes/apps/zz-broken/kustomization.yaml") && span.line == 2, "{}", e);
        }
        s => panic!("{:?}", s),
    }
    let rendered = c.units.iter().filter(|u| matches!(u.status, Status::Rendered)).count();
    // All but the parent and the two that fail on their own (sonarr's
    // script is not in the corpus; cloudflare-tunnel's Secret is made outside Flux).
    assert_eq!(rendered, 75);
    assert!(c.units[1..]
        .iter()
        .all(|u| u.warnings.iter().any(|w| w.starts_with("applied by Kustomization flux-system/cluster-apps, which fails"))));
}
