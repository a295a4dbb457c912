//! [`TimeBuffer`]: a group's run of points that share one (rounded) time, as `flatten`
//! and `combine` collect them: a point of another time ends the run.

use serde_json::{json, Value};
use tickflow_model::{Duration, Point, Time};

use crate::state::{self, StateError};

/// Points of one group with the same time, waiting for a point of another time.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct TimeBuffer {
    points: Vec<Point>,
}

/// `time` rounded to `tolerance` (Go's `Round`), unchanged without one.
pub(crate) fn rounded(time: Time, tolerance: Option<Duration>) -> Time {
    tolerance.map_or(time, |d| time.round(d))
}

impl TimeBuffer {
    /// Adds `point`, whose time is already rounded; when it starts a new run, returns
    /// the finished one.
    pub(crate) fn push(&mut self, point: Point) -> Option<Vec<Point>> {
        let finished = match self.points.first() {
            Some(first) if first.time != point.time => Some(std::mem::take(&mut self.points)),
            _ => None,
        };
        self.points.push(point);
        finished
    }

    /// The run, when it is older than `time` (a barrier's promise).
    pub(crate) fn take_before(&mut self, time: Time) -> Option<Vec<Point>> {
        let first = self.points.first()?;
        (first.time < time).then(|| std::mem::take(&mut self.points))
    }

    /// The run, whatever its time (the end of a batch).
    pub(crate) fn take_all(&mut self) -> Option<Vec<Point>> {
        (!self.points.is_empty()).then(|| std::mem::take(&mut self.points))
    }

    /// The buffered points as JSON.
    pub(crate) fn to_json(&self) -> Value {
        json!(self
            .points
            .iter()
            .map(state::point_json)
            .collect::<Vec<_>>())
    }

    /// A buffer from [`TimeBuffer::to_json`].
    pub(crate) fn from_json(value: &Value) -> Result<Self, StateError> {
        let points = value
            .as_array()
            .ok_or_else(|| StateError::new("buffered points are not an array"))?
            .iter()
            .map(state::point_from)
            .collect::<Result<_, _>>()?;
        Ok(TimeBuffer { points })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::testing::point;

    #[test]
    fn a_new_time_ends_the_run() {
        let mut buffer = TimeBuffer::default();
        assert_eq!(buffer.push(point(1, &[], &[])), None);
        assert_eq!(buffer.push(point(1, &[], &[])), None);
        let run = buffer.push(point(2, &[], &[])).expect("a finished run");
        assert_eq!(run.len(), 2);
        assert_eq!(buffer.take_before(Time::from_nanos(2_000_000_000)), None);
        let back = TimeBuffer::from_json(&buffer.to_json()).expect("decodes");
        assert_eq!(back, buffer);
        assert!(buffer
            .take_before(Time::from_nanos(3_000_000_000))
            .is_some());
        assert!(TimeBuffer::from_json(&json!({})).is_err());
    }

    #[test]
    fn rounding_is_go_round() {
        let t = |s: f64| Time::from_nanos((s * 1e9) as i64);
        assert_eq!(rounded(t(1.5), Some(Duration::SECOND)), t(2.0));
        assert_eq!(rounded(t(1.4), Some(Duration::SECOND)), t(1.0));
        assert_eq!(rounded(t(1.4), None), t(1.4));
    }
}
