//! The InfluxQL function nodes: `|count('f')`, `|mean('f')`, `|top(3, 'f')`, … (spec:
//! kapacitor-compat.md, nodes §7).
//!
//! Aggregates and selectors reduce each batch at its end, or, on a stream, each run of
//! points of one group with the same time, emitted when a point of another time arrives
//! (the last run is never emitted, as in Kapacitor). Transformations answer point by
//! point. [`reduce`] and [`transform`] hold the functions ([`holt_winters`] the forecast,
//! fitted by [`nelder_mead`]); this file routes messages and
//! shapes the output: an aggregate is a point with the group's tags and one field, a
//! selector the selected point with its field renamed, `distinct`/`top`/`bottom` a
//! batch of one point per choice, and the forecasts a batch of the forecast points.

mod holt_winters;
mod nelder_mead;
mod reduce;
mod transform;

use tickflow_model::{
    Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupId, GroupInfo, Message, Point, Str,
    Tags, Time,
};
use tickflow_pipeline::nodes::influxql::{InfluxQlFunction, InfluxQlNode};

use crate::node::{Context, Node, NodeError};
use crate::nodes::group_map::{self, GroupMap};
use crate::nodes::memory;
use crate::state::{self, StateError};
use reduce::{accepts, reduce, Reduced, Sample};
use transform::Transform;

/// Why a point or a batch gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InfluxQlError {
    /// The function does not take fields of this type.
    #[error("invalid influxql func {function} with field {field}: cannot apply {function} to {ty} field")]
    Unsupported {
        /// The function's name.
        function: &'static str,
        /// The field.
        field: String,
        /// The field's type.
        ty: &'static str,
    },
    /// A point lacks the field.
    #[error("field {0:?} missing from point")]
    Missing(String),
    /// A point's field has another type than the first point's.
    #[error("field {field:?} has wrong type: expected {expected}, got {got}")]
    WrongType {
        /// The field.
        field: String,
        /// The first point's type.
        expected: &'static str,
        /// This point's type.
        got: &'static str,
    },
}

/// One point's view for the functions: its time, fields and tags.
#[derive(Clone, Copy)]
struct Row<'a> {
    time: Time,
    fields: &'a Fields,
    tags: &'a Tags,
}

/// The group a result belongs to.
struct Group {
    name: Str,
    id: GroupId,
    tags: Tags,
    dimensions: Dimensions,
}

impl Group {
    fn of_point(point: &Point) -> Self {
        Group {
            name: point.name.clone(),
            id: point.group.clone(),
            tags: point.dimensions.group_tags(&point.tags),
            dimensions: point.dimensions.clone(),
        }
    }

    fn of_batch(batch: &Batch) -> Self {
        Group {
            name: batch.name.clone(),
            id: batch.group.clone(),
            tags: batch.tags.clone(),
            dimensions: batch.dimensions.clone(),
        }
    }

    /// A point of this group.
    fn point(&self, time: Time, tags: Tags, fields: Fields) -> Point {
        let mut point = Point::new(self.name.clone(), time);
        point.tags = tags;
        point.fields = fields;
        point.dimensions = self.dimensions.clone();
        point.group = self.id.clone();
        point
    }

    /// An empty batch of this group.
    fn batch(&self, tmax: Time) -> Batch {
        let info = GroupInfo {
            id: self.id.clone(),
            tags: self.tags.clone(),
            dimensions: self.dimensions.clone(),
        };
        Batch::new(self.name.clone(), info, tmax)
    }
}

/// What a stream group is waiting with.
enum Pending {
    /// Points of one time, for an aggregate or selector.
    Run(Vec<Point>),
    /// A transformation's state, with the group's name and info (for snapshots).
    Transform(Transform, Str, GroupInfo),
}

impl Pending {
    /// The group's state as JSON.
    fn to_json(&self) -> serde_json::Value {
        match self {
            Pending::Run(points) => serde_json::json!({
                "run": points.iter().map(state::point_json).collect::<Vec<_>>(),
            }),
            Pending::Transform(transform, name, info) => serde_json::json!({
                "group": state::group_json(name, info),
                "transform": transform.state_json(),
            }),
        }
    }
}

/// The running InfluxQL node.
pub(crate) struct InfluxQl {
    function: InfluxQlFunction,
    field: Str,
    as_name: Str,
    use_point_times: bool,
    /// A fresh state, for transformations.
    template: Option<Transform>,
    groups: GroupMap<Pending>,
}

impl InfluxQl {
    /// A node for a validated spec.
    pub(crate) fn new(spec: &InfluxQlNode) -> Self {
        InfluxQl {
            function: spec.function.clone(),
            field: Str::from(spec.field.as_str()),
            as_name: Str::from(spec.as_name.as_str()),
            use_point_times: spec.use_point_times,
            template: Transform::new(&spec.function),
            groups: GroupMap::default(),
        }
    }

    /// The samples of `rows` that have the field with the first one's type; the rest are
    /// reported. An unsupported type gives no samples at all.
    fn samples(&self, rows: &[Row<'_>], ctx: &mut Context<'_>) -> Option<Vec<Sample>> {
        let mut samples: Vec<Sample> = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let Some(value) = row.fields.get(&self.field) else {
                ctx.error(&InfluxQlError::Missing(self.field.to_string()));
                continue;
            };
            if let Some(first) = samples.first() {
                if std::mem::discriminant(&first.value) != std::mem::discriminant(value) {
                    ctx.error(&InfluxQlError::WrongType {
                        field: self.field.to_string(),
                        expected: first.value.type_name(),
                        got: value.type_name(),
                    });
                    continue;
                }
            } else if !accepts(&self.function, value) {
                ctx.error(&InfluxQlError::Unsupported {
                    function: self.function.name(),
                    field: self.field.to_string(),
                    ty: value.type_name(),
                });
                return None;
            }
            samples.push(Sample {
                row: index,
                time: row.time,
                value: value.clone(),
            });
        }
        Some(samples)
    }

    /// Reduces `rows` of `group` timed `tmax` and emits the result.
    fn reduce_rows(&self, group: &Group, rows: &[Row<'_>], tmax: Time, ctx: &mut Context<'_>) {
        let Some(samples) = self.samples(rows, ctx) else {
            return;
        };
        match reduce(&self.function, &samples) {
            Reduced::Nothing => {}
            Reduced::Value(value) => {
                let fields = Fields::from_sorted([(self.as_name.clone(), value)]);
                ctx.emit(Message::Point(group.point(
                    tmax,
                    group.tags.clone(),
                    fields,
                )));
            }
            Reduced::Selected(index) => {
                let sample = &samples[index];
                let row = rows[sample.row];
                let time = if self.use_point_times { row.time } else { tmax };
                let fields = self.renamed(row.fields);
                ctx.emit(Message::Point(group.point(time, row.tags.clone(), fields)));
            }
            Reduced::Many(chosen) => {
                let mut batch = group.batch(tmax);
                for (index, value) in chosen {
                    let row = rows[samples[index].row];
                    let time = if self.use_point_times { row.time } else { tmax };
                    batch.points.push(self.batch_point(group, row, time, value));
                    batch.tmax = batch.tmax.max(time);
                }
                ctx.emit(Message::Batch(batch));
            }
            Reduced::Forecast(forecast) => {
                let mut batch = group.batch(tmax);
                for (time, value) in forecast {
                    batch.points.push(BatchPoint {
                        fields: Fields::from_sorted([(self.as_name.clone(), value.into())]),
                        tags: group.tags.clone(),
                        time,
                    });
                    batch.tmax = batch.tmax.max(time);
                }
                ctx.emit(Message::Batch(batch));
            }
        }
    }

    /// A selected point's fields with the field renamed to the output name.
    fn renamed(&self, fields: &Fields) -> Fields {
        if self.field == self.as_name {
            return fields.clone();
        }
        let mut fields = fields.clone();
        if let Some(value) = fields.remove(&self.field) {
            fields.insert(self.as_name.clone(), value);
        }
        fields
    }

    /// A point of a batch output: the value under the output name, the group's tags
    /// merged with the originating point's (only the group's for `distinct`, whose
    /// points stand for a value, not a point).
    fn batch_point(
        &self,
        group: &Group,
        row: Row<'_>,
        time: Time,
        value: FieldValue,
    ) -> BatchPoint {
        let mut tags = match self.function {
            InfluxQlFunction::Distinct => Tags::new(),
            _ => row.tags.clone(),
        };
        for (key, tag) in group.tags.iter() {
            tags.insert(key.clone(), tag.clone());
        }
        BatchPoint {
            fields: Fields::from_sorted([(self.as_name.clone(), value)]),
            tags,
            time,
        }
    }

    /// A stream point for an aggregate or selector.
    fn run_point(&mut self, point: Point, ctx: &mut Context<'_>) {
        let pending = self
            .groups
            .entry(point.group.clone())
            .or_insert_with(|| Pending::Run(Vec::new()));
        let Pending::Run(run) = pending else {
            return;
        };
        let done = match run.first() {
            Some(first) if first.time != point.time => Some(std::mem::take(run)),
            _ => None,
        };
        run.push(point);
        if let Some(done) = done {
            let rows: Vec<Row<'_>> = done.iter().map(point_row).collect();
            let time = done[0].time;
            self.reduce_rows(&Group::of_point(&done[0]), &rows, time, ctx);
        }
    }

    /// A stream point: fed to its group's transformation, or added to its group's run
    /// for an aggregate or selector.
    fn point(&mut self, point: Point, ctx: &mut Context<'_>) {
        let Some(template) = &self.template else {
            return self.run_point(point, ctx);
        };
        let Some(samples) = self.samples(&[point_row(&point)], ctx) else {
            return;
        };
        let Some(sample) = samples.first() else {
            return;
        };
        let pending = self.groups.entry(point.group.clone()).or_insert_with(|| {
            Pending::Transform(template.clone(), point.name.clone(), point.group_info())
        });
        let Pending::Transform(state, _, _) = pending else {
            return;
        };
        if let Some(value) = state.feed(point.time, &sample.value) {
            let group = Group::of_point(&point);
            let fields = Fields::from_sorted([(self.as_name.clone(), value)]);
            ctx.emit(Message::Point(group.point(
                point.time,
                group.tags.clone(),
                fields,
            )));
        }
    }

    /// A batch for a transformation: a fresh state, one output point per answer.
    fn transform_batch(&self, mut state: Transform, batch: &Batch, ctx: &mut Context<'_>) {
        let group = Group::of_batch(batch);
        let rows: Vec<Row<'_>> = batch.points.iter().map(batch_row).collect();
        let mut out = group.batch(batch.tmax);
        if let Some(samples) = self.samples(&rows, ctx) {
            for sample in samples {
                if let Some(value) = state.feed(sample.time, &sample.value) {
                    let row = rows[sample.row];
                    out.points
                        .push(self.batch_point(&group, row, sample.time, value));
                }
            }
        }
        ctx.emit(Message::Batch(out));
    }
}

fn point_row(point: &Point) -> Row<'_> {
    Row {
        time: point.time,
        fields: &point.fields,
        tags: &point.tags,
    }
}

fn batch_row(point: &BatchPoint) -> Row<'_> {
    Row {
        time: point.time,
        fields: &point.fields,
        tags: &point.tags,
    }
}

impl Node for InfluxQl {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        match message {
            Message::Point(point) => self.point(point, ctx),
            Message::Batch(batch) => match &self.template {
                Some(template) => self.transform_batch(template.clone(), &batch, ctx),
                None => {
                    let rows: Vec<Row<'_>> = batch.points.iter().map(batch_row).collect();
                    self.reduce_rows(&Group::of_batch(&batch), &rows, batch.tmax, ctx);
                }
            },
            Message::DeleteGroup(group) => {
                self.groups.remove(&group.id);
                ctx.emit(Message::DeleteGroup(group));
            }
            barrier @ Message::Barrier { .. } => ctx.emit(barrier),
        }
        Ok(())
    }

    /// Each stream group's pending run or transformation state, ordered by group id.
    fn snapshot(&self) -> Option<serde_json::Value> {
        let groups = group_map::ordered_json(&self.groups, Pending::to_json);
        Some(serde_json::json!({ "groups": groups }))
    }

    /// The group table: a stream group holds one time's run, most often one point.
    fn memory(&self) -> usize {
        let group = memory::GROUP_ENTRY + std::mem::size_of::<Pending>();
        self.groups.len() * (group + std::mem::size_of::<Point>() + memory::fields(1))
    }

    fn restore(&mut self, saved: serde_json::Value) -> Result<(), NodeError> {
        let mut groups = GroupMap::default();
        for group in state::array(&saved, "groups")? {
            let (id, pending) = self.pending_from(group)?;
            groups.insert(id, pending);
        }
        self.groups = groups;
        Ok(())
    }
}

impl InfluxQl {
    /// One group's state from [`Pending::to_json`].
    fn pending_from(&self, value: &serde_json::Value) -> Result<(GroupId, Pending), StateError> {
        if let Some(run) = value.get("run") {
            let points = run
                .as_array()
                .ok_or_else(|| StateError::new("\"run\" is not an array"))?
                .iter()
                .map(state::point_from)
                .collect::<Result<Vec<_>, _>>()?;
            let id = points
                .first()
                .map(|p| p.group.clone())
                .ok_or_else(|| StateError::new("an empty run"))?;
            return Ok((id, Pending::Run(points)));
        }
        let (name, info) = state::group_from(state::member(value, "group")?)?;
        let mut transform = self
            .template
            .clone()
            .ok_or_else(|| StateError::new("a transformation state for an aggregate"))?;
        transform.restore_state(state::member(value, "transform")?)?;
        Ok((info.id.clone(), Pending::Transform(transform, name, info)))
    }
}

#[cfg(test)]
mod tests {
    use tickflow_pipeline::nodes::influxql::InfluxQlNode;

    use super::*;
    use crate::nodes::testing::{point, points, run};

    fn node(function: InfluxQlFunction, as_name: &str, use_point_times: bool) -> InfluxQl {
        InfluxQl::new(&InfluxQlNode {
            function,
            field: "value".into(),
            as_name: as_name.into(),
            use_point_times,
        })
    }

    fn value(secs: i64, v: f64) -> Message {
        Message::Point(point(
            secs,
            &[("host", "a")],
            &[
                ("value", FieldValue::Float(v)),
                ("other", FieldValue::Integer(1)),
            ],
        ))
    }

    fn window(tmax_secs: i64, values: &[(i64, f64)]) -> Message {
        let mut batch = Batch::new(
            "cpu".into(),
            GroupInfo::default(),
            Time::from_nanos(tmax_secs * 1_000_000_000),
        );
        batch.points = values
            .iter()
            .map(|&(secs, v)| {
                let Message::Point(p) = value(secs, v) else {
                    unreachable!("value makes points")
                };
                BatchPoint {
                    fields: p.fields,
                    tags: p.tags,
                    time: p.time,
                }
            })
            .collect();
        Message::Batch(batch)
    }

    #[test]
    fn a_stream_run_is_reduced_when_the_next_time_arrives_and_the_last_never() {
        let mut sum = node(InfluxQlFunction::Sum, "sum", false);
        let (out, errors) = run(&mut sum, vec![value(1, 1.0), value(1, 2.0), value(2, 5.0)]);
        assert!(errors.is_empty());
        let out = points(out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].time, Time::from_nanos(1_000_000_000));
        assert_eq!(out[0].fields.get("sum"), Some(&FieldValue::Float(3.0)));
        assert!(
            out[0].tags.is_empty(),
            "an aggregate keeps only the group's tags"
        );
    }

    #[test]
    fn a_selector_keeps_the_point_with_its_field_renamed() {
        let mut max = node(InfluxQlFunction::Max, "max", true);
        let (out, _) = run(&mut max, vec![window(10, &[(1, 3.0), (2, 9.0), (3, 4.0)])]);
        let out = points(out);
        assert_eq!(out[0].time, Time::from_nanos(2_000_000_000));
        assert_eq!(out[0].fields.get("max"), Some(&FieldValue::Float(9.0)));
        assert_eq!(out[0].fields.get("other"), Some(&FieldValue::Integer(1)));
        assert_eq!(out[0].tags.get("host").map(|h| &**h), Some("a"));
    }

    #[test]
    fn top_emits_a_batch_of_the_chosen_points_at_tmax() {
        let top = InfluxQlFunction::Top {
            n: 2,
            fields_and_tags: Vec::new(),
        };
        let (out, _) = run(
            &mut node(top, "top", false),
            vec![window(10, &[(1, 3.0), (2, 9.0), (3, 4.0)])],
        );
        let Some(Message::Batch(batch)) = out.first() else {
            panic!("a batch: {out:?}");
        };
        let values: Vec<_> = batch
            .points
            .iter()
            .map(|p| p.fields.get("top").cloned())
            .collect();
        assert_eq!(
            values,
            [Some(FieldValue::Float(9.0)), Some(FieldValue::Float(4.0))]
        );
        assert!(batch.points.iter().all(|p| p.time == batch.tmax));
        assert_eq!(batch.points[0].tags.get("host").map(|h| &**h), Some("a"));
    }

    #[test]
    fn a_string_field_is_refused_by_mean_and_a_missing_field_is_reported() {
        let mut mean = node(InfluxQlFunction::Mean, "mean", false);
        let text = point(1, &[], &[("value", FieldValue::string("x"))]);
        let none = point(1, &[], &[("other", FieldValue::Integer(1))]);
        let batch = |p: Point| {
            let mut b = Batch::new("cpu".into(), GroupInfo::default(), Time::from_nanos(0));
            b.points.push(BatchPoint {
                fields: p.fields,
                tags: p.tags,
                time: p.time,
            });
            Message::Batch(b)
        };
        let (out, errors) = run(&mut mean, vec![batch(text), batch(none)]);
        assert!(out.is_empty());
        assert_eq!(
            errors,
            [
                "node1: invalid influxql func mean with field value: cannot apply mean to string field",
                "node1: field \"value\" missing from point"
            ]
        );
    }

    #[test]
    fn a_restored_stream_state_goes_on_where_it_was_saved() {
        let functions = [
            (InfluxQlFunction::Sum, "sum"),
            (InfluxQlFunction::CumulativeSum, "cumulativeSum"),
        ];
        for (function, name) in functions {
            let mut saved = node(function.clone(), name, false);
            run(&mut saved, vec![value(1, 1.0), value(1, 2.0)]);
            let mut restored = node(function.clone(), name, false);
            restored
                .restore(saved.snapshot().expect("state"))
                .expect("restores");
            let rest = vec![value(2, 4.0)];
            let expected = run(&mut saved, rest.clone());
            assert!(!expected.0.is_empty(), "{name}");
            assert_eq!(run(&mut restored, rest), expected, "{name}");
        }
    }

    #[test]
    fn a_batch_transformation_starts_afresh_each_batch() {
        let mut sum = node(InfluxQlFunction::CumulativeSum, "cumulativeSum", false);
        let (out, _) = run(
            &mut sum,
            vec![window(10, &[(1, 1.0), (2, 2.0)]), window(20, &[(11, 5.0)])],
        );
        let sums: Vec<Vec<_>> = out
            .iter()
            .map(|m| match m {
                Message::Batch(b) => b
                    .points
                    .iter()
                    .map(|p| p.fields.get("cumulativeSum").cloned())
                    .collect(),
                other => panic!("not a batch: {other:?}"),
            })
            .collect();
        assert_eq!(
            sums,
            [
                vec![Some(FieldValue::Float(1.0)), Some(FieldValue::Float(3.0))],
                vec![Some(FieldValue::Float(5.0))]
            ]
        );
    }
}
