//! Would go-yaml v2 read this string back as something else? If so, its
//! encoder double-quotes it. v2 speaks YAML 1.1: `yes`, `on`, `y`, `~`,
//! timestamps, `0b`/octal ints and base-60 numbers all count.

use crate::yaml::gonum::{go_parse_float, go_parse_int, go_parse_uint};
use crate::yaml::gotime;
use crate::yaml::parse::is_yaml_float;

/// True when a plain `s` would not be read back as the same string.
pub fn needs_quotes(s: &str) -> bool {
    resolves_to_non_string(s) || is_base60_float(s)
}

/// go-yaml v2 `resolve("", s)` returns a tag other than `!!str`.
fn resolves_to_non_string(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true; // the empty plain scalar is null
    };
    // v2 looks at the first byte to decide what to try at all.
    let hint = match first {
        b'+' | b'-' => 'S',
        b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        _ => return false,
    };
    if is_special_word(s) {
        return true;
    }
    match hint {
        '.' => go_parse_float(s).is_some(),
        'D' | 'S' => is_number_or_time(s),
        _ => false,
    }
}

/// v2's table of fixed spellings: YAML 1.1 booleans, nulls, inf and nan.
fn is_special_word(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "true"
            | "True"
            | "TRUE"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "false"
            | "False"
            | "FALSE"
            | "off"
            | "Off"
            | "OFF"
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    )
}

/// The digit/sign branch of v2's resolve: timestamp, int, uint, float, or
/// binary int, tried in that order.
fn is_number_or_time(s: &str) -> bool {
    if gotime::parse(s).is_some() {
        return true;
    }
    let plain = s.replace('_', "");
    if go_parse_int(&plain).is_some() || go_parse_uint(&plain).is_some() {
        return true;
    }
    if is_yaml_float(&plain) && go_parse_float(&plain).is_some() {
        return true;
    }
    if let Some(bits) = plain.strip_prefix("0b") {
        // Go's ParseInt(bits, 2) takes a sign; its ParseUint does not.
        return i64::from_str_radix(bits, 2).is_ok() || (!bits.starts_with('+') && u64::from_str_radix(bits, 2).is_ok());
    }
    if let Some(bits) = plain.strip_prefix("-0b") {
        return i64::from_str_radix(&format!("-{bits}"), 2).is_ok();
    }
    false
}

/// YAML 1.1 base-60 numbers (`1:20`, `-1:20:30.5`), which v2 does not read
/// but still quotes for other parsers' sake:
/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, frac) = match body.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (body, None),
    };
    if let Some(f) = frac {
        if !f.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
            return false;
        }
    }
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or("");
    if !head.starts_with(|c: char| c.is_ascii_digit()) || !head.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return false;
    }
    let mut sixties = 0;
    for part in parts {
        let b = part.as_bytes();
        let ok = match b.len() {
            1 => b[0].is_ascii_digit(),
            2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
        sixties += 1;
    }
    sixties > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_like_go_yaml_v2() {
        for s in [
            "",
            "~",
            "yes",
            "Yes",
            "n",
            "ON",
            "off",
            "true",
            "Null",
            "8080",
            "010",
            "0x1F",
            "1e3",
            "1E5",
            "1e+5",
            "+.5",
            ".5",
            ".5_5",
            "1_000.5",
            "0x_1F",
            "1_",
            "08",
            "0_8",
            "-0b101",
            "+0b101",
            "0o17",
            "2024-1-1",
            "2024-01-01T10:00:00Z",
            "2024-01-01 10:00:00",
            "2024-01-01T10:00:00,5Z",
            "1:20",
            "-1:20:30.5",
            "190:20:30",
            "-.inf",
            ".NaN",
        ] {
            assert!(needs_quotes(s), "{s:?} should be quoted");
        }
    }

    #[test]
    fn plain_like_go_yaml_v2() {
        for s in [
            "abc",
            "<<",
            "._5",
            ".5e",
            ".",
            "..",
            "1e400",
            "0xFFFFFFFFFFFFFFFFF",
            "+0xFFFFFFFFFFFFFFFF",
            "_1",
            "nUll",
            "tRUE",
            "oFF",
            "2024-01-01T10:00:00",
            "2024-01-01t10:00:00z",
            "2024-02-30",
            "2024-01-01T1:2:3+2:00",
            "1:60",
            "0b102",
            "0o18",
            "0x1p3",
            "inf",
            "nan",
            "1.2.3",
            "1,000",
            "-",
        ] {
            assert!(!needs_quotes(s), "{s:?} should stay plain");
        }
    }
}
