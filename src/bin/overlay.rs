//! `overlay`: the engine on the command line. `overlay build DIR` prints what
//! `kubectl kustomize DIR` prints; `overlay diff A B` compares two
//! environments; `overlay promote A B` proposes the change that brings A's
//! state into B.

use overlay::kustomize::{self, BuildOptions, LoadRestrictor};
use overlay::{DiskFs, Error, Files};
use std::io::Write;
use std::process::ExitCode;

#[path = "overlay/args.rs"]
mod args;
#[path = "overlay/compare.rs"]
mod compare;
#[path = "overlay/explain.rs"]
mod explain;

use args::{Args, Spec};

const USAGE: &str = "usage: overlay build [DIR] [--load-restrictor LoadRestrictionsRootOnly|LoadRestrictionsNone] [--enable-helm] [--enable-alpha-plugins]
       overlay diff DIR_A DIR_B [--format text|markdown|json|unified] [--ignore PATH]... [--strict-namespaces]
       overlay promote FROM_DIR TO_DIR [--images] [--file NAME]... [--all] [--write] [--format text|markdown|json|patch] [--ignore PATH]...
       overlay envs [DIR] [--order dev,staging,prod] [--pin DIR]... [--format text|json]
       overlay flux CLUSTER_DIR [--root REPO_ROOT] [--graph] [--before OLD_REPO_ROOT] [--self-source NAME] [--no-strict-substitute]
       overlay clusters [REPO_ROOT] [--self-source NAME]
       overlay lint [DIR]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(|s| s.as_str()) {
        Some("build") => build(&args[1..]),
        Some("diff") => compare::diff(&args[1..]),
        Some("promote") => compare::promote(&args[1..]),
        Some("envs") => compare::envs(&args[1..]),
        Some("flux") => flux_command(&args[1..]),
        Some("clusters") => clusters_command(&args[1..]),
        Some("lint") => lint_command(&args[1..]),
        Some("explain") => explain::run(&args[1..]),
        Some("-h") | Some("--help") | Some("help") => {
            println!("{}\n{}", USAGE, explain::USAGE);
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{}\n{}", USAGE, explain::USAGE);
            ExitCode::from(2)
        }
    }
}

fn build(args: &[String]) -> ExitCode {
    // --enable-helm and --enable-alpha-plugins are accepted as kubectl
    // accepts them; what they enable cannot run here, and a build that needs
    // it says so.
    const SPEC: Spec = Spec { values: &["--load-restrictor"], switches: &["--enable-helm", "--enable-alpha-plugins"], max_positionals: 1 };
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

/// `--flag=value` into its flag and value, as kubectl accepts flags; any
/// other argument comes back whole.
fn split_flag(arg: &str) -> (&str, Option<String>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
        _ => (arg, None),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("Error: {}\n{}", msg, USAGE);
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
    const SPEC: Spec = Spec {
        values: &["--root", "--before", "--self-source"],
        switches: &["--graph", "--strict-substitute", "--no-strict-substitute"],
        max_positionals: 1,
    };
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let (dir, root, before) = (a.positional(0).map(String::from), a.value("--root").map(String::from), a.value("--before").map(String::from));
    let graph = a.is_set("--graph");
    let mut options = Options::default();
    // Other GitRepositories that are this same repository.
    options.self_sources = a.all("--self-source");
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
            eprintln!("Error: {}", display(&e, &cwd));
            return ExitCode::from(1);
        }
    };
    let mut failed = false;
    let order = match &c.order {
        Ok(o) => o.clone(),
        Err(e) => {
            eprintln!("Error: {}", display(e, &cwd));
            failed = true;
            (0..c.units.len()).collect()
        }
    };
    for e in &c.errors {
        eprintln!("Error: {}", display(e, &cwd));
        failed = true;
    }
    for w in &c.warnings {
        eprintln!("Warning: {}", w);
    }
    for u in &c.units {
        if let Status::Failed(e) = &u.status {
            eprintln!("Error: Kustomization {}: {}", u.ks.key, display(e, &cwd));
            failed = true;
        }
        for w in &u.warnings {
            eprintln!("Warning: Kustomization {}: {}", u.ks.key, w);
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
                eprintln!("Error: {}", display(&e, &cwd));
                return ExitCode::from(1);
            }
        }
    } else if graph {
        text.push_str(&flux_graph(&c, &order));
    } else {
        let root_note = match &c.root_ks {
            Some(k) => format!("applied by Kustomization {}", k),
            None => "applied from outside the repository (flux bootstrap or a FluxInstance)".to_string(),
        };
        let dir_note = if c.errors.is_empty() { "" } else { ": build failed, see the error" };
        text.push_str(&format!("# {}: the cluster directory, {}{}\n", shown(&c.dir, &cwd), root_note, dir_note));
        let mut sections: Vec<(String, Vec<overlay::yaml::Node>)> = vec![(String::new(), c.dir_objects.clone())];
        for &i in &order {
            let u = &c.units[i];
            let head = format!("# Kustomization {} (path {})", u.ks.key, if u.ks.path.is_empty() { "." } else { &u.ks.path });
            let head = match &u.status {
                Status::Rendered if u.ks.suspend => {
                    sections.push((format!("{}: suspended, the controller applies nothing until it is resumed\n", head), Vec::new()));
                    continue;
                }
                Status::Rendered => match u.blocked_message() {
                    Some(m) => format!("{}: blocked, {} (the controller applies this once it is)\n", head, m),
                    None => format!("{}\n", head),
                },
                Status::External(why) => format!("{}: not rendered, {}\n", head, why),
                Status::Failed(_) => match u.blocked_message() {
                    Some(m) => format!("{}: build failed, see the error; blocked as well, {}\n", head, m),
                    None => format!("{}: build failed, see the error\n", head),
                },
            };
            sections.push((head, u.objects.clone()));
        }
        let mut first = true;
        for (mut head, nodes) in sections {
            if !first {
                text.push_str("---\n");
            }
            first = false;
            // Objects the apply skips are named, not printed.
            let (skipped, applied): (Vec<_>, Vec<_>) = nodes.into_iter().partition(|n| cluster::skipped(n).is_some());
            for n in &skipped {
                let id = overlay::kustomize::ResId::of(n);
                head.push_str(&format!("# skipped {}/{} ({})\n", id.gvk.kind, id.name, cluster::skipped(n).unwrap_or_default()));
            }
            text.push_str(&head);
            text.push_str(&overlay::yaml::emit_documents(&applied));
        }
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

/// The reconcile order, then one `dependency → dependent` line per edge.
fn flux_graph(c: &overlay::flux::cluster::Cluster, order: &[usize]) -> String {
    let name = |k: &overlay::flux::kustomization::Key, of: &overlay::flux::kustomization::Key| {
        if k.namespace == of.namespace {
            k.name.clone()
        } else {
            k.to_string()
        }
    };
    let mut out = String::from("# reconcile order\n");
    for (n, &i) in order.iter().enumerate() {
        let u = &c.units[i];
        out.push_str(&format!("{}. {} ({})\n", n + 1, u.ks.key, if u.ks.path.is_empty() { "." } else { &u.ks.path }));
    }
    out.push_str("# dependencies\n");
    for &i in order {
        let u = &c.units[i];
        for d in &u.ks.depends_on {
            out.push_str(&format!("{} → {}\n", name(&d.key, &u.ks.key), u.ks.key.name));
        }
        if let Some(p) = &u.parent {
            out.push_str(&format!("{} applies {}\n", name(p, &u.ks.key), u.ks.key.name));
        } else if u.ks.depends_on.is_empty() && !c.units.iter().any(|o| o.ks.depends_on.iter().any(|d| d.key == u.ks.key)) {
            out.push_str(&format!("{} (independent)\n", u.ks.key.name));
        }
    }
    out
}

/// `overlay clusters [REPO_ROOT]`: where Flux reconciliation starts in the
/// repository, each cluster with its Kustomizations; exit 1 when a cluster
/// directory cannot be read.
fn clusters_command(args: &[String]) -> ExitCode {
    use overlay::flux::{cluster::Options, discover};
    let cwd = cwd();
    const SPEC: Spec = Spec { values: &["--self-source"], switches: &[], max_positionals: 1 };
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
                let mut units: Vec<(String, &str)> = c.units.iter().map(|u| (u.ks.key.to_string(), if u.ks.path.is_empty() { "." } else { u.ks.path.as_str() })).collect();
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
    const SPEC: Spec = Spec { values: &[], switches: &[], max_positionals: 1 };
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
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
    let mut text = String::new();
    for f in &findings {
        text.push_str(&format!("{}:{}: {} [{}] Fix: {}\n", shown(&f.span.file, &cwd), f.span.line.max(1), f.message, f.rule, f.fix));
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
