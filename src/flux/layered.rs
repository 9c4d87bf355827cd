//! A file view that shows a few generated files over a repository, the way
//! the controller writes its kustomization.yaml into its checkout, without
//! copying the tree.

use crate::fs::{Files, MemFs};
use std::borrow::Cow;

pub struct Layered<'a> {
    base: &'a dyn Files,
    extra: MemFs,
}

impl<'a> Layered<'a> {
    pub fn new(base: &'a dyn Files) -> Layered<'a> {
        Layered { base, extra: MemFs::new() }
    }
    /// Shows `text` at `path`, over whatever the repository has there.
    pub fn insert(&mut self, path: &str, text: impl Into<Vec<u8>>) {
        self.extra.insert(path, text);
    }
}

impl Files for Layered<'_> {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        match self.extra.get(path) {
            Some(bytes) => Some(Cow::Borrowed(bytes)),
            None => self.base.read(path),
        }
    }
    fn is_dir(&self, path: &str) -> bool {
        self.base.is_dir(path) || (!self.extra.is_empty() && path != "/" && self.extra.is_dir(path))
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let mut names = self.base.list(dir);
        for n in self.extra.list(dir) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_extra_files_over_the_base() {
        let mut base = MemFs::new();
        base.insert("/a/x.yaml", "base");
        base.insert("/a/kustomization.yaml", "old");
        let mut l = Layered::new(&base);
        l.insert("/a/kustomization.yaml", "new");
        l.insert("/b/kustomization.yaml", "gen");
        assert_eq!(&*l.read("/a/kustomization.yaml").unwrap(), b"new");
        assert_eq!(&*l.read("/a/x.yaml").unwrap(), b"base");
        assert!(l.is_dir("/b"));
        assert_eq!(l.list("/"), vec!["a", "b"]);
    }
}
