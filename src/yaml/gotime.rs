//! The YAML timestamps go-yaml recognises, read the way Go's `time.Parse`
//! reads them, and printed the way Go's `time.Time` marshals to JSON.
//!
//! go-yaml (v2 and v3 alike) tries four layouts in turn:
//! `2006-1-2T15:4:5.999999999Z07:00`, the same with a lower-case `t`,
//! `2006-1-2 15:4:5.999999999` (no zone) and `2006-1-2`. Go's parser has
//! quirks that decide whether a string gets quoted on output, so they are
//! kept here: one- or two-digit fields, a `,` allowed before the fraction,
//! fractions longer than nine digits truncated, one or more spaces matching
//! the layout's single space, a zone that is `Z` or exactly `±hh:mm`.

/// A parsed timestamp: wall-clock fields as written plus the zone offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoTime {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    /// Seconds east of UTC.
    pub offset: i32,
}

/// Parses `s` as go-yaml's `parseTimestamp` would, or `None`.
pub fn parse(s: &str) -> Option<GoTime> {
    let b = s.as_bytes();
    // go-yaml's quick check: exactly four digits, then '-'.
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let mut c = Cursor { b, i: 5 };
    let year: u32 = s[..4].parse().ok()?;
    let month = c.num()?;
    c.byte(b'-')?;
    let day = c.num()?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date = GoTime { year, month, day, hour: 0, minute: 0, second: 0, nanos: 0, offset: 0 };
    if c.at_end() {
        return Some(date);
    }
    match b[c.i] {
        b'T' | b't' => {
            c.i += 1;
            let t = c.clock(date)?;
            let offset = c.zone()?;
            c.at_end().then_some(GoTime { offset, ..t })
        }
        b' ' => {
            // A space in a Go layout matches any run of spaces.
            while c.i < b.len() && b[c.i] == b' ' {
                c.i += 1;
            }
            let t = c.clock(date)?;
            c.at_end().then_some(t)
        }
        _ => None,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }
    fn digit(&self, k: usize) -> Option<u32> {
        self.b.get(self.i + k).filter(|c| c.is_ascii_digit()).map(|c| (c - b'0') as u32)
    }
    /// Go's `getnum(s, false)`: one digit, or two when there are two.
    fn num(&mut self) -> Option<u32> {
        let first = self.digit(0)?;
        match self.digit(1) {
            Some(second) => {
                self.i += 2;
                Some(first * 10 + second)
            }
            None => {
                self.i += 1;
                Some(first)
            }
        }
    }
    /// Exactly two digits (Go's fixed-width `getnum`).
    fn two(&mut self) -> Option<u32> {
        let v = self.digit(0)? * 10 + self.digit(1)?;
        self.i += 2;
        Some(v)
    }
    fn byte(&mut self, want: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&want)).then(|| self.i += 1)
    }
    /// `15:4:5` with an optional `.999999999` fraction.
    fn clock(&mut self, date: GoTime) -> Option<GoTime> {
        let hour = self.num()?;
        self.byte(b':')?;
        let minute = self.num()?;
        self.byte(b':')?;
        let second = self.num()?;
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut nanos = 0;
        let b = self.b;
        if self.i + 1 < b.len() && (b[self.i] == b'.' || b[self.i] == b',') && b[self.i + 1].is_ascii_digit() {
            self.i += 1;
            let start = self.i;
            while self.i < b.len() && b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            // Go keeps the first nine digits and ignores the rest.
            let digits = &b[start..self.i.min(start + 9)];
            nanos = digits.iter().fold(0u32, |n, d| n * 10 + (d - b'0') as u32) * 10u32.pow(9 - digits.len() as u32);
        }
        Some(GoTime { hour, minute, second, nanos, ..date })
    }
    /// `Z` or `±hh:mm` (Go's `Z07:00`).
    fn zone(&mut self) -> Option<i32> {
        let sign = match self.b.get(self.i)? {
            b'Z' => {
                self.i += 1;
                return Some(0);
            }
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.i += 1;
        let hours = self.two()?;
        self.byte(b':')?;
        let minutes = self.two()?;
        if hours > 24 || minutes > 60 {
            return None;
        }
        Some(sign * (hours as i32 * 3600 + minutes as i32 * 60))
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go's RFC 3339 with nanoseconds (`time.Time.MarshalJSON`): trailing zeros
/// of the fraction dropped, `Z` for a zero offset.
pub fn format_rfc3339_nano(t: &GoTime) -> String {
    let mut s = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second);
    if t.nanos > 0 {
        let frac = format!("{:09}", t.nanos);
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    if t.offset == 0 {
        s.push('Z');
    } else {
        let minutes = t.offset.unsigned_abs() / 60;
        s.push(if t.offset < 0 { '-' } else { '+' });
        s.push_str(&format!("{:02}:{:02}", minutes / 60, minutes % 60));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(s: &str) -> Option<String> {
        parse(s).map(|t| format_rfc3339_nano(&t))
    }

    #[test]
    fn accepts_go_layouts() {
        assert_eq!(rfc("2024-01-01").as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(rfc("2024-1-2").as_deref(), Some("2024-01-02T00:00:00Z"));
        assert_eq!(rfc("2024-01-01T10:00:00.500+02:00").as_deref(), Some("2024-01-01T10:00:00.5+02:00"));
        assert_eq!(rfc("2024-01-01t1:2:3Z").as_deref(), Some("2024-01-01T01:02:03Z"));
        assert_eq!(rfc("2024-01-01   10:00:00").as_deref(), Some("2024-01-01T10:00:00Z"));
        assert_eq!(rfc("2024-01-01T10:00:00,5Z").as_deref(), Some("2024-01-01T10:00:00.5Z"));
        assert_eq!(rfc("2024-01-01T10:00:00.1234567891Z").as_deref(), Some("2024-01-01T10:00:00.123456789Z"));
        assert_eq!(rfc("2024-01-01T10:00:00-00:00").as_deref(), Some("2024-01-01T10:00:00Z"));
    }

    #[test]
    fn rejects_what_go_rejects() {
        for s in [
            "2024-01-01T10:00:00",
            "2024-01-01t10:00:00z",
            "2024-01-01 10:00:00Z",
            "2024-01-01T1:2:3+2:00",
            "2024-02-30",
            "2024-13-01",
            "2024-01-01T24:00:00Z",
            "24-01-01",
            "2024-01-011",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
        assert!(parse("2024-02-29").is_some());
        assert!(parse("2023-02-29").is_none());
    }
}
