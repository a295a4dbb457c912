//! Operators outside lambdas: `var x = 5 * 2`, `var d = 1m + 30s`, `-period`.
//!
//! Kapacitor computes these when the script is evaluated, with the same rules as lambdas:
//! [`tickflow_expr::apply_binary`] and [`tickflow_expr::apply_unary`] do the work. Only
//! literals and variables can take part: a field reference or a function call has no
//! value before there is a point.

use tickflow_expr::{apply_binary, apply_unary, binary_type, Type};
use tickflow_model::Duration;
use tickflow_tickscript::{BinaryOp, Expr, Ident, LitValue, UnaryOp};

use crate::error::{BuildError, BuildErrorKind};
use crate::value::{Regex, Value};

/// The value of a literal.
pub(crate) fn literal(value: &LitValue) -> Value {
    match value {
        LitValue::Int { value, .. } => Value::Int(*value),
        LitValue::Float(v) => Value::Float(*v),
        LitValue::Duration { nanos, .. } => Value::Duration(Duration::from_nanos(*nanos)),
        LitValue::String { value, .. } => Value::String(value.clone()),
        LitValue::Regex { pattern, source } => Value::Regex(Regex {
            pattern: pattern.clone(),
            source: source.clone(),
        }),
        LitValue::Bool(v) => Value::Bool(*v),
        LitValue::Star => Value::Star,
    }
}

/// `op value`: `-` negates ints, floats and durations, `!` booleans.
pub(crate) fn unary(op: UnaryOp, value: Value) -> Result<Value, BuildErrorKind> {
    let invalid = |value: &Value| BuildErrorKind::InvalidUnaryOperand {
        op: op.as_str(),
        value: value.to_string(),
    };
    let result = operand(&value)
        .and_then(|v| apply_unary(op, &v).ok())
        .ok_or_else(|| invalid(&value))?;
    script_value(result)
}

/// Evaluates a binary expression tree of literals and variables.
pub(crate) fn evaluate(
    expr: &Expr,
    resolve: &mut dyn FnMut(&Ident) -> Result<Value, BuildError>,
) -> Result<Value, BuildError> {
    let at = |kind: BuildErrorKind| BuildError::new(expr.span(), kind);
    match expr {
        Expr::Literal(lit) => Ok(literal(&lit.value)),
        Expr::Ident(ident) => {
            let value = resolve(ident)?;
            match operand(&value).is_some() || matches!(value, Value::Regex(_)) {
                true => Ok(value),
                false => Err(BuildError::new(
                    ident.span,
                    BuildErrorKind::UnsupportedLiteral {
                        go_type: value.go_type(),
                    },
                )),
            }
        }
        Expr::Unary(e) => unary(e.op, evaluate(&e.operand, resolve)?)
            .map_err(|kind| BuildError::new(e.span, kind)),
        Expr::Binary(e) => {
            let lhs = evaluate(&e.lhs, resolve)?;
            let rhs = evaluate(&e.rhs, resolve)?;
            binary(e.op, lhs, rhs).map_err(|kind| BuildError::new(e.op_span, kind))
        }
        Expr::Reference(_) => Err(at(BuildErrorKind::NotConstant {
            what: "a field reference",
        })),
        Expr::Call(_) => Err(at(BuildErrorKind::NotConstant {
            what: "a function call",
        })),
        Expr::List(_) | Expr::Lambda(_) | Expr::Chain(_) => Err(at(BuildErrorKind::NotConstant {
            what: "this operand",
        })),
    }
}

/// The value as a lambda operand, for the types that can be one.
fn operand(value: &Value) -> Option<tickflow_expr::Value> {
    Some(match value {
        Value::Int(v) => tickflow_expr::Value::Int(*v),
        Value::Float(v) => tickflow_expr::Value::Float(*v),
        Value::Bool(v) => tickflow_expr::Value::Bool(*v),
        Value::String(v) => tickflow_expr::Value::String(v.as_str().into()),
        Value::Duration(v) => tickflow_expr::Value::Duration(*v),
        _ => return None,
    })
}

/// A lambda result as a script value.
fn script_value(value: tickflow_expr::Value) -> Result<Value, BuildErrorKind> {
    Ok(match value {
        tickflow_expr::Value::Int(v) => Value::Int(v),
        tickflow_expr::Value::Float(v) => Value::Float(v),
        tickflow_expr::Value::Bool(v) => Value::Bool(v),
        tickflow_expr::Value::String(v) => Value::String(v.to_string()),
        tickflow_expr::Value::Duration(v) => Value::Duration(v),
        _ => {
            return Err(BuildErrorKind::NotConstant {
                what: "this operation",
            })
        }
    })
}

/// `lhs op rhs` with the lambda operator rules ([`tickflow_expr::apply_binary`]).
fn binary(op: BinaryOp, lhs: Value, rhs: Value) -> Result<Value, BuildErrorKind> {
    let regex = |v: &Value| matches!(v, Value::Regex(_));
    if regex(&lhs) || regex(&rhs) {
        // Type errors first, as Kapacitor reports them; a valid regex match needs a point.
        let type_of = |v: &Value| operand(v).map_or(Type::Regex, |o| o.ty());
        binary_type(op, type_of(&lhs), type_of(&rhs))?;
        return Err(BuildErrorKind::NotConstant {
            what: "a regex match",
        });
    }
    let (Some(left), Some(right)) = (operand(&lhs), operand(&rhs)) else {
        return Err(BuildErrorKind::NotConstant {
            what: "this operand",
        });
    };
    script_value(apply_binary(op, &left, &right)?)
}
