//! Template values with the Go type each stands for: basic values, `time.Time`,
//! `time.Duration`, `time.Month`, `time.Weekday`, `alert.Level`, maps (tags, fields, a
//! row's values), lists (a row's columns and values, a result's series) and the structs
//! templates receive. Field access, truthiness and type names follow Go's reflection.

use std::borrow::Cow;

use tickflow_model::{FieldValue, Fields, Str, Tags, Time};

use crate::data::{AlertData, Level};
use crate::row::{Cell, Row};

use super::data::{Info, ServerInfo, TemplateData};
use super::ErrorKind;

/// A value during execution.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value<'a> {
    /// No value (Go's invalid `reflect.Value`): a missing map entry or `nil`.
    Nil,
    /// `bool`.
    Bool(bool),
    /// `int`: constants and `len`.
    Int(i64),
    /// `int64`: integer fields and some method results.
    Int64(i64),
    /// `uint8`: `index` of a string.
    Uint8(u8),
    /// `uint64`: unsigned fields.
    Uint64(u64),
    /// `float64`.
    Float(f64),
    /// `string`.
    Str(Cow<'a, str>),
    /// `time.Time` (always UTC).
    Time(Time),
    /// `time.Duration` in nanoseconds.
    Duration(i64),
    /// `time.Month`, 1 to 12.
    Month(i64),
    /// `time.Weekday`, 0 (Sunday) to 6.
    Weekday(i64),
    /// `alert.Level`.
    Level(Level),
    /// `*time.Location`: always UTC.
    Location,
    /// A map with string keys.
    Map(MapRef<'a>),
    /// A slice.
    List(ListRef<'a>),
    /// A struct.
    Struct(StructRef<'a>),
}

/// The maps templates see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum MapRef<'a> {
    /// `map[string]string`.
    Tags(&'a Tags),
    /// `map[string]interface {}`.
    Fields(&'a Fields),
    /// Values row `usize` of a row, keyed by column (`map[string]interface {}`).
    Entry(&'a Row, usize),
}

/// A slice: the elements `start..end` of some sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ListRef<'a> {
    pub(super) items: Items<'a>,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The sequences templates see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Items<'a> {
    /// `models.Rows`: a result's series.
    Series(&'a [Row]),
    /// `[]string`: a row's columns.
    Columns(&'a [Str]),
    /// `[][]interface {}`: a row's values.
    Values(&'a [Vec<Cell>]),
    /// `[]interface {}`: one values row.
    Cells(&'a [Cell]),
    /// `[]map[string]interface {}`: an httpPost row's values, one map per values row.
    Entries(&'a Row),
}

/// The structs templates see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum StructRef<'a> {
    /// The data of `.id()`, `.message()` or `.details()`, as the given struct (an
    /// embedded `idInfo` or `messageInfo` is the same data seen as the smaller struct).
    Data(&'a TemplateData, Info),
    /// `.ServerInfo`.
    ServerInfo(&'a ServerInfo),
    /// An httpPost row: `.Name`, `.Tags`, `.Values` (a map per values row).
    MappedRow(&'a Row),
    /// `alert.Data`, what handler templates receive.
    Alert(&'a AlertData),
    /// `models.Result`: `.Series` and `.Err`.
    Result(&'a [Row]),
    /// `models.Row`.
    Row(&'a Row),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a FieldValue> for Value<'a> {
    fn from(v: &'a FieldValue) -> Self {
        match v {
            FieldValue::Float(x) => Value::Float(*x),
            FieldValue::Integer(n) => Value::Int64(*n),
            FieldValue::Unsigned(n) => Value::Uint64(*n),
            FieldValue::String(s) => Value::from(&***s),
            FieldValue::Boolean(b) => Value::Bool(*b),
        }
    }
}

impl<'a> From<&'a Cell> for Value<'a> {
    fn from(cell: &'a Cell) -> Self {
        match cell {
            Cell::Time(t) => Value::Time(*t),
            Cell::Value(v) => Value::from(v),
            Cell::Null => Value::Nil,
        }
    }
}

/// The kinds Go's comparison functions distinguish.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Basic<'v> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'v str),
}

impl<'a> Value<'a> {
    /// The Go type name, as `%T` prints it.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint8(_) => "uint8",
            Value::Uint64(_) => "uint64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Time(_) => "time.Time",
            Value::Duration(_) => "time.Duration",
            Value::Month(_) => "time.Month",
            Value::Weekday(_) => "time.Weekday",
            Value::Level(_) => "alert.Level",
            Value::Location => "*time.Location",
            Value::Map(MapRef::Tags(_)) => "map[string]string",
            Value::Map(_) => "map[string]interface {}",
            Value::List(list) => list.items.type_name(),
            Value::Struct(s) => s.type_name(),
        }
    }

    /// The basic kind of the value, `None` for composite values.
    pub(super) fn basic(&self) -> Option<Basic<'_>> {
        Some(match self {
            Value::Bool(b) => Basic::Bool(*b),
            Value::Int(n)
            | Value::Int64(n)
            | Value::Duration(n)
            | Value::Month(n)
            | Value::Weekday(n) => Basic::Int(*n),
            Value::Level(level) => Basic::Int(level_number(*level)),
            Value::Uint8(n) => Basic::Uint(u64::from(*n)),
            Value::Uint64(n) => Basic::Uint(*n),
            Value::Float(x) => Basic::Float(*x),
            Value::Str(s) => Basic::Str(s),
            _ => return None,
        })
    }

    /// Go template truthiness: the zero value, nil and empty collections are false.
    pub(super) fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Location | Value::Time(_) | Value::Struct(_) => true,
            Value::Map(map) => map.len() > 0,
            Value::List(list) => list.len() > 0,
            other => match other.basic() {
                Some(Basic::Bool(b)) => b,
                Some(Basic::Int(n)) => n != 0,
                Some(Basic::Uint(n)) => n != 0,
                Some(Basic::Float(x)) => x != 0.0,
                Some(Basic::Str(s)) => !s.is_empty(),
                None => true,
            },
        }
    }

    /// The field or map entry `name` of the value; `Ok(None)` when the value has neither
    /// (methods are looked up before this).
    pub(super) fn field(&self, name: &str) -> Result<Option<Value<'a>>, ErrorKind> {
        Ok(Some(match self {
            Value::Struct(s) => return s.field(name),
            Value::Map(map) => map.get(name),
            _ => return Ok(None),
        }))
    }

    /// Whether the value is a map (field access with arguments is reported differently).
    pub(super) fn is_map(&self) -> bool {
        matches!(self, Value::Map(_))
    }
}

/// Go's numbering of alert levels: `OK` 0 to `CRITICAL` 3.
pub(super) fn level_number(level: Level) -> i64 {
    match level {
        Level::Ok => 0,
        Level::Info => 1,
        Level::Warning => 2,
        Level::Critical => 3,
    }
}

impl<'a> MapRef<'a> {
    /// The entry for `key`; a missing entry is nil (Go's invalid value).
    pub(super) fn get(&self, key: &str) -> Value<'a> {
        match *self {
            MapRef::Tags(tags) => tags.get(key).map_or(Value::Nil, |v| Value::from(&**v)),
            MapRef::Fields(fields) => fields.get(key).map_or(Value::Nil, Value::from),
            MapRef::Entry(row, index) => row
                .columns
                .iter()
                .position(|c| &**c == key)
                .and_then(|i| row.values.get(index)?.get(i))
                .map_or(Value::Nil, Value::from),
        }
    }

    /// What `index` returns for `key`: the entry, or the element type's zero value
    /// (`""` for tags, nil for the others).
    pub(super) fn index(&self, key: &str) -> Value<'a> {
        match (self.get(key), self) {
            (Value::Nil, MapRef::Tags(_)) => Value::from(""),
            (value, _) => value,
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            MapRef::Tags(tags) => tags.len(),
            MapRef::Fields(fields) => fields.len(),
            MapRef::Entry(..) => self.entries().len(),
        }
    }

    /// Every entry, sorted by key as Go prints and ranges over maps.
    pub(super) fn entries(&self) -> Vec<(&'a str, Value<'a>)> {
        match *self {
            MapRef::Tags(tags) => tags
                .iter()
                .map(|(k, v)| (&**k, Value::from(&**v)))
                .collect(),
            MapRef::Fields(fields) => fields.iter().map(|(k, v)| (&**k, Value::from(v))).collect(),
            MapRef::Entry(row, index) => {
                let mut entries: Vec<(&str, Value<'_>)> = row
                    .columns
                    .iter()
                    .zip(row.values.get(index).into_iter().flatten())
                    .map(|(column, cell)| (&**column, Value::from(cell)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                entries.dedup_by(|a, b| a.0 == b.0);
                entries
            }
        }
    }
}

impl<'a> ListRef<'a> {
    /// The whole of `items`.
    pub(super) fn all(items: Items<'a>) -> Self {
        ListRef {
            items,
            start: 0,
            end: items.len(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.end - self.start
    }

    /// Element `i` (counted from the slice's start), if in range.
    pub(super) fn get(&self, i: usize) -> Option<Value<'a>> {
        let at = self.start.checked_add(i).filter(|&at| at < self.end)?;
        Some(match self.items {
            Items::Series(rows) => Value::Struct(StructRef::Row(rows.get(at)?)),
            Items::Columns(columns) => Value::from(&**columns.get(at)?),
            Items::Values(values) => Value::List(ListRef::all(Items::Cells(values.get(at)?))),
            Items::Cells(cells) => Value::from(cells.get(at)?),
            Items::Entries(row) => Value::Map(MapRef::Entry(row, at)),
        })
    }

    /// Every element in order.
    pub(super) fn elements(&self) -> impl Iterator<Item = Value<'a>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

impl Items<'_> {
    fn len(&self) -> usize {
        match self {
            Items::Series(rows) => rows.len(),
            Items::Columns(columns) => columns.len(),
            Items::Values(values) => values.len(),
            Items::Cells(cells) => cells.len(),
            Items::Entries(row) => row.values.len(),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Items::Series(_) => "models.Rows",
            Items::Columns(_) => "[]string",
            Items::Values(_) => "[][]interface {}",
            Items::Cells(_) => "[]interface {}",
            Items::Entries(_) => "[]map[string]interface {}",
        }
    }
}

impl<'a> StructRef<'a> {
    /// The Go type name.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            StructRef::Data(_, info) => TemplateData::type_name(*info),
            StructRef::ServerInfo(_) => "kapacitor.serverInfo",
            StructRef::MappedRow(_) => "httppost.mappedRow",
            StructRef::Alert(_) => "alert.Data",
            StructRef::Result(_) => "models.Result",
            StructRef::Row(_) => "*models.Row",
        }
    }

    /// The struct's fields in declaration order, each with its name; embedded structs
    /// are a nested `Value::Struct` under their type name.
    pub(super) fn fields(&self) -> Vec<(&'static str, Value<'a>)> {
        match *self {
            StructRef::Data(data, info) => data.fields(info),
            StructRef::ServerInfo(info) => vec![
                ("Hostname", Value::from(info.hostname.as_str())),
                ("ClusterID", Value::from(info.cluster_id.as_str())),
                ("ServerID", Value::from(info.server_id.as_str())),
            ],
            StructRef::MappedRow(row) => vec![
                ("Name", Value::from(&*row.name)),
                ("Tags", Value::Map(MapRef::Tags(&row.tags))),
                ("Values", Value::List(ListRef::all(Items::Entries(row)))),
            ],
            StructRef::Alert(alert) => vec![
                ("ID", Value::from(alert.id.as_str())),
                ("Message", Value::from(alert.message.as_str())),
                ("Details", Value::from(alert.details.as_str())),
                ("Time", Value::Time(alert.time)),
                ("Duration", Value::Duration(alert.duration.nanos())),
                ("Level", Value::Level(alert.level)),
                ("Data", Value::Struct(StructRef::Result(&alert.data))),
                ("PreviousLevel", Value::Level(alert.previous_level)),
                ("Recoverable", Value::Bool(alert.recoverable)),
            ],
            StructRef::Result(rows) => vec![
                ("Series", Value::List(ListRef::all(Items::Series(rows)))),
                ("Err", Value::Nil),
            ],
            StructRef::Row(row) => vec![
                ("Name", Value::from(&*row.name)),
                ("Tags", Value::Map(MapRef::Tags(&row.tags))),
                (
                    "Columns",
                    Value::List(ListRef::all(Items::Columns(&row.columns))),
                ),
                (
                    "Values",
                    Value::List(ListRef::all(Items::Values(&row.values))),
                ),
                ("Partial", Value::Bool(false)),
            ],
        }
    }

    /// Field `name`, looking through embedded structs; `Ok(None)` if there is none.
    fn field(&self, name: &str) -> Result<Option<Value<'a>>, ErrorKind> {
        if let StructRef::Data(data, info) = self {
            return data.field(*info, name).map(Some);
        }
        Ok(self
            .fields()
            .into_iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value))
    }

    /// Whether the struct is printed with `&` (a pointer to a struct).
    pub(super) fn is_pointer(&self) -> bool {
        matches!(self, StructRef::Row(_))
    }
}
