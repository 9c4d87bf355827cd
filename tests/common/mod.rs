//! What the randomised tests share: a small seeded generator, so that a
//! failure names a seed and reproduces on every machine (no crates).

#![allow(dead_code)] // each test binary uses its own part

/// xorshift64*: small, deterministic, good enough to pick features.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number in `0..n`; 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// `pick` for copyable items (`&str`s), by value: no deref at the call.
    pub fn choose<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }
}

/// A kustomize conformance case's `input/` tree, mounted at `/input`, with
/// the empty directories its case.json lists (git cannot hold them).
pub fn conformance_input(case_dir: &std::path::Path, empty_dirs: &[&str]) -> overlay::MemFs {
    use overlay::MemFs;
    use std::path::Path;
    fn walk(fs: &mut MemFs, base: &Path, dir: &Path) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                fs.add_dir(&format!("/input/{}", rel));
                walk(fs, base, &p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                fs.insert(&format!("/input/{}", rel), bytes);
            }
        }
    }
    let mut fs = MemFs::new();
    fs.add_dir("/input");
    let input = case_dir.join("input");
    walk(&mut fs, &input, &input);
    for d in empty_dirs {
        fs.add_dir(&format!("/input/{}", d));
    }
    fs
}
