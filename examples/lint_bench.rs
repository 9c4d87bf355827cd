//! Times the Flux side of the page: `lint()` over the whole repository and
//! `flux()` (one cluster's build), from memory as in the browser. Prints
//! figures; asserts nothing.
//!
//! cargo run --release --example lint_bench -- [www/presets/fleet-infra] [iterations]

use overlay::flux::{cluster, lint};
use overlay::fs::Files;
use overlay::{DiskFs, MemFs};
use std::time::Instant;

/// Every file below `dir` on disk, copied into memory under `/`.
fn copy(top: &str, dir: &str, out: &mut MemFs) {
    for name in DiskFs.list(dir) {
        let path = overlay::fs::join(dir, &name);
        if DiskFs.is_dir(&path) {
            copy(top, &path, out);
        } else if let Some(bytes) = DiskFs.read(&path) {
            out.insert(&overlay::fs::relative(&path, top), bytes.into_owned());
        }
    }
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
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
    let dir = args.get(1).map(String::as_str).unwrap_or("www/presets/fleet-infra");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let mut fs = MemFs::new();
    let top = overlay::fs::normalize(&std::fs::canonicalize(dir).expect("the preset folder").to_string_lossy());
    copy(&top, &top, &mut fs);
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
