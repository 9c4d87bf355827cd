//! Finds the environments of a repository (`apps/staging`,
//! `apps/production`, …), in the order changes are promoted through them,
//! and says what every other kustomization directory is: a base, a
//! component, a test fixture or example. The rule, and why it is that
//! rule, is in `roles`.
//!
//! This is a quick scan, not a build: a kustomization that fails to parse
//! still counts, and its references are then read line by line, so that the
//! set of environments stays steady while someone is typing.

mod roles;
mod stage;

pub use roles::Role;
pub use stage::stage_rank;

use crate::fs::{self, Files};
use crate::kustomize::kustomization::{self, FILE_NAMES};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// The kustomization directory, absolute: `/apps/production`.
    pub path: String,
    /// Its last path component: `production` (`/` for the root itself).
    pub name: String,
    /// The parent directory relative to the scanned root (the tree's root
    /// for `environments`): `apps`; empty for a kustomization directly
    /// under the root, and for the root itself.
    pub group: String,
}

/// A kustomization directory with its role and why it has that role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Classified {
    #[serde(flatten)]
    pub dir: Environment,
    pub role: Role,
    /// For people: `used by 2: apps/production, apps/staging`, `pinned`, …
    pub reason: String,
}

/// What the caller decides rather than the scan.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Kustomization directories (absolute, or relative to the root of the
    /// tree) that are environments whatever the rule says. A pinned
    /// directory that is no kustomization directory changes nothing.
    pub pinned: Vec<String>,
    /// An explicit promotion order of names, as `with_order` takes it.
    pub order: Vec<String>,
}

/// The environments of the whole tree, grouped by parent directory (groups
/// alphabetically) and in promotion order within a group.
pub fn environments(fs: &dyn Files) -> Vec<Environment> {
    environments_under(fs, "/")
}

/// The environments below `root` (an absolute directory in `fs`).
pub fn environments_under(fs: &dyn Files, root: &str) -> Vec<Environment> {
    environments_with(fs, root, &Options::default())
}

/// The environments below `root`, pinned ones included, as `environments`
/// orders them.
pub fn environments_with(fs: &dyn Files, root: &str, options: &Options) -> Vec<Environment> {
    kustomizations(fs, root, options).into_iter().filter(|k| k.role == Role::Environment).map(|k| k.dir).collect()
}

/// Every kustomization directory below `root`, classified: the
/// environments first (grouped, in promotion order), then the bases, the
/// components and the fixtures, each by path.
pub fn kustomizations(fs: &dyn Files, root: &str, options: &Options) -> Vec<Classified> {
    let root = fs::normalize(root);
    let mut dirs = Vec::new();
    collect_kustomization_dirs(fs, &root, &mut dirs, 0);
    let all: BTreeSet<&str> = dirs.iter().map(|(dir, _)| dir.as_str()).collect();

    let nodes: Vec<roles::Node> = dirs
        .iter()
        .map(|(dir, file)| {
            let scan = scan_kustomization(fs, file);
            let mut uses: Vec<String> = Vec::new();
            for target in scan.references.iter().map(|entry| fs::join(dir, entry)) {
                if target != *dir && all.contains(target.as_str()) && !uses.contains(&target) {
                    uses.push(target);
                }
            }
            roles::Node { path: dir.clone(), is_component: scan.is_component, uses }
        })
        .collect();
    // Pins name directories as the user sees them: relative to the tree's
    // root, like every other path of a workspace.
    let pinned: BTreeSet<String> = options.pinned.iter().map(|p| fs::join("/", p)).collect();
    let classes = roles::classify(&root, &nodes, &pinned);

    let mut list: Vec<Classified> = nodes
        .into_iter()
        .zip(classes)
        .map(|(node, (role, reason))| {
            let dir = node.path;
            let env = Environment {
                name: if dir == "/" { "/".to_string() } else { fs::file_name(&dir).to_string() },
                group: match roles::relative(fs::parent(&dir), &root) {
                    dot if dot == "." || dir == root => String::new(),
                    parent => parent,
                },
                path: dir,
            };
            Classified { dir: env, role, reason }
        })
        .collect();
    let order: Vec<&str> = options.order.iter().map(String::as_str).collect();
    let rank = |k: &Classified| order.iter().position(|n| *n == k.dir.name).unwrap_or(order.len());
    list.sort_by(|a, b| {
        let key = |k: &Classified| {
            if k.role == Role::Environment {
                (k.role, k.dir.group.clone(), rank(k), stage_rank(&k.dir.name), k.dir.name.clone())
            } else {
                (k.role, k.dir.path.clone(), 0, 0, String::new())
            }
        };
        key(a).cmp(&key(b))
    });
    list
}

/// `overlay envs`'s text: the environments as promotion chains per group
/// (`apps: staging → production`), with the reason of those that are not
/// plain overlays; then each base and component with its reason; then the
/// fixtures, one line per fixture folder. Paths relative to `root`.
pub fn text(list: &[Classified], root: &str) -> String {
    let rel = |path: &str| roles::relative(path, root);
    let mut out = String::new();
    let envs: Vec<&Classified> = list.iter().filter(|k| k.role == Role::Environment).collect();
    let mut i = 0;
    while i < envs.len() {
        let group = &envs[i].dir.group;
        let chain: Vec<&Classified> = envs[i..].iter().take_while(|e| &e.dir.group == group).copied().collect();
        let names: Vec<&str> = chain.iter().map(|e| e.dir.name.as_str()).collect();
        let parent = rel(fs::parent(&envs[i].dir.path));
        out.push_str(&format!("{}: {}\n", parent, names.join(" → ")));
        for e in chain.iter().filter(|e| e.reason != roles::UNUSED) {
            out.push_str(&format!("  {}: {}\n", e.dir.name, e.reason));
        }
        i += chain.len();
    }
    for (role, title) in [(Role::Base, "bases"), (Role::Component, "components")] {
        let rows: Vec<&Classified> = list.iter().filter(|k| k.role == role).collect();
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} ({}):\n", title, rows.len()));
        let width = rows.iter().map(|k| rel(&k.dir.path).chars().count()).max().unwrap_or(0);
        for k in rows {
            out.push_str(&format!("  {:<width$}  {}\n", rel(&k.dir.path), k.reason));
        }
    }
    // Fixtures by the folder that makes them fixtures: argo-cd has 28 in
    // `test/e2e/testdata` alone.
    let fixtures: Vec<&Classified> = list.iter().filter(|k| k.role == Role::Fixture).collect();
    if !fixtures.is_empty() {
        out.push_str(&format!("\nfixtures ({}):\n", fixtures.len()));
        let rels: Vec<String> = list.iter().map(|k| rel(&k.dir.path)).collect();
        let layout = roles::Folders::new(rels.iter().map(String::as_str));
        let mut folders: Vec<(String, Vec<String>)> = Vec::new();
        for k in fixtures {
            let path = rel(&k.dir.path);
            let folder = layout.fixture_folder(&path).map(|(f, _)| f).unwrap_or_default();
            let inside = path.strip_prefix(&folder).unwrap_or(&path).trim_start_matches('/');
            let inside = if inside.is_empty() { ".".to_string() } else { inside.to_string() };
            match folders.iter_mut().find(|(f, _)| *f == folder) {
                Some((_, names)) => names.push(inside),
                None => folders.push((folder, vec![inside])),
            }
        }
        for (folder, names) in folders {
            out.push_str(&format!("  {}/: {}\n", folder, names.join(", ")));
        }
    }
    out
}

/// The kustomization file of `dir`, if it is a kustomization directory.
/// Unlike a build, a directory with several counts (with the first).
fn kustomization_file(fs: &dyn Files, dir: &str) -> Option<String> {
    FILE_NAMES.iter().map(|name| fs::join(dir, name)).find(|path| fs.is_file(path))
}

fn collect_kustomization_dirs(fs: &dyn Files, dir: &str, out: &mut Vec<(String, String)>, depth: usize) {
    if depth > crate::limits::MAX_DIR_DEPTH {
        return;
    }
    if let Some(file) = kustomization_file(fs, dir) {
        out.push((dir.to_string(), file));
    }
    for name in fs.list(dir) {
        if name.starts_with('.') {
            continue; // .git, .github and the like hold no environments
        }
        let child = fs::join(dir, &name);
        if fs.is_dir(&child) {
            collect_kustomization_dirs(fs, &child, out, depth + 1);
        }
    }
}

#[derive(Default)]
struct Scan {
    references: Vec<String>,
    is_component: bool,
}

/// What a kustomization refers to, read as a build reads it: `resources`
/// (with the deprecated `bases`), `components`, and the `generators` and
/// `transformers` entries, which may be kustomization directories too.
fn scan_kustomization(fs: &dyn Files, file: &str) -> Scan {
    let Some(bytes) = fs.read(file) else { return Scan::default() };
    let text = String::from_utf8_lossy(&bytes);
    let Ok(k) = kustomization::parse(file, &text) else { return scan_lines(&text) };
    let references = [k.resources.clone(), k.components.clone(), k.string_list("generators"), k.string_list("transformers")]
        .into_iter()
        .flatten()
        .map(|entry| entry.text)
        .collect();
    Scan { references, is_component: k.is_component() }
}

/// The fallback for a kustomization that does not parse (or fails its
/// checks): every list item
/// (`- ../base`) is taken as a possible reference; only those naming a
/// kustomization directory count, so a stray `- op: replace` does no harm.
fn scan_lines(text: &str) -> Scan {
    let mut scan = Scan::default();
    for line in text.lines() {
        let line = line.trim();
        if line == "kind: Component" {
            scan.is_component = true;
        }
        if let Some(item) = line.strip_prefix("- ") {
            let item = item.split(" #").next().unwrap_or(item).trim();
            let item = item.trim_matches(|c| c == '"' || c == '\'');
            if !item.is_empty() {
                scan.references.push(item.to_string());
            }
        }
    }
    scan
}

/// Puts the environments of each group in an explicit promotion order
/// (names first to last, as a team writes `dev,qa,prod`); names not listed
/// keep their detected order after the listed ones.
pub fn with_order(mut envs: Vec<Environment>, order: &[&str]) -> Vec<Environment> {
    let rank = |e: &Environment| order.iter().position(|n| *n == e.name).unwrap_or(order.len());
    // Stable: within a group, unlisted environments keep their places.
    envs.sort_by(|a, b| a.group.cmp(&b.group).then(rank(a).cmp(&rank(b))));
    envs
}

/// Each environment with the next one of its group: the promotions a
/// repository offers (`apps/staging` → `apps/production`).
pub fn promotion_pairs(envs: &[Environment]) -> Vec<(&Environment, &Environment)> {
    envs.windows(2).filter(|w| w[0].group == w[1].group).map(|w| (&w[0], &w[1])).collect()
}

#[cfg(test)]
mod order_tests {
    use super::*;

    fn env(group: &str, name: &str) -> Environment {
        Environment { path: format!("/{}/{}", group, name), name: name.into(), group: group.into() }
    }

    #[test]
    fn explicit_order_and_pairs() {
        let detected = vec![env("apps", "dev"), env("apps", "canary"), env("apps", "prod"), env("infra", "dev"), env("infra", "prod")];
        let ordered = with_order(detected, &["dev", "prod", "canary"]);
        let names: Vec<String> = ordered.iter().map(|e| e.path.clone()).collect();
        assert_eq!(names, vec!["/apps/dev", "/apps/prod", "/apps/canary", "/infra/dev", "/infra/prod"]);
        let pairs: Vec<(String, String)> = promotion_pairs(&ordered).iter().map(|(a, b)| (a.path.clone(), b.path.clone())).collect();
        assert_eq!(pairs.len(), 3);
        assert_eq!(pairs[2], ("/infra/dev".to_string(), "/infra/prod".to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;
    use crate::yaml::parse_documents;

    fn kustomization(resources: &[&str]) -> String {
        let mut text = String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
        for r in resources {
            text.push_str(&format!("- {r}\n"));
        }
        text
    }

    fn paths(envs: &[Environment]) -> Vec<&str> {
        envs.iter().map(|e| e.path.as_str()).collect()
    }

    // apps/base/redis is in the base but no overlay uses it: a root, yet a
    // base, not an environment.
    const FLEET_INFRA_ENVIRONMENTS: [&str; 4] =
        ["/apps/staging", "/apps/production", "/infrastructure/staging", "/infrastructure/production"];

    /// The fleet-infra layout of the default preset.
    fn fleet_infra() -> MemFs {
        let mut fs = MemFs::new();
        fs.insert("apps/base/my-app/kustomization.yaml", kustomization(&["deployment.yaml", "service.yaml"]));
        fs.insert("apps/base/my-app/deployment.yaml", "kind: Deployment\n");
        fs.insert("apps/base/redis/kustomization.yaml", kustomization(&["deployment.yaml"]));
        fs.insert("apps/production/kustomization.yaml", kustomization(&["../base/my-app"]) + "patches:\n- path: my-app-patch.yaml\n");
        fs.insert("apps/production/my-app-patch.yaml", "kind: Deployment\n");
        fs.insert("apps/staging/kustomization.yaml", kustomization(&["../base/my-app"]));
        fs.insert("infrastructure/base/cert-manager/kustomization.yaml", kustomization(&["namespace.yaml"]));
        fs.insert("infrastructure/base/ingress-nginx/kustomization.yaml", kustomization(&["namespace.yaml"]));
        let infra = kustomization(&["../base/cert-manager", "../base/ingress-nginx"]);
        fs.insert("infrastructure/production/kustomization.yaml", infra.clone());
        fs.insert("infrastructure/staging/kustomization.yaml", infra);
        // Flux objects, no kustomization.yaml: not an environment of kustomize.
        fs.insert("clusters/production/apps.yaml", "kind: Kustomization\n");
        fs
    }

    #[test]
    fn a_lone_base_is_shown_when_there_is_nothing_else() {
        let mut fs = MemFs::new();
        fs.insert("base/kustomization.yaml", kustomization(&["deployment.yaml"]));
        fs.insert("apps/base/web/kustomization.yaml", kustomization(&[]));
        // Grouped by parent folder: `` (the root) before `apps/base`.
        assert_eq!(paths(&environments(&fs)), ["/base", "/apps/base/web"]);
        // Once an overlay exists, the unused base is no longer listed.
        fs.insert("dev/kustomization.yaml", kustomization(&["../base"]));
        assert_eq!(paths(&environments(&fs)), ["/dev"]);
    }

    #[test]
    fn fleet_infra_roots_in_promotion_order() {
        let envs = environments(&fleet_infra());
        assert_eq!(paths(&envs), FLEET_INFRA_ENVIRONMENTS);
        let prod = &envs[1];
        assert_eq!((prod.name.as_str(), prod.group.as_str()), ("production", "apps"));
        assert_eq!(envs[2].group, "infrastructure");
    }

    #[test]
    fn the_shipped_preset_has_four_environments() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/www/presets/fleet-infra");
        let mut fs = MemFs::new();
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("preset directory").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(root).expect("inside the preset");
                    fs.insert(&rel.to_string_lossy(), std::fs::read(&path).expect("preset file"));
                }
            }
        }
        assert_eq!(paths(&environments(&fs)), FLEET_INFRA_ENVIRONMENTS);
    }

    #[test]
    fn promotion_order_within_a_group() {
        let mut fs = MemFs::new();
        for name in ["prod", "alpha", "qa", "staging", "dev", "zeta", "test", "prod-eu"] {
            fs.insert(&format!("envs/{name}/kustomization.yaml"), "resources: []\n");
        }
        let names: Vec<String> = environments(&fs).into_iter().map(|e| e.name).collect();
        assert_eq!(names, vec!["dev", "qa", "test", "staging", "prod", "prod-eu", "alpha", "zeta"]);
    }

    #[test]
    fn groups_sort_alphabetically_and_the_root_is_a_group() {
        let mut fs = MemFs::new();
        fs.insert("zz/dev/kustomization.yml", "resources: []\n");
        fs.insert("aa/prod/Kustomization", "resources: []\n");
        fs.insert("kustomization.yaml", "resources: []\n");
        let envs = environments(&fs);
        assert_eq!(paths(&envs), vec!["/", "/aa/prod", "/zz/dev"]);
        assert_eq!((envs[0].name.as_str(), envs[0].group.as_str()), ("/", ""));
    }

    #[test]
    fn bases_and_components_are_references_and_components_are_no_environments() {
        let mut fs = MemFs::new();
        fs.insert("base/kustomization.yaml", "resources: []\n");
        let component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: tls-\n";
        let overlay = "bases:\n- ../base\ncomponents:\n- ../components/tls\n";
        // Both read as a build reads them, not through the line-by-line fallback.
        assert!(kustomization::parse("/c/kustomization.yaml", component).is_ok_and(|k| k.is_component()));
        assert!(kustomization::parse("/overlay/kustomization.yaml", overlay).is_ok());
        fs.insert("components/tls/kustomization.yaml", component);
        fs.insert("components/unused/kustomization.yaml", "kind: Component\n");
        fs.insert("overlay/kustomization.yaml", overlay);
        assert_eq!(paths(&environments(&fs)), vec!["/overlay"]);
    }

    #[test]
    fn a_kustomization_that_does_not_parse_still_counts_and_keeps_its_references() {
        let mut fs = MemFs::new();
        fs.insert("base/kustomization.yaml", "resources: []\n");
        let broken = "resources:\n- ../base # the base\n- op: [\n";
        assert!(parse_documents("/prod/kustomization.yaml", broken).is_err(), "the test needs a parse error");
        fs.insert("prod/kustomization.yaml", broken);
        assert_eq!(paths(&environments(&fs)), vec!["/prod"]);
    }

    #[test]
    fn references_to_files_urls_and_itself_change_nothing() {
        let mut fs = MemFs::new();
        fs.insert(
            "app/kustomization.yaml",
            "resources:\n- deployment.yaml\n- https://github.com/org/repo//base?ref=v1\n- .\n- 42\n- {path: x}\n",
        );
        fs.insert("app/deployment.yaml", "kind: Deployment\n");
        assert_eq!(paths(&environments(&fs)), vec!["/app"]);
    }

    #[test]
    fn hidden_folders_and_plain_folders_are_skipped() {
        let mut fs = MemFs::new();
        fs.insert(".git/x/kustomization.yaml", "resources: []\n");
        fs.insert("docs/readme.md", "# no kustomization here\n");
        assert!(environments(&fs).is_empty());
        assert!(environments(&MemFs::new()).is_empty());
    }

    #[test]
    fn binary_or_odd_kustomization_files_do_not_panic() {
        let mut fs = MemFs::new();
        fs.insert("a/kustomization.yaml", vec![0xff, 0xfe, 0x00, b'-', b' ', b'.', b'.']);
        fs.insert("b/kustomization.yaml", "");
        fs.insert("c/kustomization.yaml", "- just\n- a list\n");
        fs.insert("d/kustomization.yaml", "resources: not-a-list\n");
        assert_eq!(paths(&environments(&fs)), vec!["/a", "/b", "/c", "/d"]);
    }

    #[test]
    fn stage_ranks() {
        assert_eq!(stage_rank("dev"), 0);
        assert_eq!(stage_rank("QA"), 1);
        assert_eq!(stage_rank("eu_staging"), 2);
        assert_eq!(stage_rank("production"), 3);
        assert_eq!(stage_rank("base"), 4);
        assert_eq!(stage_rank("devops"), 4);
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;
    use crate::fs::MemFs;

    fn k(resources: &[&str]) -> String {
        let mut text = String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
        for r in resources {
            text.push_str(&format!("- {r}\n"));
        }
        text
    }

    fn roles(fs: &MemFs, pinned: &[&str]) -> Vec<(String, Role, String)> {
        let options = Options { pinned: pinned.iter().map(|p| p.to_string()).collect(), ..Default::default() };
        kustomizations(fs, "/", &options).into_iter().map(|c| (c.dir.path, c.role, c.reason)).collect()
    }

    fn role_of(fs: &MemFs, pinned: &[&str], path: &str) -> (Role, String) {
        roles(fs, pinned).into_iter().find(|(p, _, _)| p == path).map(|(_, r, why)| (r, why)).expect("a kustomization directory")
    }

    /// argo-cd's install layout, cut down.
    fn installs() -> MemFs {
        let mut fs = MemFs::new();
        fs.insert("manifests/base/server/kustomization.yaml", k(&["deployment.yaml"]));
        fs.insert("manifests/base/kustomization.yaml", k(&["./server"]));
        fs.insert("manifests/crds/kustomization.yaml", k(&["crd.yaml"]));
        fs.insert("manifests/cluster-rbac/server/kustomization.yaml", k(&["role.yaml"]));
        fs.insert("manifests/cluster-rbac/kustomization.yaml", k(&["./server"]));
        fs.insert("manifests/namespace-install/kustomization.yaml", k(&["../base"]));
        fs.insert("manifests/cluster-install/kustomization.yaml", k(&["../namespace-install", "../cluster-rbac", "../crds"]));
        fs.insert("manifests/cluster-install-with-hydrator/kustomization.yaml", k(&["../cluster-install"]));
        fs
    }

    #[test]
    fn an_install_others_build_on_stays_an_environment() {
        let fs = installs();
        let envs: Vec<String> = environments(&fs).into_iter().map(|e| e.path).collect();
        assert_eq!(envs, ["/manifests/cluster-install", "/manifests/cluster-install-with-hydrator", "/manifests/namespace-install"]);
        assert_eq!(
            role_of(&fs, &[], "/manifests/cluster-install"),
            (Role::Environment, "an overlay (of manifests/namespace-install and 2 more) others build on: used by 1: manifests/cluster-install-with-hydrator".to_string())
        );
        assert_eq!(role_of(&fs, &[], "/manifests/cluster-install-with-hydrator").1, "no other kustomization uses it");
    }

    #[test]
    fn leaves_base_folders_and_aggregations_of_their_own_parts_are_bases() {
        let fs = installs();
        // A leaf: only files.
        assert_eq!(role_of(&fs, &[], "/manifests/crds"), (Role::Base, "used by 1: manifests/cluster-install".to_string()));
        // Its references are all inside it.
        assert_eq!(role_of(&fs, &[], "/manifests/cluster-rbac").0, Role::Base);
        assert_eq!(role_of(&fs, &[], "/manifests/base").0, Role::Base);
        assert_eq!(role_of(&fs, &[], "/manifests/base/server").1, "used by 1: manifests/base");
    }

    #[test]
    fn what_only_bases_build_on_is_part_of_a_base() {
        let mut fs = MemFs::new();
        fs.insert("upstream/crd/kustomization.yaml", k(&["crd.yaml"]));
        fs.insert("upstream/default/kustomization.yaml", k(&["../crd"]));
        fs.insert("upstream/base/kustomization.yaml", k(&["../default"]));
        fs.insert("upstream/overlays/kubeflow/kustomization.yaml", k(&["../../base"]));
        assert_eq!(role_of(&fs, &[], "/upstream/default"), (Role::Base, "used by 1: upstream/base".to_string()));
        // Once something beside the bases uses it, it is an overlay people deploy.
        fs.insert("example/kustomization.yaml", k(&["../upstream/default"]));
        assert_eq!(role_of(&fs, &[], "/upstream/default").0, Role::Environment);
    }

    #[test]
    fn a_component_mixed_in_makes_no_overlay() {
        let mut fs = MemFs::new();
        fs.insert("components/namespace/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n");
        fs.insert("personal/network/kustomization.yaml", k(&["secret.yaml"]) + "components:\n- ../../components/namespace\n");
        fs.insert("personal/kustomization.yaml", k(&["./network"]));
        assert_eq!(role_of(&fs, &[], "/personal/network"), (Role::Base, "used by 1: personal".to_string()));
        assert_eq!(
            role_of(&fs, &[], "/components/namespace"),
            (Role::Component, "kind: Component, used by 1: personal/network".to_string())
        );
    }

    #[test]
    fn fixtures_and_what_they_use() {
        let mut fs = installs();
        fs.insert("test/manifests/base/kustomization.yaml", k(&["../../../manifests/crds", "../../../manifests/base/server"]));
        fs.insert("util/kustomize/testdata/kustomization.yaml", k(&["cm.yaml"]));
        fs.insert("docs/guide/kustomization.yaml", k(&["cm.yaml"]));
        fs.insert("hack/tools/kustomization.yaml", k(&["cm.yaml"]));
        fs.insert("applicationset/examples/guestbook/kustomization.yaml", k(&["cm.yaml"]));
        assert_eq!(role_of(&fs, &[], "/test/manifests/base"), (Role::Fixture, "a test fixture (under test/)".to_string()));
        assert_eq!(role_of(&fs, &[], "/util/kustomize/testdata").1, "a test fixture (under util/kustomize/testdata/)");
        assert_eq!(role_of(&fs, &[], "/docs/guide").1, "an example (under docs/)");
        assert_eq!(role_of(&fs, &[], "/hack/tools").1, "a development helper (under hack/)");
        assert_eq!(role_of(&fs, &[], "/applicationset/examples/guestbook").0, Role::Fixture);
        // A fixture's use counts for nothing: the reason names only real users.
        assert_eq!(role_of(&fs, &[], "/manifests/crds").1, "used by 1: manifests/cluster-install");
        fs.insert("tests/e2e/kustomization.yaml", k(&["../../manifests/cluster-install-with-hydrator"]));
        assert_eq!(
            role_of(&fs, &[], "/manifests/cluster-install-with-hydrator"),
            (Role::Environment, "only test fixtures or examples use it".to_string())
        );
        // Scanned from inside, a fixture folder is the root: no fixture.
        let inside: Vec<Role> = kustomizations(&fs, "/util/kustomize/testdata", &Options::default()).into_iter().map(|c| c.role).collect();
        assert_eq!(inside, [Role::Environment]);
    }

    #[test]
    fn a_test_stage_beside_dev_and_prod_is_no_fixture() {
        let mut fs = MemFs::new();
        fs.insert("base/kustomization.yaml", k(&["cm.yaml"]));
        for env in ["dev", "test", "prod"] {
            fs.insert(&format!("envs/{env}/kustomization.yaml"), k(&["../../base"]));
            fs.insert(&format!("clusters/{env}/apps/kustomization.yaml"), k(&["../../../base"]));
        }
        fs.insert("tests/e2e/kustomization.yaml", k(&["../../base"]));
        let envs: Vec<String> = environments(&fs).into_iter().map(|e| e.path).collect();
        assert_eq!(envs, ["/clusters/dev/apps", "/clusters/prod/apps", "/clusters/test/apps", "/envs/dev", "/envs/test", "/envs/prod"]);
        assert_eq!(role_of(&fs, &[], "/tests/e2e").0, Role::Fixture);
    }

    #[test]
    fn pinned_directories_are_environments() {
        let fs = installs();
        assert_eq!(role_of(&fs, &["manifests/crds"], "/manifests/crds"), (Role::Environment, "pinned".to_string()));
        assert_eq!(role_of(&fs, &["/manifests/base/server/"], "/manifests/base/server"), (Role::Environment, "pinned".to_string()));
        // A pin that names no kustomization directory changes nothing.
        assert_eq!(roles(&fs, &["manifests/nowhere", "manifests/base/server/deployment.yaml"]), roles(&fs, &[]));
        // Pinned environments take their place in their group's order.
        let options = Options { pinned: vec!["manifests/crds".into()], ..Default::default() };
        let envs: Vec<String> = environments_with(&fs, "/", &options).into_iter().map(|e| e.name).collect();
        assert_eq!(envs, ["cluster-install", "cluster-install-with-hydrator", "crds", "namespace-install"]);
    }

    #[test]
    fn with_no_environment_the_unused_ones_are_listed_and_pins_do_not_hide_them() {
        let mut fs = MemFs::new();
        fs.insert("examples/a/kustomization.yaml", k(&["../b"]));
        fs.insert("examples/b/kustomization.yaml", k(&["cm.yaml"]));
        // A component, even an unused one, is never built on its own.
        fs.insert("examples/c/kustomization.yaml", "kind: Component\n");
        let got: Vec<(String, Role)> = roles(&fs, &[]).into_iter().map(|(p, r, _)| (p, r)).collect();
        assert_eq!(
            got,
            [
                ("/examples/a".to_string(), Role::Environment),
                ("/examples/b".to_string(), Role::Fixture),
                ("/examples/c".to_string(), Role::Fixture)
            ]
        );
        assert_eq!(role_of(&fs, &[], "/examples/a").1, "an example (under examples/); listed because nothing else is an environment");
        let pinned: Vec<String> = environments_with(&fs, "/", &Options { pinned: vec!["examples/b".into()], ..Default::default() })
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(pinned, ["/examples/a", "/examples/b"]);
    }

    #[test]
    fn every_directory_once_environments_first_then_by_role_and_path() {
        let mut fs = installs();
        fs.insert("tests/x/kustomization.yaml", k(&[]));
        fs.insert("components/c/kustomization.yaml", "kind: Component\n");
        let list = roles(&fs, &[]);
        let order: Vec<(Role, &str)> = list.iter().map(|(p, r, _)| (*r, p.as_str())).collect();
        assert_eq!(
            order,
            [
                (Role::Environment, "/manifests/cluster-install"),
                (Role::Environment, "/manifests/cluster-install-with-hydrator"),
                (Role::Environment, "/manifests/namespace-install"),
                (Role::Base, "/manifests/base"),
                (Role::Base, "/manifests/base/server"),
                (Role::Base, "/manifests/cluster-rbac"),
                (Role::Base, "/manifests/cluster-rbac/server"),
                (Role::Base, "/manifests/crds"),
                (Role::Component, "/components/c"),
                (Role::Fixture, "/tests/x"),
            ]
        );
    }

    #[test]
    fn the_text_lists_chains_then_bases_components_and_fixtures() {
        let mut fs = installs();
        fs.insert("test/e2e/testdata/a/kustomization.yaml", k(&[]));
        fs.insert("test/e2e/testdata/b/kustomization.yaml", k(&[]));
        fs.insert("components/c/kustomization.yaml", "kind: Component\n");
        let list = kustomizations(&fs, "/", &Options::default());
        let want = "\
manifests: cluster-install → cluster-install-with-hydrator → namespace-install
  cluster-install: an overlay (of manifests/namespace-install and 2 more) others build on: used by 1: manifests/cluster-install-with-hydrator
  namespace-install: an overlay (of manifests/base) others build on: used by 1: manifests/cluster-install

bases (5):
  manifests/base                 used by 1: manifests/namespace-install
  manifests/base/server          used by 1: manifests/base
  manifests/cluster-rbac         used by 1: manifests/cluster-install
  manifests/cluster-rbac/server  used by 1: manifests/cluster-rbac
  manifests/crds                 used by 1: manifests/cluster-install

components (1):
  components/c  kind: Component, unused

fixtures (2):
  test/e2e/testdata/: a, b
";
        assert_eq!(text(&list, "/"), want);
    }
}
