//! A file tree seen through pending edits: how the files would be after a
//! change, without writing anything, so B can be rebuilt before and after.

use super::change::FileChange;
use crate::fs::{self, Files};
use std::borrow::Cow;
use std::collections::BTreeMap;

pub struct Layered<'a> {
    base: &'a dyn Files,
    /// Path → new contents; `None` hides a file.
    over: BTreeMap<String, Option<Vec<u8>>>,
}

impl<'a> Layered<'a> {
    pub fn new(base: &'a dyn Files, changes: &[FileChange]) -> Layered<'a> {
        let over = changes.iter().map(|c| (c.path.clone(), c.after.as_ref().map(|t| t.as_bytes().to_vec()))).collect();
        Layered { base, over }
    }
}

impl Files for Layered<'_> {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        match self.over.get(path) {
            Some(Some(bytes)) => Some(Cow::Borrowed(bytes.as_slice())),
            Some(None) => None,
            None => self.base.read(path),
        }
    }
    fn is_dir(&self, path: &str) -> bool {
        self.base.is_dir(path) || self.over.iter().any(|(p, v)| v.is_some() && fs::is_within(p, path) && p != path)
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let mut names = self.base.list(dir);
        for (p, v) in &self.over {
            if v.is_some() && fs::parent(p) == dir {
                let name = fs::file_name(p).to_string();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            if v.is_none() && fs::parent(p) == dir {
                names.retain(|n| n != fs::file_name(p));
            }
        }
        names.sort();
        names
    }
}
