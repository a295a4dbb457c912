//! Streaming anomaly detectors as native UDFs: what every detector shares.
//!
//! A [`Detector`] turns one series of values into anomaly scores in [0, 1], one value at
//! a time, learning as it goes. [`Scoring`] runs one per group on the values of
//! `.field(name)` (default `value`) and emits, for each value, its point with two fields:
//! the value and its score, named by `.as(name)` (default `anomaly_score`), so alerts can
//! test `"anomaly_score" > 0.9` and show the value. Each detector is registered twice:
//! `name` on a stream edge (a point in, a point out) and `nameBatch` on a batch edge (a
//! batch in, the batch of its scored points out, the values taken in the batch's order).
//!
//! Values that are not finite, and points without the field, are skipped: they neither
//! score nor teach the detector (missing data), and a score is never NaN: a detector's
//! NaN counts 0. A string or boolean field is an error, as for `tTest`. Detectors count
//! values, not time, so repeated or backward timestamps change nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use tickflow_model::{Batch, FieldValue, Fields, GroupId, Message, Point};
use tickflow_pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow_pipeline::EdgeType;

use super::{Groups, InitError, NativeUdf, UdfError};

/// A streaming anomaly detector for one series.
pub trait Detector: Sized + Send + 'static {
    /// The UDF's name in scripts (`knnCad`).
    const NAME: &'static str;
    /// The detector's own options and their types (besides `field` and `as`).
    const OPTIONS: &'static [(&'static str, OptionType)];
    /// The options, checked.
    type Config: Send + std::fmt::Debug + 'static;

    /// Reads and checks the detector's options; a refusal lists every problem.
    fn config(options: &Options) -> Result<Self::Config, InitError>;

    /// A detector that has seen nothing.
    fn new(config: &Self::Config) -> Self;

    /// The anomaly score of `value` (finite), which the detector then learns.
    fn score(&mut self, config: &Self::Config, value: f64) -> f64;

    /// The detector's state.
    fn to_json(&self) -> serde_json::Value;

    /// A state of [`Detector::to_json`]; `None` when it is not one.
    fn from_json(config: &Self::Config, state: &serde_json::Value) -> Option<Self>;
}

/// A detector's options by name, each with its one value.
#[derive(Debug, Default)]
pub struct Options {
    pub(crate) values: BTreeMap<String, OptionValue>,
}

impl Options {
    /// The integer option `name`, or `default`.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        match self.values.get(name) {
            Some(OptionValue::Int(v)) => *v,
            _ => default,
        }
    }

    /// The float option `name`, or `default`.
    pub fn double(&self, name: &str, default: f64) -> f64 {
        match self.values.get(name) {
            Some(OptionValue::Double(v)) => *v,
            Some(OptionValue::Int(v)) => *v as f64,
            _ => default,
        }
    }
}

/// Problems found in options, refused together as `tTest` does.
#[derive(Debug, Default)]
pub struct Problems(Vec<String>);

impl Problems {
    /// Notes `problem` unless `ok`.
    pub fn check(&mut self, ok: bool, problem: &str) {
        if !ok {
            self.0.push(problem.to_string());
        }
    }

    /// `Ok(value)` when there is no problem.
    pub fn or<T>(self, value: T) -> Result<T, InitError> {
        match self.0.is_empty() {
            true => Ok(value),
            false => Err(InitError::new(self.0.join(" "))),
        }
    }
}

/// The quiet period after an alert (options `quiet`, in values, and `quietAbove`, a
/// score): one event alerts once instead of on every value it lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuietConfig {
    pub(crate) length: usize,
    pub(crate) above: f64,
}

impl QuietConfig {
    /// Reads `quiet` (default `length`) and `quietAbove` (default `above`), noting
    /// problems.
    pub fn read(options: &Options, length: i64, above: f64, problems: &mut Problems) -> Self {
        let length = options.int("quiet", length);
        let above = options.double("quietAbove", above);
        problems.check(length >= 0, "quiet must be >= 0");
        problems.check(
            (0.0..=1.0).contains(&above),
            "quietAbove must be between 0 and 1",
        );
        QuietConfig {
            length: count(length),
            above,
        }
    }
}

/// A detector's quiet period: how many values it has left to stay silent for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quiet(usize);

impl Quiet {
    /// Whether the detector is silent for this value (counting it off).
    pub fn hush(&mut self) -> bool {
        let quiet = self.0 > 0;
        self.0 = self.0.saturating_sub(1);
        quiet
    }

    /// Starts a quiet period when `score` reaches the configured bound.
    pub fn after(&mut self, score: f64, config: &QuietConfig) {
        if score >= config.above {
            self.0 = config.length;
        }
    }
}

/// `n` as a count, for options already checked to be positive.
pub fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The edges and options of detector `D`, on a batch edge when `BATCH`.
pub fn info<D: Detector, const BATCH: bool>() -> UdfInfo {
    let edge = if BATCH {
        EdgeType::Batch
    } else {
        EdgeType::Stream
    };
    let mut options = BTreeMap::from([
        ("field".to_string(), vec![OptionType::String]),
        ("as".to_string(), vec![OptionType::String]),
    ]);
    for (name, kind) in D::OPTIONS {
        options.insert((*name).to_string(), vec![*kind]);
    }
    UdfInfo {
        wants: edge,
        provides: edge,
        options,
        variadic: BTreeSet::new(),
    }
}

/// Makes a [`Scoring`] of detector `D` from a node's options.
pub fn init<D: Detector>(options: &[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError> {
    let mut field = String::from("value");
    let mut output = String::from("anomaly_score");
    let mut own = Options::default();
    for option in options {
        match (option.name.as_str(), option.values.as_slice()) {
            ("field", [OptionValue::String(v)]) => field = v.clone(),
            ("as", [OptionValue::String(v)]) => output = v.clone(),
            (name, [value]) if D::OPTIONS.iter().any(|(n, _)| *n == name) => {
                own.values.insert(name.to_string(), value.clone());
            }
            (name, _) => return Err(InitError::new(format!("unexpected option {name:?}"))),
        }
    }
    let mut problems = Problems::default();
    problems.check(!field.is_empty(), "must supply a field name");
    problems.check(!output.is_empty(), "invalid as name");
    problems.check(output != field, "as must differ from field");
    let config = D::config(&own)?;
    problems.or(())?;
    Ok(Box::new(Scoring::<D> {
        field,
        output,
        config,
        groups: Groups::default(),
    }))
}

/// A detector per group, scoring one field.
#[derive(Debug)]
pub struct Scoring<D: Detector> {
    field: String,
    output: String,
    config: D::Config,
    groups: Groups<D>,
}

impl<D: Detector> Scoring<D> {
    /// The value of the field in `fields`: `None` when missing or not finite.
    fn value(&self, fields: &Fields) -> Result<Option<f64>, UdfError> {
        match fields.get(&self.field) {
            None => Ok(None),
            Some(value) => match value.as_f64() {
                Some(v) => Ok(v.is_finite().then_some(v)),
                None => Err(UdfError::new(format!(
                    "field {:?} is a {}, {} needs a number",
                    self.field,
                    value.type_name(),
                    D::NAME
                ))),
            },
        }
    }

    /// The scored fields of `value` in `group`.
    fn scored(&mut self, group: &GroupId, value: f64) -> Fields {
        let config = &self.config;
        let detector = self.groups.of(group, || D::new(config));
        let score = detector.score(config, value);
        let score = if score.is_nan() {
            0.0
        } else {
            score.clamp(0.0, 1.0)
        };
        Fields::from_pairs([
            (self.field.as_str(), FieldValue::Float(value)),
            (self.output.as_str(), FieldValue::Float(score)),
        ])
    }
}

impl<D: Detector> NativeUdf for Scoring<D> {
    fn point(&mut self, mut point: Point, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let Some(value) = self.value(&point.fields)? else {
            return Ok(());
        };
        point.fields = self.scored(&point.group, value);
        out.push(Message::Point(point));
        Ok(())
    }

    fn batch(&mut self, mut batch: Batch, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let mut points = Vec::with_capacity(batch.points.len());
        for point in batch.points.iter() {
            if let Some(value) = self.value(&point.fields)? {
                let mut point = point.clone();
                point.fields = self.scored(&batch.group, value);
                points.push(point);
            }
        }
        batch.points = points.into_iter().collect();
        out.push(Message::Batch(batch));
        Ok(())
    }

    fn delete_group(&mut self, group: &GroupId) {
        self.groups.delete(group);
    }

    fn snapshot(&self) -> Result<serde_json::Value, UdfError> {
        self.groups.snapshot(|detector| Ok(detector.to_json()))
    }

    fn restore(&mut self, state: &serde_json::Value) -> Result<(), UdfError> {
        let config = &self.config;
        self.groups = Groups::restore(D::NAME, state, |saved| {
            D::from_json(config, saved).ok_or_else(|| {
                UdfError::new(format!("{} snapshot holds a bad state: {saved}", D::NAME))
            })
        })?;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::native::knn_cad::KnnCad;
    use tickflow_model::{BatchPoint, Dimensions, GroupInfo, Tags, Time};

    /// The scores `D` gives `values`.
    pub(crate) fn run<D: Detector>(config: &D::Config, values: &[f64]) -> Vec<f64> {
        let mut detector = D::new(config);
        values.iter().map(|v| detector.score(config, *v)).collect()
    }

    /// Asserts that scoring `values` straight through gives the scores of stopping
    /// halfway, saving the state as JSON text and going on with a restored detector.
    pub(crate) fn assert_resumes<D: Detector>(config: &D::Config, values: &[f64]) {
        let whole = run::<D>(config, values);
        let half = values.len() / 2;
        let mut first = D::new(config);
        let mut scores: Vec<f64> = (values[..half].iter())
            .map(|v| first.score(config, *v))
            .collect();
        let text = first.to_json().to_string();
        let state: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let mut restored = D::from_json(config, &state).expect("restores");
        scores.extend(values[half..].iter().map(|v| restored.score(config, *v)));
        assert_eq!(scores, whole);
        assert!(D::from_json(config, &serde_json::json!({"recent": "x"})).is_none());
    }

    /// Deterministic noise in [-0.5, 0.5).
    fn noise(i: usize) -> f64 {
        let x = (i as u64)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((x >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    /// Noise around 10 with a spike of +8 at `at`.
    pub(crate) fn spike(n: usize, at: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 10.0 + noise(i) + if i == at { 8.0 } else { 0.0 })
            .collect()
    }

    /// Noise around 10, then around 15 from `at`.
    pub(crate) fn step(n: usize, at: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 10.0 + noise(i) + if i >= at { 5.0 } else { 0.0 })
            .collect()
    }

    /// A daily cycle (96 values a day) with a little noise and no anomaly.
    pub(crate) fn daily(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| 10.0 + 5.0 * (i as f64 * std::f64::consts::TAU / 96.0).sin() + 0.2 * noise(i))
            .collect()
    }

    fn option(name: &str, value: OptionValue) -> UdfOption {
        UdfOption {
            name: name.into(),
            values: vec![value],
        }
    }

    fn knn() -> Box<dyn NativeUdf> {
        init::<KnnCad>(&[
            option("dim", OptionValue::Int(4)),
            option("k", OptionValue::Int(5)),
            option("training", OptionValue::Int(50)),
        ])
        .expect("valid options")
    }

    fn point(printer: &str, value: FieldValue, t: i64) -> Point {
        let mut p = Point::new("temperatures", Time::from_nanos(t));
        p.tags = Tags::from_pairs([("printer", printer)]);
        p.fields = Fields::from_pairs([("value", value)]);
        p.set_dimensions(Dimensions::by_tags(["printer"]));
        p
    }

    fn scores(out: &[Message]) -> Vec<f64> {
        let fields = |m: &Message| match m {
            Message::Point(p) => vec![p.fields.clone()],
            Message::Batch(b) => b.points.iter().map(|p| p.fields.clone()).collect(),
            _ => Vec::new(),
        };
        (out.iter().flat_map(fields))
            .filter_map(|f| f.get("anomaly_score").and_then(FieldValue::as_f64))
            .collect()
    }

    #[test]
    fn groups_score_apart_and_a_deleted_group_starts_again() {
        let series = spike(120, 100);
        let mut alone = knn();
        let mut grouped = knn();
        let (mut alone_out, mut grouped_out) = (Vec::new(), Vec::new());
        for (i, v) in series.iter().enumerate() {
            let p1 = point("p1", FieldValue::Float(*v), i as i64);
            alone.point(p1.clone(), &mut alone_out).expect("point");
            grouped.point(p1, &mut grouped_out).expect("point");
            let p2 = point(
                "p2",
                FieldValue::Float(50.0 + 10.0 * noise(i + 7)),
                i as i64,
            );
            grouped.point(p2, &mut grouped_out).expect("point");
        }
        let p1_scores: Vec<f64> = scores(&grouped_out).into_iter().step_by(2).collect();
        assert_eq!(p1_scores, scores(&alone_out));
        assert!(p1_scores[100] > 0.9);
        let snapshot = grouped.snapshot().expect("snapshot");
        let mut restored = knn();
        restored.restore(&snapshot).expect("restores");
        assert_eq!(restored.snapshot().expect("snapshot"), snapshot);
        grouped.delete_group(&point("p1", FieldValue::Float(0.0), 0).group);
        let groups = grouped.snapshot().expect("snapshot");
        assert_eq!(groups["groups"].as_object().map(|g| g.len()), Some(1));
    }

    #[test]
    fn missing_and_non_finite_values_are_skipped_and_strings_refused() {
        let mut udf = knn();
        let mut out = Vec::new();
        udf.point(point("p1", FieldValue::Float(f64::NAN), 0), &mut out)
            .expect("skipped");
        udf.point(point("p1", FieldValue::Float(f64::INFINITY), 0), &mut out)
            .expect("skipped");
        let mut missing = point("p1", FieldValue::Float(1.0), 0);
        missing.fields = Fields::from_pairs([("other", 1.0)]);
        udf.point(missing, &mut out).expect("skipped");
        assert!(out.is_empty());
        udf.point(point("p1", FieldValue::Integer(3), 0), &mut out)
            .expect("an integer scores");
        assert_eq!(scores(&out), [0.0]);
        let err = udf
            .point(
                point("p1", FieldValue::String(Box::new("hot".into())), 0),
                &mut out,
            )
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            r#"field "value" is a string, knnCad needs a number"#
        );
    }

    #[test]
    fn a_batch_comes_back_scored_point_by_point() {
        let mut udf = knn();
        let mut batch = Batch::new("t".into(), GroupInfo::default(), Time::from_nanos(9));
        batch.points = (spike(80, 70).into_iter().enumerate())
            .map(|(i, v)| BatchPoint {
                fields: Fields::from_pairs([("value", v)]),
                tags: Tags::new(),
                time: Time::from_nanos(i as i64),
            })
            .collect();
        let mut out = Vec::new();
        udf.batch(batch, &mut out).expect("batch");
        let scored = scores(&out);
        assert_eq!(scored.len(), 80);
        assert!(scored[70] > 0.9);
        assert!(scored.iter().all(|s| (0.0..=1.0).contains(s)));
    }

    #[test]
    fn options_are_checked_together() {
        let err = init::<KnnCad>(&[
            option("as", OptionValue::String("value".into())),
            option("k", OptionValue::Int(0)),
        ])
        .err()
        .expect("refused");
        assert_eq!(err.to_string(), "k must be >= 1");
        let err = init::<KnnCad>(&[option("as", OptionValue::String("value".into()))])
            .err()
            .expect("refused");
        assert_eq!(err.to_string(), "as must differ from field");
        let err = init::<KnnCad>(&[option("size", OptionValue::Int(3))])
            .err()
            .expect("refused");
        assert_eq!(err.to_string(), r#"unexpected option "size""#);
    }
}
