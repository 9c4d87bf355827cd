//! Golden cases for the patch engines: each directory under
//! tests/golden/patch/ holds a resource, a patch, and what `kubectl kustomize`
//! (Kustomize v5.5.0) printed for them, recorded by
//! tools/record_patch_golden.sh. Outputs are compared as trees: map keys in
//! any order (kubectl sorts them), lists in exact order, scalars by kind and
//! text. A case with expected.err must fail, with a message kubectl's
//! message contains.

use overlay::kustomize::patch::{json6902, parse_patch, smp, PatchKind, Schema};
use overlay::yaml::{emit_documents, parse_documents, Kind, Node, Value};
use std::fs;
use std::path::Path;

/// Structural equality with map keys in any order.
fn same_tree(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        // A null is a null however it was spelled (`~`, empty, `null`).
        // kubectl prints numbers through JSON (1.0 as 1): compare values.
        (Value::Scalar(x), Value::Scalar(y)) => {
            let number = |s: &overlay::yaml::Scalar| match s.kind {
                Kind::Int | Kind::Float => s.text.replace('_', "").parse::<f64>().ok(),
                _ => None,
            };
            x == y || (x.kind == Kind::Null && y.kind == Kind::Null) || (number(x).is_some() && number(x) == number(y))
        }
        (Value::Seq(x), Value::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_tree(p, q)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.iter().any(|(k2, v2)| k.as_str() == k2.as_str() && same_tree(v, v2)))
        }
        _ => false,
    }
}

/// A compact one-line rendering for failure messages, keys sorted.
fn show(n: &Node) -> String {
    match &n.value {
        Value::Scalar(s) => format!("{}:{:?}", s.text, s.kind),
        Value::Seq(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => {
            let mut parts: Vec<String> = entries.iter().map(|(k, v)| format!("{}: {}", k.as_str().unwrap_or("?"), show(v))).collect();
            parts.sort();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Applies the case's patch the way kustomize's PatchTransformer does to
/// each resource it targets (every resource here: cases hold one).
fn run_case(dir: &Path) -> Result<Vec<Node>, String> {
    let read = |f: &str| fs::read_to_string(dir.join(f)).unwrap();
    let resources = parse_documents("resource.yaml", &read("resource.yaml")).map_err(|e| e.to_string())?;
    let patch = parse_patch(&read("patch.yaml"), "patch.yaml").map_err(|e| e.message)?;
    // A case may bring its own OpenAPI schema (kustomize's `openapi:` field),
    // which then stands in for the built-in one.
    let custom = fs::read_to_string(dir.join("openapi.json")).ok().map(|text| {
        let doc = parse_documents("openapi.json", &text).unwrap().remove(0);
        Schema::from_openapi(&doc).unwrap()
    });
    let schema = custom.as_ref().unwrap_or_else(|| Schema::shared());
    let has_target = dir.join("target").exists();
    let id = |n: &Node| (n.get_str("kind").map(str::to_string), n.path(&["metadata", "name"]).and_then(|v| v.as_str()).map(str::to_string));
    let mut out = Vec::new();
    for r in resources {
        match &patch {
            PatchKind::StrategicMerge(patches) => {
                let mut cur = Some(r);
                for p in patches {
                    let Some(target) = cur.take() else { break };
                    // Without a target selector a patch finds its resource by
                    // kind and name.
                    if !has_target && id(p) != id(&target) {
                        cur = Some(target);
                        continue;
                    }
                    // The patch takes the target's apiVersion, as kustomize's
                    // resmap does before merging.
                    let mut p = p.clone();
                    if let Some(v) = target.get("apiVersion").cloned() {
                        p.set("apiVersion", v);
                    }
                    cur = smp::apply_sm_patch(&target, &p, schema, false, false).map_err(|e| e.message)?;
                }
                out.extend(cur);
            }
            PatchKind::Json6902(ops) => {
                let mut r = r;
                json6902::apply(&mut r, ops).map_err(|e| e.message)?;
                out.push(r);
            }
        }
    }
    Ok(out)
}

/// kubectl's error message, out of its log line (`err="..."` or a
/// multi-line `err=<` block).
fn kubectl_message(err: &str) -> String {
    if let Some(i) = err.find("err=\"") {
        let rest = &err[i + 5..];
        let end = rest.rfind('"').unwrap_or(rest.len());
        return rest[..end].replace("\\\"", "\"").replace("\\\\", "\\");
    }
    err.lines().map(|l| l.trim()).collect::<Vec<_>>().join("\n")
}

#[test]
fn patch_golden_cases() {
    // PATCH_GOLDEN_DIR points the test at another set of cases (for exploring).
    let root = match std::env::var("PATCH_GOLDEN_DIR") {
        Ok(d) => Path::new(&d).to_path_buf(),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/patch"),
    };
    let mut dirs: Vec<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no golden cases in {}", root.display());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let got = run_case(dir);
        if let Ok(err) = fs::read_to_string(dir.join("expected.err")) {
            let want = kubectl_message(&err);
            match got {
                Ok(_) => failures.push(format!("{}: expected an error ({}), got success", name, want)),
                Err(msg) if !want.contains(&msg) => failures.push(format!("{}: error\n  ours:    {}\n  kubectl: {}", name, msg, want)),
                Err(_) => {}
            }
            continue;
        }
        let expected = parse_documents("expected.yaml", &fs::read_to_string(dir.join("expected.yaml")).unwrap()).unwrap();
        match got {
            Err(msg) => failures.push(format!("{}: unexpected error: {}", name, msg)),
            Ok(docs) => {
                // kubectl orders resources by kind; that is not the patch
                // engines' business, so documents match in any order.
                let same = docs.len() == expected.len() && docs.iter().all(|a| expected.iter().any(|b| same_tree(a, b)));
                // A single resource must also print exactly as kubectl
                // printed it (several are in kubectl's kind order).
                if same && docs.len() == 1 {
                    let text = fs::read_to_string(dir.join("expected.yaml")).unwrap();
                    let printed = emit_documents(&docs);
                    if printed != text {
                        failures.push(format!("{}: printed output differs\n--- ours\n{}--- kubectl\n{}", name, printed, text));
                    }
                }
                if !same {
                    let render = |d: &[Node]| d.iter().map(show).collect::<Vec<_>>().join("\n---\n");
                    failures.push(format!("{}: output differs\n  ours:     {}\n  expected: {}", name, render(&docs), render(&expected)));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), dirs.len(), failures.join("\n\n"));
}

/// Every golden patch applied to every golden resource: whatever the
/// outcome, no panics.
#[test]
fn cross_applying_cases_never_panics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/patch");
    let (mut targets, mut patches) = (Vec::new(), Vec::new());
    for e in fs::read_dir(&root).unwrap() {
        let dir = e.unwrap().path();
        for (f, docs) in [("resource.yaml", &mut targets), ("patch.yaml", &mut patches)] {
            if let Ok(text) = fs::read_to_string(dir.join(f)) {
                docs.extend(parse_documents(f, &text).unwrap_or_default());
            }
        }
    }
    let schema = Schema::shared();
    for t in &targets {
        for p in &patches {
            if p.is_seq() {
                let mut t = t.clone();
                let _ = json6902::apply(&mut t, p);
            } else {
                let _ = smp::merge(t, p, schema);
            }
        }
    }
}
