//! Go's `encoding/json` of template values, for the `json` and `jsonCompact` functions
//! of details templates: struct fields under their names (Kapacitor's template data with
//! embedded structs flattened, alert data and rows under their JSON tags), maps with
//! sorted keys, times as RFC 3339 strings, durations and levels as Go marshals them.

use crate::json::{EncodeError, JsonWriter};
use crate::row::{write_field_value, write_result, write_row};

use super::data::TemplateData;
use super::value::{MapRef, StructRef, Value};

/// Writes `value` as Go's `encoding/json` would.
pub(super) fn write_json(w: &mut JsonWriter, value: &Value<'_>) -> Result<(), EncodeError> {
    match value {
        Value::Nil => {
            w.null();
        }
        Value::Bool(b) => {
            w.bool(*b);
        }
        Value::Int(n)
        | Value::Int64(n)
        | Value::Duration(n)
        | Value::Month(n)
        | Value::Weekday(n) => {
            w.int(*n);
        }
        Value::Uint8(n) => {
            w.uint(u64::from(*n));
        }
        Value::Uint64(n) => {
            w.uint(*n);
        }
        Value::Float(x) => {
            w.float(*x)?;
        }
        Value::Str(s) => {
            w.string(s);
        }
        Value::Time(t) => {
            w.string(&t.to_rfc3339());
        }
        Value::Level(level) => {
            // alert.Level marshals as its name.
            w.string(level.as_str());
        }
        Value::Location => {
            w.begin_object().end_object();
        }
        Value::Map(map) => write_map(w, map)?,
        Value::List(list) => {
            w.begin_array();
            for element in list.elements() {
                write_json(w, &element)?;
            }
            w.end_array();
        }
        Value::Struct(s) => write_struct(w, s)?,
    }
    Ok(())
}

fn write_struct(w: &mut JsonWriter, s: &StructRef<'_>) -> Result<(), EncodeError> {
    match s {
        StructRef::Alert(alert) => {
            return alert.write_json(w);
        }
        StructRef::Result(rows) => return write_result(w, rows),
        StructRef::Row(row) => return write_row(w, row),
        _ => {}
    }
    w.begin_object();
    match s {
        StructRef::Data(data, info) => {
            for field in TemplateData::promoted(*info) {
                w.key(field.name());
                write_json(w, &data.value(field))?;
            }
        }
        other => {
            for (name, value) in other.fields() {
                w.key(name);
                write_json(w, &value)?;
            }
        }
    }
    w.end_object();
    Ok(())
}

/// A map's entries in key order; tags and fields are already sorted.
fn write_map(w: &mut JsonWriter, map: &MapRef<'_>) -> Result<(), EncodeError> {
    w.begin_object();
    match map {
        MapRef::Tags(tags) => {
            for (key, value) in tags.iter() {
                w.key(key).string(value);
            }
        }
        MapRef::Fields(fields) => {
            for (key, value) in fields.iter() {
                w.key(key);
                write_field_value(w, value)?;
            }
        }
        MapRef::Entry(..) => {
            for (key, value) in map.entries() {
                w.key(key);
                write_json(w, &value)?;
            }
        }
    }
    w.end_object();
    Ok(())
}
