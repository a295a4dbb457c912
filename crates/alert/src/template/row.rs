//! A [`Row`] as the data of an `httpPost` URL or row template: `.Name`, `.Tags` and
//! `.Values`, where each element of `.Values` is a map from column name to value (`time`
//! being a `time.Time`), as the conformance notes of `TestStream_HttpPostEndpoint_CustomBody`
//! describe.

use crate::row::{Cell, Row};

use super::format::Value;
use super::ErrorKind;

/// Go type names used in messages.
pub(super) const ROW_TYPE: &str = "httppost.mappedRow";
pub(super) const VALUES_TYPE: &str = "[]map[string]interface {}";
pub(super) const ENTRY_TYPE: &str = "map[string]interface {}";

/// The value of field `name` of the row.
pub(super) fn field<'a>(row: &'a Row, name: &str) -> Result<Value<'a>, ErrorKind> {
    Ok(match name {
        "Name" => Value::from(&*row.name),
        "Tags" => Value::Tags(&row.tags),
        "Values" => Value::RowValues(row),
        _ => {
            return Err(ErrorKind::UnknownField {
                field: name.to_owned(),
                ty: ROW_TYPE,
            })
        }
    })
}

/// Column `column` of values row `index`; nil when the row has no such column.
pub(super) fn entry<'a>(row: &'a Row, index: usize, column: &str) -> Value<'a> {
    row.columns
        .iter()
        .position(|c| &**c == column)
        .and_then(|i| row.values.get(index)?.get(i))
        .map_or(Value::Nil, cell)
}

/// Every (column, value) of values row `index`, sorted by column as Go prints maps.
pub(super) fn entries(row: &Row, index: usize) -> Vec<(&str, Value<'_>)> {
    let mut entries: Vec<(&str, Value<'_>)> = row
        .columns
        .iter()
        .zip(row.values.get(index).into_iter().flatten())
        .map(|(column, value)| (&**column, cell(value)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn cell(cell: &Cell) -> Value<'_> {
    match cell {
        Cell::Time(t) => Value::Time(*t),
        Cell::Value(v) => Value::from(v),
        Cell::Null => Value::Nil,
    }
}
