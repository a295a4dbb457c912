//! Decoding the arguments of a method call, with Kapacitor's strict typing.
//!
//! Kapacitor calls node methods through Go reflection, so argument types are exact (no
//! int→float, no number→duration) and a mismatch is a reflection panic that Kapacitor
//! reports verbatim: `reflect: Call using int64 as type float64` for a method,
//! `reflect.Set: value of type int64 is not assignable to type float64` for a property that
//! is a struct field. [`FromArgs`] decodes an argument list into a tuple of Rust types
//! ([`Param`]s, the last possibly [`Rest`] for a variadic parameter) and reports the first
//! mismatch the way reflection would.

use tickflow_expr::CheckError;
use tickflow_model::Duration;
use tickflow_tickscript::Span;

use crate::error::{BuildError, BuildErrorKind};
use crate::lambda::Lambda;
use crate::value::{Target, Value};

/// A Go parameter type, named as Go prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GoType {
    String,
    Int64,
    Float64,
    Bool,
    Duration,
    Lambda,
    Node,
    Interface,
}

impl GoType {
    /// Go's name of the type.
    pub(crate) fn name(self) -> &'static str {
        match self {
            GoType::String => "string",
            GoType::Int64 => "int64",
            GoType::Float64 => "float64",
            GoType::Bool => "bool",
            GoType::Duration => "time.Duration",
            GoType::Lambda => "*ast.LambdaNode",
            GoType::Node => "pipeline.Node",
            GoType::Interface => "interface {}",
        }
    }
}

/// How Kapacitor applies a property: by setting a struct field (exactly one argument,
/// `reflect.Set` errors) or by calling a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Field,
    Method,
}

/// Why an argument list does not fit a signature.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ArgError {
    TooFew,
    TooMany,
    /// Argument `got` (a Go type name) where `want` was expected.
    Mismatch {
        got: &'static str,
        want: GoType,
        /// The argument went to a variadic parameter.
        variadic: bool,
    },
    /// A lambda argument that breaks the static type rules.
    Lambda(CheckError),
}

/// The call an argument error happened in, to word the error.
pub(crate) struct CallSite<'a> {
    /// The method as written.
    pub func: &'a str,
    /// The Go type of the object the method is called on.
    pub obj: &'a str,
    /// Where Kapacitor reports the error: the method name.
    pub span: Span,
    pub kind: Kind,
}

impl ArgError {
    /// The error Kapacitor reports for this mismatch in `call`.
    pub(crate) fn at(self, call: &CallSite<'_>) -> BuildError {
        let panicked = |cause: String| BuildErrorKind::CallPanicked {
            func: call.func.to_string(),
            obj: call.obj.to_string(),
            cause,
        };
        let kind = match (self, call.kind) {
            (ArgError::Lambda(err), _) => return BuildError::new(err.span, err),
            (
                ArgError::Mismatch {
                    got: "*ast.ReferenceNode",
                    want: GoType::String,
                    ..
                },
                _,
            ) => BuildErrorKind::ReferenceForString,
            (ArgError::TooFew | ArgError::TooMany, Kind::Field) => BuildErrorKind::FieldArity {
                property: capitalize_first(call.func),
                obj: call.obj.to_string(),
            },
            (ArgError::Mismatch { got, want, .. }, Kind::Field) => panicked(format!(
                "reflect.Set: value of type {got} is not assignable to type {}",
                want.name()
            )),
            (ArgError::TooFew, Kind::Method) => {
                panicked("reflect: Call with too few input arguments".into())
            }
            (ArgError::TooMany, Kind::Method) => {
                panicked("reflect: Call with too many input arguments".into())
            }
            (
                ArgError::Mismatch {
                    got,
                    want,
                    variadic: false,
                },
                Kind::Method,
            ) => panicked(format!("reflect: Call using {got} as type {}", want.name())),
            (
                ArgError::Mismatch {
                    got,
                    want,
                    variadic: true,
                },
                Kind::Method,
            ) => panicked(format!(
                "reflect: cannot use {got} as type {} in Call",
                want.name()
            )),
        };
        BuildError::new(call.span, kind)
    }
}

/// `name` with its first letter upper-cased, as Go names methods.
pub(crate) fn capitalize_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One parameter type.
pub(crate) trait Param: Sized {
    /// The Go type Kapacitor's method declares.
    const GO: GoType;
    /// The argument as this type, or why it is not one.
    fn decode(value: Value) -> Result<Self, Reject>;
}

/// Why a value is not of a parameter's type.
pub(crate) enum Reject {
    /// The value's Go type differs.
    Type(&'static str),
    /// A lambda that does not type-check.
    Lambda(CheckError),
}

fn reject(value: &Value) -> Reject {
    Reject::Type(value.go_type())
}

impl Param for String {
    const GO: GoType = GoType::String;
    fn decode(value: Value) -> Result<Self, Reject> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(reject(&other)),
        }
    }
}

impl Param for i64 {
    const GO: GoType = GoType::Int64;
    fn decode(value: Value) -> Result<Self, Reject> {
        match value {
            Value::Int(v) => Ok(v),
            other => Err(reject(&other)),
        }
    }
}

impl Param for f64 {
    const GO: GoType = GoType::Float64;
    fn decode(value: Value) -> Result<Self, Reject> {
        match value {
            Value::Float(v) => Ok(v),
            other => Err(reject(&other)),
        }
    }
}

impl Param for bool {
    const GO: GoType = GoType::Bool;
    fn decode(value: Value) -> Result<Self, Reject> {
        match value {
            Value::Bool(v) => Ok(v),
            other => Err(reject(&other)),
        }
    }
}

impl Param for Duration {
    const GO: GoType = GoType::Duration;
    fn decode(value: Value) -> Result<Self, Reject> {
        match value {
            Value::Duration(d) => Ok(d),
            other => Err(reject(&other)),
        }
    }
}

impl Param for Lambda {
    const GO: GoType = GoType::Lambda;
    fn decode(value: Value) -> Result<Self, Reject> {
        match value {
            Value::Lambda(lambda) => {
                lambda.check().map_err(Reject::Lambda)?;
                Ok(lambda)
            }
            other => Err(reject(&other)),
        }
    }
}

/// A node argument (`join(other)`); an alert handler stands for its alert node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeArg(pub Target);

impl Param for NodeArg {
    const GO: GoType = GoType::Node;
    fn decode(value: Value) -> Result<Self, Reject> {
        match value {
            Value::Node(handle) => Ok(NodeArg(handle.target)),
            other => Err(reject(&other)),
        }
    }
}

/// An `interface{}` argument: any value, checked by the node.
#[derive(Debug, Clone)]
pub(crate) struct AnyArg(pub Value);

impl Param for AnyArg {
    const GO: GoType = GoType::Interface;
    fn decode(value: Value) -> Result<Self, Reject> {
        Ok(AnyArg(value))
    }
}

/// The arguments of a variadic parameter.
#[derive(Debug, Clone)]
pub(crate) struct Rest<T>(pub Vec<T>);

/// A whole argument list decoded into a tuple.
pub(crate) trait FromArgs: Sized {
    /// Decodes `args`, reporting the first problem as reflection would.
    fn from_args(args: Vec<Value>) -> Result<Self, ArgError>;
}

fn check_count(fixed: usize, variadic: bool, given: usize) -> Result<(), ArgError> {
    if given < fixed {
        Err(ArgError::TooFew)
    } else if !variadic && given > fixed {
        Err(ArgError::TooMany)
    } else {
        Ok(())
    }
}

fn decode_one<P: Param>(value: Option<Value>, variadic: bool) -> Result<P, ArgError> {
    let value = value.ok_or(ArgError::TooFew)?;
    P::decode(value).map_err(|reject| match reject {
        Reject::Type(got) => ArgError::Mismatch {
            got,
            want: P::GO,
            variadic,
        },
        Reject::Lambda(err) => ArgError::Lambda(err),
    })
}

/// Decodes `args` for a signature known only at run time (`fixed` parameters, then
/// `rest` for a variadic one), keeping the values.
pub(crate) fn decode_dynamic(
    fixed: &[GoType],
    rest: Option<GoType>,
    args: Vec<Value>,
) -> Result<Vec<Value>, ArgError> {
    check_count(fixed.len(), rest.is_some(), args.len())?;
    for (i, arg) in args.iter().enumerate() {
        let (want, variadic) = match fixed.get(i) {
            Some(&want) => (want, false),
            None => (rest.unwrap_or(GoType::Interface), true),
        };
        if want != GoType::Interface && arg.go_type() != want.name() {
            return Err(ArgError::Mismatch {
                got: arg.go_type(),
                want,
                variadic,
            });
        }
    }
    Ok(args)
}

macro_rules! tuple_args {
    ($($param:ident),*) => {
        impl<$($param: Param),*> FromArgs for ($($param,)*) {
            #[allow(unused_mut, unused_variables)]
            fn from_args(args: Vec<Value>) -> Result<Self, ArgError> {
                let fixed = <[&str]>::len(&[$(stringify!($param)),*]);
                check_count(fixed, false, args.len())?;
                let mut args = args.into_iter();
                Ok(($(decode_one::<$param>(args.next(), false)?,)*))
            }
        }

        impl<$($param: Param,)* R: Param> FromArgs for ($($param,)* Rest<R>,) {
            #[allow(unused_mut)]
            fn from_args(args: Vec<Value>) -> Result<Self, ArgError> {
                let fixed = <[&str]>::len(&[$(stringify!($param)),*]);
                check_count(fixed, true, args.len())?;
                let mut args = args.into_iter();
                $(
                    #[allow(non_snake_case)]
                    let $param = decode_one::<$param>(args.next(), false)?;
                )*
                let rest = args.map(|arg| decode_one::<R>(Some(arg), true)).collect::<Result<_, _>>()?;
                Ok(($($param,)* Rest(rest),))
            }
        }
    };
}

tuple_args!();
tuple_args!(A);
tuple_args!(A, B);
tuple_args!(A, B, C);
tuple_args!(A, B, C, D);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_types_and_counts() {
        assert!(matches!(<(f64,)>::from_args(vec![Value::Float(1.0)]), Ok((v,)) if v == 1.0));
        assert_eq!(
            <(f64,)>::from_args(vec![Value::Int(1)]).err(),
            Some(ArgError::Mismatch {
                got: "int64",
                want: GoType::Float64,
                variadic: false
            })
        );
        assert_eq!(
            <(f64, f64)>::from_args(vec![Value::Float(1.0)]).err(),
            Some(ArgError::TooFew)
        );
        assert_eq!(
            <()>::from_args(vec![Value::Int(1)]).err(),
            Some(ArgError::TooMany)
        );
        let strings = <(String, Rest<String>)>::from_args(vec![
            Value::String("a".into()),
            Value::String("b".into()),
            Value::Int(3),
        ]);
        assert_eq!(
            strings.err(),
            Some(ArgError::Mismatch {
                got: "int64",
                want: GoType::String,
                variadic: true
            })
        );
    }
}
