//! The pull-request comment: a headline, a summary table of every
//! environment and cluster × changed/added/removed, then one collapsible
//! `<details>` section per environment the change reaches, holding its
//! error, what Flux prunes and one nested section per resource (as
//! `overlay diff --format markdown` writes them). Split into parts that
//! each fit a comment; an environment cut between two parts is closed at
//! the end of one and reopened, marked "continued", in the next.

use super::{Kind, Outcome, Review, Target};
pub use crate::diff::format::markdown::PART_LIMIT;
use crate::diff::format::markdown::{code, details, truncate};

/// The marker CI looks for to find the comment it wrote before.
pub const MARKER: &str = "<!-- overlay-review -->";
/// Room kept in each part for its "part i of n" line and the marker.
const PART_HEADER: usize = 100;

/// The whole comment as one string.
pub fn render(review: &Review, context: usize) -> String {
    render_parts(review, context, usize::MAX / 2).concat()
}

/// The comment in parts of at most `limit` characters each (`PART_LIMIT`
/// for GitHub), each starting with `MARKER`.
pub fn render_parts(review: &Review, context: usize, limit: usize) -> Vec<String> {
    let budget = limit.saturating_sub(PART_HEADER).max(2000);
    let mut parts: Vec<String> = Vec::new();
    let mut current = head(review);
    for t in review.targets.iter().filter(|t| !t.is_unchanged()) {
        let open = |more: bool| {
            format!(
                "<details><summary>{} {} {}{}: {}</summary>\n\n",
                mark(t),
                kind(t),
                code(&t.path),
                if more { " (continued)" } else { "" },
                escape(&t.summary)
            )
        };
        let close = "</details>\n\n";
        let mut blocks = vec![open(false)];
        blocks.extend(body(t, context));
        let mut first = true;
        for block in blocks {
            let reserve = close.len();
            let block = if block.len() + reserve > budget / 2 { truncate(&block, budget / 2) } else { block };
            if !first && current.len() + block.len() + reserve > budget {
                current.push_str(close);
                parts.push(std::mem::take(&mut current));
                current.push_str(&open(true));
            } else if first && current.len() + block.len() + reserve > budget && !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            current.push_str(&block);
            first = false;
        }
        current.push_str(close);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    let n = parts.len();
    for (i, p) in parts.iter_mut().enumerate() {
        let part = if n > 1 { format!("_Part {} of {}_\n\n", i + 1, n) } else { String::new() };
        p.insert_str(0, &format!("{}\n{}", MARKER, part));
    }
    parts
}

/// The split the CLI prints between comments.
pub const SEPARATOR: &str = "\n<!-- overlay: next comment -->\n";

pub fn mark(t: &Target) -> &'static str {
    match t.outcome {
        Outcome::Unchanged => "⚪",
        Outcome::Changed => "✏️",
        Outcome::Added => "➕",
        Outcome::Removed => "➖",
        Outcome::StartsFailing => "❌",
        Outcome::StopsFailing => "✅",
        Outcome::StillFailing => "⚠️",
    }
}

fn kind(t: &Target) -> &'static str {
    match t.kind {
        Kind::Environment => "environment",
        Kind::Cluster => "cluster",
    }
}

/// Text for Markdown outside code: what could open a tag or a table cell
/// is escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('|', "&#124;").replace('\n', " ")
}

fn head(review: &Review) -> String {
    let mut out = format!("### Overlay review\n\n{}\n\n", review.headline());
    out.push_str("| | Environment / cluster | Changed | Added | Removed | Summary |\n|---|---|--:|--:|--:|---|\n");
    for t in &review.targets {
        let s = t.diff.summary();
        out.push_str(&format!(
            "| {} | {} {} | {} | {} | {} | {} |\n",
            mark(t),
            kind(t),
            code(&t.path),
            s.changed,
            s.added,
            s.removed,
            escape(&t.summary)
        ));
    }
    out.push('\n');
    out
}

/// An environment's blocks: its errors, what Flux prunes, its resources.
fn body(t: &Target, context: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (label, side) in [("Before", &t.before), ("After", &t.after)] {
        if let Some(e) = &side.error {
            out.push(format!(
                "**{} the change it fails to build:**\n\n````text\n{}\n````\n\n",
                label,
                e.trim_end().replace("````", "` ` ` `")
            ));
        }
    }
    if !t.prune.is_empty() {
        let mut block = String::from("**What Flux prunes:**\n\n");
        for p in &t.prune {
            block.push_str(&format!("- {}\n", code(&p.text)));
        }
        block.push('\n');
        out.push(block);
    }
    for r in &t.diff.resources {
        out.push(details(r, context));
    }
    out
}
