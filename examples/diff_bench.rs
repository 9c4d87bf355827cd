//! How long the semantic diff takes on the 2,000-resource synthetic overlay.
//!
//! usage: python3 tools/synthetic.py /tmp/syn && cargo run --release --example diff_bench -- /tmp/syn
//!
//! Renders the overlay (the base while the engine cannot build the overlay
//! yet), derives a second render with every tenth Deployment changed and
//! one in twenty with a new image, and times: equal renders, that change,
//! every resource changed, and the unified text view.

use overlay::diff::{self, DiffOptions};
use overlay::kustomize::{self, BuildOptions};
use overlay::yaml::{Kind, Node};
use overlay::DiskFs;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp/syn".to_string());
    let dir = overlay::fs::join(&std::env::current_dir().unwrap().to_string_lossy(), &dir);
    let mut label = "overlay";
    let t = Instant::now();
    let built = kustomize::build(&DiskFs, &format!("{}/overlay", dir), &BuildOptions::default()).or_else(|e| {
        eprintln!("overlay does not build here yet ({}); using the base", e);
        label = "base";
        kustomize::build(&DiskFs, &format!("{}/base", dir), &BuildOptions::default())
    });
    let a = match built {
        Ok(out) => out.resources.nodes(),
        Err(e) => {
            eprintln!("Error: {}", e);
            std::process::exit(2);
        }
    };
    println!("build {} ({} resources): {:.1} ms", label, a.len(), ms(t));

    let some = mutate(&a, |i| i % 10 == 0);
    let all = mutate(&a, |_| true);
    let options = DiffOptions::default();
    for (name, b) in [("equal renders", &a), ("10% of Deployments changed", &some), ("every resource changed", &all)] {
        let t = Instant::now();
        let d = diff::diff(&a, b, &options);
        let s = d.summary();
        println!("semantic diff, {}: {:.1} ms ({} changed, {} unchanged)", name, ms(t), s.changed, s.unchanged);
    }
    let t = Instant::now();
    let printed = overlay::yaml::emit_documents(&a);
    println!("emit one render (for comparison): {:.1} ms ({} lines)", ms(t), printed.lines().count());
    for (name, b) in [("10% changed", &some), ("every resource changed", &all)] {
        let t = Instant::now();
        let text = diff::unified_render(&a, b, "a", "b", 3);
        println!("unified text diff (emit both + line diff), {}: {:.1} ms ({} lines)", name, ms(t), text.lines().count());
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// A copy with the chosen Deployments scaled, and some with a new image tag.
fn mutate(docs: &[Node], pick: impl Fn(usize) -> bool) -> Vec<Node> {
    let mut out = docs.to_vec();
    for (i, d) in out.iter_mut().enumerate() {
        if !pick(i) {
            continue;
        }
        if let Some(spec) = d.get_mut("spec") {
            if spec.get("replicas").is_some() {
                spec.set("replicas", Node::scalar("3", Kind::Int, Default::default()));
            }
        }
        let labels = d.entry_map("metadata").and_then(|m| m.entry_map("labels"));
        if let Some(labels) = labels {
            labels.set("bench", Node::string(format!("v{}", i % 20), Default::default()));
        }
    }
    out
}
