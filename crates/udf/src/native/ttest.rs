//! `tTest`: the anomaly detector of the Kapacitor guide, native.
//!
//! Keeps a rolling history of the last `size` values of `field`. For each window (batch),
//! runs Welch's t-test of the window against the history and emits one point at the
//! window's time with fields `t` and `pvalue` (two-sided), once there is history. The
//! window's values join the history only when `pvalue > alpha`: an anomalous window does
//! not become the new normal. Options, edges and results are exactly those of the guide's
//! `ttest.py`, so a script runs the same with this built-in or with the Python agent.
//!
//! tickflow's additions:
//! - `.field('hotend', 'bed', 'air')` tests several fields with one history each, and
//!   names the results `hotend_t`, `hotend_pvalue`, ... (one field keeps the guide's `t`
//!   and `pvalue`);
//! - the histories are kept per group (the guide's agent keeps one for all groups, so one
//!   group's anomaly became every group's normal) and a deleted group's are dropped;
//! - `.joinAfter(n)`: once `n` windows in a row were anomalous, they join the history,
//!   so a level shift becomes the new normal instead of alerting forever (default 0:
//!   never, the guide's behaviour);
//! - two constant samples with the same value give `pvalue` 1 and `t` 0 (the guide's
//!   agent gives NaN); different constants still give an infinite `t` and `pvalue` 0.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use statrs::distribution::{ContinuousCDF, StudentsT};
use tickflow_model::{Batch, FieldValue, Fields, GroupId, Message, Point};
use tickflow_pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow_pipeline::EdgeType;

use super::summary::Summary;
use super::{strings, Groups, InitError, NativeUdf, UdfError};

/// The options and edges `tTest` declares.
pub fn info() -> UdfInfo {
    UdfInfo {
        wants: EdgeType::Batch,
        provides: EdgeType::Stream,
        options: BTreeMap::from([
            ("field".to_string(), vec![OptionType::String]),
            ("size".to_string(), vec![OptionType::Int]),
            ("alpha".to_string(), vec![OptionType::Double]),
            ("joinAfter".to_string(), vec![OptionType::Int]),
        ]),
        variadic: BTreeSet::from(["field".to_string()]),
    }
}

/// A running `tTest`.
#[derive(Debug)]
pub struct TTest {
    /// The tested fields, in option order.
    fields: Vec<String>,
    size: usize,
    alpha: f64,
    /// After how many anomalous windows in a row they join the history; 0 never.
    join_after: usize,
    /// Per group, one state per field in `fields` order.
    groups: Groups<Vec<FieldState>>,
    /// The current window's values of one field, reused from window to window.
    window: Vec<f64>,
}

/// One field's state in one group.
#[derive(Debug, Clone)]
struct FieldState {
    history: History,
    /// The values of the anomalous windows in a row so far (only with `joinAfter`).
    pending: Vec<f64>,
    /// How many windows `pending` holds.
    anomalous: usize,
}

impl FieldState {
    fn new(size: usize) -> Self {
        FieldState {
            history: History::new(size),
            pending: Vec::new(),
            anomalous: 0,
        }
    }

    /// Adds a judged window: a normal one joins the history and ends a run of
    /// anomalous ones; the `join_after`-th anomalous one in a row joins with its run.
    fn judge(&mut self, window: &[f64], normal: bool, join_after: usize) {
        if normal {
            self.history.extend(window);
            self.pending.clear();
            self.anomalous = 0;
            return;
        }
        if join_after == 0 {
            return;
        }
        self.pending.extend_from_slice(window);
        self.anomalous += 1;
        if self.anomalous >= join_after {
            self.history.extend(&self.pending);
            self.pending.clear();
            self.anomalous = 0;
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "history": Vec::from(self.history.values.clone()),
            "pending": self.pending,
            "anomalous": self.anomalous,
        })
    }

    fn from_json(size: usize, value: &serde_json::Value) -> Result<Self, UdfError> {
        let bad = || UdfError::new(format!("tTest snapshot has a bad field state: {value}"));
        let numbers = |key: &str| -> Result<Vec<f64>, UdfError> {
            let values = value.get(key).and_then(|v| v.as_array()).ok_or_else(bad)?;
            values.iter().map(|v| v.as_f64().ok_or_else(bad)).collect()
        };
        let mut state = FieldState::new(size);
        state.history.extend(&numbers("history")?);
        state.pending = numbers("pending")?;
        let anomalous = value.get("anomalous").and_then(|v| v.as_u64());
        state.anomalous = anomalous
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(bad)?;
        Ok(state)
    }
}

/// The last `size` values that joined the history.
#[derive(Debug, Clone)]
struct History {
    size: usize,
    values: VecDeque<f64>,
}

impl History {
    fn new(size: usize) -> Self {
        History {
            size,
            values: VecDeque::new(),
        }
    }

    /// Appends `values`, dropping the oldest beyond `size`.
    fn extend(&mut self, values: &[f64]) {
        self.values.extend(values);
        let excess = self.values.len().saturating_sub(self.size);
        self.values.drain(..excess);
    }

    /// The history's summary. The values are first laid out in one run, so the sums
    /// do not depend on where the ring buffer wraps: a history restored from a snapshot
    /// (laid out afresh) gives the same bits as the one that was saved.
    fn summary(&mut self) -> Summary {
        Summary::of(&[self.values.make_contiguous()])
    }
}

/// Makes a `tTest` from its options, refusing them as the guide's agent does.
pub fn init(options: &[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError> {
    let mut fields = Vec::new();
    let mut size = 0;
    let mut alpha = 0.0;
    let mut join_after = 0;
    for option in options {
        match (option.name.as_str(), option.values.as_slice()) {
            ("field", values) if !values.is_empty() => fields = strings(values)?,
            ("size", [OptionValue::Int(v)]) => size = *v,
            ("alpha", [OptionValue::Double(v)]) => alpha = *v,
            ("joinAfter", [OptionValue::Int(v)]) => join_after = *v,
            (name, _) => return Err(InitError::new(format!("unexpected option {name:?}"))),
        }
    }
    let mut problems = Vec::new();
    if size <= 1 {
        problems.push("must supply window size > 1");
    }
    if fields.iter().all(String::is_empty) {
        problems.push("must supply a field name");
    }
    if alpha == 0.0 {
        problems.push("must supply an alpha value");
    }
    if join_after < 0 {
        problems.push("joinAfter must be >= 0");
    }
    if !problems.is_empty() {
        return Err(InitError::new(problems.join(" ")));
    }
    let size = usize::try_from(size)
        .map_err(|_| InitError::new(format!("window size {size} is too large")))?;
    let join_after = usize::try_from(join_after)
        .map_err(|_| InitError::new(format!("joinAfter {join_after} is too large")))?;
    Ok(Box::new(TTest {
        fields,
        size,
        alpha,
        join_after,
        groups: Groups::default(),
        window: Vec::new(),
    }))
}

/// Welch's two-sided t-test from summary statistics, as scipy's
/// `ttest_ind_from_stats(..., equal_var=False)` computes it: `(t, pvalue)`.
pub fn welch(a: &Summary, b: &Summary) -> (f64, f64) {
    let (n1, n2) = (a.n, b.n);
    let vn1 = a.variance / n1;
    let vn2 = b.variance / n2;
    let df = (vn1 + vn2).powi(2) / (vn1.powi(2) / (n1 - 1.0) + vn2.powi(2) / (n2 - 1.0));
    // With both variances zero df is undefined; scipy then uses 1 (any value gives the
    // same p-value for an infinite t).
    let df = if df.is_nan() { 1.0 } else { df };
    if vn1 + vn2 == 0.0 && a.mean == b.mean {
        // Two constant samples of one value: no evidence of a difference (scipy: NaN).
        return (0.0, 1.0);
    }
    let t = (a.mean - b.mean) / (vn1 + vn2).sqrt();
    let pvalue = match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) if t.is_finite() => 2.0 * dist.sf(t.abs()),
        _ if t.is_infinite() => 0.0,
        _ => f64::NAN,
    };
    (t, pvalue)
}

impl NativeUdf for TTest {
    /// Each group's fields with their histories and pending values.
    fn memory(&self) -> usize {
        self.groups.memory(|fields| {
            let values: usize = fields
                .iter()
                .map(|f| f.history.values.capacity() + f.pending.capacity())
                .sum();
            fields.capacity() * std::mem::size_of::<FieldState>() + values * 8
        })
    }

    fn batch(&mut self, batch: Batch, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let single = self.fields.len() == 1;
        let (size, count) = (self.size, self.fields.len());
        let states = (self.groups).of(&batch.group, || vec![FieldState::new(size); count]);
        let mut results = Vec::new();
        for (field, state) in self.fields.iter().zip(states) {
            values_of(&batch, field, &mut self.window)?;
            if self.window.is_empty() {
                continue;
            }
            let mut pvalue = 1.0;
            if !state.history.values.is_empty() {
                let (t, p) = welch(&state.history.summary(), &Summary::of(&[&self.window]));
                pvalue = p;
                let name = |result: &str| match single {
                    true => result.to_string(),
                    false => format!("{field}_{result}"),
                };
                results.push((name("pvalue"), FieldValue::Float(p)));
                results.push((name("t"), FieldValue::Float(t)));
            }
            state.judge(&self.window, pvalue > self.alpha, self.join_after);
        }
        if !results.is_empty() {
            out.push(Message::Point(result_point(&batch, results)));
        }
        Ok(())
    }

    fn delete_group(&mut self, group: &GroupId) {
        self.groups.delete(group);
    }

    fn snapshot(&self) -> Result<serde_json::Value, UdfError> {
        self.groups.snapshot(|states| {
            let fields: serde_json::Map<String, serde_json::Value> = (self.fields.iter())
                .zip(states)
                .map(|(field, state)| (field.clone(), state.to_json()))
                .collect();
            Ok(fields.into())
        })
    }

    fn restore(&mut self, state: &serde_json::Value) -> Result<(), UdfError> {
        let size = self.size;
        self.groups = Groups::restore("tTest", state, |fields| {
            (self.fields.iter())
                .map(|field| match fields.get(field.as_str()) {
                    Some(saved) => FieldState::from_json(size, saved),
                    None => Ok(FieldState::new(size)),
                })
                .collect()
        })?;
        Ok(())
    }
}

/// The values of `field` over a window, into `values`; the field must be a float where
/// present.
fn values_of(batch: &Batch, field: &str, values: &mut Vec<f64>) -> Result<(), UdfError> {
    values.clear();
    // The points of a window nearly always share one key list: the field's place in it
    // is looked up once, not compared for every point.
    let mut known: Option<(&Fields, Option<usize>)> = None;
    for point in &batch.points {
        let index = match known {
            Some((fields, index)) if point.fields.shares_keys_with(fields) => index,
            _ => point.fields.keys().position(|key| key == field),
        };
        known = Some((&point.fields, index));
        match index.and_then(|i| point.fields.values().nth(i)) {
            Some(FieldValue::Float(v)) => values.push(*v),
            Some(other) => {
                return Err(UdfError::new(format!(
                    "field {field:?} is a {}, tTest needs a float",
                    other.type_name()
                )))
            }
            None => {}
        }
    }
    Ok(())
}

/// The point `tTest` emits for a window: the window's name, group and time.
fn result_point(batch: &Batch, results: Vec<(String, FieldValue)>) -> Point {
    let mut point = Point::new(batch.name.clone(), batch.tmax);
    point.tags = batch.tags.clone();
    point.dimensions = batch.dimensions.clone();
    point.group = batch.group.clone();
    point.fields = Fields::from_pairs(results);
    point
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{BatchPoint, Dimensions, GroupInfo, Tags, Time};

    fn stats(values: &[f64]) -> Summary {
        Summary::of(&[values])
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind([1,2,3,4,5], [2,4,6,8,10], equal_var=False)
        // -> statistic=-1.8973665961010275, pvalue=0.10753119493062728 (scipy 1.x)
        let (t, p) = welch(
            &stats(&[1.0, 2.0, 3.0, 4.0, 5.0]),
            &stats(&[2.0, 4.0, 6.0, 8.0, 10.0]),
        );
        assert!((t - -1.8973665961010275).abs() < 1e-12, "t = {t}");
        assert!((p - 0.10753119493062728).abs() < 1e-12, "p = {p}");
    }

    #[test]
    fn identical_constant_samples_give_one_and_different_ones_zero() {
        let (t, p) = welch(&stats(&[1.0, 1.0]), &stats(&[1.0, 1.0]));
        assert_eq!((t, p), (0.0, 1.0));
        let (t, p) = welch(&stats(&[1.0, 1.0]), &stats(&[2.0, 2.0]));
        assert!(t.is_infinite());
        assert_eq!(p, 0.0);
    }

    fn window(values: &[f64], tmax: i64) -> Batch {
        window_of(GroupInfo::default(), values, tmax)
    }

    fn window_of(group: GroupInfo, values: &[f64], tmax: i64) -> Batch {
        let mut batch = Batch::new("temperatures".into(), group, Time::from_nanos(tmax));
        batch.points = values
            .iter()
            .enumerate()
            .map(|(i, v)| BatchPoint {
                fields: Fields::from_pairs([("hotend", *v)]),
                tags: Tags::new(),
                time: Time::from_nanos(i as i64),
            })
            .collect();
        batch
    }

    fn options(field: &str, size: i64, alpha: f64) -> Vec<UdfOption> {
        vec![
            UdfOption {
                name: "field".into(),
                values: vec![OptionValue::String(field.into())],
            },
            UdfOption {
                name: "size".into(),
                values: vec![OptionValue::Int(size)],
            },
            UdfOption {
                name: "alpha".into(),
                values: vec![OptionValue::Double(alpha)],
            },
        ]
    }

    #[test]
    fn first_window_only_fills_history_and_anomalies_stay_out_of_it() {
        let mut udf = init(&options("hotend", 100, 0.001)).expect("valid options");
        let mut out = Vec::new();
        let normal = [220.1, 219.9, 220.2, 219.8, 220.0, 220.1, 219.9, 220.0];
        udf.batch(window(&normal, 10), &mut out).expect("batch");
        assert!(out.is_empty());
        udf.batch(window(&normal, 20), &mut out).expect("batch");
        let anomaly = [204.0, 206.0, 205.0, 203.0, 207.0, 205.0, 204.0, 206.0];
        udf.batch(window(&anomaly, 30), &mut out).expect("batch");
        assert_eq!(out.len(), 2);
        let Message::Point(last) = &out[1] else {
            panic!("expected a point")
        };
        assert_eq!(last.time, Time::from_nanos(30));
        let p = last
            .fields
            .get("pvalue")
            .and_then(FieldValue::as_f64)
            .expect("pvalue");
        assert!(p < 0.001, "p = {p}");
        let snapshot = udf.snapshot().expect("snapshot");
        assert_eq!(
            snapshot["groups"][""]["hotend"]["history"]
                .as_array()
                .map(Vec::len),
            Some(16)
        );
    }

    #[test]
    fn several_fields_keep_separate_histories_and_name_their_results() {
        let mut options = options("hotend", 100, 0.001);
        options[0].values = ["hotend", "bed"]
            .map(|f| OptionValue::String(f.into()))
            .to_vec();
        let mut udf = init(&options).expect("valid options");
        let mut out = Vec::new();
        let two = |hotend: f64, tmax| {
            let mut batch = window(&[hotend, hotend + 0.2, hotend - 0.1, hotend + 0.1], tmax);
            for (i, p) in batch.points.make_mut().iter_mut().enumerate() {
                p.fields
                    .insert("bed".into(), FieldValue::Float(60.0 + i as f64 * 0.1));
            }
            batch
        };
        udf.batch(two(220.0, 10), &mut out).expect("batch");
        udf.batch(two(205.0, 20), &mut out).expect("batch");
        let [Message::Point(point)] = &out[..] else {
            panic!("expected one point, got {out:?}")
        };
        let p = |name: &str| {
            point
                .fields
                .get(name)
                .and_then(FieldValue::as_f64)
                .expect(name)
        };
        assert!(p("hotend_pvalue") < 0.001, "the hotend moved");
        assert!(p("bed_pvalue") > 0.5, "the bed did not");
        let snapshot = udf.snapshot().expect("snapshot");
        assert_eq!(
            snapshot["groups"][""]["hotend"]["history"]
                .as_array()
                .map(Vec::len),
            Some(4)
        );
        assert_eq!(
            snapshot["groups"][""]["bed"]["history"]
                .as_array()
                .map(Vec::len),
            Some(8)
        );
        let mut restored = init(&options).expect("valid options");
        restored.restore(&snapshot).expect("restores");
        assert_eq!(restored.snapshot().expect("snapshot"), snapshot);
    }

    fn printer(name: &str) -> GroupInfo {
        let tags = Tags::from_pairs([("printer", name)]);
        let dimensions = Dimensions::by_tags(["printer"]);
        GroupInfo {
            id: GroupId::new("temperatures", &tags, &dimensions),
            tags,
            dimensions,
        }
    }

    fn pvalues(out: &[Message]) -> Vec<f64> {
        out.iter()
            .filter_map(|m| match m {
                Message::Point(p) => p.fields.get("pvalue").and_then(FieldValue::as_f64),
                _ => None,
            })
            .collect()
    }

    const NORMAL: [f64; 8] = [220.1, 219.9, 220.2, 219.8, 220.0, 220.1, 219.9, 220.0];
    const SHIFTED: [f64; 8] = [204.0, 206.0, 205.0, 203.0, 207.0, 205.0, 204.0, 206.0];

    #[test]
    fn each_group_has_its_own_history_and_a_deleted_group_starts_again() {
        let mut udf = init(&options("hotend", 100, 0.001)).expect("valid options");
        let mut out = Vec::new();
        udf.batch(window_of(printer("p1"), &NORMAL, 10), &mut out)
            .expect("batch");
        // p2 runs hotter: against p1's history it would be anomalous, against its own
        // it only fills its history.
        udf.batch(window_of(printer("p2"), &SHIFTED, 10), &mut out)
            .expect("batch");
        assert!(
            out.is_empty(),
            "first windows of each group only fill history"
        );
        udf.batch(window_of(printer("p2"), &SHIFTED, 20), &mut out)
            .expect("batch");
        assert!(pvalues(&out)[0] > 0.5);
        udf.delete_group(&printer("p2").id);
        let snapshot = udf.snapshot().expect("snapshot");
        let groups = snapshot["groups"].as_object().expect("groups");
        assert_eq!(groups.keys().collect::<Vec<_>>(), ["printer=p1"]);
        udf.batch(window_of(printer("p2"), &NORMAL, 30), &mut out)
            .expect("batch");
        assert_eq!(out.len(), 1, "p2 starts again with an empty history");
    }

    #[test]
    fn a_level_shift_joins_the_history_after_join_after_windows() {
        let mut with = options("hotend", 100, 0.001);
        with.push(UdfOption {
            name: "joinAfter".into(),
            values: vec![OptionValue::Int(2)],
        });
        let mut adapting = init(&with).expect("valid options");
        let mut guide = init(&options("hotend", 100, 0.001)).expect("valid options");
        let (mut adapted, mut frozen) = (Vec::new(), Vec::new());
        for (udf, out) in [(&mut adapting, &mut adapted), (&mut guide, &mut frozen)] {
            udf.batch(window(&NORMAL, 0), out).expect("batch");
            for i in 1..=4 {
                udf.batch(window(&SHIFTED, i), out).expect("batch");
            }
        }
        let anomalous = |p: &Vec<f64>| p.iter().map(|p| *p < 0.001).collect::<Vec<_>>();
        assert_eq!(anomalous(&pvalues(&frozen)), [true; 4]);
        assert_eq!(anomalous(&pvalues(&adapted)), [true, true, false, false]);
        let snapshot = adapting.snapshot().expect("snapshot");
        let mut restored = init(&with).expect("valid options");
        restored.restore(&snapshot).expect("restores");
        assert_eq!(restored.snapshot().expect("snapshot"), snapshot);
    }

    #[test]
    fn a_constant_window_like_its_history_is_not_anomalous() {
        let mut udf = init(&options("hotend", 100, 0.001)).expect("valid options");
        let mut out = Vec::new();
        udf.batch(window(&[5.0; 4], 1), &mut out).expect("batch");
        udf.batch(window(&[5.0; 4], 2), &mut out).expect("batch");
        assert_eq!(pvalues(&out), [1.0]);
    }

    #[test]
    fn bad_options_are_refused_with_the_agents_message() {
        let err = init(&options("", 1, 0.0)).err().expect("refused");
        assert_eq!(
            err.to_string(),
            "must supply window size > 1 must supply a field name must supply an alpha value"
        );
    }
}
