//! The Go types of function and method parameters, and which values each accepts: a
//! constant converts to the parameter's type where Go converts it, any other value must
//! already have it.

use super::value::Value;

/// A parameter's Go type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Param {
    /// `interface{}`: anything, `nil` included; constants take their default type.
    Any,
    /// `reflect.Value` (the builtins' parameters): like `Any`, but `nil` cannot be passed.
    Value,
    /// `int`.
    Int,
    /// `string`.
    Str,
    /// `time.Duration`.
    Duration,
    /// `time.Time`.
    Time,
}

impl Param {
    /// The Go type name.
    pub(super) fn type_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Value => "reflect.Value",
            Param::Int => "int",
            Param::Str => "string",
            Param::Duration => "time.Duration",
            Param::Time => "time.Time",
        }
    }

    /// Whether a (non-constant) `value` can be passed.
    pub(super) fn accepts(self, value: &Value<'_>) -> bool {
        match self {
            Param::Any | Param::Value => true,
            Param::Int => matches!(value, Value::Int(_)),
            Param::Str => matches!(value, Value::Str(_)),
            Param::Duration => matches!(value, Value::Duration(_)),
            Param::Time => matches!(value, Value::Time(_)),
        }
    }
}
