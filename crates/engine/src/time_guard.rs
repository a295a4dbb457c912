//! [`TimeGuard`]: the optional limit on point times relative to a clock, for ingest
//! (`[http] max-future` / `max-past`, against the server clock) and replay
//! (`--max-future` / `--max-past`, against the wall clock when the replay starts). One
//! point far in the future would hold every window of its group open; the guard refuses
//! it at the door: ingest answers a 400 that quotes it, replay reports it with its line,
//! and the other points are kept.

use std::time::Duration;

use tickflow_line_protocol::{write_point, Precision};
use tickflow_model::{Point, Time};

/// The most characters of a refused line quoted.
pub const QUOTE_CHARS: usize = 100;

/// `text` cut to [`QUOTE_CHARS`] characters, with `...` when it was longer.
pub fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

/// A point the guard refuses: its time, how far it is from the clock and which way,
/// and the point as line protocol, cut to [`QUOTE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("point time {} is more than {limit:?} {side} the clock ({}): '{line}'", time.to_rfc3339(), clock.to_rfc3339())]
pub struct Refusal {
    /// The point's time.
    pub time: Time,
    /// The clock it was measured against.
    pub clock: Time,
    /// The bound it is beyond.
    pub limit: Duration,
    /// `after` or `before`.
    pub side: &'static str,
    /// The point, quoted.
    pub line: String,
}

/// Which point times ingest accepts; each bound `None` is off (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeGuard {
    /// Points more than this after the server clock are refused.
    pub max_future: Option<Duration>,
    /// Points more than this before the server clock are refused.
    pub max_past: Option<Duration>,
}

impl TimeGuard {
    /// Whether both bounds are off.
    pub fn is_off(&self) -> bool {
        self.max_future.is_none() && self.max_past.is_none()
    }

    /// Removes from `points` those outside the guard with the clock at `now`, and
    /// returns one message per point removed.
    pub fn apply(&self, now: Time, points: &mut Vec<Point>) -> Vec<String> {
        if self.is_off() {
            return Vec::new();
        }
        let mut refused = Vec::new();
        points.retain(|point| match self.refusal(now, point) {
            Some(refusal) => {
                refused.push(refusal.to_string());
                false
            }
            None => true,
        });
        refused
    }

    /// Why `point` is refused with the clock at `now`, if it is.
    pub fn refusal(&self, now: Time, point: &Point) -> Option<Refusal> {
        let gap = |a: Time, b: Time| {
            Duration::from_nanos(a.nanos().saturating_sub(b.nanos()).unsigned_abs())
        };
        let (side, limit) = match point.time > now {
            true => ("after", self.max_future?),
            false => ("before", self.max_past?),
        };
        let distance = gap(point.time, now);
        if distance <= limit {
            return None;
        }
        let mut line = Vec::new();
        let _ = write_point(&mut line, point, Precision::Nanosecond);
        let line = String::from_utf8_lossy(&line);
        Some(Refusal {
            time: point.time,
            clock: now,
            limit,
            side,
            line: quote(line.trim_end()),
        })
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{FieldValue, Fields};

    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn points_too_far_from_the_clock_are_refused_and_quoted() {
        let guard = TimeGuard {
            max_future: Some(Duration::from_secs(60)),
            max_past: Some(Duration::from_secs(3600)),
        };
        let now = Time::from_nanos(10_000 * S);
        let mut points: Vec<Point> = [10_000, 10_060, 10_061, 6_400, 6_399]
            .into_iter()
            .map(|t| {
                let mut p = Point::new("cpu", Time::from_nanos(t * S));
                p.fields = Fields::from_pairs([("value", FieldValue::Integer(1))]);
                p
            })
            .collect();
        let refused = guard.apply(now, &mut points);
        let kept: Vec<i64> = points.iter().map(|p| p.time.nanos() / S).collect();
        assert_eq!(kept, [10_000, 10_060, 6_400]);
        assert_eq!(refused.len(), 2);
        assert!(
            refused[0].starts_with(
                "point time 1970-01-01T02:47:41Z is more than 60s after the clock (1970-01-01T02:46:40Z): 'cpu"
            ),
            "{}",
            refused[0]
        );
        assert!(refused[1].contains("more than 3600s before the clock"));
        assert!(TimeGuard::default().apply(now, &mut points).is_empty());
    }
}
