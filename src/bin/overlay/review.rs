//! `overlay review OLD_ROOT NEW_ROOT` and `overlay review --git BASE[..HEAD]`:
//! what a change does to every environment and cluster of a repository.
//!
//! Both versions are read into memory, rooted at `/`, so that the engine
//! sees the same paths on both sides (and shares the parse of every file
//! that did not change). A git revision is read with the git CLI
//! (`ls-tree` and one `cat-file --batch`); without `..HEAD` the new side is
//! the work tree, as `git ls-files` lists it (ignored files left out).
//!
//! Exit codes: 0 nothing changed, 1 changes, 2 error.

use super::{cwd, usage_error};
use overlay::diff::IgnoreRule;
use overlay::review::{self, html, json, markdown, text};
use overlay::{Files, MemFs};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

pub fn run(args: &[String]) -> ExitCode {
    let a = match super::args::Args::parse(args, &super::commands::REVIEW.spec) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let format = a.value("--format").unwrap_or("text");
    if !["text", "markdown", "json", "html"].contains(&format) {
        return usage_error(&format!("unknown --format '{}' (text, markdown, json or html)", format));
    }
    let mut options = review::Options::default();
    if let Some(c) = a.value("--context") {
        match c.parse() {
            Ok(n) => options.diff.context = n,
            Err(_) => return usage_error(&format!("--context: '{}' is not a number", c)),
        }
    }
    for rule in a.all("--ignore") {
        match IgnoreRule::parse(&rule) {
            Ok(r) => options.diff.ignore.push(r),
            Err(e) => return usage_error(&e),
        }
    }
    options.flux.self_sources = a.all("--self-source");
    let cwd = cwd();
    let loaded = match (a.value("--git"), a.positionals.as_slice()) {
        (Some(range), []) => from_git(&cwd, range),
        (Some(_), _) => return usage_error("review --git takes no directories"),
        (None, [old, new]) => {
            let (o, n) = (overlay::fs::join(&cwd, old), overlay::fs::join(&cwd, new));
            load_dir(&o)
                .and_then(|before| Ok((before, load_dir(&n)?, format!("{} → {}", old.trim_end_matches('/'), new.trim_end_matches('/')))))
        }
        (None, _) => return usage_error("review needs OLD_ROOT NEW_ROOT, or --git BASE[..HEAD]"),
    };
    let (mut before, mut after, mut title) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprintln!("Error: {}", e);
            return ExitCode::from(2);
        }
    };
    // A part of the repository (a monorepo's `deploy/`, this repository's
    // presets): both versions re-rooted there.
    if let Some(dir) = a.value("--dir") {
        let prefix = overlay::fs::normalize(dir);
        if !before.is_dir(&prefix) && !after.is_dir(&prefix) {
            eprintln!("Error: --dir {}: no such directory in either version", dir);
            return ExitCode::from(2);
        }
        before = subtree(&before, &prefix);
        after = subtree(&after, &prefix);
        title = format!("{} in {}", title, prefix.trim_start_matches('/'));
    }
    let r = review::review(&before, &after, &options);
    let out = match format {
        "json" => json::render(&r),
        "markdown" => markdown::render_parts(&r, options.diff.context, markdown::PART_LIMIT).join(markdown::SEPARATOR),
        "html" => html::render(&r, &title, options.diff.context),
        _ => text::render(&r),
    };
    let written = match a.value("--output") {
        Some(path) => std::fs::write(overlay::fs::join(&cwd, path), out.as_bytes()).map_err(|e| format!("{}: {}", path, e)),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).map_err(|e| e.to_string())
        }
    };
    if let Err(e) = written {
        eprintln!("Error: {}", e);
        return ExitCode::from(2);
    }
    ExitCode::from(if r.is_unchanged() { 0 } else { 1 })
}

/// The files under `prefix` (absolute), rooted there.
fn subtree(fs: &MemFs, prefix: &str) -> MemFs {
    let mut out = MemFs::new();
    for path in fs.paths() {
        if overlay::fs::is_within(path, prefix) && path != prefix {
            out.insert(&overlay::fs::relative(path, prefix), fs.get(path).unwrap_or_default().to_vec());
        }
    }
    out
}

/// Every file under `root` (the `.git` directory left out), by its path
/// relative to `root`.
fn load_dir(root: &str) -> Result<MemFs, String> {
    if !Path::new(root).is_dir() {
        return Err(format!("'{}' is not a directory", root));
    }
    let mut fs = MemFs::new();
    walk(Path::new(root), "", &mut fs, 0)?;
    Ok(fs)
}

fn walk(dir: &Path, rel: &str, fs: &mut MemFs, depth: usize) -> Result<(), String> {
    if depth > overlay::limits::MAX_DIR_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {}", dir.display(), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let path = entry.path();
        let child = if rel.is_empty() { name.clone() } else { format!("{}/{}", rel, name) };
        // Symbolic links are followed, as a checkout would show them.
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            fs.add_dir(&child);
            walk(&path, &child, fs, depth + 1)?;
        } else if meta.is_file() {
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {}", path.display(), e))?;
            fs.insert(&child, bytes);
        }
    }
    Ok(())
}

fn git(top: &str, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git").arg("-C").arg(top).args(args).output().map_err(|e| format!("cannot run git: {}", e))?;
    if !out.status.success() {
        return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(out.stdout)
}

/// The two versions `BASE[..HEAD]` names, read from the repository around
/// `cwd`, and the title of the review.
fn from_git(cwd: &str, range: &str) -> Result<(MemFs, MemFs, String), String> {
    let top = String::from_utf8_lossy(&git(cwd, &["rev-parse", "--show-toplevel"])?).trim().to_string();
    let (base, head) = match range.split_once("..") {
        Some((b, h)) => (b, if h.is_empty() { None } else { Some(h) }),
        None => (range, None),
    };
    let before = revision(&top, base)?;
    let (after, title) = match head {
        Some(h) => (revision(&top, h)?, format!("{}..{}", base, h)),
        None => (work_tree(&top)?, format!("{} → work tree", base)),
    };
    Ok((before, after, title))
}

/// Every file of a revision: `git ls-tree -r -z`, then the blobs through
/// one `git cat-file --batch`.
fn revision(top: &str, rev: &str) -> Result<MemFs, String> {
    let commit = format!("{}^{{tree}}", rev);
    let listing = git(top, &["ls-tree", "-r", "-z", "--full-tree", &commit])?;
    let mut entries: Vec<(String, String)> = Vec::new();
    for record in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8_lossy(record);
        let Some((meta, path)) = record.split_once('\t') else { continue };
        let fields: Vec<&str> = meta.split(' ').collect();
        // Blobs only: submodules (commits) hold nothing here, and a
        // symbolic link's blob is its target, not a file.
        if let [mode, "blob", sha] = fields.as_slice() {
            if *mode != "120000" {
                entries.push((sha.to_string(), path.to_string()));
            }
        }
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {}", e))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    let shas: String = entries.iter().map(|(sha, _)| format!("{}\n", sha)).collect();
    // Write from another thread: git answers while it reads, and both
    // pipes have limited room.
    let writer = std::thread::spawn(move || stdin.write_all(shas.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().ok_or("git cat-file: no stdout")?);
    let mut fs = MemFs::new();
    for (_, path) in &entries {
        let mut header = String::new();
        reader.read_line(&mut header).map_err(|e| format!("git cat-file: {}", e))?;
        let size: usize = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("git cat-file: unexpected '{}'", header.trim_end()))?;
        let mut bytes = vec![0; size + 1];
        reader.read_exact(&mut bytes).map_err(|e| format!("git cat-file: {}", e))?;
        bytes.pop();
        fs.insert(path, bytes);
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(fs)
}

/// The work tree as git sees it: tracked and untracked files, ignored ones
/// left out (a build directory is no part of the change).
fn work_tree(top: &str) -> Result<MemFs, String> {
    let listing = git(top, &["ls-files", "-z", "--cached", "--others", "--exclude-standard"])?;
    let mut fs = MemFs::new();
    for path in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let path = String::from_utf8_lossy(path).into_owned();
        let full = Path::new(top).join(&path);
        // A deleted file is still listed until the deletion is staged.
        if let Ok(bytes) = std::fs::read(&full) {
            if full.is_file() {
                fs.insert(&path, bytes);
            }
        }
    }
    Ok(fs)
}
