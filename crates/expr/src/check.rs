//! The definition-time check of a lambda: what can be known before any point arrives.
//!
//! References (`"field"`) are typed only at run time, so most of a lambda is dynamic. What
//! is static, Kapacitor checks when the task is created, and so does this module: an
//! operator whose operands are both literals (or expressions of literals) must accept
//! their types (`lambda: 1 + 2.0` fails). tickflow also rejects at definition what would
//! fail on every single point: a call of an unknown function, and a call whose
//! arguments' types are all known and match none of the function's signatures.

use thiserror::Error;
use tickflow_tickscript::{Binary, Call, Expr, LitValue, Span};

use crate::operators::{binary_type, unary_type, OperatorError};
use crate::signatures::{names, resolve, signatures};
use crate::Type;

/// Why a lambda cannot be compiled, and where.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{kind}")]
pub struct CheckError {
    /// The offending expression's bytes in the script.
    pub span: Span,
    /// What is wrong.
    pub kind: CheckErrorKind,
}

/// What is wrong with a lambda.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CheckErrorKind {
    /// An operator applied to literal operands of the wrong types.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// A call of a function that does not exist.
    #[error("undefined function {name:?}{}", suggestion.as_ref().map(|s| format!("; did you mean {s:?}?")).unwrap_or_default())]
    UnknownFunction {
        /// The name called.
        name: String,
        /// The nearest known name, if one is close.
        suggestion: Option<String>,
    },
    /// A call whose argument types match none of the function's signatures.
    #[error("cannot call function {name:?} with args ({}), available signatures are [{}]", join(args), available.join(", "))]
    Signature {
        /// The function.
        name: String,
        /// The argument types given.
        args: Vec<Type>,
        /// The accepted argument lists, rendered like `(float, float)`.
        available: Vec<String>,
    },
    /// Something that cannot appear inside a lambda (a list, `*`, a chain, a name).
    #[error("{what} is not allowed in a lambda expression")]
    NotAllowed {
        /// What was found.
        what: &'static str,
    },
}

fn join(types: &[Type]) -> String {
    types
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a lambda body (with TICKscript variables already substituted) and returns its
/// type when it is known without data (`None`: it depends on the point).
pub fn check(expr: &Expr) -> Result<Option<Type>, CheckError> {
    let at = |kind: CheckErrorKind| CheckError {
        span: expr.span(),
        kind,
    };
    match expr {
        Expr::Literal(lit) => literal_type(&lit.value)
            .map(Some)
            .ok_or_else(|| at(CheckErrorKind::NotAllowed { what: "*" })),
        Expr::Reference(_) => Ok(None),
        Expr::Lambda(inner) => check(&inner.body),
        Expr::Unary(unary) => match check(&unary.operand)? {
            Some(ty) => unary_type(unary.op, ty).map(Some).map_err(|e| at(e.into())),
            None => Ok(None),
        },
        Expr::Binary(binary) => check_binary(binary),
        Expr::Call(call) => check_call(call, expr.span()),
        Expr::Ident(_) => Err(at(CheckErrorKind::NotAllowed {
            what: "an unquoted name",
        })),
        Expr::List(_) => Err(at(CheckErrorKind::NotAllowed { what: "a list" })),
        Expr::Chain(_) => Err(at(CheckErrorKind::NotAllowed {
            what: "a node method",
        })),
    }
}

/// The type of a literal; `None` for `*`.
pub fn literal_type(value: &LitValue) -> Option<Type> {
    Some(match value {
        LitValue::Int { .. } => Type::Int,
        LitValue::Float(_) => Type::Float,
        LitValue::Duration { .. } => Type::Duration,
        LitValue::String { .. } => Type::String,
        LitValue::Regex { .. } => Type::Regex,
        LitValue::Bool(_) => Type::Bool,
        LitValue::Star => return None,
    })
}

fn check_binary(binary: &Binary) -> Result<Option<Type>, CheckError> {
    let left = check(&binary.lhs)?;
    let right = check(&binary.rhs)?;
    match (left, right) {
        (Some(l), Some(r)) => binary_type(binary.op, l, r)
            .map(Some)
            .map_err(|e| CheckError {
                span: binary.op_span,
                kind: e.into(),
            }),
        _ => Ok(None),
    }
}

fn check_call(call: &Call, span: Span) -> Result<Option<Type>, CheckError> {
    let name = call.name.name.as_str();
    let Some(available) = signatures(name) else {
        let suggestion = crate::suggest::nearest(name, names()).map(str::to_string);
        return Err(CheckError {
            span: call.name.span,
            kind: CheckErrorKind::UnknownFunction {
                name: name.to_string(),
                suggestion,
            },
        });
    };
    let mut args = Vec::with_capacity(call.args.exprs.len());
    for arg in &call.args.exprs {
        args.push(check(arg)?);
    }
    let known: Option<Vec<Type>> = args.into_iter().collect();
    let Some(known) = known else {
        // The result type of a call with dynamic arguments is decided per point.
        return Ok(None);
    };
    match resolve(name, &known) {
        Some(signature) => Ok(Some(signature.result)),
        None => Err(CheckError {
            span,
            kind: CheckErrorKind::Signature {
                name: name.to_string(),
                args: known,
                available: available
                    .iter()
                    .map(|s| format!("({})", join(s.args)))
                    .collect(),
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lambda_body(src: &str) -> Expr {
        let program =
            tickflow_tickscript::parse(&format!("var x = lambda: {src}\n")).expect("parses");
        match program.statements.into_iter().next() {
            Some(tickflow_tickscript::Statement::Var(tickflow_tickscript::VarDecl {
                init: tickflow_tickscript::VarInit::Value(expr),
                ..
            })) => expr,
            other => panic!("unexpected statement {other:?}"),
        }
    }

    fn outcome(src: &str) -> String {
        match check(&lambda_body(src)) {
            Ok(Some(ty)) => format!("static {ty}"),
            Ok(None) => "dynamic".to_string(),
            Err(e) => format!("error at {}..{}: {e}", e.span.start, e.span.end),
        }
    }

    #[test]
    fn literal_operands_are_checked() {
        assert_eq!(
            outcome("1 + 2.0"),
            "error at 18..19: mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration()"
        );
        assert_eq!(outcome("(1 + 2) * 3"), "static int");
        assert_eq!(outcome("1m / 2"), "static duration");
    }

    #[test]
    fn references_are_dynamic() {
        assert_eq!(outcome("\"f\" * 2"), "dynamic");
        assert_eq!(outcome("\"f\" > 2 AND TRUE"), "dynamic");
    }

    #[test]
    fn functions() {
        assert_eq!(outcome("abs(\"x\")"), "dynamic");
        assert_eq!(outcome("sqrt(4.0)"), "static float");
        assert_eq!(outcome("abs(1)"), "error at 16..22: cannot call function \"abs\" with args (int), available signatures are [(float)]");
        assert_eq!(
            outcome("sqr(4.0)"),
            "error at 16..19: undefined function \"sqr\"; did you mean \"sqrt\"?"
        );
        assert_eq!(
            outcome("if(TRUE, 1, 2.0)").split(':').next(),
            Some("error at 16..32")
        );
    }
}
