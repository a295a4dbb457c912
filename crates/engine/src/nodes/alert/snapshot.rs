//! The JSON form of what an alert node keeps besides its groups' states: the lambda
//! state of its level and reset predicates (one evaluator per level, shared by all
//! groups) and the inhibitors its groups hold active. (The event states of its anonymous
//! topic use [`crate::state::topic_events_json`].)
//!
//! Evaluators are an array of four, indexed by level (`null` where the level has no
//! lambda); inhibitors are `[{"owner": …, "category": …, "tags": [[name, value], …]}]`,
//! the owner without the node's prefix so a node restored under another task name holds
//! them under its own.

use serde_json::{json, Value};
use tickflow_alert::Held;
use tickflow_expr::Evaluator;

use crate::state::{self, StateError};

/// The state of each level's evaluator, `null` for a level without a lambda.
pub(crate) fn evaluators_json(evaluators: &[Option<Evaluator>]) -> Value {
    evaluators
        .iter()
        .map(|e| e.as_ref().map_or(Value::Null, Evaluator::snapshot))
        .collect()
}

/// Restores `evaluators` from [`evaluators_json`]; `what` names them in errors.
pub(crate) fn restore_evaluators(
    evaluators: &mut [Option<Evaluator>],
    saved: &Value,
    what: &str,
) -> Result<(), StateError> {
    let states = saved
        .as_array()
        .filter(|states| states.len() == evaluators.len())
        .ok_or_else(|| {
            StateError::new(format!(
                "{what} lambda states {saved} are not an array of {}",
                evaluators.len()
            ))
        })?;
    for (evaluator, state) in evaluators.iter_mut().zip(states) {
        match evaluator {
            Some(evaluator) => evaluator.restore(state)?,
            None if state.is_null() => {}
            None => {
                return Err(StateError::new(format!(
                    "{what} lambda state {state} for a level without a lambda"
                )))
            }
        }
    }
    Ok(())
}

/// Active inhibitors as JSON.
pub(crate) fn held_json(held: &[Held]) -> Value {
    held.iter()
        .map(|h| {
            json!({
                "owner": h.owner,
                "category": h.category,
                "tags": h.tags.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Active inhibitors from [`held_json`].
pub(crate) fn held_from(value: &Value) -> Result<Vec<Held>, StateError> {
    let entries = value
        .as_array()
        .ok_or_else(|| StateError::new(format!("inhibitors {value} are not an array")))?;
    entries
        .iter()
        .map(|entry| {
            let tags = state::array(entry, "tags")?
                .iter()
                .map(tag_from)
                .collect::<Result<_, _>>()?;
            Ok(Held {
                owner: state::string(entry, "owner")?.to_owned(),
                category: state::string(entry, "category")?.to_owned(),
                tags,
            })
        })
        .collect()
}

/// A `[name, value]` pair.
fn tag_from(value: &Value) -> Result<(String, String), StateError> {
    match value.as_array().map(Vec::as_slice) {
        Some([Value::String(k), Value::String(v)]) => Ok((k.clone(), v.clone())),
        _ => Err(StateError::new(format!(
            "inhibitor tag {value} is not a [name, value] pair"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::testing::{lambda, point};

    #[test]
    fn evaluators_keep_their_levels() {
        let mut counting = lambda("count() > 1").evaluator();
        let p = point(0, &[], &[]);
        counting
            .eval_bool(&tickflow_expr::Scope::of_point(&p))
            .expect("evaluates");
        let saved = evaluators_json(&[None, Some(counting)]);
        assert_eq!(saved[0], Value::Null);
        let mut fresh = [None, Some(lambda("count() > 1").evaluator())];
        restore_evaluators(&mut fresh, &saved, "level").expect("restores");
        assert_eq!(evaluators_json(&fresh), saved);
        let err = restore_evaluators(&mut [None, None], &saved, "reset").expect_err("no lambda");
        assert!(
            err.to_string().contains("for a level without a lambda"),
            "{err}"
        );
        let err = restore_evaluators(&mut fresh, &json!([]), "level").expect_err("short");
        assert_eq!(
            err.to_string(),
            "invalid snapshot: level lambda states [] are not an array of 2"
        );
    }

    #[test]
    fn inhibitors_round_trip() {
        let held = vec![Held {
            owner: "cpu/0".into(),
            category: "system".into(),
            tags: vec![("host".into(), "a".into()), ("dc".into(), "eu".into())],
        }];
        assert_eq!(held_from(&held_json(&held)), Ok(held));
        let bad = json!([{"owner": "x", "category": "c", "tags": [["host"]]}]);
        assert_eq!(
            held_from(&bad),
            Err(StateError::new(
                "inhibitor tag [\"host\"] is not a [name, value] pair"
            ))
        );
    }
}
