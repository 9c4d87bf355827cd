//! Lessons as data: a start tree that shows a mistake, checks that say when
//! the learner fixed it, hints and a solution (issue 18). One YAML file per
//! lesson; the engine reads it (`format`), evaluates its checks against a
//! tree (`check`) and proves that every lesson can be solved (`verify`),
//! so the CLI and the page agree on what "solved" means.

pub mod check;
pub mod format;
pub mod glob;
pub mod skeleton;

pub use check::{check, check_tree, Outcome, Report};
pub use format::{parse, Check, CheckKind, Expect, Lesson, Mode, Variant};
pub use skeleton::skeleton;

use crate::error::{Error, Result};
use crate::fs::{Files, MemFs};

/// What `verify` found wrong with one lesson; empty when it is sound.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub id: String,
    pub file: String,
    pub problems: Vec<String>,
}

/// The lesson's start tree, or its solution applied over it.
pub fn tree(lesson: &Lesson, solution: bool) -> MemFs {
    let mut fs = MemFs::new();
    for (path, text) in &lesson.start {
        fs.insert(&format!("/{}", path), text.as_bytes().to_vec());
    }
    if solution {
        for (path, text) in &lesson.solution {
            match text {
                Some(t) => fs.insert(&format!("/{}", path), t.as_bytes().to_vec()),
                None => {
                    fs.remove(&format!("/{}", path));
                }
            }
        }
    }
    fs
}

/// A tree read from a directory of `files` (every file below `dir`), as
/// `check` takes it: paths relative to `dir`, rooted at `/`.
pub fn tree_from(files: &dyn Files, dir: &str) -> MemFs {
    let mut out = MemFs::new();
    collect(files, dir, dir, &mut out, 0);
    out
}

fn collect(files: &dyn Files, root: &str, dir: &str, out: &mut MemFs, depth: usize) {
    if depth > crate::limits::MAX_KUSTOMIZATION_DEPTH {
        return;
    }
    for name in files.list(dir) {
        let path = crate::fs::join(dir, &name);
        if files.is_dir(&path) {
            if !name.starts_with('.') {
                collect(files, root, &path, out, depth + 1);
            }
        } else if let Some(bytes) = files.read(&path) {
            out.insert(&crate::fs::join("/", &crate::fs::relative(&path, root)), bytes.into_owned());
        }
    }
}

/// Proves a lesson: some check fails on the start tree, all pass on the
/// solution, and the same for every variant; the solution only touches
/// editable files.
pub fn verify(lesson: &Lesson) -> Verdict {
    let mut problems = Vec::new();
    for path in lesson.solution.keys() {
        if !lesson.editable.iter().any(|g| glob::matches(g, path)) {
            problems.push(format!("the solution changes {}, which is not editable", path));
        }
    }
    if lesson.hints.is_empty() {
        problems.push("the lesson has no hints".to_string());
    }
    let start = check(lesson, &tree(lesson, false));
    if start.passed() {
        problems.push("every check already passes on the start tree".to_string());
    }
    let solved = check(lesson, &tree(lesson, true));
    for o in solved.outcomes.iter().filter(|o| !o.ok) {
        problems.push(format!("on the solution, {} fails: {}", o.label, o.message));
    }
    for v in &lesson.variants {
        let failing = start.outcomes.iter().filter(|o| o.variant.as_deref() == Some(&v.name)).any(|o| !o.ok);
        if !failing {
            problems.push(format!("variant {}: every check already passes on the start tree", v.name));
        }
    }
    Verdict { id: lesson.id.clone(), file: lesson.file.clone(), problems }
}

/// Reads and verifies every `*.yaml` lesson directly in `dir`, in file order.
pub fn verify_dir(files: &dyn Files, dir: &str) -> Result<Vec<Verdict>> {
    let mut names: Vec<String> = files.list(dir).into_iter().filter(|n| n.ends_with(".yaml") || n.ends_with(".yml")).collect();
    names.sort();
    if names.is_empty() {
        return Err(Error::in_file(dir, "no lesson files (*.yaml) in this directory"));
    }
    let mut out = Vec::new();
    let mut ids: Vec<(String, String)> = Vec::new();
    for name in names {
        let path = crate::fs::join(dir, &name);
        let bytes = files.read(&path).ok_or_else(|| Error::in_file(&path, "cannot read the lesson file"))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::in_file(&path, "the lesson file is not UTF-8 text"))?;
        let lesson = parse(&path, text)?;
        let mut verdict = verify(&lesson);
        if let Some((_, other)) = ids.iter().find(|(id, _)| *id == lesson.id) {
            verdict.problems.push(format!("id '{}' is also used by {}", lesson.id, other));
        }
        ids.push((lesson.id.clone(), path));
        out.push(verdict);
    }
    Ok(out)
}

/// What `overlay lesson check` asks: the lesson file at `path` (in `files`)
/// checked against the tree under `dir`, or against its own start tree, or
/// (with `solution`) its own solution.
pub fn check_file(files: &dyn Files, path: &str, dir: Option<&str>, solution: bool) -> Result<(Lesson, Report)> {
    let bytes = files.read(path).ok_or_else(|| Error::in_file(path, "no such lesson file"))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::in_file(path, "the lesson file is not UTF-8 text"))?;
    let lesson = parse(path, text)?;
    let report = match dir {
        Some(d) if files.is_dir(d) => check(&lesson, &tree_from(files, d)),
        Some(d) => return Err(Error::in_file(d, format!("'{}' is not a directory", d))),
        None => check(&lesson, &tree(&lesson, solution)),
    };
    Ok((lesson, report))
}

/// The page's question as the learner types: the lesson (its file's text)
/// checked against the workspace `tree`.
pub fn check_text(file: &str, text: &str, tree: &dyn Files) -> Result<Report> {
    let lesson = parse(file, text)?;
    Ok(check(&lesson, tree))
}
