//! The `overlay` binary as people use it: --version, help, completions,
//! exit codes and colour. Runs the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const COMMANDS: [&str; 9] = ["build", "diff", "promote", "envs", "flux", "clusters", "lint", "completions", "help"];

fn overlay(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_overlay"));
    c.args(args).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = c.output().expect("run overlay");
    (status.code().unwrap_or(-1), String::from_utf8(stdout).unwrap(), String::from_utf8(stderr).unwrap())
}

fn fleet() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("www/presets/fleet-infra")
}

fn empty_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("overlay-cli-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn version() {
    for flag in ["--version", "-V", "version"] {
        let (code, out, err) = run(&mut overlay(&[flag]));
        assert_eq!((code, out.as_str(), err.as_str()), (0, format!("overlay {}\n", env!("CARGO_PKG_VERSION")).as_str(), ""));
    }
}

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    let (code, out, _) = run(&mut overlay(&["help"]));
    assert_eq!(code, 0);
    for c in COMMANDS {
        assert!(out.lines().any(|l| l.trim_start().starts_with(&format!("{} ", c))), "overlay help lacks {}:\n{}", c, out);
    }
    for code in ["0  success", "1  the build", "2  usage error", "3  promote"] {
        assert!(out.contains(code), "exit code '{}' missing:\n{}", code, out);
    }
    assert_eq!(run(&mut overlay(&["--help"])).1, out);
}

#[test]
fn help_for_each_command_is_its_own_and_equals_command_dash_dash_help() {
    for c in COMMANDS {
        let (code, out, err) = run(&mut overlay(&["help", c]));
        assert_eq!(code, 0, "{}: {}", c, err);
        assert!(out.starts_with(&format!("usage: overlay {}", c)), "{}", out);
        assert!(out.contains("Exit codes:"), "help {} names no exit codes", c);
        if c != "help" {
            let (code2, out2, _) = run(&mut overlay(&[c, "--help"]));
            assert_eq!((code2, out2.as_str()), (0, out.as_str()), "overlay {} --help", c);
        }
    }
    let (code, _, err) = run(&mut overlay(&["help", "nope"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown command 'nope'"), "{}", err);
}

/// The long flags a command's help names.
fn flags_in_help(command: &str) -> Vec<String> {
    let out = run(&mut overlay(&["help", command])).1;
    let mut flags: Vec<String> = Vec::new();
    for word in out.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        if word.starts_with("--") && word.len() > 2 && !flags.iter().any(|f| f == word) {
            flags.push(word.to_string());
        }
    }
    flags
}

#[test]
fn every_flag_in_the_help_is_accepted_and_completed() {
    let dir = empty_dir("flags");
    let scripts: Vec<(&str, String)> = ["bash", "zsh", "fish"].iter().map(|s| (*s, run(&mut overlay(&["completions", s])).1)).collect();
    for c in COMMANDS {
        for flag in flags_in_help(c) {
            // A value flag without its value says so; a switch runs (or fails
            // for want of arguments). Neither is an unknown flag.
            let (_, _, err) = run(overlay(&[c, &flag]).current_dir(&dir));
            assert!(!err.contains("unknown flag"), "overlay {} {}: {}", c, flag, err);
            if flag == "--help" {
                continue;
            }
            for (shell, script) in &scripts {
                let spelled = if *shell == "fish" { format!("-l {}", &flag[2..]) } else { flag.clone() };
                assert!(script.contains(&spelled), "{} completions lack {} {}", shell, c, flag);
            }
        }
    }
}

#[test]
fn completions_parse_and_name_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, _) = run(&mut overlay(&["completions", shell]));
        assert_eq!(code, 0);
        for c in COMMANDS {
            assert!(out.contains(c), "{} completions lack {}", shell, c);
        }
        match Command::new(shell).arg("-n").arg("-c").arg("true").output() {
            Ok(_) => {
                let path = empty_dir(&format!("complete-{}", shell)).join("script");
                std::fs::write(&path, &out).unwrap();
                let check = Command::new(shell).arg("-n").arg(&path).output().unwrap();
                assert!(check.status.success(), "{} -n: {}", shell, String::from_utf8_lossy(&check.stderr));
            }
            Err(_) => println!("{} is not installed: its completion script was not syntax-checked", shell),
        }
    }
    let (code, _, err) = run(&mut overlay(&["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert!(err.contains("no completions for 'tcsh'"), "{}", err);
}

/// What bash's completion function offers for the words typed so far.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = run(&mut overlay(&["completions", "bash"])).1;
    let quoted: Vec<String> = words.iter().map(|w| format!("'{}'", w)).collect();
    let program = format!(
        "{}\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_overlay\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script,
        quoted.join(" "),
        words.len() - 1
    );
    let out = Command::new("bash").arg("-c").arg(program).current_dir(fleet()).output().expect("bash");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect()
}

#[test]
fn bash_completes_commands_flags_values_and_directories() {
    assert_eq!(bash_complete(&["overlay", "pro"]), ["promote"]);
    assert_eq!(bash_complete(&["overlay", "diff", "--str"]), ["--strict-namespaces"]);
    assert_eq!(bash_complete(&["overlay", "diff", "-o", ""]), ["text", "markdown", "json", "unified"]);
    assert_eq!(bash_complete(&["overlay", "promote", "--format", "pa"]), ["patch"]);
    assert_eq!(bash_complete(&["overlay", "completions", "z"]), ["zsh"]);
    assert_eq!(bash_complete(&["overlay", "diff", "apps/staging", "apps/pro"]), ["apps/production"]);
}

#[test]
fn exit_codes_are_the_documented_ones() {
    let fleet = fleet();
    let diff = |a: &str, b: &str| run(overlay(&["diff", a, b]).current_dir(&fleet)).0;
    assert_eq!(diff("apps/staging", "apps/staging"), 0);
    assert_eq!(diff("apps/staging", "apps/production"), 1);
    assert_eq!(diff("apps/staging", "apps/nowhere"), 2);
    assert_eq!(run(&mut overlay(&["diff", "--nope"])).0, 2);
    assert_eq!(run(&mut overlay(&[])).0, 2);
    assert_eq!(run(overlay(&["build", "apps/production"]).current_dir(&fleet)).0, 0);
    assert_eq!(run(overlay(&["build", "apps/nowhere"]).current_dir(&fleet)).0, 1);
}

#[test]
fn colour_only_on_request_and_never_with_no_color() {
    let fleet = fleet();
    let diff = |env: &[(&str, &str)]| {
        let mut c = overlay(&["diff", "apps/staging", "apps/production", "--format", "unified"]);
        c.current_dir(&fleet).envs(env.iter().copied());
        run(&mut c).1
    };
    // Not a terminal (a pipe): plain.
    let plain = diff(&[]);
    assert!(!plain.contains('\x1b'), "escape codes in piped output");
    assert!(plain.contains("\n-  namespace: staging\n+  namespace: production\n"), "{}", plain);
    let forced = diff(&[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\x1b[31m-  namespace: staging\x1b[0m\n\x1b[32m+  namespace: production\x1b[0m\n"), "{}", forced);
    assert_eq!(diff(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), plain);
    // The text format's headings: changed resources in yellow.
    let mut text = overlay(&["diff", "apps/staging", "apps/production"]);
    let text = run(text.current_dir(&fleet).env("CLICOLOR_FORCE", "1")).1;
    assert!(text.contains("\x1b[33m► Deployment/my-app (staging → production) changed\x1b[0m\n"), "{}", text);

    let error = |env: &[(&str, &str)]| {
        let mut c = overlay(&["build", "apps/nowhere"]);
        c.current_dir(&fleet).envs(env.iter().copied());
        run(&mut c).2
    };
    let plain = error(&[]);
    assert!(plain.starts_with("Error: ") && !plain.contains('\x1b'), "{}", plain);
    assert!(error(&[("CLICOLOR_FORCE", "1")]).starts_with("\x1b[1;31mError:\x1b[0m "));
    assert_eq!(error(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), plain);
}
