//! `|derivative('field')`: the rate of change of a field between consecutive points
//! (kapacitor-compat.md, nodes §4.7).
//!
//! On a stream each group remembers its previous point; in a batch the previous point is
//! the one before in the same batch. The first point only becomes the previous one. A
//! point emits itself with the field `.as(…)` set to `(v − v_prev) / ((t − t_prev) / unit)`
//! as a float. A point whose field is missing or not a number is reported and dropped
//! without becoming the previous one; a zero elapsed time is reported and, like a negative
//! change under `.nonNegative()`, drops the point but keeps it as the previous one.

use serde_json::{json, Value};
use tickflow_model::{Batch, Duration, FieldValue, Fields, Message, Point, Str, Time};
use tickflow_pipeline::nodes::derivative::DerivativeNode;

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::state::{self, StateError};

/// Why a point gave no derivative.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DerivativeError {
    /// The point lacks the field.
    #[error("cannot apply derivative: field {0:?} missing from point")]
    Missing(String),
    /// The field is not a number.
    #[error("cannot apply derivative to type {ty} of field {field:?}")]
    NotNumeric {
        /// The field.
        field: String,
        /// Its type.
        ty: &'static str,
    },
    /// Two points of a group at the same time.
    #[error("cannot perform derivative elapsed time was 0")]
    ZeroElapsed,
}

/// The previous point of a group: its time and value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Previous {
    time: Time,
    value: f64,
}

/// The derivative transform: a group's state is its previous point (a batch's, the
/// previous point in the batch).
pub(crate) struct Derivative {
    field: Str,
    unit: Duration,
    non_negative: bool,
    as_name: Str,
}

impl Derivative {
    /// A derivative transform for a validated spec.
    pub(crate) fn new(spec: &DerivativeNode) -> Self {
        Derivative {
            field: Str::from(spec.field.as_str()),
            unit: spec.unit,
            non_negative: spec.non_negative,
            as_name: Str::from(spec.as_name.as_str()),
        }
    }

    /// The value of the field on a point.
    fn value(&self, fields: &Fields) -> Result<f64, DerivativeError> {
        match fields.get(&self.field) {
            None => Err(DerivativeError::Missing(self.field.to_string())),
            Some(v) => v.as_f64().ok_or_else(|| DerivativeError::NotNumeric {
                field: self.field.to_string(),
                ty: v.type_name(),
            }),
        }
    }

    /// Runs one point at `time` with `fields` after `previous`, which it replaces when
    /// its value is a number; returns the derivative to emit with the point.
    fn step(
        &self,
        previous: &mut Option<Previous>,
        time: Time,
        fields: &Fields,
    ) -> Result<Option<f64>, DerivativeError> {
        let value = self.value(fields)?;
        let Some(last) = previous.replace(Previous { time, value }) else {
            return Ok(None);
        };
        let elapsed = time.nanos().wrapping_sub(last.time.nanos()) as f64;
        if elapsed == 0.0 {
            return Err(DerivativeError::ZeroElapsed);
        }
        let diff = value - last.value;
        Ok(
            (!self.non_negative || diff >= 0.0)
                .then(|| diff / (elapsed / self.unit.nanos() as f64)),
        )
    }

    /// [`Derivative::step`], reporting its error.
    fn advance(
        &self,
        previous: &mut Option<Previous>,
        time: Time,
        fields: &Fields,
        ctx: &mut Context<'_>,
    ) -> Option<f64> {
        self.step(previous, time, fields).unwrap_or_else(|err| {
            ctx.error(&err);
            None
        })
    }

    /// `fields` with the derivative set.
    fn with_derivative(&self, fields: &mut Fields, derivative: f64) {
        fields.insert(self.as_name.clone(), FieldValue::Float(derivative));
    }
}

impl GroupTransform for Derivative {
    type State = Option<Previous>;
    const SCOPE: StateScope = StateScope::Points;

    fn new_state(&self) -> Option<Previous> {
        None
    }

    fn point(
        &mut self,
        previous: &mut Option<Previous>,
        mut point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        if let Some(derivative) = self.advance(previous, point.time, &point.fields, ctx) {
            self.with_derivative(&mut point.fields, derivative);
            ctx.emit(Message::Point(point));
        }
        Ok(())
    }

    fn batch(
        &mut self,
        previous: &mut Option<Previous>,
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let points = std::mem::take(&mut batch.points);
        for mut point in points {
            if let Some(derivative) = self.advance(previous, point.time, &point.fields, ctx) {
                self.with_derivative(&mut point.fields, derivative);
                batch.points.push(point);
            }
        }
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Each group's previous point.
    fn codec(&self) -> Option<&dyn StateCodec<Option<Previous>>> {
        Some(self)
    }
}

impl StateCodec<Option<Previous>> for Derivative {
    fn member(&self) -> &'static str {
        "groups"
    }

    fn encode(&self, previous: &Option<Previous>) -> Value {
        match previous {
            Some(p) => json!({
                "time": p.time.nanos(),
                "value": state::field_json(&FieldValue::Float(p.value)),
            }),
            None => Value::Null,
        }
    }

    fn decode(&self, value: &Value) -> Result<Option<Previous>, StateError> {
        if value.is_null() {
            return Ok(None);
        }
        let time = Time::from_nanos(state::int(value, "time")?);
        let value = state::field_from(state::member(value, "value")?)?
            .as_f64()
            .ok_or_else(|| StateError::new("\"value\" is not a number"))?;
        Ok(Some(Previous { time, value }))
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, Dimensions, Point};

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{assert_resumes, point, points, run};

    fn node(spec: &DerivativeNode) -> PerGroup<Derivative> {
        PerGroup::new(Derivative::new(spec))
    }

    const S: i64 = 1_000_000_000;

    fn spec() -> DerivativeNode {
        DerivativeNode {
            field: "value".into(),
            unit: Duration::SECOND,
            non_negative: false,
            as_name: "value".into(),
        }
    }

    fn value(secs: i64, host: &str, v: FieldValue) -> Point {
        let mut p = point(secs, &[("host", host)], &[("value", v)]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p
    }

    fn float(secs: i64, v: f64) -> Message {
        Message::Point(value(secs, "a", FieldValue::Float(v)))
    }

    /// The derivatives emitted as (seconds, value of the `.as` field).
    fn derivatives(spec: &DerivativeNode, input: Vec<Message>) -> (Vec<(i64, f64)>, Vec<String>) {
        let (out, errors) = run(&mut node(spec), input);
        let out = points(out)
            .iter()
            .map(|p| {
                let v = p.fields.get(&spec.as_name).and_then(FieldValue::as_f64);
                (p.time.nanos() / S, v.expect("the derivative is set"))
            })
            .collect();
        (out, errors)
    }

    #[test]
    fn the_first_point_only_becomes_the_previous_one() {
        let input = vec![float(0, 1.0), float(2, 5.0), float(3, 4.0)];
        let (out, errors) = derivatives(&spec(), input);
        assert_eq!(out, [(2, 2.0), (3, -1.0)]);
        assert!(errors.is_empty());
    }

    #[test]
    fn unit_and_as_name() {
        let spec = DerivativeNode {
            unit: Duration::from_nanos(10 * S),
            as_name: "rate".into(),
            ..spec()
        };
        let (out, _) = derivatives(&spec, vec![float(0, 0.0), float(2, 1.0)]);
        assert_eq!(out, [(2, 5.0)]);
        let (messages, _) = run(&mut node(&spec), vec![float(0, 0.0), float(2, 1.0)]);
        let emitted = &points(messages)[0];
        assert_eq!(emitted.fields.get("value"), Some(&FieldValue::Float(1.0)));
    }

    #[test]
    fn zero_elapsed_is_an_error_but_the_point_becomes_the_previous_one() {
        let input = vec![float(0, 0.0), float(0, 4.0), float(2, 8.0)];
        let (out, errors) = derivatives(&spec(), input);
        assert_eq!(out, [(2, 2.0)]);
        assert_eq!(
            errors,
            ["node1: cannot perform derivative elapsed time was 0"]
        );
    }

    #[test]
    fn non_negative_drops_decreases_but_keeps_the_point() {
        let spec = DerivativeNode {
            non_negative: true,
            ..spec()
        };
        let input = vec![float(0, 5.0), float(1, 1.0), float(2, 3.0)];
        assert_eq!(derivatives(&spec, input).0, [(2, 2.0)]);
    }

    #[test]
    fn a_bad_value_is_reported_and_forgotten() {
        let input = vec![
            float(0, 1.0),
            Message::Point(value(1, "a", FieldValue::string("x"))),
            Message::Point(point(2, &[("host", "a")], &[])),
            Message::Point(value(3, "a", FieldValue::Integer(7))),
        ];
        let (out, errors) = derivatives(&spec(), input);
        assert_eq!(out, [(3, 2.0)]);
        assert_eq!(
            errors,
            [
                "node1: cannot apply derivative to type string of field \"value\"",
                "node1: cannot apply derivative: field \"value\" missing from point"
            ]
        );
    }

    #[test]
    fn groups_are_independent() {
        let input = vec![
            float(0, 0.0),
            Message::Point(value(1, "b", FieldValue::Float(10.0))),
            float(2, 4.0),
            Message::Point(value(3, "b", FieldValue::Float(12.0))),
        ];
        assert_eq!(derivatives(&spec(), input).0, [(2, 2.0), (3, 1.0)]);
    }

    #[test]
    fn a_batch_starts_afresh_and_keeps_its_envelope() {
        let batch = |values: &[(i64, f64)]| {
            let p = value(0, "a", FieldValue::Float(0.0));
            let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(9 * S));
            batch.points = values
                .iter()
                .map(|&(t, v)| BatchPoint::from(&value(t, "a", FieldValue::Float(v))))
                .collect();
            Message::Batch(batch)
        };
        let (out, _) = run(
            &mut node(&spec()),
            vec![batch(&[(0, 0.0), (1, 3.0)]), batch(&[(2, 9.0)])],
        );
        let sizes: Vec<Vec<f64>> = out
            .iter()
            .map(|m| match m {
                Message::Batch(b) => b
                    .points
                    .iter()
                    .filter_map(|p| p.fields.get("value").and_then(FieldValue::as_f64))
                    .collect(),
                other => panic!("not a batch: {other:?}"),
            })
            .collect();
        assert_eq!(sizes, [vec![3.0], vec![]]);
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let (out, _) = assert_resumes(
            || node(&spec()),
            vec![float(0, 1.0), float(1, 2.0)],
            vec![float(3, 8.0), float(4, 9.0)],
        );
        assert_eq!(points(out).len(), 2);
        assert!(node(&spec()).restore(json!({})).is_err());
    }
}
