//! `|where(λ)`: forwards the points for which the lambda is true (kapacitor-compat.md, nodes §4.1).
//!
//! Each group has its own evaluator (stateful functions such as `count()` count per
//! group). `false` drops the point; an evaluation error is reported and drops it too. A
//! batch keeps its envelope even when no point passes, so empty batches go on. When the
//! predicate calls a stateful function, a snapshot holds each group's evaluator state.

use serde_json::Value;
use tickflow_expr::{Evaluator, Lambda, Scope};
use tickflow_model::{Batch, Message, Point};

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::state::StateError;

/// The where transform: a group's state is its predicate's evaluator.
pub(crate) struct Where {
    lambda: Lambda,
}

impl Where {
    /// A where transform with its compiled predicate.
    pub(crate) fn new(lambda: Lambda) -> Self {
        Where { lambda }
    }
}

/// Whether `scope` passes; an error is reported and counts as not passing.
fn passes(evaluator: &mut Evaluator, scope: &Scope<'_>, ctx: &mut Context<'_>) -> bool {
    evaluator.eval_bool(scope).unwrap_or_else(|err| {
        ctx.error(&err);
        false
    })
}

impl GroupTransform for Where {
    type State = Evaluator;
    const SCOPE: StateScope = StateScope::Group;

    fn new_state(&self) -> Evaluator {
        self.lambda.evaluator()
    }

    fn point(
        &mut self,
        evaluator: &mut Evaluator,
        point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        if passes(evaluator, &Scope::of_point(&point), ctx) {
            ctx.emit(Message::Point(point));
        }
        Ok(())
    }

    fn batch(
        &mut self,
        evaluator: &mut Evaluator,
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        batch
            .points
            .retain(|p| passes(evaluator, &Scope::of_batch_point(p), ctx));
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Each group's evaluator state, when the predicate has state.
    fn codec(&self) -> Option<&dyn StateCodec<Evaluator>> {
        self.lambda.is_stateful().then_some(self)
    }
}

impl StateCodec<Evaluator> for Where {
    fn member(&self) -> &'static str {
        "groups"
    }

    fn encode(&self, evaluator: &Evaluator) -> Value {
        evaluator.snapshot()
    }

    fn decode(&self, value: &Value) -> Result<Evaluator, StateError> {
        Ok(self.lambda.restored_evaluator(value)?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tickflow_model::{BatchPoint, Dimensions, FieldValue, Time};

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{assert_resumes, lambda, point, points, run};

    fn node(predicate: &str) -> PerGroup<Where> {
        PerGroup::new(Where::new(lambda(predicate)))
    }

    fn value(secs: i64, host: &str, v: i64) -> tickflow_model::Point {
        let mut p = point(
            secs,
            &[("host", host)],
            &[("value", FieldValue::Integer(v))],
        );
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p
    }

    #[test]
    fn a_missing_field_drops_the_point_and_counts_an_error() {
        let input = vec![
            Message::Point(value(0, "a", 5)),
            Message::Point(point(1, &[], &[])),
            Message::Point(value(2, "a", 0)),
        ];
        let (out, errors) = run(&mut node("\"value\" > 1"), input);
        assert_eq!(points(out).len(), 1);
        assert_eq!(
            errors,
            ["node1: left reference value \"value\" is missing value"]
        );
    }

    #[test]
    fn stateful_functions_count_per_group() {
        let input = ["a", "b", "a", "b"]
            .iter()
            .enumerate()
            .map(|(t, host)| Message::Point(value(t as i64, host, 1)))
            .collect();
        let (out, _) = run(&mut node("count() == 2"), input);
        let hosts: Vec<String> = points(out)
            .iter()
            .map(|p| p.group.as_str().to_string())
            .collect();
        assert_eq!(hosts, ["host=a", "host=b"]);
    }

    #[test]
    fn a_batch_keeps_its_envelope_when_nothing_passes() {
        let p = value(0, "a", 0);
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
        batch.points.push(BatchPoint::from(&p));
        let (out, errors) = run(&mut node("\"value\" > 1"), vec![Message::Batch(batch)]);
        assert!(errors.is_empty());
        let [Message::Batch(batch)] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        assert!(batch.points.is_empty());
    }

    #[test]
    fn a_restored_node_counts_on_per_group() {
        let at = |t: i64, host: &str| Message::Point(value(t, host, 1));
        let stateful = || node("count() % 2 == 0 AND sigma(float(\"value\")) == 0.0");
        let (out, _) = assert_resumes(
            stateful,
            vec![at(0, "a"), at(1, "b"), at(2, "a")],
            vec![at(3, "b"), at(4, "a"), at(5, "c"), at(6, "c")],
        );
        let passed: Vec<i64> = points(out)
            .iter()
            .map(|p| p.time.nanos() / 1_000_000_000)
            .collect();
        assert_eq!(passed, [3, 6]);
        assert_eq!(node("\"value\" > 1").snapshot(), None);
        assert!(stateful().restore(json!({"groups": [{}]})).is_err());
    }
}
