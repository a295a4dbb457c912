//! `tTest`: the anomaly detector of the Kapacitor guide, native.
//!
//! Keeps a rolling history of the last `size` values of `field`. For each window (batch),
//! runs Welch's t-test of the window against the history and emits one point at the
//! window's time with fields `t` and `pvalue` (two-sided), once there is history. The
//! window's values join the history only when `pvalue > alpha`: an anomalous window does
//! not become the new normal. Options, edges and results are exactly those of the guide's
//! `ttest.py`, so a script runs the same with this built-in or with the Python agent.
//!
//! tickflow's addition: `.field('hotend', 'bed', 'air')` tests several fields with one
//! history each, and names the results `hotend_t`, `hotend_pvalue`, ... (one field keeps
//! the guide's `t` and `pvalue`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use statrs::distribution::{ContinuousCDF, StudentsT};
use tickflow_model::{Batch, FieldValue, Fields, Message, Point};
use tickflow_pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow_pipeline::EdgeType;

use super::summary::Summary;
use super::{strings, InitError, NativeUdf, UdfError};

/// The options and edges `tTest` declares.
pub fn info() -> UdfInfo {
    UdfInfo {
        wants: EdgeType::Batch,
        provides: EdgeType::Stream,
        options: BTreeMap::from([
            ("field".to_string(), vec![OptionType::String]),
            ("size".to_string(), vec![OptionType::Int]),
            ("alpha".to_string(), vec![OptionType::Double]),
        ]),
        variadic: BTreeSet::from(["field".to_string()]),
    }
}

/// A running `tTest`.
#[derive(Debug)]
pub struct TTest {
    /// Each tested field with its history, in option order.
    fields: Vec<(String, History)>,
    alpha: f64,
    /// The current window's values of one field, reused from window to window.
    window: Vec<f64>,
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

    fn summary(&self) -> Summary {
        let (head, tail) = self.values.as_slices();
        Summary::of(&[head, tail])
    }
}

/// Makes a `tTest` from its options, refusing them as the guide's agent does.
pub fn init(options: &[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError> {
    let mut fields = Vec::new();
    let mut size = 0;
    let mut alpha = 0.0;
    for option in options {
        match (option.name.as_str(), option.values.as_slice()) {
            ("field", values) if !values.is_empty() => fields = strings(values)?,
            ("size", [OptionValue::Int(v)]) => size = *v,
            ("alpha", [OptionValue::Double(v)]) => alpha = *v,
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
    if !problems.is_empty() {
        return Err(InitError::new(problems.join(" ")));
    }
    let size = usize::try_from(size)
        .map_err(|_| InitError::new(format!("window size {size} is too large")))?;
    Ok(Box::new(TTest {
        fields: fields
            .into_iter()
            .map(|f| (f, History::new(size)))
            .collect(),
        alpha,
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
    // same p-value for an infinite or undefined t).
    let df = if df.is_nan() { 1.0 } else { df };
    let t = (a.mean - b.mean) / (vn1 + vn2).sqrt();
    let pvalue = match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) if t.is_finite() => 2.0 * dist.sf(t.abs()),
        _ if t.is_infinite() => 0.0,
        _ => f64::NAN,
    };
    (t, pvalue)
}

impl NativeUdf for TTest {
    fn batch(&mut self, batch: Batch, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let single = self.fields.len() == 1;
        let mut results = Vec::new();
        for (field, history) in &mut self.fields {
            values_of(&batch, field, &mut self.window)?;
            if self.window.is_empty() {
                continue;
            }
            let mut pvalue = 1.0;
            if !history.values.is_empty() {
                let (t, p) = welch(&history.summary(), &Summary::of(&[&self.window]));
                pvalue = p;
                let name = |result: &str| match single {
                    true => result.to_string(),
                    false => format!("{field}_{result}"),
                };
                results.push((name("pvalue"), FieldValue::Float(p)));
                results.push((name("t"), FieldValue::Float(t)));
            }
            if pvalue > self.alpha {
                history.extend(&self.window);
            }
        }
        if !results.is_empty() {
            out.push(Message::Point(result_point(&batch, results)));
        }
        Ok(())
    }

    fn snapshot(&self) -> Result<serde_json::Value, UdfError> {
        let histories: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .map(|(field, history)| (field.clone(), Vec::from(history.values.clone()).into()))
            .collect();
        Ok(serde_json::json!({ "history": histories }))
    }

    fn restore(&mut self, state: &serde_json::Value) -> Result<(), UdfError> {
        let histories = state
            .get("history")
            .and_then(|h| h.as_object())
            .ok_or_else(|| UdfError::new("tTest snapshot has no history"))?;
        for (field, history) in &mut self.fields {
            let Some(values) = histories.get(field.as_str()).and_then(|v| v.as_array()) else {
                continue;
            };
            let mut restored = History::new(history.size);
            let values = values
                .iter()
                .map(|value| {
                    value
                        .as_f64()
                        .ok_or_else(|| UdfError::new("tTest snapshot holds a non-number"))
                })
                .collect::<Result<Vec<f64>, UdfError>>()?;
            restored.extend(&values);
            *history = restored;
        }
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
    use tickflow_model::{BatchPoint, GroupInfo, Tags, Time};

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
    fn identical_constant_samples_give_nan_and_different_ones_zero() {
        let (_, p) = welch(&stats(&[1.0, 1.0]), &stats(&[1.0, 1.0]));
        assert!(p.is_nan());
        let (t, p) = welch(&stats(&[1.0, 1.0]), &stats(&[2.0, 2.0]));
        assert!(t.is_infinite());
        assert_eq!(p, 0.0);
    }

    fn window(values: &[f64], tmax: i64) -> Batch {
        let mut batch = Batch::new(
            "temperatures".into(),
            GroupInfo::default(),
            Time::from_nanos(tmax),
        );
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
            snapshot["history"]["hotend"].as_array().map(Vec::len),
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
            snapshot["history"]["hotend"].as_array().map(Vec::len),
            Some(4)
        );
        assert_eq!(snapshot["history"]["bed"].as_array().map(Vec::len), Some(8));
        let mut restored = init(&options).expect("valid options");
        restored.restore(&snapshot).expect("restores");
        assert_eq!(restored.snapshot().expect("snapshot"), snapshot);
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
