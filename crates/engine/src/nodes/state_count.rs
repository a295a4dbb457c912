//! `|stateCount(λ)`: how many consecutive points of each group were in the state the
//! predicate describes, as an integer field (kapacitor-compat.md, nodes §4.9).
//!
//! A point in the state gets the count including itself; a point out of it gets `-1` and
//! resets the count. The machinery is [`StateTracking`].

use serde_json::{json, Value};
use tickflow_expr::Lambda;
use tickflow_model::{FieldValue, Time};
use tickflow_pipeline::nodes::state_count::StateCountNode;

use crate::nodes::group_transform::PerGroup;
use crate::nodes::state_tracking::{StateTracking, Tracker};
use crate::state::{self, StateError};

/// The running stateCount node.
pub(crate) type StateCount = PerGroup<StateTracking<Count>>;

/// A stateCount node for a validated spec with its compiled predicate.
pub(crate) fn new(spec: &StateCountNode, lambda: Lambda) -> StateCount {
    PerGroup::new(StateTracking::new(lambda, &spec.as_name, Count::default()))
}

/// Consecutive points in the state.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Count(i64);

impl Tracker for Count {
    fn track(&mut self, in_state: bool, _time: Time) -> FieldValue {
        if in_state {
            self.0 = self.0.saturating_add(1);
            FieldValue::Integer(self.0)
        } else {
            self.0 = 0;
            FieldValue::Integer(-1)
        }
    }

    fn to_json(&self) -> Value {
        json!({ "count": self.0 })
    }

    fn restore(&mut self, value: &Value) -> Result<(), StateError> {
        self.0 = state::int(value, "count")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_consecutive_points_in_the_state() {
        let mut count = Count::default();
        let values: Vec<FieldValue> = [true, true, false, true]
            .into_iter()
            .map(|in_state| count.track(in_state, Time::from_nanos(0)))
            .collect();
        assert_eq!(values, [1, 2, -1, 1].map(FieldValue::Integer));
        let mut back = Count::default();
        back.restore(&count.to_json()).expect("restores");
        assert_eq!(back, count);
        assert!(back.restore(&json!({})).is_err());
    }
}
