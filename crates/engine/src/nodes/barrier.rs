//! `|barrier()`: per group, emits a Barrier after `.idle(d)` without data or every
//! `.period(d)`, and with `.delete(TRUE)` a DeleteGroup after it (kapacitor-compat.md, nodes §6.3).
//!
//! The barrier runs on the engine clock (see [`Node`]'s docs): wall time in the server,
//! as in Kapacitor, and event time in a replay, so a replay emits the barriers a live run
//! at the data's pace would. Each group has one timer, started when the group's first
//! message arrives:
//!
//! * idle: due `d` after the group's last message arrived; it emits a barrier at the
//!   group's latest data time + `d`, moves that time on by `d` and waits `d` again;
//! * period: due every `d` from the group's first message; it emits a barrier at the
//!   clock's time.
//!
//! A point or batch older than its group's last barrier is dropped. With delete, the
//! group is forgotten after its barrier, so its next message starts it afresh. Barriers
//! and deletions from upstream pass through (a deletion also forgets the group here).
//!
//! A snapshot holds each group's due time, latest data time and last barrier, as times
//! on the engine clock: restored in the server after a pause, timers due meanwhile fire
//! at the first tick, one after another, as a replay over the gap would.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use tickflow_model::{Duration, GroupId, GroupInfo, Message, Str, Time};
use tickflow_pipeline::nodes::barrier::BarrierNode;

use crate::node::{Context, Node, NodeError};
use crate::nodes::group_map::GroupMap;
use crate::state::{self, StateError};

/// When a group's barrier is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// After this long without a message.
    Idle(Duration),
    /// Every this long.
    Period(Duration),
}

/// One group's timer and times.
struct Group {
    /// The measurement of its first message (part of the id of a group by name).
    name: Str,
    info: GroupInfo,
    /// When its next barrier is due, on the engine clock.
    due: Time,
    /// The latest data time seen (idle barriers count from it).
    last: Time,
    /// The time of its last barrier: older data is dropped.
    barrier: Option<Time>,
}

/// The running barrier node.
pub(crate) struct Barrier {
    mode: Mode,
    delete: bool,
    groups: GroupMap<Group>,
    /// Every group's due time, earliest first.
    queue: BTreeSet<(Time, GroupId)>,
}

impl Barrier {
    /// A barrier node for a validated spec (exactly one of idle and period is set).
    pub(crate) fn new(spec: &BarrierNode) -> Self {
        let mode = match (spec.period, spec.idle) {
            (Some(period), _) if period > Duration::ZERO => Mode::Period(period),
            (_, idle) => Mode::Idle(idle.unwrap_or(Duration::ZERO)),
        };
        Barrier {
            mode,
            delete: spec.delete,
            groups: GroupMap::default(),
            queue: BTreeSet::new(),
        }
    }

    /// Records data at `time` for the group of `info` arriving at `now`; `false` when
    /// the data is older than the group's last barrier and must be dropped.
    fn data(
        &mut self,
        (name, id): (&Str, &GroupId),
        info: impl FnOnce() -> GroupInfo,
        time: Time,
        now: Time,
    ) -> bool {
        let mode = self.mode;
        let Some(group) = self.groups.get_mut(id) else {
            let due = now + mode.wait();
            self.queue.insert((due, id.clone()));
            let group = Group {
                name: name.clone(),
                info: info(),
                due,
                last: time,
                barrier: None,
            };
            self.groups.insert(id.clone(), group);
            return true;
        };
        if group.barrier.is_some_and(|b| time < b) {
            return false;
        }
        group.last = group.last.max(time);
        if let Mode::Idle(idle) = mode {
            self.queue.remove(&(group.due, id.clone()));
            group.due = now + idle;
            self.queue.insert((group.due, id.clone()));
        }
        true
    }

    /// Forgets group `id`.
    fn forget(&mut self, id: &GroupId) {
        if let Some(group) = self.groups.remove(id) {
            self.queue.remove(&(group.due, id.clone()));
        }
    }

    /// Emits the barrier of group `id`, due at `now`, and its deletion if asked.
    fn fire(&mut self, id: GroupId, now: Time, ctx: &mut Context<'_>) {
        let Some(group) = self.groups.get_mut(&id) else {
            return;
        };
        let time = match self.mode {
            Mode::Idle(idle) => group.last + idle,
            Mode::Period(_) => now,
        };
        group.last = group.last.max(time);
        group.barrier = Some(time);
        group.due = now + self.mode.wait();
        let info = group.info.clone();
        ctx.emit(Message::Barrier {
            group: info.clone(),
            time,
        });
        if self.delete {
            self.groups.remove(&id);
            ctx.emit(Message::DeleteGroup(info));
        } else {
            self.queue.insert((group.due, id));
        }
    }
}

impl Mode {
    /// How long a group's timer runs.
    fn wait(self) -> Duration {
        match self {
            Mode::Idle(d) | Mode::Period(d) => d,
        }
    }
}

impl Node for Barrier {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let keep = match &message {
            Message::Point(p) => {
                let now = ctx.now().unwrap_or(p.time);
                self.data((&p.name, &p.group), || p.group_info(), p.time, now)
            }
            Message::Batch(b) => {
                let now = ctx.now().unwrap_or(b.tmax);
                self.data((&b.name, &b.group), || b.group_info(), b.tmax, now)
            }
            Message::DeleteGroup(info) => {
                self.forget(&info.id);
                true
            }
            Message::Barrier { .. } => true,
        };
        if keep {
            ctx.emit(message);
        }
        Ok(())
    }

    fn wants_ticks(&self) -> bool {
        true
    }

    fn next_tick(&mut self, _now: Time) -> Option<Time> {
        self.queue.first().map(|(due, _)| *due)
    }

    /// Fires every group whose timer is due at `now`, earliest first.
    fn tick(&mut self, now: Time, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        while let Some((due, id)) = self.queue.first().cloned() {
            if due > now {
                break;
            }
            self.queue.remove(&(due, id.clone()));
            self.fire(id, now, ctx);
        }
        Ok(())
    }

    /// Each group's timer and times, ordered by group id.
    fn snapshot(&self) -> Option<Value> {
        let mut groups: Vec<_> = self.groups.values().collect();
        groups.sort_by(|a, b| a.info.id.cmp(&b.info.id));
        let groups: Vec<Value> = groups.into_iter().map(Group::to_json).collect();
        Some(json!({ "groups": groups }))
    }

    fn restore(&mut self, saved: Value) -> Result<(), NodeError> {
        let groups = state::array(&saved, "groups")?
            .iter()
            .map(Group::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        self.queue = groups.iter().map(|g| (g.due, g.info.id.clone())).collect();
        self.groups = groups.into_iter().map(|g| (g.info.id.clone(), g)).collect();
        Ok(())
    }
}

impl Group {
    /// The group with its times in nanoseconds.
    fn to_json(&self) -> Value {
        json!({
            "group": state::group_json(&self.name, &self.info),
            "due": self.due.nanos(),
            "last": self.last.nanos(),
            "barrier": self.barrier.map(Time::nanos),
        })
    }

    /// A group from [`Group::to_json`].
    fn from_json(value: &Value) -> Result<Self, StateError> {
        let (name, info) = state::group_from(state::member(value, "group")?)?;
        let barrier = match state::member(value, "barrier")? {
            Value::Null => None,
            _ => Some(Time::from_nanos(state::int(value, "barrier")?)),
        };
        Ok(Group {
            name,
            info,
            due: Time::from_nanos(state::int(value, "due")?),
            last: Time::from_nanos(state::int(value, "last")?),
            barrier,
        })
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::Dimensions;

    use super::*;
    use crate::nodes::testing::{assert_resumes_with, point, run_clocked, seconds, Step};

    const S: i64 = 1_000_000_000;

    fn at(t: i64, host: &str) -> Message {
        let mut p = point(t, &[("host", host)], &[]);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        Message::Point(p)
    }

    /// A message as `host@secs` (points), `barrier host@secs` or `delete host`.
    fn show(m: &Message) -> String {
        let host = |info: &GroupInfo| {
            info.tags
                .get("host")
                .map(|h| h.to_string())
                .unwrap_or_default()
        };
        match m {
            Message::Point(p) => format!("{}@{}", host(&p.group_info()), p.time.nanos() / S),
            Message::Batch(b) => format!("batch {}@{}", host(&b.group_info()), b.tmax.nanos() / S),
            Message::Barrier { group, time } => {
                format!("barrier {}@{}", host(group), time.nanos() / S)
            }
            Message::DeleteGroup(group) => format!("delete {}", host(group)),
        }
    }

    /// Runs the steps through a barrier node and shows what it emitted.
    fn run(spec: BarrierNode, steps: Vec<Step>) -> Vec<String> {
        shown(run_clocked(&mut Barrier::new(&spec), steps))
    }

    fn shown((out, _): (Vec<Message>, Vec<String>)) -> Vec<String> {
        out.iter().map(show).collect()
    }

    fn idle(d: i64, delete: bool) -> BarrierNode {
        BarrierNode {
            idle: Some(Duration::from_nanos(d * S)),
            period: None,
            delete,
        }
    }

    #[test]
    fn an_idle_group_gets_barriers_from_its_last_data_time() {
        use Step::*;
        let out = run(
            idle(5, false),
            vec![
                Data(0, at(0, "a")),
                Data(3, at(3, "b")),
                Data(4, at(4, "a")),
                Clock(8),
                Data(9, at(6, "b")),
                Clock(20),
            ],
        );
        assert_eq!(
            out,
            [
                "a@0",
                "b@3",
                "a@4",
                "barrier b@8",
                // b's data older than its barrier is dropped.
                "barrier a@9",
                "barrier b@13",
                "barrier a@14",
                "barrier b@18",
                "barrier a@19",
            ]
        );
    }

    #[test]
    fn delete_forgets_the_group_after_its_barrier() {
        use Step::*;
        let out = run(
            idle(1, true),
            vec![
                Data(10, at(10, "a")),
                Clock(12),
                Data(13, at(5, "a")),
                Clock(15),
            ],
        );
        assert_eq!(
            out,
            [
                "a@10",
                "barrier a@11",
                "delete a",
                "a@5",
                "barrier a@6",
                "delete a"
            ]
        );
    }

    #[test]
    fn a_period_barrier_carries_the_clock_time() {
        use Step::*;
        let spec = BarrierNode {
            idle: None,
            period: Some(Duration::from_nanos(10 * S)),
            delete: false,
        };
        let out = run(
            spec,
            vec![
                Data(1, at(1, "a")),
                Data(5, at(5, "a")),
                Clock(25),
                Data(26, at(19, "a")),
                Data(26, at(22, "a")),
            ],
        );
        assert_eq!(out, ["a@1", "a@5", "barrier a@11", "barrier a@21", "a@22"]);
    }

    #[test]
    fn upstream_barriers_and_deletions_pass_through() {
        use Step::*;
        let group = match at(0, "a") {
            Message::Point(p) => p.group_info(),
            _ => unreachable!("a point"),
        };
        let out = run(
            idle(1, false),
            vec![
                Data(0, at(0, "a")),
                Data(0, Message::DeleteGroup(group.clone())),
                Data(
                    0,
                    Message::Barrier {
                        group,
                        time: seconds(0),
                    },
                ),
                Clock(5),
            ],
        );
        assert_eq!(out, ["a@0", "delete a", "barrier a@0"]);
    }

    #[test]
    fn a_restored_node_keeps_every_groups_timer() {
        use Step::*;
        let b_by_name = || {
            let mut p = point(2, &[("host", "b")], &[]);
            p.set_dimensions(Dimensions::by_tags(["host"]).with_by_name(true));
            Message::Point(p)
        };
        let out = assert_resumes_with(
            || Barrier::new(&idle(5, false)),
            run_clocked,
            vec![Data(0, at(0, "a")), Data(2, b_by_name()), Clock(8)],
            vec![Data(9, at(3, "a")), Data(9, at(9, "a")), Clock(15)],
        );
        assert_eq!(
            shown(out),
            [
                // a@3 is older than a's barrier at 5.
                "a@9",
                "barrier b@12",
                "barrier a@14"
            ]
        );
        assert!(Barrier::new(&idle(5, false))
            .restore(json!({"groups": [{"group": {}}]}))
            .is_err());
    }
}
