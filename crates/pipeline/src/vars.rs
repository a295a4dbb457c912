//! Template variables: the values a caller supplies for a script's `var`s ([`VarValue`]),
//! and the variables a script declares ([`Var`]).
//!
//! `var x = 5` declares `x` with a default; a supplied value must have the same type
//! (`invalid type supplied for x, got float exp int`) and replaces it. `var x float`
//! declares `x` without one: a task then needs a supplied value (`missing value for var
//! "x".`), a template definition uses the type's zero value.

use std::fmt;

use tickflow_model::Duration;
use tickflow_tickscript::{
    parse, Expr, LitValue, Literal, ParseError, Statement, VarInit, VarType,
};

use crate::describe::quote;
use crate::lambda::Lambda;
use crate::value::{type_name, Regex, Value};

/// A value supplied for a template variable.
#[derive(Debug, Clone, PartialEq)]
pub enum VarValue {
    /// `bool`.
    Bool(bool),
    /// `int`.
    Int(i64),
    /// `float`.
    Float(f64),
    /// `string`.
    String(String),
    /// `duration`.
    Duration(Duration),
    /// `regex`: build with [`VarValue::regex`].
    Regex {
        /// The pattern as a regex literal writes it between its slashes (`/` escaped).
        source: String,
        /// The pattern for the `regex` crate.
        pattern: String,
    },
    /// `lambda`: the expression (without `lambda:`); build with [`VarValue::lambda`].
    Lambda(Expr),
    /// `list`: of strings and stars.
    List(Vec<VarValue>),
    /// `star`: `*`.
    Star,
}

impl VarValue {
    /// A `regex` value from its RE2 pattern, checked as a TICKscript regex literal.
    ///
    /// ```
    /// use tickflow_pipeline::VarValue;
    /// assert!(VarValue::regex("^web\\d+$").is_ok());
    /// assert!(VarValue::regex("(").is_err());
    /// ```
    pub fn regex(source: &str) -> Result<VarValue, ParseError> {
        let script = format!("var x = /{}/", source.replace('/', "\\/"));
        Ok(match first_value(&parse(&script)?) {
            Some(Expr::Literal(Literal {
                value: LitValue::Regex { pattern, source },
                ..
            })) => VarValue::Regex {
                source: source.clone(),
                pattern: pattern.clone(),
            },
            _ => VarValue::Regex {
                source: source.to_string(),
                pattern: source.to_string(),
            },
        })
    }

    /// A `lambda` value from the text of its expression (`"value" > 5`), as the HTTP API
    /// takes it.
    ///
    /// ```
    /// use tickflow_pipeline::VarValue;
    /// assert!(VarValue::lambda("\"value\" > 5").is_ok());
    /// assert!(VarValue::lambda("\"value\" >").is_err());
    /// ```
    pub fn lambda(text: &str) -> Result<VarValue, ParseError> {
        let program = parse(&format!("var x = lambda: {text}"))?;
        match first_value(&program) {
            Some(Expr::Lambda(lambda)) => Ok(VarValue::Lambda((*lambda.body).clone())),
            _ => Ok(VarValue::Lambda(Expr::Literal(Literal {
                value: LitValue::Bool(false),
                span: program.span,
                comment: None,
            }))),
        }
    }

    /// The TICKscript type of the value.
    pub fn var_type(&self) -> VarType {
        match self {
            VarValue::Bool(_) => VarType::Bool,
            VarValue::Int(_) => VarType::Int,
            VarValue::Float(_) => VarType::Float,
            VarValue::String(_) => VarType::String,
            VarValue::Duration(_) => VarType::Duration,
            VarValue::Regex { .. } => VarType::Regex,
            VarValue::Lambda(_) => VarType::Lambda,
            VarValue::List(_) => VarType::List,
            VarValue::Star => VarType::Star,
        }
    }

    /// The value in a script.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            VarValue::Bool(v) => Value::Bool(*v),
            VarValue::Int(v) => Value::Int(*v),
            VarValue::Float(v) => Value::Float(*v),
            VarValue::String(v) => Value::String(v.clone()),
            VarValue::Duration(v) => Value::Duration(*v),
            VarValue::Regex { source, pattern } => Value::Regex(Regex {
                source: source.clone(),
                pattern: pattern.clone(),
            }),
            VarValue::Lambda(expr) => Value::Lambda(Lambda {
                expr: expr.clone(),
                span: expr.span(),
            }),
            VarValue::List(items) => Value::List(items.iter().map(VarValue::to_value).collect()),
            VarValue::Star => Value::Star,
        }
    }

    /// A script value as a variable value; `None` for nodes and other non-variable values.
    pub(crate) fn from_value(value: &Value) -> Option<VarValue> {
        Some(match value {
            Value::Bool(v) => VarValue::Bool(*v),
            Value::Int(v) => VarValue::Int(*v),
            Value::Float(v) => VarValue::Float(*v),
            Value::String(v) => VarValue::String(v.clone()),
            Value::Duration(v) => VarValue::Duration(*v),
            Value::Regex(re) => VarValue::Regex {
                source: re.source.clone(),
                pattern: re.pattern.clone(),
            },
            Value::Lambda(lambda) => VarValue::Lambda(lambda.expr.clone()),
            Value::List(items) => VarValue::List(
                items
                    .iter()
                    .map(VarValue::from_value)
                    .collect::<Option<_>>()?,
            ),
            Value::Star => VarValue::Star,
            Value::Reference(_) | Value::Node(_) | Value::Function(_) | Value::TimeDimension(_) => {
                return None
            }
        })
    }

    /// The zero value of a type, used for template variables without a value.
    pub(crate) fn zero(ty: VarType) -> VarValue {
        match ty {
            VarType::Int => VarValue::Int(0),
            VarType::Float => VarValue::Float(0.0),
            VarType::Bool => VarValue::Bool(false),
            VarType::String => VarValue::String(String::new()),
            VarType::Regex => VarValue::Regex {
                source: String::new(),
                pattern: String::new(),
            },
            VarType::Duration => VarValue::Duration(Duration::ZERO),
            VarType::Lambda => VarValue::Lambda(Expr::Literal(Literal {
                value: LitValue::Bool(false),
                span: Default::default(),
                comment: None,
            })),
            VarType::List => VarValue::List(Vec::new()),
            VarType::Star => VarValue::Star,
        }
    }
}

impl fmt::Display for VarValue {
    /// The value as a script writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarValue::Bool(v) => f.write_str(if *v { "TRUE" } else { "FALSE" }),
            VarValue::Int(v) => write!(f, "{v}"),
            VarValue::Float(v) => write!(f, "{v:?}"),
            VarValue::String(v) => f.write_str(&quote(v)),
            VarValue::Duration(d) => f.write_str(&d.to_influxql()),
            VarValue::Regex { source, .. } => write!(f, "/{source}/"),
            VarValue::Lambda(expr) => write!(
                f,
                "{}",
                Lambda {
                    expr: expr.clone(),
                    span: expr.span()
                }
            ),
            VarValue::List(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", items.join(", "))
            }
            VarValue::Star => f.write_str("*"),
        }
    }
}

/// The value of the first `var` of a one-statement program.
fn first_value(program: &tickflow_tickscript::Program) -> Option<&Expr> {
    match program.statements.first()? {
        Statement::Var(decl) => match &decl.init {
            VarInit::Value(expr) => Some(expr),
            VarInit::Type(_) => None,
        },
        _ => None,
    }
}

/// A variable the script declares with a type a template can supply: what Kapacitor lists
/// as a task's `vars`.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    /// The name.
    pub name: String,
    /// The type.
    pub ty: VarType,
    /// The default in the script; `None` for `var x type`.
    pub default: Option<VarValue>,
    /// The comment before the `var`.
    pub description: String,
}

impl fmt::Display for Var {
    /// `name: type = default`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, type_name(Some(self.ty)))?;
        if let Some(default) = &self.default {
            write!(f, " = {default}")?;
        }
        Ok(())
    }
}
