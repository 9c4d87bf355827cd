//! The terminal view: one line per environment and cluster with its
//! summary, then, under the ones the change reaches, a `►` line per
//! resource (as `flux diff` prints) with its field changes, the error and
//! what Flux prunes.

use super::{Kind, Review};
use crate::diff::format::change_values;
use crate::diff::Status;

pub fn render(review: &Review) -> String {
    let mut out = format!("{}\n\n", review.headline());
    let mut after_block = false;
    for t in &review.targets {
        let kind = match t.kind {
            Kind::Environment => "environment",
            Kind::Cluster => "cluster",
        };
        // Unchanged ones one line each; a blank line sets off the others.
        if after_block {
            out.push('\n');
        }
        after_block = !t.is_unchanged();
        out.push_str(&format!("{} {}: {}\n", kind, t.path, t.summary));
        if t.is_unchanged() {
            continue;
        }
        for (label, side) in [("before", &t.before), ("after", &t.after)] {
            if let Some(e) = &side.error {
                out.push_str(&format!("  error {}: {}\n", label, indent_rest(e)));
            }
        }
        for r in &t.diff.resources {
            let word = if r.renamed() { "renamed" } else { r.status.word() };
            out.push_str(&format!("  ► {} {}\n", r.title(), word));
            if r.status == Status::Changed {
                for c in &r.changes {
                    out.push_str(&format!("      {}: {}\n", c.path, change_values(c)));
                }
            }
        }
        for p in &t.prune {
            out.push_str(&format!("  prune: {}\n", p.text));
        }
    }
    out
}

/// A message of several lines, its later lines indented under the first.
fn indent_rest(text: &str) -> String {
    text.trim_end().replace('\n', "\n    ")
}
