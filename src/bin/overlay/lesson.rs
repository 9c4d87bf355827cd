//! `overlay lesson check LESSON.yaml [DIR] [--solution]` and
//! `overlay lesson verify DIR`: exit 0 when everything holds, 1 when a check
//! fails, 2 on a usage or file error.

use super::args::{Args, Spec};
use super::{cwd, display, shown, usage_error};
use overlay::DiskFs;
use std::io::Write;
use std::process::ExitCode;

pub fn lesson(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("verify") => verify(&args[1..]),
        _ => usage_error("overlay lesson takes check or verify"),
    }
}

fn check(args: &[String]) -> ExitCode {
    const SPEC: Spec = Spec { values: &[], switches: &["--solution"], max_positionals: 2 };
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let cwd = cwd();
    let Some(file) = a.positional(0) else { return usage_error("overlay lesson check needs LESSON.yaml") };
    let dir = a.positional(1).map(|d| overlay::fs::join(&cwd, d));
    if dir.is_some() && a.is_set("--solution") {
        return usage_error("give DIR or --solution, not both");
    }
    let file = overlay::fs::join(&cwd, file);
    let (lesson, report) = match overlay::lesson::check_file(&DiskFs, &file, dir.as_deref(), a.is_set("--solution")) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {}", display(&e, &cwd));
            return ExitCode::from(2);
        }
    };
    let mut text = format!("{}: {}\n", shown(&file, &cwd), lesson.title);
    for o in &report.outcomes {
        let mark = if o.ok { "✓" } else { "✗" };
        let variant = o.variant.as_ref().map(|v| format!(" [hidden variant {}]", v)).unwrap_or_default();
        text.push_str(&format!("{} {}{}\n", mark, o.label, variant));
        if !o.ok {
            text.push_str(&format!("    {}\n", o.message));
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn verify(args: &[String]) -> ExitCode {
    const SPEC: Spec = Spec { values: &[], switches: &[], max_positionals: 1 };
    let a = match Args::parse(args, &SPEC) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let cwd = cwd();
    let dir = overlay::fs::join(&cwd, a.positional(0).unwrap_or("lessons"));
    let verdicts = match overlay::lesson::verify_dir(&DiskFs, &dir) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("Error: {}", display(&e, &cwd));
            return ExitCode::from(2);
        }
    };
    let mut text = String::new();
    let mut bad = 0;
    for v in &verdicts {
        if v.problems.is_empty() {
            text.push_str(&format!("✓ {} ({})\n", v.id, shown(&v.file, &cwd)));
        } else {
            bad += 1;
            text.push_str(&format!("✗ {} ({})\n", v.id, shown(&v.file, &cwd)));
            for p in &v.problems {
                text.push_str(&format!("    {}\n", p));
            }
        }
    }
    text.push_str(&format!("{} lessons, {} sound, {} with problems\n", verdicts.len(), verdicts.len() - bad, bad));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
