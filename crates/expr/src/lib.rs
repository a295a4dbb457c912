//! Lambda expressions: type rules, built-in functions, compilation and evaluation.
//!
//! A TICKscript `lambda:` is checked and compiled once, when the task is defined, and
//! evaluated for every point at run time:
//!
//! * [`check`] is the definition-time check (literal operand types, unknown functions);
//! * [`Lambda::compile`] resolves functions, compiles regexes, folds constants;
//! * [`Lambda::evaluator`] makes an [`Evaluator`] (one per state scope, since `count()`,
//!   `sigma()`, `spread()` and `rand()` keep state), which evaluates against a [`Scope`]
//!   (a point's fields, tags and time) to a [`Value`];
//! * [`Evaluator::snapshot`] and [`Evaluator::restore`] save and restore that state as
//!   JSON ([`snapshot`]), for nodes that persist their state.
//!
//! The type rules ([`binary_type`], [`apply_binary`]) and function [`Signature`]s are
//! public so the pipeline can evaluate top-level expressions (`var d = 1m + 30s`) by the
//! same rules.
//!
//! ```
//! use tickflow_expr::{Lambda, Scope};
//! use tickflow_model::{Fields, FieldValue, Tags, Time};
//! use tickflow_tickscript::{parse, Statement, VarInit};
//!
//! let program = parse("var crit = lambda: \"pvalue\" < 0.001\n").unwrap();
//! let Statement::Var(decl) = &program.statements[0] else { unreachable!() };
//! let VarInit::Value(body) = &decl.init else { unreachable!() };
//! let lambda = Lambda::compile(body).unwrap();
//!
//! let fields = Fields::from_pairs([("pvalue", FieldValue::Float(0.0001))]);
//! let tags = Tags::new();
//! let scope = Scope { fields: &fields, tags: &tags, time: Time::from_nanos(0) };
//! assert!(lambda.evaluator().eval_bool(&scope).unwrap());
//! ```

mod arith;
mod check;
mod compile;
mod eval;
pub mod functions;
mod operators;
mod scope;
mod signatures;
pub mod snapshot;
pub mod suggest;
mod types;
mod value;

pub use arith::{apply_binary, apply_unary, ArithError};
pub use check::{check, literal_type, CheckError, CheckErrorKind};
pub use compile::{literal_value, CompileError, Lambda};
pub use eval::{EvalError, Evaluator};
pub use operators::{binary_type, unary_type, OperatorError};
pub use scope::Scope;
pub use signatures::{is_stateful, names as function_names, resolve, signatures, Signature};
pub use snapshot::RestoreError;
pub use types::Type;
pub use value::Value;
