//! When a batch query runs: every `.every(d)` from the start (or, with `.align()`, on
//! multiples of `d`), or on a `.cron(…)` expression in Kapacitor's syntax, evaluated in
//! UTC; plus an optional per-task jitter that delays each run without moving the range
//! it queries.
//!
//! Kapacitor's cron syntax (gorhill/cronexpr) has five fields (`min hour dom month dow`),
//! six (`… year`) or seven (`sec min hour dom month dow year`), days of week 0–7 with 0
//! and 7 both Sunday, and the `@yearly` family of macros. The `cron` crate reads seven
//! fields with days of week 1–7 from Sunday, so an expression is translated first.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use tickflow_model::{Duration, Time};

/// A `.cron(…)` expression that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron expression {expression:?}: {reason}")]
pub struct CronError {
    /// The expression as written.
    pub expression: String,
    /// Why.
    pub reason: String,
}

/// A query's schedule.
#[derive(Debug, Clone)]
pub(crate) enum Schedule {
    /// Every `every`, aligned to its multiples or not.
    Every {
        /// The interval.
        every: Duration,
        /// Whether runs fall on multiples of `every`.
        align: bool,
    },
    /// On a cron expression.
    Cron(Box<cron::Schedule>),
}

impl Schedule {
    /// The schedule of a node: `every` when it is set, else `cron`.
    pub(crate) fn new(
        every: Option<Duration>,
        align: bool,
        cron: &str,
    ) -> Result<Schedule, CronError> {
        match every.filter(|e| !e.is_zero()) {
            Some(every) => Ok(Schedule::Every { every, align }),
            None => parse_cron(cron).map(|s| Schedule::Cron(Box::new(s))),
        }
    }

    /// The first run after `now`, when a task starts; `previous` is the run before, for
    /// unaligned intervals (which count from the start).
    pub(crate) fn next(&self, now: Time, previous: Option<Time>) -> Option<Time> {
        match self {
            Schedule::Every {
                every,
                align: false,
            } => Some(previous.unwrap_or(now) + *every),
            Schedule::Every { every, align: true } => {
                let from = previous.unwrap_or(now).max(now);
                Some(from.truncate(*every) + *every)
            }
            Schedule::Cron(schedule) => {
                let from = previous.unwrap_or(now).max(now);
                let after = DateTime::<Utc>::from_timestamp_nanos(from.nanos());
                let next = schedule.after(&after).next()?;
                next.timestamp_nanos_opt().map(Time::from_nanos)
            }
        }
    }
}

/// Parses a cron expression of Kapacitor's syntax.
pub(crate) fn parse_cron(expression: &str) -> Result<cron::Schedule, CronError> {
    let error = |reason: String| CronError {
        expression: expression.to_string(),
        reason,
    };
    let translated = translate(expression).map_err(error)?;
    cron::Schedule::from_str(&translated).map_err(|e| error(e.to_string()))
}

/// Rewrites an expression into the `cron` crate's seven fields.
fn translate(expression: &str) -> Result<String, String> {
    let trimmed = expression.trim();
    if trimmed.starts_with('@') {
        return Ok(trimmed.to_string());
    }
    let fields: Vec<&str> = trimmed.split_whitespace().collect();
    let mut fields: Vec<String> = match fields.len() {
        5 => ["0"]
            .into_iter()
            .chain(fields)
            .chain(["*"])
            .map(String::from)
            .collect(),
        6 => ["0"].into_iter().chain(fields).map(String::from).collect(),
        7 => fields.into_iter().map(String::from).collect(),
        n => return Err(format!("expected 5 to 7 fields, got {n}")),
    };
    fields[5] = day_of_week(&fields[5])?;
    Ok(fields.join(" "))
}

/// Moves numeric days of week from 0–7 (Sunday 0 or 7) to 1–7 (Sunday 1); names, `*`,
/// `?` and steps stay as they are.
fn day_of_week(field: &str) -> Result<String, String> {
    let shift = |n: &str| -> Result<String, String> {
        match n.parse::<u32>() {
            Ok(day @ 0..=7) => Ok((day % 7 + 1).to_string()),
            Ok(day) => Err(format!("day of week {day} is out of range 0-7")),
            Err(_) => Ok(n.to_string()),
        }
    };
    let mut items = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        let range = match range.split_once('-') {
            Some((a, b)) => format!("{}-{}", shift(a)?, shift(b)?),
            None => shift(range)?,
        };
        items.push(match step {
            Some(step) => format!("{range}/{step}"),
            None => range,
        });
    }
    Ok(items.join(","))
}

/// A task's jitter: a delay in `[0, max)` that depends only on `key` (the task and node),
/// so a task's runs keep their spacing while different tasks spread out.
pub(crate) fn jitter(key: &str, max: Duration) -> Duration {
    if max.nanos() <= 0 {
        return Duration::ZERO;
    }
    // FNV-1a: stable across runs and builds, unlike the standard hasher.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let max = u64::try_from(max.nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(i64::try_from(hash % max).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn at(rfc3339: &str) -> Time {
        let t = DateTime::parse_from_rfc3339(rfc3339).expect("a time");
        Time::from_nanos(t.timestamp_nanos_opt().expect("in range"))
    }

    #[test]
    fn every_counts_from_the_start_or_from_multiples() {
        let start = at("2024-01-01T00:00:07Z");
        let plain = Schedule::new(Some(Duration::from_nanos(10 * S)), false, "").expect("ok");
        assert_eq!(plain.next(start, None), Some(at("2024-01-01T00:00:17Z")));
        let aligned = Schedule::new(Some(Duration::from_nanos(10 * S)), true, "").expect("ok");
        assert_eq!(aligned.next(start, None), Some(at("2024-01-01T00:00:10Z")));
        assert_eq!(
            aligned.next(start, Some(at("2024-01-01T00:00:10Z"))),
            Some(at("2024-01-01T00:00:20Z"))
        );
    }

    #[test]
    fn cron_reads_kapacitors_five_six_and_seven_fields() {
        let monday_noon = at("2024-01-01T12:00:00Z");
        // Weekdays at 09:00: Monday is 1 as in Kapacitor, not Sunday.
        let weekdays = Schedule::new(None, false, "0 9 * * 1-5").expect("parses");
        assert_eq!(
            weekdays.next(monday_noon, None),
            Some(at("2024-01-02T09:00:00Z"))
        );
        let sundays = Schedule::new(None, false, "0 0 * * 0").expect("parses");
        assert_eq!(
            sundays.next(monday_noon, None),
            Some(at("2024-01-07T00:00:00Z"))
        );
        let seconds = Schedule::new(None, false, "*/15 * * * * * *").expect("parses");
        assert_eq!(
            seconds.next(monday_noon, None),
            Some(at("2024-01-01T12:00:15Z"))
        );
        let year = Schedule::new(None, false, "0 0 1 1 * 2030").expect("parses");
        assert_eq!(
            year.next(monday_noon, None),
            Some(at("2030-01-01T00:00:00Z"))
        );
        assert!(Schedule::new(None, false, "@hourly").is_ok());
    }

    #[test]
    fn a_bad_cron_names_the_expression() {
        let err = parse_cron("* * *").expect_err("three fields");
        assert_eq!(
            err.to_string(),
            "invalid cron expression \"* * *\": expected 5 to 7 fields, got 3"
        );
        assert!(parse_cron("61 * * * *").is_err());
        assert!(parse_cron("0 0 * * 9").is_err());
    }

    #[test]
    fn jitter_is_stable_and_bounded() {
        let max = Duration::from_nanos(5 * S);
        assert_eq!(jitter("task/query1", max), jitter("task/query1", max));
        assert!(jitter("task/query1", max) < max);
        assert_ne!(jitter("a/query1", max), jitter("b/query1", max));
        assert_eq!(jitter("a", Duration::ZERO), Duration::ZERO);
    }
}
