//! Editing YAML source as text, at places found through node spans, so that
//! the comments, quoting and layout people wrote stay as they were. Only
//! the lines that change are touched; nothing is re-emitted.

use crate::yaml::{Node, Span};
use std::ops::Range;

/// A YAML file's text with line positions.
pub struct Source<'a> {
    pub text: &'a str,
    /// Byte offset where each line starts; index 0 is line 1.
    starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
        Source { text, starts }
    }
    pub fn line_count(&self) -> usize {
        if self.text.is_empty() {
            0
        } else {
            self.starts.len()
        }
    }
    /// Line `n` (1-based) without its newline.
    pub fn line(&self, n: usize) -> &'a str {
        let start = self.starts[n - 1];
        let end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        &self.text[start..end]
    }
    /// Where line `n` starts.
    pub fn line_start(&self, n: usize) -> usize {
        self.starts.get(n - 1).copied().unwrap_or(self.text.len())
    }
    /// Just after line `n`'s newline (the start of the next line).
    pub fn after_line(&self, n: usize) -> usize {
        self.starts.get(n).copied().unwrap_or(self.text.len())
    }
    /// Leading spaces of line `n`.
    pub fn indent(&self, n: usize) -> usize {
        let l = self.line(n);
        l.len() - l.trim_start_matches(' ').len()
    }
    /// The byte offset of a span (its column counts characters).
    pub fn offset(&self, span: &Span) -> usize {
        let line = self.line(span.line as usize);
        let col = line.char_indices().nth(span.col.saturating_sub(1) as usize).map_or(line.len(), |(i, _)| i);
        self.line_start(span.line as usize) + col
    }
    /// The 0-based column of a span in bytes.
    pub fn column(&self, span: &Span) -> usize {
        self.offset(span) - self.line_start(span.line as usize)
    }

    /// The text of a one-line scalar as written, quotes included; `None` for
    /// block scalars (`|`, `>`) and anything not on one line.
    pub fn scalar_range(&self, node: &Node) -> Option<Range<usize>> {
        node.as_scalar()?;
        let start = self.offset(&node.span);
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        let rest = &self.text[start..line_end];
        let len = match rest.chars().next()? {
            '"' => {
                let mut escaped = false;
                rest.char_indices()
                    .skip(1)
                    .find(|&(_, c)| {
                        let end = c == '"' && !escaped;
                        escaped = c == '\\' && !escaped;
                        end
                    })?
                    .0
                    + 1
            }
            '\'' => {
                let b = rest.as_bytes();
                let mut i = 1;
                loop {
                    if i >= b.len() {
                        return None;
                    }
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break i + 1;
                    }
                    i += 1;
                }
            }
            '|' | '>' => return None,
            _ => {
                // In flow collections (`{name: x, newTag: y}`) a plain scalar
                // also ends at `,`, `]` or `}`.
                let line_before = &self.text[self.line_start(node.span.line as usize)..start];
                let in_flow = line_before.contains(['[', '{']);
                let mut end = rest.len();
                if let Some(i) = rest.find(" #") {
                    end = i;
                }
                if in_flow {
                    if let Some(i) = rest[..end].find([',', ']', '}']) {
                        end = i;
                    }
                }
                rest[..end].trim_end().len()
            }
        };
        Some(start..start + len)
    }

    /// The last line of a block that starts on line `first` and whose
    /// content is indented more than `indent` columns. With `seq_at_indent`,
    /// `- ` items at exactly `indent` belong to it too (a list under a key
    /// may sit at the key's own indentation). Trailing blank and comment
    /// lines are left to what follows.
    pub fn block_last_line(&self, first: usize, indent: usize, seq_at_indent: bool) -> usize {
        let mut last = first;
        for n in first + 1..=self.line_count() {
            let line = self.line(n);
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if line.starts_with("---") || line.starts_with("...") {
                break;
            }
            let ind = self.indent(n);
            let item = trimmed == "-" || trimmed.starts_with("- ");
            if ind > indent || (seq_at_indent && ind == indent && item) {
                last = n;
            } else {
                break;
            }
        }
        last
    }

    /// The column of the `- ` that starts the list item whose content
    /// begins at `span`, if it is on the same line.
    pub fn dash_column(&self, span: &Span) -> Option<usize> {
        let line = self.line(span.line as usize);
        let col = self.column(span);
        let before = line[..col].trim_end();
        before.ends_with('-').then(|| before.len() - 1)
    }
}

/// Replacements on one text, applied together.
#[derive(Default)]
pub struct Edits {
    splices: Vec<(Range<usize>, String)>,
}

impl Edits {
    pub fn new() -> Edits {
        Edits::default()
    }
    pub fn replace(&mut self, range: Range<usize>, text: impl Into<String>) {
        self.splices.push((range, text.into()));
    }
    pub fn insert(&mut self, at: usize, text: impl Into<String>) {
        self.splices.push((at..at, text.into()));
    }
    pub fn is_empty(&self) -> bool {
        self.splices.is_empty()
    }
    /// Applies the edits; insertions at one place keep the order they were made in.
    pub fn apply(self, text: &str) -> String {
        let mut order: Vec<usize> = (0..self.splices.len()).collect();
        order.sort_by_key(|&i| (self.splices[i].0.start, self.splices[i].0.end, i));
        let mut out = String::with_capacity(text.len() + 64);
        let mut pos = 0;
        for i in order {
            let (range, new) = &self.splices[i];
            if range.start < pos {
                continue; // overlapping edits cannot both apply; the first wins
            }
            out.push_str(&text[pos..range.start]);
            out.push_str(new);
            pos = range.end;
        }
        out.push_str(&text[pos..]);
        out
    }
}

/// Gives edited text the line endings of the original: a file written with
/// CRLF keeps CRLF on the lines we add.
pub fn keep_line_endings(original: &str, edited: String) -> String {
    if original.contains("\r\n") {
        edited.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        edited
    }
}

/// Re-indents a block of lines taken from one place (its first line
/// already stripped of its indentation, the others indented by `from`)
/// to sit at `to`; the first line gets `first_prefix` instead.
pub fn reindent(lines: &[&str], from: usize, to: usize, first_prefix: &str) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            out.push_str(first_prefix);
            out.push_str(line);
        } else if line.trim().is_empty() {
            // keep blank lines blank
        } else {
            let strip = line.len() - line.trim_start_matches(' ').len();
            out.push_str(&" ".repeat(to + strip.saturating_sub(from)));
            out.push_str(line.trim_start_matches(' '));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    #[test]
    fn scalar_tokens_and_blocks() {
        let text =
            "images: # pinned\n- name: a\n  newTag: \"1.0\" # why\n  digest: 'it''s'\n- {name: b, newTag: v2}\n# trailing\nnamespace: x\n";
        let src = Source::new(text);
        let doc = parse_single("k", text).unwrap().unwrap();
        let items = doc.get("images").unwrap().as_seq().unwrap();
        let tok = |n: &Node| &text[src.scalar_range(n).unwrap()];
        assert_eq!(tok(items[0].get("newTag").unwrap()), "\"1.0\"");
        assert_eq!(tok(items[0].get("digest").unwrap()), "'it''s'");
        assert_eq!(tok(items[1].get("name").unwrap()), "b");
        assert_eq!(tok(items[1].get("newTag").unwrap()), "v2");
        assert_eq!(src.block_last_line(1, 0, true), 5);
        assert_eq!(src.block_last_line(2, 0, false), 4);
        assert_eq!(src.dash_column(&items[0].span), Some(0));
        let mut e = Edits::new();
        e.replace(src.scalar_range(items[0].get("newTag").unwrap()).unwrap(), "\"1.1\"");
        e.insert(src.after_line(4), "  newName: c\n");
        assert_eq!(e.apply(text), text.replace("\"1.0\"", "\"1.1\"").replace("'it''s'\n", "'it''s'\n  newName: c\n"));
    }
}
