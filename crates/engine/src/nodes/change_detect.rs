//! `|changeDetect('f', …)`: forwards a point when one of the fields differs from the last
//! point the node forwarded in its group (kapacitor-compat.md, nodes §4.8).
//!
//! The first point of a group always goes on. Values compare with their types, as Go's
//! interface equality does: an integer `1` and a float `1.0` differ. A listed field the
//! point lacks is reported and left out of that point's comparison. In a batch the last
//! forwarded point is the one before in the same batch, and the batch itself always goes
//! on.

use serde_json::Value;
use tickflow_model::{Batch, FieldValue, Fields, Message, Point, Str};
use tickflow_pipeline::nodes::change_detect::ChangeDetectNode;

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::state::{self, StateError};

/// A listed field a point lacks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("changeDetect: field {0:?} missing from point")]
pub(crate) struct MissingField(String);

/// The listed fields' values of the last forwarded point (`None`: absent there).
type Last = Vec<Option<FieldValue>>;

/// The changeDetect transform: a group's state is its last forwarded values (`None`
/// before the first point).
pub(crate) struct ChangeDetect {
    fields: Vec<Str>,
}

impl ChangeDetect {
    /// A changeDetect transform for a validated spec.
    pub(crate) fn new(spec: &ChangeDetectNode) -> Self {
        ChangeDetect {
            fields: spec.fields.iter().map(|f| Str::from(f.as_str())).collect(),
        }
    }
}

/// Whether a point with `fields` goes on after `last` (which it then replaces).
fn changed(names: &[Str], last: &mut Option<Last>, fields: &Fields, ctx: &mut Context<'_>) -> bool {
    let current: Last = names.iter().map(|n| fields.get(n).cloned()).collect();
    let differs = match last {
        None => true,
        Some(previous) => {
            let mut differs = false;
            for ((name, now), before) in names.iter().zip(&current).zip(previous.iter()) {
                match now {
                    None => ctx.error(&MissingField(name.to_string())),
                    Some(now) => differs |= before.as_ref() != Some(now),
                }
            }
            differs
        }
    };
    if differs {
        *last = Some(current);
    }
    differs
}

impl GroupTransform for ChangeDetect {
    type State = Option<Last>;
    const SCOPE: StateScope = StateScope::Points;

    fn new_state(&self) -> Option<Last> {
        None
    }

    fn point(
        &mut self,
        last: &mut Option<Last>,
        point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        if changed(&self.fields, last, &point.fields, ctx) {
            ctx.emit(Message::Point(point));
        }
        Ok(())
    }

    fn batch(
        &mut self,
        last: &mut Option<Last>,
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        batch
            .points
            .retain(|p| changed(&self.fields, last, &p.fields, ctx));
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Each group's last forwarded values.
    fn codec(&self) -> Option<&dyn StateCodec<Option<Last>>> {
        Some(self)
    }
}

impl StateCodec<Option<Last>> for ChangeDetect {
    fn member(&self) -> &'static str {
        "last"
    }

    fn encode(&self, last: &Option<Last>) -> Value {
        match last {
            None => Value::Null,
            Some(values) => values
                .iter()
                .map(|v| v.as_ref().map_or(Value::Null, state::field_json))
                .collect(),
        }
    }

    fn decode(&self, value: &Value) -> Result<Option<Last>, StateError> {
        if value.is_null() {
            return Ok(None);
        }
        let values = value
            .as_array()
            .ok_or_else(|| StateError::new(format!("last values {value} are not an array")))?;
        values
            .iter()
            .map(|v| (!v.is_null()).then(|| state::field_from(v)).transpose())
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, Dimensions, Point, Time};

    use serde_json::json;

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{assert_resumes, batch_sizes, point, points, run};

    fn node() -> PerGroup<ChangeDetect> {
        PerGroup::new(ChangeDetect::new(&spec()))
    }

    const S: i64 = 1_000_000_000;

    fn spec() -> ChangeDetectNode {
        ChangeDetectNode {
            fields: vec!["a".into(), "b".into()],
        }
    }

    fn at(secs: i64, host: &str, fields: &[(&str, FieldValue)]) -> Point {
        let mut p = point(secs, &[("host", host)], fields);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p
    }

    fn ab(secs: i64, a: &str, b: FieldValue) -> Message {
        Message::Point(at(secs, "x", &[("a", a.into()), ("b", b)]))
    }

    fn times(input: Vec<Message>) -> (Vec<i64>, Vec<String>) {
        let (out, errors) = run(&mut node(), input);
        (
            points(out).iter().map(|p| p.time.nanos() / S).collect(),
            errors,
        )
    }

    #[test]
    fn forwards_the_first_point_and_each_change() {
        let input = vec![
            ab(0, "bad", 0.0.into()),
            ab(1, "good", 0.0.into()),
            ab(2, "good", 0.0.into()),
            ab(3, "good", 1.0.into()),
            ab(4, "good", 1.0.into()),
        ];
        assert_eq!(times(input).0, [0, 1, 3]);
    }

    #[test]
    fn an_integer_differs_from_the_equal_float() {
        let input = vec![ab(0, "x", 1.0.into()), ab(1, "x", 1i64.into())];
        assert_eq!(times(input).0, [0, 1]);
    }

    #[test]
    fn a_missing_field_is_reported_and_left_out() {
        let input = vec![
            ab(0, "x", 1.0.into()),
            Message::Point(at(1, "x", &[("a", "x".into())])),
            Message::Point(at(2, "x", &[("a", "y".into())])),
        ];
        let (kept, errors) = times(input);
        assert_eq!(kept, [0, 2]);
        assert_eq!(
            errors,
            [
                "node1: changeDetect: field \"b\" missing from point",
                "node1: changeDetect: field \"b\" missing from point"
            ]
        );
    }

    #[test]
    fn groups_compare_with_their_own_last_point() {
        let input = vec![
            Message::Point(at(0, "x", &[("a", "1".into()), ("b", 0.0.into())])),
            Message::Point(at(1, "y", &[("a", "1".into()), ("b", 0.0.into())])),
            Message::Point(at(2, "x", &[("a", "1".into()), ("b", 0.0.into())])),
        ];
        assert_eq!(times(input).0, [0, 1]);
    }

    #[test]
    fn a_batch_starts_afresh_and_keeps_its_envelope() {
        let batch = |values: &[f64]| {
            let p = at(0, "x", &[]);
            let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
            batch.points = values
                .iter()
                .map(|&b| BatchPoint::from(&at(0, "x", &[("a", "s".into()), ("b", b.into())])))
                .collect();
            Message::Batch(batch)
        };
        let (out, _) = run(&mut node(), vec![batch(&[1.0, 1.0, 2.0]), batch(&[2.0])]);
        assert_eq!(batch_sizes(&out), [2, 1]);
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let (out, _) = assert_resumes(
            node,
            vec![ab(0, "x", 1.0.into())],
            vec![ab(1, "x", 1.0.into()), ab(2, "y", 1.0.into())],
        );
        assert_eq!(points(out).len(), 1);
        assert!(node().restore(json!({"last": [{"group": {}}]})).is_err());
    }
}
