//! Dates as the `Date*` condition operators read them: ISO 8601 in UTC or
//! with an offset, or seconds since the Unix epoch. Parsed by hand (no date
//! crate): the formats are few and the conversion is a dozen lines.

use std::fmt::Write as _;

use super::context::StackStr;
use crate::calendar::{civil_from_days, days_from_civil, days_in_month};

/// Milliseconds since the Unix epoch, UTC. Millisecond precision is what
/// `DateEquals` can meaningfully compare; finer fractions are dropped.
pub(crate) type Millis = i64;

/// Reads `2024-05-01`, `2024-05-01T12:00Z`, `2024-05-01T12:00:00.250+02:00`,
/// or epoch seconds (`1714564800`). A time without a zone is UTC.
pub(crate) fn parse_date(text: &str) -> Option<Millis> {
    let text = text.trim();
    if !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().ok()?.checked_mul(1000);
    }
    let mut c = Cursor(text.as_bytes());
    let year = c.digits(4)?;
    c.expect(b'-')?;
    let month = c.digits(2)?;
    c.expect(b'-')?;
    let day = c.digits(2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    if c.0.is_empty() {
        return Some(millis);
    }
    if !matches!(c.next()?, b'T' | b't' | b' ') {
        return None;
    }
    let hour = c.digits(2)?;
    c.expect(b':')?;
    let minute = c.digits(2)?;
    let mut second = 0;
    let mut fraction_ms = 0;
    if c.peek() == Some(b':') {
        c.next();
        second = c.digits(2)?;
        if c.peek() == Some(b'.') {
            c.next();
            let mut scale = 100;
            let mut any = false;
            while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
                c.next();
                any = true;
                fraction_ms += i64::from(d - b'0') * scale;
                scale /= 10;
            }
            if !any {
                return None;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += ((hour * 60 + minute) * 60 + second) * 1000 + fraction_ms;
    let offset_minutes = match c.next() {
        None | Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let h = c.digits(2)?;
            if c.peek() == Some(b':') {
                c.next();
            }
            let m = c.digits(2)?;
            if h > 23 || m > 59 {
                return None;
            }
            if sign == b'+' {
                h * 60 + m
            } else {
                -(h * 60 + m)
            }
        }
        Some(_) => return None,
    };
    if !c.0.is_empty() {
        return None;
    }
    Some(millis - offset_minutes * 60_000)
}

/// Writes `2024-05-01T12:00:00Z`: the form of `aws:CurrentTime`.
pub(crate) fn format_iso(millis: Millis, out: &mut StackStr) {
    let secs = millis.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    // A StackStr holds 48 bytes; this is at most 26 for any i64.
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }

    fn next(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut value = 0;
        for _ in 0..n {
            let d = self.next().filter(u8::is_ascii_digit)?;
            value = value * 10 + i64::from(d - b'0');
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(millis: Millis) -> String {
        let mut s = StackStr::new();
        format_iso(millis, &mut s);
        s.as_str().to_owned()
    }

    #[test]
    fn reads_the_forms_iam_accepts() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("1970-01-02T00:00:00Z"), Some(86_400_000));
        assert_eq!(parse_date("2024-05-01T12:00:00Z"), Some(1_714_564_800_000));
        assert_eq!(parse_date("2024-05-01T12:00Z"), Some(1_714_564_800_000));
        assert_eq!(
            parse_date("2024-05-01T14:00:00+02:00"),
            Some(1_714_564_800_000)
        );
        assert_eq!(
            parse_date("2024-05-01T07:00:00-0500"),
            Some(1_714_564_800_000)
        );
        assert_eq!(
            parse_date("2024-05-01T12:00:00.250Z"),
            Some(1_714_564_800_250)
        );
        assert_eq!(parse_date("1714564800"), Some(1_714_564_800_000));
    }

    #[test]
    fn refuses_impossible_dates() {
        for bad in [
            "",
            "2024-",
            "-2024",
            "2024-13-01",
            "2023-02-29",
            "2024-04-31",
            "2024-05-01T25:00Z",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00Zjunk",
            "2024-05-01X12:00",
            "12345678901234567890",
            "२०२४-05-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2000-02-29").is_some());
        assert_eq!(parse_date("1900-02-29"), None);
    }

    #[test]
    fn formats_and_reads_back() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_714_564_800_999), "2024-05-01T12:00:00Z");
        assert_eq!(iso(-1000), "1969-12-31T23:59:59Z");
        for days in [-700_000_i64, -1, 0, 59, 60, 365, 11_016, 2_900_000] {
            let millis = days * 86_400_000 + 3_723_000;
            assert_eq!(parse_date(&iso(millis)), Some(millis), "{days}");
        }
    }
}
