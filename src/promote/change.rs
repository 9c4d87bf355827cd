//! A change to source files, as a commit holds it: a message and each file
//! before and after. It prints as a patch `git apply` accepts, applies to a
//! file tree, and reverts like `git revert`.

use crate::diff::lines::unified_hunks;
use crate::error::{Error, Result};
use crate::fs::MemFs;
use serde::{Deserialize, Serialize};

/// One file's contents before and after; `None` when it does not exist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileChange {
    /// Absolute path in the file tree (`/apps/production/kustomization.yaml`).
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub message: String,
    pub files: Vec<FileChange>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The change as a git-style unified diff, paths relative to `root`
    /// (the repository's top, where `git apply` runs).
    pub fn patch(&self, root: &str) -> String {
        let mut out = String::new();
        for f in &self.files {
            let rel = relative_to(&f.path, root);
            let (before, after) = (f.before.as_deref().unwrap_or(""), f.after.as_deref().unwrap_or(""));
            let hunks = unified_hunks(before, after, 3);
            out.push_str(&format!("diff --git a/{rel} b/{rel}\n"));
            match (&f.before, &f.after) {
                (None, Some(_)) => out.push_str(&format!("new file mode 100644\n--- /dev/null\n+++ b/{rel}\n")),
                (Some(_), None) => out.push_str(&format!("deleted file mode 100644\n--- a/{rel}\n+++ /dev/null\n")),
                _ => out.push_str(&format!("--- a/{rel}\n+++ b/{rel}\n")),
            }
            out.push_str(&hunks);
        }
        out
    }

    /// The change that undoes this one (what `git revert` commits).
    pub fn reverse(&self) -> Change {
        let first_line = self.message.lines().next().unwrap_or("");
        Change {
            message: format!("Revert \"{}\"", first_line),
            files: self
                .files
                .iter()
                .map(|f| FileChange { path: f.path.clone(), before: f.after.clone(), after: f.before.clone() })
                .collect(),
        }
    }

    /// Applies the change to `fs`. Every file must still be as the change
    /// found it; otherwise nothing is written and the conflicting files are
    /// named.
    pub fn apply(&self, fs: &mut MemFs) -> Result<()> {
        let conflicts: Vec<&str> = self
            .files
            .iter()
            .filter(|f| fs.get(&f.path).map(|b| String::from_utf8_lossy(b).into_owned()) != f.before)
            .map(|f| f.path.as_str())
            .collect();
        if !conflicts.is_empty() {
            return Err(Error::new(format!("the files changed since: {}", conflicts.join(", "))));
        }
        for f in &self.files {
            match &f.after {
                Some(text) => fs.insert(&f.path, text.as_bytes()),
                None => {
                    fs.remove(&f.path);
                }
            }
        }
        Ok(())
    }
}

/// Reverts `change` in `fs`, like `git revert`: the files get their
/// previous contents back, provided nobody edited them since. Returns the
/// revert itself, for the history.
pub fn revert(fs: &mut MemFs, change: &Change) -> Result<Change> {
    let back = change.reverse();
    back.apply(fs)?;
    Ok(back)
}

/// `path` relative to `root` with `/` separators; paths outside `root` stay absolute-less.
pub fn relative_to(path: &str, root: &str) -> String {
    let root = root.trim_end_matches('/');
    match path.strip_prefix(root) {
        Some(rest) if rest.starts_with('/') => rest[1..].to_string(),
        _ => path.trim_start_matches('/').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change() -> Change {
        Change {
            message: "Promote staging to production\n\nimages".into(),
            files: vec![
                FileChange { path: "/p/k.yaml".into(), before: Some("a\nb\n".into()), after: Some("a\nc\n".into()) },
                FileChange { path: "/p/new.yaml".into(), before: None, after: Some("x: 1\n".into()) },
            ],
        }
    }

    #[test]
    fn patch_apply_revert() {
        let c = change();
        assert_eq!(
            c.patch("/"),
            "diff --git a/p/k.yaml b/p/k.yaml\n--- a/p/k.yaml\n+++ b/p/k.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\ndiff --git a/p/new.yaml b/p/new.yaml\nnew file mode 100644\n--- /dev/null\n+++ b/p/new.yaml\n@@ -0,0 +1 @@\n+x: 1\n"
        );
        let mut fs = MemFs::new();
        fs.insert("/p/k.yaml", "a\nb\n");
        c.apply(&mut fs).unwrap();
        assert_eq!(fs.get("/p/k.yaml"), Some(&b"a\nc\n"[..]));
        assert!(c.apply(&mut fs).is_err(), "applying twice conflicts");
        let back = revert(&mut fs, &c).unwrap();
        assert_eq!(back.message, "Revert \"Promote staging to production\"");
        assert_eq!(fs.get("/p/k.yaml"), Some(&b"a\nb\n"[..]));
        assert_eq!(fs.get("/p/new.yaml"), None);
    }
}
