//! Times a lesson check as the page runs it on a keystroke: every check of
//! each lesson (hidden variants included) against its solution tree, the
//! lesson already parsed. Prints medians; asserts nothing.
//!
//! cargo run --release --example lesson_bench -- [lessons] [iterations]

use overlay::fs::Files;
use overlay::DiskFs;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map(String::as_str).unwrap_or("lessons");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let dir = overlay::fs::normalize(&std::fs::canonicalize(dir).expect("the lessons folder").to_string_lossy());
    let mut worst = 0.0f64;
    for name in DiskFs.list(&dir).into_iter().filter(|n| n.ends_with(".yaml")) {
        let path = overlay::fs::join(&dir, &name);
        let text = std::fs::read_to_string(&path).unwrap();
        let lesson = overlay::lesson::parse(&path, &text).unwrap();
        let tree = overlay::lesson::tree(&lesson, true);
        let mut times: Vec<f64> = (0..n)
            .map(|_| {
                let t = Instant::now();
                let r = overlay::lesson::check(&lesson, &tree);
                assert!(r.passed());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(|a, b| a.total_cmp(b));
        let median = times[times.len() / 2];
        worst = worst.max(median);
        println!("{:45} {:2} checks  median {:.3} ms", name, lesson.checks.len() * (1 + lesson.variants.len()), median);
    }
    println!("slowest lesson: median {:.3} ms per check of the whole lesson", worst);
}
