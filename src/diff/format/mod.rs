//! The faces of a diff: plain text for terminals (like `flux diff`),
//! Markdown for pull-request comments, JSON for tools.

pub mod json;
pub mod markdown;
pub mod text;

use super::value::inline;
use super::FieldChange;

/// What the two sides are called in headings (`apps/staging`, `apps/production`).
#[derive(Clone, Debug, Default)]
pub struct Labels {
    pub from: String,
    pub to: String,
}

/// `before → after`, `+ added` or `- removed`.
pub fn change_values(c: &FieldChange) -> String {
    match (&c.before, &c.after) {
        (Some(a), Some(b)) => format!("{} → {}", inline(a), inline(b)),
        (None, Some(b)) => format!("+ {}", inline(b)),
        (Some(a), None) => format!("- {}", inline(a)),
        (None, None) => String::new(),
    }
}

/// The op word of a change, for JSON and tables.
pub fn change_op(c: &FieldChange) -> &'static str {
    match (&c.before, &c.after) {
        (Some(_), Some(_)) => "changed",
        (None, _) => "added",
        (_, None) => "removed",
    }
}
