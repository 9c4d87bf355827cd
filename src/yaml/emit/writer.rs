//! A block-style YAML writer that reproduces libyaml's emitter as go-yaml v2
//! drives it (indent 2, width 80, unicode on): the same column bookkeeping,
//! the same places to fold long lines, the same escapes.
//!
//! Only what kustomize's output needs is here: block mappings and
//! sequences, `{}`/`[]` for empty ones, and the four scalar styles go-yaml
//! v2 chooses between.

use super::scalar::{analyze, is_break, is_printable, select_style, ScalarStyle};

const BEST_INDENT: isize = 2;
const BEST_WIDTH: usize = 80;
/// libyaml writes a mapping key longer than this (in bytes) as `? key`.
const MAX_SIMPLE_KEY: usize = 128;

/// A value ready to print: what go-yaml v2 holds after reading
/// kustomize's JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    /// A number, boolean or null, printed as is.
    Plain(String),
    Str(String),
    Seq(Vec<Out>),
    /// Entries already in output order.
    Map(Vec<(String, Out)>),
}

/// Where a node sits, which changes how libyaml writes it.
#[derive(Clone, Copy, Default)]
struct Ctx {
    /// A value or key of a block mapping.
    mapping: bool,
    /// A mapping key written without `?`: never folded.
    simple_key: bool,
}

pub struct Writer {
    out: String,
    column: usize,
    indent: isize,
    indents: Vec<isize>,
    /// The last thing written was whitespace (no separating space needed).
    whitespace: bool,
    /// Only indentation has been written on this line so far.
    indention: bool,
}

impl Writer {
    pub fn new() -> Writer {
        Writer { out: String::new(), column: 0, indent: -1, indents: Vec::new(), whitespace: true, indention: true }
    }

    /// Writes one document: the node, then a final line break.
    pub fn document(mut self, root: &Out) -> String {
        self.node(root, Ctx::default());
        self.write_indent();
        self.out
    }

    fn node(&mut self, value: &Out, ctx: Ctx) {
        match value {
            Out::Map(entries) if entries.is_empty() => self.empty_flow("{", "}"),
            Out::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Out::Map(entries) => self.block_mapping(entries),
            Out::Seq(items) => self.block_sequence(items, ctx),
            Out::Plain(text) => {
                let chars: Vec<char> = text.chars().collect();
                self.scalar(&chars, ScalarStyle::Plain, ctx);
            }
            Out::Str(s) => self.string(s, ctx),
        }
    }

    fn string(&mut self, s: &str, ctx: Ctx) {
        let chars: Vec<char> = s.chars().collect();
        let style = select_style(s, &analyze(&chars), ctx.simple_key);
        self.scalar(&chars, style, ctx);
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.indicator(open, true, true, false);
        self.indicator(close, false, false, false);
    }

    fn block_mapping(&mut self, entries: &[(String, Out)]) {
        self.increase_indent(false, false);
        let value_ctx = Ctx { mapping: true, simple_key: false };
        for (key, value) in entries {
            self.write_indent();
            let key_chars: Vec<char> = key.chars().collect();
            let simple = !analyze(&key_chars).multiline && key.len() <= MAX_SIMPLE_KEY;
            if simple {
                self.string(key, Ctx { mapping: true, simple_key: true });
                self.indicator(":", false, false, false);
            } else {
                self.indicator("?", true, false, true);
                self.string(key, value_ctx);
                self.write_indent();
                self.indicator(":", true, false, true);
            }
            self.node(value, value_ctx);
        }
        self.pop_indent();
    }

    fn block_sequence(&mut self, items: &[Out], ctx: Ctx) {
        // A list right after `key:` is not indented further ("compact").
        let indentless = ctx.mapping && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.indicator("-", true, false, true);
            self.node(item, Ctx::default());
        }
        self.pop_indent();
    }

    fn scalar(&mut self, chars: &[char], style: ScalarStyle, ctx: Ctx) {
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            ScalarStyle::Plain => self.plain(chars, allow_breaks),
            ScalarStyle::Single => self.single_quoted(chars, allow_breaks),
            ScalarStyle::Double => self.double_quoted(chars, allow_breaks),
            ScalarStyle::Literal => self.literal(chars),
        }
        self.pop_indent();
    }

    // --- libyaml's low-level output ---

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Copies a line break from the value: `\n` as a newline, any other
    /// break character as itself (libyaml still counts it as a new line).
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn indicator(&mut self, text: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in text.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    // --- the four scalar writers ---

    /// A line break inside a plain or single-quoted scalar: the first of a
    /// run is doubled (a lone break would fold into a space on reading).
    fn scalar_break(&mut self, c: char, after_break: bool) {
        if !after_break && c == '\n' {
            self.put_break();
        }
        self.write_break(c);
        self.indention = true;
    }

    fn plain(&mut self, chars: &[char], allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                self.scalar_break(c, breaks);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single_quoted(&mut self, chars: &[char], allow_breaks: bool) {
        self.indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        let last = chars.len().saturating_sub(1);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let can_fold = i > 0 && i < last && chars[i + 1] != ' ';
                if allow_breaks && !spaces && self.column > BEST_WIDTH && can_fold {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                self.scalar_break(c, breaks);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double_quoted(&mut self, chars: &[char], allow_breaks: bool) {
        self.indicator("\"", true, false, false);
        // libyaml's BOM test looks at the start of the value whatever the
        // position, so a value starting with U+FEFF is escaped throughout.
        let starts_with_bom = chars.first() == Some(&'\u{FEFF}');
        let mut spaces = false;
        let last = chars.len().saturating_sub(1);
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.escape(c);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i < last {
                    self.write_indent();
                    // A space starting the next line would be eaten by
                    // folding; escape it.
                    if chars[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn escape(&mut self, c: char) {
        self.put('\\');
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(s) = short {
            self.put(s);
            return;
        }
        let v = c as u32;
        let hex = if v <= 0xFF {
            format!("x{v:02X}")
        } else if v <= 0xFFFF {
            format!("u{v:04X}")
        } else {
            format!("U{v:08X}")
        };
        for h in hex.chars() {
            self.put(h);
        }
    }

    fn literal(&mut self, chars: &[char]) {
        self.indicator("|", true, false, false);
        self.block_scalar_hints(chars);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    /// The indentation indicator (when the text starts with a space or a
    /// break) and the chomping indicator: `-` without a final break, `+`
    /// with more than one (or only a break), none with exactly one.
    fn block_scalar_hints(&mut self, chars: &[char]) {
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let n = chars.len();
        let chomp = if n == 0 || !is_break(chars[n - 1]) {
            Some("-")
        } else if n == 1 || is_break(chars[n - 2]) {
            Some("+")
        } else {
            None
        };
        if let Some(chomp) = chomp {
            self.indicator(chomp, false, false, false);
        }
    }
}
