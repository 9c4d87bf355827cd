//! `overlay diff` and `overlay promote`.
//!
//! Exit codes follow `diff` and `flux diff`: 0 equal, 1 different, 2 error.
//! `promote` exits 0 when it produced (or wrote) a change or found nothing to
//! do, 2 on error, 3 when a promotion of everything holds changes that look
//! environment-specific and `--force` did not confirm them (nothing written).

use super::{display, usage_error};
use overlay::diff::format::{json, markdown, text, Labels};
use overlay::diff::{self, DiffOptions, IgnoreRule};
use overlay::kustomize::{BuildOptions, LoadRestrictor};
use overlay::promote::{self, report, PromoteOptions, Selection};
use overlay::DiskFs;
use std::io::Write;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Markdown,
    Json,
    Unified,
    Patch,
}

/// Flags both subcommands share.
struct Common {
    dirs: Vec<String>,
    format: Format,
    diff: DiffOptions,
    build: BuildOptions,
}

/// Reads the shared flags; `extra` handles a subcommand's own (returns
/// whether it took the flag, and may consume its value).
fn parse(args: &[String], formats: &[(&str, Format)], mut extra: impl FnMut(&str, &mut dyn FnMut() -> Option<String>) -> Result<bool, String>) -> Result<Common, String> {
    let mut c = Common { dirs: Vec::new(), format: Format::Text, diff: DiffOptions::default(), build: BuildOptions::default() };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let (flag, mut inline) = super::split_flag(arg);
        let mut taken = 0;
        let mut value = || -> Option<String> {
            if let Some(v) = inline.take() {
                return Some(v);
            }
            taken += 1;
            args.get(i + taken).cloned()
        };
        match flag {
            "--format" | "-o" => {
                let v = value().ok_or("--format needs a value")?;
                c.format = formats.iter().find(|(n, _)| *n == v).map(|(_, f)| *f).ok_or_else(|| format!("unknown --format '{}'", v))?;
            }
            "--ignore" => {
                let v = value().ok_or("--ignore needs a path")?;
                c.diff.ignore.push(IgnoreRule::parse(&v)?);
            }
            "--strict-namespaces" => c.diff.across_namespaces = false,
            "--context" | "-U" => {
                let v = value().ok_or("--context needs a number")?;
                c.diff.context = v.parse().map_err(|_| format!("--context: '{}' is not a number", v))?;
            }
            "--load-restrictor" => {
                c.build.load_restrictor = match value().ok_or("--load-restrictor needs a value")?.as_str() {
                    "LoadRestrictionsRootOnly" => LoadRestrictor::RootOnly,
                    "LoadRestrictionsNone" => LoadRestrictor::None,
                    other => return Err(format!("unknown --load-restrictor '{}'", other)),
                };
            }
            _ if arg.starts_with('-') && arg.len() > 1 => {
                if !extra(flag, &mut value)? {
                    return Err(format!("unknown flag '{}'", arg));
                }
            }
            _ => c.dirs.push(arg.to_string()),
        }
        i += 1 + taken;
    }
    Ok(c)
}

fn cwd() -> String {
    std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "/".to_string())
}

/// The repository's top (where `git apply` runs): the nearest directory
/// holding `.git`, else the working directory.
fn repo_root(from: &str) -> String {
    let mut dir = from.to_string();
    loop {
        if std::path::Path::new(&dir).join(".git").exists() {
            return dir;
        }
        let parent = overlay::fs::parent(&dir).to_string();
        if parent == dir {
            return cwd();
        }
        dir = parent;
    }
}

fn print(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_ok()
}

pub fn diff(args: &[String]) -> ExitCode {
    let formats = [("text", Format::Text), ("markdown", Format::Markdown), ("json", Format::Json), ("unified", Format::Unified)];
    let c = match parse(args, &formats, |_, _| Ok(false)) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    let [a, b] = c.dirs.as_slice() else { return usage_error("diff needs two directories") };
    let cwd = cwd();
    let (a_dir, b_dir) = (overlay::fs::join(&cwd, a), overlay::fs::join(&cwd, b));
    let diff::Comparison { before, after, diff: d } = match diff::compare_builds(&DiskFs, &a_dir, &b_dir, &c.build, &c.diff) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("Error: {}", display(&e, &cwd));
            return ExitCode::from(2);
        }
    };
    let labels = Labels { from: a.trim_end_matches('/').to_string(), to: b.trim_end_matches('/').to_string() };
    let out = match c.format {
        Format::Text => text::render(&d, &labels),
        Format::Json => json::render(&d, &labels),
        Format::Markdown => markdown::render_parts(&d, &labels, c.diff.context, markdown::PART_LIMIT).join("\n<!-- overlay: next comment -->\n"),
        Format::Unified | Format::Patch => diff::unified_render(&before, &after, &format!("a/{}", labels.from), &format!("b/{}", labels.to), c.diff.context),
    };
    if !print(&out) {
        return ExitCode::from(2);
    }
    ExitCode::from(if d.is_empty() { 0 } else { 1 })
}

pub fn promote(args: &[String]) -> ExitCode {
    let formats = [("text", Format::Text), ("markdown", Format::Markdown), ("json", Format::Json), ("patch", Format::Patch)];
    let mut selection = Selection::default();
    let mut write = false;
    let mut force = false;
    let mut keep: Vec<String> = Vec::new();
    let parsed = parse(args, &formats, |flag, value| {
        match flag {
            "--images" => selection.images = true,
            "--all" => selection.everything = true,
            "--write" => write = true,
            "--force" => force = true,
            "--keep" => keep.push(value().ok_or("--keep needs a path: a file of the overlay, a kustomization field or a field path")?),
            "--file" => selection.files.push(value().ok_or("--file needs a name")?),
            _ => return Ok(false),
        }
        Ok(true)
    });
    let c = match parsed {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    let [a, b] = c.dirs.as_slice() else { return usage_error("promote needs two directories: FROM_DIR TO_DIR") };
    if !selection.images && !selection.everything && selection.files.is_empty() {
        // The common promotion: what runs.
        selection.images = true;
    }
    let cwd = cwd();
    let (from, to) = (overlay::fs::join(&cwd, a), overlay::fs::join(&cwd, b));
    let options = PromoteOptions { build: c.build.clone(), diff: c.diff.clone(), root: repo_root(&to), keep, force };
    let p = match promote::promote(&DiskFs, &from, &to, &selection, &options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("Error: {}", display(&e, &cwd));
            return ExitCode::from(2);
        }
    };
    let out = match c.format {
        Format::Patch => p.patch(),
        Format::Json => serde_json::to_string_pretty(&report::json(&p)).unwrap_or_default() + "\n",
        Format::Markdown => report::markdown(&p, c.diff.context),
        _ => report::text(&p),
    };
    if !print(&out) {
        return ExitCode::from(2);
    }
    if p.is_noop() {
        return ExitCode::SUCCESS;
    }
    let change = match p.writable() {
        Ok(change) => change,
        Err(e) => {
            eprintln!("{}", e.message);
            return ExitCode::from(3);
        }
    };
    if write {
        for f in &change.files {
            let result = match &f.after {
                Some(text) => std::fs::write(&f.path, text),
                None => std::fs::remove_file(&f.path),
            };
            if let Err(e) = result {
                eprintln!("Error: {}: {}", f.path, e);
                return ExitCode::from(2);
            }
        }
        eprintln!("wrote {} file(s)", change.files.len());
    }
    ExitCode::SUCCESS
}

/// `overlay envs [DIR] [--order a,b,c] [--pin DIR]... [--format text|json]`:
/// every kustomization directory under DIR with its role and reason; the
/// environments first, as one promotion chain per group
/// (`apps: staging → production`).
pub fn envs(args: &[String]) -> ExitCode {
    let mut options = overlay::env::Options::default();
    let mut pins: Vec<String> = Vec::new();
    let parsed = parse(args, &[("text", Format::Text), ("json", Format::Json)], |flag, value| {
        match flag {
            "--order" => options.order = value().ok_or("--order needs names: dev,staging,prod")?.split(',').map(|s| s.trim().to_string()).collect(),
            "--pin" => pins.push(value().ok_or("--pin needs a directory")?),
            _ => return Ok(false),
        }
        Ok(true)
    });
    let c = match parsed {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    if c.dirs.len() > 1 {
        return usage_error("envs takes one directory");
    }
    let cwd = cwd();
    let root = overlay::fs::join(&cwd, c.dirs.first().map(|s| s.as_str()).unwrap_or("."));
    options.pinned = pins.iter().map(|p| overlay::fs::join(&cwd, p)).collect();
    let list = overlay::env::kustomizations(&DiskFs, &root, &options);
    for (pin, path) in pins.iter().zip(&options.pinned) {
        if !list.iter().any(|k| &k.dir.path == path) {
            eprintln!("warning: --pin {}: not a kustomization directory under {}", pin, c.dirs.first().map(|s| s.as_str()).unwrap_or("."));
        }
    }
    let out = match c.format {
        Format::Json => {
            // `[{path, name, group, role, reason}]`, paths relative to DIR as
            // the text shows them.
            let rows: Vec<overlay::env::Classified> = list
                .iter()
                .cloned()
                .map(|mut k| {
                    let path = overlay::promote::change::relative_to(&k.dir.path, &root);
                    k.dir.path = if path.is_empty() { ".".to_string() } else { path };
                    k
                })
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&rows).unwrap_or_default())
        }
        _ => overlay::env::text(&list, &root),
    };
    if !print(&out) {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
