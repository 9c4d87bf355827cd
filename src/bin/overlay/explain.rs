//! `overlay explain`: where each rendered value comes from, and where the
//! text at a position goes. One engine call each (`overlay::explain`); the
//! JSON shapes are documented there.

use super::{cwd, display, shown, usage_error as usage};
use overlay::kustomize::{BuildOptions, LoadRestrictor};
use overlay::DiskFs;
use std::io::Write;
use std::process::ExitCode;

/// `overlay explain DIR [RESOURCE [FIELD]]`: where each rendered value
/// comes from; `overlay explain --from FILE:LINE[:COLUMN]`: where the text
/// there goes in each environment. The JSON shapes are documented in the
/// engine's `explain` module.
pub fn run(args: &[String]) -> ExitCode {
    let a = match super::args::Args::parse(args, &super::commands::EXPLAIN.spec) {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    let json = match a.value("--format").unwrap_or("text") {
        "text" => false,
        "json" => true,
        other => return usage(&format!("unknown --format '{}'", other)),
    };
    let mut options = BuildOptions::default();
    match a.value("--load-restrictor") {
        None | Some("LoadRestrictionsRootOnly") => {}
        Some("LoadRestrictionsNone") => options.load_restrictor = LoadRestrictor::None,
        Some(other) => return usage(&format!("unknown --load-restrictor '{}'", other)),
    }
    let cwd = cwd();
    let shown = |p: &str| shown(p, &cwd);
    let text = if let Some(at) = a.value("--from") {
        if !a.positionals.is_empty() {
            return usage("--from takes no DIR: it looks at every environment under --root (default: here)");
        }
        let mut parts = at.rsplitn(3, ':').collect::<Vec<_>>();
        parts.reverse();
        let number = |s: &str| s.parse::<u32>().ok().filter(|n| *n > 0);
        let (file, line, column) = match parts.as_slice() {
            [f, l, c] if number(l).is_some() && number(c).is_some() => (f.to_string(), number(l).unwrap(), number(c)),
            [f, l, c] if number(c).is_some() => (format!("{}:{}", f, l), number(c).unwrap(), None),
            [f, l] if number(l).is_some() => (f.to_string(), number(l).unwrap(), None),
            _ => return usage(&format!("--from '{}': write FILE:LINE or FILE:LINE:COLUMN", at)),
        };
        let root = overlay::fs::join(&cwd, a.value("--root").unwrap_or("."));
        let file = overlay::fs::join(&cwd, &file);
        let envs = overlay::explain::from(&DiskFs, &root, &Default::default(), &file, line, column, &options);
        if json {
            overlay::explain::format::from_json(&envs, &shown).to_string() + "\n"
        } else {
            overlay::explain::format::from_text(&envs, &shown)
        }
    } else {
        let Some(dir) = a.positional(0) else { return usage("explain needs a DIR (or --from FILE:LINE)") };
        let dir = overlay::fs::join(&cwd, dir);
        match overlay::explain::explain(&DiskFs, &dir, &options, a.positional(1), a.positional(2)) {
            Ok(entries) if json => overlay::explain::format::json(&entries, &shown).to_string() + "\n",
            Ok(entries) => overlay::explain::format::text(&entries, &shown),
            Err(e) => {
                eprintln!("Error: {}", display(&e, &cwd));
                return ExitCode::from(1);
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
