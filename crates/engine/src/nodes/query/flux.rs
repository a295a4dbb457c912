//! An InfluxDB 2.x `/api/v2/query` response (annotated CSV: `#datatype`, `#group` and
//! `#default` rows, then a header, then rows) turned into batches for `queryFlux()`.
//!
//! Each table of the response (one `result` and `table` pair) becomes one batch:
//!
//! * its name is the `_measurement` column's value (empty without one);
//! * its tags are the table's group key (`#group` true columns) less Flux's own columns
//!   (`result`, `table`, `_start`, `_stop`, `_time`, `_value`, `_field`,
//!   `_measurement`), so the batch is grouped by them as a `query()` batch is by its
//!   `GROUP BY` tags;
//! * each row is a point at its `_time` (else `_stop`, else the run's stop): an unpivoted
//!   row gives the field named by `_field` with `_value` (named `_value` when the table
//!   has no `_field`), and every other column that is
//!   neither in the group key nor Flux's own gives a field of its name (a pivoted row's
//!   fields). Values keep their Flux type (`double` a float, `long` an integer,
//!   `unsignedLong` an unsigned, `boolean`, `string`; times and durations as text); an
//!   empty cell without a default is null and gives no field, and a row with no field is
//!   dropped, as `query()` drops rows of nulls;
//! * the batch time is the run's stop, as for a `query()` that does not group by time.
//!
//! An error table (a header with an `error` column, how InfluxDB reports a failure after
//! it has started answering) is reported as the server's error.

use tickflow_model::{Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupId, Str, Tags, Time};

use super::results::parse_time;

/// Why a Flux response gives no batches.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FluxError {
    /// The body is not annotated CSV as InfluxDB writes it.
    #[error("malformed flux response: {0}")]
    Malformed(String),
    /// The response is an error table.
    #[error("influxdb error: {0}")]
    Server(String),
    /// A `_time` (or `_stop`) cell is not RFC 3339.
    #[error("invalid time {0:?}")]
    Time(String),
}

/// Flux's own columns, never tags or plain fields.
const FLUX_COLUMNS: &[&str] = &[
    "result",
    "table",
    "_start",
    "_stop",
    "_time",
    "_value",
    "_field",
    "_measurement",
];

/// One column of a table: its name, type, whether it is in the group key, its default.
#[derive(Debug, Clone, Default)]
struct Column {
    name: String,
    datatype: String,
    group: bool,
    default: String,
}

/// The annotations and header of the tables that follow them.
#[derive(Debug, Default)]
struct Schema {
    datatypes: Vec<String>,
    groups: Vec<String>,
    defaults: Vec<String>,
    /// Set once the header row has been read.
    columns: Option<Vec<Column>>,
}

impl Schema {
    /// The columns named by `header`, with the annotations read before it.
    fn columns(&self, header: &[String]) -> Vec<Column> {
        let cell = |cells: &[String], i: usize| cells.get(i).cloned().unwrap_or_default();
        header
            .iter()
            .enumerate()
            .map(|(i, name)| Column {
                name: name.clone(),
                datatype: cell(&self.datatypes, i),
                group: cell(&self.groups, i) == "true",
                default: cell(&self.defaults, i),
            })
            .collect()
    }
}

/// The batches of a response to a run whose range ends at `stop`.
pub(crate) fn batches(body: &[u8], stop: Time) -> Result<Vec<Batch>, FluxError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut schema = Schema::default();
    let mut tables = Tables::new(stop);
    for record in reader.records() {
        let record = record.map_err(|e| FluxError::Malformed(e.to_string()))?;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        match cells.first().map(String::as_str) {
            Some("#datatype") => {
                schema = Schema {
                    datatypes: cells,
                    ..Schema::default()
                }
            }
            Some("#group") => schema.groups = cells,
            Some("#default") => schema.defaults = cells,
            Some(annotation) if annotation.starts_with('#') => {}
            _ => match &schema.columns {
                None => {
                    let columns = schema.columns(&cells);
                    if let Some(error) = error_column(&columns) {
                        return Err(server_error(&mut reader, error));
                    }
                    schema.columns = Some(columns);
                }
                Some(columns) => tables.row(columns, &cells)?,
            },
        }
    }
    Ok(tables.finish())
}

/// The index of the `error` column of an error table's header.
fn error_column(columns: &[Column]) -> Option<usize> {
    let is_data = columns
        .iter()
        .any(|c| c.name == "table" || c.name == "_time");
    match is_data {
        true => None,
        false => columns.iter().position(|c| c.name == "error"),
    }
}

/// The message of an error table, from its first row.
fn server_error(reader: &mut csv::Reader<&[u8]>, column: usize) -> FluxError {
    let message = reader
        .records()
        .next()
        .and_then(Result::ok)
        .and_then(|row| row.get(column).map(str::to_string))
        .unwrap_or_else(|| "the query failed".to_string());
    FluxError::Server(message)
}

/// The batches built so far, and the table being read.
struct Tables {
    stop: Time,
    done: Vec<Batch>,
    current: Option<((String, String), Batch)>,
}

impl Tables {
    fn new(stop: Time) -> Tables {
        Tables {
            stop,
            done: Vec::new(),
            current: None,
        }
    }

    /// Adds one data row; a row of another table starts a new batch.
    fn row(&mut self, columns: &[Column], cells: &[String]) -> Result<(), FluxError> {
        let row = Row { columns, cells };
        let key = (row.text("result"), row.text("table"));
        if self.current.as_ref().map(|(k, _)| k) != Some(&key) {
            let batch = row.batch(self.stop);
            if let Some((_, finished)) = self.current.replace((key, batch)) {
                self.done.push(finished);
            }
        }
        if let Some((_, batch)) = self.current.as_mut() {
            if let Some(point) = row.point(self.stop, &batch.tags)? {
                batch.points.push(point);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Vec<Batch> {
        self.done
            .extend(self.current.take().map(|(_, batch)| batch));
        self.done
    }
}

/// A data row with its table's columns.
struct Row<'a> {
    columns: &'a [Column],
    cells: &'a [String],
}

impl Row<'_> {
    /// The cell of column `i`, its default when empty; `None` when null.
    fn cell(&self, i: usize) -> Option<&str> {
        let column = self.columns.get(i)?;
        let cell = self.cells.get(i).map_or("", String::as_str);
        match (cell, column.default.as_str()) {
            ("", "") => None,
            ("", default) => Some(default),
            (cell, _) => Some(cell),
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The text of column `name`, empty when absent or null.
    fn text(&self, name: &str) -> String {
        self.index(name)
            .and_then(|i| self.cell(i))
            .unwrap_or_default()
            .to_string()
    }

    /// An empty batch for this row's table: its name and group-key tags.
    fn batch(&self, stop: Time) -> Batch {
        let name = self.text("_measurement");
        let tags: Tags = Tags::from_pairs(
            self.columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.group && !FLUX_COLUMNS.contains(&c.name.as_str()))
                .filter_map(|(i, c)| Some((c.name.clone(), self.cell(i)?.to_string()))),
        );
        let dimensions = Dimensions::by_tags(tags.keys().cloned());
        let group = GroupId::new(&name, &tags, &dimensions);
        Batch {
            name: Str::from(name.as_str()),
            group,
            tags,
            dimensions,
            tmax: stop,
            points: Default::default(),
        }
    }

    /// The row as a point of a batch with `tags`, or `None` when it has no field.
    fn point(&self, stop: Time, tags: &Tags) -> Result<Option<BatchPoint>, FluxError> {
        let mut fields = Vec::new();
        if let Some(value) = self.index("_value").and_then(|i| self.value(i)) {
            let name = match self.index("_field") {
                Some(field) => self.cell(field),
                None => Some("_value"),
            };
            fields.extend(name.map(|name| (Str::from(name), value)));
        }
        for (i, column) in self.columns.iter().enumerate() {
            let own = FLUX_COLUMNS.contains(&column.name.as_str());
            if i == 0 || own || column.group || column.name.is_empty() {
                continue;
            }
            if let Some(value) = self.value(i) {
                fields.push((Str::from(column.name.as_str()), value));
            }
        }
        if fields.is_empty() {
            return Ok(None);
        }
        Ok(Some(BatchPoint {
            fields: Fields::from_unsorted(fields),
            tags: tags.clone(),
            time: self.time(stop)?,
        }))
    }

    /// The row's time: `_time`, else `_stop`, else the run's stop.
    fn time(&self, stop: Time) -> Result<Time, FluxError> {
        let cell = ["_time", "_stop"]
            .iter()
            .find_map(|name| self.index(name).and_then(|i| self.cell(i)));
        match cell {
            Some(text) => parse_time(text).ok_or_else(|| FluxError::Time(text.to_string())),
            None => Ok(stop),
        }
    }

    /// Column `i`'s cell as a field value of its Flux type; `None` when null or when it
    /// does not read as its type.
    fn value(&self, i: usize) -> Option<FieldValue> {
        let text = self.cell(i)?;
        match self.columns.get(i)?.datatype.as_str() {
            "double" => text.parse().ok().map(FieldValue::Float),
            "long" => text.parse().ok().map(FieldValue::Integer),
            "unsignedLong" => text.parse().ok().map(FieldValue::Unsigned),
            "boolean" => text.parse().ok().map(FieldValue::Boolean),
            _ => Some(FieldValue::string(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STOP: Time = Time::from_nanos(1_600_000_000_000_000_000);

    /// Two tables of an unpivoted query, as InfluxDB 2.x answers `from |> range |>
    /// filter`, then a pivoted one in a second result.
    const BODY: &str = "\
#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string
#group,false,false,true,true,false,false,true,true,true
#default,_result,,,,,,,,
,result,table,_start,_stop,_time,_value,_field,_measurement,host
,,0,2020-09-13T12:25:00Z,2020-09-13T12:26:40Z,2020-09-13T12:25:10Z,1.5,usage,cpu,a
,,0,2020-09-13T12:25:00Z,2020-09-13T12:26:40Z,2020-09-13T12:25:20Z,,usage,cpu,a
,,1,2020-09-13T12:25:00Z,2020-09-13T12:26:40Z,2020-09-13T12:25:10Z,2.5,usage,cpu,b

#datatype,string,long,string,string,dateTime:RFC3339,long,boolean
#group,false,false,true,true,false,false,false
#default,pivoted,,,,,,
,result,table,_measurement,host,_time,count,up
,,0,mem,a,2020-09-13T12:25:30Z,7,true
";

    fn pairs<V: Clone + std::fmt::Debug>(map: &tickflow_model::SortedMap<V>) -> Vec<String> {
        map.iter().map(|(k, v)| format!("{k}={v:?}")).collect()
    }

    #[test]
    fn each_table_is_a_batch_of_its_typed_rows() {
        let batches = batches(BODY.as_bytes(), STOP).expect("batches");
        let shown: Vec<String> = batches
            .iter()
            .map(|b| {
                let points: Vec<String> = b
                    .points
                    .iter()
                    .map(|p| format!("{} {:?}", p.time.to_rfc3339(), pairs(&p.fields)))
                    .collect();
                format!("{} {:?} {}", b.name, pairs(&b.tags), points.join(" "))
            })
            .collect();
        expect_test::expect![[r#"
            [
                "cpu [\"host=\\\"a\\\"\"] 2020-09-13T12:25:10Z [\"usage=Float(1.5)\"]",
                "cpu [\"host=\\\"b\\\"\"] 2020-09-13T12:25:10Z [\"usage=Float(2.5)\"]",
                "mem [\"host=\\\"a\\\"\"] 2020-09-13T12:25:30Z [\"count=Integer(7)\", \"up=Boolean(true)\"]",
            ]
        "#]]
        .assert_debug_eq(&shown);
        assert!(batches.iter().all(|b| b.tmax == STOP));
        assert_ne!(batches[0].group, batches[1].group);
    }

    #[test]
    fn an_error_table_and_bad_cells_are_reported() {
        let error = "#datatype,string,string\n#group,true,true\n#default,,\n,error,reference\n,\"compilation failed: undefined identifier fro\",\n";
        assert_eq!(
            batches(error.as_bytes(), STOP),
            Err(FluxError::Server(
                "compilation failed: undefined identifier fro".into()
            ))
        );
        let bad_time = "#datatype,string,long,dateTime:RFC3339,double\n#group,false,false,false,false\n#default,_result,,,\n,result,table,_time,_value\n,,0,yesterday,1\n";
        assert_eq!(
            batches(bad_time.as_bytes(), STOP),
            Err(FluxError::Time("yesterday".into()))
        );
        assert_eq!(batches(b"", STOP), Ok(Vec::new()));
    }
}
