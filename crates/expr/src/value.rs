//! [`Value`]: what a lambda computes, one of the run-time [`Type`]s.

use std::fmt;
use std::sync::Arc;

use tickflow_model::{Duration, FieldValue, Str, Time};

use crate::Type;

/// A run-time value.
#[derive(Debug, Clone)]
pub enum Value {
    /// A 64-bit float.
    Float(f64),
    /// A signed 64-bit integer.
    Int(i64),
    /// A string.
    String(Str),
    /// A boolean.
    Bool(bool),
    /// A compiled regular expression.
    Regex(Arc<regex::Regex>),
    /// An instant.
    Time(Time),
    /// A span of time.
    Duration(Duration),
    /// The value of a reference to neither a field nor a tag.
    Missing,
}

impl Value {
    /// The value's type.
    pub fn ty(&self) -> Type {
        match self {
            Value::Float(_) => Type::Float,
            Value::Int(_) => Type::Int,
            Value::String(_) => Type::String,
            Value::Bool(_) => Type::Bool,
            Value::Regex(_) => Type::Regex,
            Value::Time(_) => Type::Time,
            Value::Duration(_) => Type::Duration,
            Value::Missing => Type::Missing,
        }
    }

    /// The field value this value is stored as: unsigned fields read as ints, durations
    /// store as their nanoseconds; regexes, times and missing values have none.
    pub fn to_field(&self) -> Option<FieldValue> {
        Some(match self {
            Value::Float(v) => FieldValue::Float(*v),
            Value::Int(v) => FieldValue::Integer(*v),
            Value::String(v) => FieldValue::from(v.clone()),
            Value::Bool(v) => FieldValue::Boolean(*v),
            Value::Duration(d) => FieldValue::Integer(d.nanos()),
            Value::Regex(_) | Value::Time(_) | Value::Missing => return None,
        })
    }
}

impl From<&FieldValue> for Value {
    fn from(field: &FieldValue) -> Self {
        match field {
            FieldValue::Float(v) => Value::Float(*v),
            FieldValue::Integer(v) => Value::Int(*v),
            // Kapacitor has no unsigned type; tickflow reads such fields as ints, wrapping
            // values above i64::MAX the way a Go int64 conversion does.
            FieldValue::Unsigned(v) => Value::Int(*v as i64),
            FieldValue::String(v) => Value::String(Str::clone(v)),
            FieldValue::Boolean(v) => Value::Bool(*v),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Regex(a), Value::Regex(b)) => a.as_str() == b.as_str(),
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::Missing, Value::Missing) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    /// Renders the value as error messages quote it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Float(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::String(v) => write!(f, "{:?}", &**v),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Regex(r) => write!(f, "/{}/", r.as_str()),
            Value::Time(t) => write!(f, "{t}"),
            Value::Duration(d) => f.write_str(&d.to_influxql()),
            Value::Missing => f.write_str("missing"),
        }
    }
}
