//! What `|stateDuration(λ)` and `|stateCount(λ)` share: each point is evaluated against
//! the predicate and gets a field telling how long its group has been in the state
//! (kapacitor-compat.md, nodes §4.9).
//!
//! Each group has its own evaluator and [`Tracker`]; in a batch the tracker starts afresh
//! at every batch. A point whose evaluation fails is reported and dropped and leaves the
//! tracker as it was. A snapshot holds each group's tracker and the state of its
//! predicate's stateful functions.

use serde_json::{json, Value};
use tickflow_expr::{Evaluator, Lambda, Scope};
use tickflow_model::{Batch, FieldValue, Message, Point, Str, Time};

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::state::{self, StateError};

/// How long a group has been in the state, as one node kind measures it.
pub(crate) trait Tracker: Clone + Send {
    /// The value for a point at `time` that is in the state or not.
    fn track(&mut self, in_state: bool, time: Time) -> FieldValue;
    /// The tracker's state as JSON.
    fn to_json(&self) -> Value;
    /// Takes the state from [`Tracker::to_json`].
    fn restore(&mut self, value: &Value) -> Result<(), StateError>;
}

/// The transform, with its tracker kind `T`: a group's state is its predicate's
/// evaluator and its tracker (a batch tracks with a fresh one).
pub(crate) struct StateTracking<T> {
    lambda: Lambda,
    as_name: Str,
    /// A tracker that has seen nothing, copied for each group and batch.
    fresh: T,
}

impl<T: Tracker> StateTracking<T> {
    /// A transform setting field `as_name` from `lambda`, with `fresh` as each group's
    /// tracker.
    pub(crate) fn new(lambda: Lambda, as_name: &str, fresh: T) -> Self {
        StateTracking {
            lambda,
            as_name: Str::from(as_name),
            fresh,
        }
    }
}

/// The tracked value of the point in `scope`; `None` when its evaluation failed
/// (reported).
fn tracked<T: Tracker>(
    evaluator: &mut Evaluator,
    tracker: &mut T,
    scope: &Scope<'_>,
    ctx: &mut Context<'_>,
) -> Option<FieldValue> {
    match evaluator.eval_bool(scope) {
        Ok(in_state) => Some(tracker.track(in_state, scope.time)),
        Err(err) => {
            ctx.error(&err);
            None
        }
    }
}

impl<T: Tracker> GroupTransform for StateTracking<T> {
    type State = (Evaluator, T);
    const SCOPE: StateScope = StateScope::Group;

    fn new_state(&self) -> (Evaluator, T) {
        (self.lambda.evaluator(), self.fresh.clone())
    }

    fn point(
        &mut self,
        (evaluator, tracker): &mut (Evaluator, T),
        mut point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        if let Some(value) = tracked(evaluator, tracker, &Scope::of_point(&point), ctx) {
            point.fields.insert(self.as_name.clone(), value);
            ctx.emit(Message::Point(point));
        }
        Ok(())
    }

    fn batch(
        &mut self,
        (evaluator, _): &mut (Evaluator, T),
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let mut tracker = self.fresh.clone();
        batch.points.retain(|p| {
            let scope = Scope::of_batch_point(p);
            let Some(value) = tracked(evaluator, &mut tracker, &scope, ctx) else {
                return false;
            };
            p.fields.insert(self.as_name.clone(), value);
            true
        });
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Each group's tracker and predicate state.
    fn codec(&self) -> Option<&dyn StateCodec<(Evaluator, T)>> {
        Some(self)
    }
}

impl<T: Tracker> StateCodec<(Evaluator, T)> for StateTracking<T> {
    fn member(&self) -> &'static str {
        "groups"
    }

    fn encode(&self, (evaluator, tracker): &(Evaluator, T)) -> Value {
        json!({ "tracker": tracker.to_json(), "lambda": evaluator.snapshot() })
    }

    fn decode(&self, value: &Value) -> Result<(Evaluator, T), StateError> {
        let mut tracker = self.fresh.clone();
        tracker.restore(state::member(value, "tracker")?)?;
        let evaluator = self
            .lambda
            .restored_evaluator(state::member(value, "lambda")?)?;
        Ok((evaluator, tracker))
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, Dimensions, Point};

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::state_count::Count;
    use crate::nodes::testing::{assert_resumes, lambda, point, points, run};

    fn node_of(predicate: &str) -> PerGroup<StateTracking<Count>> {
        PerGroup::new(StateTracking::new(lambda(predicate), "n", Count::default()))
    }

    fn node() -> PerGroup<StateTracking<Count>> {
        node_of("\"value\" > 95")
    }

    fn at(secs: i64, host: &str, value: f64) -> Point {
        let mut p = point(secs, &[("host", host)], &[("value", value.into())]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p
    }

    fn counts(out: Vec<Message>) -> Vec<i64> {
        points(out)
            .iter()
            .map(|p| match p.fields.get("n") {
                Some(FieldValue::Integer(n)) => *n,
                other => panic!("no count: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn groups_track_their_own_state() {
        let input = [
            ("a", 97.0),
            ("b", 47.0),
            ("a", 96.0),
            ("b", 99.0),
            ("a", 80.0),
        ]
        .iter()
        .enumerate()
        .map(|(t, &(host, v))| Message::Point(at(t as i64, host, v)))
        .collect();
        assert_eq!(counts(run(&mut node(), input).0), [1, -1, 2, 1, -1]);
    }

    #[test]
    fn a_failed_evaluation_drops_the_point_and_keeps_the_state() {
        let input = vec![
            Message::Point(at(0, "a", 97.0)),
            Message::Point(point(1, &[("host", "a")], &[])),
            Message::Point(at(2, "a", 97.0)),
        ];
        let (out, errors) = run(&mut node(), input);
        assert_eq!(counts(out), [1, 2]);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn a_batch_starts_afresh() {
        let batch = |values: &[f64]| {
            let p = at(0, "a", 0.0);
            let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
            batch.points = values
                .iter()
                .map(|&v| BatchPoint::from(&at(0, "a", v)))
                .collect();
            Message::Batch(batch)
        };
        let (out, _) = run(&mut node(), vec![batch(&[97.0, 98.0]), batch(&[99.0])]);
        let counts: Vec<Vec<FieldValue>> = out
            .iter()
            .map(|m| match m {
                Message::Batch(b) => b
                    .points
                    .iter()
                    .filter_map(|p| p.fields.get("n").cloned())
                    .collect(),
                other => panic!("not a batch: {other:?}"),
            })
            .collect();
        assert_eq!(counts, [vec![1i64.into(), 2i64.into()], vec![1i64.into()]]);
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let node = || node_of("\"value\" > 95 AND count() > 1");
        let at = |t, host, v| Message::Point(at(t, host, v));
        let (out, _) = assert_resumes(
            node,
            vec![at(0, "a", 97.0), at(1, "b", 99.0), at(2, "a", 97.0)],
            vec![at(3, "a", 97.0), at(4, "b", 99.0)],
        );
        assert_eq!(counts(out), [2, 1]);
        assert!(node().restore(json!({"groups": [{"group": {}}]})).is_err());
    }
}
