//! [`Precision`]: the unit of timestamps in a write body (the `precision` parameter of
//! `POST /write`), and how the request's default time is truncated to it.

use std::fmt;
use std::str::FromStr;

use tickflow_model::{Duration, Time};

/// The unit of the timestamps in a body.
///
/// Kapacitor reads any `precision` it does not know (`ns`, `us`, `µ`, typos) silently as
/// nanoseconds; tickflow accepts the usual aliases and rejects the rest
/// ([`UnknownPrecision`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precision {
    /// Nanoseconds: `n`, `ns` or empty.
    #[default]
    Nanosecond,
    /// Microseconds: `u`, `us` or `µ`.
    Microsecond,
    /// Milliseconds: `ms`.
    Millisecond,
    /// Seconds: `s`.
    Second,
    /// Minutes: `m`.
    Minute,
    /// Hours: `h`.
    Hour,
}

/// A `precision` that is none of the known spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown precision {text:?}: expected one of n, ns, u, us, µ, ms, s, m, h")]
pub struct UnknownPrecision {
    /// The precision as given.
    pub text: String,
}

impl Precision {
    /// The duration of one timestamp unit.
    pub const fn unit(self) -> Duration {
        match self {
            Precision::Nanosecond => Duration::NANOSECOND,
            Precision::Microsecond => Duration::MICROSECOND,
            Precision::Millisecond => Duration::MILLISECOND,
            Precision::Second => Duration::SECOND,
            Precision::Minute => Duration::MINUTE,
            Precision::Hour => Duration::HOUR,
        }
    }

    /// The parameter value that names this precision in a write URL: `n`, `u`, `ms`, `s`,
    /// `m` or `h` (Kapacitor's spellings).
    pub const fn as_str(self) -> &'static str {
        match self {
            Precision::Nanosecond => "n",
            Precision::Microsecond => "u",
            Precision::Millisecond => "ms",
            Precision::Second => "s",
            Precision::Minute => "m",
            Precision::Hour => "h",
        }
    }

    /// The time of the points written without a timestamp: the request's `now` truncated
    /// down to a whole unit, as Kapacitor does.
    pub fn truncate(self, now: Time) -> Time {
        now.truncate(self.unit())
    }

    /// The time `timestamp` units after the epoch, if it lies within [`Time::MIN`] ..=
    /// [`Time::MAX`] (Kapacitor's `time outside range`).
    pub fn time(self, timestamp: i64) -> Option<Time> {
        let time = Time::from_nanos(timestamp.checked_mul(self.unit().nanos())?);
        in_range(time).then_some(time)
    }

    /// `time` as a whole number of units, if it is one.
    pub fn timestamp(self, time: Time) -> Option<i64> {
        let unit = self.unit().nanos();
        (time.nanos() % unit == 0).then(|| time.nanos() / unit)
    }
}

/// Whether line protocol can hold `time`: [`Time::MIN`] ..= [`Time::MAX`].
pub(crate) fn in_range(time: Time) -> bool {
    (Time::MIN..=Time::MAX).contains(&time)
}

impl FromStr for Precision {
    type Err = UnknownPrecision;

    /// Parses `n`, `ns`, `u`, `us`, `µ` (micro sign or Greek mu), `ms`, `s`, `m`, `h`; the
    /// empty string is nanoseconds, as for an absent parameter.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "" | "n" | "ns" => Precision::Nanosecond,
            "u" | "us" | "\u{b5}" | "\u{3bc}" => Precision::Microsecond,
            "ms" => Precision::Millisecond,
            "s" => Precision::Second,
            "m" => Precision::Minute,
            "h" => Precision::Hour,
            _ => return Err(UnknownPrecision { text: text.into() }),
        })
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kapacitors_spellings_and_the_aliases() {
        let cases = [
            ("", Precision::Nanosecond),
            ("n", Precision::Nanosecond),
            ("ns", Precision::Nanosecond),
            ("u", Precision::Microsecond),
            ("us", Precision::Microsecond),
            ("µ", Precision::Microsecond),
            ("μ", Precision::Microsecond),
            ("ms", Precision::Millisecond),
            ("s", Precision::Second),
            ("m", Precision::Minute),
            ("h", Precision::Hour),
        ];
        for (text, precision) in cases {
            assert_eq!(text.parse::<Precision>(), Ok(precision), "{text:?}");
            assert_eq!(precision.as_str().parse::<Precision>(), Ok(precision));
        }
    }

    #[test]
    fn rejects_unknown_precisions() {
        let err = "x".parse::<Precision>().unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"unknown precision "x": expected one of n, ns, u, us, µ, ms, s, m, h"#
        );
        for text in ["S", "sec", " s", "nanoseconds", "mu"] {
            assert!(text.parse::<Precision>().is_err(), "{text:?}");
        }
    }

    #[test]
    fn truncates_the_default_time() {
        let now = Time::from_nanos(1_700_000_123_456_789_012);
        let truncated = |p: Precision| p.truncate(now).nanos();
        assert_eq!(truncated(Precision::Nanosecond), 1_700_000_123_456_789_012);
        assert_eq!(truncated(Precision::Microsecond), 1_700_000_123_456_789_000);
        assert_eq!(truncated(Precision::Millisecond), 1_700_000_123_456_000_000);
        assert_eq!(truncated(Precision::Second), 1_700_000_123_000_000_000);
        assert_eq!(truncated(Precision::Minute), 1_700_000_100_000_000_000);
        assert_eq!(truncated(Precision::Hour), 1_699_999_200_000_000_000);
    }

    #[test]
    fn scales_timestamps_within_range() {
        assert_eq!(
            Precision::Second.time(1_700_000_000),
            Some(Time::from_nanos(1_700_000_000_000_000_000))
        );
        assert_eq!(Precision::Minute.time(1_700_000_000), None);
        assert_eq!(Precision::Nanosecond.time(i64::MAX - 1), Some(Time::MAX));
        assert_eq!(Precision::Nanosecond.time(i64::MAX), None);
        assert_eq!(Precision::Nanosecond.time(i64::MIN + 2), Some(Time::MIN));
        assert_eq!(Precision::Nanosecond.time(i64::MIN + 1), None);
        assert_eq!(
            Precision::Second.timestamp(Time::from_nanos(-3_000_000_000)),
            Some(-3)
        );
        assert_eq!(Precision::Second.timestamp(Time::from_nanos(1)), None);
    }
}
