//! The page's promotion history, like a branch's log: each entry a change
//! that was applied; reverting one applies its reverse as a new entry (as
//! `git revert` adds a commit), so the history only grows.

use super::change::{revert, Change};
use crate::error::{Error, Result};
use crate::fs::MemFs;
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct History {
    /// Oldest first.
    pub entries: Vec<Change>,
}

impl History {
    pub fn new() -> History {
        History::default()
    }
    /// Applies `change` to `fs` and records it.
    pub fn apply(&mut self, fs: &mut MemFs, change: Change) -> Result<()> {
        change.apply(fs)?;
        self.entries.push(change);
        Ok(())
    }
    /// Reverts entry `index` in `fs` and records the revert. Fails, and
    /// changes nothing, when its files were edited since.
    pub fn revert(&mut self, fs: &mut MemFs, index: usize) -> Result<&Change> {
        let change = self.entries.get(index).ok_or_else(|| Error::new(format!("no history entry {}", index)))?;
        let back = revert(fs, change)?;
        self.entries.push(back);
        Ok(self.entries.last().expect("just pushed"))
    }
    /// Entry `index` as the page and its exports show it.
    pub fn info(&self, index: usize) -> Option<EntryInfo<'_>> {
        self.entries.get(index).map(|c| EntryInfo {
            index,
            message: &c.message,
            files: c.files.iter().map(|f| f.path.as_str()).collect(),
            patch: c.patch("/"),
        })
    }
    /// Each entry's change as a patch file, relative to `root`.
    pub fn patch(&self, index: usize, root: &str) -> Option<String> {
        self.entries.get(index).map(|c| c.patch(root))
    }
}

/// A history entry: `{index, message, files: [path], patch}` (the patch
/// relative to the root, for `git apply`).
#[derive(Serialize)]
pub struct EntryInfo<'a> {
    pub index: usize,
    pub message: &'a str,
    pub files: Vec<&'a str>,
    pub patch: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promote::FileChange;

    #[test]
    fn revert_adds_an_entry_and_restores_the_files() {
        let mut fs = MemFs::new();
        fs.insert("/b/v.yaml", "version: 1\n");
        let mut h = History::new();
        let bump = |from: &str, to: &str| Change {
            message: format!("Promote version {}", to),
            files: vec![FileChange {
                path: "/b/v.yaml".into(),
                before: Some(format!("version: {}\n", from)),
                after: Some(format!("version: {}\n", to)),
            }],
        };
        h.apply(&mut fs, bump("1", "2")).unwrap();
        h.apply(&mut fs, bump("2", "3")).unwrap();
        assert!(h.revert(&mut fs, 0).is_err(), "entry 0's file was changed by entry 1");
        assert_eq!(h.revert(&mut fs, 1).unwrap().message, "Revert \"Promote version 3\"");
        assert_eq!(fs.get("/b/v.yaml"), Some(&b"version: 2\n"[..]));
        assert_eq!(h.entries.len(), 3);
        assert!(h.patch(2, "/").unwrap().contains("-version: 3\n+version: 2\n"));
    }
}
