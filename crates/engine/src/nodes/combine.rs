//! `|combine(λ, …)`: pairs (or triples, …) the points of a group that share a time, one
//! output point per combination (kapacitor-compat.md, nodes §4.11).
//!
//! Times are rounded to `.tolerance(…)` and a group's points are collected while their
//! time stays the same (in a batch, each run of equal times, the last ending with the
//! batch). When a point of another time arrives, every predicate is evaluated on every
//! collected point (an error counts as false and is reported), and each k-combination of
//! the points, in lexicographic order of their positions, is offered to the predicates in
//! order: predicate s takes the first point of the combination not taken yet that it
//! matches, and a combination where one finds none is skipped. A complete one becomes a
//! point named after the group at the run's time whose fields and non-dimension tags are
//! each member's under `<as><delimiter>`. More than `.max(…)` combinations fail the task,
//! as in Kapacitor; on a stream the last run is never combined. A snapshot holds each
//! group's run and its predicates' stateful-function state.

use serde_json::{json, Value};
use tickflow_expr::{Evaluator, Lambda, Scope};
use tickflow_model::{Batch, Duration, Fields, Message, Point, Str, Tags};
use tickflow_pipeline::nodes::combine::CombineNode;

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::nodes::time_buffer::{rounded, TimeBuffer};
use crate::state::{self, StateError};

/// A run with more combinations than `.max(…)` allows: the task stops.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing to perform combination as total combinations {total} exceeds max combinations {max}"
)]
pub(crate) struct TooManyCombinations {
    /// The combinations the run has.
    pub total: u128,
    /// `.max(…)`.
    pub max: u128,
}

/// The combine transform: a group's state is its evaluators (one per lambda) and its
/// run (a batch collects its runs in a buffer of its own).
pub(crate) struct Combine {
    lambdas: Vec<Lambda>,
    tolerance: Option<Duration>,
    shape: Shape,
}

/// How combinations become points.
struct Shape {
    names: Vec<Str>,
    delimiter: String,
    max: u128,
}

impl Combine {
    /// A combine transform for a validated spec with its compiled lambdas, in order.
    pub(crate) fn new(spec: &CombineNode, lambdas: Vec<Lambda>) -> Self {
        Combine {
            lambdas,
            tolerance: spec.tolerance,
            shape: Shape {
                names: spec.names.iter().map(|n| Str::from(n.as_str())).collect(),
                delimiter: spec.delimiter.clone(),
                max: u128::try_from(spec.max).unwrap_or(0),
            },
        }
    }
}

impl Shape {
    /// One output point for a combination: `members[s]` matched predicate `s`.
    fn point(&self, members: &[&Point]) -> Option<Point> {
        let first = members.first()?;
        let mut point = Point::new(first.name.clone(), first.time);
        point.dimensions = first.dimensions.clone();
        point.group = first.group.clone();
        let (mut fields, mut tags) = (Vec::new(), Vec::new());
        for (member, name) in members.iter().zip(&self.names) {
            let prefixed = |key: &str| Str::from(format!("{name}{}{key}", self.delimiter));
            for (key, value) in member.fields.iter() {
                fields.push((prefixed(key), value.clone()));
            }
            for (key, value) in member.tags.iter() {
                let dimension = point.dimensions.tag_names().contains(key);
                let key = if dimension {
                    key.clone()
                } else {
                    prefixed(key)
                };
                tags.push((key, value.clone()));
            }
        }
        point.fields = Fields::from_unsorted(fields);
        point.tags = Tags::from_unsorted(tags);
        Some(point)
    }

    /// Combines one run with the group's evaluators, emitting a point per combination.
    fn combine(
        &self,
        evaluators: &mut [Evaluator],
        run: &[Point],
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let k = evaluators.len();
        let total = combinations(run.len(), k);
        if total > self.max {
            let err = TooManyCombinations {
                total,
                max: self.max,
            };
            return Err(NodeError::new(err.to_string()));
        }
        let matches: Vec<Vec<bool>> = evaluators
            .iter_mut()
            .map(|evaluator| {
                run.iter()
                    .map(|p| {
                        evaluator
                            .eval_bool(&Scope::of_point(p))
                            .unwrap_or_else(|err| {
                                ctx.error(&err);
                                false
                            })
                    })
                    .collect()
            })
            .collect();
        if k == 0 || k > run.len() {
            return Ok(());
        }
        let mut indices: Vec<usize> = (0..k).collect();
        loop {
            if let Some(members) = assign(&matches, &indices) {
                let members: Vec<&Point> = members.iter().map(|&i| &run[i]).collect();
                if let Some(point) = self.point(&members) {
                    ctx.emit(Message::Point(point));
                }
            }
            if !next_combination(&mut indices, run.len()) {
                return Ok(());
            }
        }
    }
}

/// The point index each predicate takes from the combination `indices`, in predicate
/// order; `None` when one finds no point.
fn assign(matches: &[Vec<bool>], indices: &[usize]) -> Option<Vec<usize>> {
    let mut taken = vec![false; indices.len()];
    matches
        .iter()
        .map(|matched| {
            let slot = (0..indices.len()).find(|&j| !taken[j] && matched[indices[j]])?;
            taken[slot] = true;
            Some(indices[slot])
        })
        .collect()
}

/// Moves `indices` to the next k-combination of `0..n` in lexicographic order; `false`
/// after the last.
fn next_combination(indices: &mut [usize], n: usize) -> bool {
    let k = indices.len();
    let Some(i) = (0..k).rev().find(|&i| indices[i] < n - k + i) else {
        return false;
    };
    indices[i] += 1;
    for j in i + 1..k {
        indices[j] = indices[j - 1] + 1;
    }
    true
}

/// `n` choose `k`, saturating.
fn combinations(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k) as u128;
    (0..k).fold(1u128, |c, i| c.saturating_mul(n as u128 - i) / (i + 1))
}

/// A group's evaluators, one per lambda, and its run.
type Run = (Vec<Evaluator>, TimeBuffer);

impl GroupTransform for Combine {
    type State = Run;
    const SCOPE: StateScope = StateScope::Group;

    fn new_state(&self) -> Run {
        let evaluators = self.lambdas.iter().map(Lambda::evaluator).collect();
        (evaluators, TimeBuffer::default())
    }

    fn point(
        &mut self,
        (evaluators, buffer): &mut Run,
        mut point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        point.time = rounded(point.time, self.tolerance);
        match buffer.push(point) {
            Some(run) => self.shape.combine(evaluators, &run, ctx),
            None => Ok(()),
        }
    }

    /// Combines each run of equal times in a batch, the last ending with the batch.
    fn batch(
        &mut self,
        (evaluators, _): &mut Run,
        batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let mut buffer = TimeBuffer::default();
        for mut point in batch.to_points() {
            point.time = rounded(point.time, self.tolerance);
            if let Some(run) = buffer.push(point) {
                self.shape.combine(evaluators, &run, ctx)?;
            }
        }
        match buffer.take_all() {
            Some(run) => self.shape.combine(evaluators, &run, ctx),
            None => Ok(()),
        }
    }

    /// Each group's run and the state of its predicates' stateful functions.
    fn codec(&self) -> Option<&dyn StateCodec<Run>> {
        Some(self)
    }
}

impl StateCodec<Run> for Combine {
    fn member(&self) -> &'static str {
        "groups"
    }

    fn encode(&self, (evaluators, buffer): &Run) -> Value {
        json!({ "run": buffer.to_json(), "lambdas": state::evaluators_json(evaluators) })
    }

    fn decode(&self, value: &Value) -> Result<Run, StateError> {
        let evaluators = state::evaluators_from(&self.lambdas, state::member(value, "lambdas")?)?;
        let buffer = TimeBuffer::from_json(state::member(value, "run")?)?;
        Ok((evaluators, buffer))
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Dimensions, FieldValue, Time};

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{assert_resumes, lambda, point, points, run};
    use crate::stats::NodeStats;

    const S: i64 = 1_000_000_000;

    fn spec(max: i64) -> CombineNode {
        CombineNode {
            expressions: Vec::new(),
            names: vec!["first".into(), "second".into()],
            delimiter: ".".into(),
            tolerance: Some(Duration::SECOND),
            max,
        }
    }

    fn node(first: &str, max: i64) -> PerGroup<Combine> {
        PerGroup::new(Combine::new(
            &spec(max),
            vec![lambda(first), lambda("TRUE")],
        ))
    }

    fn at(millis: i64, service: &str, value: f64) -> Message {
        let mut p = point(
            0,
            &[("dc", "A"), ("service", service)],
            &[("value", value.into())],
        );
        p.time = Time::from_nanos(millis * 1_000_000);
        p.set_dimensions(Dimensions::by_tags(["dc"]));
        Message::Point(p)
    }

    fn services() -> Vec<Message> {
        vec![
            at(1000, "auth", 7.0),
            at(1100, "log", 6.0),
            at(900, "cart", 8.0),
            at(3000, "auth", 1.0),
        ]
    }

    /// Each output point as (first.service, second.service).
    fn pairs(out: Vec<Message>) -> Vec<(String, String)> {
        points(out)
            .iter()
            .map(|p| {
                let tag = |k: &str| p.tags.get(k).map(|v| v.to_string()).unwrap_or_default();
                (tag("first.service"), tag("second.service"))
            })
            .collect()
    }

    #[test]
    fn every_pair_of_a_run_in_order() {
        let (out, errors) = run(&mut node("TRUE", 100), services());
        assert!(errors.is_empty());
        let first = points(out.clone())[0].clone();
        assert_eq!(first.time, Time::from_nanos(S));
        assert_eq!(first.tags.get("dc").map(|v| &**v), Some("A"));
        assert_eq!(
            first.fields.get("first.value"),
            Some(&FieldValue::Float(7.0))
        );
        assert_eq!(
            first.fields.get("second.value"),
            Some(&FieldValue::Float(6.0))
        );
        let expected = [("auth", "log"), ("auth", "cart"), ("log", "cart")]
            .map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(pairs(out), expected);
    }

    #[test]
    fn predicates_take_the_first_matching_member() {
        let (out, _) = run(&mut node("\"service\" == 'cart'", 100), services());
        let expected =
            [("cart", "auth"), ("cart", "log")].map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(pairs(out), expected);
    }

    #[test]
    fn an_evaluation_error_counts_as_no_match() {
        let (out, errors) = run(&mut node("\"missing\" > 1", 100), services());
        assert!(out.is_empty());
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn too_many_combinations_stop_the_task() {
        let mut combine = node("TRUE", 2);
        let (stats, diagnostics, mut out) = (
            NodeStats::default(),
            crate::diagnostics::Collect::default(),
            Vec::new(),
        );
        let mut ctx = Context::new(&mut out, &stats, "combine1", &diagnostics, false);
        let mut result = Ok(());
        for message in services() {
            result = result.and_then(|()| combine.message(0, message, &mut ctx));
        }
        assert_eq!(
            result,
            Err(NodeError::new(
                "refusing to perform combination as total combinations 3 exceeds max combinations 2"
            ))
        );
    }

    #[test]
    fn combination_counts_and_order() {
        assert_eq!(combinations(5, 2), 10);
        assert_eq!(combinations(2, 3), 0);
        assert!(combinations(200, 100) > 1_000_000);
        let mut indices = vec![0, 1];
        let mut seen = vec![indices.clone()];
        while next_combination(&mut indices, 3) {
            seen.push(indices.clone());
        }
        assert_eq!(seen, [vec![0, 1], vec![0, 2], vec![1, 2]]);
    }

    #[test]
    fn a_batch_combines_each_time_including_the_last() {
        let Message::Point(p) = at(0, "auth", 1.0) else {
            panic!("a point");
        };
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(S));
        batch.points = [(0, "auth"), (0, "log"), (5000, "a"), (5000, "b")]
            .iter()
            .map(|&(ms, service)| match at(ms, service, 1.0) {
                Message::Point(p) => tickflow_model::BatchPoint::from(&p),
                other => panic!("a point: {other:?}"),
            })
            .collect();
        let (out, _) = run(&mut node("TRUE", 100), vec![Message::Batch(batch)]);
        let expected = [("auth", "log"), ("a", "b")].map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(pairs(out), expected);
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let (out, _) = assert_resumes(
            || node("count() > 3", 100),
            services(),
            vec![at(3100, "log", 1.0), at(5000, "auth", 1.0)],
        );
        assert_eq!(pairs(out), [("auth".to_string(), "log".to_string())]);
        assert!(node("TRUE", 1).restore(json!({})).is_err());
    }
}
