//! Promoting named files: a file both overlays have (a `version.yaml`, a
//! values patch) is copied from A to B as it is.

use crate::error::{Error, Result};
use crate::fs::{self, Files};
use crate::kustomize::kustomization::FILE_NAMES;
use std::collections::BTreeMap;

/// Puts A's version of each named file (relative to the overlay
/// directories) into `out`, keyed by its path in B.
pub fn copy_files(
    files: &dyn Files,
    from: &str,
    to: &str,
    names: &[String],
    out: &mut BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<()> {
    for name in names {
        let a_path = fs::join(from, name);
        let b_path = fs::join(to, name);
        if !fs::is_within(&a_path, from) || a_path == from {
            return Err(Error::new(format!("--file {}: name a file inside the overlay, relative to it", name)));
        }
        if FILE_NAMES.contains(&fs::file_name(&a_path)) {
            return Err(Error::new(format!(
                "--file {}: the kustomization itself is not copied (it sets what makes each environment itself); promote its images with --images, or everything with --all",
                name
            )));
        }
        let text = read_text(files, &a_path)?.ok_or_else(|| Error::new(format!("--file {}: {} has no such file", name, from)))?;
        if !files.is_file(&b_path) {
            notes.push(format!("{} is new in {}: reference it from its kustomization if it should take effect", name, to));
        }
        out.insert(b_path, text);
    }
    Ok(())
}

/// A file's text; an error when it is not UTF-8, `None` when missing.
pub fn read_text(files: &dyn Files, path: &str) -> Result<Option<String>> {
    match files.read(path) {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes.into_owned()).map(Some).map_err(|_| Error::in_file(path, "not a UTF-8 text file")),
    }
}

/// The kustomization file of `dir` (kustomize's names, in its order).
pub fn kustomization_file(files: &dyn Files, dir: &str) -> Option<String> {
    FILE_NAMES.iter().map(|name| fs::join(dir, name)).find(|path| files.is_file(path))
}
