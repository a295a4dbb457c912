//! Stateful functions keep state per evaluator and share it per name within a lambda.

use tickflow_expr::Value;

use crate::{evaluator, TestPoint};

#[test]
fn calls_of_one_name_share_state() {
    let point = TestPoint::sample();
    let mut e = evaluator("count() + count()");
    assert_eq!(e.eval(&point.scope()), Ok(Value::Int(3)));
    assert_eq!(e.eval(&point.scope()), Ok(Value::Int(7)));
}

#[test]
fn discarded_branches_still_advance_state() {
    let point = TestPoint::sample();
    let mut e = evaluator("if(TRUE, count(), count())");
    assert_eq!(e.eval(&point.scope()), Ok(Value::Int(1)));
    assert_eq!(e.eval(&point.scope()), Ok(Value::Int(3)));
}

#[test]
fn evaluators_do_not_share_state() {
    let point = TestPoint::sample();
    let lambda_a = evaluator("count()");
    let mut a = lambda_a.clone();
    let mut b = lambda_a;
    assert_eq!(a.eval(&point.scope()), Ok(Value::Int(1)));
    assert_eq!(a.eval(&point.scope()), Ok(Value::Int(2)));
    assert_eq!(b.eval(&point.scope()), Ok(Value::Int(1)));
}
