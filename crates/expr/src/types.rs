//! [`Type`]: the value types a lambda can produce or consume at run time.

use std::fmt;

/// A lambda value type, named as Kapacitor's error messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// A 64-bit float.
    Float,
    /// A signed 64-bit integer.
    Int,
    /// A string.
    String,
    /// A boolean.
    Bool,
    /// A regular expression (only from literals).
    Regex,
    /// An instant (only from `"time"` and `now()`).
    Time,
    /// A span of time (from literals and functions; never a field).
    Duration,
    /// The value of a reference that names neither a field nor a tag.
    Missing,
}

impl Type {
    /// The name used in error messages (`boolean`, not `bool`).
    pub fn name(self) -> &'static str {
        match self {
            Type::Float => "float",
            Type::Int => "int",
            Type::String => "string",
            Type::Bool => "boolean",
            Type::Regex => "regex",
            Type::Time => "time",
            Type::Duration => "duration",
            Type::Missing => "missing",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
