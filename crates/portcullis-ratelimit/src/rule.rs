//! What a limit says: a [`Throttle`] (token bucket) or a [`Quota`] (requests
//! per calendar period). Built once, checked on every request, so the
//! arithmetic a check needs is done here.

use std::time::Duration;

const NANOS_PER_SECOND: f64 = 1e9;
const NANOS_PER_DAY: u64 = 86_400 * 1_000_000_000;

/// A limit that cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// The rate is negative, not a number or infinite.
    #[error("the rate limit must be a finite number of requests per second, 0 or more; got {0}")]
    Rate(f64),
    /// The rate is so small that one request's interval overflows.
    #[error(
        "the rate limit {0} per second is too small: one request per {1:?} or less cannot be represented; use 0 to refuse every request"
    )]
    RateTooSmall(f64, Duration),
}

/// A token bucket: `rate` requests per second on average, `burst` at once.
///
/// Enforced as GCRA (the generic cell rate algorithm): each key keeps one
/// "theoretical arrival time" (TAT). A request at `now` is admitted when
/// `max(TAT, now) + interval - now <= tolerance`, and then moves TAT to
/// `max(TAT, now) + interval`. With `tolerance = burst × interval` this admits
/// exactly what a bucket of `burst` tokens refilled at `rate` per second
/// admits: `burst` at once from idle, then one per `interval`.
///
/// A rate or a burst of 0 refuses every request (AWS's way to block a method).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    rate: f64,
    burst: u64,
    interval_nanos: u64,
    tolerance_nanos: u64,
}

impl Throttle {
    /// A bucket of `burst` tokens refilled at `rate` per second.
    ///
    /// ```
    /// use portcullis_ratelimit::Throttle;
    ///
    /// let throttle = Throttle::new(100.0, 50).unwrap();
    /// assert_eq!(throttle.interval().as_millis(), 10);
    /// assert!(Throttle::new(f64::NAN, 1).is_err());
    /// ```
    pub fn new(rate: f64, burst: u64) -> Result<Self, RuleError> {
        if !rate.is_finite() || rate < 0.0 {
            return Err(RuleError::Rate(rate));
        }
        let (interval_nanos, tolerance_nanos) = if rate == 0.0 || burst == 0 {
            (u64::MAX, 0)
        } else {
            let interval = (NANOS_PER_SECOND / rate).round();
            // Above ~584 years per request, u64 nanoseconds overflow.
            if interval >= u64::MAX as f64 / 2.0 {
                return Err(RuleError::RateTooSmall(
                    rate,
                    Duration::from_secs(u64::MAX / 2_000_000_000),
                ));
            }
            let interval = (interval as u64).max(1);
            (interval, interval.saturating_mul(burst))
        };
        Ok(Self {
            rate,
            burst,
            interval_nanos,
            tolerance_nanos,
        })
    }

    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Requests admitted at once from idle.
    pub fn burst(&self) -> u64 {
        self.burst
    }

    /// Time between two requests at the steady rate (`u64::MAX` ns when it refuses everything).
    pub fn interval(&self) -> Duration {
        Duration::from_nanos(self.interval_nanos)
    }

    /// The emission interval in nanoseconds, as stores use it.
    pub fn interval_nanos(&self) -> u64 {
        self.interval_nanos
    }

    /// `burst × interval` in nanoseconds: how far ahead of now a key's TAT may run.
    pub fn tolerance_nanos(&self) -> u64 {
        self.tolerance_nanos
    }

    /// Whether every request is refused (rate or burst 0).
    pub fn refuses_all(&self) -> bool {
        self.tolerance_nanos == 0
    }

    /// One GCRA step: given the key's TAT (0 for a key never seen) and now,
    /// the new TAT when admitted, or how long until it would be.
    ///
    /// Stores call this (the Redis script mirrors it) so that every store
    /// admits exactly the same requests.
    pub fn step(&self, tat: u64, now: u64) -> Result<u64, Duration> {
        if self.refuses_all() {
            return Err(Duration::from_nanos(u64::MAX));
        }
        let new_tat = tat.max(now).saturating_add(self.interval_nanos);
        let ahead = new_tat - now;
        if ahead <= self.tolerance_nanos {
            Ok(new_tat)
        } else {
            Err(Duration::from_nanos(ahead - self.tolerance_nanos))
        }
    }

    /// Requests still admissible at once for a key whose TAT is `tat`.
    pub fn remaining(&self, tat: u64, now: u64) -> u64 {
        if self.refuses_all() {
            return 0;
        }
        let ahead = tat.saturating_sub(now);
        self.tolerance_nanos.saturating_sub(ahead) / self.interval_nanos
    }
}

/// A calendar period in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// From 00:00 UTC.
    Day,
    /// From Monday 00:00 UTC (ISO weeks; AWS does not say which day its weeks start).
    Week,
    /// From the first of the month, 00:00 UTC.
    Month,
}

impl Period {
    /// AWS's name for the period: `DAY`, `WEEK`, `MONTH`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Period::Day => "DAY",
            Period::Week => "WEEK",
            Period::Month => "MONTH",
        }
    }

    /// The number of the period holding `nanos` (since the Unix epoch):
    /// days, weeks or months since 1970-01 (weeks counted from Monday 1969-12-29).
    pub fn index(&self, nanos: u64) -> u64 {
        let days = nanos / NANOS_PER_DAY;
        match self {
            Period::Day => days,
            // 1970-01-01 was a Thursday: three days after Monday.
            Period::Week => (days + 3) / 7,
            Period::Month => {
                let (year, month, _) = civil_from_days(days);
                (year - 1970) * 12 + (month - 1)
            }
        }
    }

    /// When period `index` starts, in nanoseconds since the Unix epoch.
    pub fn start(&self, index: u64) -> u64 {
        let days = match self {
            Period::Day => index,
            Period::Week => (index * 7).saturating_sub(3),
            Period::Month => days_from_civil(1970 + index / 12, index % 12 + 1, 1),
        };
        days.saturating_mul(NANOS_PER_DAY)
    }

    /// How long from `nanos` until the period holding it ends.
    pub fn until_next(&self, nanos: u64) -> Duration {
        Duration::from_nanos(self.start(self.index(nanos) + 1).saturating_sub(nanos))
    }
}

impl std::str::FromStr for Period {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_uppercase().as_str() {
            "DAY" => Ok(Period::Day),
            "WEEK" => Ok(Period::Week),
            "MONTH" => Ok(Period::Month),
            _ => Err(format!(
                "`{text}` is not a quota period; expected DAY, WEEK or MONTH"
            )),
        }
    }
}

/// A number of requests per calendar period.
///
/// As in AWS's `QuotaSettings`, `offset` is a number of requests taken off
/// the first period's limit (the period holding the plan's start), not a
/// time shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    limit: u64,
    period: Period,
    offset: u64,
    first_period: u64,
}

impl Quota {
    /// `limit` requests per `period`.
    pub fn new(limit: u64, period: Period) -> Self {
        Self {
            limit,
            period,
            offset: 0,
            first_period: 0,
        }
    }

    /// A counter with no limit: usage recorded per period, nothing refused.
    pub fn unlimited(period: Period) -> Self {
        Self::new(u64::MAX, period)
    }

    /// Takes `offset` requests off the limit of the period holding `start`
    /// (nanoseconds since the Unix epoch).
    pub fn with_offset(mut self, offset: u64, start: u64) -> Self {
        self.offset = offset;
        self.first_period = self.period.index(start);
        self
    }

    /// Requests per period.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The period.
    pub fn period(&self) -> Period {
        self.period
    }

    /// Requests taken off the first period.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// How many requests period `index` admits.
    pub fn allowance(&self, index: u64) -> u64 {
        if self.offset > 0 && index == self.first_period {
            self.limit.saturating_sub(self.offset)
        } else {
            self.limit
        }
    }
}

/// Year, month (1-12), day (1-31) of a count of days since 1970-01-01 (UTC).
pub fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so that leap days end each 400-year era.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date (year ≥ 1970; 0 before).
pub fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 {
        year.saturating_sub(1)
    } else {
        year
    };
    let era = year / 400;
    let year_of_era = year % 400;
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).saturating_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = NANOS_PER_DAY;

    #[test]
    fn gcra_admits_the_burst_then_the_rate() {
        let throttle = Throttle::new(100.0, 50).unwrap();
        let mut tat = 0;
        let now = 1_000 * DAY;
        let mut admitted = 0;
        while let Ok(next) = throttle.step(tat, now) {
            tat = next;
            admitted += 1;
        }
        assert_eq!(admitted, 50);
        assert_eq!(throttle.remaining(tat, now), 0);
        let wait = throttle.step(tat, now).unwrap_err();
        assert_eq!(wait, Duration::from_millis(10));
        assert!(throttle.step(tat, now + 10_000_000).is_ok());
        assert_eq!(throttle.remaining(tat, now + 1_000_000_000), 50);
    }

    #[test]
    fn fractional_rates_and_blocks() {
        let throttle = Throttle::new(0.5, 1).unwrap();
        assert_eq!(throttle.interval(), Duration::from_secs(2));
        let tat = throttle.step(0, DAY).unwrap();
        assert_eq!(
            throttle.step(tat, DAY + 1).unwrap_err(),
            Duration::from_nanos(2_000_000_000 - 1)
        );
        assert!(Throttle::new(0.0, 10).unwrap().step(0, DAY).is_err());
        assert!(Throttle::new(10.0, 0).unwrap().step(0, DAY).is_err());
        assert_eq!(Throttle::new(-1.0, 1), Err(RuleError::Rate(-1.0)));
        assert!(Throttle::new(f64::INFINITY, 1).is_err());
        assert!(matches!(
            Throttle::new(1e-12, 1),
            Err(RuleError::RateTooSmall(..))
        ));
    }

    #[test]
    fn periods_follow_the_utc_calendar() {
        // 2026-12-06 (a Sunday) 13:00 UTC.
        let days = days_from_civil(2026, 12, 6);
        assert_eq!(civil_from_days(days), (2026, 12, 6));
        let now = days * DAY + 13 * 3_600 * 1_000_000_000;
        assert_eq!(Period::Day.start(Period::Day.index(now)), days * DAY);
        // The week started on Monday 2026-11-30.
        assert_eq!(
            Period::Week.start(Period::Week.index(now)),
            days_from_civil(2026, 11, 30) * DAY
        );
        assert_eq!(
            Period::Month.start(Period::Month.index(now)),
            days_from_civil(2026, 12, 1) * DAY
        );
        assert_eq!(
            Period::Month.start(Period::Month.index(now) + 1),
            days_from_civil(2027, 1, 1) * DAY
        );
        assert_eq!(Period::Day.until_next(now), Duration::from_secs(11 * 3_600));
        for days in [0, 59, 60, 365, 789, 10_957, 20_000, 100_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        // Leap day.
        assert_eq!(civil_from_days(days_from_civil(2028, 2, 29)), (2028, 2, 29));
        assert_eq!("week".parse::<Period>(), Ok(Period::Week));
        assert!("YEAR".parse::<Period>().is_err());
    }

    #[test]
    fn the_offset_applies_to_the_first_period_only() {
        let start = 20_000 * DAY + 5;
        let quota = Quota::new(100, Period::Day).with_offset(30, start);
        assert_eq!(quota.allowance(20_000), 70);
        assert_eq!(quota.allowance(20_001), 100);
        assert_eq!(
            Quota::new(10, Period::Day)
                .with_offset(30, start)
                .allowance(20_000),
            0
        );
    }
}
