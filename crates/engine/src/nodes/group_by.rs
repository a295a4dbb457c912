//! `|groupBy(…)`: sets each point's dimensions (kapacitor-compat.md, nodes §3.2).
//!
//! `*` groups by the point's own tag keys minus `.exclude(…)`; `byName` stays set once an
//! upstream node set it, or is set by `.byMeasurement()`. Tags are not changed.
//!
//! On a stream each point goes on at once. On a batch edge the points of each batch are
//! sorted into one batch per new group (name and `tmax` of the incoming batch, the new
//! group's tags), merging incoming batches of equal `tmax`. These batches are emitted,
//! in the order their groups first appeared and each sorted by time, when a batch with
//! another `tmax` or a barrier arrives; the last ones are never emitted, as in Kapacitor.

use serde_json::{json, Value};
use tickflow_model::{Batch, BatchPoint, Message, Time};
use tickflow_pipeline::nodes::group_by::GroupByNode;

use crate::node::{Context, Node, NodeError};
use crate::nodes::from::Grouping;
use crate::nodes::group_map::GroupMap;
use crate::state::{self, StateError};

/// The running groupBy node.
pub(crate) struct GroupBy {
    grouping: Grouping,
    /// Batch edge: the regrouped batches not emitted yet.
    pending: Pending,
}

/// Regrouped batches waiting for a batch of another time.
#[derive(Default)]
struct Pending {
    /// The `tmax` of the last incoming batch.
    tmax: Option<Time>,
    /// The batches, in the order their groups appeared.
    batches: Vec<Batch>,
    /// Where each group's batch is in `batches`.
    index: GroupMap<usize>,
}

impl GroupBy {
    /// A groupBy node for a validated spec.
    pub(crate) fn new(spec: &GroupByNode) -> Self {
        GroupBy {
            grouping: Grouping::new(&spec.dimensions, &spec.exclude, spec.by_measurement),
            pending: Pending::default(),
        }
    }

    /// Sorts an incoming batch's points into the pending batches, first emitting those
    /// pending when its time differs from the last batch's.
    fn batch(&mut self, batch: Batch, ctx: &mut Context<'_>) {
        if self.pending.tmax != Some(batch.tmax) {
            self.pending.emit(ctx);
            self.pending.tmax = Some(batch.tmax);
        }
        let by_name = batch.dimensions.by_name;
        for mut point in batch.to_points() {
            self.grouping.apply(&mut point, by_name);
            let slot = match self.pending.index.get(&point.group) {
                Some(&slot) => slot,
                None => {
                    let slot = self.pending.batches.len();
                    let info = point.group_info();
                    self.pending.index.insert(info.id.clone(), slot);
                    self.pending
                        .batches
                        .push(Batch::new(batch.name.clone(), info, batch.tmax));
                    slot
                }
            };
            self.pending.batches[slot]
                .points
                .push(BatchPoint::from(&point));
        }
    }
}

impl Pending {
    /// Emits every pending batch, its points sorted by time.
    fn emit(&mut self, ctx: &mut Context<'_>) {
        self.index.clear();
        for mut batch in self.batches.drain(..) {
            batch.points.make_mut().sort_by_key(|p| p.time);
            ctx.emit(Message::Batch(batch));
        }
    }

    /// The pending batches as JSON.
    fn to_json(&self) -> Value {
        let batches: Vec<_> = self
            .batches
            .iter()
            .map(|b| {
                json!({
                    "group": state::group_json(&b.name, &b.group_info()),
                    "points": b.points.iter().map(state::batch_point_json).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({ "tmax": self.tmax.map(Time::nanos), "batches": batches })
    }

    /// Pending batches from [`Pending::to_json`].
    fn from_json(value: &Value) -> Result<Self, StateError> {
        let tmax = match state::member(value, "tmax")? {
            Value::Null => None,
            _ => Some(Time::from_nanos(state::int(value, "tmax")?)),
        };
        let mut pending = Pending {
            tmax,
            ..Pending::default()
        };
        for entry in state::array(value, "batches")? {
            let (name, info) = state::group_from(state::member(entry, "group")?)?;
            let mut batch = Batch::new(name, info, tmax.unwrap_or_default());
            batch.points = state::array(entry, "points")?
                .iter()
                .map(state::batch_point_from)
                .collect::<Result<_, _>>()?;
            pending
                .index
                .insert(batch.group.clone(), pending.batches.len());
            pending.batches.push(batch);
        }
        Ok(pending)
    }
}

impl Node for GroupBy {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(mut point) => {
                let by_name = point.dimensions.by_name;
                self.grouping.apply(&mut point, by_name);
                ctx.emit(Message::Point(point));
            }
            Message::Batch(batch) => self.batch(batch, ctx),
            barrier @ Message::Barrier { .. } => {
                self.pending.emit(ctx);
                ctx.emit(barrier);
            }
            delete @ Message::DeleteGroup(_) => ctx.emit(delete),
        }
        Ok(())
    }

    /// The regrouped batches not emitted yet (a stream groupBy has none).
    fn snapshot(&self) -> Option<Value> {
        Some(self.pending.to_json())
    }

    fn restore(&mut self, state: Value) -> Result<(), NodeError> {
        self.pending = Pending::from_json(&state)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Dimensions, Tags};
    use tickflow_pipeline::nodes::group_by::Dimensions as SpecDimensions;

    use super::*;
    use crate::nodes::testing::{assert_resumes, point, points, run};

    fn group(spec: GroupByNode, by_name_upstream: bool) -> String {
        let mut p = point(0, &[("host", "a"), ("dc", "eu"), ("rack", "r1")], &[]);
        p.set_dimensions(Dimensions::by_tags(["host"]).with_by_name(by_name_upstream));
        let out = points(run(&mut GroupBy::new(&spec), vec![Message::Point(p)]).0);
        out[0].group.as_str().to_string()
    }

    #[test]
    fn named_dimensions_are_sorted() {
        let spec = GroupByNode {
            dimensions: SpecDimensions::Tags(vec!["rack".into(), "dc".into()]),
            exclude: Vec::new(),
            by_measurement: false,
        };
        assert_eq!(group(spec, false), "dc=eu,rack=r1");
    }

    #[test]
    fn star_minus_exclude_and_by_name_is_sticky() {
        let spec = GroupByNode {
            dimensions: SpecDimensions::All,
            exclude: vec!["dc".into()],
            by_measurement: false,
        };
        assert_eq!(group(spec.clone(), true), "cpu\nhost=a,rack=r1");
        assert_eq!(group(spec, false), "host=a,rack=r1");
    }

    #[test]
    fn no_dimensions_ungroup() {
        let spec = GroupByNode {
            dimensions: SpecDimensions::Tags(Vec::new()),
            exclude: Vec::new(),
            by_measurement: false,
        };
        assert_eq!(group(spec, false), "");
    }

    fn host_spec() -> GroupByNode {
        GroupByNode {
            dimensions: SpecDimensions::Tags(vec!["host".into()]),
            exclude: Vec::new(),
            by_measurement: false,
        }
    }

    /// A window-like batch at `tmax` of points (seconds, host).
    fn batch(tmax: i64, points: &[(i64, &str)]) -> Message {
        let first = point(0, &[], &[]);
        let mut batch = Batch::new(
            first.name.clone(),
            first.group_info(),
            Time::from_nanos(tmax),
        );
        batch.points = points
            .iter()
            .map(|&(t, host)| BatchPoint::from(&point(t, &[("host", host), ("dc", "eu")], &[])))
            .collect();
        Message::Batch(batch)
    }

    /// The emitted batches as (group, tmax, point times).
    fn batches(out: &[Message]) -> Vec<(String, i64, Vec<i64>)> {
        out.iter()
            .filter_map(|m| match m {
                Message::Batch(b) => Some((
                    b.group.as_str().to_string(),
                    b.tmax.nanos(),
                    b.points
                        .iter()
                        .map(|p| p.time.nanos() / 1_000_000_000)
                        .collect(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn batches_are_regrouped_when_a_later_batch_arrives() {
        let input = vec![
            batch(5, &[(3, "b"), (1, "a"), (0, "b")]),
            batch(5, &[(4, "c")]),
            batch(10, &[(6, "a")]),
        ];
        let (out, _) = run(&mut GroupBy::new(&host_spec()), input);
        assert_eq!(
            batches(&out),
            [
                ("host=b".to_string(), 5, vec![0, 3]),
                ("host=a".to_string(), 5, vec![1]),
                ("host=c".to_string(), 5, vec![4]),
            ]
        );
        let Message::Batch(first) = &out[0] else {
            panic!("a batch");
        };
        assert_eq!(first.tags, Tags::from_pairs([("host", "b")]));
    }

    #[test]
    fn a_barrier_emits_the_pending_batches_before_itself() {
        let barrier = Message::Barrier {
            group: point(0, &[], &[]).group_info(),
            time: Time::from_nanos(7),
        };
        let input = vec![batch(5, &[(1, "a")]), barrier.clone()];
        let (out, _) = run(&mut GroupBy::new(&host_spec()), input);
        assert_eq!(batches(&out), [("host=a".to_string(), 5, vec![1])]);
        assert_eq!(out.last(), Some(&barrier));
    }

    #[test]
    fn a_restored_node_emits_what_the_saved_one_would() {
        let (out, _) = assert_resumes(
            || GroupBy::new(&host_spec()),
            vec![batch(5, &[(1, "a"), (2, "b")])],
            vec![batch(5, &[(3, "a")]), batch(10, &[])],
        );
        assert_eq!(batches(&out).len(), 2);
        assert!(GroupBy::new(&host_spec()).restore(json!({})).is_err());
    }
}
