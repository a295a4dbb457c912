//! The operator type rules: which operand types each operator accepts and what it yields.
//!
//! Comparisons mix int and float freely; arithmetic never does (`"f" * 2` on a float field
//! is an error, scripts write `2.0`). The same rules apply to top-level expressions at
//! definition time, to literal operands when a lambda is compiled, and to every evaluation.

use thiserror::Error;
use tickflow_tickscript::{BinaryOp, UnaryOp};

use crate::Type;
use Type::{Bool, Duration, Float, Int, String};

/// An operator applied to types it does not accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OperatorError {
    /// The left operand's type has no such operator at all.
    #[error("invalid {category} operator {op} for type {ty}")]
    Invalid {
        /// `math`, `comparison` or `logical`.
        category: &'static str,
        /// The operator as written.
        op: &'static str,
        /// The left operand's type.
        ty: Type,
    },
    /// The left type has the operator, but not with this right type.
    #[error("mismatched type to binary operator. got {left} {op} {right}. see bool(), int(), float(), string(), duration()")]
    Mismatched {
        /// The left operand's type.
        left: Type,
        /// The operator as written.
        op: &'static str,
        /// The right operand's type.
        right: Type,
    },
    /// A unary operator on a type it does not accept.
    #[error("invalid unary operator {op} for type {ty}")]
    InvalidUnary {
        /// The operator as written.
        op: &'static str,
        /// The operand's type.
        ty: Type,
    },
}

/// The kind of operator, as error messages name it.
fn category(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::And | BinaryOp::Or => "logical",
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => "math",
        _ => "comparison",
    }
}

/// Whether values of type `left` have operator `op` for some right operand type.
fn left_has(op: BinaryOp, left: Type) -> bool {
    use BinaryOp::*;
    matches!(
        (op, left),
        (And | Or, Bool)
            | (Eq | NotEq, Bool | Int | Float | String | Duration)
            | (
                Less | LessEq | Greater | GreaterEq,
                Int | Float | String | Duration
            )
            | (RegexMatch | RegexNotMatch, String)
            | (Add | Sub | Mul | Div | Mod, Int)
            | (Add | Sub | Mul | Div, Float | Duration)
            | (Add, String)
    )
}

/// The result of `left op right` when that combination is valid.
fn combine(op: BinaryOp, left: Type, right: Type) -> Option<Type> {
    use BinaryOp::*;
    let numeric = |t: Type| matches!(t, Int | Float);
    let result = match op {
        And | Or => (left == Bool && right == Bool).then_some(Bool)?,
        Eq | NotEq => (left == right && left != Type::Regex && left != Type::Time
            || numeric(left) && numeric(right))
        .then_some(Bool)?,
        Less | LessEq | Greater | GreaterEq => (left == right
            && matches!(left, Int | Float | String | Duration)
            || numeric(left) && numeric(right))
        .then_some(Bool)?,
        RegexMatch | RegexNotMatch => (left == String && right == Type::Regex).then_some(Bool)?,
        Add => match (left, right) {
            (Int, Int) | (Float, Float) | (Duration, Duration) | (String, String) => left,
            _ => return None,
        },
        Sub => match (left, right) {
            (Int, Int) | (Float, Float) | (Duration, Duration) => left,
            _ => return None,
        },
        Mul => match (left, right) {
            (Int, Int) | (Float, Float) => left,
            (Duration, Int | Float) | (Int | Float, Duration) => Duration,
            _ => return None,
        },
        Div => match (left, right) {
            (Int, Int) | (Float, Float) => left,
            (Duration, Int | Float) => Duration,
            (Duration, Duration) => Int,
            _ => return None,
        },
        Mod => (left == Int && right == Int).then_some(Int)?,
    };
    Some(result)
}

/// The type of `left op right`, or the error Kapacitor reports for it.
pub fn binary_type(op: BinaryOp, left: Type, right: Type) -> Result<Type, OperatorError> {
    if !left_has(op, left) {
        return Err(OperatorError::Invalid {
            category: category(op),
            op: op.as_str(),
            ty: left,
        });
    }
    combine(op, left, right).ok_or(OperatorError::Mismatched {
        left,
        op: op.as_str(),
        right,
    })
}

/// The type of `op operand`: `-` keeps int, float and duration; `!` takes a bool.
pub fn unary_type(op: UnaryOp, operand: Type) -> Result<Type, OperatorError> {
    match (op, operand) {
        (UnaryOp::Neg, Int | Float | Duration) | (UnaryOp::Not, Bool) => Ok(operand),
        _ => Err(OperatorError::InvalidUnary {
            op: op.as_str(),
            ty: operand,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(op: BinaryOp, l: Type, r: Type) -> std::string::String {
        binary_type(op, l, r).map_or_else(|e| e.to_string(), |t| format!("ok {t}"))
    }

    #[test]
    fn arithmetic_never_mixes_int_and_float() {
        assert_eq!(
            message(BinaryOp::Mul, Float, Int),
            "mismatched type to binary operator. got float * int. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(message(BinaryOp::Add, Int, Int), "ok int");
    }

    #[test]
    fn comparisons_mix_int_and_float() {
        assert_eq!(message(BinaryOp::Less, Int, Float), "ok boolean");
        assert_eq!(message(BinaryOp::Eq, Float, Int), "ok boolean");
        assert!(binary_type(BinaryOp::Eq, String, Type::Regex).is_err());
    }

    #[test]
    fn left_type_without_the_operator() {
        assert_eq!(
            message(BinaryOp::Add, Bool, Int),
            "invalid math operator + for type boolean"
        );
        assert_eq!(
            message(BinaryOp::Greater, Type::Time, Int),
            "invalid comparison operator > for type time"
        );
        assert_eq!(
            message(BinaryOp::Mod, Float, Float),
            "invalid math operator % for type float"
        );
        assert_eq!(
            message(BinaryOp::And, Int, Int),
            "invalid logical operator AND for type int"
        );
    }

    #[test]
    fn duration_arithmetic() {
        assert_eq!(message(BinaryOp::Mul, Int, Duration), "ok duration");
        assert_eq!(message(BinaryOp::Div, Duration, Duration), "ok int");
        assert_eq!(message(BinaryOp::Div, Duration, Float), "ok duration");
        assert!(binary_type(BinaryOp::Div, Int, Duration).is_err());
        assert_eq!(message(BinaryOp::Add, String, String), "ok string");
    }

    #[test]
    fn unary_rules() {
        assert_eq!(unary_type(UnaryOp::Neg, Duration), Ok(Duration));
        assert_eq!(unary_type(UnaryOp::Not, Bool), Ok(Bool));
        assert!(unary_type(UnaryOp::Neg, String).is_err());
    }
}
