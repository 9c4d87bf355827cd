//! The terminal view: one `►` line per resource, as `flux diff` prints,
//! with its field changes indented under it.

use super::{change_values, Labels};
use crate::diff::{Diff, Status};

pub fn render(diff: &Diff, labels: &Labels) -> String {
    let mut out = String::new();
    for r in &diff.resources {
        let word = if r.renamed() { "renamed" } else { r.status.word() };
        out.push_str(&format!("► {} {}\n", r.title(), word));
        if r.status == Status::Changed {
            for c in &r.changes {
                out.push_str(&format!("    {}: {}\n", c.path, change_values(c)));
            }
        }
    }
    let s = diff.summary();
    if diff.is_empty() {
        out.push_str(&format!("{} and {} render the same ({} resources)\n", labels.from, labels.to, s.unchanged));
    } else {
        out.push_str(&format!("{} changed, {} added, {} removed, {} unchanged\n", s.changed, s.added, s.removed, s.unchanged));
    }
    out
}
