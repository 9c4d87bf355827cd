//! The review as one self-contained HTML file, for a CI artifact or an
//! e-mail: no external URL, no network, no script at all.
//!
//! - A navigation list of every environment and cluster, each marked with
//!   its outcome, unchanged ones included (the blast radius at a glance).
//! - Per resource: its field changes, then the YAML as a side-by-side and
//!   as a unified diff, changed words highlighted within changed lines.
//!   Which of the two views shows is a pair of radio buttons and CSS
//!   (`:checked ~`), so the switch works with scripts off.
//! - Light and dark from `prefers-color-scheme`.
//! - A Content-Security-Policy meta tag allows nothing but the one
//!   stylesheet, by its hash: no script, no image, no font, no fetch, no form.
//! - Every piece of text from the repository goes through `escape`.

use super::{Kind, Outcome, Review, Target};
use crate::diff::format::change_values;
use crate::diff::lines::{diff_lines, split_lines, Edit};
use crate::diff::{ResourceDiff, Status};
use crate::kustomize::hash::sha256;
use crate::yaml::emit_node;

const STYLE: &str = r#"
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --del: #ffebe9; --del-word: #ffb8b0; --ins: #e6ffec; --ins-word: #9ae8a8; --accent: #0969da; --bad: #cf222e; --good: #1a7f37; --warn: #9a6700; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23;
    --del: #3c1618; --del-word: #8e1519; --ins: #12261e; --ins-word: #1f6f3a; --accent: #4493f8; --bad: #f85149; --good: #3fb950; --warn: #d29922; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
a { color: var(--accent); }
code, pre, .code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.view { position: absolute; opacity: 0; width: 1px; height: 1px; }
.page { display: grid; grid-template-columns: minmax(14rem, 18rem) 1fr; min-height: 100vh; }
nav { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; padding: 1rem; border-right: 1px solid var(--line); background: var(--panel); }
nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 1rem 0 .25rem; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li { margin: .1rem 0; overflow-wrap: anywhere; }
nav a { text-decoration: none; }
nav .unchanged a { color: var(--muted); }
nav li::before { content: "●"; margin-right: .35em; font-size: 10px; vertical-align: middle; color: var(--muted); }
nav li.o-changed::before, nav li.o-added::before { color: var(--accent); }
nav li.o-removed::before, nav li.o-starts-failing::before, nav li.o-still-failing::before { color: var(--bad); }
nav li.o-stops-failing::before { color: var(--good); }
nav .counts { color: var(--muted); font-variant-numeric: tabular-nums; }
main { padding: 1rem 1.5rem 4rem; min-width: 0; }
header p { margin: .25rem 0; }
.switch { display: inline-flex; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; margin: .5rem 0; }
.switch label { padding: .2rem .7rem; cursor: pointer; }
#view-split:checked ~ .page label[for=view-split], #view-unified:checked ~ .page label[for=view-unified] { background: var(--accent); color: var(--bg); }
#view-split:focus-visible ~ .page label[for=view-split], #view-unified:focus-visible ~ .page label[for=view-unified] { outline: 2px solid var(--accent); outline-offset: 2px; }
#view-split:checked ~ .page .unified, #view-unified:checked ~ .page .split { display: none; }
table { border-collapse: collapse; }
.summary td, .summary th, .fields td, .fields th { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
.summary td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.target { border-top: 1px solid var(--line); margin-top: 1.5rem; padding-top: .5rem; }
section.target h2 { font-size: 18px; margin: .25rem 0; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: 12px; border-radius: 1em; padding: 0 .6em; border: 1px solid currentColor; margin-left: .4em; vertical-align: middle; }
.o-changed .badge, .o-added .badge { color: var(--accent); }
.o-removed .badge, .o-starts-failing .badge, .o-still-failing .badge { color: var(--bad); }
.o-stops-failing .badge { color: var(--good); }
.o-unchanged .badge { color: var(--muted); }
pre.error { white-space: pre-wrap; border-left: 3px solid var(--bad); background: var(--panel); padding: .5rem .75rem; overflow-wrap: anywhere; }
details.resource { border: 1px solid var(--line); border-radius: 6px; margin: .75rem 0; }
details.resource > summary { cursor: pointer; padding: .4rem .75rem; background: var(--panel); border-radius: 6px; overflow-wrap: anywhere; }
details.resource > div { padding: .5rem .75rem; overflow-x: auto; }
.diff { width: 100%; table-layout: fixed; }
.diff td { padding: 0 .4rem; white-space: pre-wrap; overflow-wrap: anywhere; vertical-align: top; }
.diff col.ln { width: 3.5em; }
.diff col.sign { width: 1.2em; }
.diff td.ln { text-align: right; color: var(--muted); user-select: none; }
.diff td.sign { color: var(--muted); user-select: none; }
.diff tr.gap td { background: var(--panel); color: var(--muted); text-align: center; }
.diff .d { background: var(--del); }
.diff .i { background: var(--ins); }
.diff del { background: var(--del-word); text-decoration: none; border-radius: 2px; }
.diff ins { background: var(--ins-word); text-decoration: none; border-radius: 2px; }
.unchanged-list { color: var(--muted); }
footer { color: var(--muted); margin-top: 2rem; font-size: 12px; }
@media (max-width: 50rem) { .page { grid-template-columns: 1fr; } nav { position: static; max-height: none; border-right: 0; border-bottom: 1px solid var(--line); } }
@media print { nav, .switch { display: none; } .page { display: block; } details.resource { break-inside: avoid; } }
"#;

/// Text for HTML, in element content and in quoted attributes alike.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The policy of the report: nothing but its own stylesheet.
pub fn content_security_policy() -> String {
    format!("default-src 'none'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'", base64(&sha256(STYLE.as_bytes())))
}

/// The whole report; `title` names what was compared (`origin/main..HEAD`).
pub fn render(review: &Review, title: &str, context: usize) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n", content_security_policy()));
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str(&format!("<title>Overlay review: {}</title>\n<style>{}</style>\n</head>\n<body>\n", escape(title), STYLE));
    out.push_str("<input type=\"radio\" name=\"view\" id=\"view-split\" class=\"view\" checked>\n<input type=\"radio\" name=\"view\" id=\"view-unified\" class=\"view\">\n");
    out.push_str("<div class=\"page\">\n");
    nav(review, &mut out);
    out.push_str("<main>\n<header>\n");
    out.push_str(&format!("<h1>Overlay review: {}</h1>\n<p>{}</p>\n", escape(title), escape(&review.headline())));
    out.push_str("<div class=\"switch\" role=\"group\" aria-label=\"Diff view\"><label for=\"view-split\">Side by side</label><label for=\"view-unified\">Unified</label></div>\n</header>\n");
    summary_table(review, &mut out);
    for t in review.targets.iter().filter(|t| !t.is_unchanged()) {
        section(t, context, &mut out);
    }
    let unchanged: Vec<&Target> = review.targets.iter().filter(|t| t.is_unchanged()).collect();
    if !unchanged.is_empty() {
        out.push_str("<section class=\"target o-unchanged\" id=\"unchanged\">\n<h2>Unchanged</h2>\n<ul class=\"unchanged-list\">\n");
        for t in unchanged {
            out.push_str(&format!("<li id=\"{}\">{} <code>{}</code>: {}</li>\n", t.anchor(), kind(t), escape(&t.path), escape(&t.summary)));
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str(
        "<footer>Written by <code>overlay review</code>. Secret values are masked. This file loads nothing from the network.</footer>\n",
    );
    out.push_str("</main>\n</div>\n</body>\n</html>\n");
    out
}

fn kind(t: &Target) -> &'static str {
    match t.kind {
        Kind::Environment => "environment",
        Kind::Cluster => "cluster",
    }
}

fn outcome_class(o: Outcome) -> &'static str {
    match o {
        Outcome::Unchanged => "o-unchanged",
        Outcome::Changed => "o-changed",
        Outcome::Added => "o-added",
        Outcome::Removed => "o-removed",
        Outcome::StartsFailing => "o-starts-failing",
        Outcome::StopsFailing => "o-stops-failing",
        Outcome::StillFailing => "o-still-failing",
    }
}

fn nav(review: &Review, out: &mut String) {
    out.push_str("<nav aria-label=\"Environments and clusters\">\n<strong>Overlay review</strong>\n");
    for (k, title) in [(Kind::Environment, "Environments"), (Kind::Cluster, "Flux clusters")] {
        let list: Vec<&Target> = review.targets.iter().filter(|t| t.kind == k).collect();
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("<h2>{}</h2>\n<ul>\n", title));
        for t in list {
            let cls = if t.is_unchanged() { "unchanged" } else { "reached" };
            let s = t.diff.summary();
            // `~1 +0 −2`: how much, at a glance, beside what.
            let counts = if s.changed + s.added + s.removed > 0 {
                format!(" <small class=\"counts\">~{} +{} −{}</small>", s.changed, s.added, s.removed)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "<li class=\"{} {}\"><a href=\"#{}\">{}</a> <small>{}</small>{}</li>\n",
                cls,
                outcome_class(t.outcome),
                t.anchor(),
                escape(&t.path),
                t.outcome.word(),
                counts
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</nav>\n");
}

fn summary_table(review: &Review, out: &mut String) {
    out.push_str("<table class=\"summary\">\n<thead><tr><th scope=\"col\">Environment / cluster</th><th scope=\"col\">Outcome</th><th scope=\"col\">Changed</th><th scope=\"col\">Added</th><th scope=\"col\">Removed</th><th scope=\"col\">Summary</th></tr></thead>\n<tbody>\n");
    for t in &review.targets {
        let s = t.diff.summary();
        out.push_str(&format!(
            "<tr class=\"{}\"><td>{} <a href=\"#{}\">{}</a></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
            outcome_class(t.outcome),
            kind(t),
            t.anchor(),
            escape(&t.path),
            t.outcome.word(),
            s.changed,
            s.added,
            s.removed,
            escape(&t.summary)
        ));
    }
    out.push_str("</tbody>\n</table>\n");
}

fn section(t: &Target, context: usize, out: &mut String) {
    out.push_str(&format!("<section class=\"target {}\" id=\"{}\">\n", outcome_class(t.outcome), t.anchor()));
    out.push_str(&format!(
        "<h2>{} <code>{}</code><span class=\"badge\">{}</span></h2>\n<p>{}</p>\n",
        kind(t),
        escape(&t.path),
        t.outcome.word(),
        escape(&t.summary)
    ));
    for (label, side) in [("Before the change", &t.before), ("After the change", &t.after)] {
        if let Some(e) = &side.error {
            out.push_str(&format!(
                "<p><strong>{}, it fails to build:</strong></p>\n<pre class=\"error\">{}</pre>\n",
                label,
                escape(e.trim_end())
            ));
        }
    }
    if !t.prune.is_empty() {
        out.push_str("<h3>What Flux prunes</h3>\n<ul class=\"prune\">\n");
        for p in &t.prune {
            out.push_str(&format!("<li><code>{}</code></li>\n", escape(&p.text)));
        }
        out.push_str("</ul>\n");
    }
    for r in &t.diff.resources {
        resource(r, context, out);
    }
    out.push_str("</section>\n");
}

fn resource(r: &ResourceDiff, context: usize, out: &mut String) {
    let word = if r.renamed() { "renamed" } else { r.status.word() };
    let open = if r.status == Status::Changed { " open" } else { "" };
    out.push_str(&format!("<details class=\"resource\"{}><summary><code>{}</code> {}</summary>\n<div>\n", open, escape(&r.title()), word));
    if !r.changes.is_empty() {
        out.push_str("<table class=\"fields\"><thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Change</th></tr></thead><tbody>\n");
        for c in &r.changes {
            out.push_str(&format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>\n",
                escape(&c.path.to_string()),
                escape(&change_values(c))
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    let text = |n: &Option<crate::yaml::Node>| n.as_ref().map(emit_node).unwrap_or_default();
    let (a, b) = (text(&r.before_node), text(&r.after_node));
    let (al, bl) = (split_lines(&a), split_lines(&b));
    let edits = diff_lines(&al, &bl);
    let hunks = hunks(&edits, context);
    // Fixed layout takes its widths from the columns, not from a first row
    // that may be a gap spanning them all.
    out.push_str("<div class=\"split\"><table class=\"diff code\"><caption hidden>Side by side</caption><colgroup><col class=\"ln\"><col><col class=\"ln\"><col></colgroup>\n");
    for (n, h) in hunks.iter().enumerate() {
        if n > 0 || h.start > 0 {
            out.push_str("<tr class=\"gap\"><td colspan=\"4\">⋯</td></tr>\n");
        }
        split_rows(&edits[h.clone()], &al, &bl, out);
    }
    if hunks.last().is_some_and(|h| h.end < edits.len()) {
        out.push_str("<tr class=\"gap\"><td colspan=\"4\">⋯</td></tr>\n");
    }
    out.push_str("</table></div>\n<div class=\"unified\"><table class=\"diff code\"><caption hidden>Unified</caption><colgroup><col class=\"ln\"><col class=\"ln\"><col class=\"sign\"><col></colgroup>\n");
    for (n, h) in hunks.iter().enumerate() {
        if n > 0 || h.start > 0 {
            out.push_str("<tr class=\"gap\"><td colspan=\"4\">⋯</td></tr>\n");
        }
        unified_rows(&edits[h.clone()], &al, &bl, out);
    }
    if hunks.last().is_some_and(|h| h.end < edits.len()) {
        out.push_str("<tr class=\"gap\"><td colspan=\"4\">⋯</td></tr>\n");
    }
    out.push_str("</table></div>\n</div>\n</details>\n");
}

/// Ranges of `edits` to show: each change with `context` lines around it,
/// ranges that touch merged.
fn hunks(edits: &[Edit], context: usize) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, e) in edits.iter().enumerate() {
        if matches!(e, Edit::Same(..)) {
            continue;
        }
        let (start, end) = (i.saturating_sub(context), (i + context + 1).min(edits.len()));
        match out.last_mut() {
            Some(last) if last.end >= start => last.end = end,
            _ => out.push(start..end),
        }
    }
    out
}

/// A changed line run: the deletions and insertions between two unchanged
/// lines, which the views pair line by line for word highlights.
struct Run {
    deleted: Vec<usize>,
    inserted: Vec<usize>,
}

/// A piece of a hunk: an unchanged line (both indexes) or a run of changes.
enum Piece {
    Same(usize, usize),
    Run(Run),
}

/// `edits` as unchanged lines and runs of changes.
fn pieces(edits: &[Edit]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < edits.len() {
        if let Edit::Same(a, b) = edits[i] {
            out.push(Piece::Same(a, b));
            i += 1;
            continue;
        }
        let mut r = Run { deleted: Vec::new(), inserted: Vec::new() };
        while i < edits.len() && !matches!(edits[i], Edit::Same(..)) {
            match edits[i] {
                Edit::Delete(a) => r.deleted.push(a),
                Edit::Insert(b) => r.inserted.push(b),
                Edit::Same(..) => {}
            }
            i += 1;
        }
        out.push(Piece::Run(r));
    }
    out
}

fn line_text(line: &str) -> &str {
    line.strip_suffix('\n').unwrap_or(line)
}

fn split_rows(edits: &[Edit], al: &[&str], bl: &[&str], out: &mut String) {
    for piece in pieces(edits) {
        let r = match piece {
            Piece::Same(a, b) => {
                let t = escape(line_text(al[a]));
                out.push_str(&format!(
                    "<tr><td class=\"ln\">{}</td><td>{}</td><td class=\"ln\">{}</td><td>{}</td></tr>\n",
                    a + 1,
                    t,
                    b + 1,
                    t
                ));
                continue;
            }
            Piece::Run(r) => r,
        };
        {
            for k in 0..r.deleted.len().max(r.inserted.len()) {
                let (d, i) = (r.deleted.get(k).copied(), r.inserted.get(k).copied());
                let (dh, ih) = match (d, i) {
                    (Some(d), Some(i)) => words(line_text(al[d]), line_text(bl[i])),
                    (Some(d), None) => (escape(line_text(al[d])), String::new()),
                    (None, Some(i)) => (String::new(), escape(line_text(bl[i]))),
                    (None, None) => (String::new(), String::new()),
                };
                let cell = |n: Option<usize>, html: &str, class: &str| match n {
                    Some(n) => format!("<td class=\"ln\">{}</td><td class=\"{}\">{}</td>", n + 1, class, html),
                    None => "<td class=\"ln\"></td><td></td>".to_string(),
                };
                out.push_str(&format!("<tr>{}{}</tr>\n", cell(d, &dh, "d"), cell(i, &ih, "i")));
            }
        }
    }
}

fn unified_rows(edits: &[Edit], al: &[&str], bl: &[&str], out: &mut String) {
    for piece in pieces(edits) {
        let r = match piece {
            Piece::Same(a, b) => {
                out.push_str(&format!(
                    "<tr><td class=\"ln\">{}</td><td class=\"ln\">{}</td><td class=\"sign\"> </td><td>{}</td></tr>\n",
                    a + 1,
                    b + 1,
                    escape(line_text(al[a]))
                ));
                continue;
            }
            Piece::Run(r) => r,
        };
        {
            let pairs = r.deleted.len().min(r.inserted.len());
            let mut del_html: Vec<String> = Vec::new();
            let mut ins_html: Vec<String> = Vec::new();
            for k in 0..pairs {
                let (d, i) = words(line_text(al[r.deleted[k]]), line_text(bl[r.inserted[k]]));
                del_html.push(d);
                ins_html.push(i);
            }
            del_html.extend(r.deleted[pairs..].iter().map(|&d| escape(line_text(al[d]))));
            ins_html.extend(r.inserted[pairs..].iter().map(|&i| escape(line_text(bl[i]))));
            for (&d, h) in r.deleted.iter().zip(&del_html) {
                out.push_str(&format!(
                    "<tr class=\"d\"><td class=\"ln\">{}</td><td class=\"ln\"></td><td class=\"sign\">-</td><td>{}</td></tr>\n",
                    d + 1,
                    h
                ));
            }
            for (&i, h) in r.inserted.iter().zip(&ins_html) {
                out.push_str(&format!(
                    "<tr class=\"i\"><td class=\"ln\"></td><td class=\"ln\">{}</td><td class=\"sign\">+</td><td>{}</td></tr>\n",
                    i + 1,
                    h
                ));
            }
        }
    }
}

/// Splits a line into words, runs of spaces and single other characters,
/// so that `image: app:1.0` → `app:1.1` highlights `0` → `1` alone.
fn tokens(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    };
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1);
        let end = next.map(|(j, _)| *j).unwrap_or(line.len());
        let joins = next.is_some_and(|&(_, n)| class(n) == class(c) && class(c) != 2);
        if !joins {
            out.push(&line[start..end]);
            start = end;
        }
        let _ = i;
    }
    out
}

/// Both lines as HTML, the words only one side has marked `<del>`/`<ins>`.
fn words(a: &str, b: &str) -> (String, String) {
    let (at, bt) = (tokens(a), tokens(b));
    let edits = diff_lines(&at, &bt);
    // Lines with nothing in common are shown whole: marking every word says nothing.
    if !edits.iter().any(|e| matches!(e, Edit::Same(..))) {
        return (escape(a), escape(b));
    }
    let (mut ah, mut bh) = (String::new(), String::new());
    let mark = |html: &mut String, tag: &str, text: &str, open: &mut bool| {
        if !*open {
            html.push_str(&format!("<{}>", tag));
            *open = true;
        }
        html.push_str(&escape(text));
    };
    let (mut a_open, mut b_open) = (false, false);
    for e in &edits {
        match *e {
            Edit::Same(i, _) => {
                if a_open {
                    ah.push_str("</del>");
                    a_open = false;
                }
                if b_open {
                    bh.push_str("</ins>");
                    b_open = false;
                }
                ah.push_str(&escape(at[i]));
                bh.push_str(&escape(at[i]));
            }
            Edit::Delete(i) => mark(&mut ah, "del", at[i], &mut a_open),
            Edit::Insert(j) => mark(&mut bh, "ins", bt[j], &mut b_open),
        }
    }
    if a_open {
        ah.push_str("</del>");
    }
    if b_open {
        bh.push_str("</ins>");
    }
    (ah, bh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_mark_only_what_changed_and_escape_the_rest() {
        let (a, b) = words("image: app:1.0 <x>", "image: app:1.1 <x>");
        assert_eq!(a, "image: app:1.<del>0</del> &lt;x&gt;");
        assert_eq!(b, "image: app:1.<ins>1</ins> &lt;x&gt;");
        assert_eq!(words("a", "b"), ("a".to_string(), "b".to_string()));
        assert_eq!(tokens("replicas:  2"), vec!["replicas", ":", "  ", "2"]);
    }

    #[test]
    fn base64_as_csp_hashes_need_it() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
    }

    #[test]
    fn escaping_covers_attributes() {
        assert_eq!(escape("<a href=\"x\" title='y'>&</a>"), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    }
}
