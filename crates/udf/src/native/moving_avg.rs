//! `movingAvg`: the moving average of Kapacitor's example agent (`moving_avg.py`),
//! native. Stream in, stream out: each point comes back with its fields replaced by the
//! average of the last `size` values of `field` in its group (fewer while the window
//! fills), named `as`.
//!
//! tickflow's addition: `.field('hotend', 'bed', 'air')` averages several fields, each
//! with its own window per group; the results are named `<field>_<as>`.

use std::collections::{BTreeMap, BTreeSet};

use tickflow_model::{FieldValue, Fields, GroupId, Message, Point};
use tickflow_pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow_pipeline::EdgeType;

use super::{strings, Groups, InitError, MovingStats, NativeUdf, UdfError};

/// The options and edges `movingAvg` declares.
pub fn info() -> UdfInfo {
    UdfInfo {
        wants: EdgeType::Stream,
        provides: EdgeType::Stream,
        options: BTreeMap::from([
            ("field".to_string(), vec![OptionType::String]),
            ("size".to_string(), vec![OptionType::Int]),
            ("as".to_string(), vec![OptionType::String]),
        ]),
        variadic: BTreeSet::from(["field".to_string()]),
    }
}

/// A running `movingAvg`.
#[derive(Debug)]
pub struct MovingAvg {
    /// Each averaged field and the name of its result.
    fields: Vec<(String, String)>,
    size: usize,
    /// Per group, one window per field in `fields` order.
    windows: Groups<Vec<MovingStats>>,
}

/// Makes a `movingAvg` from its options, refusing them as the example agent does.
pub fn init(options: &[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError> {
    let mut fields = Vec::new();
    let mut size = 0;
    let mut r#as = String::from("avg");
    for option in options {
        match (option.name.as_str(), option.values.as_slice()) {
            ("field", values) if !values.is_empty() => fields = strings(values)?,
            ("size", [OptionValue::Int(v)]) => size = *v,
            ("as", [OptionValue::String(v)]) => r#as = v.clone(),
            (name, _) => return Err(InitError::new(format!("unexpected option {name:?}"))),
        }
    }
    let mut problems = Vec::new();
    if fields.iter().all(String::is_empty) {
        problems.push("must supply field");
    }
    if size <= 1 {
        problems.push("must supply window size > 1");
    }
    if r#as.is_empty() {
        problems.push("invalid as name");
    }
    if !problems.is_empty() {
        return Err(InitError::new(problems.join(" ")));
    }
    let size = usize::try_from(size)
        .map_err(|_| InitError::new(format!("window size {size} is too large")))?;
    let single = fields.len() == 1;
    let fields = fields
        .into_iter()
        .map(|field| {
            let name = if single {
                r#as.clone()
            } else {
                format!("{field}_{as}")
            };
            (field, name)
        })
        .collect();
    Ok(Box::new(MovingAvg {
        fields,
        size,
        windows: Groups::default(),
    }))
}

impl NativeUdf for MovingAvg {
    /// Each group's moving windows.
    fn memory(&self) -> usize {
        self.windows.memory(|windows| {
            let values: usize = windows.iter().map(MovingStats::capacity).sum();
            windows.capacity() * std::mem::size_of::<MovingStats>() + values * 8
        })
    }

    fn point(&mut self, point: Point, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let mut results = Vec::with_capacity(self.fields.len());
        let (size, count) = (self.size, self.fields.len());
        let windows = (self.windows).of(&point.group, || vec![MovingStats::with_size(size); count]);
        for ((field, name), window) in self.fields.iter().zip(windows) {
            let value = match point.fields.get(field) {
                Some(value) => value.as_f64().ok_or_else(|| {
                    UdfError::new(format!(
                        "field {field:?} is a {}, movingAvg needs a number",
                        value.type_name()
                    ))
                })?,
                None => continue,
            };
            window.update(value);
            results.push((name.clone(), FieldValue::Float(window.mean())));
        }
        if results.is_empty() {
            return Ok(());
        }
        let mut point = point;
        point.fields = Fields::from_pairs(results);
        out.push(Message::Point(point));
        Ok(())
    }

    fn delete_group(&mut self, group: &GroupId) {
        self.windows.delete(group);
    }

    fn snapshot(&self) -> Result<serde_json::Value, UdfError> {
        self.windows.snapshot(|windows| {
            let fields: serde_json::Map<String, serde_json::Value> = (self.fields.iter())
                .zip(windows)
                .map(|((field, _), w)| (field.clone(), w.values().collect::<Vec<f64>>().into()))
                .collect();
            Ok(fields.into())
        })
    }

    fn restore(&mut self, state: &serde_json::Value) -> Result<(), UdfError> {
        let bad = || UdfError::new("movingAvg snapshot is not one of movingAvg's");
        self.windows = Groups::restore("movingAvg", state, |fields| {
            let mut windows = Vec::with_capacity(self.fields.len());
            for (field, _) in &self.fields {
                let mut stats = MovingStats::with_size(self.size);
                let values = fields.get(field.as_str()).and_then(|v| v.as_array());
                for value in values.into_iter().flatten() {
                    stats.update(value.as_f64().ok_or_else(bad)?);
                }
                windows.push(stats);
            }
            Ok(windows)
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{Dimensions, Tags, Time};

    fn options(fields: &[&str], size: i64) -> Vec<UdfOption> {
        vec![
            UdfOption {
                name: "field".into(),
                values: fields
                    .iter()
                    .map(|f| OptionValue::String((*f).into()))
                    .collect(),
            },
            UdfOption {
                name: "size".into(),
                values: vec![OptionValue::Int(size)],
            },
        ]
    }

    fn point(host: &str, fields: &[(&str, f64)]) -> Point {
        let mut p = Point::new("temperatures", Time::from_nanos(0));
        p.tags = Tags::from_pairs([("host", host)]);
        p.fields = Fields::from_pairs(fields.iter().copied());
        p.set_dimensions(Dimensions::by_tags(["host"]));
        p
    }

    fn run(udf: &mut dyn NativeUdf, points: Vec<Point>) -> Vec<Fields> {
        let mut out = Vec::new();
        for p in points {
            udf.point(p, &mut out).expect("point");
        }
        out.into_iter()
            .filter_map(|m| match m {
                Message::Point(p) => Some(p.fields),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn averages_the_last_values_per_group() {
        let mut udf = init(&options(&["v"], 2)).expect("valid");
        let out = run(
            udf.as_mut(),
            vec![
                point("a", &[("v", 1.0)]),
                point("b", &[("v", 10.0)]),
                point("a", &[("v", 3.0)]),
                point("a", &[("v", 5.0)]),
            ],
        );
        let avgs: Vec<Option<f64>> = out
            .iter()
            .map(|f| f.get("avg").and_then(FieldValue::as_f64))
            .collect();
        assert_eq!(avgs, [Some(1.0), Some(10.0), Some(2.0), Some(4.0)]);
    }

    #[test]
    fn several_fields_have_their_own_windows_and_names() {
        let mut udf = init(&options(&["hotend", "bed"], 3)).expect("valid");
        let out = run(
            udf.as_mut(),
            vec![
                point("a", &[("hotend", 200.0), ("bed", 60.0)]),
                point("a", &[("hotend", 210.0)]),
            ],
        );
        assert_eq!(
            out[1].get("hotend_avg").and_then(FieldValue::as_f64),
            Some(205.0)
        );
        assert_eq!(out[1].get("bed_avg"), None);
        let snapshot = udf.snapshot().expect("snapshot");
        let mut restored = init(&options(&["hotend", "bed"], 3)).expect("valid");
        restored.restore(&snapshot).expect("restores");
        let out = run(restored.as_mut(), vec![point("a", &[("bed", 62.0)])]);
        assert_eq!(
            out[0].get("bed_avg").and_then(FieldValue::as_f64),
            Some(61.0)
        );
    }

    #[test]
    fn bad_options_are_refused_with_the_agents_message() {
        let err = init(&options(&[""], 1)).err().expect("refused");
        assert_eq!(
            err.to_string(),
            "must supply field must supply window size > 1"
        );
    }
}
