//! Stateful functions keep state per evaluator and share it per name within a lambda.

use tickflow_expr::{Scope, Value};
use tickflow_model::{FieldValue, Fields, Tags, Time};

use crate::{evaluator, lambda, TestPoint};

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

#[test]
fn a_lambda_knows_whether_it_has_state() {
    assert!(lambda("\"f\" > 1.0 AND count() > 2").is_stateful());
    assert!(lambda("abs(sigma(\"f\"))").is_stateful());
    assert!(!lambda("abs(\"f\") > 1.0").is_stateful());
    assert_eq!(evaluator("abs(\"f\")").snapshot(), serde_json::json!({}));
}

#[test]
fn a_restored_evaluator_goes_on_as_the_saved_one() {
    let src = "sigma(\"v\") + spread(\"v\") + float(count()) + float(rand(100))";
    let compiled = lambda(src);
    let tags = Tags::new();
    let results = |evaluator: &mut tickflow_expr::Evaluator, values: &[f64]| -> Vec<Value> {
        values
            .iter()
            .map(|&v| {
                let fields = Fields::from_pairs([("v", FieldValue::Float(v))]);
                let scope = Scope {
                    fields: &fields,
                    tags: &tags,
                    time: Time::from_nanos(0),
                };
                evaluator.eval(&scope).expect("evaluates")
            })
            .collect()
    };
    let mut saved = compiled.evaluator();
    results(&mut saved, &[0.1, 0.25, -3.7]);
    let text = saved.snapshot().to_string();
    let state = serde_json::from_str(&text).expect("JSON");
    let mut restored = compiled.restored_evaluator(&state).expect("restores");
    let rest = [1.0 / 3.0, 9.5, 0.2];
    assert_eq!(results(&mut restored, &rest), results(&mut saved, &rest));
    assert!(compiled
        .restored_evaluator(&serde_json::json!({"count": 1.5}))
        .is_err());
}
