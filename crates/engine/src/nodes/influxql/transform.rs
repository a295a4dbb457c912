//! The InfluxQL transformations: `elapsed`, `difference`, `movingAverage` and
//! `cumulativeSum` (kapacitor-compat.md, nodes §7). Each is fed one value at a time and may answer
//! with a value for that point's time; a stream keeps one state per group, a batch a
//! fresh one per batch.

use std::collections::VecDeque;

use tickflow_model::{Duration, FieldValue, Time};
use tickflow_pipeline::nodes::influxql::InfluxQlFunction;

use crate::state::{self, StateError};

/// The running state of one transformation.
#[derive(Debug, Clone)]
pub(super) enum Transform {
    /// `elapsed(f, unit)`: time since the previous point, in whole units.
    Elapsed {
        /// The unit.
        unit: Duration,
        /// The previous point's time.
        previous: Option<Time>,
    },
    /// `difference(f)`: change since the previous point of another time.
    Difference {
        /// The previous point's time and value.
        previous: Option<(Time, FieldValue)>,
    },
    /// `movingAverage(f, n)`: the mean of the last `n` values.
    MovingAverage {
        /// How many values.
        size: usize,
        /// The last values, oldest first.
        values: VecDeque<f64>,
        /// Their running sum.
        sum: f64,
    },
    /// `cumulativeSum(f)`: the running sum.
    CumulativeSum {
        /// The sum so far.
        total: Option<FieldValue>,
    },
}

impl Transform {
    /// A fresh state for `function`, or `None` when it is not a transformation.
    pub(super) fn new(function: &InfluxQlFunction) -> Option<Transform> {
        Some(match function {
            InfluxQlFunction::Elapsed { unit } => Transform::Elapsed {
                unit: *unit,
                previous: None,
            },
            InfluxQlFunction::Difference => Transform::Difference { previous: None },
            InfluxQlFunction::MovingAverage { window } => Transform::MovingAverage {
                size: usize::try_from(*window).unwrap_or(0).max(1),
                values: VecDeque::new(),
                sum: 0.0,
            },
            InfluxQlFunction::CumulativeSum => Transform::CumulativeSum { total: None },
            _ => return None,
        })
    }

    /// Feeds one value; the result to emit at `time`, if any.
    pub(super) fn feed(&mut self, time: Time, value: &FieldValue) -> Option<FieldValue> {
        match self {
            Transform::Elapsed { unit, previous } => {
                let last = previous.replace(time)?;
                let units = time.since(last).nanos().checked_div(unit.nanos())?;
                Some(FieldValue::Integer(units))
            }
            Transform::Difference { previous } => match previous {
                Some((last_time, _)) if *last_time == time => None,
                _ => {
                    let last = previous.replace((time, value.clone()));
                    last.and_then(|(_, last)| subtract(value, &last))
                }
            },
            Transform::MovingAverage { size, values, sum } => {
                let value = value.as_f64()?;
                if values.len() == *size {
                    *sum -= values.pop_front().unwrap_or_default();
                }
                values.push_back(value);
                *sum += value;
                (values.len() == *size).then(|| FieldValue::Float(*sum / *size as f64))
            }
            Transform::CumulativeSum { total } => {
                let next = match total.take() {
                    Some(sum) => add(&sum, value)?,
                    None => value.clone(),
                };
                *total = Some(next.clone());
                Some(next)
            }
        }
    }
}

impl Transform {
    /// The state that changes as values are fed, as JSON.
    pub(super) fn state_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Transform::Elapsed { previous, .. } => json!({ "previous": previous.map(Time::nanos) }),
            Transform::Difference { previous } => json!({
                "previous": previous.as_ref().map(|(t, v)| json!({
                    "time": t.nanos(),
                    "value": state::field_json(v),
                })),
            }),
            Transform::MovingAverage { values, sum, .. } => json!({ "values": values, "sum": sum }),
            Transform::CumulativeSum { total } => {
                json!({ "total": total.as_ref().map(state::field_json) })
            }
        }
    }

    /// Restores the state [`Transform::state_json`] saved into a fresh transform of the
    /// same function.
    pub(super) fn restore_state(&mut self, saved: &serde_json::Value) -> Result<(), StateError> {
        let present = |key: &str| saved.get(key).filter(|v| !v.is_null());
        match self {
            Transform::Elapsed { previous, .. } => {
                *previous = present("previous")
                    .map(|t| {
                        t.as_i64()
                            .map(Time::from_nanos)
                            .ok_or_else(|| StateError::new("bad \"previous\""))
                    })
                    .transpose()?;
            }
            Transform::Difference { previous } => {
                *previous = present("previous")
                    .map(|p| {
                        let time = Time::from_nanos(state::int(p, "time")?);
                        Ok::<_, StateError>((time, state::field_from(state::member(p, "value")?)?))
                    })
                    .transpose()?;
            }
            Transform::MovingAverage { values, sum, .. } => {
                *values = state::array(saved, "values")?
                    .iter()
                    .map(|v| v.as_f64().ok_or_else(|| StateError::new("bad \"values\"")))
                    .collect::<Result<_, _>>()?;
                *sum = state::member(saved, "sum")?
                    .as_f64()
                    .ok_or_else(|| StateError::new("bad \"sum\""))?;
            }
            Transform::CumulativeSum { total } => {
                *total = present("total").map(state::field_from).transpose()?;
            }
        }
        Ok(())
    }
}

/// `a − b` for two numbers of one type.
fn subtract(a: &FieldValue, b: &FieldValue) -> Option<FieldValue> {
    match (a, b) {
        (FieldValue::Integer(a), FieldValue::Integer(b)) => {
            Some(FieldValue::Integer(a.wrapping_sub(*b)))
        }
        (FieldValue::Float(a), FieldValue::Float(b)) => Some(FieldValue::Float(a - b)),
        _ => None,
    }
}

/// `a + b` for two numbers of one type.
fn add(a: &FieldValue, b: &FieldValue) -> Option<FieldValue> {
    match (a, b) {
        (FieldValue::Integer(a), FieldValue::Integer(b)) => {
            Some(FieldValue::Integer(a.wrapping_add(*b)))
        }
        (FieldValue::Float(a), FieldValue::Float(b)) => Some(FieldValue::Float(a + b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(
        function: InfluxQlFunction,
        input: &[(i64, FieldValue)],
    ) -> Vec<Option<FieldValue>> {
        let mut transform = Transform::new(&function).expect("a transformation");
        input
            .iter()
            .map(|(secs, v)| transform.feed(Time::from_nanos(secs * 1_000_000_000), v))
            .collect()
    }

    #[test]
    fn elapsed_counts_whole_units_since_the_previous_point() {
        let unit = Duration::from_nanos(1_000_000_000);
        let out = feed_all(
            InfluxQlFunction::Elapsed { unit },
            &[
                (0, FieldValue::Boolean(true)),
                (3, FieldValue::Boolean(false)),
            ],
        );
        assert_eq!(out, [None, Some(FieldValue::Integer(3))]);
    }

    #[test]
    fn difference_skips_points_at_the_previous_time() {
        let out = feed_all(
            InfluxQlFunction::Difference,
            &[
                (0, FieldValue::Integer(5)),
                (0, FieldValue::Integer(9)),
                (1, FieldValue::Integer(2)),
            ],
        );
        assert_eq!(out, [None, None, Some(FieldValue::Integer(-3))]);
    }

    #[test]
    fn moving_average_waits_for_a_full_window() {
        let input: Vec<_> = (0..4).map(|i| (i, FieldValue::Float(i as f64))).collect();
        let out = feed_all(InfluxQlFunction::MovingAverage { window: 3 }, &input);
        assert_eq!(
            out,
            [
                None,
                None,
                Some(FieldValue::Float(1.0)),
                Some(FieldValue::Float(2.0))
            ]
        );
    }

    #[test]
    fn every_transformation_restores_its_state() {
        let unit = Duration::from_nanos(1);
        let functions = [
            InfluxQlFunction::Elapsed { unit },
            InfluxQlFunction::Difference,
            InfluxQlFunction::MovingAverage { window: 2 },
            InfluxQlFunction::CumulativeSum,
        ];
        for function in functions {
            let mut saved = Transform::new(&function).expect("a transformation");
            saved.feed(Time::from_nanos(1), &FieldValue::Integer(4));
            let mut restored = Transform::new(&function).expect("a transformation");
            restored
                .restore_state(&saved.state_json())
                .expect("restores");
            let next = (Time::from_nanos(3), FieldValue::Integer(10));
            let expected = saved.feed(next.0, &next.1);
            assert!(expected.is_some(), "{function:?}");
            assert_eq!(restored.feed(next.0, &next.1), expected, "{function:?}");
        }
    }

    #[test]
    fn cumulative_sum_keeps_the_type() {
        let out = feed_all(
            InfluxQlFunction::CumulativeSum,
            &[(0, FieldValue::Integer(1)), (1, FieldValue::Integer(2))],
        );
        assert_eq!(
            out,
            [Some(FieldValue::Integer(1)), Some(FieldValue::Integer(3))]
        );
    }
}
