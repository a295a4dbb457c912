//! Applying an operator to two values: the run-time half of the rules in `operators`.
//!
//! Used per evaluation, when folding constant subexpressions at compile time, and by the
//! pipeline for top-level expressions such as `var d = 1m + 30s`.

use std::cmp::Ordering;

use tickflow_model::Duration;
use tickflow_tickscript::{BinaryOp, UnaryOp};

use crate::operators::{binary_type, unary_type, OperatorError};
use crate::Value;

/// Why an operator could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArithError {
    /// The operand types do not fit the operator.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// Integer (or duration by integer) division or modulo by zero.
    #[error("runtime error: integer divide by zero")]
    DivideByZero,
    /// A duration divided by a float gave no finite number of nanoseconds.
    #[error("duration {0} does not fit in a duration")]
    DurationOverflow(String),
}

/// `left op right` for any operator but `AND` and `OR` (which short-circuit, so the
/// evaluator handles them), with Kapacitor's type rules.
pub fn apply_binary(op: BinaryOp, left: &Value, right: &Value) -> Result<Value, ArithError> {
    use BinaryOp::*;
    // The type check first: it yields Kapacitor's error for every invalid combination,
    // so the matches below only see valid ones.
    binary_type(op, left.ty(), right.ty())?;
    let mismatch = || {
        ArithError::Operator(OperatorError::Mismatched {
            left: left.ty(),
            op: op.as_str(),
            right: right.ty(),
        })
    };
    Ok(match op {
        And | Or => match (left, right) {
            (Value::Bool(a), Value::Bool(b)) => {
                Value::Bool(if op == And { *a && *b } else { *a || *b })
            }
            _ => return Err(mismatch()),
        },
        Eq | NotEq => {
            let equal = compare(left, right) == Some(Ordering::Equal) || bools_equal(left, right);
            Value::Bool(equal == (op == Eq))
        }
        Less | LessEq | Greater | GreaterEq => {
            let ordering = compare(left, right);
            Value::Bool(match op {
                Less => ordering == Some(Ordering::Less),
                LessEq => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
                Greater => ordering == Some(Ordering::Greater),
                _ => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
            })
        }
        RegexMatch | RegexNotMatch => match (left, right) {
            (Value::String(s), Value::Regex(re)) => {
                Value::Bool(re.is_match(s) == (op == RegexMatch))
            }
            _ => return Err(mismatch()),
        },
        Add | Sub | Mul | Div | Mod => math(op, left, right).ok_or_else(mismatch)??,
    })
}

/// Orders two comparable values: numbers (ints widened when mixed), strings by bytes,
/// durations. `None` for NaN and for incomparable types.
fn compare(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Float(a), Value::Float(b)) => a.partial_cmp(b),
        (Value::Int(a), Value::Float(b)) => (*a as f64).partial_cmp(b),
        (Value::Float(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
        (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Value::Duration(a), Value::Duration(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn bools_equal(left: &Value, right: &Value) -> bool {
    matches!((left, right), (Value::Bool(a), Value::Bool(b)) if a == b)
}

/// Arithmetic; `None` for a combination the type check let through but that is not
/// arithmetic (which cannot happen).
fn math(op: BinaryOp, left: &Value, right: &Value) -> Option<Result<Value, ArithError>> {
    use BinaryOp::*;
    let dur = |n: i64| Value::Duration(Duration::from_nanos(n));
    Some(Ok(match (left, right) {
        (Value::Int(a), Value::Int(b)) => Value::Int(match op {
            Add => a.wrapping_add(*b),
            Sub => a.wrapping_sub(*b),
            Mul => a.wrapping_mul(*b),
            Div => return Some(int_div(*a, *b).map(Value::Int)),
            _ => return Some(int_rem(*a, *b).map(Value::Int)),
        }),
        (Value::Float(a), Value::Float(b)) => Value::Float(match op {
            Add => a + b,
            Sub => a - b,
            Mul => a * b,
            _ => a / b,
        }),
        (Value::String(a), Value::String(b)) => Value::String(format!("{a}{b}").into()),
        (Value::Duration(a), Value::Duration(b)) => match op {
            Add => dur(a.nanos().wrapping_add(b.nanos())),
            Sub => dur(a.nanos().wrapping_sub(b.nanos())),
            _ => return Some(int_div(a.nanos(), b.nanos()).map(Value::Int)),
        },
        (Value::Duration(d), Value::Int(n)) | (Value::Int(n), Value::Duration(d)) => match op {
            Mul => dur(d.nanos().wrapping_mul(*n)),
            _ => return Some(int_div(d.nanos(), *n).map(dur)),
        },
        (Value::Duration(d), Value::Float(f)) | (Value::Float(f), Value::Duration(d)) => {
            let nanos = d.nanos() as f64;
            let result = if op == Mul { nanos * f } else { nanos / f };
            if !result.is_finite() {
                return Some(Err(ArithError::DurationOverflow(result.to_string())));
            }
            dur(result as i64)
        }
        _ => return None,
    }))
}

fn int_div(a: i64, b: i64) -> Result<i64, ArithError> {
    if b == 0 {
        return Err(ArithError::DivideByZero);
    }
    Ok(a.wrapping_div(b))
}

fn int_rem(a: i64, b: i64) -> Result<i64, ArithError> {
    if b == 0 {
        return Err(ArithError::DivideByZero);
    }
    Ok(a.wrapping_rem(b))
}

/// `op operand`: negation of a number or duration, `!` of a boolean.
pub fn apply_unary(op: UnaryOp, operand: &Value) -> Result<Value, ArithError> {
    unary_type(op, operand.ty())?;
    Ok(match operand {
        Value::Int(i) => Value::Int(i.wrapping_neg()),
        Value::Float(f) => Value::Float(-f),
        Value::Duration(d) => Value::Duration(Duration::from_nanos(d.nanos().wrapping_neg())),
        Value::Bool(b) => Value::Bool(!b),
        other => {
            return Err(OperatorError::InvalidUnary {
                op: op.as_str(),
                ty: other.ty(),
            }
            .into())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(op: BinaryOp, l: Value, r: Value) -> Result<Value, ArithError> {
        apply_binary(op, &l, &r)
    }

    #[test]
    fn integer_division_truncates_and_guards_zero() {
        assert_eq!(
            apply(BinaryOp::Div, Value::Int(-7), Value::Int(2)),
            Ok(Value::Int(-3))
        );
        assert_eq!(
            apply(BinaryOp::Mod, Value::Int(7), Value::Int(0)),
            Err(ArithError::DivideByZero)
        );
        assert_eq!(
            apply(BinaryOp::Add, Value::Int(i64::MAX), Value::Int(1)),
            Ok(Value::Int(i64::MIN))
        );
    }

    #[test]
    fn float_division_by_zero_is_infinite() {
        assert_eq!(
            apply(BinaryOp::Div, Value::Float(1.0), Value::Float(0.0)),
            Ok(Value::Float(f64::INFINITY))
        );
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            apply(BinaryOp::Less, Value::Int(1), Value::Float(1.5)),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            apply(
                BinaryOp::Greater,
                Value::String("abc".into()),
                Value::String("abb".into())
            ),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            apply(BinaryOp::Eq, Value::Float(f64::NAN), Value::Float(f64::NAN)),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            apply(BinaryOp::NotEq, Value::Bool(true), Value::Bool(false)),
            Ok(Value::Bool(true))
        );
    }

    #[test]
    fn durations() {
        let d = |n| Value::Duration(Duration::from_nanos(n));
        assert_eq!(apply(BinaryOp::Mul, d(10), Value::Float(1.5)), Ok(d(15)));
        assert_eq!(apply(BinaryOp::Div, d(10), d(3)), Ok(Value::Int(3)));
        assert_eq!(apply(BinaryOp::Mul, Value::Int(3), d(10)), Ok(d(30)));
        assert!(apply(BinaryOp::Div, d(10), Value::Float(0.0)).is_err());
    }

    #[test]
    fn mixed_arithmetic_fails() {
        assert_eq!(
            apply(BinaryOp::Mul, Value::Float(1.0), Value::Int(2)).map_err(|e| e.to_string()),
            Err("mismatched type to binary operator. got float * int. see bool(), int(), float(), string(), duration()".into())
        );
    }
}
