//! What a GitRepository artifact leaves out: the source-controller's
//! default exclusions and the repository's `.sourceignore` files
//! (gitignore syntax, each file relative to its own directory). Flux never
//! sees an excluded file, so neither does our build.

use crate::fs::{self, Files};
use std::cell::RefCell;
use std::collections::HashMap;

/// The source-controller's defaults: VCS files, CI configuration, images
/// and archives, and a few tools' files.
const DEFAULTS: &str = ".git/\n.gitignore\n.gitmodules\n.gitattributes\n*.jpg\n*.jpeg\n*.gif\n*.png\n*.wmv\n*.flv\n*.tar.gz\n*.zip\n.github/\n.circleci/\n.travis.yml\n.gitlab-ci.yml\nappveyor.yml\n.drone.yml\ncloudbuild.yaml\ncodeship-services.yml\ncodeship-steps.yml\n**/.goreleaser.yml\n**/.sops.yaml\n**/.flux.yaml\n";

#[derive(Clone, Debug)]
struct Pattern {
    /// The directory the pattern was written in.
    domain: String,
    parts: Vec<String>,
    negated: bool,
    dir_only: bool,
    /// Matches from the domain only (it has a `/` before its end).
    anchored: bool,
}

#[derive(Clone, Debug, Default)]
pub struct SourceIgnore {
    patterns: Vec<Pattern>,
    /// Answers already worked out: a build asks about the same paths many
    /// times through the artifact's view, each asking all patterns.
    seen: RefCell<HashMap<(String, bool), bool>>,
}

impl SourceIgnore {
    /// The rules for the repository at `root`.
    pub fn load(files: &dyn Files, root: &str) -> SourceIgnore {
        let mut s = SourceIgnore::default();
        s.add(root, DEFAULTS);
        let mut budget = crate::limits::WALK_BUDGET;
        s.collect(files, root, 0, &mut budget);
        s
    }

    fn collect(&mut self, files: &dyn Files, dir: &str, depth: usize, budget: &mut usize) {
        if depth > 64 || *budget == 0 || self.ignored(dir, true) && depth > 0 {
            return;
        }
        *budget -= 1;
        if let Some(bytes) = files.read(&fs::join(dir, ".sourceignore")) {
            self.add(dir, &String::from_utf8_lossy(&bytes));
        }
        for name in files.list(dir) {
            let p = fs::join(dir, &name);
            if name != ".git" && name != "node_modules" && files.is_dir(&p) {
                self.collect(files, &p, depth + 1, budget);
            }
        }
    }

    pub fn add(&mut self, domain: &str, text: &str) {
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, body) = match line.strip_prefix('!') {
                Some(b) => (true, b),
                None => (false, line),
            };
            let dir_only = body.ends_with('/');
            let body = body.trim_end_matches('/');
            let anchored = body.trim_start_matches("**/").contains('/') || body.starts_with('/');
            let parts = body.trim_start_matches('/').split('/').map(String::from).collect();
            self.patterns.push(Pattern { domain: domain.to_string(), parts, negated, dir_only, anchored });
        }
        self.seen.borrow_mut().clear();
    }

    /// Whether `path` (absolute) is left out; the last matching pattern decides.
    pub fn ignored(&self, path: &str, is_dir: bool) -> bool {
        let key = (path.to_string(), is_dir);
        if let Some(&known) = self.seen.borrow().get(&key) {
            return known;
        }
        let result = self.decide(path, is_dir);
        self.seen.borrow_mut().insert(key, result);
        result
    }

    fn decide(&self, path: &str, is_dir: bool) -> bool {
        let mut result = false;
        // Most patterns share a domain (the defaults and the top
        // .sourceignore): split the path below it once, not per pattern.
        let mut split: Option<(&str, Vec<&str>)> = None;
        for p in &self.patterns {
            if !fs::is_within(path, &p.domain) || path == p.domain {
                continue;
            }
            // A pattern that could only confirm the answer cannot change it.
            if result != p.negated {
                continue;
            }
            if split.as_ref().map(|(d, _)| *d) != Some(p.domain.as_str()) {
                let rel = path[p.domain.len()..].trim_start_matches('/');
                split = Some((p.domain.as_str(), rel.split('/').collect()));
            }
            let rel = &split.as_ref().expect("just set").1;
            if p.matches(rel, is_dir) {
                result = !p.negated;
            }
        }
        result
    }
}

impl Pattern {
    /// A pattern matches a path, or any of its leading directories.
    fn matches(&self, rel: &[&str], is_dir: bool) -> bool {
        let parts = &self.parts[..];
        for end in 1..=rel.len() {
            let prefix = &rel[..end];
            let prefix_is_dir = end < rel.len() || is_dir;
            if self.dir_only && !prefix_is_dir {
                continue;
            }
            let hit = if self.anchored { seq(parts, prefix) } else { prefix.last().is_some_and(|name| seq(parts, &[name])) };
            if hit {
                return true;
            }
        }
        false
    }
}

/// Segments against segment patterns, `**` spanning any number of them.
fn seq(p: &[String], s: &[&str]) -> bool {
    match p.first().map(String::as_str) {
        None => s.is_empty(),
        Some("**") => (0..=s.len()).any(|i| seq(&p[1..], &s[i..])),
        Some(first) => !s.is_empty() && segment(first.as_bytes(), s[0].as_bytes()) && seq(&p[1..], &s[1..]),
    }
}

/// `*` and `?` within one segment.
fn segment(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| segment(&p[1..], &s[i..])),
        Some(b'?') => !s.is_empty() && segment(&p[1..], &s[1..]),
        Some(c) => s.first() == Some(c) && segment(&p[1..], &s[1..]),
    }
}

/// The repository as the artifact holds it.
pub type Visible<'a> = fs::Filtered<'a, &'a SourceIgnore>;

impl fs::Keep for &SourceIgnore {
    fn keeps(&self, path: &str, is_dir: bool) -> bool {
        !self.ignored(path, is_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    #[test]
    fn helm_example_sourceignore() {
        let mut fs = MemFs::new();
        fs.insert("/.sourceignore", "# Exclude all\n/*\n# Include manifest directories\n!/apps/\n!/clusters/\n!/infrastructure/\n");
        for p in ["/README.md", "/scripts/validate.sh", "/apps/base/a.yaml", "/clusters/x/b.yaml", "/apps/logo.png"] {
            fs.insert(p, "x");
        }
        let ig = SourceIgnore::load(&fs, "/");
        assert!(ig.ignored("/README.md", false));
        assert!(ig.ignored("/scripts/validate.sh", false));
        assert!(!ig.ignored("/apps/base/a.yaml", false));
        assert!(!ig.ignored("/clusters/x/b.yaml", false));
        // `!/apps/` comes last and re-includes everything below apps/, as in go-git.
        assert!(!ig.ignored("/apps/logo.png", false));
        assert!(SourceIgnore::load(&MemFs::new(), "/").ignored("/apps/logo.png", false));
        let v = Visible { base: &fs, keep: &ig };
        assert_eq!(v.list("/"), vec!["apps", "clusters"]);
    }

    #[test]
    fn nested_files_and_unanchored_names() {
        let mut fs = MemFs::new();
        fs.insert("/apps/.sourceignore", "drafts/\n*.tmp.yaml\n");
        fs.insert("/apps/x/drafts/a.yaml", "x");
        fs.insert("/apps/x/b.tmp.yaml", "x");
        fs.insert("/other/drafts/c.yaml", "x");
        let ig = SourceIgnore::load(&fs, "/");
        assert!(ig.ignored("/apps/x/drafts/a.yaml", false));
        assert!(ig.ignored("/apps/x/b.tmp.yaml", false));
        assert!(!ig.ignored("/other/drafts/c.yaml", false));
    }
}
