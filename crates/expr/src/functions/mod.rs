//! The built-in functions' implementations, looked up by name once at compile time.
//!
//! Pure functions are plain `fn(&[Value]) -> Result<Value, FnError>`; each matches its
//! arguments against the types it accepts and answers [`FnError::Signature`] otherwise, so
//! the evaluator can quote the signature table. The stateful ones (`count`, `sigma`,
//! `spread`, `rand`) keep their state in the evaluator and live in [`stateful`].

mod conversion;
mod format;
mod math;
mod mwc;
pub mod stateful;
mod strings;
mod time;

pub use conversion::parse_influxql_duration;

use crate::Value;

/// Why a function call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FnError {
    /// The arguments match none of the function's signatures.
    Signature,
    /// The function ran and failed, with Kapacitor's message.
    Failed(String),
}

/// A pure built-in function.
pub type PureFn = fn(&[Value]) -> Result<Value, FnError>;

/// What a function name resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Builtin {
    /// A function without state.
    Pure(PureFn),
    /// A function whose state lives in the evaluator.
    Stateful(stateful::StatefulFn),
}

/// The implementation of the built-in `name`.
pub fn lookup(name: &str) -> Option<Builtin> {
    if let Some(f) = stateful::StatefulFn::from_name(name) {
        return Some(Builtin::Stateful(f));
    }
    let pure = math::lookup(name)
        .or_else(|| strings::lookup(name))
        .or_else(|| conversion::lookup(name))
        .or_else(|| time::lookup(name))
        .or_else(|| format::lookup(name))
        .or_else(|| control(name))?;
    Some(Builtin::Pure(pure))
}

/// `isPresent` and `if`.
fn control(name: &str) -> Option<PureFn> {
    Some(match name {
        "isPresent" => |args| match args {
            [Value::Missing] => Ok(Value::Bool(false)),
            [Value::Bool(_) | Value::String(_) | Value::Int(_) | Value::Float(_)] => {
                Ok(Value::Bool(true))
            }
            _ => Err(FnError::Signature),
        },
        "if" => |args| match args {
            [Value::Bool(cond), a, b] if a.ty() == b.ty() && a.ty() != crate::Type::Missing => {
                Ok(if *cond { a.clone() } else { b.clone() })
            }
            _ => Err(FnError::Signature),
        },
        _ => return None,
    })
}

/// Unpacks one float argument.
fn one_float(args: &[Value]) -> Result<f64, FnError> {
    match args {
        [Value::Float(x)] => Ok(*x),
        _ => Err(FnError::Signature),
    }
}

/// Unpacks one string argument.
fn one_string(args: &[Value]) -> Result<&str, FnError> {
    match args {
        [Value::String(s)] => Ok(s),
        _ => Err(FnError::Signature),
    }
}

/// Unpacks two string arguments.
fn two_strings(args: &[Value]) -> Result<(&str, &str), FnError> {
    match args {
        [Value::String(a), Value::String(b)] => Ok((a, b)),
        _ => Err(FnError::Signature),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signatures::names;

    #[test]
    fn every_signature_has_an_implementation() {
        for name in names() {
            assert!(lookup(name).is_some(), "{name} has no implementation");
        }
        assert!(lookup("nosuch").is_none());
    }
}
