//! A value read from a sideload file, and its conversion to the type of the default it
//! stands in for: a `.field('name', 1.0)` wants a float, `.tag('name', 'x')` a string.

use tickflow_model::{FieldValue, Str};

/// One value of a file's map, as the file wrote it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// An integer that fits an `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    Uint(u64),
    /// A number with a fraction or an exponent.
    Float(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// Anything else a JSON file can hold (`null`, an array, an object), by its JSON
    /// name: it converts to nothing.
    Other(&'static str),
}

/// Why a file's value cannot stand in for a default.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot use {value} as {target}")]
pub(crate) struct ConvertError {
    /// The value as the message shows it (`"abc" (string)`).
    value: String,
    /// The wanted type (`float`).
    target: &'static str,
}

impl Value {
    /// The value as a field of the same type as `default`: any number for a float, an
    /// integer (or a float without fraction) in range for an integer or unsigned, a
    /// boolean for a boolean, and any number, string or boolean (as text) for a string.
    pub(crate) fn to_field(&self, default: &FieldValue) -> Result<FieldValue, ConvertError> {
        let converted = match default {
            FieldValue::Float(_) => self.to_float().map(FieldValue::Float),
            FieldValue::Integer(_) => self.to_int().map(FieldValue::Integer),
            FieldValue::Unsigned(_) => self.to_uint().map(FieldValue::Unsigned),
            FieldValue::Boolean(_) => match self {
                Value::Bool(b) => Some(FieldValue::Boolean(*b)),
                _ => None,
            },
            FieldValue::String(_) => self.to_text().map(FieldValue::string),
        };
        converted.ok_or_else(|| self.error(default.type_name()))
    }

    /// The value as a tag: a string, or a number or boolean as text.
    pub(crate) fn to_tag(&self) -> Result<Str, ConvertError> {
        self.to_text().ok_or_else(|| self.error("tag"))
    }

    fn to_float(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Uint(u) => Some(u as f64),
            Value::Float(x) => Some(x),
            _ => None,
        }
    }

    fn to_int(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            Value::Uint(u) => i64::try_from(u).ok(),
            Value::Float(x) => integral(x).and_then(|x| i64::try_from(x).ok()),
            _ => None,
        }
    }

    fn to_uint(&self) -> Option<u64> {
        match *self {
            Value::Int(i) => u64::try_from(i).ok(),
            Value::Uint(u) => Some(u),
            Value::Float(x) => integral(x).and_then(|x| u64::try_from(x).ok()),
            _ => None,
        }
    }

    fn to_text(&self) -> Option<Str> {
        match self {
            Value::Int(i) => Some(i.to_string().into()),
            Value::Uint(u) => Some(u.to_string().into()),
            Value::Float(x) => Some(x.to_string().into()),
            Value::Str(s) => Some(s.as_str().into()),
            Value::Bool(b) => Some(b.to_string().into()),
            Value::Other(_) => None,
        }
    }

    fn error(&self, target: &'static str) -> ConvertError {
        let value = match self {
            Value::Int(i) => format!("{i} (integer)"),
            Value::Uint(u) => format!("{u} (integer)"),
            Value::Float(x) => format!("{x} (float)"),
            Value::Str(s) => format!("{s:?} (string)"),
            Value::Bool(b) => format!("{b} (boolean)"),
            Value::Other(kind) => format!("a JSON {kind}"),
        };
        ConvertError { value, target }
    }
}

/// `x` as an integer when it has no fraction and fits an `i128`.
fn integral(x: f64) -> Option<i128> {
    // i128 holds every finite f64 without fraction that an i64 or u64 could.
    (x.is_finite() && x.fract() == 0.0 && x.abs() < 1e38).then_some(x as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_default_type() {
        let float = FieldValue::Float(0.0);
        let int = FieldValue::Integer(0);
        let uint = FieldValue::Unsigned(0);
        assert_eq!(Value::Int(3).to_field(&float), Ok(FieldValue::Float(3.0)));
        assert_eq!(Value::Float(4.0).to_field(&int), Ok(FieldValue::Integer(4)));
        assert_eq!(Value::Int(5).to_field(&uint), Ok(FieldValue::Unsigned(5)));
        assert_eq!(
            Value::Uint(u64::MAX).to_field(&uint),
            Ok(FieldValue::Unsigned(u64::MAX))
        );
        assert!(Value::Float(4.5).to_field(&int).is_err());
        assert!(Value::Int(-1).to_field(&uint).is_err());
        assert!(Value::Uint(u64::MAX).to_field(&int).is_err());
    }

    #[test]
    fn strings_take_any_scalar_and_booleans_only_booleans() {
        let string = FieldValue::string("");
        assert_eq!(
            Value::Float(1.5).to_field(&string),
            Ok(FieldValue::string("1.5"))
        );
        assert_eq!(Value::Bool(true).to_tag(), Ok(Str::from("true")));
        assert_eq!(
            Value::Bool(false).to_field(&FieldValue::Boolean(true)),
            Ok(FieldValue::Boolean(false))
        );
        let error = Value::Str("yes".into())
            .to_field(&FieldValue::Boolean(true))
            .expect_err("a string is no boolean");
        assert_eq!(error.to_string(), "cannot use \"yes\" (string) as bool");
        let error = Value::Other("array").to_tag().expect_err("no tag");
        assert_eq!(error.to_string(), "cannot use a JSON array as tag");
    }
}
