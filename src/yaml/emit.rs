//! `Node` → text byte-identical to `kubectl kustomize`.
//!
//! kustomize prints each resource by converting it to JSON (Go's
//! `encoding/json`) and back through sigs.k8s.io/yaml, that is go-yaml v2
//! reading the JSON and writing YAML with libyaml's emitter. So the output
//! is: keys sorted in go-yaml's natural order, numbers normalised, YAML
//! 1.1-ambiguous strings double-quoted, long strings folded at 80 columns,
//! sequences not indented under their key.
//!
//! The work is split in two steps that mirror that path: `to_out` computes
//! what go-yaml v2 holds after reading the JSON (every scalar either a fixed
//! token like `1000`/`true`/`null` or a string), and `writer` prints it as
//! libyaml would.
//!
//! Known differences from kustomize, all rare:
//! - On key sets where go-yaml's order is not transitive (`1e3` < `2` <
//!   `10` < `1e3`) kustomize's order changes from run to run (Go sorts keys
//!   taken in random map order); ours is one fixed order.
//! - Key order treats letters as Go's `unicode.IsLetter` does except for
//!   combining marks with the Alphabetic property, and digits other than
//!   ASCII `0`–`9` as non-digits.

mod resolve;
mod scalar;
mod sort;
mod writer;

use super::gonum as number;
use super::gotime;
use super::node::{Kind, Node, Scalar, Value};
use crate::error::{Error, Result};
use writer::{Out, Writer};

/// One document, ending with a newline.
pub fn emit_node(node: &Node) -> String {
    Writer::new().document(&to_out(node))
}

/// Documents separated by `---` lines, as `kustomize build` prints them.
pub fn emit_documents(docs: &[Node]) -> String {
    docs.iter().map(emit_node).collect::<Vec<_>>().join("---\n")
}

/// Checks every document as kustomize would ([`check_json_compatible`]),
/// then prints them: the whole output step of `kustomize build`.
pub fn emit_checked(docs: &[Node]) -> Result<String> {
    docs.iter().try_for_each(check_json_compatible)?;
    Ok(emit_documents(docs))
}

/// go-yaml v2's order of map keys: whether key `a` prints before key `b`.
pub fn key_less(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    sort::key_less(&a, &b)
}

/// Fails where kustomize fails to print a resource: keys that are not
/// strings below the top level (`json: unsupported type`), null or
/// collection keys anywhere, NaN and infinite numbers (`json: unsupported
/// value`), and text go-yaml cannot read back from the JSON (`control
/// characters are not allowed`).
pub fn check_json_compatible(node: &Node) -> Result<()> {
    check(node, true)
}

fn check(node: &Node, root: bool) -> Result<()> {
    match &node.value {
        Value::Scalar(s) => check_scalar(node, s),
        Value::Seq(items) => items.iter().try_for_each(|item| check(item, false)),
        Value::Map(entries) => entries.iter().try_for_each(|(k, v)| {
            check_key(k, root)?;
            check(v, false)
        }),
    }
}

fn check_key(key: &Node, root: bool) -> Result<()> {
    let Some(s) = key.as_scalar() else {
        return Err(Error::at(
            &key.span,
            format!("a mapping key must be text, not {}; Kubernetes resources are JSON objects, whose keys are strings", key.shape()),
        ));
    };
    // At the top level kustomize reads keys straight into strings, so only
    // null is refused there; deeper down any non-string key breaks JSON.
    let what = match s.kind {
        Kind::Str => None,
        // Out of float range (`1e400`): go-yaml v3 reads it as a string.
        Kind::Float if number::yaml_float_value(&s.text).is_none() => None,
        Kind::Null => Some("null (an empty key)"),
        _ if root => None,
        Kind::Int | Kind::Float => Some("a number"),
        Kind::Bool => Some("a boolean"),
        Kind::Timestamp => Some("a date"),
    };
    if let Some(what) = what {
        return Err(Error::at(
            &key.span,
            format!(
                "the key {} is read as {what}, but keys inside a Kubernetes resource must be text (kustomize fails with \"json: unsupported type\"); quote it: \"{}\"",
                s.text, s.text
            ),
        ));
    }
    check_text(key, &s.text)?;
    check_key_fits_json_reader(key, &s.text)
}

/// go-yaml v2 reads each JSON key as an implicit key, which must sit on one
/// line and end within 1024 characters of where it starts.
fn check_key_fits_json_reader(key: &Node, text: &str) -> Result<()> {
    if text.contains('\u{85}') {
        return Err(Error::at(
            &key.span,
            "this key contains a NEL line break (U+0085); kustomize cannot print keys that span lines (\"did not find expected ',' or '}'\")",
        ));
    }
    let json_len = 2 + text.chars().map(json_escaped_len).sum::<usize>();
    if json_len > 1024 {
        return Err(Error::at(
            &key.span,
            format!(
                "this key is too long for kustomize: written as JSON it takes {json_len} characters, and kustomize's YAML reader accepts at most 1024 (\"did not find expected ',' or '}}'\")"
            ),
        ));
    }
    Ok(())
}

/// How many characters Go's `encoding/json` writes for `c` in a string.
fn json_escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
        c if (c as u32) < 0x20 => 6,
        _ => 1,
    }
}

fn check_scalar(node: &Node, s: &Scalar) -> Result<()> {
    match s.kind {
        Kind::Str => check_text(node, &s.text),
        Kind::Float => match number::yaml_float_value(&s.text) {
            Some(v) if !v.is_finite() => Err(Error::at(
                &node.span,
                format!(
                    "the value {} is not a number JSON can hold (NaN and infinity are not allowed; kustomize fails with \"json: unsupported value\"); quote it if you mean the text \"{}\"",
                    s.text, s.text
                ),
            )),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Text passes through JSON, where go-yaml v2's reader then refuses some
/// characters and treats NEL (U+0085) as a line break.
fn check_text(node: &Node, text: &str) -> Result<()> {
    if text.bytes().all(|b| b < 0x7F) {
        return Ok(()); // ASCII below DEL has nothing to refuse
    }
    if let Some(c) = text.chars().find(|&c| is_refused_by_reader(c)) {
        return Err(Error::at(
            &node.span,
            format!(
                "this text contains the control character U+{:04X}, which kustomize cannot print (\"control characters are not allowed\"); remove it or write it another way",
                c as u32
            ),
        ));
    }
    if !text.contains('\u{85}') {
        return Ok(());
    }
    let chars: Vec<char> = text.chars().collect();
    for (i, w) in chars.windows(5).enumerate() {
        let marker = (w[1] == w[2] && w[2] == w[3]) && (w[1] == '-' || w[1] == '.');
        let blank_after = w[4] == ' ' || w[4] == '\u{85}';
        if w[0] == '\u{85}' && marker && blank_after {
            let m: String = chars[i + 1..i + 4].iter().collect();
            return Err(Error::at(
                &node.span,
                format!(
                    "this text has a NEL line break (U+0085) right before \"{m}\", which kustomize's YAML reader takes for a document marker (\"found unexpected document indicator\"); use a normal line break"
                ),
            ));
        }
    }
    Ok(())
}

/// Characters go-yaml v2's reader rejects and Go's JSON does not escape.
fn is_refused_by_reader(c: char) -> bool {
    matches!(c as u32, 0x7F..=0x84 | 0x86..=0x9F | 0xFFFE | 0xFFFF)
}

/// The value go-yaml v2 holds after kustomize's JSON round trip, map keys
/// sorted as it sorts them. Keys are taken as their text: that is what
/// kustomize does at the top level, and deeper non-string keys are refused
/// by [`check_json_compatible`].
fn to_out(node: &Node) -> Out {
    match &node.value {
        Value::Scalar(s) => scalar_out(s),
        Value::Seq(items) => Out::Seq(items.iter().map(to_out).collect()),
        Value::Map(entries) => {
            let mut out: Vec<(String, Out)> =
                entries.iter().map(|(k, v)| (json_string(k.as_str().unwrap_or_default()), to_out(v))).collect();
            sort::sort_keys(&mut out, |(k, _)| k.as_str());
            Out::Map(out)
        }
    }
}

fn scalar_out(s: &Scalar) -> Out {
    let text = s.text.as_str();
    match s.kind {
        Kind::Str => Out::Str(json_string(text)),
        Kind::Null => Out::Plain("null".into()),
        Kind::Bool => {
            let truthy = matches!(text.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "y");
            Out::Plain(truthy.to_string())
        }
        Kind::Int => int_out(text),
        Kind::Float => float_out(text),
        Kind::Timestamp => match gotime::parse(text) {
            Some(t) => Out::Str(gotime::format_rfc3339_nano(&t)),
            None => Out::Str(json_string(text)),
        },
    }
}

/// go-yaml v3 reads an int as int64, else uint64, else a float; all print
/// in decimal.
fn int_out(text: &str) -> Out {
    let plain = text.replace('_', "");
    if let Some(v) = number::go_parse_int(&plain) {
        return Out::Plain(v.to_string());
    }
    if let Some(v) = number::go_parse_uint(&plain) {
        return Out::Plain(v.to_string());
    }
    float_out(text)
}

fn float_out(text: &str) -> Out {
    match number::yaml_float_value(text) {
        Some(v) if v.is_nan() => Out::Plain(".nan".into()),
        Some(v) if v.is_infinite() => Out::Plain(if v < 0.0 { "-.inf" } else { ".inf" }.into()),
        Some(v) => Out::Plain(number::float_output(v).unwrap_or_default()),
        // Out of float range: Go does not take it for a number at all.
        None => Out::Str(json_string(text)),
    }
}

/// A string as go-yaml v2 reads it back from Go's JSON. JSON escapes every
/// line break but NEL (U+0085), which YAML 1.1 folds like a newline inside
/// the double-quoted JSON string: blanks around it vanish, one NEL becomes
/// a space, `n` more become `n` newlines.
fn json_string(s: &str) -> String {
    if !s.contains('\u{85}') {
        return s.to_string();
    }
    const NEL: char = '\u{85}';
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != ' ' && chars[i] != NEL {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut spaces = 0;
        let mut breaks = 0;
        while i < chars.len() && (chars[i] == ' ' || chars[i] == NEL) {
            if chars[i] == NEL {
                breaks += 1;
            } else if breaks == 0 {
                spaces += 1;
            }
            i += 1;
        }
        match breaks {
            0 => out.extend(std::iter::repeat_n(' ', spaces)),
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    /// Emits the value of `v` in a one-key mapping, as kustomize would.
    fn emit(yaml: &str) -> String {
        let docs = parse_documents("t.yaml", yaml).unwrap();
        emit_node(&docs[0])
    }

    fn value(v: &str) -> String {
        let out = emit(&format!("v: {v}\n"));
        out.strip_prefix("v:").unwrap().trim_start_matches(' ').to_string()
    }

    #[test]
    fn sorts_keys_naturally() {
        assert_eq!(emit("e: 1\nbig: 2\nb: 3\nB: 4\n_u: 5\na10: 6\na9: 7\n"), "_u: 5\nB: 4\na9: 7\na10: 6\nb: 3\nbig: 2\ne: 1\n");
    }

    #[test]
    fn normalises_ints() {
        assert_eq!(value("010"), "8\n");
        assert_eq!(value("0x1F"), "31\n");
        assert_eq!(value("1_000"), "1000\n");
        assert_eq!(value("-0"), "0\n");
        assert_eq!(value("+5"), "5\n");
        assert_eq!(value("0b101"), "5\n");
        assert_eq!(value("0o17"), "15\n");
        assert_eq!(value("12345678901234567890"), "12345678901234567890\n");
        assert_eq!(value("-9223372036854775809"), "-9.223372036854776e+18\n");
    }

    #[test]
    fn normalises_floats() {
        assert_eq!(value("1.0"), "1\n");
        assert_eq!(value("1e3"), "1000\n");
        assert_eq!(value("1e21"), "1e+21\n");
        assert_eq!(value("1e-7"), "1e-07\n");
        assert_eq!(value("0.000001"), "1e-06\n");
        assert_eq!(value("1234567.5"), "1.2345675e+06\n");
        assert_eq!(value(".5"), "0.5\n");
        assert_eq!(value("-0.0"), "0\n");
        assert_eq!(value("08"), "8\n");
        assert_eq!(value("1e400"), "1e400\n");
    }

    #[test]
    fn bools_nulls_timestamps() {
        assert_eq!(value("True"), "true\n");
        assert_eq!(value("FALSE"), "false\n");
        assert_eq!(value("~"), "null\n");
        assert_eq!(value(""), "null\n");
        assert_eq!(value("2024-01-01"), "\"2024-01-01T00:00:00Z\"\n");
        assert_eq!(value("2024-01-01T10:00:00.500+02:00"), "\"2024-01-01T10:00:00.5+02:00\"\n");
        assert_eq!(value("'2024-01-01'"), "\"2024-01-01\"\n");
    }

    #[test]
    fn quotes_ambiguous_strings() {
        for s in ["true", "yes", "on", "y", "n", "8080", "1e3", "2024-01-01", "", "~", "1:20", "0x1F", "+.5", "null"] {
            assert_eq!(value(&format!("'{s}'")), format!("\"{s}\"\n"), "{s:?}");
        }
        assert_eq!(value("'yes please'"), "yes please\n");
    }

    #[test]
    fn single_quotes_syntax() {
        assert_eq!(value("'- item'"), "'- item'\n");
        assert_eq!(value("'a: b'"), "'a: b'\n");
        assert_eq!(value("'x #y'"), "'x #y'\n");
        assert_eq!(value("' padded'"), "' padded'\n");
        assert_eq!(value("'*'"), "'*'\n");
        assert_eq!(value("\"'\""), "''''\n");
        assert_eq!(value("'[{\"path\": 1}]'"), "'[{\"path\": 1}]'\n");
        assert_eq!(value("'trailing '"), "'trailing '\n");
        assert_eq!(value("'---'"), "'---'\n");
        assert_eq!(value("a:b"), "a:b\n");
    }

    #[test]
    fn block_literals() {
        assert_eq!(value("\"a\\nb\\n\""), "|\n  a\n  b\n");
        assert_eq!(value("\"a\\nb\""), "|-\n  a\n  b\n");
        assert_eq!(value("\"a\\nb\\n\\n\""), "|+\n  a\n  b\n\n");
        assert_eq!(value("\" a\\nb\\n\""), "|2\n   a\n  b\n");
        assert_eq!(value("\"\\n\""), "|2+\n\n");
        assert_eq!(value("\"a\\n\\n b\\n\""), "|\n  a\n\n   b\n");
    }

    #[test]
    fn double_quotes_what_blocks_cannot_hold() {
        assert_eq!(value("\"trail \\nx\""), "\"trail \\nx\"\n");
        assert_eq!(value("\"a\\tb\""), "\"a\\tb\"\n");
        assert_eq!(value("\"a\\x01b\""), "\"a\\x01b\"\n");
        assert_eq!(value("\"hi \\U0001F600\""), "\"hi \\U0001F600\"\n");
        assert_eq!(value("\"\\uFEFFab\""), "\"\\uFEFF\\x61\\x62\"\n");
        assert_eq!(value("h\u{e9}llo"), "h\u{e9}llo\n");
        assert_eq!(value("\"foo\\Lbar\""), "'foo\u{2028}  bar'\n");
    }

    #[test]
    fn nel_folds_through_json() {
        assert_eq!(json_string("foo\u{85}bar"), "foo bar");
        assert_eq!(json_string("x  \u{85}  \u{85}y"), "x\ny");
        assert_eq!(json_string("a \u{85}"), "a ");
    }

    #[test]
    fn folds_long_lines() {
        let words = "word ".repeat(30);
        let long = words.trim_end();
        let out = value(long);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].len() > 77 && lines[0].len() < 90, "{out}");
        assert!(lines[1].starts_with("  word"));
        assert_eq!(out.replace("\n  ", " "), format!("{long}\n"));
        // Keys are never folded; long ones are written as `? key`.
        let key = "k".repeat(130);
        assert_eq!(emit(&format!("{key}: v\n")), format!("? {key}\n: v\n"));
    }

    /// Outputs recorded from kubectl kustomize: where each style folds.
    #[test]
    fn folds_where_libyaml_folds() {
        let x80 = "x".repeat(80);
        // Past column 80 at a space: the next line is indented, and in double
        // quotes a space that would start it is escaped.
        assert_eq!(emit(&format!("dq: \"\\t{x80}  y\"\n")), format!("dq: \"\\t{x80}\n  \\ y\"\n"));
        assert_eq!(emit(&format!("dq: \"\\t{x80} y\"\n")), format!("dq: \"\\t{x80}\n  y\"\n"));
        let a79 = "a".repeat(79);
        assert_eq!(emit(&format!("pl: {a79} b c\n")), format!("pl: {a79}\n  b c\n"));
        // Columns count characters, not bytes.
        let u79 = "\u{fc}".repeat(79);
        assert_eq!(emit(&format!("uni: {u79} b c\n")), format!("uni: {u79}\n  b c\n"));
        let x75 = "x".repeat(75);
        assert_eq!(emit(&format!("sq: '- {x75} yy zz'\n")), format!("sq: '- {x75}\n  yy zz'\n"));
        // Literal blocks are never folded.
        let long = "word ".repeat(30);
        let long = long.trim_end();
        assert_eq!(emit(&format!("l: \"{long}\\nx\"\n")), format!("l: |-\n  {long}\n  x\n"));
    }

    #[test]
    fn compact_sequences_and_nesting() {
        assert_eq!(emit("a:\n  - 1\n  - [2, 3]\n  - {x: 1, b: 2}\n"), "a:\n- 1\n- - 2\n  - 3\n- b: 2\n  x: 1\n");
        assert_eq!(emit("a: {}\nb: []\nc:\n  d: {e: []}\n"), "a: {}\nb: []\nc:\n  d:\n    e: []\n");
        assert_eq!(emit("- 1\n- a: [x]\n"), "- 1\n- a:\n  - x\n");
    }

    #[test]
    fn quotes_keys() {
        assert_eq!(emit("'n': 0\n'on': 'on'\n'yes': 'yes'\n"), "\"n\": 0\n\"on\": \"on\"\n\"yes\": \"yes\"\n");
        assert_eq!(emit("'': x\n"), "\"\": x\n");
        assert_eq!(emit("\"multi\\nkey\": v\n"), "? |-\n  multi\n  key\n: v\n");
        // Top-level keys of other kinds are taken as their text.
        assert_eq!(emit("10: x\ntrue: z\n"), "\"10\": x\n\"true\": z\n");
    }

    #[test]
    fn joins_documents() {
        let docs = parse_documents("t.yaml", "a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(emit_documents(&docs), "a: 1\n---\nb: 2\n");
        assert_eq!(emit_checked(&docs).unwrap(), "a: 1\n---\nb: 2\n");
        let bad = parse_documents("t.yaml", "a: 1\n---\nb: {1: x}\n").unwrap();
        assert_eq!(emit_checked(&bad).unwrap_err().span.unwrap().line, 3);
    }

    fn check_str(yaml: &str) -> Result<()> {
        check_json_compatible(&parse_documents("t.yaml", yaml).unwrap()[0])
    }

    #[test]
    fn refuses_what_kustomize_refuses() {
        assert!(check_str("data:\n  10: x\n").unwrap_err().message.contains("number"));
        assert!(check_str("data:\n  true: x\n").unwrap_err().message.contains("boolean"));
        assert!(check_str("data:\n  1.5: x\n").is_err());
        assert!(check_str("data:\n  2024-01-01: x\n").unwrap_err().message.contains("date"));
        assert!(check_str("l:\n- 10: x\n").is_err());
        assert!(check_str("null: x\n").is_err());
        assert!(check_str("k: .nan\n").unwrap_err().message.contains("NaN"));
        assert!(check_str("k: [1, -.inf]\n").is_err());
        assert!(check_str("k: \"a\\x7Fb\"\n").unwrap_err().message.contains("U+007F"));
        assert!(check_str("k: \"a\\u0085--- b\"\n").is_err());
        assert!(check_str("data:\n  \"a\\u0085b\": v\n").unwrap_err().message.contains("NEL"));
        assert!(check_str(&format!("data:\n  {}: v\n", "k".repeat(1023))).unwrap_err().message.contains("1024"));
        assert!(check_str(&format!("data:\n  {}: v\n", "k".repeat(1022))).is_ok());
        assert!(check_str(&format!("data:\n  \"{}\": v\n", "<".repeat(171))).is_err());
        assert!(check_str(&format!("data:\n  \"{}\": v\n", "<".repeat(170))).is_ok());
        let e = check_str("a: 1\ndata:\n  10: x\n").unwrap_err();
        assert_eq!((e.span.as_ref().unwrap().line, e.span.as_ref().unwrap().col), (3, 3));
    }

    #[test]
    fn accepts_what_kustomize_accepts() {
        assert!(check_str("10: x\ntrue: y\n2024-01-01: z\n").is_ok());
        assert!(check_str("data:\n  \"10\": x\n  1e400: y\n  k: 1e400\n  n: \"a\\u0085 --- b\"\n").is_ok());
    }
}
