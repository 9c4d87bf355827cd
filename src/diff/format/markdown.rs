//! The pull-request comment: a summary table, then one collapsible
//! `<details>` section per resource with its field changes and YAML diff.
//! Split into parts that each fit a comment (GitHub refuses more than
//! 65,536 characters).

use super::{change_op, change_values, Labels};
use crate::diff::value::inline;
use crate::diff::{Diff, ResourceDiff, Status};

/// Comfortably under GitHub's 65,536-character comment limit.
pub const PART_LIMIT: usize = 65_000;
/// Room kept in each part for its "part i of n" line.
const PART_HEADER: usize = 100;
/// One resource's YAML diff longer than this is cut.
const MAX_YAML_DIFF: usize = 20_000;

/// The whole comment as one string (for files and terminals).
pub fn render(diff: &Diff, labels: &Labels, context: usize) -> String {
    blocks(diff, labels, context).concat()
}

/// The comment split into parts of at most `limit` characters each.
pub fn render_parts(diff: &Diff, labels: &Labels, context: usize, limit: usize) -> Vec<String> {
    let budget = limit.saturating_sub(PART_HEADER).max(1000);
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for block in blocks(diff, labels, context) {
        let block = if block.len() > budget { truncate(&block, budget) } else { block };
        if !current.is_empty() && current.len() + block.len() > budget {
            parts.push(std::mem::take(&mut current));
        }
        current.push_str(&block);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    let n = parts.len();
    if n > 1 {
        for (i, p) in parts.iter_mut().enumerate() {
            p.insert_str(0, &format!("_Part {} of {}_\n\n", i + 1, n));
        }
    }
    parts
}

/// A block too long for one comment, cut with a note (and its code fence
/// closed); `overlay review` cuts its blocks the same way.
pub fn truncate(block: &str, budget: usize) -> String {
    let note = "\n\n_… cut here: too long for one comment; run `overlay diff` for all of it._\n\n</details>\n\n";
    let mut end = budget.saturating_sub(note.len() + 10);
    while !block.is_char_boundary(end) {
        end -= 1;
    }
    // Close an open code fence so the rest of the comment renders.
    let head = &block[..end];
    let fence = if head.matches("\n````").count() % 2 == 1 { "\n````" } else { "" };
    format!("{}{}{}", head, fence, note)
}

/// The comment as blocks that must not be split: heading, table chunks,
/// one block per resource.
fn blocks(diff: &Diff, labels: &Labels, context: usize) -> Vec<String> {
    let s = diff.summary();
    let mut out = vec![format!("### `{}` → `{}`\n\n", labels.from, labels.to)];
    if diff.is_empty() {
        out.push(format!("No differences ({} resources render the same).\n", s.unchanged));
        return out;
    }
    out.push(format!("**{} changed** · **{} added** · **{} removed** · {} unchanged\n\n", s.changed, s.added, s.removed, s.unchanged));
    let header = "| | Resource | Change |\n|---|---|---|\n";
    let mut chunk = String::from(header);
    for r in &diff.resources {
        let (mark, what) = match r.status {
            Status::Added => ("➕", "added".to_string()),
            Status::Removed => ("➖", "removed".to_string()),
            Status::Changed if r.renamed() => ("🔁", format!("renamed, {} fields", r.changes.len())),
            Status::Changed => ("✏️", plural(r.changes.len(), "field")),
        };
        chunk.push_str(&format!("| {} | {} | {} |\n", mark, code(&r.title()), what));
        if chunk.len() > PART_LIMIT / 4 {
            out.push(std::mem::take(&mut chunk) + "\n");
            chunk.push_str(header);
        }
    }
    if chunk.len() > header.len() {
        out.push(chunk + "\n");
    }
    for r in &diff.resources {
        out.push(details(r, context));
    }
    out
}

/// One resource's collapsible section: its field changes and YAML diff.
pub fn details(r: &ResourceDiff, context: usize) -> String {
    let word = if r.renamed() { "renamed" } else { r.status.word() };
    let mut out = format!("<details><summary>{} {}</summary>\n\n", code(&r.title()), word);
    if !r.changes.is_empty() {
        out.push_str("| Field | Change |\n|---|---|\n");
        for c in &r.changes {
            let values = match change_op(c) {
                "changed" => format!("{} → {}", code(&inline(c.before.as_ref().unwrap())), code(&inline(c.after.as_ref().unwrap()))),
                _ => code(&change_values(c)),
            };
            out.push_str(&format!("| {} | {} |\n", code(&c.path.to_string()), values));
        }
        out.push('\n');
    }
    let mut yaml = r.unified(context);
    if yaml.len() > MAX_YAML_DIFF {
        let mut end = MAX_YAML_DIFF;
        while !yaml.is_char_boundary(end) {
            end -= 1;
        }
        yaml.truncate(end);
        yaml.push_str("\n… (cut)\n");
    }
    if !yaml.is_empty() {
        out.push_str(&format!("````diff\n{}````\n\n", yaml));
    }
    out.push_str("</details>\n\n");
    out
}

/// Inline code that survives table cells and any content.
pub fn code(s: &str) -> String {
    let escaped = s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('|', "&#124;");
    format!("<code>{}</code>", escaped)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {}", word)
    } else {
        format!("{} {}s", n, word)
    }
}
