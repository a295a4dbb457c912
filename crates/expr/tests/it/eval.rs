//! Operators, references, missing values and built-ins on one point.

use tickflow_expr::{EvalError, Value};

use crate::{error, eval, evaluator, TestPoint};

fn s(v: &str) -> Value {
    Value::String(v.into())
}

#[test]
fn references_read_fields_tags_and_time() {
    assert_eq!(eval("\"f\""), Ok(Value::Float(2.5)));
    assert_eq!(eval("\"host\""), Ok(s("a")));
    assert_eq!(
        eval("unixNano(\"time\")"),
        Ok(Value::Int((365 * 86_400 + 3_600) * 1_000_000_000))
    );
    assert_eq!(
        error("\"dup\" == 1"),
        "cannot have field and tags with same name \"dup\""
    );
}

#[test]
fn missing_values() {
    assert_eq!(error("\"nope\""), "reference \"nope\" is missing value");
    assert_eq!(
        error("\"nope\" > 1"),
        "left reference value \"nope\" is missing value"
    );
    assert_eq!(
        error("1 < \"nope\""),
        "right reference value \"nope\" is missing value"
    );
    assert_eq!(
        error("\"nope\" > 1 OR TRUE"),
        "left reference value \"nope\" is missing value"
    );
    assert_eq!(eval("TRUE OR \"nope\" > 1"), Ok(Value::Bool(true)));
    assert_eq!(eval("isPresent(\"nope\")"), Ok(Value::Bool(false)));
    assert_eq!(eval("isPresent(\"f\")"), Ok(Value::Bool(true)));
    assert_eq!(
        error("abs(\"nope\")"),
        "cannot call function \"abs\" argument \"nope\" is missing"
    );
}

#[test]
fn types_are_strict_in_arithmetic_and_loose_in_comparisons() {
    assert_eq!(
        error("\"f\" * 2"),
        "mismatched type to binary operator. got float * int. see bool(), int(), float(), string(), duration()"
    );
    assert_eq!(eval("\"f\" * 2.0"), Ok(Value::Float(5.0)));
    assert_eq!(eval("\"i\" > 6.5"), Ok(Value::Bool(true)));
    assert_eq!(
        error("\"b\" + 1"),
        "invalid math operator + for type boolean"
    );
    assert_eq!(
        error("\"time\" > 1"),
        "invalid comparison operator > for type time"
    );
    assert_eq!(eval("\"host\" + '-x'"), Ok(s("a-x")));
}

#[test]
fn regex_and_predicates() {
    assert_eq!(eval("\"host\" =~ /^a$/"), Ok(Value::Bool(true)));
    assert_eq!(eval("\"host\" !~ /b/"), Ok(Value::Bool(true)));
    let mut bare = evaluator("\"b\"");
    assert_eq!(bare.eval_bool(&TestPoint::sample().scope()), Ok(true));
    let mut not_bool = evaluator("\"i\" + 1");
    assert_eq!(
        not_bool
            .eval_bool(&TestPoint::sample().scope())
            .map_err(|e| e.to_string()),
        Err("expression returned unexpected type int, expected boolean".to_string())
    );
}

#[test]
fn integer_division_by_zero_is_an_error_not_a_crash() {
    assert_eq!(error("\"i\" / 0"), "runtime error: integer divide by zero");
    assert_eq!(error("\"i\" % 0"), "runtime error: integer divide by zero");
    assert_eq!(eval("\"f\" / 0.0"), Ok(Value::Float(f64::INFINITY)));
}

#[test]
fn functions() {
    assert_eq!(eval("strLength(\"s\")"), Ok(Value::Int(6)));
    assert_eq!(
        eval("float(int(\"f\" * 100.0)) / 100.0"),
        Ok(Value::Float(2.5))
    );
    assert_eq!(eval("if(\"b\", 'yes', 'no')"), Ok(s("yes")));
    assert_eq!(eval("string(5400s)"), Ok(s("90m")));
    assert_eq!(
        eval("duration('1h30m', 1s)"),
        Ok(Value::Duration(tickflow_model::Duration::from_nanos(
            5_400_000_000_000
        )))
    );
    assert_eq!(eval("humanBytes(82854982)"), Ok(s("83 MB")));
    assert_eq!(eval("hour(\"time\")"), Ok(Value::Int(1)));
    assert_eq!(eval("weekday(\"time\")"), Ok(Value::Int(5)));
    assert_eq!(
        error("abs(\"i\")"),
        "cannot call function \"abs\" with args (7: int), available signatures are [(float)]"
    );
    assert_eq!(
        error("bool(\"i\")"),
        "error calling \"bool\": cannot convert 7 to boolean"
    );
    assert!(matches!(
        eval("strSubstring(\"s\", 0, 6)"),
        Err(EvalError::Function { .. })
    ));
}

#[test]
fn if_evaluates_both_branches() {
    assert_eq!(
        error("if(TRUE, 1, \"i\" / 0)"),
        "runtime error: integer divide by zero"
    );
}
