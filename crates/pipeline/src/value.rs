//! [`Value`]: what a TICKscript expression evaluates to while the script runs.
//!
//! Besides the literal types, a value can be a node (or an alert handler) that a chain
//! created, a reference (`"field"`, only meaningful inside lambdas), or a call of a global
//! function not made yet (Kapacitor calls `time(10s)` only when its value is used).
//! Error messages name values the way Kapacitor's Go code does (`int64`,
//! `*ast.LambdaNode`, `*pipeline.WindowNode`), and template variables by their TICKscript
//! type (`int`, `boolean`, `duration`).

use std::fmt;

use tickflow_model::Duration;
use tickflow_tickscript::{Span, VarType};

use crate::lambda::Lambda;

/// A value during script evaluation.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
    String(String),
    Duration(Duration),
    Regex(Regex),
    Lambda(Lambda),
    List(Vec<Value>),
    Star,
    /// `"name"` outside a lambda.
    Reference(String),
    /// A node, or one of an alert node's handlers.
    Node(Handle),
    /// A global function call, made when its value is used.
    Function(Function),
    /// The value of `time(d[, offset])`, for `query().groupBy(...)`.
    TimeDimension(TimeDimension),
}

/// A regex literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Regex {
    /// The pattern for the `regex` crate.
    pub pattern: String,
    /// The text between the slashes.
    pub source: String,
}

/// What a chain expression returns: the object the next method applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// The node at this position of the builder's node list.
    Node(usize),
    /// Handler `index` of the alert node at position `node` (what `.log(...)` returns).
    Handler {
        /// The alert node's position.
        node: usize,
        /// The handler's position in the node's handler list.
        index: usize,
    },
}

impl Target {
    /// The node itself, or the alert node a handler belongs to.
    pub(crate) fn node(self) -> usize {
        match self {
            Target::Node(id) | Target::Handler { node: id, .. } => id,
        }
    }
}

/// A node value with the Go type Kapacitor would name it by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Handle {
    pub target: Target,
    pub go_type: &'static str,
}

/// A global function call whose arguments are evaluated but which is not made yet.
#[derive(Debug, Clone)]
pub(crate) struct Function {
    pub name: String,
    pub args: Vec<Value>,
    /// The function name, where Kapacitor reports errors of the call.
    pub span: Span,
}

/// `time(length[, offset])`: grouping a query by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeDimension {
    /// The length of each time bucket.
    pub length: Duration,
    /// The offset of the buckets, if given.
    pub offset: Option<Duration>,
}

impl fmt::Display for TimeDimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(
                f,
                "time({}, {})",
                self.length.to_influxql(),
                offset.to_influxql()
            ),
            None => write!(f, "time({})", self.length.to_influxql()),
        }
    }
}

impl Value {
    /// The name of the value's Go type, as Kapacitor's messages print it (`%T`).
    pub(crate) fn go_type(&self) -> &'static str {
        match self {
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::Bool(_) => "bool",
            Value::String(_) => "string",
            Value::Duration(_) => "time.Duration",
            Value::Regex(_) => "*regexp.Regexp",
            Value::Lambda(_) => "*ast.LambdaNode",
            Value::List(_) => "[]interface {}",
            Value::Star => "*ast.StarNode",
            Value::Reference(_) => "*ast.ReferenceNode",
            Value::Node(handle) => handle.go_type,
            Value::Function(_) => "tick.unboundFunc",
            Value::TimeDimension(_) => "*pipeline.TimeDimension",
        }
    }

    /// The TICKscript type of the value, `None` for values that are not a template
    /// variable type (nodes, references, functions).
    pub(crate) fn var_type(&self) -> Option<VarType> {
        Some(match self {
            Value::Int(_) => VarType::Int,
            Value::Float(_) => VarType::Float,
            Value::Bool(_) => VarType::Bool,
            Value::String(_) => VarType::String,
            Value::Duration(_) => VarType::Duration,
            Value::Regex(_) => VarType::Regex,
            Value::Lambda(_) => VarType::Lambda,
            Value::List(_) => VarType::List,
            Value::Star => VarType::Star,
            Value::Reference(_) | Value::Node(_) | Value::Function(_) | Value::TimeDimension(_) => {
                return None
            }
        })
    }
}

/// Kapacitor's name of a TICKscript type in messages (`boolean`, not `bool`).
pub(crate) fn type_name(ty: Option<VarType>) -> &'static str {
    match ty {
        Some(VarType::Int) => "int",
        Some(VarType::Float) => "float",
        Some(VarType::Bool) => "boolean",
        Some(VarType::String) => "string",
        Some(VarType::Regex) => "regex",
        Some(VarType::Duration) => "duration",
        Some(VarType::Lambda) => "lambda",
        Some(VarType::List) => "list",
        Some(VarType::Star) => "star",
        None => "invalid type",
    }
}

impl fmt::Display for Value {
    /// The value as Go's `%v` would roughly print it, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::String(v) => f.write_str(v),
            Value::Duration(d) => f.write_str(&d.to_influxql()),
            Value::Regex(re) => f.write_str(&re.source),
            Value::Lambda(lambda) => f.write_str(&lambda.to_string()),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(Value::to_string).collect();
                write!(f, "[{}]", items.join(" "))
            }
            Value::Star => f.write_str("*"),
            Value::Reference(name) => write!(f, "{name:?}"),
            Value::Node(handle) => f.write_str(handle.go_type),
            Value::Function(function) => write!(f, "{}()", function.name),
            Value::TimeDimension(dim) => write!(f, "{dim}"),
        }
    }
}
