//! ExternalArtifacts made from this repository by an ArtifactGenerator
//! (source-watcher, the layout of flux2-kustomize-helm-example since Flux
//! 2.7): `copy: [{from: "@monorepo/apps/base/**", to: "@artifact/base/"}]`.
//!
//! When every copy moves files by one common prefix (`apps/…` becomes
//! `…`), the artifact is a subset of the repository seen from that prefix:
//! we build there, through a view that shows only the copied files, so every
//! error and finding names the file as it is in the repository. Copies that
//! rename files, merge YAML or extract archives are reported as external.

use crate::fs::{self, Files};
use crate::yaml::Node;

/// Where an ExternalArtifact's content lies in this repository.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    /// The repository directory that is the artifact's root.
    pub root: String,
    /// Repository paths that are copied: whole directories and single files.
    pub dirs: Vec<String>,
    pub files: Vec<String>,
    /// `exclude` patterns, with the directory they are relative to.
    pub excludes: Vec<(String, String)>,
}

/// Finds how `artifact` of the generator `generator` maps onto the
/// repository. `is_self` says whether a source (kind, name) is this
/// repository. `Err` says why it cannot be rendered here.
pub fn mapping(
    files: &dyn Files,
    repo_root: &str,
    generator: &Node,
    artifact: &str,
    is_self: &dyn Fn(&str, &str) -> bool,
) -> Result<Mapping, String> {
    let spec = generator.get("spec").ok_or("the ArtifactGenerator has no spec")?;
    let aliases: Vec<(String, bool)> = spec
        .get("sources")
        .and_then(|s| s.as_seq())
        .into_iter()
        .flatten()
        .map(|s| (s.get_str("alias").unwrap_or("").to_string(), is_self(s.get_str("kind").unwrap_or(""), s.get_str("name").unwrap_or(""))))
        .collect();
    let art = spec
        .get("artifacts")
        .and_then(|a| a.as_seq())
        .and_then(|a| a.iter().find(|x| x.get_str("name") == Some(artifact)))
        .ok_or_else(|| format!("the ArtifactGenerator does not declare an artifact '{}'", artifact))?;
    let mut m = Mapping { root: String::new(), dirs: Vec::new(), files: Vec::new(), excludes: Vec::new() };
    let mut prefix: Option<String> = None;
    for op in art.get("copy").and_then(|c| c.as_seq()).into_iter().flatten() {
        let strategy = op.get_str("strategy").unwrap_or("Overwrite");
        if strategy != "Overwrite" {
            return Err(format!("copy strategy {} is not simulated", strategy));
        }
        let from = op.get_str("from").unwrap_or("");
        let to = op.get_str("to").unwrap_or("");
        let (alias, pattern) =
            from.strip_prefix('@').and_then(|f| f.split_once('/')).ok_or_else(|| format!("copy from '{}' is not @alias/path", from))?;
        if !aliases.iter().any(|(a, s)| a == alias && *s) {
            return Err(format!("copy from '@{}' reads a source that is not this repository", alias));
        }
        let dest = to
            .strip_prefix("@artifact/")
            .or_else(|| (to == "@artifact").then_some(""))
            .ok_or_else(|| format!("copy to '{}' is not @artifact/path", to))?;
        let into_dir = dest.is_empty() || dest.ends_with('/');
        let dest = fs::normalize(dest);
        // (repository path, artifact path, whole directory?)
        let (repo, art_path, dir) = if let Some(d) = pattern.strip_suffix("/**") {
            if !into_dir {
                return Err(format!("copy of '{}' into a file is not simulated", from));
            }
            (fs::join(repo_root, d), dest.clone(), true)
        } else if pattern.contains(['*', '?', '[']) {
            return Err(format!("copy of the glob '{}' is not simulated", pattern));
        } else {
            let repo = fs::join(repo_root, pattern);
            let name = fs::file_name(&repo).to_string();
            let is_dir = files.is_dir(&repo);
            let art_path = if into_dir || (is_dir && pattern.ends_with('/')) { fs::join(&dest, &name) } else { dest.clone() };
            (repo, art_path, is_dir)
        };
        // The artifact path must be the tail of the repository path.
        let p = strip_tail(&repo, &art_path).ok_or_else(|| format!("copy '{}' → '{}' renames paths, which is not simulated", from, to))?;
        match &prefix {
            Some(q) if *q != p => return Err(format!("copies move files by different prefixes ({} and {}), which is not simulated", q, p)),
            _ => prefix = Some(p),
        }
        if dir {
            m.dirs.push(repo.clone());
        } else {
            m.files.push(repo.clone());
        }
        for e in op.get("exclude").and_then(|x| x.as_seq()).into_iter().flatten().filter_map(|x| x.as_str()) {
            m.excludes.push((if dir { repo.clone() } else { fs::parent(&repo).to_string() }, e.to_string()));
        }
    }
    m.root = prefix.ok_or_else(|| format!("artifact '{}' copies nothing", artifact))?;
    Ok(m)
}

/// `/a/b/c` minus the tail `/b/c` is `/a`.
fn strip_tail(path: &str, tail: &str) -> Option<String> {
    if tail == "/" {
        return Some(path.to_string());
    }
    let head = path.strip_suffix(tail)?;
    if head.is_empty() {
        Some("/".to_string())
    } else if tail.starts_with('/') {
        Some(head.to_string())
    } else {
        None
    }
}

/// The repository with only an artifact's files visible.
pub type Subset<'a> = fs::Filtered<'a, &'a Mapping>;

impl fs::Keep for &Mapping {
    fn keeps(&self, path: &str, is_dir: bool) -> bool {
        if is_dir {
            self.leads_to(path)
        } else {
            self.included(path)
        }
    }
}

impl Mapping {
    fn included(&self, path: &str) -> bool {
        let m = self;
        let copied = m.files.iter().any(|f| f == path) || m.dirs.iter().any(|d| fs::is_within(path, d));
        copied && !m.excludes.iter().any(|(dir, pat)| excluded(path, dir, pat))
    }
    /// A directory on the way to copied files.
    fn leads_to(&self, dir: &str) -> bool {
        let m = self;
        m.files.iter().chain(m.dirs.iter()).any(|p| fs::is_within(p, dir) || fs::is_within(dir, p))
    }
}

fn excluded(path: &str, dir: &str, pattern: &str) -> bool {
    if !pattern.contains('/') {
        return glob(pattern, fs::file_name(path));
    }
    glob(pattern.trim_start_matches('/'), &fs::relative(path, dir))
}

/// `*` within a path segment, `**` across segments, `?` one character.
fn glob(p: &str, s: &str) -> bool {
    let (p, s) = (p.as_bytes(), s.as_bytes());
    fn at(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = if p.get(2) == Some(&b'/') { &p[3..] } else { &p[2..] };
                (0..=s.len()).any(|i| at(rest, &s[i..]))
            }
            Some(b'*') => (0..=s.len()).take_while(|&i| i == 0 || s[i - 1] != b'/').any(|i| at(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && at(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && at(&p[1..], &s[1..]),
        }
    }
    at(p, s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;
    use crate::yaml::parse_documents;

    const GENERATOR: &str = "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  sources:\n  - alias: monorepo\n    kind: GitRepository\n    name: flux-system\n  artifacts:\n  - name: infrastructure\n    copy:\n    - from: \"@monorepo/infrastructure/**\"\n      to: \"@artifact/\"\n  - name: apps\n    copy:\n    - from: \"@monorepo/apps/base/**\"\n      to: \"@artifact/base/\"\n    - from: \"@monorepo/apps/staging/**\"\n      to: \"@artifact/staging/\"\n      exclude: [\"*.md\"]\n  - name: renamed\n    copy:\n    - from: \"@monorepo/apps/staging/**\"\n      to: \"@artifact/env/\"\n";

    #[test]
    fn maps_the_helm_example_layout() {
        let mut fs = MemFs::new();
        for p in [
            "/apps/base/a.yaml",
            "/apps/staging/k.yaml",
            "/apps/staging/notes.md",
            "/apps/production/k.yaml",
            "/infrastructure/controllers/x.yaml",
        ] {
            fs.insert(p, "x");
        }
        let g = parse_documents("/c/artifacts.yaml", GENERATOR).unwrap().remove(0);
        let is_self = |k: &str, n: &str| k == "GitRepository" && n == "flux-system";
        let infra = mapping(&fs, "/", &g, "infrastructure", &is_self).unwrap();
        assert_eq!(infra.root, "/infrastructure");
        let apps = mapping(&fs, "/", &g, "apps", &is_self).unwrap();
        assert_eq!(apps.root, "/apps");
        let view = Subset { base: &fs, keep: &apps };
        assert_eq!(view.list("/apps"), vec!["base", "staging"]);
        assert!(view.read("/apps/staging/k.yaml").is_some());
        assert!(view.read("/apps/staging/notes.md").is_none());
        assert!(view.read("/apps/production/k.yaml").is_none());
        assert!(mapping(&fs, "/", &g, "renamed", &is_self).unwrap_err().contains("renames"));
        assert!(glob("**/testdata/**", "a/testdata/x.yaml"));
        assert!(!glob("*.yaml", "a/x.yaml"));
    }
}
