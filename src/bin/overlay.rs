//! `overlay`: the engine on the command line. `overlay build DIR` prints what
//! `kubectl kustomize DIR` prints; `overlay diff A B` compares two
//! environments; `overlay promote A B` proposes the change that brings A's
//! state into B.

use overlay::kustomize::{self, BuildOptions, LoadRestrictor};
use overlay::{DiskFs, Error};
use std::io::Write;
use std::process::ExitCode;

#[path = "overlay/compare.rs"]
mod compare;

const USAGE: &str = "usage: overlay build [DIR] [--load-restrictor LoadRestrictionsRootOnly|LoadRestrictionsNone] [--enable-helm] [--enable-alpha-plugins]
       overlay diff DIR_A DIR_B [--format text|markdown|json|unified] [--ignore PATH]... [--strict-namespaces]
       overlay promote FROM_DIR TO_DIR [--images] [--file NAME]... [--all] [--write] [--format text|markdown|json|patch] [--ignore PATH]...
       overlay envs [DIR] [--order dev,staging,prod]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(|s| s.as_str()) {
        Some("build") => build(&args[1..]),
        Some("diff") => compare::diff(&args[1..]),
        Some("promote") => compare::promote(&args[1..]),
        Some("envs") => compare::envs(&args[1..]),
        Some("-h") | Some("--help") | Some("help") => {
            println!("{}", USAGE);
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{}", USAGE);
            ExitCode::from(2)
        }
    }
}

fn build(args: &[String]) -> ExitCode {
    let mut options = BuildOptions::default();
    let mut dir: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        match flag {
            "--load-restrictor" => {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => return usage_error("--load-restrictor needs a value"),
                        }
                    }
                };
                options.load_restrictor = match value.as_str() {
                    "LoadRestrictionsRootOnly" => LoadRestrictor::RootOnly,
                    "LoadRestrictionsNone" => LoadRestrictor::None,
                    other => return usage_error(&format!("unknown --load-restrictor '{}'", other)),
                };
            }
            // Accepted like kubectl accepts them; what they enable cannot run
            // here, and a build that needs it says so.
            "--enable-helm" | "--enable-alpha-plugins" => {}
            _ if arg.starts_with('-') => return usage_error(&format!("unknown flag '{}'", arg)),
            _ if dir.is_none() => dir = Some(arg),
            _ => return usage_error("only one directory can be built"),
        }
        i += 1;
    }
    let cwd = std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "/".to_string());
    let dir = overlay::fs::join(&cwd, dir.unwrap_or("."));
    let built = kustomize::build(&DiskFs, &dir, &options).and_then(|out| {
        let text = overlay::yaml::emit_checked(&out.resources.nodes())?;
        Ok((out.warnings, text))
    });
    match built {
        Ok((warnings, text)) => {
            for w in &warnings {
                eprintln!("{}", w);
            }
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {}", display(&e, &cwd));
            ExitCode::from(1)
        }
    }
}

/// The error with its file shown relative to the working directory.
fn display(e: &Error, cwd: &str) -> String {
    let mut e = e.clone();
    if let Some(span) = e.span.as_mut() {
        let rel = overlay::fs::relative(&span.file, cwd);
        if !rel.starts_with("../..") {
            span.file = rel.into();
        }
    }
    e.to_string()
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("Error: {}\n{}", msg, USAGE);
    ExitCode::from(2)
}
