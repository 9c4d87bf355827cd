//! Promoting images: for each image A's kustomization overrides, B's
//! `images:` entry takes A's newName, newTag and digest (an entry is added
//! when B has none), so B runs what A runs. Edits B's text in place.

use super::edit::{keep_line_endings, reindent, Edits, Source};
use crate::error::{Error, Result};
use crate::yaml::{parse_single, Node};
use serde::Serialize;

/// The fields of an `images:` entry that say what runs.
const FIELDS: [&str; 3] = ["newName", "newTag", "digest"];

/// One image whose override changes in B.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageChange {
    pub name: String,
    /// B's override before (`ghcr.io/x/app:1.0.0`), if it had one.
    pub before: Option<String>,
    pub after: String,
}

/// B's kustomization text with A's image overrides, and what changed.
pub fn promote_images(a_file: &str, a_text: &str, b_file: &str, b_text: &str) -> Result<(String, Vec<ImageChange>)> {
    let a_doc = parse_single(a_file, a_text)?;
    let Some(a_images) = a_doc.as_ref().and_then(|d| d.get("images")).and_then(Node::as_seq) else {
        return Ok((b_text.to_string(), Vec::new()));
    };
    let b_doc = parse_single(b_file, b_text)?;
    let (a_src, b_src) = (Source::new(a_text), Source::new(b_text));
    let b_key = b_doc.as_ref().and_then(|d| d.as_map()).and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some("images")));
    let b_items: &[Node] = b_key.and_then(|(_, v)| v.as_seq()).map(|v| v.as_slice()).unwrap_or(&[]);

    let mut edits = Edits::new();
    let mut changes = Vec::new();
    let mut new_items: Vec<&Node> = Vec::new();
    for a_item in a_images {
        let Some(name) = a_item.get_str("name") else { continue };
        match b_items.iter().find(|b| b.get_str("name") == Some(name)) {
            Some(b_item) => {
                if update_entry(&a_src, a_item, &b_src, b_item, b_file, &mut edits)? {
                    changes.push(ImageChange {
                        name: name.to_string(),
                        before: Some(describe(name, b_item)),
                        after: describe(name, a_item),
                    });
                }
            }
            None => {
                new_items.push(a_item);
                changes.push(ImageChange { name: name.to_string(), before: None, after: describe(name, a_item) });
            }
        }
    }
    if !new_items.is_empty() {
        append_entries(&a_src, &new_items, &b_src, b_key, b_file, &mut edits)?;
    }
    Ok((keep_line_endings(b_text, edits.apply(b_text)), changes))
}

/// `newName:newTag@digest` as the image would be pulled.
fn describe(name: &str, item: &Node) -> String {
    let mut s = item.get_str("newName").unwrap_or(name).to_string();
    if let Some(tag) = item.get_str("newTag") {
        s = format!("{}:{}", s, tag);
    }
    if let Some(d) = item.get_str("digest") {
        s = format!("{}@{}", s, d);
    }
    s
}

fn token<'a>(src: &Source<'a>, node: &Node) -> Result<&'a str> {
    let r = src.scalar_range(node).ok_or_else(|| Error::at(&node.span, "expected a one-line value here"))?;
    Ok(&src.text[r])
}

/// Makes B's entry say what A's says; whether anything changed.
fn update_entry(a_src: &Source, a_item: &Node, b_src: &Source, b_item: &Node, b_file: &str, edits: &mut Edits) -> Result<bool> {
    let flow = b_src.text[b_src.offset(&b_item.span)..].starts_with('{');
    let mut changed = false;
    // New fields go after the entry's last line, at its key indentation.
    let last_line = b_src.block_last_line(b_item.span.line as usize, b_src.dash_column(&b_item.span).unwrap_or(0), false);
    for field in FIELDS {
        match (a_item.get(field), b_item.get(field)) {
            (Some(av), Some(bv)) if av.as_str() != bv.as_str() => {
                let range = b_src
                    .scalar_range(bv)
                    .ok_or_else(|| Error::at(&bv.span, format!("cannot edit {} here: expected a one-line value", field)))?;
                edits.replace(range, token(a_src, av)?);
                changed = true;
            }
            (Some(av), None) => {
                if flow {
                    return Err(Error::at(
                        &b_item.span,
                        format!("{}: cannot add {} to a flow-style images entry; write it as a block", b_file, field),
                    ));
                }
                let indent = b_src.column(&b_item.span);
                edits.insert(b_src.after_line(last_line), format!("{}{}: {}\n", " ".repeat(indent), field, token(a_src, av)?));
                changed = true;
            }
            (None, Some(bv)) => {
                // The key's whole line goes; the entry's first line holds its `- `.
                let key_line = bv.span.line as usize;
                if flow || key_line == b_item.span.line as usize {
                    return Err(Error::at(
                        &bv.span,
                        format!("{}: cannot remove {} from this images entry automatically; move it off the `- ` line", b_file, field),
                    ));
                }
                edits.replace(b_src.line_start(key_line)..b_src.after_line(key_line), "");
                changed = true;
            }
            _ => {}
        }
    }
    Ok(changed)
}

/// Adds A's entries for images B does not override yet.
fn append_entries(
    a_src: &Source,
    items: &[&Node],
    b_src: &Source,
    b_key: Option<&(Node, Node)>,
    b_file: &str,
    edits: &mut Edits,
) -> Result<()> {
    match b_key {
        None => {
            // No `images:` yet: a new field at the end of the file.
            let dash = 0;
            let mut text = String::new();
            if !b_src.text.is_empty() && !b_src.text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str("images:\n");
            for item in items {
                text.push_str(&entry_text(a_src, item, dash));
            }
            edits.insert(b_src.text.len(), text);
        }
        Some((key, value)) => {
            let key_line = key.span.line as usize;
            let key_col = b_src.column(&key.span);
            let items_b = value.as_seq().map(|v| v.as_slice()).unwrap_or(&[]);
            let on_key_line = value.span.line as usize == key_line
                && (items_b.is_empty() || !value.is_seq() || b_src.text[b_src.offset(&value.span)..].starts_with('['));
            let dash = match items_b.first() {
                Some(first) if !on_key_line => b_src.dash_column(&first.span).unwrap_or(key_col),
                _ => key_col,
            };
            if on_key_line {
                // `images: []` (or `images:` with nothing): the block replaces it.
                if !items_b.is_empty() {
                    return Err(Error::at(
                        &value.span,
                        format!("{}: images is written in flow style ([...]); write it as a block list to promote into it", b_file),
                    ));
                }
                let colon = b_src.line_start(key_line) + b_src.line(key_line).find(':').map_or(0, |i| i + 1);
                let line_end = b_src.line_start(key_line) + b_src.line(key_line).len();
                let comment = b_src.line(key_line).find(" #").map(|i| &b_src.line(key_line)[i..]).unwrap_or("");
                edits.replace(colon..line_end, comment.to_string());
            }
            let last = if on_key_line { key_line } else { b_src.block_last_line(key_line, key_col, true) };
            let mut text = String::new();
            if b_src.after_line(last) == b_src.text.len() && !b_src.text.ends_with('\n') {
                text.push('\n');
            }
            for item in items {
                text.push_str(&entry_text(a_src, item, dash));
            }
            edits.insert(b_src.after_line(last), text);
        }
    }
    Ok(())
}

/// A's entry as written (comments and quoting kept), re-indented as a
/// list item whose dash is at column `dash`.
fn entry_text(a_src: &Source, item: &Node, dash: usize) -> String {
    let first = item.span.line as usize;
    let col = a_src.column(&item.span);
    let start = a_src.offset(&item.span);
    if a_src.text[start..].starts_with('{') {
        // A flow mapping (`- {name: x, newTag: y}`, or inside `[...]`): up to its `}`.
        let end = flow_end(&a_src.text[start..]).map_or(a_src.text.len(), |n| start + n);
        return format!("{}- {}\n", " ".repeat(dash), a_src.text[start..end].replace('\n', " "));
    }
    let last = a_src.block_last_line(first, a_src.dash_column(&item.span).unwrap_or(col.saturating_sub(2)), false);
    let mut lines = vec![&a_src.line(first)[col..]];
    lines.extend((first + 1..=last).map(|n| a_src.line(n)));
    reindent(&lines, col, dash + 2, &format!("{}- ", " ".repeat(dash)))
}

/// The length of the flow mapping `text` starts with, through its `}`.
fn flow_end(text: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '{') | (None, '[') => depth += 1,
            (None, '}') | (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGING: &str = "namespace: staging\nimages:\n- name: ghcr.io/my-org/my-app\n  newTag: 1.1.0 # release 2026-11\n- name: redis\n  newName: mirror.example/redis\n  digest: sha256:abc\n";

    fn promote(b: &str) -> (String, Vec<ImageChange>) {
        promote_images("/a/kustomization.yaml", STAGING, "/b/kustomization.yaml", b).unwrap()
    }

    #[test]
    fn adds_the_images_field_when_b_has_none() {
        let b = "# production\nnamespace: production  # keep\nresources:\n- ../base\n";
        let (text, changes) = promote(b);
        assert_eq!(
            text,
            format!("{}images:\n- name: ghcr.io/my-org/my-app\n  newTag: 1.1.0 # release 2026-11\n- name: redis\n  newName: mirror.example/redis\n  digest: sha256:abc\n", b)
        );
        assert_eq!(
            changes[0],
            ImageChange { name: "ghcr.io/my-org/my-app".into(), before: None, after: "ghcr.io/my-org/my-app:1.1.0".into() }
        );
    }

    #[test]
    fn updates_entries_in_place_and_keeps_everything_else() {
        let b = "images:   # managed by promotion\n  - name: redis\n    newName: mirror.example/redis\n    newTag: \"7.0\"\n  - name: ghcr.io/my-org/my-app\n    newTag: '1.0.0'   # old\n\n# the end\nnamespace: production\n";
        let (text, changes) = promote(b);
        assert_eq!(
            text,
            "images:   # managed by promotion\n  - name: redis\n    newName: mirror.example/redis\n    digest: sha256:abc\n  - name: ghcr.io/my-org/my-app\n    newTag: 1.1.0   # old\n\n# the end\nnamespace: production\n"
        );
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[1].before.as_deref(), Some("mirror.example/redis:7.0"));
        // Promoting again changes nothing.
        let (again, none) = promote(&text);
        assert_eq!(again, text);
        assert!(none.is_empty());
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let b = "namespace: production\r\nimages:\r\n- name: redis\r\n  newTag: \"7\"\r\n";
        let (text, _) = promote(b);
        assert!(text.starts_with("namespace: production\r\nimages:\r\n- name: redis\r\n  newName: mirror.example/redis\r\n  digest: sha256:abc\r\n- name: ghcr.io/my-org/my-app\r\n"), "{:?}", text);
        assert!(!text.replace("\r\n", "").contains('\n'), "{:?}", text);
    }

    #[test]
    fn appends_to_an_existing_list_and_replaces_an_empty_flow_list() {
        let b = "images:\n- name: redis\n  newName: mirror.example/redis\n  digest: sha256:abc\nnamespace: production";
        let (text, _) = promote(b);
        assert_eq!(text, format!("images:\n- name: redis\n  newName: mirror.example/redis\n  digest: sha256:abc\n- name: ghcr.io/my-org/my-app\n  newTag: 1.1.0 # release 2026-11\nnamespace: production"));
        let (text, _) = promote("images: [] # none yet\nnamespace: production\n");
        assert!(text.starts_with("images: # none yet\n- name: ghcr.io/my-org/my-app\n"), "{}", text);
        assert!(text.ends_with("digest: sha256:abc\nnamespace: production\n"), "{}", text);
    }

    /// Odd but valid kustomizations on either side: never a panic, and
    /// whenever an edit is made the result parses and carries A's tag.
    #[test]
    fn odd_inputs() {
        let a_variants = [
            STAGING,
            "images: [{name: ghcr.io/my-org/my-app, newTag: '1.1.0'}]\n",
            "images:\n  - name: ghcr.io/my-org/my-app # app\n    newTag: \"1.1.0\"\n",
            "images: []\n",
            "images:\n",
            "",
            "resources: [x]\n",
        ];
        let b_variants = [
            "",
            "namespace: p",
            "images:\nnamespace: p\n",
            "images: []\n",
            "images: [{name: other}]\n",
            "images:\n- name: ghcr.io/my-org/my-app\n  newTag: 1.0.0\n  digest: sha256:0\n",
            "images:\n- newTag: 1.0.0\n  name: ghcr.io/my-org/my-app\n",
            "# only a comment\n",
            "images:\n  # none yet\n\nresources:\n- ../base\n",
        ];
        for a in a_variants {
            for b in b_variants {
                let Ok((text, changes)) = promote_images("/a/k.yaml", a, "/b/k.yaml", b) else { continue };
                if changes.is_empty() {
                    continue;
                }
                let doc =
                    parse_single("/b/k.yaml", &text).unwrap_or_else(|e| panic!("{}\nA:\n{}\nB:\n{}\nout:\n{}", e, a, b, text)).unwrap();
                let entry = doc
                    .get("images")
                    .and_then(Node::as_seq)
                    .and_then(|s| s.iter().find(|i| i.get_str("name") == Some("ghcr.io/my-org/my-app")));
                assert_eq!(entry.and_then(|e| e.get_str("newTag")), Some("1.1.0"), "A:\n{}\nB:\n{}\nout:\n{}", a, b, text);
                assert!(entry.unwrap().get("digest").is_none(), "A has no digest for it:\n{}", text);
            }
        }
    }
}
