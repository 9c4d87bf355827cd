//! Promotion: environment A into environment B, as a change to B's source
//! files — never to rendered output. The result holds the source change
//! (the pull request: a message, files, a patch `git apply` accepts), the
//! rendered diff of B before → after, and the files as they would be.

pub mod change;
pub mod edit;
pub mod everything;
pub mod files;
pub mod history;
pub mod images;
pub mod keep;
pub mod report;
pub mod sources;
pub mod specific;

pub use change::{revert, Change, FileChange};
pub use history::History;
pub use images::ImageChange;
pub use sources::ImageDifference;
pub use specific::Specific;

use crate::diff::{self, Diff, DiffOptions, IgnoreRule};
use crate::error::{Error, Result};
use crate::fs::{self, Files};
use crate::kustomize::{self, BuildOptions};
use crate::yaml::Node;
use files::{kustomization_file, read_text};

use std::collections::BTreeMap;

/// What to promote.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// B's `images:` entries take A's overrides.
    pub images: bool,
    /// Files (relative to the overlays) copied from A to B.
    pub files: Vec<String>,
    /// B's overlay made to render like A's (then `images` and `files` are moot).
    pub everything: bool,
}

#[derive(Clone, Debug)]
pub struct PromoteOptions {
    pub build: BuildOptions,
    /// How A and B are compared after an `everything` promotion (across
    /// namespaces, with the ignore rules).
    pub diff: DiffOptions,
    /// The repository's top: patch paths and labels are relative to it.
    pub root: String,
    /// What B keeps of its own (`--keep`): a file or directory of the
    /// overlay (`replicas.yml`), a field of its kustomization
    /// (`components`), or a field of its resources (`spec.replicas`, kept
    /// with patches as ignored fields are).
    pub keep: Vec<String>,
    /// Confirms the environment-specific changes of an `everything`
    /// promotion (`--force`, the page's second click).
    pub force: bool,
}

impl Default for PromoteOptions {
    fn default() -> PromoteOptions {
        PromoteOptions {
            build: BuildOptions::default(),
            diff: DiffOptions::default(),
            root: "/".to_string(),
            keep: Vec::new(),
            force: false,
        }
    }
}

/// The outcome of promoting A into B.
#[derive(Clone, Debug)]
pub struct Promotion {
    /// A and B relative to the root (`apps/staging`).
    pub from: String,
    pub to: String,
    /// The source change: message and files before/after.
    pub change: Change,
    /// Image overrides that change in B.
    pub images: Vec<ImageChange>,
    /// For `images`: containers whose images still differ between A and B
    /// afterwards (set by files, not overrides), with where each comes from.
    pub image_differences: Vec<ImageDifference>,
    /// B's render before → after.
    pub rendered: Diff,
    /// For `everything`: how A and B still differ afterwards (what overlay
    /// edits could not express, up to the ignore rules).
    pub remaining: Option<Diff>,
    /// Things worth knowing (new files, files left alone, nothing to do).
    pub notes: Vec<String>,
    /// For `everything`: changes that look specific to B's environment
    /// (see `specific`), which need confirming before they are written.
    pub specific: Vec<Specific>,
    /// Whether the change may be written: nothing environment-specific in
    /// it, or confirmed with `force`.
    pub confirmed: bool,
    root: String,
}

impl Promotion {
    /// Nothing to change: B already has what A has.
    pub fn is_noop(&self) -> bool {
        self.change.is_empty()
    }
    /// A file's path relative to the repository's top, as the patch names it.
    pub fn path_label(&self, path: &str) -> String {
        change::relative_to(path, &self.root)
    }
    /// The pull request's patch, for `git apply`.
    pub fn patch(&self) -> String {
        self.change.patch(&self.root)
    }
    /// The change to write, or why it may not be written: nothing to do,
    /// or environment-specific changes not confirmed (listed in the error).
    pub fn writable(&self) -> Result<&Change> {
        if self.is_noop() {
            let note = self.notes.iter().find(|n| n.contains("nothing to promote") || n.contains("set outside"));
            return Err(Error::new(note.cloned().unwrap_or_else(|| "nothing to promote".to_string())));
        }
        if !self.confirmed {
            let list: Vec<String> = self.specific.iter().map(|s| format!("  - {}", s)).collect();
            return Err(Error::new(format!(
                "not written: {} change(s) look specific to {}; confirm them (--force), or keep them (--keep PATH):\n{}",
                self.specific.len(),
                self.to,
                list.join("\n")
            )));
        }
        Ok(&self.change)
    }
}

/// Promotes overlay `from` (A) into overlay `to` (B), both directories in `files`.
pub fn promote(files: &dyn Files, from: &str, to: &str, what: &Selection, options: &PromoteOptions) -> Result<Promotion> {
    // Nothing chosen: the common promotion, what runs (the images).
    let images_only = Selection { images: true, ..Selection::default() };
    let what = if !what.images && !what.everything && what.files.is_empty() { &images_only } else { what };
    let a_k = kustomization_file(files, from).ok_or_else(|| Error::new(format!("{} is not a kustomization directory", from)))?;
    let b_k = kustomization_file(files, to).ok_or_else(|| Error::new(format!("{} is not a kustomization directory", to)))?;
    if from == to {
        return Err(Error::new("promoting an environment into itself changes nothing; name two environments"));
    }
    let label = |p: &str| change::relative_to(p, &options.root);
    let (keep, keep_rules) = resolve_keep(files, from, to, &a_k, &b_k, &options.keep)?;
    let mut notes = Vec::new();
    let mut new_texts: BTreeMap<String, String> = BTreeMap::new();
    let mut image_changes = Vec::new();

    let before_build = build(files, to, &options.build)?;
    let before = before_build.nodes();
    if what.everything {
        everything::plan(files, from, to, &keep, &mut new_texts, &mut notes)?;
        let rules: Vec<IgnoreRule> = options.diff.ignore.iter().chain(&keep_rules).cloned().collect();
        if !rules.is_empty() {
            // B's patches see names before B's own prefix and suffix.
            let targets: Vec<String> = before_build.iter().map(|r| diff::matching::stem(r, &|f| f == b_k)).collect();
            keep_ignored(files, to, &b_k, (&before, &targets), &mut new_texts, &mut notes, &rules, options)?;
        }
    } else {
        if what.images {
            let a_text = read_text(files, &a_k)?.unwrap_or_default();
            let b_text = read_text(files, &b_k)?.unwrap_or_default();
            let (text, changes) = images::promote_images(&a_k, &a_text, &b_k, &b_text)?;
            if a_text.is_empty() || !has_images(&a_k, &a_text) {
                notes.push(format!("{} overrides no images", label(from)));
            }
            new_texts.insert(b_k.clone(), text);
            image_changes = changes;
        }
        let (kept, copied): (Vec<String>, Vec<String>) = what.files.iter().cloned().partition(|f| {
            keep.files.iter().any(|k| fs::join(from, f) == fs::join(from, k) || fs::is_within(&fs::join(from, f), &fs::join(from, k)))
        });
        for f in kept {
            notes.push(format!("{} is kept as it is (--keep)", f));
        }
        files::copy_files(files, from, to, &copied, &mut new_texts, &mut notes)?;
    }

    let file_changes = changes_of(files, new_texts)?;
    let message = message(&label(from), &label(to), what, &image_changes, &file_changes, &options.root);
    let change = Change { message, files: file_changes };

    let after_fs = files_after(files, &change.files);
    let after_build = build(&after_fs, to, &options.build)
        .map_err(|e| Error { message: format!("after the promotion {} would not build: {}", label(to), e.message), span: e.span })?;
    let after = after_build.nodes();
    let same_env = DiffOptions { across_namespaces: false, ignore: Vec::new(), context: options.diff.context };
    let rendered = diff::diff(&before, &after, &same_env);
    let a_build = if what.everything || what.images { Some(build(files, from, &options.build)?) } else { None };
    let remaining = match &a_build {
        Some(a) if what.everything => Some(diff::compare_resmaps(a, &after_build, &options.diff).diff),
        _ => None,
    };
    let mut specific = Vec::new();
    if what.everything {
        if let Some(f) = change.files.iter().find(|f| f.path == b_k) {
            specific.extend(specific::references(&b_k, &label(&b_k), f.before.as_deref().unwrap_or(""), f.after.as_deref().unwrap_or("")));
        }
        specific.extend(specific::rendered(&rendered));
    }
    let confirmed = specific.is_empty() || options.force;
    if !confirmed {
        notes.push(format!(
            "{} change(s) look specific to {} and are not written without confirmation (--force); or keep them (--keep PATH)",
            specific.len(),
            label(to)
        ));
    }
    let mut image_differences = Vec::new();
    if let (Some(a), true, false) = (&a_build, what.images, what.everything) {
        image_differences = sources::image_differences(&after_fs, from, a, to, &after_build, &options.root);
    }
    if !image_differences.is_empty() {
        // The truth about images: an empty change does not mean B runs A's images.
        notes.push(format!(
            "{} image(s) of {} differ from {}{} and are set outside the `images:` overrides that promoting images carries:",
            image_differences.len(),
            label(to),
            label(from),
            if change.is_empty() { "" } else { " after this promotion" }
        ));
        notes.extend(sources::advice(files, &image_differences, from, to, &options.root));
    } else if change.is_empty() {
        notes.push(format!("{} already has what {} has: nothing to promote", label(to), label(from)));
    }

    Ok(Promotion {
        from: label(from),
        to: label(to),
        change,
        images: image_changes,
        image_differences,
        rendered,
        remaining,
        notes,
        specific,
        confirmed,
        root: options.root.clone(),
    })
}

/// The files whose text would change.
fn changes_of(files: &dyn Files, new_texts: BTreeMap<String, String>) -> Result<Vec<FileChange>> {
    let mut out = Vec::new();
    for (path, after) in new_texts {
        let before = read_text(files, &path)?;
        if before.as_deref() != Some(after.as_str()) {
            out.push(FileChange { path, before, after: Some(after) });
        }
    }
    Ok(out)
}

/// For `everything` with ignore rules: B keeps its own values of the
/// ignored fields, through patches added to its kustomization. When those
/// patches would not build, B's values are not kept and a note says so.
#[allow(clippy::too_many_arguments)]
fn keep_ignored(
    files: &dyn Files,
    to: &str,
    b_k: &str,
    (before, targets): (&[Node], &[String]),
    new_texts: &mut BTreeMap<String, String>,
    notes: &mut Vec<String>,
    rules: &[IgnoreRule],
    options: &PromoteOptions,
) -> Result<()> {
    let planned = changes_of(files, new_texts.clone())?;
    let Ok(after) = render(&files_after(files, &planned), to, &options.build) else { return Ok(()) };
    let keep = keep::ignored_changes(before, &after, rules, Some(targets));
    if keep.is_empty() {
        return Ok(());
    }
    let current = match new_texts.get(b_k) {
        Some(t) => t.clone(),
        None => read_text(files, b_k)?.unwrap_or_default(),
    };
    let text = match keep::add_patches(b_k, &current, &keep) {
        Ok(t) => t,
        Err(e) => {
            notes.push(format!("ignored fields not kept: {}", e.message));
            return Ok(());
        }
    };
    let mut trial = new_texts.clone();
    trial.insert(b_k.to_string(), text);
    // The patches must build and must take effect (a target that names
    // nothing would be silently skipped).
    match render(&files_after(files, &changes_of(files, trial.clone())?), to, &options.build) {
        Err(_) => {
            notes.push("ignored fields not kept: the patches that would keep them do not build".to_string());
            return Ok(());
        }
        Ok(kept) if !keep::ignored_changes(before, &kept, rules, None).is_empty() => {
            notes.push("ignored fields not kept: the patches that would keep them do not reach every field".to_string());
            return Ok(());
        }
        Ok(_) => {}
    }
    let fields: usize = keep.iter().map(|k| k.ops.len()).sum();
    notes.push(format!("kept {} ignored field(s) of {} resource(s) with patches in {}", fields, keep.len(), fs::file_name(b_k)));
    *new_texts = trial;
    Ok(())
}

/// Sorts `--keep` paths: a file or directory of either overlay, else a
/// top-level field of either kustomization, else a field path of the
/// resources (as `--ignore` writes them).
fn resolve_keep(
    files: &dyn Files,
    from: &str,
    to: &str,
    a_k: &str,
    b_k: &str,
    paths: &[String],
) -> Result<(everything::Keep, Vec<IgnoreRule>)> {
    let mut keep = everything::Keep::default();
    let mut rules = Vec::new();
    let doc = |k: &str| read_text(files, k).ok().flatten().and_then(|t| crate::yaml::parse_single(k, &t).ok().flatten());
    let (a_doc, b_doc) = (doc(a_k), doc(b_k));
    for p in paths {
        let rel = p.trim_start_matches("./").trim_end_matches('/');
        let inside = |dir: &str| {
            let path = fs::join(dir, rel);
            path != dir && fs::is_within(&path, dir) && (files.is_file(&path) || files.is_dir(&path))
        };
        if !rel.is_empty() && (inside(from) || inside(to)) {
            keep.files.push(rel.to_string());
        } else if [".yaml", ".yml", ".json", ".env"].iter().any(|e| rel.ends_with(e)) {
            return Err(Error::new(format!(
                "--keep {}: neither {} nor {} has this file",
                p,
                change::relative_to(from, "/"),
                change::relative_to(to, "/")
            )));
        } else if [&a_doc, &b_doc].iter().any(|d| d.as_ref().is_some_and(|d| d.get(rel).is_some())) {
            keep.fields.push(rel.to_string());
        } else {
            let rule = IgnoreRule::parse(rel).map_err(|e| {
                Error::new(format!(
                    "--keep {}: not a file of either overlay nor a field of their kustomizations, and not a field path: {}",
                    p, e
                ))
            })?;
            rules.push(rule);
        }
    }
    Ok((keep, rules))
}

fn has_images(file: &str, text: &str) -> bool {
    crate::yaml::parse_single(file, text)
        .ok()
        .flatten()
        .and_then(|d| d.get("images").cloned())
        .is_some_and(|n| n.as_seq().is_some_and(|s| !s.is_empty()))
}

fn render(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<Vec<Node>> {
    Ok(build(files, dir, options)?.nodes())
}

fn build(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<kustomize::resmap::ResMap> {
    Ok(kustomize::build(files, dir, options)?.resources)
}

/// A commit message: a subject line, then what changed.
fn message(from: &str, to: &str, what: &Selection, images: &[ImageChange], files: &[FileChange], root: &str) -> String {
    let scope = if what.everything {
        "everything".to_string()
    } else {
        let mut parts = Vec::new();
        if what.images {
            parts.push("images".to_string());
        }
        parts.extend(what.files.iter().cloned());
        parts.join(", ")
    };
    let mut m = format!("Promote {} from {} to {}\n", scope, from, to);
    if !images.is_empty() || !files.is_empty() {
        m.push('\n');
    }
    for i in images {
        match &i.before {
            Some(b) => m.push_str(&format!("- {}: {} → {}\n", i.name, b, i.after)),
            None => m.push_str(&format!("- {} → {} (new override)\n", i.name, i.after)),
        }
    }
    for f in files {
        m.push_str(&format!("- {}\n", change::relative_to(&f.path, root)));
    }
    m
}

/// The files as they would be after `changes`, without writing anything.
pub fn files_after<'a>(files: &'a dyn Files, changes: &[FileChange]) -> crate::fs::Overlay<'a> {
    let mut o = crate::fs::Overlay::new(files);
    for c in changes {
        match &c.after {
            Some(text) => o.insert(&c.path, text.as_bytes()),
            None => o.hide(&c.path),
        }
    }
    o
}
