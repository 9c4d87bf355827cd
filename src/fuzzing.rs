//! A small text format for whole file trees, so that fuzzers, seed corpora
//! and regression files can describe a kustomization and its files in one
//! byte string. Used by `fuzz/` (cargo-fuzz), `tests/fuzz_smoke.rs` and
//! `tests/fuzz_regressions.rs`; not part of the page or the CLI.
//!
//! ```text
//! @ overlays/prod            (optional first line: the directory to build)
//! === kustomization.yaml     (a file; text before the first `===` line is
//! resources:                  kustomization.yaml of the root)
//! - ../../base
//! === base/kustomization.yaml
//! ...
//! ```
//!
//! Any byte string decodes to some tree: fuzzers need no valid framing.

use crate::error::Error;
use crate::fs::MemFs;
use crate::kustomize::{self, BuildOptions, LoadRestrictor};

/// Where trees are mounted; builds never read above it.
pub const ROOT: &str = "/input";
/// At most this many files per tree, so one input stays a small tree.
const MAX_FILES: usize = 16;

pub struct Tree {
    pub files: MemFs,
    /// The absolute directory to build.
    pub dir: String,
    pub options: BuildOptions,
}

/// Decodes bytes into a tree. The header line `@ DIR [none]` picks the build
/// directory and, with `none`, LoadRestrictionsNone.
pub fn decode(data: &[u8]) -> Tree {
    let mut files = MemFs::new();
    files.add_dir(ROOT);
    let mut dir = ROOT.to_string();
    let mut options = BuildOptions::default();
    let mut rest = data;
    if let Some(after) = rest.strip_prefix(b"@ ") {
        let end = after.iter().position(|&b| b == b'\n').unwrap_or(after.len());
        let header = String::from_utf8_lossy(&after[..end]).into_owned();
        let mut words = header.split_whitespace();
        if let Some(d) = words.next() {
            dir = crate::fs::join(ROOT, d.trim_start_matches('/'));
        }
        if words.next() == Some("none") {
            options.load_restrictor = LoadRestrictor::None;
        }
        rest = after.get(end + 1..).unwrap_or(&[]);
    }
    let mut name = "kustomization.yaml".to_string();
    let mut body_start = 0;
    let mut i = 0;
    let mut count = 0;
    let mut flush = |files: &mut MemFs, name: &str, body: &[u8]| {
        if count < MAX_FILES {
            let path = crate::fs::join(ROOT, name.trim_start_matches('/'));
            if path == ROOT {
                return;
            }
            if name.ends_with('/') {
                files.add_dir(&path);
            } else {
                files.insert(&path, body.to_vec());
            }
            count += 1;
        }
    };
    while i < rest.len() {
        let line_end = rest[i..].iter().position(|&b| b == b'\n').map(|p| i + p).unwrap_or(rest.len());
        if rest[i..line_end].starts_with(b"=== ") {
            if i > body_start || body_start > 0 {
                flush(&mut files, &name, &rest[body_start..i]);
            }
            name = String::from_utf8_lossy(&rest[i + 4..line_end]).trim().to_string();
            body_start = (line_end + 1).min(rest.len());
        }
        i = line_end + 1;
    }
    if rest.len() > body_start || body_start > 0 || rest.is_empty() {
        flush(&mut files, &name, rest.get(body_start..).unwrap_or(&[]));
    }
    Tree { files, dir, options }
}

/// Encodes a tree (paths relative to the mount) in the format `decode` reads.
pub fn encode(build_dir: &str, none: bool, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    if build_dir != "." && !build_dir.is_empty() || none {
        out.extend_from_slice(
            format!("@ {}{}\n", if build_dir.is_empty() { "." } else { build_dir }, if none { " none" } else { "" }).as_bytes(),
        );
    }
    for (path, body) in files {
        out.extend_from_slice(format!("=== {}\n", path).as_bytes());
        out.extend_from_slice(body);
        if !body.is_empty() && !body.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}

/// What one fuzz input must satisfy: the build returns (no panic, checked by
/// the caller), its output parses back, and an error names a file.
pub fn check(data: &[u8]) -> Result<(), String> {
    let tree = decode(data);
    match kustomize::render(&tree.files, &tree.dir, &tree.options) {
        Ok(text) => {
            if let Err(e) = crate::yaml::parse_documents("output", &text) {
                return Err(format!("the output does not parse back: {}\n{}", e, text));
            }
            Ok(())
        }
        Err(e) => check_error(&e),
    }
}

/// Every error must name a file and say something.
pub fn check_error(e: &Error) -> Result<(), String> {
    match &e.span {
        Some(span) if !span.file.is_empty() && !e.message.trim().is_empty() => Ok(()),
        _ => Err(format!("error without a file: {:?}", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Files;

    #[test]
    fn decodes_headers_and_files() {
        let t = decode(b"@ app none\n=== app/kustomization.yaml\nresources: [a.yaml]\n=== app/a.yaml\nkind: X\n");
        assert_eq!(t.dir, "/input/app");
        assert_eq!(t.options.load_restrictor, LoadRestrictor::None);
        assert_eq!(t.files.read("/input/app/a.yaml").unwrap().as_ref(), b"kind: X\n");
        let t = decode(b"resources: []\n");
        assert_eq!(t.files.read("/input/kustomization.yaml").unwrap().as_ref(), b"resources: []\n");
        let t = decode(b"");
        assert!(t.files.is_file("/input/kustomization.yaml"));
        let round = encode("app", true, &[("app/kustomization.yaml".into(), b"a: 1".to_vec())]);
        assert_eq!(decode(&round).files.read("/input/app/kustomization.yaml").unwrap().as_ref(), b"a: 1\n");
    }
}
