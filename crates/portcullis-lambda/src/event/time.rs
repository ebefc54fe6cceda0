//! `requestTime` / `time`: AWS's CLF-style timestamp, `dd/MMM/yyyy:HH:mm:ss +0000`.
//!
//! Derived from the epoch milliseconds so `requestTime` and `requestTimeEpoch`
//! can never disagree, and without a date-time dependency (the arithmetic is
//! the well-known days-to-civil conversion for the proleptic Gregorian calendar).

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats `epoch_ms` (milliseconds since the Unix epoch, UTC) the way API
/// Gateway fills `$context.requestTime`: `12/Mar/2020:19:03:58 +0000`.
///
/// Milliseconds are dropped, as AWS does; the zone is always `+0000`.
pub fn format_request_time(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (hour, minute, second) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{day:02}/{}/{year:04}:{hour:02}:{minute:02}:{second:02} +0000",
        MONTHS[(month - 1) as usize]
    )
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of a year.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::format_request_time;

    #[test]
    fn matches_the_timestamps_aws_prints_next_to_their_epochs() {
        // Pairs as they appear together in events AWS generated (the guide's
        // own 2.0 example pairs 1583348638390 with "12/Mar", a typo: it is the 4th).
        assert_eq!(
            format_request_time(1_583_348_638_390),
            "04/Mar/2020:19:03:58 +0000"
        );
        assert_eq!(
            format_request_time(1_587_481_701_067),
            "21/Apr/2020:15:08:21 +0000"
        );
        assert_eq!(
            format_request_time(1_644_163_454_741),
            "06/Feb/2022:16:04:14 +0000"
        );
        assert_eq!(
            format_request_time(1_664_298_630_836),
            "27/Sep/2022:17:10:30 +0000"
        );
    }

    #[test]
    fn handles_epoch_leap_days_and_far_future() {
        assert_eq!(format_request_time(0), "01/Jan/1970:00:00:00 +0000");
        // 2024-02-29T23:59:59.999Z
        assert_eq!(
            format_request_time(1_709_251_199_999),
            "29/Feb/2024:23:59:59 +0000"
        );
        // Never panics, whatever the clock says.
        let _ = format_request_time(u64::MAX);
    }
}
