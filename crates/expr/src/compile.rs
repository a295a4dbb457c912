//! Compiling a lambda: from the syntax tree to a tree of resolved operations.
//!
//! Compilation runs the definition-time [`check`](crate::check), resolves each function
//! name to its implementation, compiles regex literals once, and folds subexpressions
//! made only of literals into constants, so that per point only references, operators
//! and calls remain.

use std::sync::Arc;

use tickflow_model::{Duration, Str};
use tickflow_tickscript::{Expr, LitValue, Span};

use crate::check::{check, CheckError, CheckErrorKind};
use crate::eval::{Evaluator, Node};
use crate::functions::lookup;
use crate::snapshot::RestoreError;
use crate::{Type, Value};

/// A lambda that failed to compile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompileError {
    /// The definition-time check failed.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// A regex literal the regex engine refuses (too large, for instance).
    #[error("invalid regex /{source_text}/: {reason}")]
    Regex {
        /// The regex as written.
        source_text: String,
        /// Why the engine refused it.
        reason: String,
        /// Where it is.
        span: Span,
    },
}

impl CompileError {
    /// Where in the script the problem is.
    pub fn span(&self) -> Span {
        match self {
            CompileError::Check(e) => e.span,
            CompileError::Regex { span, .. } => *span,
        }
    }
}

/// A compiled lambda. Cheap to clone; create an [`Evaluator`] per state scope (per group,
/// per node) to evaluate it.
#[derive(Debug, Clone)]
pub struct Lambda {
    root: Arc<Node>,
    result: Option<Type>,
    references: Arc<[Str]>,
    stateful: bool,
}

impl Lambda {
    /// Compiles a lambda body whose TICKscript variables are already substituted.
    pub fn compile(body: &Expr) -> Result<Lambda, CompileError> {
        let result = check(body)?;
        let mut references = Vec::new();
        let root = compile_node(body, &mut references)?;
        references.sort();
        references.dedup();
        Ok(Lambda {
            stateful: root.is_stateful(),
            root: Arc::new(root),
            result,
            references: references.into(),
        })
    }

    /// A fresh evaluator with its own state for the stateful functions.
    pub fn evaluator(&self) -> Evaluator {
        Evaluator::new(Arc::clone(&self.root))
    }

    /// An evaluator that goes on from the state [`Evaluator::snapshot`] wrote.
    pub fn restored_evaluator(&self, state: &serde_json::Value) -> Result<Evaluator, RestoreError> {
        let mut evaluator = self.evaluator();
        evaluator.restore(state)?;
        Ok(evaluator)
    }

    /// Whether the lambda calls a stateful function (`count()`, `sigma()`, `spread()`,
    /// `rand()`): only then do its evaluators have state worth saving.
    pub fn is_stateful(&self) -> bool {
        self.stateful
    }

    /// The result type when it is known without data.
    pub fn static_type(&self) -> Option<Type> {
        self.result
    }

    /// The field and tag names the lambda reads, sorted.
    pub fn references(&self) -> &[Str] {
        &self.references
    }
}

fn compile_node(expr: &Expr, references: &mut Vec<Str>) -> Result<Node, CompileError> {
    Ok(match expr {
        Expr::Literal(lit) => Node::Const(literal_value(&lit.value, lit.span)?),
        Expr::Reference(r) if r.name == "time" => Node::Time,
        Expr::Reference(r) => {
            let name: Str = r.name.as_str().into();
            references.push(name.clone());
            Node::Ref(name)
        }
        Expr::Lambda(inner) => compile_node(&inner.body, references)?,
        Expr::Unary(u) => fold(Node::Unary(
            u.op,
            Box::new(compile_node(&u.operand, references)?),
        )),
        Expr::Binary(b) => fold(Node::Binary(
            b.op,
            Box::new(compile_node(&b.lhs, references)?),
            Box::new(compile_node(&b.rhs, references)?),
        )),
        Expr::Call(call) => {
            let name = call.name.name.as_str();
            let args = call
                .args
                .exprs
                .iter()
                .map(|a| compile_node(a, references))
                .collect::<Result<Vec<_>, _>>()?;
            let builtin =
                lookup(name).ok_or_else(|| not_allowed(call.name.span, "an unknown function"))?;
            Node::Call {
                name: name.into(),
                builtin,
                args,
            }
        }
        // `check` has already rejected these; keep the error rather than panic.
        Expr::Ident(i) => return Err(not_allowed(i.span, "an unquoted name")),
        Expr::List(l) => return Err(not_allowed(l.span, "a list")),
        Expr::Chain(c) => return Err(not_allowed(c.span, "a node method")),
    })
}

fn not_allowed(span: Span, what: &'static str) -> CompileError {
    CompileError::Check(CheckError {
        span,
        kind: CheckErrorKind::NotAllowed { what },
    })
}

/// The value of a literal token.
pub fn literal_value(value: &LitValue, span: Span) -> Result<Value, CompileError> {
    Ok(match value {
        LitValue::Int { value, .. } => Value::Int(*value),
        LitValue::Float(f) => Value::Float(*f),
        LitValue::Duration { nanos, .. } => Value::Duration(Duration::from_nanos(*nanos)),
        LitValue::String { value, .. } => Value::String(value.as_str().into()),
        LitValue::Regex { pattern, source } => {
            let re = regex::Regex::new(pattern).map_err(|e| CompileError::Regex {
                source_text: source.clone(),
                reason: e.to_string(),
                span,
            })?;
            Value::Regex(Arc::new(re))
        }
        LitValue::Bool(b) => Value::Bool(*b),
        LitValue::Star => return Err(not_allowed(span, "*")),
    })
}

/// Replaces an operator over constants by its value; leaves it when evaluating it fails
/// (integer division by zero stays a per-point error, as in Kapacitor).
fn fold(node: Node) -> Node {
    let constant = match &node {
        Node::Unary(op, operand) => match &**operand {
            Node::Const(v) => crate::arith::apply_unary(*op, v).ok(),
            _ => None,
        },
        Node::Binary(op, l, r) => match (&**l, &**r) {
            (Node::Const(a), Node::Const(b)) => crate::arith::apply_binary(*op, a, b).ok(),
            _ => None,
        },
        _ => None,
    };
    constant.map_or(node, Node::Const)
}
