//! `overlay`: the engine on the command line. `overlay build DIR` prints what
//! `kubectl kustomize DIR` prints; `overlay diff A B` compares two
//! environments; `overlay promote A B` proposes the change that brings A's
//! state into B; `overlay review` shows what a change does to every
//! environment and cluster.

use overlay::kustomize::{self, BuildOptions, LoadRestrictor};
use overlay::{DiskFs, Error, Files};
use std::io::Write;
use std::process::ExitCode;

#[path = "overlay/args.rs"]
mod args;
#[path = "overlay/commands.rs"]
mod commands;
#[path = "overlay/compare.rs"]
mod compare;
#[path = "overlay/completions.rs"]
mod completions;
#[path = "overlay/explain.rs"]
mod explain;
#[path = "overlay/lesson.rs"]
mod lesson;
#[path = "overlay/review.rs"]
mod review;
#[path = "overlay/style.rs"]
mod style;

use args::{Args, Spec};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().and_then(|name| commands::find(name));
    // `overlay COMMAND --help` (or -h), wherever it stands before `--`.
    if let Some(c) = command {
        if c.name != "help" && args[1..].iter().take_while(|a| *a != "--").any(|a| a == "--help" || a == "-h") {
            print!("{}", c.long_help());
            return ExitCode::SUCCESS;
        }
    }
    match args.first().map(|s| s.as_str()) {
        Some("build") => build(&args[1..]),
        Some("diff") => compare::diff(&args[1..]),
        Some("promote") => compare::promote(&args[1..]),
        Some("envs") => compare::envs(&args[1..]),
        Some("flux") => flux_command(&args[1..]),
        Some("clusters") => clusters_command(&args[1..]),
        Some("lint") => lint_command(&args[1..]),
        Some("explain") => explain::run(&args[1..]),
        Some("review") => review::run(&args[1..]),
        Some("lesson") => lesson::lesson(&args[1..]),
        Some("completions") => completions_command(&args[1..]),
        Some("help") => help_command(&args[1..]),
        Some("-h") | Some("--help") => help_command(&[]),
        Some("-V") | Some("--version") | Some("version") => {
            println!("overlay {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(other) if !other.starts_with('-') || args.len() > 1 => usage_error(&format!("unknown command '{}'", other)),
        _ => {
            eprintln!("{}", commands::usage());
            ExitCode::from(2)
        }
    }
}

/// `overlay help [COMMAND]`.
fn help_command(args: &[String]) -> ExitCode {
    let a = match Args::parse(args, &commands::HELP.spec) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    match a.positional(0) {
        None => {
            print!("{}", commands::overview());
            ExitCode::SUCCESS
        }
        Some(name) => match commands::find(name) {
            Some(c) => {
                print!("{}", c.long_help());
                ExitCode::SUCCESS
            }
            None => usage_error(&format!("unknown command '{}'", name)),
        },
    }
}

/// `overlay completions bash|zsh|fish`.
fn completions_command(args: &[String]) -> ExitCode {
    let a = match Args::parse(args, &commands::COMPLETIONS.spec) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let Some(shell) = a.positional(0) else { return usage_error("completions needs a shell: bash, zsh or fish") };
    match completions::script(shell) {
        Some(text) => {
            print!("{}", text);
            ExitCode::SUCCESS
        }
        None => usage_error(&format!("no completions for '{}' (bash, zsh or fish)", shell)),
    }
}

fn build(args: &[String]) -> ExitCode {
    // --enable-helm and --enable-alpha-plugins are accepted as kubectl
    // accepts them; what they enable cannot run here, and a build that needs
    // it says so.
    const SPEC: Spec = commands::BUILD.spec;
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let mut options = BuildOptions::default();
    if let Some(value) = a.value("--load-restrictor") {
        options.load_restrictor = match value {
            "LoadRestrictionsRootOnly" => LoadRestrictor::RootOnly,
            "LoadRestrictionsNone" => LoadRestrictor::None,
            other => return usage_error(&format!("unknown --load-restrictor '{}'", other)),
        };
    }
    let dir = a.positional(0);
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
            eprintln!("{}{}", style::error(), display(&e, &cwd));
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

/// A value as pretty JSON with a final line break, as `--format json` prints,
/// its paths (`file`, `dir`, `root`) relative to the working directory as
/// the text formats show them.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    fn relative(v: &mut serde_json::Value, cwd: &str) {
        match v {
            serde_json::Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    match item {
                        serde_json::Value::String(path) if matches!(key.as_str(), "file" | "dir" | "root") => *path = shown(path, cwd),
                        _ => relative(item, cwd),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| relative(i, cwd)),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(value).unwrap_or_default();
    relative(&mut value, &cwd());
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("{}{}\n{}", style::error(), msg, commands::usage());
    ExitCode::from(2)
}

// ---- flux and lint --------------------------------------------------------

fn cwd() -> String {
    std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "/".to_string())
}

/// A path as the user should see it: relative to the working directory.
fn shown(path: &str, cwd: &str) -> String {
    let rel = overlay::fs::relative(path, cwd);
    if rel.starts_with("../..") {
        path.to_string()
    } else {
        rel
    }
}

/// `overlay flux CLUSTER_DIR`: the cluster's objects in the order Flux
/// applies them, or its dependency graph, or what a change would prune.
fn flux_command(args: &[String]) -> ExitCode {
    use overlay::flux::cluster::{self, Options, Status};
    let cwd = cwd();
    const SPEC: Spec = commands::FLUX.spec;
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let (dir, root, before) =
        (a.positional(0).map(String::from), a.value("--root").map(String::from), a.value("--before").map(String::from));
    let graph = a.is_set("--graph");
    let json = match a.value("--format") {
        None | Some("yaml") => false,
        Some("json") => true,
        Some(other) => return usage_error(&format!("unknown --format '{}' (yaml or json)", other)),
    };
    // Other GitRepositories that are this same repository.
    let mut options = Options { self_sources: a.all("--self-source"), ..Options::default() };
    if a.is_set("--no-strict-substitute") || a.on("--strict-substitute") == Some(false) {
        options.strict_substitute = false;
    } else if a.is_set("--strict-substitute") {
        options.strict_substitute = true;
    }
    let Some(dir) = dir else { return usage_error("overlay flux needs a cluster directory (clusters/<env>)") };
    let dir = overlay::fs::join(&cwd, &dir);
    let root = match root {
        Some(r) => overlay::fs::join(&cwd, &r),
        None => cluster::guess_root(&DiskFs, &dir),
    };
    let c = match overlay::flux::discover::load(&DiskFs, &dir, &root, &options) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}{}", style::error(), display(&e, &cwd));
            return ExitCode::from(1);
        }
    };
    let mut failed = false;
    if let Err(e) = &c.order {
        eprintln!("{}{}", style::error(), display(e, &cwd));
        failed = true;
    }
    for e in &c.errors {
        eprintln!("{}{}", style::error(), display(e, &cwd));
        failed = true;
    }
    for w in &c.warnings {
        eprintln!("{}{}", style::warning("Warning:"), w);
    }
    for u in &c.units {
        if let Status::Failed(e) = &u.status {
            eprintln!("{}Kustomization {}: {}", style::error(), u.ks.key, display(e, &cwd));
            failed = true;
        }
        for w in &u.warnings {
            eprintln!("{}Kustomization {}: {}", style::warning("Warning:"), u.ks.key, w);
        }
    }
    let mut text = String::new();
    if let Some(before) = before {
        let old_root = overlay::fs::join(&cwd, &before);
        let old_dir = overlay::fs::join(&old_root, &overlay::fs::relative(&dir, &root));
        match overlay::flux::discover::load(&DiskFs, &old_dir, &old_root, &options) {
            Ok(old) => {
                for e in overlay::flux::prune::stale(&old, &c) {
                    text.push_str(&format!("{}\n", e));
                }
            }
            Err(e) => {
                eprintln!("{}{}", style::error(), display(&e, &cwd));
                return ExitCode::from(1);
            }
        }
    } else if graph {
        text.push_str(&overlay::flux::report::graph(&c));
    } else if json {
        let findings = overlay::flux::lint::lint_cluster(&DiskFs, &c);
        text = to_json(&overlay::flux::report::json(&c, &findings));
    } else {
        text = overlay::flux::report::text(&c, &|p| shown(p, &cwd));
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return ExitCode::from(1);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `overlay clusters [REPO_ROOT]`: where Flux reconciliation starts in the
/// repository, each cluster with its Kustomizations; exit 1 when a cluster
/// directory cannot be read.
fn clusters_command(args: &[String]) -> ExitCode {
    use overlay::flux::{cluster::Options, discover};
    let cwd = cwd();
    const SPEC: Spec = commands::CLUSTERS.spec;
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let dir = a.positional(0).map(String::from);
    let options = Options { self_sources: a.all("--self-source"), ..Options::default() };
    let root = overlay::fs::join(&cwd, dir.as_deref().unwrap_or("."));
    let (found, loaded) = discover::load_all(&DiskFs, &root, &options);
    let show = |p: &str| shown(p, &cwd);
    let mut text = String::new();
    let sources: Vec<String> = if options.self_sources.is_empty() {
        found.self_sources.iter().map(|s| s.describe(&show)).collect()
    } else {
        options.self_sources.iter().map(|s| format!("{} (--self-source)", s)).collect()
    };
    text.push_str(&format!("# this repository as a Flux source: {}\n", sources.join(", ")));
    let mut failed = false;
    for (f, c) in found.clusters.iter().zip(&loaded) {
        match c {
            Ok(c) => {
                let mut units: Vec<(String, &str)> =
                    c.units.iter().map(|u| (u.ks.key.to_string(), if u.ks.path.is_empty() { "." } else { u.ks.path.as_str() })).collect();
                units.sort();
                text.push_str(&format!("{}: {} Kustomizations ({})\n", show(&f.dir), units.len(), f.start.describe(&show)));
                for (key, path) in units {
                    text.push_str(&format!("  {} {}\n", key, path));
                }
            }
            Err(e) => {
                failed = true;
                text.push_str(&format!("{}: not readable ({}): {}\n", show(&f.dir), f.start.describe(&show), display(e, &cwd)));
            }
        }
    }
    for d in &found.fixtures {
        text.push_str(&format!("# test data or example, not a cluster: {}\n", show(d)));
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_err() || failed {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// `overlay lint [DIR]`: findings as `file:line: message`; exit 1 when any.
fn lint_command(args: &[String]) -> ExitCode {
    let cwd = cwd();
    const SPEC: Spec = commands::LINT.spec;
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let json = match a.value("--format") {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => return usage_error(&format!("unknown --format '{}' (text or json)", other)),
    };
    let dir = a.positional(0).map(String::from);
    let dir = overlay::fs::join(&cwd, dir.as_deref().unwrap_or("."));
    // A cluster directory given directly: lint the repository around it.
    let holds_flux = overlay::flux::lint::cluster_dirs(&DiskFs, &dir).contains(&dir);
    let root = if holds_flux && !DiskFs.exists(&overlay::fs::join(&dir, ".git")) {
        overlay::flux::cluster::guess_root(&DiskFs, &dir)
    } else {
        dir.clone()
    };
    let findings = overlay::flux::lint::lint_repository(&DiskFs, &root);
    let text = if json {
        to_json(&findings.iter().map(overlay::flux::lint::Finding::info).collect::<Vec<_>>())
    } else {
        findings
            .iter()
            .map(|f| format!("{}:{}: {} [{}] Fix: {}\n", shown(&f.span.file, &cwd), f.span.line.max(1), f.message, f.rule, f.fix))
            .collect()
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
