//! `|barrier()`: per group, emits a Barrier after `.idle(d)` without data or every
//! `.period(d)`, and with `.delete(TRUE)` a DeleteGroup after it (spec: nodes.md §6.3).
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

use std::collections::{BTreeSet, HashMap};

use tickflow_model::{Duration, GroupId, GroupInfo, Message, Time};
use tickflow_pipeline::nodes::barrier::BarrierNode;

use crate::node::{Context, Node, NodeError};

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
    info: GroupInfo,
    /// When its next barrier is due, on the engine clock.
    due: Time,
    /// The latest data time seen (idle barriers count from it).
    last: Time,
    /// The time of its last barrier: older data is dropped.
    barrier: Option<Time>,
}

/// The running barrier node.
pub struct Barrier {
    mode: Mode,
    delete: bool,
    groups: HashMap<GroupId, Group>,
    /// Every group's due time, earliest first.
    queue: BTreeSet<(Time, GroupId)>,
}

impl Barrier {
    /// A barrier node for a validated spec (exactly one of idle and period is set).
    pub fn new(spec: &BarrierNode) -> Self {
        let mode = match (spec.period, spec.idle) {
            (Some(period), _) if period > Duration::ZERO => Mode::Period(period),
            (_, idle) => Mode::Idle(idle.unwrap_or(Duration::ZERO)),
        };
        Barrier {
            mode,
            delete: spec.delete,
            groups: HashMap::new(),
            queue: BTreeSet::new(),
        }
    }

    /// Records data at `time` for the group of `info` arriving at `now`; `false` when
    /// the data is older than the group's last barrier and must be dropped.
    fn data(
        &mut self,
        id: &GroupId,
        info: impl FnOnce() -> GroupInfo,
        time: Time,
        now: Time,
    ) -> bool {
        let mode = self.mode;
        let Some(group) = self.groups.get_mut(id) else {
            let due = now + mode.wait();
            self.queue.insert((due, id.clone()));
            let group = Group {
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
                self.data(&p.group, || p.group_info(), p.time, now)
            }
            Message::Batch(b) => {
                let now = ctx.now().unwrap_or(b.tmax);
                self.data(&b.group, || b.group_info(), b.tmax, now)
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
}

#[cfg(test)]
mod tests {
    use tickflow_model::Dimensions;

    use super::*;
    use crate::diagnostics::Collect;
    use crate::nodes::testing::point;
    use crate::stats::NodeStats;

    const S: i64 = 1_000_000_000;

    fn secs(s: i64) -> Time {
        Time::from_nanos(s * S)
    }

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

    enum Step {
        /// A message arriving with the clock at this many seconds.
        Data(i64, Message),
        /// The clock reaching this many seconds: every tick due by then.
        Clock(i64),
    }

    /// Runs the steps as an executor would and shows what the node emitted.
    fn run(spec: BarrierNode, steps: Vec<Step>) -> Vec<String> {
        let mut node = Barrier::new(&spec);
        assert!(node.wants_ticks());
        let (stats, diagnostics, mut out) = (NodeStats::default(), Collect::default(), Vec::new());
        for step in steps {
            match step {
                Step::Data(now, m) => {
                    let mut ctx = Context::new(&mut out, &stats, "barrier1", &diagnostics, false)
                        .with_now(secs(now));
                    node.message(0, m, &mut ctx).expect("no fatal error");
                }
                Step::Clock(now) => {
                    while let Some(due) = node.next_tick(secs(now)).filter(|&d| d <= secs(now)) {
                        let mut ctx =
                            Context::new(&mut out, &stats, "barrier1", &diagnostics, false)
                                .with_now(due);
                        node.tick(due, &mut ctx).expect("no fatal error");
                    }
                }
            }
        }
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
                        time: secs(0),
                    },
                ),
                Clock(5),
            ],
        );
        assert_eq!(out, ["a@0", "delete a", "barrier a@0"]);
    }
}
