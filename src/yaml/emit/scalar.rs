//! Which style libyaml's emitter (as carried in go-yaml v2) gives a string:
//! the character classes it uses and its `analyze_scalar` /
//! `select_scalar_style` decisions.

use super::resolve::needs_quotes;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    Single,
    Double,
    Literal,
}

/// libyaml's `is_printable`: what may appear unescaped. Tabs, CR, DEL, C1
/// controls, U+FEFF, U+FFFE/U+FFFF and everything beyond the BMP are not.
pub fn is_printable(c: char) -> bool {
    matches!(c as u32,
        0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD)
}

/// libyaml's line breaks (YAML 1.1): CR, LF, NEL, LS, PS.
pub fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// libyaml's `is_blankz`: blank, break or NUL.
fn is_blankz(c: char) -> bool {
    is_blank(c) || is_break(c) || c == '\0'
}

/// What `analyze_scalar` finds out about a value.
#[derive(Clone, Copy, Debug)]
pub struct Analysis {
    pub multiline: bool,
    pub block_plain_allowed: bool,
    pub single_quoted_allowed: bool,
    pub block_allowed: bool,
}

pub fn analyze(chars: &[char]) -> Analysis {
    if chars.is_empty() {
        return Analysis { multiline: false, block_plain_allowed: true, single_quoted_allowed: true, block_allowed: false };
    }
    let starts_with = |p: &str| chars.len() >= 3 && chars[..3].iter().copied().eq(p.chars());
    // Flow indicators only matter in flow context, which kustomize's output
    // never puts a non-empty scalar in, so only block indicators are tracked.
    let mut block_indicators = starts_with("---") || starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let last = chars.len() - 1;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = i == last || is_blank(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= i == last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= i == last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(c);
    }
    let mut a = Analysis { multiline: line_breaks, block_plain_allowed: true, single_quoted_allowed: true, block_allowed: true };
    if leading_space || leading_break || trailing_space || trailing_break || line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    a
}

/// The style go-yaml v2 ends up with for string `s` (as chars, analysed as
/// `a`): its encoder asks for literal when there is a newline, plain when
/// the text would read back as the same string, double quotes otherwise;
/// libyaml then falls back as the text requires.
pub fn select_style(s: &str, a: &Analysis, simple_key: bool) -> ScalarStyle {
    let mut style = if s.contains('\n') {
        ScalarStyle::Literal
    } else if needs_quotes(s) {
        ScalarStyle::Double
    } else {
        ScalarStyle::Plain
    };
    if simple_key && a.multiline {
        style = ScalarStyle::Double;
    }
    if style == ScalarStyle::Plain && (!a.block_plain_allowed || (s.is_empty() && simple_key)) {
        style = ScalarStyle::Single;
    }
    if style == ScalarStyle::Single && !a.single_quoted_allowed {
        style = ScalarStyle::Double;
    }
    if style == ScalarStyle::Literal && (!a.block_allowed || simple_key) {
        style = ScalarStyle::Double;
    }
    style
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(s: &str) -> ScalarStyle {
        let chars: Vec<char> = s.chars().collect();
        select_style(s, &analyze(&chars), false)
    }

    #[test]
    fn styles() {
        use ScalarStyle::*;
        assert_eq!(style("abc"), Plain);
        assert_eq!(style("yes"), Double);
        assert_eq!(style(""), Double);
        assert_eq!(style("- item"), Single);
        assert_eq!(style("a: b"), Single);
        assert_eq!(style("x #y"), Single);
        assert_eq!(style("x#y"), Plain);
        assert_eq!(style(" padded"), Single);
        assert_eq!(style("*"), Single);
        assert_eq!(style("'"), Single);
        assert_eq!(style("a\tb"), Double);
        assert_eq!(style("hi \u{1F600}"), Double);
        assert_eq!(style("h\u{e9}llo"), Plain);
        assert_eq!(style("a\nb"), Literal);
        assert_eq!(style("trail \nx"), Double);
        assert_eq!(style("foo\u{2028}bar"), Single);
        assert_eq!(style("a\n\n b"), Literal);
        assert_eq!(style("---x"), Single);
        assert_eq!(style("a:b"), Plain);
        assert_eq!(style("<<"), Plain);
    }
}
