//! [`TimeGuard`]: ingest's optional limit on point times, relative to the server clock
//! (`[http] max-future` / `max-past`). One point far in the future would hold every
//! window of its group open; the guard refuses it at the door with a 400 that quotes it,
//! while the other lines of the body are written.

use std::time::Duration;

use tickflow_line_protocol::{write_point, Precision};
use tickflow_model::{Point, Time};

use crate::refused::quote;

/// Which point times ingest accepts; each bound `None` is off (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeGuard {
    /// Points more than this after the server clock are refused.
    pub max_future: Option<Duration>,
    /// Points more than this before the server clock are refused.
    pub max_past: Option<Duration>,
}

impl TimeGuard {
    /// Removes from `points` those outside the guard with the clock at `now`, and
    /// returns one message per point removed.
    pub fn apply(&self, now: Time, points: &mut Vec<Point>) -> Vec<String> {
        if self.max_future.is_none() && self.max_past.is_none() {
            return Vec::new();
        }
        let mut refused = Vec::new();
        points.retain(|point| match self.refusal(now, point) {
            Some(message) => {
                refused.push(message);
                false
            }
            None => true,
        });
        refused
    }

    /// Why `point` is refused with the clock at `now`, if it is.
    fn refusal(&self, now: Time, point: &Point) -> Option<String> {
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
        Some(format!(
            "point time {} is more than {limit:?} {side} the server clock: '{}'",
            point.time.to_rfc3339(),
            quote(line.trim_end())
        ))
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
                "point time 1970-01-01T02:47:41Z is more than 60s after the server clock: 'cpu"
            ),
            "{}",
            refused[0]
        );
        assert!(refused[1].contains("more than 3600s before the server clock"));
        assert!(TimeGuard::default().apply(now, &mut points).is_empty());
    }
}
