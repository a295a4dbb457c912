//! `|flatten()`: merges the points of a group that share a time into one point whose
//! field names carry the `.on(…)` tags (kapacitor-compat.md, nodes §4.10).
//!
//! Times are rounded to `.tolerance(…)`. A group's points are collected while their time
//! stays the same; a point of another time, or a barrier past the run, flattens the run
//! into one point with the run's time, the group's name and tags, and for each field `f`
//! of a point the field `<on values joined by the delimiter><delimiter>f` (just the
//! prefix with `.dropOriginalFieldName()`, just `f` when there is no prefix). A point
//! lacking an `.on` tag is reported and left out. In a batch each run of equal times
//! becomes one batch point; the last run ends with the batch. On a stream the last run
//! is never flattened, as in Kapacitor.

use serde_json::Value;
use tickflow_model::{Batch, BatchPoint, Duration, Fields, Message, Point, Str, Time};
use tickflow_pipeline::nodes::flatten::FlattenNode;

use crate::node::{Context, NodeError};
use crate::nodes::group_transform::{GroupTransform, StateCodec, StateScope};
use crate::nodes::time_buffer::{rounded, TimeBuffer};
use crate::state::StateError;

/// A point lacking an `.on` tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("flatten: point missing tag {0:?}")]
pub(crate) struct MissingTag(String);

/// The flatten transform: a group's state is its run (a batch collects its runs in a
/// buffer of its own).
pub(crate) struct Flatten {
    on: Vec<Str>,
    delimiter: String,
    tolerance: Option<Duration>,
    drop_original_field_name: bool,
}

impl Flatten {
    /// A flatten transform for a validated spec.
    pub(crate) fn new(spec: &FlattenNode) -> Self {
        Flatten {
            on: spec.on.iter().map(|t| Str::from(t.as_str())).collect(),
            delimiter: spec.delimiter.clone(),
            tolerance: spec.tolerance,
            drop_original_field_name: spec.drop_original_field_name,
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
    fn flat_point(&self, run: &[Point], ctx: &mut Context<'_>) -> Option<Message> {
        let first = run.first()?;
        let mut point = Point::new(first.name.clone(), first.time);
        point.tags = first.dimensions.group_tags(&first.tags);
        point.dimensions = first.dimensions.clone();
        point.group = first.group.clone();
        point.fields = self.fields(run, ctx);
        Some(Message::Point(point))
    }

    /// A batch with each run of equal times flattened into one point, collected in
    /// `buffer`.
    fn flat_batch(
        &self,
        buffer: &mut TimeBuffer,
        mut batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Batch {
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

impl GroupTransform for Flatten {
    type State = TimeBuffer;
    const SCOPE: StateScope = StateScope::Points;

    fn new_state(&self) -> TimeBuffer {
        TimeBuffer::default()
    }

    fn point(
        &mut self,
        buffer: &mut TimeBuffer,
        mut point: Point,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        point.time = rounded(point.time, self.tolerance);
        if let Some(flat) = buffer
            .push(point)
            .and_then(|run| self.flat_point(&run, ctx))
        {
            ctx.emit(flat);
        }
        Ok(())
    }

    fn batch(
        &mut self,
        buffer: &mut TimeBuffer,
        batch: Batch,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let flat = self.flat_batch(buffer, batch, ctx);
        ctx.emit(Message::Batch(flat));
        Ok(())
    }

    /// Flattens the group's run when the barrier is past it.
    fn barrier(
        &mut self,
        buffer: &mut TimeBuffer,
        time: Time,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let run = buffer.take_before(time);
        if let Some(flat) = run.and_then(|run| self.flat_point(&run, ctx)) {
            ctx.emit(flat);
        }
        Ok(())
    }

    /// Each group's run.
    fn codec(&self) -> Option<&dyn StateCodec<TimeBuffer>> {
        Some(self)
    }
}

impl StateCodec<TimeBuffer> for Flatten {
    fn member(&self) -> &'static str {
        "buffers"
    }

    fn encode(&self, buffer: &TimeBuffer) -> Value {
        buffer.to_json()
    }

    fn decode(&self, value: &Value) -> Result<TimeBuffer, StateError> {
        TimeBuffer::from_json(value)
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Dimensions, FieldValue, Tags, Time};

    use serde_json::json;

    use super::*;
    use crate::node::Node;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{point, points, run};

    fn node(drop: bool) -> PerGroup<Flatten> {
        PerGroup::new(Flatten::new(&spec(drop)))
    }

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
        let (out, errors) = run(&mut node(false), input);
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
        let (out, errors) = run(&mut node(true), input);
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
        let (out, _) = run(&mut node(false), vec![Message::Point(p), barrier.clone()]);
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
        let (out, _) = run(&mut node(false), vec![Message::Batch(batch)]);
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
        let mut saved = node(false);
        run(&mut saved, vec![at(0, "A", Some("80"), 1.0)]);
        let mut restored = node(false);
        restored
            .restore(saved.snapshot().expect("state"))
            .expect("restores");
        let rest = vec![at(0, "A", Some("443"), 2.0), at(2000, "A", Some("80"), 3.0)];
        let expected = run(&mut saved, rest.clone());
        assert_eq!(points(expected.0.clone())[0].fields.len(), 2);
        assert_eq!(run(&mut restored, rest), expected);
        assert!(node(false).restore(json!({})).is_err());
    }
}
