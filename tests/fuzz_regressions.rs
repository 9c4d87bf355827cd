//! Replays every file under tests/fuzz-regressions/ (the fuzzer's minimised
//! corpus in corpus/, and any input that once crashed the engine at the top
//! level) through the fuzz target's checks: no panic, output that parses
//! back, errors that name a file. Plain `cargo test`; no fuzzer needed.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.file_name().is_some_and(|n| n != "README.md") {
            out.push(p);
        }
    }
}

#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut problems = Vec::new();
    for path in &all {
        let data = std::fs::read(path).unwrap_or_default();
        match std::panic::catch_unwind(|| overlay::fuzzing::check(&data)) {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => problems.push(format!("{}: {}", path.display(), problem)),
            Err(_) => problems.push(format!("{}: panicked", path.display())),
        }
    }
    std::panic::set_hook(hook);
    println!("replayed {} fuzz inputs", all.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
