//! `|sample(n)` / `|sample(d)`: keeps every n-th point, or the points whose time lies on
//! a multiple of `d` (kapacitor-compat.md, nodes §4.6).
//!
//! With a count, each group counts its points from 0 and keeps those where
//! `count % n == 0` (the 1st, the n+1-th, …); in a batch the count starts again at every
//! batch and applies to its points, and the batch itself always goes on. With a duration,
//! a point is kept when Go's truncation to `d` leaves its time unchanged.

use serde_json::{json, Value};
use tickflow_model::{Batch, Message, Point, Time};
use tickflow_pipeline::nodes::sample::{SampleNode, SampleRate};

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::state::StateError;

/// The sample transform: a group's state is how many of its points it has seen (a
/// batch counts its own points from 0).
pub(crate) struct Sample {
    rate: SampleRate,
}

impl Sample {
    /// A sample transform for a validated spec.
    pub(crate) fn new(spec: &SampleNode) -> Self {
        Sample { rate: spec.rate }
    }
}

/// Whether the point at `time`, the `count`-th of its run (from 0), is kept; advances
/// `count`.
fn keep(rate: SampleRate, count: &mut i64, time: Time) -> bool {
    match rate {
        SampleRate::Count(n) => {
            let kept = n != 0 && *count % n == 0;
            *count = count.wrapping_add(1);
            kept
        }
        SampleRate::Every(d) => time.truncate(d) == time,
    }
}

impl GroupTransform for Sample {
    type State = i64;
    const SCOPE: StateScope = StateScope::Points;

    fn new_state(&self) -> i64 {
        0
    }

    fn point(
        &mut self,
        count: &mut i64,
        point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        if keep(self.rate, count, point.time) {
            ctx.emit(Message::Point(point));
        }
        Ok(())
    }

    fn batch(
        &mut self,
        count: &mut i64,
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        batch.points.retain(|p| keep(self.rate, count, p.time));
        ctx.emit(Message::Batch(batch));
        Ok(())
    }

    /// Each group's count.
    fn codec(&self) -> Option<&dyn StateCodec<i64>> {
        Some(self)
    }
}

impl StateCodec<i64> for Sample {
    fn member(&self) -> &'static str {
        "counts"
    }

    fn encode(&self, count: &i64) -> Value {
        json!(count)
    }

    fn decode(&self, value: &Value) -> Result<i64, StateError> {
        value
            .as_i64()
            .ok_or_else(|| StateError::new(format!("count {value} is not an integer")))
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Batch, BatchPoint, Dimensions, Duration};

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{assert_resumes, batch_sizes, point, points, run};

    const S: i64 = 1_000_000_000;

    fn host_point(secs: i64, host: &str) -> tickflow_model::Point {
        let mut p = point(secs, &[("host", host)], &[]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p
    }

    fn at(secs: i64, host: &str) -> Message {
        Message::Point(host_point(secs, host))
    }

    fn kept(rate: SampleRate, input: Vec<Message>) -> Vec<i64> {
        let (out, _) = run(&mut PerGroup::new(Sample::new(&SampleNode { rate })), input);
        points(out).iter().map(|p| p.time.nanos() / S).collect()
    }

    #[test]
    fn a_count_keeps_the_first_of_every_n_per_group() {
        let input = (0..7).map(|t| at(t, "a")).collect();
        assert_eq!(kept(SampleRate::Count(2), input), [0, 2, 4, 6]);
        let input = vec![at(0, "a"), at(1, "b"), at(2, "a"), at(3, "b"), at(4, "a")];
        assert_eq!(kept(SampleRate::Count(2), input), [0, 1, 4]);
    }

    #[test]
    fn a_duration_keeps_times_on_its_boundaries() {
        let input = (0..10).map(|t| at(t, "a")).collect();
        let every = SampleRate::Every(Duration::from_nanos(3 * S));
        assert_eq!(kept(every, input), [0, 3, 6, 9]);
    }

    #[test]
    fn a_batch_counts_from_zero_and_keeps_its_envelope() {
        let batch = |n: i64| {
            let p = host_point(0, "a");
            let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
            batch.points = (0..n)
                .map(|t| BatchPoint::from(&host_point(t, "a")))
                .collect();
            Message::Batch(batch)
        };
        let (out, _) = run(
            &mut PerGroup::new(Sample::new(&SampleNode {
                rate: SampleRate::Count(3),
            })),
            vec![batch(5), batch(2)],
        );
        assert_eq!(batch_sizes(&out), [2, 1]);
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let spec = SampleNode {
            rate: SampleRate::Count(3),
        };
        let rest: Vec<Message> = (3..9)
            .map(|t| at(t, if t % 2 == 0 { "a" } else { "b" }))
            .collect();
        assert_resumes(
            || PerGroup::new(Sample::new(&spec)),
            vec![at(0, "a"), at(1, "a"), at(2, "b")],
            rest,
        );
        assert!(PerGroup::new(Sample::new(&spec))
            .restore(json!({"counts": {}}))
            .is_err());
    }
}
