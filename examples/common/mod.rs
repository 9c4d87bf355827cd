//! What the timing examples share: a tree from disk copied into memory, as
//! the page holds it, and a median over runs.

#![allow(dead_code)] // each example uses its own part

use overlay::MemFs;
use std::path::Path;
use std::time::Instant;

/// Every file below `dir` on disk, in memory under `/`.
pub fn load_tree(dir: &Path) -> MemFs {
    fn walk(fs: &mut MemFs, base: &Path, dir: &Path) {
        for e in std::fs::read_dir(dir).expect("read the tree").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(fs, base, &p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                fs.insert(&p.strip_prefix(base).unwrap().to_string_lossy(), bytes);
            }
        }
    }
    let mut fs = MemFs::new();
    walk(&mut fs, dir, dir);
    fs
}

/// The median of `n` runs of `f`, in milliseconds.
pub fn time(n: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}
