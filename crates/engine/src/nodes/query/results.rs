//! An InfluxDB 1.x `/query` response turned into batches, as Kapacitor builds them
//! (kapacitor-compat.md, recordings §3.3): one batch per series, named after it, its tags the group
//! tags (grouped by all of them, and by the measurement with `.groupByMeasurement()`),
//! one point per row that has at least one non-null value, null columns dropped, every
//! number a float; the batch time is the last point's when the query groups by time,
//! else the query's stop time.
//!
//! A chunked response is a sequence of JSON objects; the rows of one series may be cut
//! over several of them (`"partial": true`) and are joined again here.

use serde::Deserialize;
use serde_json::Value;
use tickflow_model::{Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupId, Str, Tags, Time};

/// Why a response gives no batches.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ResultError {
    /// The body is not the JSON of a `/query` response.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The response, or the statement's result, carries an error.
    #[error("influxdb error: {0}")]
    Server(String),
    /// A row's time is neither RFC 3339 nor an integer.
    #[error("invalid time {0}")]
    Time(String),
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    results: Vec<StatementResult>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct StatementResult {
    #[serde(default)]
    series: Vec<Series>,
    #[serde(default)]
    error: Option<String>,
}

/// One series of a response.
#[derive(Debug, Deserialize)]
pub(crate) struct Series {
    /// The measurement (or what a `SHOW` lists: `databases`, a database's name).
    #[serde(default)]
    pub name: String,
    /// The group tags.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
    /// The column names.
    #[serde(default)]
    pub columns: Vec<String>,
    /// The rows.
    #[serde(default)]
    pub values: Vec<Vec<Value>>,
}

/// How a query's series become batches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// `.groupByMeasurement()`.
    pub by_name: bool,
    /// Whether the query groups by time.
    pub by_time: bool,
    /// The run's stop time.
    pub stop: Time,
}

/// The batches of a (possibly chunked) `/query` response body.
pub(crate) fn batches(body: &[u8], shape: Shape) -> Result<Vec<Batch>, ResultError> {
    series(body)?.into_iter().map(|s| batch(s, shape)).collect()
}

/// The series of a (possibly chunked) `/query` response body, the parts of a series
/// joined; an error member is an error.
pub(crate) fn series(body: &[u8]) -> Result<Vec<Series>, ResultError> {
    let mut merged: Vec<Series> = Vec::new();
    for response in serde_json::Deserializer::from_slice(body).into_iter::<Response>() {
        let response = response.map_err(|e| ResultError::Malformed(e.to_string()))?;
        if let Some(error) = response.error {
            return Err(ResultError::Server(error));
        }
        for result in response.results {
            if let Some(error) = result.error {
                return Err(ResultError::Server(error));
            }
            for series in result.series {
                append(&mut merged, series);
            }
        }
    }
    Ok(merged)
}

/// Adds `series` to `merged`, joining it to the last one when it continues it.
fn append(merged: &mut Vec<Series>, mut series: Series) {
    match merged.last_mut() {
        Some(last)
            if last.name == series.name
                && last.tags == series.tags
                && last.columns == series.columns =>
        {
            last.values.append(&mut series.values);
        }
        _ => merged.push(series),
    }
}

/// One series as a batch.
fn batch(series: Series, shape: Shape) -> Result<Batch, ResultError> {
    let tags: Tags = Tags::from_pairs(series.tags);
    let dimensions = Dimensions::by_tags(tags.keys().cloned()).with_by_name(shape.by_name);
    let group = GroupId::new(&series.name, &tags, &dimensions);
    let mut points = Vec::with_capacity(series.values.len());
    for row in &series.values {
        if let Some(point) = point(&series.columns, row, &tags)? {
            points.push(point);
        }
    }
    let tmax = match points.last() {
        Some(last) if shape.by_time => last.time,
        _ => shape.stop,
    };
    Ok(Batch {
        name: Str::from(series.name.as_str()),
        group,
        tags,
        dimensions,
        tmax,
        points: points.into_iter().collect(),
    })
}

/// A row as a point, or `None` when all its values are null.
fn point(
    columns: &[String],
    row: &[Value],
    tags: &Tags,
) -> Result<Option<BatchPoint>, ResultError> {
    let mut time = Time::default();
    let mut fields = Vec::with_capacity(columns.len());
    for (column, value) in columns.iter().zip(row) {
        if column == "time" {
            time = row_time(value)?;
        } else if let Some(value) = field_value(value) {
            fields.push((Str::from(column.as_str()), value));
        }
    }
    if fields.is_empty() {
        return Ok(None);
    }
    Ok(Some(BatchPoint {
        fields: Fields::from_unsorted(fields),
        tags: tags.clone(),
        time,
    }))
}

/// A row's time: RFC 3339, or nanoseconds with `epoch=ns`.
fn row_time(value: &Value) -> Result<Time, ResultError> {
    match value {
        Value::String(text) => parse_time(text).ok_or_else(|| ResultError::Time(text.clone())),
        Value::Number(n) => n
            .as_i64()
            .map(Time::from_nanos)
            .ok_or_else(|| ResultError::Time(n.to_string())),
        other => Err(ResultError::Time(other.to_string())),
    }
}

/// An RFC 3339 time with any fraction.
pub fn parse_time(text: &str) -> Option<Time> {
    let parsed = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    parsed.timestamp_nanos_opt().map(Time::from_nanos)
}

/// A JSON value as a field: numbers as floats, strings and booleans as they are; null
/// and anything else as no field.
pub(crate) fn field_value(value: &Value) -> Option<FieldValue> {
    match value {
        Value::Number(n) => n.as_f64().map(FieldValue::Float),
        Value::String(s) => Some(FieldValue::string(s.as_str())),
        Value::Bool(b) => Some(FieldValue::Boolean(*b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn shape(by_time: bool) -> Shape {
        Shape {
            by_name: false,
            by_time,
            stop: Time::from_nanos(100 * S),
        }
    }

    const BODY: &str = r#"{"results":[{"statement_id":0,"series":[
        {"name":"cpu","tags":{"host":"a"},"columns":["time","mean","max"],
         "values":[["1970-01-01T00:00:10Z",1,null],["1970-01-01T00:00:20Z",null,null],["1970-01-01T00:00:30Z",2.5,"x"]]},
        {"name":"cpu","tags":{"host":"b"},"columns":["time","mean","max"],"values":[[40000000000,true,null]]}]}]}"#;

    #[test]
    fn each_series_is_a_batch_of_its_non_null_rows() {
        let batches = batches(BODY.as_bytes(), shape(true)).expect("batches");
        assert_eq!(batches.len(), 2);
        let a = &batches[0];
        assert_eq!((a.name.as_str(), a.group.as_str()), ("cpu", "host=a"));
        assert_eq!(a.points.len(), 2);
        assert_eq!(
            a.points[0].fields.get("mean"),
            Some(&FieldValue::Float(1.0))
        );
        assert_eq!(a.points[0].fields.get("max"), None);
        assert_eq!(
            a.points[1].fields.get("max"),
            Some(&FieldValue::string("x"))
        );
        assert_eq!(a.tmax, Time::from_nanos(30 * S));
        assert_eq!(batches[1].points[0].time, Time::from_nanos(40 * S));
    }

    #[test]
    fn without_time_grouping_the_batch_time_is_the_stop() {
        let batches = batches(BODY.as_bytes(), shape(false)).expect("batches");
        assert!(batches.iter().all(|b| b.tmax == Time::from_nanos(100 * S)));
    }

    #[test]
    fn a_chunked_response_joins_the_parts_of_a_series() {
        let body = r#"{"results":[{"series":[{"name":"m","columns":["time","v"],"values":[["1970-01-01T00:00:01Z",1]],"partial":true}],"partial":true}]}
{"results":[{"series":[{"name":"m","columns":["time","v"],"values":[["1970-01-01T00:00:02Z",2]]}]}]}"#;
        let batches = batches(body.as_bytes(), shape(false)).expect("batches");
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].points.len(), 2);
    }

    #[test]
    fn errors_and_bad_bodies_are_reported() {
        let err = |body: &str| {
            batches(body.as_bytes(), shape(false))
                .expect_err(body)
                .to_string()
        };
        assert_eq!(
            err(r#"{"results":[{"statement_id":0,"error":"database not found: x"}]}"#),
            "influxdb error: database not found: x"
        );
        assert_eq!(
            err(r#"{"error":"authorization failed"}"#),
            "influxdb error: authorization failed"
        );
        assert!(err("{\"results\":[").starts_with("malformed response: "));
        assert!(err(
            r#"{"results":[{"series":[{"columns":["time","v"],"values":[["yesterday",1]]}]}]}"#
        )
        .starts_with("invalid time"));
    }
}
