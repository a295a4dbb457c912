//! Evaluation tests: lambdas written as in a TICKscript, run against a point, checked
//! against the behaviours the spec marks as verified on Kapacitor.

mod eval;
mod stateful;

use tickflow_expr::{EvalError, Evaluator, Lambda, Scope, Value};
use tickflow_model::{FieldValue, Fields, Tags, Time};
use tickflow_tickscript::{parse, Statement, VarInit};

/// The test point: fields f (float 2.5), i (int 7), s (string), b (bool), a tag host=a,
/// and a name that is both a field and a tag.
pub struct TestPoint {
    fields: Fields,
    tags: Tags,
    time: Time,
}

impl TestPoint {
    /// The point described above.
    pub fn sample() -> Self {
        TestPoint {
            fields: Fields::from_pairs([
                ("f", FieldValue::Float(2.5)),
                ("i", FieldValue::Integer(7)),
                ("s", FieldValue::string("héllo")),
                ("b", FieldValue::Boolean(true)),
                ("dup", FieldValue::Integer(1)),
            ]),
            tags: Tags::from_pairs([("host", "a"), ("dup", "x")]),
            // 1971-01-01T01:00:00Z, a Friday
            time: Time::from_nanos((365 * 86_400 + 3_600) * 1_000_000_000),
        }
    }

    /// The scope lambdas read.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            fields: &self.fields,
            tags: &self.tags,
            time: self.time,
        }
    }
}

/// Compiles `lambda: <src>` and returns a fresh evaluator.
pub fn evaluator(src: &str) -> Evaluator {
    lambda(src).evaluator()
}

/// Compiles `lambda: <src>`.
pub fn lambda(src: &str) -> Lambda {
    let program = parse(&format!("var x = lambda: {src}\n")).expect("lambda parses");
    let Some(Statement::Var(decl)) = program.statements.into_iter().next() else {
        panic!("not a var statement");
    };
    let VarInit::Value(body) = decl.init else {
        panic!("no value")
    };
    Lambda::compile(&body).expect("lambda compiles")
}

/// Evaluates `lambda: <src>` once on the test point.
pub fn eval(src: &str) -> Result<Value, EvalError> {
    evaluator(src).eval(&TestPoint::sample().scope())
}

/// The error message of evaluating `lambda: <src>`.
pub fn error(src: &str) -> String {
    match eval(src) {
        Ok(v) => panic!("{src} evaluated to {v:?}"),
        Err(e) => e.to_string(),
    }
}
