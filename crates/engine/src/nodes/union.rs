//! `|union(…)`: merges its parents' messages in time order (kapacitor-compat.md, nodes §6.1).
//!
//! Each parent has a queue and a low mark: the time of the last message seen at the head
//! of its queue. Nothing goes on until every parent has sent something; then every
//! queued message no later than the smallest of the parents' head times (or low marks,
//! for parents with an empty queue) goes on, parent by parent in parent order, until
//! nothing more qualifies. A silent parent thus holds back everything newer than its last
//! message. Each queue is kept in time order (a message older than one queued goes before
//! it), so a point far in the future holds back only itself, not every later message of
//! its parent. When every input has closed the queues are drained in the same order. Group
//! deletes go on at once. `.rename(…)` renames every point and batch.

use std::collections::VecDeque;

use serde_json::{json, Value};
use tickflow_model::{Batch, GroupId, Message, Str, Time};
use tickflow_pipeline::nodes::union::UnionNode;

use crate::node::{Context, Node, NodeError};
use crate::nodes::memory;
use crate::state::{self, StateError};

/// The running union node.
pub(crate) struct Union {
    rename: Option<Str>,
    queues: Vec<VecDeque<Message>>,
    lows: Vec<Option<Time>>,
}

impl Union {
    /// A union node for a validated spec with `parents` inputs.
    pub(crate) fn new(spec: &UnionNode, parents: usize) -> Self {
        Union {
            rename: (!spec.rename.is_empty()).then(|| Str::from(spec.rename.as_str())),
            queues: vec![VecDeque::new(); parents],
            lows: vec![None; parents],
        }
    }

    /// Emits every queued message no later than `mark`, parent by parent; whether any
    /// went on.
    fn emit_through(&mut self, mark: Time, ctx: &mut Context<'_>) -> bool {
        let mut emitted = false;
        for (queue, low) in self.queues.iter_mut().zip(&mut self.lows) {
            while let Some(time) = queue.front().and_then(time_of).filter(|t| *t <= mark) {
                *low = Some(time);
                if let Some(message) = queue.pop_front() {
                    ctx.emit(renamed(message, self.rename.as_ref()));
                    emitted = true;
                }
            }
        }
        emitted
    }

    /// The smallest head time, a parent with an empty queue counting with its low mark
    /// when `with_lows`.
    fn mark(&self, with_lows: bool) -> Option<Time> {
        self.queues
            .iter()
            .zip(&self.lows)
            .filter_map(|(queue, low)| match queue.front().and_then(time_of) {
                Some(time) => Some(time),
                None if with_lows => *low,
                None => None,
            })
            .min()
    }
}

/// The time a queued message is ordered by.
fn time_of(message: &Message) -> Option<Time> {
    match message {
        Message::Point(p) => Some(p.time),
        Message::Batch(b) => Some(b.tmax),
        Message::Barrier { time, .. } => Some(*time),
        Message::DeleteGroup(_) => None,
    }
}

/// `message` under the new name, its group derived again.
fn renamed(message: Message, rename: Option<&Str>) -> Message {
    let Some(name) = rename else {
        return message;
    };
    match message {
        Message::Point(mut point) => {
            point.name = name.clone();
            point.regroup();
            Message::Point(point)
        }
        Message::Batch(mut batch) => {
            batch.name = name.clone();
            batch.group = GroupId::new(&batch.name, &batch.tags, &batch.dimensions);
            Message::Batch(batch)
        }
        other => other,
    }
}

impl Node for Union {
    fn message(
        &mut self,
        input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let (Some(queue), Some(low)) = (self.queues.get_mut(input), self.lows.get_mut(input))
        else {
            return Err(NodeError::new(format!("union has no input {input}")));
        };
        let Some(time) = time_of(&message) else {
            ctx.emit(message);
            return Ok(());
        };
        if queue.is_empty() {
            *low = Some(time);
        }
        // In time order within the parent: a message behind one already queued (a point
        // far in the future came first) goes before it instead of queueing behind it for
        // ever, so the queue holds only what is really ahead of the other parents.
        let at = queue.partition_point(|m| time_of(m).is_none_or(|t| t <= time));
        queue.insert(at, message);
        if self.lows.iter().all(Option::is_some) {
            while let Some(mark) = self.mark(true) {
                if !self.emit_through(mark, ctx) {
                    break;
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        while let Some(mark) = self.mark(false) {
            self.emit_through(mark, ctx);
        }
        Ok(())
    }

    /// The queued messages and low marks of every parent.
    fn snapshot(&self) -> Option<Value> {
        let parents: Vec<_> = self
            .queues
            .iter()
            .zip(&self.lows)
            .map(|(queue, low)| {
                json!({
                    "low": low.map(Time::nanos),
                    "queue": queue.iter().filter_map(message_json).collect::<Vec<_>>(),
                })
            })
            .collect();
        Some(json!({ "parents": parents }))
    }

    /// The queued messages, each at its struct size and one field's values.
    fn memory(&self) -> usize {
        let queued: usize = self.queues.iter().map(VecDeque::len).sum();
        queued * (std::mem::size_of::<Message>() + memory::fields(1))
    }

    fn restore(&mut self, state: Value) -> Result<(), NodeError> {
        let parents = state::array(&state, "parents")?;
        if parents.len() != self.queues.len() {
            return Err(StateError::new("the number of parents differs").into());
        }
        for (i, parent) in parents.iter().enumerate() {
            self.lows[i] = match state::member(parent, "low")? {
                Value::Null => None,
                _ => Some(Time::from_nanos(state::int(parent, "low")?)),
            };
            self.queues[i] = state::array(parent, "queue")?
                .iter()
                .map(message_from)
                .collect::<Result<_, _>>()?;
        }
        Ok(())
    }
}

/// A queued point, batch or barrier as JSON (group deletes are never queued). A
/// barrier's group is saved by its tags and dimensions, which leave out the measurement:
/// a barrier of a group by measurement restores with the nil name.
pub(crate) fn message_json(message: &Message) -> Option<Value> {
    Some(match message {
        Message::Point(p) => json!({ "point": state::point_json(p) }),
        Message::Batch(b) => json!({ "batch": {
            "group": state::group_json(&b.name, &b.group_info()),
            "tmax": b.tmax.nanos(),
            "points": b.points.iter().map(state::batch_point_json).collect::<Vec<_>>(),
        }}),
        Message::Barrier { group, time } => json!({ "barrier": {
            "group": state::group_json("", group),
            "time": time.nanos(),
        }}),
        Message::DeleteGroup(_) => return None,
    })
}

/// A message from [`message_json`].
pub(crate) fn message_from(value: &Value) -> Result<Message, StateError> {
    if let Some(point) = value.get("point") {
        return Ok(Message::Point(state::point_from(point)?));
    }
    if let Some(batch) = value.get("batch") {
        let (name, info) = state::group_from(state::member(batch, "group")?)?;
        let mut out = Batch::new(name, info, Time::from_nanos(state::int(batch, "tmax")?));
        out.points = state::array(batch, "points")?
            .iter()
            .map(state::batch_point_from)
            .collect::<Result<_, _>>()?;
        return Ok(Message::Batch(out));
    }
    let barrier = state::member(value, "barrier")?;
    let (_, group) = state::group_from(state::member(barrier, "group")?)?;
    let time = Time::from_nanos(state::int(barrier, "time")?);
    Ok(Message::Barrier { group, time })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::testing::point;
    use crate::stats::NodeStats;

    fn spec(rename: &str) -> UnionNode {
        UnionNode {
            rename: rename.into(),
        }
    }

    fn at(secs: i64) -> Message {
        Message::Point(point(secs, &[], &[]))
    }

    /// Runs (input, message) pairs, then finishes; returns the times (and names) out.
    fn run(union: &mut Union, input: Vec<(usize, Message)>, finish: bool) -> Vec<(i64, String)> {
        let (stats, diagnostics, mut out) = (
            NodeStats::default(),
            crate::diagnostics::Collect::default(),
            Vec::new(),
        );
        let mut ctx = Context::new(&mut out, &stats, "union1", &diagnostics, false);
        for (i, m) in input {
            union.message(i, m, &mut ctx).expect("no fatal error");
        }
        if finish {
            union.finish(&mut ctx).expect("finishes");
        }
        out.iter()
            .filter_map(|m| match m {
                Message::Point(p) => Some((p.time.nanos() / 1_000_000_000, p.name.to_string())),
                _ => None,
            })
            .collect()
    }

    fn times(out: Vec<(i64, String)>) -> Vec<i64> {
        out.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn a_far_future_point_holds_back_only_itself() {
        let mut union = Union::new(&spec(""), 2);
        let far = 7_258_118_400;
        let mut input = vec![(0, at(1)), (1, at(1)), (0, at(far))];
        for t in 2..1000 {
            input.push((0, at(t)));
            input.push((1, at(t)));
        }
        let out = times(run(&mut union, input, false));
        assert_eq!(out.len(), 2 + 2 * 998, "all but the far point");
        assert!(out.windows(2).all(|w| w[0] <= w[1]), "in time order");
        assert_eq!(union.queues[0].len(), 1, "{:?}", union.queues[0]);
        assert_eq!(union.queues[1].len(), 0);
        let rest = times(run(&mut union, Vec::new(), true));
        assert_eq!(rest, [far]);
    }

    #[test]
    fn nothing_goes_on_until_every_parent_spoke() {
        let mut union = Union::new(&spec(""), 2);
        let out = run(&mut union, vec![(0, at(1)), (0, at(2))], false);
        assert!(out.is_empty());
        let out = run(&mut union, vec![(1, at(1))], false);
        assert_eq!(times(out), [1, 1]);
    }

    #[test]
    fn output_is_merged_by_time_and_a_silent_parent_holds_newer_data() {
        let mut union = Union::new(&spec(""), 2);
        let input = vec![(0, at(1)), (1, at(2)), (0, at(3)), (0, at(5)), (1, at(4))];
        assert_eq!(times(run(&mut union, input, false)), [1, 2, 3, 4]);
        assert_eq!(times(run(&mut union, vec![], true)), [5]);
    }

    #[test]
    fn ties_go_in_parent_order_and_rename_applies() {
        let mut union = Union::new(&spec("all"), 2);
        let input = vec![(1, at(1)), (0, at(1))];
        let out = run(&mut union, input, true);
        assert_eq!(out, [(1, "all".to_string()), (1, "all".to_string())]);
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let mut saved = Union::new(&spec(""), 2);
        run(&mut saved, vec![(0, at(1)), (0, at(3)), (1, at(2))], false);
        let mut restored = Union::new(&spec(""), 2);
        restored
            .restore(saved.snapshot().expect("state"))
            .expect("restores");
        let rest = vec![(1, at(4)), (0, at(6))];
        let expected = run(&mut saved, rest.clone(), true);
        assert_eq!(times(expected.clone()), [3, 4, 6]);
        assert_eq!(run(&mut restored, rest, true), expected);
        assert!(Union::new(&spec(""), 3)
            .restore(saved.snapshot().expect("state"))
            .is_err());
    }

    #[test]
    fn queued_messages_round_trip() {
        let p = point(1, &[("host", "a")], &[]);
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(5));
        batch.points.push((&p).into());
        for message in [
            Message::Point(p.clone()),
            Message::Batch(batch),
            Message::Barrier {
                group: p.group_info(),
                time: Time::from_nanos(9),
            },
        ] {
            let json = message_json(&message).expect("queued kinds encode");
            assert_eq!(message_from(&json), Ok(message));
        }
        assert!(message_json(&Message::DeleteGroup(p.group_info())).is_none());
        assert!(message_from(&json!({})).is_err());
    }
}
