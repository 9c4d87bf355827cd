//! What a block scalar (`|`, `>`) holds after kustomize has read a resource.
//!
//! kustomize writes each resource it reads out through go-yaml v3's emitter,
//! which keeps a block scalar's style, and reads it back. Two things happen
//! on the way:
//!
//! - A value starting with a tab is written without an indentation
//!   indicator (the emitter adds one only for a leading space or line
//!   break), so reading it back fails: "found a tab character where an
//!   indentation space is expected".
//! - The folded writer has a slip (go-yaml issue 337): where it decides
//!   whether a line break needs an extra break to survive folding, it looks
//!   at the start of the whole value instead of at the line after the break.
//!   So when the value starts with a normal (not more-indented) line, every
//!   break after a normal line gets an extra break, which reading it back
//!   keeps wherever the next line is more-indented (or it ends a `+` block);
//!   and when the value starts with a more-indented line, no break gets one,
//!   so breaks between normal lines fold one step further.
//!
//! Values the emitter cannot write as a block (a space before a break or at
//! the end, characters it deems unprintable) are written double-quoted and
//! come back unchanged.

use super::node::{Span, Style};
use crate::error::{Error, Result};

/// What kyaml holds for a block scalar's value after the round trip; an
/// error where it cannot read it back.
pub fn reread(value: &mut String, style: Style, span: &Span) -> Result<()> {
    if value.starts_with('\t') && block_allowed(value) {
        return Err(Error::at(
            span,
            "kustomize cannot read this block scalar back: its value starts with a tab, which go-yaml writes out with no indentation indicator and then rejects (\"found a tab character where an indentation space is expected\"); start the first line with a space, or quote the value",
        ));
    }
    if style == Style::Folded && value.contains('\n') {
        if let Some(text) = round_trip(value) {
            *value = text;
        }
    }
    Ok(())
}

/// The value after the round trip, or `None` when it stays the same.
fn round_trip(value: &str) -> Option<String> {
    if !block_allowed(value) {
        return None;
    }
    let b = value.as_bytes();
    // What the emitter looks at instead of the line after each break.
    let first = value.trim_start_matches('\n').as_bytes().first();
    let starts_normal = first.is_some_and(|&c| c != b' ' && c != b'\t');
    let mut out = String::with_capacity(value.len() + 8);
    let mut changed = false;
    let (mut i, mut line_start, mut leading_space) = (0, true, true);
    while i < b.len() {
        if b[i] != b'\n' {
            if line_start {
                leading_space = b[i] == b' ' || b[i] == b'\t';
                line_start = false;
            }
            let next = value[i..].find('\n').map_or(b.len(), |n| i + n);
            out.push_str(&value[i..next]);
            i = next;
            continue;
        }
        let run = b[i..].iter().take_while(|&&c| c == b'\n').count();
        let after = b.get(i + run).copied();
        let mut breaks = run;
        if !line_start && !leading_space {
            // Whether a correct emitter adds the break: the next line is a
            // normal one.
            let needed = after.is_some_and(|c| c != b' ' && c != b'\t');
            if starts_normal && !needed {
                // Read back, the extra break stays, except at the end of a
                // clipped block (a value ending in exactly one break).
                if after.is_some() || run >= 2 {
                    breaks += 1;
                }
            } else if !starts_normal && needed {
                breaks -= 1;
            }
        }
        if breaks == 0 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', breaks));
        }
        changed |= breaks != run;
        i += run;
        line_start = true;
    }
    changed.then_some(out)
}

/// go-yaml's emitter writes a block scalar only without a space before a
/// line break or at the end, and with only the characters it calls
/// printable (tabs are fine; C1 controls, a BOM and characters beyond the
/// Basic Multilingual Plane are not).
pub(crate) fn block_allowed(value: &str) -> bool {
    if value.ends_with(' ') || value.contains(" \n") {
        return false;
    }
    value.chars().all(|c| matches!(c, '\t' | '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}') && c != '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::round_trip;

    #[test]
    fn more_indented_lines_after_normal_ones_gain_a_break() {
        assert_eq!(round_trip("a\n  b\nc\n").as_deref(), Some("a\n\n  b\nc\n"));
        assert_eq!(round_trip("a\n\n  b\nc\n").as_deref(), Some("a\n\n\n  b\nc\n"));
        assert_eq!(round_trip("a\n\n").as_deref(), Some("a\n\n\n"), "a kept tail gains one");
        assert_eq!(round_trip("a b\nc\n"), None, "no more-indented line, no change");
        assert_eq!(round_trip("a\t\n  b\nc\n").as_deref(), Some("a\t\n\n  b\nc\n"), "tabs stay in a block");
        assert_eq!(round_trip("a\n\tb\nc\n").as_deref(), Some("a\n\n\tb\nc\n"), "a tab starts a more-indented line");
        assert_eq!(round_trip("a \n  b\nc\n"), None, "a space before a break: written double-quoted");
        assert_eq!(round_trip("a\n  b\n\u{1f600}\n"), None, "beyond the BMP: written double-quoted");
    }

    #[test]
    fn a_value_starting_more_indented_folds_further() {
        assert_eq!(round_trip("  i\na\nb\n").as_deref(), Some("  i\na b\n"));
        assert_eq!(round_trip("  i\na\n\nb\n").as_deref(), Some("  i\na\nb\n"));
    }
}
