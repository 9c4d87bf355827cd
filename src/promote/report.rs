//! A promotion's faces: the terminal text (the commit message as `#`
//! lines, the patch, B's rendered change — `git apply` reads the whole of
//! it), the pull-request description in Markdown, and JSON.

use super::Promotion;
use crate::diff::format::{json as diff_json, markdown as diff_markdown, text as diff_text, Labels};
use crate::fs::Files;

pub fn text(p: &Promotion) -> String {
    let labels = Labels { from: format!("{} (before)", p.to), to: format!("{} (after)", p.to) };
    let mut out = String::new();
    for line in p.change.message.lines() {
        out.push_str(&format!("# {}\n", line).replace("# \n", "#\n"));
    }
    for n in &p.notes {
        out.push_str(&format!("# note: {}\n", n));
    }
    if !p.specific.is_empty() {
        out.push_str(&format!(
            "#\n# Looks specific to {} ({}):\n",
            p.to,
            if p.confirmed { "confirmed with --force" } else { "not written without --force" }
        ));
        for s in &p.specific {
            out.push_str(&format!("#   - {}\n", s));
        }
    }
    if !p.is_noop() {
        out.push('\n');
        out.push_str(&p.patch());
        out.push_str(&format!("\n# Rendered change of {}\n", p.to));
        out.push_str(&diff_text::render(&p.rendered, &labels));
    }
    if let Some(rest) = &p.remaining {
        out.push_str(&format!("\n# Still different between {} and {} after the promotion\n", p.from, p.to));
        out.push_str(&diff_text::render(rest, &Labels { from: p.from.clone(), to: p.to.clone() }));
    }
    out
}

pub fn markdown(p: &Promotion, context: usize) -> String {
    let mut lines = p.change.message.lines();
    let mut out = format!("## {}\n\n", lines.next().unwrap_or(""));
    for l in lines.skip_while(|l| l.trim().is_empty()) {
        out.push_str(l);
        out.push('\n');
    }
    for n in &p.notes {
        out.push_str(&format!("> {}\n", n));
    }
    if !p.specific.is_empty() {
        out.push_str(&format!("\n**Looks specific to {}** ({}):\n\n", p.to, if p.confirmed { "confirmed" } else { "needs confirmation" }));
        for s in &p.specific {
            out.push_str(&format!("- {}: `{}`: {}\n", s.check, s.at, s.change));
        }
    }
    if !p.is_noop() {
        out.push_str(&format!(
            "\n<details><summary>Source change ({} file(s))</summary>\n\n````diff\n{}````\n\n</details>\n\n",
            p.change.files.len(),
            p.patch()
        ));
        let labels = Labels { from: format!("{} (before)", p.to), to: format!("{} (after)", p.to) };
        out.push_str(&diff_markdown::render(&p.rendered, &labels, context));
    }
    if let Some(rest) = &p.remaining {
        out.push_str(&diff_markdown::render(rest, &Labels { from: p.from.clone(), to: format!("{} after the promotion", p.to) }, context));
    }
    out
}

/// The JSON shape (`overlay promote --format json`), version 1: `from`, `to`, `noop`,
/// `message`, `files` (`path` relative to the repository, `before`/`after`
/// contents or null), `patch`, `images` (`name`, `before`, `after`),
/// `imageDifferences` (`resource`, `container`, `from`/`to`: `image` and
/// `sources`, `file:line` each — containers whose images still differ,
/// set outside `images:` overrides), `rendered` and `remaining` (diffs in
/// the shape of `overlay diff --format json`; `remaining` is null unless
/// `--all`), `notes`, `specific` (`check`, `at`, `change`: what an `--all`
/// promotion changes that looks environment-specific) and `confirmed`
/// (false while such changes wait for `--force`).
pub fn json(p: &Promotion) -> serde_json::Value {
    let files: Vec<serde_json::Value> =
        p.change.files.iter().map(|f| serde_json::json!({"path": p.path_label(&f.path), "before": f.before, "after": f.after})).collect();
    let labels = Labels { from: format!("{} (before)", p.to), to: format!("{} (after)", p.to) };
    serde_json::json!({
        "version": 1,
        "from": p.from,
        "to": p.to,
        "noop": p.is_noop(),
        "message": p.change.message,
        "files": files,
        "patch": p.patch(),
        "images": p.images,
        "imageDifferences": p.image_differences,
        "specific": p.specific,
        "confirmed": p.confirmed,
        "rendered": diff_json::to_value(&p.rendered, &labels),
        "remaining": p.remaining.as_ref().map(|d| diff_json::to_value(d, &Labels { from: p.from.clone(), to: p.to.clone() })),
        "notes": p.notes,
    })
}

/// The page's promotion (`Workspace.promote`): `json` with each diff's
/// resources carrying their own `unified` diff, and with `prune` what Flux
/// would prune in each cluster once the promotion lands:
/// `prune: [{cluster, ok, entries | errors}]`.
pub fn detailed(p: &Promotion, files: &dyn Files, context: usize, prune: bool) -> serde_json::Value {
    let mut v = json(p);
    v["rendered"] = diff_json::with_unified(v["rendered"].take(), &p.rendered, context);
    if let Some(rest) = &p.remaining {
        v["remaining"] = diff_json::with_unified(v["remaining"].take(), rest, context);
    }
    if prune {
        let after = super::files_after(files, &p.change.files);
        let clusters: Vec<serde_json::Value> = crate::flux::prune::between_all(files, &after, "/", &crate::flux::cluster::Options::default())
            .into_iter()
            .map(|(dir, result)| match result {
                Ok(entries) => serde_json::json!({"cluster": dir, "ok": true, "entries": entries.iter().map(crate::flux::prune::Entry::info).collect::<Vec<_>>()}),
                Err(e) => serde_json::json!({"cluster": dir, "ok": false, "errors": [crate::error::ErrorInfo::from(&e)]}),
            })
            .collect();
        v["prune"] = serde_json::Value::Array(clusters);
    }
    v
}
