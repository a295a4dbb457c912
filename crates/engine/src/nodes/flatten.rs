//! `|flatten()`: merges the points of a group that share a time into one point whose
//! field names carry the `.on(…)` tags (spec: nodes.md §4.10).
//!
//! Times are rounded to `.tolerance(…)`. A group's points are collected while their time
//! stays the same; a point of another time, or a barrier past the run, flattens the run
//! into one point with the run's time, the group's name and tags, and for each field `f`
//! of a point the field `<on values joined by the delimiter><delimiter>f` (just the
//! prefix with `.dropOriginalFieldName()`, just `f` when there is no prefix). A point
//! lacking an `.on` tag is reported and left out. In a batch each run of equal times
//! becomes one batch point; the last run ends with the batch. On a stream the last run
//! is never flattened, as in Kapacitor.

use serde_json::{json, Value};
use tickflow_model::{Batch, BatchPoint, Duration, Fields, Message, Point, Str};
use tickflow_pipeline::nodes::flatten::FlattenNode;

use crate::node::{Context, Node, NodeError};
use crate::nodes::group_state::Groups;
use crate::nodes::time_buffer::{rounded, TimeBuffer};
use crate::state;

/// A point lacking an `.on` tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("flatten: point missing tag {0:?}")]
pub struct MissingTag(String);

/// The running flatten node.
pub struct Flatten {
    on: Vec<Str>,
    delimiter: String,
    tolerance: Option<Duration>,
    drop_original_field_name: bool,
    buffers: Groups<TimeBuffer>,
}

impl Flatten {
    /// A flatten node for a validated spec.
    pub fn new(spec: &FlattenNode) -> Self {
        Flatten {
            on: spec.on.iter().map(|t| Str::from(t.as_str())).collect(),
            delimiter: spec.delimiter.clone(),
            tolerance: spec.tolerance,
            drop_original_field_name: spec.drop_original_field_name,
            buffers: Groups::default(),
        }
    }

    /// The fields of one run flattened into one set.
    fn fields(&self, run: &[Point], ctx: &mut Context<'_>) -> Fields {
        let mut fields = Fields::new();
        for point in run {
            let prefix = match self.prefix(point) {
                Ok(prefix) => prefix,
                Err(err) => {
                    ctx.error(&err);
                    continue;
                }
            };
            for (name, value) in point.fields.iter() {
                let key = match (prefix.is_empty(), self.drop_original_field_name) {
                    (true, _) => name.to_string(),
                    (false, true) => prefix.clone(),
                    (false, false) => format!("{prefix}{}{name}", self.delimiter),
                };
                fields.insert(Str::from(key), value.clone());
            }
        }
        fields
    }

    /// The `.on` tag values of a point joined by the delimiter.
    fn prefix(&self, point: &Point) -> Result<String, MissingTag> {
        let values = self
            .on
            .iter()
            .map(|tag| {
                point
                    .tags
                    .get(tag)
                    .map(|v| &**v)
                    .ok_or_else(|| MissingTag(tag.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(values.join(&self.delimiter))
    }

    /// One run as a point of its group.
    fn point(&self, run: &[Point], ctx: &mut Context<'_>) -> Option<Message> {
        let first = run.first()?;
        let mut point = Point::new(first.name.clone(), first.time);
        point.tags = first.dimensions.group_tags(&first.tags);
        point.dimensions = first.dimensions.clone();
        point.group = first.group.clone();
        point.fields = self.fields(run, ctx);
        Some(Message::Point(point))
    }

    /// A batch with each run of equal times flattened into one point.
    fn batch(&self, mut batch: Batch, ctx: &mut Context<'_>) -> Batch {
        let mut buffer = TimeBuffer::default();
        let mut runs = Vec::new();
        for mut point in batch.to_points() {
            point.time = rounded(point.time, self.tolerance);
            runs.extend(buffer.push(point));
        }
        runs.extend(buffer.take_all());
        batch.points = runs
            .iter()
            .filter_map(|run| {
                let first = run.first()?;
                Some(BatchPoint {
                    time: first.time,
                    tags: batch.tags.clone(),
                    fields: self.fields(run, ctx),
                })
            })
            .collect();
        batch
    }
}

impl Node for Flatten {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(mut point) => {
                point.time = rounded(point.time, self.tolerance);
                let buffer = self.buffers.of_point(&point, TimeBuffer::default);
                if let Some(run) = buffer.push(point) {
                    if let Some(flat) = self.point(&run, ctx) {
                        ctx.emit(flat);
                    }
                }
            }
            Message::Batch(batch) => {
                let flat = self.batch(batch, ctx);
                ctx.emit(Message::Batch(flat));
            }
            Message::Barrier { group, time } => {
                let run = self
                    .buffers
                    .get_mut(&group.id)
                    .and_then(|b| b.take_before(time));
                if let Some(flat) = run.and_then(|run| self.point(&run, ctx)) {
                    ctx.emit(flat);
                }
                ctx.emit(Message::Barrier { group, time });
            }
            Message::DeleteGroup(group) => {
                self.buffers.remove(&group.id);
                ctx.emit(Message::DeleteGroup(group));
            }
        }
        Ok(())
    }

    /// Each group's run.
    fn snapshot(&self) -> Option<Value> {
        Some(json!({ "buffers": self.buffers.to_json(TimeBuffer::to_json) }))
    }

    fn restore(&mut self, state: Value) -> Result<(), NodeError> {
        self.buffers = Groups::from_json(state::member(&state, "buffers")?, TimeBuffer::from_json)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Dimensions, FieldValue, Tags, Time};

    use super::*;
    use crate::nodes::testing::{point, points, run};

    const S: i64 = 1_000_000_000;

    fn spec(drop: bool) -> FlattenNode {
        FlattenNode {
            on: vec!["port".into()],
            delimiter: ".".into(),
            tolerance: Some(Duration::SECOND),
            drop_original_field_name: drop,
        }
    }

    fn at(millis: i64, host: &str, port: Option<&str>, bytes: f64) -> Message {
        let mut tags = vec![("host", host)];
        tags.extend(port.map(|p| ("port", p)));
        let mut p = point(0, &tags, &[("bytes", bytes.into())]);
        p.time = Time::from_nanos(millis * 1_000_000);
        p.set_dimensions(Dimensions::by_tags(["host"]));
        Message::Point(p)
    }

    #[test]
    fn a_run_becomes_one_point_when_the_next_time_arrives() {
        let input = vec![
            at(1000, "A", Some("80"), 1.0),
            at(1200, "A", Some("443"), 2.0),
            at(1100, "B", Some("80"), 5.0),
            at(3000, "A", Some("80"), 3.0),
        ];
        let (out, errors) = run(&mut Flatten::new(&spec(false)), input);
        assert!(errors.is_empty());
        let out = points(out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].time, Time::from_nanos(S));
        assert_eq!(out[0].tags, Tags::from_pairs([("host", "A")]));
        assert_eq!(
            out[0].fields,
            Fields::from_pairs([("443.bytes", 2.0), ("80.bytes", 1.0)])
        );
    }

    #[test]
    fn drop_original_field_name_and_a_missing_tag() {
        let input = vec![
            at(0, "A", Some("80"), 1.0),
            at(0, "A", None, 9.0),
            at(2000, "A", Some("80"), 3.0),
        ];
        let (out, errors) = run(&mut Flatten::new(&spec(true)), input);
        assert_eq!(errors, ["node1: flatten: point missing tag \"port\""]);
        assert_eq!(
            points(out)[0].fields,
            Fields::from_pairs([("80", FieldValue::Float(1.0))])
        );
    }

    #[test]
    fn a_later_barrier_flattens_the_run() {
        let Message::Point(p) = at(0, "A", Some("80"), 1.0) else {
            panic!("a point");
        };
        let barrier = Message::Barrier {
            group: p.group_info(),
            time: Time::from_nanos(S),
        };
        let (out, _) = run(
            &mut Flatten::new(&spec(false)),
            vec![Message::Point(p), barrier.clone()],
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[1], barrier);
    }

    #[test]
    fn a_batch_flattens_each_time_including_the_last() {
        let Message::Point(p) = at(0, "A", Some("80"), 1.0) else {
            panic!("a point");
        };
        let mut batch = Batch::new(p.name.clone(), p.group_info(), Time::from_nanos(5 * S));
        batch.points = [(0, "80"), (0, "443"), (2000, "80")]
            .iter()
            .map(|&(ms, port)| match at(ms, "A", Some(port), 1.0) {
                Message::Point(p) => BatchPoint::from(&p),
                other => panic!("a point: {other:?}"),
            })
            .collect();
        let (out, _) = run(&mut Flatten::new(&spec(false)), vec![Message::Batch(batch)]);
        let [Message::Batch(flat)] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        let keys: Vec<Vec<&str>> = flat
            .points
            .iter()
            .map(|p| p.fields.keys().map(|k| &**k).collect())
            .collect();
        assert_eq!(keys, [vec!["443.bytes", "80.bytes"], vec!["80.bytes"]]);
    }

    #[test]
    fn a_restored_node_continues_as_the_saved_one() {
        let mut saved = Flatten::new(&spec(false));
        run(&mut saved, vec![at(0, "A", Some("80"), 1.0)]);
        let mut restored = Flatten::new(&spec(false));
        restored
            .restore(saved.snapshot().expect("state"))
            .expect("restores");
        let rest = vec![at(0, "A", Some("443"), 2.0), at(2000, "A", Some("80"), 3.0)];
        let expected = run(&mut saved, rest.clone());
        assert_eq!(points(expected.0.clone())[0].fields.len(), 2);
        assert_eq!(run(&mut restored, rest), expected);
        assert!(Flatten::new(&spec(false)).restore(json!({})).is_err());
    }
}
