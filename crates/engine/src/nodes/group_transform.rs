//! [`GroupTransform`]: the trait for a node that transforms one group's points or
//! batches, [`Rewrite`], the smaller one for a stateless node that rewrites each in
//! place, and [`PerGroup`], the adapter that makes such a transform a [`Node`].
//!
//! The adapter owns what every such node used to repeat in its `Node::message`: the
//! per-group state table ([`Groups`]), a fresh state per batch where the node wants one
//! ([`StateScope`]), `DeleteGroup` (the group's state is dropped and the message goes on)
//! and `Barrier` (it goes on, after the transform's [`GroupTransform::barrier`] hook), and
//! the snapshot of the table (`{"<member>": [{"group": …, "state": …}]}`, ordered by group
//! id, through the transform's [`StateCodec`]). None of the nodes on it had a
//! chunk-at-a-time path; they take a chunk through `Node::messages`' default.
//!
//! On it: where, eval, sample, changeDetect, derivative, stateDuration and stateCount
//! (`state_tracking`), flatten and combine; and, through [`Rewrite`], default, delete,
//! shift, sideload and httpPost.
//!
//! Nodes of another shape implement [`Node`] themselves:
//! - window: its snapshot writes each group flat (`{"group", "buffer", "next_emit",
//!   "count"}`), not as `{"group", "state"}`; its chunk path buffers points where they lie
//!   in the chunk; a batch is an error.
//! - influxQL: a snapshot entry carries its group inside a state whose kind (a pending run
//!   or a transformation) differs per group, and a batch has no group state at all.
//! - alert: its level evaluators are shared by all groups, its snapshot holds more than
//!   the table (the lambdas' and inhibitors' states), and it reports its handlers' errors
//!   after every message and drains them when it finishes.
//! - join, union, groupBy, barrier, stats: several inputs, or queues and timers across
//!   groups and the engine clock, rather than one group's message at a time.
//! - log, httpOut, influxDBOut, kapacitorLoopback, noop: they act on every message kind
//!   (log writes barriers and deletes; httpOut forgets a deleted group's result) or send
//!   data out of the task instead of transforming it.
//! - from, stream, udf: the task's entry (with a chunk fast path) and the UDF bridge,
//!   whose state lives in the agent.

use serde_json::{json, Value};
use tickflow_model::{Batch, Message, Point, Time};

use crate::node::{Context, Node, NodeError};
use crate::nodes::group_state::Groups;
use crate::state::{self, StateError};

/// Where a transform keeps its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StateScope {
    /// Nowhere: the transform is stateless; the table stays empty and each message is
    /// handled with a new (empty) state.
    None,
    /// Per group, for its points and batches alike.
    Group,
    /// Per group for points; each batch is handled with a fresh state of its own and
    /// leaves the table as it was.
    Points,
}

/// A node that transforms one group's points or batches with that group's state.
///
/// Node-wide values (its spec, compiled templates, sideload's file cache) are the
/// transform's own; only the per-group table is saved in snapshots.
pub(crate) trait GroupTransform: Send {
    /// One group's state.
    type State: Send;

    /// Where the state lives.
    const SCOPE: StateScope;

    /// The state of a group not seen yet (and, under [`StateScope::Points`], of each
    /// batch).
    fn new_state(&self) -> Self::State;

    /// Handles one point with its group's state, emitting what goes on.
    fn point(
        &mut self,
        state: &mut Self::State,
        point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError>;

    /// Handles one batch with its group's state (or a fresh one, see [`StateScope`]),
    /// emitting what goes on.
    fn batch(
        &mut self,
        state: &mut Self::State,
        batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError>;

    /// Called before a barrier at `time` for a group with state passes on (flatten
    /// emits the run the barrier closes); does nothing by default.
    fn barrier(
        &mut self,
        _state: &mut Self::State,
        _time: Time,
        _ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        Ok(())
    }

    /// How snapshots save the table; `None`, the default, saves nothing (a stateless
    /// node, or one whose lambdas call no stateful function).
    fn codec(&self) -> Option<&dyn StateCodec<Self::State>> {
        None
    }
}

/// The simplest transform: no state, each point and batch rewritten in place and
/// forwarded. Every `Rewrite` is a [`GroupTransform`] under [`StateScope::None`].
pub(crate) trait Rewrite: Send {
    /// Rewrites a point before it goes on.
    fn rewrite_point(&mut self, point: &mut Point, ctx: &mut Context<'_>);

    /// Rewrites a batch before it goes on.
    fn rewrite_batch(&mut self, batch: &mut Batch, ctx: &mut Context<'_>);
}

impl<T: Rewrite> GroupTransform for T {
    type State = ();
    const SCOPE: StateScope = StateScope::None;

    fn new_state(&self) {}

    fn point(
        &mut self,
        _: &mut (),
        mut point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        self.rewrite_point(&mut point, ctx);
        ctx.emit(Message::Point(point));
        Ok(())
    }

    fn batch(
        &mut self,
        _: &mut (),
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        self.rewrite_batch(&mut batch, ctx);
        ctx.emit(Message::Batch(batch));
        Ok(())
    }
}

/// How one group's state is written to and read from a snapshot.
pub(crate) trait StateCodec<S> {
    /// The snapshot member that holds the table (`"groups"`).
    fn member(&self) -> &'static str;

    /// One group's state as JSON.
    fn encode(&self, state: &S) -> Value;

    /// One group's state from [`StateCodec::encode`].
    fn decode(&self, value: &Value) -> Result<S, StateError>;
}

/// A [`GroupTransform`] running as a node, with its table of group states.
pub(crate) struct PerGroup<T: GroupTransform> {
    transform: T,
    groups: Groups<T::State>,
}

impl<T: GroupTransform> PerGroup<T> {
    /// The node running `transform`, with no group seen yet.
    pub(crate) fn new(transform: T) -> Self {
        PerGroup {
            transform,
            groups: Groups::default(),
        }
    }

    fn point(&mut self, point: Point, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        let transform = &mut self.transform;
        match T::SCOPE {
            StateScope::None => transform.point(&mut transform.new_state(), point, ctx),
            StateScope::Group | StateScope::Points => {
                let state = self.groups.of_point(&point, || transform.new_state());
                transform.point(state, point, ctx)
            }
        }
    }

    fn batch(&mut self, batch: Batch, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        let transform = &mut self.transform;
        match T::SCOPE {
            StateScope::None | StateScope::Points => {
                transform.batch(&mut transform.new_state(), batch, ctx)
            }
            StateScope::Group => {
                let state = self.groups.of_batch(&batch, || transform.new_state());
                transform.batch(state, batch, ctx)
            }
        }
    }
}

impl<T: GroupTransform> Node for PerGroup<T> {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(point) => self.point(point, ctx)?,
            Message::Batch(batch) => self.batch(batch, ctx)?,
            Message::Barrier { group, time } => {
                if let Some(state) = self.groups.get_mut(&group.id) {
                    self.transform.barrier(state, time, ctx)?;
                }
                ctx.emit(Message::Barrier { group, time });
            }
            Message::DeleteGroup(group) => {
                self.groups.remove(&group.id);
                ctx.emit(Message::DeleteGroup(group));
            }
        }
        Ok(())
    }

    /// Every group's state under the codec's member, when the transform has one.
    fn snapshot(&self) -> Option<Value> {
        let codec = self.transform.codec()?;
        let groups = self.groups.to_json(|s| codec.encode(s));
        Some(json!({ codec.member(): groups }))
    }

    /// Reads the table back; a transform that saves nothing ignores `saved`.
    fn restore(&mut self, saved: Value) -> Result<(), NodeError> {
        let Some(codec) = self.transform.codec() else {
            return Ok(());
        };
        let table = state::member(&saved, codec.member())?;
        self.groups = Groups::from_json(table, |value| codec.decode(value))?;
        Ok(())
    }

    /// The group table (states' heap contents are not counted).
    fn memory(&self) -> usize {
        self.groups.memory()
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{BatchPoint, Dimensions, FieldValue, GroupInfo};

    use super::*;
    use crate::nodes::testing::{assert_resumes, point, run};

    /// Numbers each group's messages in a field `n`, the way a stateful node would.
    struct Counter;

    impl GroupTransform for Counter {
        type State = i64;
        const SCOPE: StateScope = StateScope::Points;

        fn new_state(&self) -> i64 {
            0
        }

        fn point(
            &mut self,
            n: &mut i64,
            mut point: Point,
            ctx: &mut Context<'_>,
        ) -> Result<(), NodeError> {
            *n += 1;
            point.fields.insert("n".into(), FieldValue::Integer(*n));
            ctx.emit(Message::Point(point));
            Ok(())
        }

        fn batch(
            &mut self,
            n: &mut i64,
            mut batch: Batch,
            ctx: &mut Context<'_>,
        ) -> Result<(), NodeError> {
            for p in batch.points.make_mut() {
                *n += 1;
                p.fields.insert("n".into(), FieldValue::Integer(*n));
            }
            ctx.emit(Message::Batch(batch));
            Ok(())
        }

        fn barrier(
            &mut self,
            n: &mut i64,
            time: Time,
            ctx: &mut Context<'_>,
        ) -> Result<(), NodeError> {
            let mut p = point(0, &[("host", "a")], &[("n", FieldValue::Integer(*n))]);
            p.time = time;
            ctx.emit(Message::Point(p));
            Ok(())
        }

        fn codec(&self) -> Option<&dyn StateCodec<i64>> {
            Some(self)
        }
    }

    impl StateCodec<i64> for Counter {
        fn member(&self) -> &'static str {
            "counts"
        }

        fn encode(&self, n: &i64) -> Value {
            json!(n)
        }

        fn decode(&self, value: &Value) -> Result<i64, StateError> {
            value.as_i64().ok_or_else(|| StateError::new("not a count"))
        }
    }

    fn host(secs: i64, host: &str) -> Point {
        let mut p = point(secs, &[("host", host)], &[]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p
    }

    fn group(host_name: &str) -> GroupInfo {
        host(0, host_name).group_info()
    }

    /// The `n` field of every point, and of every batch's points, in order.
    fn counts(out: &[Message]) -> Vec<i64> {
        let n = |fields: &tickflow_model::Fields| match fields.get("n") {
            Some(FieldValue::Integer(n)) => *n,
            other => panic!("no count: {other:?}"),
        };
        out.iter()
            .flat_map(|m| match m {
                Message::Point(p) => vec![n(&p.fields)],
                Message::Batch(b) => b.points.iter().map(|p| n(&p.fields)).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn groups_keep_their_own_state_until_deleted() {
        let input = vec![
            Message::Point(host(0, "a")),
            Message::Point(host(1, "b")),
            Message::Point(host(2, "a")),
            Message::DeleteGroup(group("a")),
            Message::Point(host(3, "a")),
        ];
        let (out, _) = run(&mut PerGroup::new(Counter), input);
        assert_eq!(counts(&out), [1, 1, 2, 1]);
        assert_eq!(out[3], Message::DeleteGroup(group("a")));
    }

    #[test]
    fn a_batch_gets_a_fresh_state_under_points_scope() {
        let p = host(0, "a");
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(0));
        batch.points.push(BatchPoint::from(&p));
        batch.points.push(BatchPoint::from(&p));
        let input = vec![
            Message::Point(p),
            Message::Batch(batch.clone()),
            Message::Batch(batch),
        ];
        let (out, _) = run(&mut PerGroup::new(Counter), input);
        assert_eq!(counts(&out), [1, 1, 2, 1, 2]);
    }

    #[test]
    fn a_barrier_passes_after_the_hook_of_a_group_with_state() {
        let barrier = |host_name: &str| Message::Barrier {
            group: group(host_name),
            time: Time::from_nanos(9),
        };
        let input = vec![Message::Point(host(0, "a")), barrier("a"), barrier("b")];
        let (out, _) = run(&mut PerGroup::new(Counter), input);
        assert_eq!(counts(&out), [1, 1]);
        assert_eq!(out[2..], [barrier("a"), barrier("b")]);
    }

    #[test]
    fn the_table_is_saved_under_the_codecs_member() {
        let at = |t, h| Message::Point(host(t, h));
        assert_resumes(
            || PerGroup::new(Counter),
            vec![at(0, "a"), at(1, "b"), at(2, "a")],
            vec![at(3, "a"), at(4, "c")],
        );
        let mut node = PerGroup::new(Counter);
        run(&mut node, vec![at(0, "a")]);
        let saved = node.snapshot().expect("a codec");
        assert_eq!(saved["counts"][0]["state"], json!(1));
        assert!(node.restore(json!({"groups": []})).is_err());
    }
}
