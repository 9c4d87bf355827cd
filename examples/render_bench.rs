//! Times what the page does on every keystroke: render every environment of
//! a preset from memory. Prints figures; asserts nothing.
//!
//! cargo run --release --example render_bench -- [www/presets/fleet-infra] [iterations]

#[path = "common/mod.rs"]
mod common;

use common::load_tree;
use overlay::{env, kustomize, memo::RenderCache, BuildOptions};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("www/presets/fleet-infra"));
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let mut fs = load_tree(&dir);
    let envs = env::environments(&fs);
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        for e in &envs {
            let _ = kustomize::render(&fs, &e.path, &BuildOptions::default());
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{}: {} environments, {} runs: median {:.3} ms, p90 {:.3} ms, min {:.3} ms per keystroke (all environments)",
        dir.display(),
        envs.len(),
        n,
        times[n / 2],
        times[n * 9 / 10],
        times[0]
    );

    // As the page does it: a keystroke in one file, then every environment
    // through the render cache (only builds that read the file run again).
    let edited = "/apps/production/my-app-patch.yaml";
    if let Some(original) = fs.get(edited).map(<[u8]>::to_vec) {
        let mut cache = RenderCache::new();
        let mut times = Vec::with_capacity(n);
        for i in 0..n {
            let mut text = original.clone();
            if i % 2 == 0 {
                text.extend_from_slice(b"# edit\n");
            }
            fs.insert(edited, text);
            let t = Instant::now();
            let _ = cache.render_all(&fs, &BuildOptions::default(), &[]);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("keystroke in {edited}, render cache: median {:.3} ms, min {:.3} ms", times[n / 2], times[0]);
    }
}
