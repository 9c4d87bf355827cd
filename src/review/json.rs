//! The JSON shape of a review, stable for tools (version 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "unchanged": false,            // true when no environment or cluster changes
//!   "headline": "The change reaches 2 of 4 environments and 2 clusters.",
//!   "targets": [{
//!     "kind": "environment",       // "environment" | "cluster"
//!     "path": "apps/production",   // relative to the repository's root
//!     "outcome": "changed",        // "unchanged" | "changed" | "added" | "removed"
//!                                  // | "starts-failing" | "stops-failing" | "still-failing"
//!     "summary": "1 changed, 0 added, 0 removed",
//!     "before": {"exists": true, "resources": 3},
//!     "after":  {"exists": true, "resources": 3, "error": "…"},   // "error" only when it fails
//!     "counts": {"added": 0, "removed": 0, "changed": 1, "unchanged": 2},
//!     "resources": [ … ],          // as `overlay diff --format json` writes them
//!     "prune": [{                  // clusters only; empty for environments
//!       "owner": "flux-system/apps",
//!       "object": "Deployment/default/redis",
//!       "action": "delete",        // "delete" | "orphan" | "keep" | "move"
//!       "text": "flux-system/apps: Deployment/default/redis deleted"
//!     }]
//!   }]
//! }
//! ```
//!
//! Each entry of `resources` has `status`, `title`, `renamed`, `before`,
//! `after` and `changes` exactly as in the JSON of `overlay diff`
//! (`diff::format::json`); Secret values are `"***"`. Keys may be added in
//! later versions; existing ones keep their meaning.

use super::Review;
use crate::diff::format::{json as diff_json, Labels};
use serde_json::{json, Value};

pub fn to_value(review: &Review) -> Value {
    let targets: Vec<Value> = review
        .targets
        .iter()
        .map(|t| {
            let resources = diff_json::to_value(&t.diff, &Labels::default())["resources"].take();
            json!({
                "kind": t.kind,
                "path": t.path,
                "outcome": t.outcome,
                "summary": t.summary,
                "before": t.before,
                "after": t.after,
                "counts": t.diff.summary(),
                "resources": resources,
                "prune": t.prune,
            })
        })
        .collect();
    json!({
        "version": 1,
        "unchanged": review.is_unchanged(),
        "headline": review.headline(),
        "targets": targets,
    })
}

pub fn render(review: &Review) -> String {
    serde_json::to_string_pretty(&to_value(review)).unwrap_or_default() + "\n"
}
