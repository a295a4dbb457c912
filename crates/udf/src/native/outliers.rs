//! `outliers`: the Tukey-fence filter of Kapacitor's example agent (`outliers.py`),
//! native. Batch in, batch out: each batch comes back with only the points whose `field`
//! lies outside `[Q1 - scale × IQR, Q3 + scale × IQR]`, quartiles taken as the medians
//! of the lower and upper halves of the sorted values, as the example computes them.
//!
//! tickflow's addition: `.field('hotend', 'bed', 'air')` keeps a point that is outside
//! the fences of any of the fields, each field with its own fences.

use std::collections::{BTreeMap, BTreeSet};

use tickflow_model::{Batch, FieldValue, GroupId, Message};
use tickflow_pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow_pipeline::EdgeType;

use super::{strings, InitError, NativeUdf, UdfError};

/// The options and edges `outliers` declares.
pub fn info() -> UdfInfo {
    UdfInfo {
        wants: EdgeType::Batch,
        provides: EdgeType::Batch,
        options: BTreeMap::from([
            ("field".to_string(), vec![OptionType::String]),
            ("scale".to_string(), vec![OptionType::Double]),
        ]),
        variadic: BTreeSet::from(["field".to_string()]),
    }
}

/// A running `outliers`.
#[derive(Debug)]
pub struct Outliers {
    fields: Vec<String>,
    scale: f64,
}

/// Makes an `outliers` from its options, refusing them as the example agent does.
pub fn init(options: &[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError> {
    let mut fields = Vec::new();
    let mut scale = 0.0;
    for option in options {
        match (option.name.as_str(), option.values.as_slice()) {
            ("field", values) if !values.is_empty() => fields = strings(values)?,
            ("scale", [OptionValue::Double(v)]) => scale = *v,
            (name, _) => return Err(InitError::new(format!("unexpected option {name:?}"))),
        }
    }
    let mut problems = Vec::new();
    if fields.iter().all(String::is_empty) {
        problems.push("must supply field");
    }
    if scale < 1.0 {
        problems.push("invalid scale must be >= 1.0");
    }
    if !problems.is_empty() {
        return Err(InitError::new(problems.join(" ")));
    }
    Ok(Box::new(Outliers { fields, scale }))
}

/// The median of sorted values (the mean of the middle two for an even count).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The Tukey fences of `values` at `scale`: `(lower, upper)`.
pub fn fences(values: &mut [f64], scale: f64) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let first = median(&values[..n / 2]);
    let third = median(&values[n / 2 + n % 2..]);
    let iqr = third - first;
    (first - scale * iqr, third + scale * iqr)
}

impl NativeUdf for Outliers {
    fn batch(&mut self, mut batch: Batch, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let mut limits = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let mut values = Vec::with_capacity(batch.points.len());
            for point in &batch.points {
                match point.fields.get(field).map(FieldValue::as_f64) {
                    Some(Some(v)) => values.push(v),
                    Some(None) => {
                        return Err(UdfError::new(format!(
                            "field {field:?} is not a number, outliers needs numbers"
                        )))
                    }
                    None => {}
                }
            }
            limits.push((field, fences(&mut values, self.scale)));
        }
        batch.points.retain(|point| {
            limits.iter().any(|(field, (lower, upper))| {
                point
                    .fields
                    .get(field)
                    .and_then(FieldValue::as_f64)
                    .is_some_and(|v| v < *lower || v > *upper)
            })
        });
        out.push(Message::Batch(batch));
        Ok(())
    }

    /// Nothing to forget: each batch is judged alone.
    fn delete_group(&mut self, _group: &GroupId) {}

    fn snapshot(&self) -> Result<serde_json::Value, UdfError> {
        Ok(serde_json::Value::Null)
    }

    fn restore(&mut self, _state: &serde_json::Value) -> Result<(), UdfError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{BatchPoint, Fields, GroupInfo, Tags, Time};

    #[test]
    fn fences_use_the_medians_of_the_halves() {
        // Lower half [1, 2, 3] → Q1 = 2; upper half [5, 6, 100] → Q3 = 6; IQR = 4.
        let (lower, upper) = fences(&mut [6.0, 1.0, 100.0, 2.0, 4.0, 3.0, 5.0], 1.5);
        assert_eq!((lower, upper), (-4.0, 12.0));
        // Even count: [1, 2] and [3, 4] → Q1 = 1.5, Q3 = 3.5.
        assert_eq!(fences(&mut [4.0, 3.0, 2.0, 1.0], 1.0), (-0.5, 5.5));
    }

    fn batch(rows: &[(f64, f64)]) -> Batch {
        let mut batch = Batch::new("t".into(), GroupInfo::default(), Time::from_nanos(9));
        batch.points = rows
            .iter()
            .enumerate()
            .map(|(i, (hotend, bed))| BatchPoint {
                fields: Fields::from_pairs([("hotend", *hotend), ("bed", *bed)]),
                tags: Tags::new(),
                time: Time::from_nanos(i as i64),
            })
            .collect();
        batch
    }

    #[test]
    fn keeps_points_outside_the_fences_of_any_field() {
        let options = vec![
            UdfOption {
                name: "field".into(),
                values: vec![
                    OptionValue::String("hotend".into()),
                    OptionValue::String("bed".into()),
                ],
            },
            UdfOption {
                name: "scale".into(),
                values: vec![OptionValue::Double(1.5)],
            },
        ];
        let mut udf = init(&options).expect("valid");
        let hotend = [
            200.0, 201.0, 199.0, 200.5, 150.0, 200.2, 199.8, 200.1, 202.0,
        ];
        let bed = [60.0, 61.0, 60.5, 90.0, 60.2, 60.1, 60.3, 60.4, 60.6];
        let rows: Vec<(f64, f64)> = hotend.into_iter().zip(bed).collect();
        let mut out = Vec::new();
        udf.batch(batch(&rows), &mut out).expect("batch");
        let [Message::Batch(b)] = &out[..] else {
            panic!("expected one batch")
        };
        let times: Vec<i64> = b.points.iter().map(|p| p.time.nanos()).collect();
        assert_eq!(times, [3, 4], "the hot bed and the cold hotend");
        assert_eq!(b.tmax, Time::from_nanos(9));
    }

    #[test]
    fn bad_options_are_refused_with_the_agents_message() {
        let err = init(&[]).err().expect("refused");
        assert_eq!(
            err.to_string(),
            "must supply field invalid scale must be >= 1.0"
        );
    }
}
