//! Explanations as text and JSON. `shown` turns an engine path (absolute in
//! the file system) into what the user sees (relative to where they are).

use super::chain::{short, Entry, Step};
use super::FromEnv;
use serde_json::{json, Value};

fn place(s: &Step, shown: &dyn Fn(&str) -> String) -> String {
    span(&s.place, shown)
}

fn span(at: &crate::yaml::Span, shown: &dyn Fn(&str) -> String) -> String {
    let file = shown(&at.file);
    if at.has_position() {
        format!("{}:{}:{}", file, at.line, at.col)
    } else {
        file
    }
}

/// The detail, with where the value was read when it was copied.
fn detail(s: &Step, shown: &dyn Fn(&str) -> String) -> String {
    match &s.from {
        Some(f) => format!("{} from {}", s.detail, span(f, shown)),
        None => s.detail.clone(),
    }
}

impl Step {
    fn file_name(&self) -> String {
        self.place.file.to_string()
    }
}

/// `path: value`, then one line per step, newest first. A header names the
/// resource each time it changes.
pub fn text(entries: &[Entry], shown: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for e in entries {
        if current != Some(e.resource.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("# {}\n", e.resource));
            current = Some(&e.resource);
        }
        out.push_str(&format!("{}: {}\n", e.path, short(&e.value)));
        for s in &e.steps {
            out.push_str(&format!("  {}  {}\n", place(s, shown), detail(s, shown)));
        }
    }
    out
}

fn step_json(s: &Step, shown: &dyn Fn(&str) -> String) -> Value {
    let mut v = json!({
        "file": shown(&s.file_name()),
        "line": s.place.line,
        "column": s.place.col,
        "kind": s.kind,
        "detail": s.detail,
    });
    if let Some(f) = &s.from {
        v["from"] = json!({ "file": shown(&f.file), "line": f.line, "column": f.col });
    }
    v
}

/// The `--format json` list the module documents.
pub fn json(entries: &[Entry], shown: &dyn Fn(&str) -> String) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|e| {
                json!({
                    "resource": e.resource,
                    "path": e.path,
                    "value": e.value,
                    "steps": e.steps.iter().map(|s| step_json(s, shown)).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// One line per environment and landing: `apps/production: overridden by
/// apps/production/my-app-patch.yaml:6:13 (strategic-merge patch sets 5) at
/// Deployment/my-app spec.replicas`.
pub fn from_text(envs: &[FromEnv], shown: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    for env in envs {
        let name = shown(&env.environment);
        if let Some(e) = &env.error {
            out.push_str(&format!("{}: does not build: {}\n", name, e.message));
            continue;
        }
        if env.landings.is_empty() {
            out.push_str(&format!("{}: not used\n", name));
        }
        for l in &env.landings {
            let what = match l.verdict {
                super::Verdict::Reaches => "reaches the output".to_string(),
                super::Verdict::Overridden => format!("overridden by {} ({})", place(&l.by[0], shown), detail(&l.by[0], shown)),
                super::Verdict::Changed => {
                    let steps: Vec<String> = l.by.iter().map(|s| format!("{} ({})", place(s, shown), detail(s, shown))).collect();
                    format!("changed on the way by {}", steps.join(", "))
                }
            };
            let value = if l.value.is_empty() { String::new() } else { format!(" = {}", short(&l.value)) };
            out.push_str(&format!("{}: {} at {} {}{}\n", name, what, l.resource, l.path, value));
        }
    }
    out
}

pub fn from_json(envs: &[FromEnv], shown: &dyn Fn(&str) -> String) -> Value {
    Value::Array(
        envs.iter()
            .map(|env| {
                let mut v = json!({
                    "environment": shown(&env.environment),
                    "landings": env.landings.iter().map(|l| json!({
                        "resource": l.resource,
                        "path": l.path,
                        "value": l.value,
                        "verdict": l.verdict.word(),
                        "by": l.by.iter().map(|s| step_json(s, shown)).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                });
                if let Some(e) = &env.error {
                    v["error"] = Value::String(e.to_string());
                }
                v
            })
            .collect(),
    )
}
