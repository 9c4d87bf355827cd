//! `overlay diff` and `overlay promote`.
//!
//! Exit codes follow `diff` and `flux diff`: 0 equal, 1 different, 2 error.
//! `promote` exits 0 when it produced (or wrote) a change or found nothing to
//! do, 2 on error, 3 when a promotion of everything holds changes that look
//! environment-specific and `--force` did not confirm them (nothing written).

use super::args::{Args, Spec};
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

/// Reads the shared flags of `args` (already read against the command's
/// `Spec`).
fn common(a: &Args, formats: &[(&str, Format)]) -> Result<Common, String> {
    let mut c = Common { dirs: a.positionals.clone(), format: Format::Text, diff: DiffOptions::default(), build: BuildOptions::default() };
    if let Some(v) = a.value("--format") {
        c.format = formats.iter().find(|(n, _)| *n == v).map(|(_, f)| *f).ok_or_else(|| format!("unknown --format '{}'", v))?;
    }
    for v in a.all("--ignore") {
        c.diff.ignore.push(IgnoreRule::parse(&v)?);
    }
    if a.is_set("--strict-namespaces") {
        c.diff.across_namespaces = false;
    }
    if let Some(v) = a.value("--context") {
        c.diff.context = v.parse().map_err(|_| format!("--context: '{}' is not a number", v))?;
    }
    if let Some(v) = a.value("--load-restrictor") {
        c.build.load_restrictor = match v {
            "LoadRestrictionsRootOnly" => LoadRestrictor::RootOnly,
            "LoadRestrictionsNone" => LoadRestrictor::None,
            other => return Err(format!("unknown --load-restrictor '{}'", other)),
        };
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
    const SPEC: Spec = super::commands::DIFF.spec;
    let c = match Args::parse(args, &SPEC).and_then(|a| common(&a, &formats)) {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    let [a, b] = c.dirs.as_slice() else { return usage_error("diff needs two directories") };
    let cwd = cwd();
    let (a_dir, b_dir) = (overlay::fs::join(&cwd, a), overlay::fs::join(&cwd, b));
    let diff::Comparison { before, after, diff: d } = match diff::compare_builds(&DiskFs, &a_dir, &b_dir, &c.build, &c.diff) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{}{}", super::style::error(), display(&e, &cwd));
            return ExitCode::from(2);
        }
    };
    let labels = Labels { from: a.trim_end_matches('/').to_string(), to: b.trim_end_matches('/').to_string() };
    let out = match c.format {
        Format::Text => text::render(&d, &labels),
        Format::Json => json::render(&d, &labels),
        Format::Markdown => {
            markdown::render_parts(&d, &labels, c.diff.context, markdown::PART_LIMIT).join("\n<!-- overlay: next comment -->\n")
        }
        Format::Unified | Format::Patch => {
            diff::unified_render(&before, &after, &format!("a/{}", labels.from), &format!("b/{}", labels.to), c.diff.context)
        }
    };
    let out = if matches!(c.format, Format::Text | Format::Unified) { super::style::diff(&out) } else { out };
    if !print(&out) {
        return ExitCode::from(2);
    }
    ExitCode::from(if d.is_empty() { 0 } else { 1 })
}

pub fn promote(args: &[String]) -> ExitCode {
    let formats = [("text", Format::Text), ("markdown", Format::Markdown), ("json", Format::Json), ("patch", Format::Patch)];
    const SPEC: Spec = super::commands::PROMOTE.spec;
    let (a, c) = match Args::parse(args, &SPEC).and_then(|a| common(&a, &formats).map(|c| (a, c))) {
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let [from_dir, to_dir] = c.dirs.as_slice() else { return usage_error("promote needs two directories: FROM_DIR TO_DIR") };
    // With none of --images, --file and --all the engine promotes images.
    let selection = Selection { images: a.is_set("--images"), files: a.all("--file"), everything: a.is_set("--all") };
    let (write, force, keep) = (a.is_set("--write"), a.is_set("--force"), a.all("--keep"));
    let (a, b) = (from_dir, to_dir);
    let cwd = cwd();
    let (from, to) = (overlay::fs::join(&cwd, a), overlay::fs::join(&cwd, b));
    let options = PromoteOptions { build: c.build.clone(), diff: c.diff.clone(), root: repo_root(&to), keep, force };
    let p = match promote::promote(&DiskFs, &from, &to, &selection, &options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}{}", super::style::error(), display(&e, &cwd));
            return ExitCode::from(2);
        }
    };
    let out = match c.format {
        Format::Patch => p.patch(),
        Format::Json => serde_json::to_string_pretty(&report::json(&p)).unwrap_or_default() + "\n",
        Format::Markdown => report::markdown(&p, c.diff.context),
        _ => report::text(&p),
    };
    let out = if matches!(c.format, Format::Text | Format::Patch) { super::style::diff(&out) } else { out };
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
                eprintln!("{}{}: {}", super::style::error(), f.path, e);
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
    const SPEC: Spec = super::commands::ENVS.spec;
    let (a, c) = match Args::parse(args, &SPEC).and_then(|a| common(&a, &[("text", Format::Text), ("json", Format::Json)]).map(|c| (a, c)))
    {
        Ok(x) => x,
        Err(e) => return usage_error(&e),
    };
    let mut options = overlay::env::Options::default();
    if let Some(order) = a.value("--order") {
        options.order = order.split(',').map(|s| s.trim().to_string()).collect();
    }
    let pins = a.all("--pin");
    if c.dirs.len() > 1 {
        return usage_error("envs takes one directory");
    }
    let cwd = cwd();
    let root = overlay::fs::join(&cwd, c.dirs.first().map(|s| s.as_str()).unwrap_or("."));
    options.pinned = pins.iter().map(|p| overlay::fs::join(&cwd, p)).collect();
    let list = overlay::env::kustomizations(&DiskFs, &root, &options);
    for (pin, path) in pins.iter().zip(&options.pinned) {
        if !list.iter().any(|k| &k.dir.path == path) {
            eprintln!(
                "{}--pin {}: not a kustomization directory under {}",
                super::style::warning("warning:"),
                pin,
                c.dirs.first().map(|s| s.as_str()).unwrap_or(".")
            );
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
