//! `postBuild` variable substitution as the kustomize-controller runs it:
//! Flux's envsubst dialect (fluxcd/pkg envsubst, a fork of drone/envsubst)
//! over every resource of the build.
//!
//! The controller substitutes the YAML text of each resource and parses it
//! again. We substitute scalar by scalar instead, which keeps every node's
//! file and line for error messages and lints, and re-read a changed plain
//! scalar with YAML 1.1 rules as the controller's re-parse does (so
//! `replicas: ${N}` becomes a number). The scanner below reproduces the
//! fork's quirks on purpose: `$$` is an escape anywhere in the text,
//! `${var-default}` is a syntax error, `${var:+x}` and `${var:?x}` act as
//! defaults, and a malformed `${` fails the whole build.

use crate::error::{Error, Result};
use crate::yaml::parse::resolve_yaml11;
use crate::yaml::{Kind, Node, Span, Value};
use std::collections::BTreeMap;

/// The label or annotation that opts a resource out.
pub const DISABLE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// Variables for one Kustomization, already merged: `substituteFrom` in
/// order (later wins), then the inline `substitute` map on top.
#[derive(Clone, Debug, Default)]
pub struct Variables {
    pub values: BTreeMap<String, String>,
}

impl Variables {
    /// Adds a variable; values lose their newlines, as in the controller.
    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.replace('\n', ""));
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// Every name must match `^[_[:alpha:]][_[:alpha:][:digit:]]*$`.
    pub fn check_names(&self) -> std::result::Result<(), String> {
        for name in self.values.keys() {
            let mut chars = name.chars();
            let ok =
                chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic()) && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
            if !ok {
                return Err(format!("'{}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'", name));
            }
        }
        Ok(())
    }
}

/// A `${var}` that had no value and no default.
#[derive(Clone, Debug, PartialEq)]
pub struct Unresolved {
    pub name: String,
    pub span: Span,
}

/// Whether a resource opts out with `kustomize.toolkit.fluxcd.io/substitute: disabled`.
pub fn is_disabled(node: &Node) -> bool {
    ["labels", "annotations"].iter().any(|f| node.path(&["metadata", f, DISABLE_KEY]).and_then(|n| n.as_str()) == Some("disabled"))
}

/// Substitutes one resource in place. In strict mode a variable with no
/// value and no default is an error; otherwise it becomes empty and is
/// reported in `unresolved`.
pub fn substitute_resource(node: &mut Node, vars: &Variables, strict: bool, unresolved: &mut Vec<Unresolved>) -> Result<()> {
    substitute_resource_reading(node, vars, strict, unresolved, &mut Vec::new())
}

/// `substitute_resource`, also telling which variables were read and where,
/// so that a value that cannot be shown (an encrypted one) can be named.
pub fn substitute_resource_reading(
    node: &mut Node,
    vars: &Variables,
    strict: bool,
    unresolved: &mut Vec<Unresolved>,
    read: &mut Vec<(String, Span)>,
) -> Result<()> {
    match &mut node.value {
        Value::Scalar(s) => {
            if !s.text.contains('$') {
                return Ok(());
            }
            let mut missing = Vec::new();
            let mut names = Vec::new();
            let out = eval_reading(&s.text, &vars.values, strict, &mut missing, &mut names)
                .map_err(|e| Error::at(&node.span, format!("envsubst error: variable substitution failed: {}", e)))?;
            unresolved.extend(missing.into_iter().map(|name| Unresolved { name, span: node.span.clone() }));
            read.extend(names.into_iter().map(|name| (name, node.span.clone())));
            if out != s.text {
                if s.kind == Kind::Str && emitted_plain(&s.text) {
                    s.kind = match resolve_yaml11(&out) {
                        Kind::Timestamp => Kind::Str,
                        k => k,
                    };
                }
                s.text = out;
            }
            Ok(())
        }
        Value::Seq(items) => items.iter_mut().try_for_each(|i| substitute_resource_reading(i, vars, strict, unresolved, read)),
        Value::Map(entries) => entries.iter_mut().try_for_each(|(k, v)| {
            substitute_resource_reading(k, vars, strict, unresolved, read)?;
            substitute_resource_reading(v, vars, strict, unresolved, read)
        }),
    }
}

/// Whether go-yaml v2 prints this string without quotes, so that the
/// controller's re-parse reads the substituted text as a new plain scalar.
fn emitted_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.ends_with(':')
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains('\n')
        && resolve_yaml11(text) == Kind::Str
}

/// Evaluates Flux's envsubst on `text` with the variables `vars`.
/// In strict mode a missing variable without a default operator is an
/// error; otherwise it reads as empty and its name goes to `missing`.
pub fn eval(text: &str, vars: &BTreeMap<String, String>, strict: bool, missing: &mut Vec<String>) -> std::result::Result<String, String> {
    eval_reading(text, vars, strict, missing, &mut Vec::new())
}

/// `eval`, also listing the variables whose value was read into `read`.
pub fn eval_reading(
    text: &str,
    vars: &BTreeMap<String, String>,
    strict: bool,
    missing: &mut Vec<String>,
    read: &mut Vec<String>,
) -> std::result::Result<String, String> {
    let nodes = Parser::new(text).parse()?;
    let mut out = String::new();
    for n in &nodes {
        out.push_str(&n.eval(vars, strict, missing, read)?);
    }
    Ok(out)
}

// ---- parse tree and evaluation ---------------------------------------

#[derive(Debug)]
enum Part {
    Text(String),
    /// `${param<op>args…}`; `op` is empty for a plain `${param}`.
    Func {
        param: String,
        op: String,
        args: Vec<Part>,
    },
}

impl Part {
    fn eval(
        &self,
        vars: &BTreeMap<String, String>,
        strict: bool,
        missing: &mut Vec<String>,
        read: &mut Vec<String>,
    ) -> std::result::Result<String, String> {
        match self {
            Part::Text(t) => Ok(t.clone()),
            Part::Func { param, op, args } => {
                // Arguments are evaluated first, even when the variable is set.
                let args: Vec<String> = args.iter().map(|a| a.eval(vars, strict, missing, read)).collect::<std::result::Result<_, _>>()?;
                let value = match vars.get(param) {
                    Some(v) => {
                        read.push(param.clone());
                        v.clone()
                    }
                    None if is_default_op(op) => String::new(),
                    None if strict => return Err(format!("variable not set (strict mode): {:?}", param)),
                    None => {
                        missing.push(param.clone());
                        String::new()
                    }
                };
                Ok(apply(op, &value, &args))
            }
        }
    }
}

fn is_default_op(op: &str) -> bool {
    matches!(op, "-" | "+" | "=" | "?" | ":-" | ":+" | ":=" | ":?")
}

fn apply(op: &str, s: &str, args: &[String]) -> String {
    let arg = |i: usize| args.get(i).map(|a| a.as_str());
    match op {
        "," => first_char(s, |c| c.to_lowercase().collect()),
        ",," => s.to_lowercase(),
        "^" => first_char(s, |c| c.to_uppercase().collect()),
        "^^" => s.to_uppercase(),
        "#" if args.is_empty() => s.len().to_string(),
        "#" => arg(0).map(|p| trim_prefix(s, p, true)).unwrap_or_else(|| s.to_string()),
        "##" => arg(0).map(|p| trim_prefix(s, p, false)).unwrap_or_else(|| s.to_string()),
        "%" => arg(0).map(|p| trim_suffix(s, p, true)).unwrap_or_else(|| s.to_string()),
        "%%" => arg(0).map(|p| trim_suffix(s, p, false)).unwrap_or_else(|| s.to_string()),
        ":" => substring(s, args),
        "/#" => match args {
            [p, r] if s.starts_with(p.as_str()) => s.replacen(p.as_str(), r, 1),
            _ => s.to_string(),
        },
        "/%" => match args {
            [p, r] if s.ends_with(p.as_str()) => format!("{}{}", &s[..s.len() - p.len()], r),
            _ => s.to_string(),
        },
        "/" => match args {
            [] => s.to_string(),
            [p] => s.replacen(p.as_str(), "", 1),
            [p, r, ..] => s.replacen(p.as_str(), r, 1),
        },
        "//" => match args {
            [] => s.to_string(),
            [p] => s.replace(p.as_str(), ""),
            [p, r, ..] => s.replace(p.as_str(), r),
        },
        // Plain `${var}` and every default operator.
        _ if s.is_empty() && !args.is_empty() => args.concat(),
        _ => s.to_string(),
    }
}

fn first_char(s: &str, f: impl Fn(char) -> String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => f(c) + chars.as_str(),
        None => String::new(),
    }
}

/// `${var:offset}` and `${var:offset:length}`, on bytes as in Go.
fn substring(s: &str, args: &[String]) -> String {
    let bytes = s.as_bytes();
    let slice = |a: usize, b: usize| String::from_utf8_lossy(&bytes[a..b.max(a)]).into_owned();
    let Some(first) = args.first() else { return s.to_string() };
    let Ok(mut pos) = first.parse::<i64>() else { return s.to_string() };
    let len = bytes.len() as i64;
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let Some(second) = args.get(1) else {
        return if pos < len { slice(pos as usize, bytes.len()) } else { String::new() };
    };
    let Ok(length) = second.parse::<i64>() else { return s.to_string() };
    if pos + length >= len {
        return if pos < len { slice(pos as usize, bytes.len()) } else { String::new() };
    }
    slice(pos as usize, (pos + length).max(0) as usize)
}

/// `#`/`##`: removes the shortest or longest prefix matching a glob.
fn trim_prefix(s: &str, pattern: &str, shortest: bool) -> String {
    let mut found: Option<usize> = None;
    // Candidates from the longest down to one byte, as the fork walks them.
    for end in (1..=s.len()).rev() {
        if !s.is_char_boundary(end) {
            continue;
        }
        match glob(pattern, &s[..end]) {
            Err(()) => return s.to_string(),
            Ok(true) => {
                found = Some(end);
                if !shortest {
                    break;
                }
            }
            Ok(false) => {}
        }
    }
    match found {
        Some(end) => s[end..].to_string(),
        None => s.to_string(),
    }
}

/// `%`/`%%`: the same on the reversed text and reversed pattern.
fn trim_suffix(s: &str, pattern: &str, shortest: bool) -> String {
    let rev = |t: &str| t.chars().rev().collect::<String>();
    rev(&trim_prefix(&rev(s), &rev(pattern), shortest))
}

/// Go's `path.Match` without separators: `*`, `?`, `[…]` (with `^`
/// negation and ranges) and `\` escapes. `Err` for a malformed pattern.
fn glob(pattern: &str, name: &str) -> std::result::Result<bool, ()> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_at(&p, &n)
}

fn glob_at(p: &[char], n: &[char]) -> std::result::Result<bool, ()> {
    let Some(&c) = p.first() else { return Ok(n.is_empty()) };
    match c {
        '*' => {
            for skip in 0..=n.len() {
                if glob_at(&p[1..], &n[skip..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '?' => Ok(!n.is_empty() && glob_at(&p[1..], &n[1..])?),
        '[' => {
            let (matched, rest) = class(&p[1..], n.first().copied())?;
            Ok(matched && glob_at(rest, &n[1..])?)
        }
        '\\' => {
            let &e = p.get(1).ok_or(())?;
            Ok(n.first() == Some(&e) && glob_at(&p[2..], &n[1..])?)
        }
        _ => Ok(n.first() == Some(&c) && glob_at(&p[1..], &n[1..])?),
    }
}

/// A character class after its `[`: whether `c` is in it, and the pattern after `]`.
fn class(p: &[char], c: Option<char>) -> std::result::Result<(bool, &[char]), ()> {
    let mut i = 0;
    let negated = p.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let &ch = p.get(i).ok_or(())?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            i += 1;
            *p.get(i).ok_or(())?
        } else {
            ch
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&x| x != ']') {
            i += 1;
            hi = if p[i] == '\\' {
                i += 1;
                *p.get(i).ok_or(())?
            } else {
                p[i]
            };
            i += 1;
        }
        if c.is_some_and(|c| lo <= c && c <= hi) {
            hit = true;
        }
    }
    Ok((c.is_some() && hit != negated, &p[i..]))
}

// ---- the scanner ----------------------------------------------------

const IDENT: u8 = 1;
const LBRACK: u8 = 2;
const RBRACK: u8 = 4;
const ESCAPE: u8 = 8;
const ESC_DOLLAR: u8 = 1;
const ESC_ALL: u8 = 3;

#[derive(PartialEq)]
enum Token {
    Illegal,
    Eof,
    Ident,
    Lbrack,
    Rbrack,
}

/// Which characters a token may hold; `i` is the 1-based position in it.
#[derive(Clone, Copy)]
enum Accept {
    Any,
    Ident,
    Colon,
    OneColon,
    OneHash,
    OneEqual,
    NotClosing,
    NotSlash,
    Slash,
    HashOp,
    PercentOp,
    DefaultOp,
    ReplaceOp,
    CaseOp,
    RejectColonClose,
}

impl Accept {
    fn ok(self, r: char, i: usize) -> bool {
        match self {
            Accept::Any => true,
            Accept::Ident => r.is_alphanumeric() || r == '_',
            Accept::Colon => r == ':',
            Accept::OneColon => i == 1 && r == ':',
            Accept::OneHash => i == 1 && r == '#',
            Accept::OneEqual => i == 1 && r == '=',
            Accept::NotClosing => r != '}',
            Accept::NotSlash => r != '/',
            Accept::Slash => r == '/',
            Accept::HashOp => r == '#' && i < 3,
            Accept::PercentOp => r == '%' && i < 3,
            Accept::DefaultOp => (i == 1 && r == ':') || (i == 2 && "=-?+".contains(r)),
            Accept::ReplaceOp => (i == 1 && r == '/') || (i == 2 && "/#%".contains(r)),
            Accept::CaseOp => (r == ',' || r == '^') && i < 3,
            Accept::RejectColonClose => r != ':' && r != '}',
        }
    }
}

struct Parser {
    buf: Vec<char>,
    pos: usize,
    start: usize,
    /// Width of the last read: 0 at the end, so that stepping back there is a no-op.
    width: usize,
    mode: u8,
    escapes: u8,
    accept: Accept,
}

impl Parser {
    fn new(text: &str) -> Parser {
        Parser { buf: text.chars().collect(), pos: 0, start: 0, width: 0, mode: 0, escapes: 0, accept: Accept::Any }
    }

    fn read(&mut self) -> Option<char> {
        match self.buf.get(self.pos) {
            Some(&c) => {
                self.width = 1;
                self.pos += 1;
                Some(c)
            }
            None => {
                self.width = 0;
                None
            }
        }
    }
    fn unread(&mut self) {
        self.pos -= self.width;
    }
    fn peek(&mut self) -> Option<char> {
        let c = self.read();
        self.unread();
        c
    }
    /// Drops the escape character just read.
    fn skip(&mut self) {
        self.buf.remove(self.pos - 1);
    }
    fn token(&self) -> String {
        self.buf[self.start..self.pos].iter().collect()
    }

    fn scan(&mut self) -> Token {
        self.start = self.pos;
        match self.read() {
            None => Token::Eof,
            Some(r) if self.scan_lbrack(r) => Token::Lbrack,
            Some(r) if self.mode & RBRACK != 0 && r == '}' => Token::Rbrack,
            Some(r) if self.scan_ident(r) => Token::Ident,
            Some(_) => Token::Illegal,
        }
    }
    fn scan_lbrack(&mut self, r: char) -> bool {
        if self.mode & LBRACK == 0 || r != '$' {
            return false;
        }
        if self.read() == Some('{') {
            return true;
        }
        self.unread();
        false
    }
    fn scan_escaped(&mut self, r: char) -> bool {
        if self.mode & ESCAPE == 0 {
            return false;
        }
        match r {
            '$' if self.escapes & ESC_DOLLAR != 0 => self.peek() == Some('$'),
            '\\' if self.escapes & 2 != 0 => matches!(self.peek(), Some('/') | Some('\\')),
            _ => false,
        }
    }
    fn scan_ident(&mut self, r: char) -> bool {
        if self.mode & IDENT == 0 {
            return false;
        }
        if self.scan_escaped(r) {
            self.skip();
        } else if !self.accept.ok(r, self.pos - self.start) {
            return false;
        }
        loop {
            let Some(r) = self.read() else {
                self.unread();
                break;
            };
            if self.scan_lbrack(r) {
                self.unread();
                self.unread();
                break;
            }
            if self.scan_escaped(r) {
                self.skip();
                continue;
            }
            if !self.accept.ok(r, self.pos - self.start) {
                self.unread();
                break;
            }
        }
        true
    }

    fn parse(&mut self) -> std::result::Result<Vec<Part>, String> {
        let mut parts = Vec::new();
        loop {
            self.accept = Accept::Any;
            self.mode = IDENT | LBRACK | ESCAPE;
            self.escapes = ESC_DOLLAR;
            match self.scan() {
                Token::Ident => parts.push(Part::Text(self.token())),
                Token::Eof => return Ok(parts),
                Token::Lbrack => parts.push(self.parse_func()?),
                _ => return Err("bad substitution".into()),
            }
        }
    }

    fn scan_with(&mut self, accept: Accept, mode: u8) -> Token {
        self.accept = accept;
        self.mode = mode;
        self.scan()
    }

    fn parse_func(&mut self) -> std::result::Result<Part, String> {
        self.escapes = ESC_ALL;
        if self.peek() == Some('#') {
            return self.parse_len();
        }
        if self.scan_with(Accept::Ident, IDENT) != Token::Ident {
            return Err("unable to parse variable name".into());
        }
        let param = self.token();
        match self.peek() {
            Some(':') => {
                self.read();
                let next = self.peek();
                self.unread();
                if next.is_some_and(|c| "=-?+".contains(c)) {
                    self.parse_default(param)
                } else {
                    self.parse_substring(param)
                }
            }
            Some('=') => self.parse_default(param),
            Some(',') | Some('^') => {
                let op = self.op(Accept::CaseOp)?;
                self.close()?;
                Ok(Part::Func { param, op, args: vec![] })
            }
            Some('/') => self.parse_replace(param),
            Some('#') => self.parse_remove(param, Accept::HashOp),
            Some('%') => self.parse_remove(param, Accept::PercentOp),
            _ => match self.scan_with(Accept::Ident, RBRACK) {
                Token::Rbrack => Ok(Part::Func { param, op: String::new(), args: vec![] }),
                _ => Err("missing closing brace".into()),
            },
        }
    }

    /// Scans an operator token.
    fn op(&mut self, accept: Accept) -> std::result::Result<String, String> {
        match self.scan_with(accept, IDENT) {
            Token::Ident => Ok(self.token()),
            _ => Err("bad substitution".into()),
        }
    }

    fn close(&mut self) -> std::result::Result<(), String> {
        self.mode = RBRACK;
        match self.scan() {
            Token::Rbrack => Ok(()),
            _ => Err("bad substitution".into()),
        }
    }

    fn param(&mut self, accept: Accept, mode: u8) -> std::result::Result<Part, String> {
        match self.scan_with(accept, mode | LBRACK) {
            Token::Lbrack => self.parse_func(),
            Token::Ident | Token::Rbrack => Ok(Part::Text(self.token())),
            _ => Err("unable to parse substitution within function".into()),
        }
    }

    fn parse_len(&mut self) -> std::result::Result<Part, String> {
        let op = self.op(Accept::OneHash)?;
        let param = match self.scan_with(Accept::Ident, IDENT) {
            Token::Ident => self.token(),
            _ => return Err("bad substitution".into()),
        };
        self.close()?;
        Ok(Part::Func { param, op, args: vec![] })
    }

    fn parse_default(&mut self, param: String) -> std::result::Result<Part, String> {
        let accept = if self.peek() == Some('=') { Accept::OneEqual } else { Accept::DefaultOp };
        let op = self.op(accept).map_err(|_| "unable to parse default function".to_string())?;
        let mut args = Vec::new();
        loop {
            if self.peek() == Some('}') {
                self.close()?;
                return Ok(Part::Func { param, op, args });
            }
            args.push(self.param(Accept::NotClosing, IDENT)?);
        }
    }

    fn parse_substring(&mut self, param: String) -> std::result::Result<Part, String> {
        let op = self.op(Accept::OneColon)?;
        let mut args = vec![self.param(Accept::RejectColonClose, IDENT)?];
        match self.scan_with(Accept::Colon, IDENT | RBRACK) {
            Token::Rbrack => return Ok(Part::Func { param, op, args }),
            Token::Ident => {}
            _ => return Err("bad substitution".into()),
        }
        args.push(self.param(Accept::NotClosing, IDENT)?);
        self.close()?;
        Ok(Part::Func { param, op, args })
    }

    fn parse_remove(&mut self, param: String, accept: Accept) -> std::result::Result<Part, String> {
        let op = self.op(accept)?;
        let args = vec![self.param(Accept::NotClosing, IDENT)?];
        self.close()?;
        Ok(Part::Func { param, op, args })
    }

    fn parse_replace(&mut self, param: String) -> std::result::Result<Part, String> {
        let op = self.op(Accept::ReplaceOp)?;
        let mut args = vec![self.param(Accept::NotSlash, IDENT | ESCAPE)?];
        if self.scan_with(Accept::Slash, IDENT) != Token::Ident {
            return Err("bad substitution".into());
        }
        if self.peek() != Some('}') {
            args.push(self.param(Accept::NotClosing, IDENT | ESCAPE)?);
        }
        self.close()?;
        Ok(Part::Func { param, op, args })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, vars: &[(&str, &str)], strict: bool) -> std::result::Result<String, String> {
        let map: BTreeMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut missing = Vec::new();
        eval(text, &map, strict, &mut missing)
    }
    fn ok(text: &str, vars: &[(&str, &str)]) -> String {
        run(text, vars, true).unwrap()
    }

    // The table of fluxcd/pkg envsubst/README.md, case by case.
    #[test]
    fn readme_functions() {
        let v = [("var", "abcdEFGH"), ("empty", ""), ("path", "dir/sub/file.tar.gz")];
        assert_eq!(ok("${var}", &v), "abcdEFGH");
        assert_eq!(ok("${#var}", &v), "8");
        assert_eq!(ok("${var^}", &[("var", "abc")]), "Abc");
        assert_eq!(ok("${var^^}", &v), "ABCDEFGH");
        assert_eq!(ok("${var,}", &[("var", "ABC")]), "aBC");
        assert_eq!(ok("${var,,}", &v), "abcdefgh");
        assert_eq!(ok("${var:2}", &v), "cdEFGH");
        assert_eq!(ok("${var:2:3}", &v), "cdE");
        assert_eq!(ok("${var:-3}", &v), "abcdEFGH"); // `:-` is the default operator, not a negative offset
        assert_eq!(ok("${path#*/}", &v), "sub/file.tar.gz");
        assert_eq!(ok("${path##*/}", &v), "file.tar.gz");
        assert_eq!(ok("${path%.*}", &v), "dir/sub/file.tar");
        assert_eq!(ok("${path%%.*}", &v), "dir/sub/file");
        assert_eq!(ok("${empty:-dflt}", &v), "dflt");
        assert_eq!(ok("${unset:-dflt}", &v), "dflt");
        assert_eq!(ok("${empty:=dflt}", &v), "dflt");
        assert_eq!(ok("${unset=dflt}", &v), "dflt");
        assert_eq!(ok("${var:=dflt}", &v), "abcdEFGH");
        assert_eq!(ok("${path/\\//_}", &v), "dir_sub/file.tar.gz");
        assert_eq!(ok("${path//\\//_}", &v), "dir_sub_file.tar.gz");
        assert_eq!(ok("${path/#dir/root}", &v), "root/sub/file.tar.gz");
        assert_eq!(ok("${path/%gz/bz2}", &v), "dir/sub/file.tar.bz2");
    }

    #[test]
    fn escapes_and_text() {
        assert_eq!(ok("$${var}", &[("var", "x")]), "${var}");
        assert_eq!(ok("echo $$HOME and $HOME", &[]), "echo $HOME and $HOME");
        assert_eq!(ok("a-${v}-b", &[("v", "1")]), "a-1-b");
        assert_eq!(ok("${a:=${b}}", &[("b", "B")]), "B");
        assert_eq!(ok("no vars here: $ {x}", &[]), "no vars here: $ {x}");
    }

    #[test]
    fn strict_mode_and_missing() {
        assert_eq!(run("${missing}", &[], true).unwrap_err(), "variable not set (strict mode): \"missing\"");
        assert_eq!(run("${missing}", &[], false).unwrap(), "");
        assert_eq!(run("${missing:=d}", &[], true).unwrap(), "d");
        assert_eq!(run("${missing:=}", &[], true).unwrap(), "");
    }

    #[test]
    fn fork_quirks() {
        assert!(run("${}", &[], true).is_err());
        assert!(run("${var-default}", &[("var", "x")], true).is_err());
        assert!(run("${unclosed", &[], true).is_err());
        assert_eq!(ok("${v:+alt}", &[]), "alt");
    }

    #[test]
    fn resources_keep_types_like_the_controller() {
        let doc = crate::yaml::parse_documents(
            "/r.yaml",
            "spec:\n  replicas: ${N}\n  name: \"${N}\"\n  flag: ${F}\n  image: app:${TAG:=1.0}\n  keep: x\n",
        )
        .unwrap()
        .remove(0);
        let mut node = doc;
        let mut vars = Variables::default();
        vars.set("N", "5");
        vars.set("F", "on");
        let mut unresolved = Vec::new();
        substitute_resource(&mut node, &vars, true, &mut unresolved).unwrap();
        let kind = |k: &str| node.path(&["spec", k]).and_then(|n| n.as_scalar()).map(|s| (s.text.clone(), s.kind)).unwrap();
        // The controller prints `${N}` unquoted whatever the source quoting was, then re-reads it.
        assert_eq!(kind("replicas"), ("5".to_string(), Kind::Int));
        assert_eq!(kind("name"), ("5".to_string(), Kind::Int));
        assert_eq!(kind("flag"), ("on".to_string(), Kind::Bool));
        assert_eq!(kind("image"), ("app:1.0".to_string(), Kind::Str));
        assert!(unresolved.is_empty());
        let mut bad = Variables::default();
        bad.set("my-var", "x");
        assert!(bad.check_names().is_err());
    }
}
