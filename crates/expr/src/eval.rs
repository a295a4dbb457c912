//! Evaluating a compiled lambda against one point.

use std::sync::Arc;

use tickflow_model::Str;
use tickflow_tickscript::{BinaryOp, UnaryOp};

use crate::arith::{apply_binary, apply_unary, ArithError};
use crate::functions::stateful::State;
use crate::functions::{Builtin, FnError};
use crate::signatures::signatures;
use crate::snapshot::RestoreError;
use crate::{Scope, Type, Value};

/// A compiled expression tree.
#[derive(Debug)]
pub(crate) enum Node {
    /// A literal, or a folded subexpression of literals.
    Const(Value),
    /// A field or tag reference.
    Ref(Str),
    /// The `"time"` reference.
    Time,
    /// A prefix operator.
    Unary(UnaryOp, Box<Node>),
    /// An infix operator.
    Binary(BinaryOp, Box<Node>, Box<Node>),
    /// A built-in function call.
    Call {
        /// The function's name, for errors.
        name: Str,
        /// Its implementation.
        builtin: Builtin,
        /// The argument expressions.
        args: Vec<Node>,
    },
}

/// Why one evaluation failed. The consuming node logs it and drops the point (or, for
/// alert levels, counts the level as not matched).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// The whole expression is a reference to a missing field or tag.
    #[error("reference {name:?} is missing value")]
    Missing {
        /// The reference.
        name: String,
    },
    /// An operand of an operator is a missing reference.
    #[error("{side} reference value {name:?} is missing value")]
    MissingOperand {
        /// `left` or `right`.
        side: &'static str,
        /// The reference.
        name: String,
    },
    /// A function argument (other than `isPresent`'s) is a missing reference.
    #[error("cannot call function {function:?} argument {name:?} is missing")]
    MissingArgument {
        /// The function.
        function: String,
        /// The reference.
        name: String,
    },
    /// A name is both a field and a tag of the point.
    #[error("cannot have field and tags with same name {name:?}")]
    FieldAndTag {
        /// The name.
        name: String,
    },
    /// An operator failed.
    #[error(transparent)]
    Arith(#[from] ArithError),
    /// A call's argument types match none of the function's signatures.
    #[error("cannot call function {function:?} with args ({args}), available signatures are [{available}]")]
    Signature {
        /// The function.
        function: String,
        /// The arguments, rendered `value: type`.
        args: String,
        /// The accepted argument lists.
        available: String,
    },
    /// A function ran and failed.
    #[error("error calling {function:?}: {message}")]
    Function {
        /// The function.
        function: String,
        /// Its message.
        message: String,
    },
    /// A predicate produced something other than a boolean.
    #[error("expression returned unexpected type {0}, expected boolean")]
    NotBool(Type),
}

/// One instance of a compiled lambda with its own stateful-function state.
#[derive(Debug, Clone)]
pub struct Evaluator {
    root: Arc<Node>,
    state: State,
}

impl Evaluator {
    pub(crate) fn new(root: Arc<Node>) -> Self {
        Evaluator {
            root,
            state: State::default(),
        }
    }

    /// The state of the lambda's stateful functions (`count()`, `sigma()`, ...) as JSON,
    /// `{}` while none has run; see [`crate::snapshot`].
    pub fn snapshot(&self) -> serde_json::Value {
        self.state.to_json()
    }

    /// Takes the state [`Evaluator::snapshot`] wrote, so evaluation goes on as it would
    /// have in the evaluator that wrote it.
    pub fn restore(&mut self, state: &serde_json::Value) -> Result<(), RestoreError> {
        self.state = State::from_json(state)?;
        Ok(())
    }

    /// Evaluates the lambda on one point. A result that is a missing reference is an error.
    pub fn eval(&mut self, scope: &Scope<'_>) -> Result<Value, EvalError> {
        let root = Arc::clone(&self.root);
        match self.node(&root, scope)? {
            Value::Missing => Err(EvalError::Missing {
                name: reference_name(&root),
            }),
            value => Ok(value),
        }
    }

    /// Evaluates a predicate (`where`, alert levels, ...): the result must be a boolean.
    pub fn eval_bool(&mut self, scope: &Scope<'_>) -> Result<bool, EvalError> {
        match self.eval(scope)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::NotBool(other.ty())),
        }
    }

    fn node(&mut self, node: &Node, scope: &Scope<'_>) -> Result<Value, EvalError> {
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Ref(name) => scope.lookup(name),
            Node::Time => Ok(Value::Time(scope.time)),
            Node::Unary(op, operand) => {
                let value = self.operand(operand, scope, "right")?;
                Ok(apply_unary(*op, &value)?)
            }
            Node::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) => {
                self.logical(*op, l, r, scope)
            }
            Node::Binary(op, l, r) => {
                let left = self.operand(l, scope, "left")?;
                let right = self.operand(r, scope, "right")?;
                Ok(apply_binary(*op, &left, &right)?)
            }
            Node::Call {
                name,
                builtin,
                args,
            } => self.call(name, *builtin, args, scope),
        }
    }

    /// Evaluates an operand, turning a missing reference into Kapacitor's error.
    fn operand(
        &mut self,
        node: &Node,
        scope: &Scope<'_>,
        side: &'static str,
    ) -> Result<Value, EvalError> {
        match self.node(node, scope)? {
            Value::Missing => Err(EvalError::MissingOperand {
                side,
                name: reference_name(node),
            }),
            value => Ok(value),
        }
    }

    /// `AND` and `OR`, short-circuiting on the left operand.
    fn logical(
        &mut self,
        op: BinaryOp,
        l: &Node,
        r: &Node,
        scope: &Scope<'_>,
    ) -> Result<Value, EvalError> {
        let left = self.operand(l, scope, "left")?;
        let decided = match (op, &left) {
            (BinaryOp::And, Value::Bool(false)) => Some(false),
            (BinaryOp::Or, Value::Bool(true)) => Some(true),
            _ => None,
        };
        if let Some(result) = decided {
            return Ok(Value::Bool(result));
        }
        let right = self.operand(r, scope, "right")?;
        Ok(apply_binary(op, &left, &right)?)
    }

    fn call(
        &mut self,
        name: &Str,
        builtin: Builtin,
        args: &[Node],
        scope: &Scope<'_>,
    ) -> Result<Value, EvalError> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            let value = self.node(arg, scope)?;
            if matches!(value, Value::Missing) && &**name != "isPresent" {
                return Err(EvalError::MissingArgument {
                    function: name.to_string(),
                    name: reference_name(arg),
                });
            }
            values.push(value);
        }
        let result = match builtin {
            Builtin::Pure(f) => f(&values),
            Builtin::Stateful(f) => self.state.call(f, &values),
        };
        result.map_err(|e| match e {
            FnError::Signature => signature_error(name, &values),
            FnError::Failed(message) => EvalError::Function {
                function: name.to_string(),
                message,
            },
        })
    }
}

impl Node {
    /// Whether the tree calls a stateful function.
    pub(crate) fn is_stateful(&self) -> bool {
        match self {
            Node::Const(_) | Node::Ref(_) | Node::Time => false,
            Node::Unary(_, operand) => operand.is_stateful(),
            Node::Binary(_, l, r) => l.is_stateful() || r.is_stateful(),
            Node::Call { builtin, args, .. } => {
                matches!(builtin, Builtin::Stateful(_)) || args.iter().any(Node::is_stateful)
            }
        }
    }
}

/// The reference a node reads, for messages about missing values.
fn reference_name(node: &Node) -> String {
    match node {
        Node::Ref(name) => name.to_string(),
        _ => String::new(),
    }
}

fn signature_error(name: &str, values: &[Value]) -> EvalError {
    let args = values
        .iter()
        .map(|v| format!("{v}: {}", v.ty()))
        .collect::<Vec<_>>()
        .join(", ");
    let available = signatures(name)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            format!(
                "({})",
                s.args
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    EvalError::Signature {
        function: name.to_string(),
        args,
        available,
    }
}
