//! Times explain mode: every field of each environment of a tree, and one
//! field, against a plain render of the same environment. Prints figures;
//! asserts nothing.
//!
//! cargo run --release --example explain_bench -- DIR [RESOURCE FIELD] [iterations]

#[path = "common/mod.rs"]
mod common;

use common::{load_tree, time};
use overlay::{env, explain, kustomize, BuildOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("www/presets/fleet-infra"));
    let (resource, field) = (args.get(2).cloned(), args.get(3).cloned());
    let n: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(20);
    let fs = load_tree(&dir);
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
