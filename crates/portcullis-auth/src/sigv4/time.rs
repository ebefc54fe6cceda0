//! Request times: SigV4's `YYYYMMDD'T'HHMMSS'Z'` (`X-Amz-Date`), the HTTP
//! `Date` header's formats, and the arithmetic of the clock-skew window.
//!
//! Times are whole seconds since the Unix epoch in an `i64`, so that any
//! four-digit year, before 1970 included, is representable and no arithmetic
//! here can overflow or panic.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::calendar::{civil_from_days, days_from_civil, days_in_month};

/// A request time to the second, displayed as SigV4 writes it
/// (`20261205T120000Z`), as in AWS's clock-skew messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AmzDate(i64);

/// Seconds in a day.
const DAY: i64 = 86_400;

impl AmzDate {
    /// The time `now` falls in (sub-second parts dropped).
    pub fn from_system_time(now: SystemTime) -> Self {
        match now.duration_since(UNIX_EPOCH) {
            Ok(after) => Self(i64::try_from(after.as_secs()).unwrap_or(i64::MAX / 2)),
            // Before the epoch: round towards the past, like `floor`.
            Err(before) => {
                let before = before.duration();
                let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX / 2);
                Self(-secs - i64::from(before.subsec_nanos() > 0))
            }
        }
    }

    /// The same time as a [`SystemTime`], when the platform can hold it.
    pub fn to_system_time(self) -> Option<SystemTime> {
        let magnitude = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        }
    }

    /// Parses SigV4's basic ISO 8601 form, `YYYYMMDD'T'HHMMSS'Z'`, exactly.
    pub(crate) fn parse_basic(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
            return None;
        }
        let year = digits(&bytes[0..4])?;
        let month = digits(&bytes[4..6])?;
        let day = digits(&bytes[6..8])?;
        let hour = digits(&bytes[9..11])?;
        let minute = digits(&bytes[11..13])?;
        let second = digits(&bytes[13..15])?;
        Self::from_fields(year, month, day, hour, minute, second)
    }

    /// Parses an HTTP `Date` header: IMF-fixdate (`Sat, 05 Dec 2026 12:00:00
    /// GMT`), RFC 2822 with a numeric zone (`... 12:00:00 -0000`, what
    /// Python's `email.utils.formatdate` writes, so botocore), with or
    /// without the weekday; or SigV4's basic form.
    pub(crate) fn parse_http(text: &str) -> Option<Self> {
        if let Some(date) = Self::parse_basic(text) {
            return Some(date);
        }
        // The weekday, if any, is not checked (RFC 2822 makes it optional).
        let text = match text.split_once(',') {
            Some((_, rest)) => rest,
            None => text,
        };
        let mut fields = text.split_ascii_whitespace();
        let day = digits(fields.next()?.as_bytes())?;
        let month = month_number(fields.next()?)?;
        let year = fields.next()?;
        if year.len() != 4 {
            return None;
        }
        let year = digits(year.as_bytes())?;
        let time = fields.next()?.as_bytes();
        if time.len() != 8 || time[2] != b':' || time[5] != b':' {
            return None;
        }
        let offset = zone_offset(fields.next()?)?;
        if fields.next().is_some() {
            return None;
        }
        let local = Self::from_fields(
            year,
            month,
            day,
            digits(&time[0..2])?,
            digits(&time[3..5])?,
            digits(&time[6..8])?,
        )?;
        Some(Self(local.0 - offset))
    }

    fn from_fields(
        year: u32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Option<Self> {
        let valid = (1..=12).contains(&month)
            && day >= 1
            && i64::from(day) <= days_in_month(i64::from(year), i64::from(month))
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return None;
        }
        let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
        let secs = i64::from(hour * 3600 + minute * 60 + second);
        Some(Self(days * DAY + secs))
    }

    /// `YYYYMMDD`: the date a credential scope must name.
    pub(crate) fn date_stamp(self) -> [u8; 8] {
        let mut text = [b'0'; 8];
        text.copy_from_slice(&self.basic()[..8]);
        text
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`.
    pub(crate) fn basic(self) -> [u8; 16] {
        let days = self.0.div_euclid(DAY);
        let secs = self.0.rem_euclid(DAY);
        let (year, month, day) = civil_from_days(days);
        let mut out = *b"00000000T000000Z";
        put(&mut out[0..4], year.rem_euclid(10_000));
        put(&mut out[4..6], month);
        put(&mut out[6..8], day);
        put(&mut out[9..11], secs / 3600);
        put(&mut out[11..13], secs / 60 % 60);
        put(&mut out[13..15], secs % 60);
        out
    }

    /// This time moved by `by` (saturating; a window is minutes to a week).
    pub(crate) fn plus(self, by: Duration) -> Self {
        Self(self.0.saturating_add(secs_of(by)))
    }

    /// This time moved back by `by`.
    pub(crate) fn minus(self, by: Duration) -> Self {
        Self(self.0.saturating_sub(secs_of(by)))
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let basic = self.basic();
        // Always ASCII digits, `T` and `Z`.
        f.write_str(std::str::from_utf8(&basic).unwrap_or("?"))
    }
}

/// A window as AWS's skew messages write it: `5 min.`, or seconds when it
/// is not a whole number of minutes.
pub(crate) struct Window(pub(crate) Duration);

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        if secs.is_multiple_of(60) {
            write!(f, "{} min.", secs / 60)
        } else {
            write!(f, "{secs} sec.")
        }
    }
}

fn secs_of(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 2)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    bytes.iter().try_fold(0u32, |value, byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

fn put(out: &mut [u8], mut value: i64) {
    for slot in out.iter_mut().rev() {
        // `value` is non-negative here, so the digit is 0..=9.
        *slot = b'0' + u8::try_from(value % 10).unwrap_or(0);
        value /= 10;
    }
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS
        .iter()
        .position(|month| month.eq_ignore_ascii_case(name))?;
    u32::try_from(index + 1).ok()
}

/// The zone's offset east of UTC, in seconds.
fn zone_offset(zone: &str) -> Option<i64> {
    if ["GMT", "UTC", "UT", "Z"]
        .iter()
        .any(|name| zone.eq_ignore_ascii_case(name))
    {
        return Some(0);
    }
    let bytes = zone.as_bytes();
    if bytes.len() != 5 {
        return None;
    }
    let sign = match bytes[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = i64::from(digits(&bytes[1..3])?);
    let minutes = i64::from(digits(&bytes[3..5])?);
    (minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(date: AmzDate) -> String {
        date.to_string()
    }

    #[test]
    fn basic_form_round_trips() {
        for text in [
            "20261205T120000Z",
            "19700101T000000Z",
            "20000229T235959Z",
            "19691231T235959Z",
            "00010101T000000Z",
            "99991231T235959Z",
        ] {
            let date = AmzDate::parse_basic(text).unwrap();
            assert_eq!(basic(date), text);
        }
        assert_eq!(AmzDate::parse_basic("19700101T000001Z"), Some(AmzDate(1)));
        assert_eq!(AmzDate::parse_basic("19691231T235959Z"), Some(AmzDate(-1)));
    }

    #[test]
    fn basic_form_rejects_anything_else() {
        for text in [
            "",
            "20261205T120000",
            "20261205t120000Z",
            "2026-12-05T12:00:00Z",
            "20261305T120000Z",
            "20260230T120000Z",
            "20261205T240000Z",
            "20261205T126000Z",
            "20261205T120060Z",
            "2026120xT120000Z",
            "+0261205T120000Z",
            "20261205T120000Z ",
            "２０261205T120000Z",
        ] {
            assert_eq!(AmzDate::parse_basic(text), None, "{text:?}");
        }
    }

    #[test]
    fn http_dates_in_every_accepted_form() {
        let noon = AmzDate::parse_basic("20261205T120000Z");
        for text in [
            "Sat, 05 Dec 2026 12:00:00 GMT",
            "Sat, 05 Dec 2026 12:00:00 -0000",
            "Sat, 05 Dec 2026 12:00:00 +0000",
            "05 Dec 2026 12:00:00 GMT",
            "Sat, 5 Dec 2026 13:30:00 +0130",
            "Sat, 05 Dec 2026 07:00:00 -0500",
            "20261205T120000Z",
        ] {
            assert_eq!(AmzDate::parse_http(text), noon, "{text:?}");
        }
        for text in [
            "Sat, 05 Dec 26 12:00:00 GMT",
            "Sat, 05 Dek 2026 12:00:00 GMT",
            "Sat, 05 Dec 2026 12:00 GMT",
            "Sat, 05 Dec 2026 12:00:00 EST",
            "Sat, 05 Dec 2026 12:00:00 GMT x",
            "",
        ] {
            assert_eq!(AmzDate::parse_http(text), None, "{text:?}");
        }
    }

    #[test]
    fn system_time_conversions() {
        let noon = AmzDate::parse_basic("20261205T120000Z").unwrap();
        let time = noon.to_system_time().unwrap();
        assert_eq!(AmzDate::from_system_time(time), noon);
        assert_eq!(
            AmzDate::from_system_time(time + Duration::from_millis(999)),
            noon
        );
        let before = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(AmzDate::from_system_time(before), AmzDate(-1));
        assert_eq!(noon.date_stamp(), *b"20261205");
    }

    #[test]
    fn windows_read_like_aws() {
        assert_eq!(Window(Duration::from_secs(300)).to_string(), "5 min.");
        assert_eq!(Window(Duration::from_secs(90)).to_string(), "90 sec.");
        let noon = AmzDate::parse_basic("20261205T120000Z").unwrap();
        assert_eq!(
            noon.plus(Duration::from_secs(300)).to_string(),
            "20261205T120500Z"
        );
        assert_eq!(
            noon.minus(Duration::from_secs(13 * 3600)).to_string(),
            "20261204T230000Z"
        );
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let start = days_from_civil(1900, 1, 1);
        for days in start..start + 146_097 {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
    }
}
