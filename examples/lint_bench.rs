//! Times the Flux side of the page: `lint()` over the whole repository and
//! `flux()` (one cluster's build), from memory as in the browser. Prints
//! figures; asserts nothing.
//!
//! cargo run --release --example lint_bench -- [www/presets/fleet-infra] [iterations]

#[path = "common/mod.rs"]
mod common;

use common::{load_tree, time};
use overlay::flux::{cluster, lint};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map(String::as_str).unwrap_or("www/presets/fleet-infra");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let fs = load_tree(std::path::Path::new(dir));
    let lint = time(n, || {
        lint::lint_repository(&fs, "/");
    });
    println!("{dir}: lint() median {lint:.3} ms ({} findings)", lint::lint_repository(&fs, "/").len());
    for c in lint::cluster_dirs(&fs, "/") {
        let root = cluster::guess_root(&fs, &c);
        let flux = time(n, || {
            let _ = cluster::load(&fs, &c, &root, &cluster::Options::default());
        });
        println!("{dir}: flux({c}) median {flux:.3} ms");
    }
}
