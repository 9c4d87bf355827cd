//! Times explain mode: every field of each environment of a tree, and one
//! field, against a plain render of the same environment. Prints figures;
//! asserts nothing.
//!
//! cargo run --release --example explain_bench -- DIR [RESOURCE FIELD] [iterations]

use overlay::{env, explain, kustomize, BuildOptions, MemFs};
use std::time::Instant;

fn load(fs: &mut MemFs, base: &std::path::Path, dir: &std::path::Path) {
    for e in std::fs::read_dir(dir).expect("read tree").flatten() {
        let p = e.path();
        if p.is_dir() {
            load(fs, base, &p);
        } else if let Ok(bytes) = std::fs::read(&p) {
            fs.insert(&p.strip_prefix(base).unwrap().to_string_lossy(), bytes);
        }
    }
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

fn time(n: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("www/presets/fleet-infra"));
    let (resource, field) = (args.get(2).cloned(), args.get(3).cloned());
    let n: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(20);
    let mut fs = MemFs::new();
    load(&mut fs, &dir, &dir);
    let options = BuildOptions::default();
    for e in env::environments(&fs) {
        let render = time(n, || {
            let _ = kustomize::render(&fs, &e.path, &options);
        });
        let mut leaves = 0;
        let whole = time(n, || {
            leaves = explain::explain(&fs, &e.path, &options, None, None).map(|v| v.len()).unwrap_or(0);
        });
        print!("{} {}: render {:.3} ms; explain every field ({} leaves) {:.3} ms", dir.display(), e.path, render, leaves, whole);
        if let (Some(r), Some(f)) = (&resource, &field) {
            let one = time(n, || {
                let _ = explain::explain(&fs, &e.path, &options, Some(r), Some(f));
            });
            print!("; explain {} {} {:.3} ms", r, f, one);
        }
        println!(" (median of {})", n);
    }
}
