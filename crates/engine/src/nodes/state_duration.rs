//! `|stateDuration(λ)`: how long each group has been in the state the predicate
//! describes, in `.unit(…)`s, as a float field (kapacitor-compat.md, nodes §4.9).
//!
//! The first point in the state gets `0.0` and starts the clock; each later one the time
//! since then; a point out of the state gets `-1.0` and stops the clock. The machinery is
//! [`StateTracking`].

use serde_json::{json, Value};
use tickflow_expr::Lambda;
use tickflow_model::{Duration, FieldValue, Time};
use tickflow_pipeline::nodes::state_duration::StateDurationNode;

use crate::nodes::group_transform::PerGroup;
use crate::nodes::state_tracking::{StateTracking, Tracker};
use crate::state::{self, StateError};

/// The running stateDuration node.
pub(crate) type StateDuration = PerGroup<StateTracking<Since>>;

/// A stateDuration node for a validated spec with its compiled predicate.
pub(crate) fn new(spec: &StateDurationNode, lambda: Lambda) -> StateDuration {
    PerGroup::new(StateTracking::new(
        lambda,
        &spec.as_name,
        Since {
            unit: spec.unit,
            start: None,
        },
    ))
}

/// When the group entered the state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Since {
    unit: Duration,
    start: Option<Time>,
}

impl Tracker for Since {
    fn track(&mut self, in_state: bool, time: Time) -> FieldValue {
        if !in_state {
            self.start = None;
            return FieldValue::Float(-1.0);
        }
        let start = *self.start.get_or_insert(time);
        let elapsed = time.nanos().wrapping_sub(start.nanos()) as f64;
        FieldValue::Float(elapsed / self.unit.nanos() as f64)
    }

    fn to_json(&self) -> Value {
        json!({ "start": self.start.map(Time::nanos) })
    }

    fn restore(&mut self, value: &Value) -> Result<(), StateError> {
        self.start = match state::member(value, "start")? {
            Value::Null => None,
            _ => Some(Time::from_nanos(state::int(value, "start")?)),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;

    #[test]
    fn counts_units_since_the_state_began() {
        let mut since = Since {
            unit: Duration::MILLISECOND,
            start: None,
        };
        let track =
            |since: &mut Since, in_state, ms: i64| since.track(in_state, Time::from_nanos(ms * MS));
        assert_eq!(track(&mut since, false, 0), FieldValue::Float(-1.0));
        assert_eq!(track(&mut since, true, 1000), FieldValue::Float(0.0));
        assert_eq!(track(&mut since, true, 3500), FieldValue::Float(2500.0));
        assert_eq!(track(&mut since, false, 4000), FieldValue::Float(-1.0));
        assert_eq!(track(&mut since, true, 5000), FieldValue::Float(0.0));
        let mut back = Since {
            unit: Duration::MILLISECOND,
            start: None,
        };
        back.restore(&since.to_json()).expect("restores");
        assert_eq!(back, since);
        assert!(back.restore(&json!({})).is_err());
    }
}
