//! "Make a lesson from this workspace": the tree as a lesson file to fill
//! in (a level builder). The start tree is the workspace; the checks are a
//! `build_ok` per environment, to be replaced by the author's own.

use crate::fs::Files;

/// A lesson file whose `start` is every file of `tree` (`/`-rooted).
pub fn skeleton(tree: &dyn Files, id: &str) -> String {
    let mut out = format!("id: {}\ntitle: \"TODO: what the learner fixes\"\nintro: |\n  TODO: the mistake this start tree shows, and the goal (markdown).\nmode: kustomize\nstart:\n", id);
    let mut paths = std::collections::BTreeSet::new();
    super::check::list_all(tree, "/", &mut paths, 0);
    for path in &paths {
        let text = tree.read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        out.push_str(&format!("  {}: {}", quoted(path.trim_start_matches('/')), scalar(&text, 4)));
    }
    out.push_str("editable: [\"**\"]\nchecks:\n");
    let envs = crate::env::environments(tree);
    if envs.is_empty() {
        out.push_str("- build_ok: .\n");
    }
    for e in envs {
        out.push_str(&format!("- build_ok: {}\n", quoted(e.path.trim_start_matches('/'))));
    }
    out.push_str("hints:\n- \"TODO: a first nudge\"\nsolution: {}\n");
    out
}

/// A double-quoted YAML string: safe for any path.
fn quoted(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            c if (c as u32) < 0x20 => q.push_str(&format!("\\x{:02x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// File content as a block scalar when it reads back exactly as one, or
/// else as a double-quoted string.
fn scalar(text: &str, indent: usize) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let plain_lines = !text.contains('\r') && !text.contains('\t') && lines.iter().all(|l| !l.ends_with(' '));
    let starts_ok = !text.starts_with(' ') && !text.starts_with('\n');
    if !text.is_empty() && plain_lines && starts_ok {
        // `|` keeps one final newline, `|-` none, `|+` all of them.
        let chomp = if !text.ends_with('\n') {
            "-"
        } else if text.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        let body = text.strip_suffix('\n').unwrap_or(text);
        let pad = " ".repeat(indent);
        let mut out = format!("|{}\n", chomp);
        for l in body.split('\n') {
            if l.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&pad);
                out.push_str(l);
                out.push('\n');
            }
        }
        return out;
    }
    format!("{}\n", quoted(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    #[test]
    fn the_exported_lesson_reads_back_the_same_tree() {
        let mut fs = MemFs::new();
        fs.insert("/base/kustomization.yaml", "resources: [cm.yaml]\n");
        fs.insert("/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"x \"\n\n  b: y\n");
        fs.insert("/prod/kustomization.yaml", "resources: [../base]\nnamePrefix: p-");
        fs.insert("/prod/notes.txt", "  indented\ttab \n\n\n");
        fs.insert("/prod/blank.txt", "");
        let text = skeleton(&fs, "from-workspace");
        let lesson = super::super::parse("/l.yaml", &text).unwrap_or_else(|e| panic!("{}\n{}", e, text));
        let tree = super::super::tree(&lesson, false);
        for p in ["/base/kustomization.yaml", "/base/cm.yaml", "/prod/kustomization.yaml", "/prod/notes.txt", "/prod/blank.txt"] {
            assert_eq!(tree.read(p), fs.read(p), "{}\n{}", p, text);
        }
        let report = super::super::check(&lesson, &tree);
        assert!(report.passed(), "{:#?}", report);
        assert!(!lesson.checks.is_empty());
    }
}
