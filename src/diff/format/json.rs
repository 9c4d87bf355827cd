//! The JSON shape, stable for tools (version 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "from": "apps/staging", "to": "apps/production",
//!   "equal": false,
//!   "summary": {"added": 0, "removed": 0, "changed": 1, "unchanged": 1},
//!   "resources": [{
//!     "status": "changed",              // "added" | "removed" | "changed"
//!     "title": "Deployment/my-app (staging → production)",
//!     "renamed": false,                 // a generated name whose hash changed
//!     "name": "my-app",                 // the name both sides share without each
//!                                       // environment's own namePrefix/nameSuffix
//!     "before": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "staging", "name": "my-app"},
//!     "after":  {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "production", "name": "my-app"},
//!     "changes": [{
//!       "op": "changed",                // "added" | "removed" | "changed"
//!       "path": "spec.replicas",        // dotted, list items by merge key
//!       "pointer": "/spec/replicas",    // RFC 6901, list items by position
//!       "before": 2, "after": 5         // typed values; absent for added/removed
//!     }]
//!   }]
//! }
//! ```
//!
//! `before`/`after` of a resource are `null` when it is added/removed.
//! Secret values are `"***"`. Keys may be added in later versions; existing
//! ones keep their meaning.

use super::{change_op, Labels};
use crate::diff::value::to_json;
use crate::diff::Diff;
use serde_json::{json, Value};

pub fn to_value(diff: &Diff, labels: &Labels) -> Value {
    let resources: Vec<Value> = diff
        .resources
        .iter()
        .map(|r| {
            let changes: Vec<Value> = r
                .changes
                .iter()
                .map(|c| {
                    let mut v = json!({"op": change_op(c), "path": c.path.to_string(), "pointer": c.path.pointer()});
                    if let Some(b) = &c.before {
                        v["before"] = to_json(b);
                    }
                    if let Some(a) = &c.after {
                        v["after"] = to_json(a);
                    }
                    v
                })
                .collect();
            json!({
                "status": r.status,
                "title": r.title(),
                "renamed": r.renamed(),
                "name": r.name(),
                "before": r.before,
                "after": r.after,
                "changes": changes,
            })
        })
        .collect();
    json!({
        "version": 1,
        "from": labels.from,
        "to": labels.to,
        "equal": diff.is_empty(),
        "summary": diff.summary(),
        "resources": resources,
    })
}

pub fn render(diff: &Diff, labels: &Labels) -> String {
    serde_json::to_string_pretty(&to_value(diff, labels)).unwrap_or_default() + "\n"
}

/// The page's diff (`Workspace.diff`, the promotion's `rendered`): the JSON
/// above with each changed resource's own unified diff as `unified`.
pub fn with_unified(mut value: Value, diff: &Diff, context: usize) -> Value {
    if let Some(items) = value.get_mut("resources").and_then(Value::as_array_mut) {
        for (item, r) in items.iter_mut().zip(&diff.resources) {
            item["unified"] = Value::String(r.unified(context));
        }
    }
    value
}
