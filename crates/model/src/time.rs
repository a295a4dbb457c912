//! [`Time`] and [`Duration`]: nanosecond instants and spans, with Go's calendar rules.
//!
//! Kapacitor is written in Go, and several user-visible behaviours follow Go's `time`
//! package: `Truncate` and `Round` align to multiples of the duration counted from
//! 0001-01-01T00:00:00Z (not from the Unix epoch), and times print as RFC 3339 with
//! trailing zeros of the fraction dropped. Both are reproduced here exactly.

use std::fmt;

/// Nanoseconds from 0001-01-01T00:00:00Z to the Unix epoch: Go's alignment origin.
const YEAR_ONE_TO_EPOCH_NANOS: i128 = 62_135_596_800 * 1_000_000_000;

/// An instant: nanoseconds since 1970-01-01T00:00:00Z, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(i64);

/// A signed span of time in nanoseconds (Go's `time.Duration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(i64);

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration(0);
    /// One nanosecond.
    pub const NANOSECOND: Duration = Duration(1);
    /// One microsecond.
    pub const MICROSECOND: Duration = Duration(1_000);
    /// One millisecond.
    pub const MILLISECOND: Duration = Duration(1_000_000);
    /// One second.
    pub const SECOND: Duration = Duration(1_000_000_000);
    /// One minute.
    pub const MINUTE: Duration = Duration(60 * 1_000_000_000);
    /// One hour.
    pub const HOUR: Duration = Duration(3_600 * 1_000_000_000);

    /// A span of `nanos` nanoseconds.
    pub const fn from_nanos(nanos: i64) -> Self {
        Duration(nanos)
    }

    /// The span in nanoseconds.
    pub const fn nanos(self) -> i64 {
        self.0
    }

    /// The span in (fractional) seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// Whether the span is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The span as InfluxQL and Kapacitor write it: the largest unit of `w d h m s ms u`
    /// that divides it exactly, else nanoseconds (`0s`, `5m`, `90s`, `1500ms`, `1w`,
    /// `1001ns`).
    pub fn to_influxql(self) -> String {
        const UNITS: [(i64, &str); 7] = [
            (7 * 24 * 3_600_000_000_000, "w"),
            (24 * 3_600_000_000_000, "d"),
            (3_600_000_000_000, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "u"),
        ];
        if self.0 == 0 {
            return "0s".to_string();
        }
        match UNITS.iter().find(|(unit, _)| self.0 % unit == 0) {
            Some((unit, suffix)) => format!("{}{suffix}", self.0 / unit),
            None => format!("{}ns", self.0),
        }
    }
}

impl Time {
    /// The earliest time line protocol accepts (Go's `models.MinNanoTime`).
    pub const MIN: Time = Time(i64::MIN + 2);
    /// The latest time line protocol accepts (Go's `models.MaxNanoTime`).
    pub const MAX: Time = Time(i64::MAX - 1);

    /// The instant `nanos` nanoseconds after the Unix epoch.
    pub const fn from_nanos(nanos: i64) -> Self {
        Time(nanos)
    }

    /// Nanoseconds since the Unix epoch.
    pub const fn nanos(self) -> i64 {
        self.0
    }

    /// The current wall-clock time.
    pub fn now() -> Self {
        let now = chrono::Utc::now();
        Time(now.timestamp_nanos_opt().unwrap_or(i64::MAX))
    }

    /// The span from `earlier` to `self`.
    pub fn since(self, earlier: Time) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }

    /// Go's `Time.Truncate`: rounds down to a multiple of `d` counted from year 1.
    /// A zero or negative `d` leaves the time unchanged.
    pub fn truncate(self, d: Duration) -> Time {
        if d.0 <= 0 {
            return self;
        }
        let truncated = self.0 as i128 - self.offset_into(d);
        Time(truncated.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    /// Go's `Time.Round`: rounds to the nearest multiple of `d` counted from year 1,
    /// halfway values rounding up. A zero or negative `d` leaves the time unchanged.
    pub fn round(self, d: Duration) -> Time {
        if d.0 <= 0 {
            return self;
        }
        let rem = self.offset_into(d);
        let down = self.0 as i128 - rem;
        let rounded = if 2 * rem >= d.0 as i128 {
            down + d.0 as i128
        } else {
            down
        };
        Time(rounded.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    /// How far `self` lies past the last multiple of `d` counted from year 1.
    fn offset_into(self, d: Duration) -> i128 {
        (self.0 as i128 + YEAR_ONE_TO_EPOCH_NANOS).rem_euclid(d.0 as i128)
    }

    /// Go's `RFC3339Nano` rendering in UTC: `2016-01-01T00:00:00.5Z`, the fraction's
    /// trailing zeros (and a fraction of zero) left out.
    pub fn to_rfc3339(self) -> String {
        let secs = self.0.div_euclid(1_000_000_000);
        let nanos = self.0.rem_euclid(1_000_000_000) as u32;
        let Some(utc) = chrono::DateTime::from_timestamp(secs, nanos) else {
            return format!("{}ns", self.0);
        };
        let mut out = utc.format("%Y-%m-%dT%H:%M:%S").to_string();
        if nanos != 0 {
            let fraction = format!(".{nanos:09}");
            out.push_str(fraction.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }
}

impl std::ops::Add<Duration> for Time {
    type Output = Time;

    /// The time `d` later, saturating at the ends of the range.
    fn add(self, d: Duration) -> Time {
        Time(self.0.saturating_add(d.0))
    }
}

impl std::ops::Sub<Duration> for Time {
    type Output = Time;

    /// The time `d` earlier, saturating at the ends of the range.
    fn sub(self, d: Duration) -> Time {
        Time(self.0.saturating_sub(d.0))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn influxql_text_uses_the_largest_unit_that_divides_the_span() {
        let cases = [
            (0, "0s"),
            (300_000_000_000, "5m"),
            (90_000_000_000, "90s"),
            (5_400_000_000_000, "90m"),
            (1_500_000_000, "1500ms"),
            (7 * 86_400_000_000_000, "1w"),
            (1_001, "1001ns"),
            (1_500, "1500ns"),
            (7, "7ns"),
            (-60_000_000_000, "-1m"),
            (-10_000_000_000, "-10s"),
        ];
        for (nanos, text) in cases {
            assert_eq!(Duration::from_nanos(nanos).to_influxql(), text);
        }
    }

    const JAN_1_2016: i64 = 1_451_606_400_000_000_000;

    #[test]
    fn rfc3339_drops_trailing_zeros() {
        assert_eq!(
            Time::from_nanos(JAN_1_2016).to_rfc3339(),
            "2016-01-01T00:00:00Z"
        );
        assert_eq!(
            Time::from_nanos(JAN_1_2016 + 500_000_000).to_rfc3339(),
            "2016-01-01T00:00:00.5Z"
        );
        assert_eq!(
            Time::from_nanos(JAN_1_2016 + 1).to_rfc3339(),
            "2016-01-01T00:00:00.000000001Z"
        );
        assert_eq!(
            Time::from_nanos(-1).to_rfc3339(),
            "1969-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn truncate_aligns_to_year_one_not_the_epoch() {
        // 1970-01-01 is a Thursday; Go aligns weeks to Mondays (year 1 began on a Monday).
        let week = Duration::from_nanos(7 * 24 * Duration::HOUR.nanos());
        let thursday = Time::from_nanos(0);
        assert_eq!(thursday.truncate(week).to_rfc3339(), "1969-12-29T00:00:00Z");
        let t = Time::from_nanos(JAN_1_2016 + 90 * Duration::SECOND.nanos());
        assert_eq!(
            t.truncate(Duration::MINUTE).to_rfc3339(),
            "2016-01-01T00:01:00Z"
        );
    }

    #[test]
    fn round_halfway_goes_up() {
        let t = Time::from_nanos(JAN_1_2016 + 30 * Duration::SECOND.nanos());
        assert_eq!(
            t.round(Duration::MINUTE).to_rfc3339(),
            "2016-01-01T00:01:00Z"
        );
        let t = Time::from_nanos(JAN_1_2016 + 29 * Duration::SECOND.nanos());
        assert_eq!(
            t.round(Duration::MINUTE).to_rfc3339(),
            "2016-01-01T00:00:00Z"
        );
    }

    #[test]
    fn truncating_the_earliest_time_saturates() {
        assert_eq!(
            Time::from_nanos(i64::MIN).truncate(Duration::HOUR),
            Time::from_nanos(i64::MIN)
        );
        assert!(Time::MIN.truncate(Duration::SECOND) <= Time::MIN);
    }

    #[test]
    fn non_positive_durations_leave_time_alone() {
        let t = Time::from_nanos(123);
        assert_eq!(t.truncate(Duration::ZERO), t);
        assert_eq!(t.round(Duration::from_nanos(-5)), t);
    }
}
