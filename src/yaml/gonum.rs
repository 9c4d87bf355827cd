//! Numbers as Go's strconv reads them (which decides how go-yaml resolves
//! a scalar) and as kustomize's JSON round trip prints them.
//!
//! A resource's number travels: YAML text → Go value (int, uint64 or
//! float64) → `encoding/json` text → go-yaml v2 value → go-yaml v2 text.
//! Integers come out in decimal. A float is printed by JSON in the shortest
//! round-tripping digits (`'f'` style between 1e-6 and 1e21, else `'e'`);
//! if that text reads back as an integer (`1000`, `15000000000000000000`)
//! go-yaml prints the integer, otherwise it prints the float with Go's
//! `%g`-like shortest format (`1e+21`, `1.2345675e+06`).

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then decimal, `0x`,
/// `0o`, `0b` or legacy-octal `0…` digits. `s` must have no underscores.
pub fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = split_sign(s);
    let magnitude = parse_unsigned(body)?;
    if neg {
        if magnitude > i64::MAX as u64 + 1 {
            return None;
        }
        Some((magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: no sign allowed.
pub fn go_parse_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    parse_unsigned(s)
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn parse_unsigned(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (radix, digits) = if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => (16, &s[2..]),
            b'o' | b'O' => (8, &s[2..]),
            b'b' | b'B' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text (with Go's rule that an
/// underscore must sit between two digits). `None` when the syntax is wrong
/// or the value overflows to infinity, as Go reports a range error then.
pub fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut mantissa_digits = 0;
    let mut saw_dot = false;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => mantissa_digits += 1,
            b'_' => {}
            b'.' if !saw_dot => saw_dot = true,
            _ => break,
        }
        i += 1;
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if i >= b.len() || !b[i].is_ascii_digit() {
            return None;
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    if i != b.len() || !underscores_ok(s) {
        return None;
    }
    let v: f64 = s.replace('_', "").parse().ok()?;
    v.is_finite().then_some(v)
}

/// Go's `underscoreOK` for decimal text: each `_` between two digits.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| c != b'_' || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
}

/// The shortest round-tripping decimal digits of a finite non-zero `v`, and
/// the position of the decimal point relative to them (Go's `digs.dp`):
/// `v = 0.d1d2d3… × 10^dp`.
fn shortest_digits(v: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest digits, as Go's strconv does, but
    // breaks an exact tie between two candidates upwards where Go picks the
    // even one (1276361131834942.25 → Go …942.2, Rust …942.3).
    let (digits, exp) = split_exp(&format!("{:e}", v.abs()));
    let digits = round_half_even(v.abs(), digits, exp);
    (digits, exp + 1)
}

/// `d.ddde±x` → (`dddd`, x).
fn split_exp(e: &str) -> (String, i32) {
    let (mantissa, exp) = e.split_once('e').unwrap_or((e, "0"));
    (mantissa.chars().filter(|c| *c != '.').collect(), exp.parse().unwrap_or(0))
}

fn round_half_even(v: f64, digits: String, exp: i32) -> String {
    let n = digits.len();
    // 767 significant digits hold any double exactly.
    let (exact, exact_exp) = split_exp(&format!("{:.770e}", v));
    if exact_exp != exp || exact.len() <= n {
        return digits;
    }
    let (truncated, rest) = exact.split_at(n);
    let is_tie = rest.trim_end_matches('0') == "5";
    let even = truncated.as_bytes()[n - 1] % 2 == 0;
    if !is_tie || !even || truncated == digits {
        return digits;
    }
    let candidate = format!("{}.{}e{exp}", &truncated[..1], &truncated[1..]);
    if candidate.parse::<f64>() == Ok(v) {
        truncated.to_string()
    } else {
        digits
    }
}

/// Go's `strconv.FormatFloat(v, 'g', -1, 64)` for a finite `v`.
pub fn format_go_g(v: f64) -> String {
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let (digits, dp) = shortest_digits(v);
    let sign = if v < 0.0 { "-" } else { "" };
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{dot}e{esign}{:02}", exp.abs())
    } else if dp <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-dp) as usize))
    } else if dp as usize >= digits.len() {
        format!("{sign}{digits}{}", "0".repeat(dp as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(dp as usize);
        format!("{sign}{int}.{frac}")
    }
}

/// What kustomize prints for a float64 value: through `encoding/json` and
/// back through go-yaml v2. `None` for NaN and infinities, which JSON
/// refuses.
pub fn float_output(v: f64) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    if v == 0.0 {
        return Some("0".into()); // JSON "-0" reads back as the integer 0
    }
    let abs = v.abs();
    if (1e-6..1e21).contains(&abs) {
        let (digits, dp) = shortest_digits(v);
        if dp > 0 && dp as usize >= digits.len() {
            // JSON printed an integer; go-yaml reads it as int or uint64 when
            // it fits, as a float again when it does not.
            let json = format!("{}{digits}{}", if v < 0.0 { "-" } else { "" }, "0".repeat(dp as usize - digits.len()));
            if go_parse_int(&json).is_some() || go_parse_uint(&json).is_some() {
                return Some(json);
            }
        }
    }
    Some(format_go_g(v))
}

/// Reads the text of a YAML float as go-yaml v3 does (underscores dropped,
/// `.inf`/`.nan` spellings). Infinite results of finite text (`1e400`) are
/// not floats to Go: `None`.
pub fn yaml_float_value(text: &str) -> Option<f64> {
    match text {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    go_parse_float(&text.replace('_', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_ints() {
        assert_eq!(go_parse_int("010"), Some(8));
        assert_eq!(go_parse_int("0x1F"), Some(31));
        assert_eq!(go_parse_int("-0b101"), Some(-5));
        assert_eq!(go_parse_int("0O17"), Some(15));
        assert_eq!(go_parse_int("+16"), Some(16));
        assert_eq!(go_parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(go_parse_int("9223372036854775808"), None);
        assert_eq!(go_parse_uint("9223372036854775808"), Some(1 << 63));
        assert_eq!(go_parse_uint("+1"), None);
        assert_eq!(go_parse_int("08"), None);
        assert_eq!(go_parse_int("0x"), None);
    }

    #[test]
    fn go_floats() {
        assert_eq!(go_parse_float(".5_5"), Some(0.55));
        assert_eq!(go_parse_float("._5"), None);
        assert_eq!(go_parse_float(".5_"), None);
        assert_eq!(go_parse_float(".5e"), None);
        assert_eq!(go_parse_float(".e3"), None);
        assert_eq!(go_parse_float("1e400"), None);
        assert_eq!(go_parse_float("-.5e3"), Some(-500.0));
    }

    #[test]
    fn g_format() {
        assert_eq!(format_go_g(1234567.5), "1.2345675e+06");
        assert_eq!(format_go_g(123456.5), "123456.5");
        assert_eq!(format_go_g(0.0001), "0.0001");
        assert_eq!(format_go_g(0.00001), "1e-05");
        assert_eq!(format_go_g(1e21), "1e+21");
        assert_eq!(format_go_g(1e100), "1e+100");
        assert_eq!(format_go_g(5e-324), "5e-324");
    }

    #[test]
    fn kustomize_float_output() {
        let out = |v: f64| float_output(v).unwrap();
        assert_eq!(out(1.0), "1");
        assert_eq!(out(1e3), "1000");
        assert_eq!(out(-0.0), "0");
        assert_eq!(out(1.5e19), "15000000000000000000");
        assert_eq!(out(18446744073709551616.0), "1.8446744073709552e+19");
        assert_eq!(out(-9223372036854775809.0), "-9.223372036854776e+18");
        assert_eq!(out(1e20), "1e+20");
        assert_eq!(out(1e-7), "1e-07");
        assert_eq!(out(0.000001), "1e-06");
        assert_eq!(out(123456789012345678901234.0), "1.2345678901234569e+23");
        // An exact tie between two shortest candidates goes to the even one.
        assert_eq!(out(1_276_361_131_834_942.3), "1.2763611318349422e+15");
        assert_eq!(float_output(f64::NAN), None);
    }
}
