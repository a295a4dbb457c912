//! `|stats(interval)`: every `interval` on the engine clock, a point per group with how
//! many messages the observed node has emitted in it (kapacitor-compat.md, nodes §9.1). It is also
//! the clock of `|deadman(…)`, which the pipeline expands into
//! `stats(interval).align()|derivative('emitted')…|alert()`.
//!
//! In the pipeline a `stats` node is a source with no parent; the task links the
//! observed node to it ([`observed`]), so it receives what that node emits and counts
//! it per group (points and batches; barriers and deletions are not data). Counts are
//! cumulative and a group once seen is reported at every tick. Each report is a `stats`
//! point with the group's tags, dimensions and id and the integer field `emitted`, at the
//! clock's time (rounded to the interval with `.align()`); before any group is seen, one
//! point with `emitted = 0` in the nil group. The first report comes `interval` after the
//! clock starts, or with `.align()` at the first multiple of the interval after it.
//!
//! On the engine clock, a replay reports on event time, so a deadman fires in a replay
//! when the data's own time says a group went quiet; the server reports on wall time,
//! as Kapacitor does.
//!
//! A snapshot holds the counts and the time of the next report: restored in the server
//! after a pause, the reports due meanwhile come at once, as a replay over the gap would
//! give them (a deadman then sees the pause).

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tickflow_model::{Duration, FieldValue, Fields, GroupId, GroupInfo, Message, Point, Str, Time};
use tickflow_pipeline::nodes::stats::StatsNode;
use tickflow_pipeline::{NodeId, NodeKind};

use crate::node::{Context, Node, NodeError};
use crate::state::{self, StateError};

/// The node a `stats` node observes: the parent the task links it to.
pub(crate) fn observed(node: &tickflow_pipeline::Node) -> Option<NodeId> {
    match &node.kind {
        NodeKind::Stats(spec) => Some(spec.observed),
        _ => None,
    }
}

/// The running stats node.
pub(crate) struct Stats {
    interval: Duration,
    align: bool,
    /// Emitted messages per group seen, ordered by group id.
    counts: BTreeMap<GroupId, Count>,
    /// When the next report is due; set when the clock starts.
    next: Option<Time>,
}

/// One group's count.
struct Count {
    /// The measurement of its first message (part of the id of a group by name).
    name: Str,
    info: GroupInfo,
    emitted: i64,
}

impl Count {
    /// The count with its group.
    fn to_json(&self) -> Value {
        json!({ "group": state::group_json(&self.name, &self.info), "emitted": self.emitted })
    }

    /// A count from [`Count::to_json`].
    fn from_json(value: &Value) -> Result<Self, StateError> {
        let (name, info) = state::group_from(state::member(value, "group")?)?;
        let emitted = state::int(value, "emitted")?;
        Ok(Count {
            name,
            info,
            emitted,
        })
    }
}

impl Stats {
    /// A stats node for a validated spec.
    pub(crate) fn new(spec: &StatsNode) -> Self {
        Stats {
            interval: spec.interval,
            align: spec.align,
            counts: BTreeMap::new(),
            next: None,
        }
    }

    /// Counts one message of group `id` named `name`.
    fn count(&mut self, name: &Str, id: &GroupId, info: impl FnOnce() -> GroupInfo) {
        match self.counts.get_mut(id) {
            Some(count) => count.emitted += 1,
            None => {
                let count = Count {
                    name: name.clone(),
                    info: info(),
                    emitted: 1,
                };
                self.counts.insert(id.clone(), count);
            }
        }
    }

    /// The report of one group at `time`.
    fn report(info: &GroupInfo, emitted: i64, time: Time) -> Message {
        let mut point = Point::new("stats", time);
        point.tags = info.tags.clone();
        point.fields = Fields::from_pairs([("emitted", FieldValue::Integer(emitted))]);
        point.dimensions = info.dimensions.clone();
        point.group = info.id.clone();
        Message::Point(point)
    }
}

impl Node for Stats {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        _ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match &message {
            Message::Point(p) => self.count(&p.name, &p.group, || p.group_info()),
            Message::Batch(b) => self.count(&b.name, &b.group, || b.group_info()),
            Message::Barrier { .. } | Message::DeleteGroup(_) => {}
        }
        Ok(())
    }

    fn wants_ticks(&self) -> bool {
        true
    }

    fn next_tick(&mut self, now: Time) -> Option<Time> {
        let (interval, align) = (self.interval, self.align);
        Some(*self.next.get_or_insert_with(|| match align {
            true => now.truncate(interval) + interval,
            false => now + interval,
        }))
    }

    fn tick(&mut self, now: Time, ctx: &mut Context<'_>) -> Result<(), NodeError> {
        self.next = Some(now + self.interval);
        let time = match self.align {
            true => now.round(self.interval),
            false => now,
        };
        if self.counts.is_empty() {
            ctx.emit(Self::report(&GroupInfo::default(), 0, time));
        }
        for count in self.counts.values() {
            ctx.emit(Self::report(&count.info, count.emitted, time));
        }
        Ok(())
    }

    /// Each group's count and when the next report is due.
    fn snapshot(&self) -> Option<Value> {
        let groups: Vec<Value> = self.counts.values().map(Count::to_json).collect();
        let next = self.next.map(Time::nanos);
        Some(json!({ "groups": groups, "next": next }))
    }

    fn restore(&mut self, saved: Value) -> Result<(), NodeError> {
        self.counts = state::array(&saved, "groups")?
            .iter()
            .map(|value| Count::from_json(value).map(|c| (c.info.id.clone(), c)))
            .collect::<Result<_, StateError>>()?;
        self.next = match state::member(&saved, "next")? {
            Value::Null => None,
            _ => Some(Time::from_nanos(state::int(&saved, "next")?)),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tickflow_model::{Dbrp, Dimensions};
    use tickflow_pipeline::BuildOptions;

    use super::*;
    use crate::diagnostics::Collect;
    use crate::executor::Inline;
    use crate::nodes::testing::{assert_resumes_with, point, points, run_clocked, Step};
    use crate::Task;

    const S: i64 = 1_000_000_000;

    /// Keeps what it receives.
    struct Sink(Arc<Mutex<Vec<Point>>>);

    impl Node for Sink {
        fn message(&mut self, _: usize, m: Message, _: &mut Context<'_>) -> Result<(), NodeError> {
            if let Message::Point(p) = m {
                self.0.lock().expect("not poisoned").push(p);
            }
            Ok(())
        }
    }

    /// Replays `points` through `script` with a sink after node `after`, and returns
    /// what the sink received.
    fn replay(script: &str, after: usize, points: Vec<Point>) -> Vec<Point> {
        let program = tickflow_tickscript::parse(script).expect("script parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("builds");
        let mut task = Task::build(&pipeline, "t").expect("task builds");
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = task
            .dag
            .add("sink", Box::new(Sink(Arc::clone(&received))), false);
        task.dag.link(after, sink).expect("links");
        let mut run = Inline::new(task.dag, Arc::new(Collect::default()));
        run.push(points.into_iter().map(Message::Point).collect())
            .expect("runs");
        run.finish().expect("finishes");
        let received = received.lock().expect("not poisoned");
        received.clone()
    }

    /// A `cpu` point of `host` at `secs` in database `db`.`rp`.
    fn cpu(secs: i64, host: &str) -> Point {
        let mut p = point(
            secs,
            &[("host", host)],
            &[("value", FieldValue::Float(1.0))],
        );
        let dbrp = Dbrp::new("db", "rp");
        (p.database, p.retention_policy) = (dbrp.database.clone(), dbrp.retention_policy);
        p
    }

    /// Host `a` every second from 0 to 59; host `b` every second until 29, then quiet.
    fn b_goes_quiet() -> Vec<Point> {
        (0..60)
            .flat_map(|t| {
                let b = (t < 30).then(|| cpu(t, "b"));
                std::iter::once(cpu(t, "a")).chain(b)
            })
            .collect()
    }

    fn show(p: &Point) -> String {
        let host = p
            .tags
            .get("host")
            .map_or("nil".to_string(), |h| h.to_string());
        let emitted = match p.fields.get("emitted") {
            Some(FieldValue::Integer(n)) => n.to_string(),
            other => format!("{other:?}"),
        };
        format!("{host}@{}={emitted}", p.time.nanos() / S)
    }

    #[test]
    fn stats_report_cumulative_counts_per_group_at_each_interval() {
        let script = "stream|from().measurement('cpu').groupBy('host')|stats(20s)";
        // stream0, from1, stats2, noop3 (under from1, which had no child).
        let out = replay(script, 2, b_goes_quiet());
        let shown: Vec<String> = out.iter().map(show).collect();
        // The clock starts at 0; reports at 20 and 40 see every point up to then.
        assert_eq!(shown, ["a@20=21", "b@20=21", "a@40=41", "b@40=30"]);
        assert_eq!(out[0].name.as_str(), "stats");
        assert_eq!(out[0].dimensions, Dimensions::by_tags(["host"]));
        let mut a = cpu(0, "a");
        a.set_dimensions(Dimensions::by_tags(["host"]));
        assert_eq!(out[0].group, a.group);
    }

    #[test]
    fn stats_without_data_report_zero_in_the_nil_group() {
        let mut node = Stats::new(&StatsNode {
            observed: NodeId(1),
            interval: Duration::from_nanos(10 * S),
            align: true,
        });
        let (stats, diagnostics, mut out) = (
            crate::stats::NodeStats::default(),
            Collect::default(),
            Vec::new(),
        );
        let start = Time::from_nanos(7 * S);
        let due = node.next_tick(start).expect("always ticks");
        assert_eq!(due, Time::from_nanos(10 * S), "aligned: the next boundary");
        let mut ctx = Context::new(&mut out, &stats, "stats1", &diagnostics, false);
        node.tick(due, &mut ctx).expect("ticks");
        assert_eq!(node.next_tick(due), Some(Time::from_nanos(20 * S)));
        let Some(Message::Point(p)) = out.first() else {
            panic!("one point: {out:?}");
        };
        assert_eq!((show(p), p.group.is_nil()), ("nil@10=0".to_string(), true));
    }

    #[test]
    fn deadman_alerts_on_the_group_that_went_quiet() {
        let script = "dbrp \"db\".\"rp\"\nstream|from().measurement('cpu').groupBy('host')\
                      |deadman(5.0, 10s).levelTag('level').messageField('message')";
        // stream0, from1, stats2, noop3, derivative4, alert5.
        let out = replay(script, 5, b_goes_quiet());
        let alerts: Vec<String> = out
            .iter()
            .map(|p| {
                let tag = |k: &str| p.tags.get(k).map(|v| v.to_string()).unwrap_or_default();
                let message = match p.fields.get("message") {
                    Some(FieldValue::String(m)) => m.to_string(),
                    other => format!("{other:?}"),
                };
                format!(
                    "{}@{} {} {message}",
                    tag("host"),
                    p.time.nanos() / S,
                    tag("level")
                )
            })
            .collect();
        // Reports at 10, 20, …, 50. b's count stops growing after 30 (9 points from 20
        // to 30 is still alive): dead at 40, and still at 50. a never alerts.
        let dead = "CRITICAL host=b:from1 for task 't' is dead: 0.000 points/10s.";
        assert_eq!(alerts, [format!("b@40 {dead}"), format!("b@50 {dead}")]);
    }

    #[test]
    fn deadman_on_a_node_that_never_emits_alerts_in_the_nil_group() {
        let script = "stream|from().measurement('mem')|deadman(0.0, 10s).messageField('m')";
        let out = replay(script, 5, b_goes_quiet());
        let messages: Vec<String> = out
            .iter()
            .map(|p| match p.fields.get("m") {
                Some(FieldValue::String(m)) => format!("{}: {m}", p.time.nanos() / S),
                other => format!("{other:?}"),
            })
            .collect();
        let dead = "nil:from1 for task 't' is dead: 0.000 points/10s.";
        let expected: Vec<String> = (2..6).map(|t| format!("{}: {dead}", t * 10)).collect();
        assert_eq!(messages, expected);
    }

    #[test]
    fn a_restored_node_keeps_its_counts_and_its_clock() {
        use Step::*;
        let node = || {
            Stats::new(&StatsNode {
                observed: NodeId(1),
                interval: Duration::from_nanos(10 * S),
                align: false,
            })
        };
        let by_name = |t: i64, host: &str| {
            let mut p = cpu(t, host);
            p.set_dimensions(Dimensions::by_tags(["host"]).with_by_name(true));
            Message::Point(p)
        };
        let (out, _) = assert_resumes_with(
            node,
            run_clocked,
            vec![
                Clock(0),
                Data(1, by_name(1, "a")),
                Data(2, by_name(2, "b")),
                Clock(10),
            ],
            vec![Data(12, by_name(12, "a")), Clock(25)],
        );
        let shown: Vec<String> = points(out).iter().map(show).collect();
        assert_eq!(shown, ["a@20=2", "b@20=1"]);
        assert!(node().restore(json!({"groups": [], "next": "x"})).is_err());
    }
}
