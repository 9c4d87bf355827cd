//! The virtual file system: the engine's only input. The page fills a
//! `MemFs` from its editors; the CLI reads the disk through `DiskFs`.
//! Paths are absolute, `/`-separated and normalised (no `.`, `..` or `//`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

pub trait Files {
    /// The bytes of a file, or `None` when there is no file at `path`.
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>>;
    fn is_dir(&self, path: &str) -> bool;
    /// Names (not paths) of the entries of a directory, sorted.
    fn list(&self, dir: &str) -> Vec<String>;
    fn is_file(&self, path: &str) -> bool {
        self.read(path).is_some()
    }
    fn exists(&self, path: &str) -> bool {
        self.is_file(path) || self.is_dir(path)
    }
    /// The path with symlinks resolved, for cycle detection. In memory there
    /// are no links: the path itself.
    fn canonical(&self, path: &str) -> String {
        path.to_string()
    }
}

/// Joins `rel` onto the directory `dir` and normalises the result. An
/// absolute `rel` replaces `dir`. `..` above the root stays at the root, as
/// on a real file system.
pub fn join(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let start = if rel.starts_with('/') { "" } else { dir };
    for part in start.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Normalises a path given relative to the root (`apps/base/x.yaml`).
pub fn normalize(path: &str) -> String {
    join("/", path)
}

pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `path` is `dir` or lies below it.
pub fn is_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

/// `path` relative to `base` (`/a/b/c`, `/a` → `b/c`; `/a/x`, `/a/b` → `../x`).
pub fn relative(path: &str, base: &str) -> String {
    let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let b: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out: Vec<&str> = vec![".."; b.len() - common];
    out.extend(&p[common..]);
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

/// An in-memory tree: what the page edits.
#[derive(Clone, Debug, Default)]
pub struct MemFs {
    files: BTreeMap<String, Vec<u8>>,
    /// Directories that exist without files in them.
    dirs: BTreeSet<String>,
}

impl MemFs {
    pub fn new() -> MemFs {
        MemFs::default()
    }
    pub fn insert(&mut self, path: &str, content: impl Into<Vec<u8>>) {
        self.files.insert(normalize(path), content.into());
    }
    pub fn remove(&mut self, path: &str) -> bool {
        self.files.remove(&normalize(path)).is_some()
    }
    pub fn add_dir(&mut self, path: &str) {
        self.dirs.insert(normalize(path));
    }
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(|s| s.as_str())
    }
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|v| v.as_slice())
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

impl Files for MemFs {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        self.files.get(path).map(|v| Cow::Borrowed(v.as_slice()))
    }
    fn is_dir(&self, path: &str) -> bool {
        if path == "/" || self.dirs.contains(path) {
            return true;
        }
        let prefix = format!("{}/", path);
        let below = |s: &String| s.starts_with(&prefix);
        self.files.range(prefix.clone()..).next().is_some_and(|(k, _)| below(k))
            || self.dirs.range(prefix.clone()..).next().is_some_and(below)
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let prefix = if dir == "/" { "/".to_string() } else { format!("{}/", dir) };
        let mut names = BTreeSet::new();
        // Only the keys below `dir`, found by range: a walk of a big tree
        // (argo-cd's 3,400 files) lists every directory.
        let below = |k: &&String| k.starts_with(&prefix);
        let files = self.files.range(prefix.clone()..).map(|(k, _)| k).take_while(below);
        let keys = files.chain(self.dirs.range(prefix.clone()..).take_while(below));
        for k in keys {
            if let Some(first) = k[prefix.len()..].split('/').next() {
                if !first.is_empty() {
                    names.insert(first.to_string());
                }
            }
        }
        names.into_iter().collect()
    }
}

/// A tree seen through a few changed files, without copying it: Flux's
/// generated kustomization.yaml over the checkout, or a promotion's edits
/// over the repository before anything is written.
pub struct Overlay<'a> {
    base: &'a dyn Files,
    /// Path → new contents; `None` hides the base's file.
    over: BTreeMap<String, Option<Vec<u8>>>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a dyn Files) -> Overlay<'a> {
        Overlay { base, over: BTreeMap::new() }
    }
    /// Shows `content` at `path`, over whatever the base has there.
    pub fn insert(&mut self, path: &str, content: impl Into<Vec<u8>>) {
        self.over.insert(normalize(path), Some(content.into()));
    }
    /// Hides the base's file at `path`.
    pub fn hide(&mut self, path: &str) {
        self.over.insert(normalize(path), None);
    }
}

impl Files for Overlay<'_> {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        match self.over.get(path) {
            Some(Some(bytes)) => Some(Cow::Borrowed(bytes.as_slice())),
            Some(None) => None,
            None => self.base.read(path),
        }
    }
    fn is_dir(&self, path: &str) -> bool {
        self.base.is_dir(path) || self.over.iter().any(|(p, v)| v.is_some() && p != path && is_within(p, path))
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let mut names = self.base.list(dir);
        for (p, v) in &self.over {
            if !is_within(p, dir) || p == dir {
                continue;
            }
            let rest = if dir == "/" { &p[1..] } else { &p[dir.len() + 1..] };
            let first = rest.split('/').next().unwrap_or(rest);
            let is_file_here = !rest.contains('/');
            match v {
                Some(_) if !names.iter().any(|n| n == first) => names.push(first.to_string()),
                None if is_file_here => names.retain(|n| n != first),
                _ => {}
            }
        }
        names.sort();
        names
    }
}

/// Which paths of a tree a [`Filtered`] view lets through.
pub trait Keep {
    fn keeps(&self, path: &str, is_dir: bool) -> bool;
}

/// A tree with part of it out of sight (an artifact's subset, what
/// `.sourceignore` leaves out): what `keep` refuses does not exist.
pub struct Filtered<'a, K> {
    pub base: &'a dyn Files,
    pub keep: K,
}

impl<K: Keep> Files for Filtered<'_, K> {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        if self.keep.keeps(path, false) {
            self.base.read(path)
        } else {
            None
        }
    }
    fn is_dir(&self, path: &str) -> bool {
        self.base.is_dir(path) && self.keep.keeps(path, true)
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let mut names = self.base.list(dir);
        names.retain(|n| {
            let p = join(dir, n);
            self.keep.keeps(&p, self.base.is_dir(&p))
        });
        names
    }
}

/// A question asked of a tree, for [`Recorder`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Question {
    Read(String),
    IsFile(String),
    IsDir(String),
    List(String),
    Exists(String),
    Canonical(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    Bytes(Option<Vec<u8>>),
    Bool(bool),
    Names(Vec<String>),
    Path(String),
}

impl Question {
    fn ask(&self, files: &dyn Files) -> Answer {
        match self {
            Question::Read(p) => Answer::Bytes(files.read(p).map(Cow::into_owned)),
            Question::IsFile(p) => Answer::Bool(files.is_file(p)),
            Question::IsDir(p) => Answer::Bool(files.is_dir(p)),
            Question::List(p) => Answer::Names(files.list(p)),
            Question::Exists(p) => Answer::Bool(files.exists(p)),
            Question::Canonical(p) => Answer::Path(files.canonical(p)),
        }
    }
    /// Whether `files` still gives `answer`, without copying file contents.
    fn still(&self, answer: &Answer, files: &dyn Files) -> bool {
        match (self, answer) {
            (Question::Read(p), Answer::Bytes(b)) => files.read(p).as_deref() == b.as_deref(),
            _ => self.ask(files) == *answer,
        }
    }
}

/// Everything a computation learnt about a tree: each question it asked
/// and the answer it got. A pure function of the tree (a build, the
/// environment scan) gives the same result on any tree that answers these
/// questions the same way, which is what [`Reads::unchanged`] checks —
/// by content, so a cache built on it cannot serve a stale result.
#[derive(Clone, Debug, Default)]
pub struct Reads(BTreeMap<Question, Answer>);

impl Reads {
    /// Whether `files` answers every recorded question as before.
    pub fn unchanged(&self, files: &dyn Files) -> bool {
        self.0.iter().all(|(q, a)| q.still(a, files))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A tree seen through a recorder of what is asked of it (see [`Reads`]).
pub struct Recorder<'a> {
    inner: &'a dyn Files,
    reads: std::cell::RefCell<Reads>,
}

impl<'a> Recorder<'a> {
    pub fn new(inner: &'a dyn Files) -> Recorder<'a> {
        Recorder { inner, reads: Default::default() }
    }
    pub fn into_reads(self) -> Reads {
        self.reads.into_inner()
    }
    fn note(&self, q: Question, a: impl FnOnce() -> Answer) {
        self.reads.borrow_mut().0.entry(q).or_insert_with(a);
    }
}

impl Files for Recorder<'_> {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        let bytes = self.inner.read(path);
        self.note(Question::Read(path.to_string()), || Answer::Bytes(bytes.as_deref().map(<[u8]>::to_vec)));
        bytes
    }
    fn is_dir(&self, path: &str) -> bool {
        let b = self.inner.is_dir(path);
        self.note(Question::IsDir(path.to_string()), || Answer::Bool(b));
        b
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let names = self.inner.list(dir);
        self.note(Question::List(dir.to_string()), || Answer::Names(names.clone()));
        names
    }
    fn is_file(&self, path: &str) -> bool {
        let b = self.inner.is_file(path);
        self.note(Question::IsFile(path.to_string()), || Answer::Bool(b));
        b
    }
    fn exists(&self, path: &str) -> bool {
        let b = self.inner.exists(path);
        self.note(Question::Exists(path.to_string()), || Answer::Bool(b));
        b
    }
    fn canonical(&self, path: &str) -> String {
        let c = self.inner.canonical(path);
        self.note(Question::Canonical(path.to_string()), || Answer::Path(c.clone()));
        c
    }
}

/// The real disk, read lazily, for the CLI.
#[derive(Clone, Debug, Default)]
pub struct DiskFs;

impl Files for DiskFs {
    fn read(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        std::fs::read(path).ok().map(Cow::Owned)
    }
    fn is_dir(&self, path: &str) -> bool {
        std::fs::metadata(path).map(|m| m.is_dir()).unwrap_or(false)
    }
    fn list(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }
    /// A symlink loop (`ELOOP`) or a dangling link resolves to nothing: the
    /// path itself, which then reads as missing.
    fn canonical(&self, path: &str) -> String {
        std::fs::canonicalize(path).map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| path.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_normalises() {
        assert_eq!(join("/a/b", "../c/./d.yaml"), "/a/c/d.yaml");
        assert_eq!(join("/a", "/x"), "/x");
        assert_eq!(join("/", "../../x"), "/x");
        assert_eq!(relative("/a/x", "/a/b"), "../x");
        assert_eq!(relative("/a/b/c", "/a"), "b/c");
        assert!(is_within("/a/b", "/a"));
        assert!(!is_within("/ab", "/a"));
    }

    #[test]
    fn overlay_shows_changes_over_the_base() {
        let mut base = MemFs::new();
        base.insert("/a/x.yaml", "base");
        base.insert("/a/kustomization.yaml", "old");
        base.insert("/a/gone.yaml", "old");
        let mut o = Overlay::new(&base);
        o.insert("/a/kustomization.yaml", "new");
        o.insert("/b/c/kustomization.yaml", "gen");
        o.hide("/a/gone.yaml");
        assert_eq!(&*o.read("/a/kustomization.yaml").unwrap(), b"new");
        assert_eq!(&*o.read("/a/x.yaml").unwrap(), b"base");
        assert!(o.read("/a/gone.yaml").is_none());
        assert!(o.is_dir("/b") && o.is_dir("/b/c"));
        assert_eq!(o.list("/"), vec!["a", "b"]);
        assert_eq!(o.list("/a"), vec!["kustomization.yaml", "x.yaml"]);
    }

    #[test]
    fn memfs_dirs() {
        let mut fs = MemFs::new();
        fs.insert("apps/base/k.yaml", "x");
        fs.insert("apps/staging/k.yaml", "y");
        assert!(fs.is_dir("/apps"));
        assert!(fs.is_dir("/apps/base"));
        assert!(!fs.is_dir("/app"));
        assert_eq!(fs.list("/apps"), vec!["base", "staging"]);
        assert_eq!(fs.list("/"), vec!["apps"]);
    }
}
