//! Times the YAML parser alone over every `.yaml`/`.yml` file under a
//! directory (by default the real-world corpus beside the repository).
//! Prints the best of 7 passes; asserts nothing.
//!
//! cargo run --release --example parse_bench -- [../shared/realworld]

use std::time::Instant;

fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push((p.to_string_lossy().into_owned(), t));
            }
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/realworld").to_string());
    let mut files = Vec::new();
    walk(std::path::Path::new(&dir), &mut files);
    if files.is_empty() {
        println!("parse_bench: no YAML files under {dir}");
        return;
    }
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    let mut best = f64::MAX;
    for _ in 0..7 {
        let t = Instant::now();
        let mut docs = 0;
        for (file, text) in &files {
            if let Ok(d) = overlay::yaml::parse_documents(file, text) {
                docs += d.len();
            }
        }
        std::hint::black_box(docs);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{} files, {:.1} MB: best {:.1} ms, {:.1} MB/s", files.len(), bytes as f64 / 1e6, best * 1e3, bytes as f64 / 1e6 / best);
}
