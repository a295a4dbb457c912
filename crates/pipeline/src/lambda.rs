//! [`Lambda`]: a `lambda:` expression as a node keeps it, with TICKscript variables
//! replaced by their values.
//!
//! When the script evaluates `lambda: "value" > crit`, every identifier in the body is
//! replaced by a literal of the variable's current value (a lambda variable by its body),
//! so the node receives `"value" > 90.0` (kapacitor-compat.md, tickscript §3.4). A name with no binding, or
//! bound to a value that has no literal form (a node), fails the script. When a node
//! takes the lambda, [`tickflow_expr::check`] applies the static type rules.

use std::fmt;

use tickflow_tickscript::{
    format, Binary, BinaryOp, Call, Expr, Ident, Lambda as LambdaExpr, List, LitValue, Literal,
    Parens, Program, Span, Statement, Unary,
};

use crate::error::{BuildError, BuildErrorKind};
use crate::value::Value;

/// A lambda expression ready for the engine to compile: the body with every TICKscript
/// variable substituted, and where the `lambda:` was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    /// The body, e.g. `"value" > 90.0`.
    pub expr: Expr,
    /// The `lambda: …` expression in the script.
    pub span: Span,
}

impl Lambda {
    /// `self AND other`, as Kapacitor combines repeated `.where()` calls and deadman
    /// conditions.
    pub(crate) fn and(self, other: Lambda) -> Lambda {
        let expr = Expr::Binary(Binary {
            op: BinaryOp::And,
            op_span: other.span,
            op_comment: None,
            lhs: Box::new(parenthesize(self.expr)),
            rhs: Box::new(parenthesize(other.expr)),
            parens: None,
            multiline: false,
            span: self.span.to(other.span),
        });
        Lambda {
            expr,
            span: self.span.to(other.span),
        }
    }

    /// Applies the definition-time type rules to the body.
    pub(crate) fn check(&self) -> Result<(), tickflow_expr::CheckError> {
        tickflow_expr::check(&self.expr).map(|_| ())
    }
}

impl fmt::Display for Lambda {
    /// `lambda: <body>` on one line, in the canonical layout.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut body = self.expr.clone();
        strip_layout(&mut body);
        let program = Program {
            statements: vec![Statement::Expr(Expr::Lambda(LambdaExpr {
                body: Box::new(body),
                span: self.span,
                comment: None,
            }))],
            trailing_comment: None,
            span: self.span,
        };
        let text = format(&program);
        let one_line: Vec<&str> = text.lines().map(str::trim).collect();
        f.write_str(&one_line.join(" "))
    }
}

/// `expr`, marked parenthesized if it binds looser than `AND` (so it prints right as an
/// operand of one).
fn parenthesize(mut expr: Expr) -> Expr {
    if let Expr::Binary(binary) = &mut expr {
        if binary.op.precedence() < BinaryOp::And.precedence() && binary.parens.is_none() {
            binary.parens = Some(Parens { comment: None });
        }
    }
    expr
}

/// Drops comments and line-break hints, so the formatter writes one line.
fn strip_layout(expr: &mut Expr) {
    match expr {
        Expr::Literal(e) => e.comment = None,
        Expr::Reference(e) => e.comment = None,
        Expr::Ident(e) => e.comment = None,
        Expr::List(e) => {
            e.comment = None;
            e.items.iter_mut().for_each(strip_layout);
        }
        Expr::Lambda(e) => {
            e.comment = None;
            strip_layout(&mut e.body);
        }
        Expr::Unary(e) => {
            e.comment = None;
            strip_layout(&mut e.operand);
        }
        Expr::Binary(e) => {
            e.op_comment = None;
            e.multiline = false;
            if let Some(parens) = &mut e.parens {
                parens.comment = None;
            }
            strip_layout(&mut e.lhs);
            strip_layout(&mut e.rhs);
        }
        Expr::Call(e) => {
            e.name.comment = None;
            e.args.multiline = false;
            e.args.exprs.iter_mut().for_each(strip_layout);
        }
        Expr::Chain(e) => {
            e.op_comment = None;
            strip_layout(&mut e.target);
        }
    }
}

/// A copy of `expr` with each identifier replaced by the literal `resolve` gives for it.
pub(crate) fn substitute(
    expr: &Expr,
    resolve: &mut dyn FnMut(&Ident) -> Result<Value, BuildError>,
) -> Result<Expr, BuildError> {
    Ok(match expr {
        Expr::Ident(ident) => {
            let value = resolve(ident)?;
            to_literal(&value, ident.span).map_err(|kind| BuildError::new(ident.span, kind))?
        }
        Expr::Literal(_) | Expr::Reference(_) | Expr::Chain(_) => expr.clone(),
        Expr::List(list) => Expr::List(List {
            items: list
                .items
                .iter()
                .map(|item| substitute(item, resolve))
                .collect::<Result<_, _>>()?,
            ..list.clone()
        }),
        Expr::Lambda(inner) => Expr::Lambda(LambdaExpr {
            body: Box::new(substitute(&inner.body, resolve)?),
            ..inner.clone()
        }),
        Expr::Unary(unary) => Expr::Unary(Unary {
            operand: Box::new(substitute(&unary.operand, resolve)?),
            ..unary.clone()
        }),
        Expr::Binary(binary) => Expr::Binary(Binary {
            lhs: Box::new(substitute(&binary.lhs, resolve)?),
            rhs: Box::new(substitute(&binary.rhs, resolve)?),
            ..binary.clone()
        }),
        Expr::Call(call) => {
            let mut args = call.args.clone();
            args.exprs = call
                .args
                .exprs
                .iter()
                .map(|arg| substitute(arg, resolve))
                .collect::<Result<_, _>>()?;
            Expr::Call(Box::new(Call {
                args,
                ..(**call).clone()
            }))
        }
    })
}

/// The literal expression of a value, placed at `span` (Kapacitor's `ValueToLiteralNode`).
pub(crate) fn to_literal(value: &Value, span: Span) -> Result<Expr, BuildErrorKind> {
    let literal = |value: LitValue| {
        Expr::Literal(Literal {
            value,
            span,
            comment: None,
        })
    };
    Ok(match value {
        Value::Int(v) => literal(LitValue::Int {
            value: *v,
            octal: false,
        }),
        Value::Float(v) => literal(LitValue::Float(*v)),
        Value::Bool(v) => literal(LitValue::Bool(*v)),
        Value::String(v) => literal(LitValue::String {
            value: v.clone(),
            triple: false,
        }),
        Value::Duration(d) => literal(LitValue::Duration {
            nanos: d.nanos(),
            text: d.to_influxql(),
        }),
        Value::Regex(re) => literal(LitValue::Regex {
            pattern: re.pattern.clone(),
            source: re.source.clone(),
        }),
        Value::Star => literal(LitValue::Star),
        Value::Lambda(lambda) => lambda.expr.clone(),
        Value::List(items) => Expr::List(List {
            items: items
                .iter()
                .map(|item| to_literal(item, span))
                .collect::<Result<_, _>>()?,
            span,
            comment: None,
        }),
        other => {
            return Err(BuildErrorKind::UnsupportedLiteral {
                go_type: other.go_type(),
            })
        }
    })
}
