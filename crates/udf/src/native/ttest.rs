//! `tTest`: the anomaly detector of the Kapacitor guide, native.
//!
//! Keeps a rolling history of the last `size` values of `field`. For each window (batch),
//! runs Welch's t-test of the window against the history and emits one point at the
//! window's time with fields `t` and `pvalue` (two-sided), once there is history. The
//! window's values join the history only when `pvalue > alpha`: an anomalous window does
//! not become the new normal. Options, edges and results are exactly those of the guide's
//! `ttest.py`, so a script runs the same with this built-in or with the Python agent.

use std::collections::BTreeMap;

use statrs::distribution::{ContinuousCDF, StudentsT};
use tickflow_model::{Batch, FieldValue, Fields, Message, Point};
use tickflow_pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow_pipeline::EdgeType;

use super::moving_stats::MovingStats;
use super::{InitError, NativeUdf, UdfError};

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
        variadic: Default::default(),
    }
}

/// A running `tTest`.
#[derive(Debug)]
pub struct TTest {
    field: String,
    alpha: f64,
    history: MovingStats,
}

/// Makes a `tTest` from its options, refusing them as the guide's agent does.
pub fn init(options: &[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError> {
    let mut field = String::new();
    let mut size = 0;
    let mut alpha = 0.0;
    for option in options {
        match (option.name.as_str(), option.values.as_slice()) {
            ("field", [OptionValue::String(v)]) => field = v.clone(),
            ("size", [OptionValue::Int(v)]) => size = *v,
            ("alpha", [OptionValue::Double(v)]) => alpha = *v,
            (name, _) => return Err(InitError::new(format!("unexpected option {name:?}"))),
        }
    }
    let mut problems = Vec::new();
    if size <= 1 {
        problems.push("must supply window size > 1");
    }
    if field.is_empty() {
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
        field,
        alpha,
        history: MovingStats::with_size(size),
    }))
}

/// Welch's two-sided t-test from summary statistics, as scipy's
/// `ttest_ind_from_stats(..., equal_var=False)` computes it: `(t, pvalue)`.
pub fn welch(a: &MovingStats, b: &MovingStats) -> (f64, f64) {
    let (n1, n2) = (a.n() as f64, b.n() as f64);
    let vn1 = a.variance() / n1;
    let vn2 = b.variance() / n2;
    let df = (vn1 + vn2).powi(2) / (vn1.powi(2) / (n1 - 1.0) + vn2.powi(2) / (n2 - 1.0));
    // With both variances zero df is undefined; scipy then uses 1 (any value gives the
    // same p-value for an infinite or undefined t).
    let df = if df.is_nan() { 1.0 } else { df };
    let t = (a.mean() - b.mean()) / (vn1 + vn2).sqrt();
    let pvalue = match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) if t.is_finite() => 2.0 * dist.sf(t.abs()),
        _ if t.is_infinite() => 0.0,
        _ => f64::NAN,
    };
    (t, pvalue)
}

impl NativeUdf for TTest {
    fn batch(&mut self, batch: Batch, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let mut window = MovingStats::unbounded();
        for point in &batch.points {
            match point.fields.get(&self.field) {
                Some(FieldValue::Float(v)) => window.update(*v),
                Some(other) => {
                    return Err(UdfError::new(format!(
                        "field {:?} is a {}, tTest needs a float",
                        self.field,
                        other.type_name()
                    )))
                }
                None => {}
            }
        }
        if window.n() == 0 {
            return Ok(());
        }
        let mut pvalue = 1.0;
        if self.history.n() != 0 {
            let (t, p) = welch(&self.history, &window);
            pvalue = p;
            out.push(Message::Point(result_point(&batch, t, p)));
        }
        if pvalue > self.alpha {
            for value in window.values() {
                self.history.update(value);
            }
        }
        Ok(())
    }

    fn snapshot(&self) -> Result<serde_json::Value, UdfError> {
        Ok(serde_json::json!({ "history": self.history.values().collect::<Vec<f64>>() }))
    }

    fn restore(&mut self, state: &serde_json::Value) -> Result<(), UdfError> {
        let values = state
            .get("history")
            .and_then(|h| h.as_array())
            .ok_or_else(|| UdfError::new("tTest snapshot has no history"))?;
        let mut history = self.history.emptied();
        for value in values {
            history.update(
                value
                    .as_f64()
                    .ok_or_else(|| UdfError::new("tTest snapshot holds a non-number"))?,
            );
        }
        self.history = history;
        Ok(())
    }
}

/// The point `tTest` emits for a window: the window's name, group and time.
fn result_point(batch: &Batch, t: f64, pvalue: f64) -> Point {
    let mut point = Point::new(batch.name.clone(), batch.tmax);
    point.tags = batch.tags.clone();
    point.dimensions = batch.dimensions.clone();
    point.group = batch.group.clone();
    point.fields = Fields::from_pairs([("pvalue", pvalue), ("t", t)]);
    point
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{BatchPoint, GroupInfo, Tags, Time};

    fn stats(values: &[f64]) -> MovingStats {
        let mut s = MovingStats::unbounded();
        values.iter().for_each(|v| s.update(*v));
        s
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
        assert_eq!(snapshot["history"].as_array().map(Vec::len), Some(16));
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
