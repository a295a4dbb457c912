//! Kapacitor's `models.Result` / `models.Row` (kapacitor-compat.md, nodes §1.5): the JSON shape in which
//! alert handlers (`data`), `httpOut` and `httpPost` present points and batches.
//!
//! [`Row::from_point`] and [`Row::from_batch`] follow Kapacitor's `edge.PointToRow` and
//! `edge.BatchToRow`; [`write_result`] and [`write_row`] encode them with the
//! [`JsonWriter`], omitting each empty row member like Go's `omitempty`.

use tickflow_model::{Batch, FieldValue, Point, Str, Tags, Time};

use crate::json::{EncodeError, JsonWriter};

/// One cell of a row's `values`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// The `time` column, written as an RFC 3339 string with nanoseconds.
    Time(Time),
    /// A field value, or a tag value as a string.
    Value(FieldValue),
    /// A column the point does not have.
    Null,
}

/// A `models.Row`: a series with its columns and one values row per point.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// Measurement name (`name`).
    pub name: Str,
    /// Series tags (`tags`).
    pub tags: Tags,
    /// Column names, `time` first (`columns`).
    pub columns: Vec<Str>,
    /// One row of cells per point, in column order (`values`).
    pub values: Vec<Vec<Cell>>,
}

impl Row {
    /// The first NaN or infinite float among the values: a row holding one cannot be
    /// encoded as JSON (Go's `json: unsupported value`), so no handler can send it.
    pub fn non_finite(&self) -> Option<f64> {
        (self.values.iter().flatten()).find_map(|cell| match cell {
            Cell::Value(FieldValue::Float(v)) if !v.is_finite() => Some(*v),
            _ => None,
        })
    }

    /// A point as one row: all its tags, `time` then its field names (sorted) as columns.
    pub fn from_point(point: &Point) -> Self {
        let columns = std::iter::once(Str::from("time"))
            .chain(point.fields.keys().cloned())
            .collect();
        let cells = std::iter::once(Cell::Time(point.time))
            .chain(point.fields.iter().map(|(_, v)| Cell::Value(v.clone())))
            .collect();
        Row {
            name: point.name.clone(),
            tags: point.tags.clone(),
            columns,
            values: vec![cells],
        }
    }

    /// A batch as one row: its group tags; `time`, then the first point's field names and
    /// its tag names that are not batch tags, sorted; one values row per point, with
    /// [`Cell::Null`] where a point lacks a column. An empty batch has only name and tags.
    pub fn from_batch(batch: &Batch) -> Self {
        let mut row = Row {
            name: batch.name.clone(),
            tags: batch.tags.clone(),
            ..Row::default()
        };
        let Some(first) = batch.points.first() else {
            return row;
        };
        let mut names: Vec<Str> = first.fields.keys().cloned().collect();
        names.extend(
            first
                .tags
                .keys()
                .filter(|tag| !batch.tags.contains_key(tag))
                .cloned(),
        );
        names.sort();
        row.values = batch
            .points
            .iter()
            .map(|point| {
                let cells = names.iter().map(|column| {
                    if let Some(value) = point.fields.get(column) {
                        Cell::Value(value.clone())
                    } else if let Some(tag) = point.tags.get(column) {
                        Cell::Value(FieldValue::from(tag.clone()))
                    } else {
                        Cell::Null
                    }
                });
                std::iter::once(Cell::Time(point.time))
                    .chain(cells)
                    .collect()
            })
            .collect();
        row.columns = std::iter::once(Str::from("time")).chain(names).collect();
        row
    }
}

/// Writes one row object, leaving out empty members.
pub fn write_row(w: &mut JsonWriter, row: &Row) -> Result<(), EncodeError> {
    w.begin_object();
    if !row.name.is_empty() {
        w.key("name").string(&row.name);
    }
    if !row.tags.is_empty() {
        w.key("tags").begin_object();
        for (key, value) in row.tags.iter() {
            w.key(key).string(value);
        }
        w.end_object();
    }
    if !row.columns.is_empty() {
        w.key("columns").begin_array();
        for column in &row.columns {
            w.string(column);
        }
        w.end_array();
    }
    if !row.values.is_empty() {
        w.key("values").begin_array();
        for cells in &row.values {
            w.begin_array();
            for cell in cells {
                write_cell(w, cell)?;
            }
            w.end_array();
        }
        w.end_array();
    }
    w.end_object();
    Ok(())
}

/// Writes one cell of a values row.
fn write_cell(w: &mut JsonWriter, cell: &Cell) -> Result<(), EncodeError> {
    match cell {
        Cell::Time(time) => {
            w.string(&time.to_rfc3339());
        }
        Cell::Value(value) => write_field_value(w, value)?,
        Cell::Null => {
            w.null();
        }
    }
    Ok(())
}

/// Writes a field value as Go encodes its `interface{}` value.
pub fn write_field_value(w: &mut JsonWriter, value: &FieldValue) -> Result<(), EncodeError> {
    match value {
        FieldValue::Float(v) => w.float(*v)?,
        FieldValue::Integer(v) => w.int(*v),
        FieldValue::Unsigned(v) => w.uint(*v),
        FieldValue::String(v) => w.string(v),
        FieldValue::Boolean(v) => w.bool(*v),
    };
    Ok(())
}

/// Writes a `models.Result`: `{"series":[...]}`, or `{"series":null}` without rows.
pub fn write_result(w: &mut JsonWriter, rows: &[Row]) -> Result<(), EncodeError> {
    w.begin_object().key("series");
    if rows.is_empty() {
        w.null();
    } else {
        w.begin_array();
        for row in rows {
            write_row(w, row)?;
        }
        w.end_array();
    }
    w.end_object();
    Ok(())
}

/// The result JSON of `rows` as one string.
pub fn result_json(rows: &[Row]) -> Result<String, EncodeError> {
    let mut w = JsonWriter::new();
    write_result(&mut w, rows)?;
    Ok(w.finish())
}

/// The result JSON of a single point (`{"series":[row]}`).
pub fn point_result(point: &Point) -> Result<String, EncodeError> {
    result_json(&[Row::from_point(point)])
}

/// The result JSON of a single batch (`{"series":[row]}`).
pub fn batch_result(batch: &Batch) -> Result<String, EncodeError> {
    result_json(&[Row::from_batch(batch)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{BatchPoint, Fields, GroupInfo};

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        Tags::from_pairs(pairs.iter().copied())
    }

    fn at_secs(secs: i64) -> Time {
        Time::from_nanos(secs * 1_000_000_000)
    }

    #[test]
    fn point_row_matches_the_spec_example() {
        let mut point = Point::new("cpu", Time::from_nanos(1_704_067_210_000_000_000));
        point.tags = tags(&[("host", "serverA")]);
        point.fields = Fields::from_pairs([("value", 95.5)]);
        assert_eq!(
            point_result(&point).as_deref(),
            Ok(
                r#"{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","value"],"values":[["2024-01-01T00:00:10Z",95.5]]}]}"#
            )
        );
    }

    #[test]
    fn point_without_tags_omits_the_tags_member() {
        let mut point = Point::new("alert", Time::from_nanos(0));
        point.fields = Fields::from_pairs([("value", 1i64)]);
        assert_eq!(
            point_result(&point).as_deref(),
            Ok(
                r#"{"series":[{"name":"alert","columns":["time","value"],"values":[["1970-01-01T00:00:00Z",1]]}]}"#
            )
        );
    }

    #[test]
    fn point_fields_are_sorted_by_bytes_and_keep_their_types() {
        let mut point = Point::new("m", Time::from_nanos(1_500_000_000));
        point.tags = tags(&[("b", "2"), ("B", "1")]);
        point.fields = Fields::from_pairs([
            ("s", FieldValue::from("a<b")),
            ("a", FieldValue::from(true)),
            ("C", FieldValue::from(u64::MAX)),
            ("i", FieldValue::from(-3i64)),
        ]);
        assert_eq!(
            point_result(&point).as_deref(),
            Ok(
                r#"{"series":[{"name":"m","tags":{"B":"1","b":"2"},"columns":["time","C","a","i","s"],"values":[["1970-01-01T00:00:01.5Z",18446744073709551615,true,-3,"a\u003cb"]]}]}"#
            )
        );
    }

    #[test]
    fn non_finite_field_fails_the_whole_result() {
        let mut point = Point::new("m", Time::from_nanos(0));
        point.fields = Fields::from_pairs([("v", f64::NAN)]);
        assert!(matches!(point_result(&point), Err(EncodeError::NonFinite(v)) if v.is_nan()));
        assert!(Row::from_point(&point)
            .non_finite()
            .is_some_and(f64::is_nan));
    }

    fn batch(points: Vec<BatchPoint>) -> Batch {
        let info = GroupInfo {
            tags: tags(&[("host", "serverA")]),
            ..GroupInfo::default()
        };
        let mut batch = Batch::new("cpu".into(), info, at_secs(10));
        batch.points = points.into();
        batch
    }

    fn batch_point(secs: i64, fields: Fields, point_tags: Tags) -> BatchPoint {
        BatchPoint {
            fields,
            tags: point_tags,
            time: at_secs(secs),
        }
    }

    #[test]
    fn batch_row_matches_the_spec_example() {
        let host = tags(&[("host", "serverA")]);
        let b = batch(vec![
            batch_point(
                1_704_067_200,
                Fields::from_pairs([("value", 91.0)]),
                host.clone(),
            ),
            batch_point(1_704_067_205, Fields::from_pairs([("value", 95.5)]), host),
        ]);
        assert_eq!(
            batch_result(&b).as_deref(),
            Ok(
                r#"{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","value"],"values":[["2024-01-01T00:00:00Z",91],["2024-01-01T00:00:05Z",95.5]]}]}"#
            )
        );
    }

    #[test]
    fn batch_columns_come_from_the_first_point_and_missing_cells_are_null() {
        let b = batch(vec![
            batch_point(
                0,
                Fields::from_pairs([("value", 1i64)]),
                tags(&[("host", "serverA"), ("cpu", "cpu0")]),
            ),
            batch_point(
                1,
                Fields::from_pairs([("other", 2i64)]),
                tags(&[("host", "serverA")]),
            ),
        ]);
        assert_eq!(
            batch_result(&b).as_deref(),
            Ok(
                r#"{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","cpu","value"],"values":[["1970-01-01T00:00:00Z","cpu0",1],["1970-01-01T00:00:01Z",null,null]]}]}"#
            )
        );
    }

    #[test]
    fn empty_batch_has_only_name_and_tags() {
        assert_eq!(
            batch_result(&batch(Vec::new())).as_deref(),
            Ok(r#"{"series":[{"name":"cpu","tags":{"host":"serverA"}}]}"#)
        );
    }

    #[test]
    fn empty_members_and_results_are_omitted_or_null() {
        assert_eq!(result_json(&[]).as_deref(), Ok(r#"{"series":null}"#));
        assert_eq!(
            result_json(&[Row::default(), Row::default()]).as_deref(),
            Ok(r#"{"series":[{},{}]}"#)
        );
    }
}
