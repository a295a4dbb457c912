//! [`FieldValue`]: the five value types a field can hold.

use std::fmt;

use crate::Str;

/// One field's value. Line protocol's types: float (the default for a bare number),
/// integer (`1i`), unsigned (`1u`), string (`"x"`) and boolean (`t`, `false`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A 64-bit float.
    Float(f64),
    /// A signed 64-bit integer.
    Integer(i64),
    /// An unsigned 64-bit integer.
    Unsigned(u64),
    /// A string, boxed so that a value takes 16 bytes: strings are rare in fields, and
    /// numbers, most values, then fit a field map in one 64-byte block for three fields.
    String(Box<Str>),
    /// A boolean.
    Boolean(bool),
}

impl FieldValue {
    /// A string value.
    pub fn string(s: impl Into<Str>) -> Self {
        FieldValue::String(Box::new(s.into()))
    }

    /// The type's name as Kapacitor's error messages spell it.
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldValue::Float(_) => "float",
            FieldValue::Integer(_) => "int",
            FieldValue::Unsigned(_) => "uint",
            FieldValue::String(_) => "string",
            FieldValue::Boolean(_) => "bool",
        }
    }

    /// The value as a float, for the numeric types.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            FieldValue::Float(v) => Some(v),
            FieldValue::Integer(v) => Some(v as f64),
            FieldValue::Unsigned(v) => Some(v as f64),
            FieldValue::String(_) | FieldValue::Boolean(_) => None,
        }
    }
}

impl From<f64> for FieldValue {
    fn from(v: f64) -> Self {
        FieldValue::Float(v)
    }
}

impl From<i64> for FieldValue {
    fn from(v: i64) -> Self {
        FieldValue::Integer(v)
    }
}

impl From<u64> for FieldValue {
    fn from(v: u64) -> Self {
        FieldValue::Unsigned(v)
    }
}

impl From<bool> for FieldValue {
    fn from(v: bool) -> Self {
        FieldValue::Boolean(v)
    }
}

impl From<&str> for FieldValue {
    fn from(v: &str) -> Self {
        FieldValue::string(v)
    }
}

impl From<Str> for FieldValue {
    fn from(v: Str) -> Self {
        FieldValue::string(v)
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Float(v) => write!(f, "{v}"),
            FieldValue::Integer(v) => write!(f, "{v}"),
            FieldValue::Unsigned(v) => write!(f, "{v}"),
            FieldValue::String(v) => f.write_str(v),
            FieldValue::Boolean(v) => write!(f, "{v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_takes_two_words() {
        assert_eq!(std::mem::size_of::<FieldValue>(), 16);
    }
}
