//! One alert group's state: the ring of recent levels, flapping, and the times that give
//! an event its duration (kapacitor-compat.md, nodes §8.3–8.5), and its JSON form for node snapshots
//! ([`GroupState::to_json`]: levels by name, times in integer nanoseconds, `null` for a
//! trigger that never happened).

use serde_json::{json, Value};
use tickflow_alert::Level;
use tickflow_model::{Duration, Time};

use crate::state::{self, StateError};

/// The per-group state of an alert node.
#[derive(Debug, Clone)]
pub(crate) struct GroupState {
    history: Vec<Level>,
    idx: usize,
    flapping: bool,
    /// When the last event was triggered; `None` is Go's zero time (long ago).
    last_triggered: Option<Time>,
    first_triggered: Option<Time>,
}

/// What [`GroupState::add_event`] learned about the new level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Change {
    /// The level differs from the previous one.
    pub changed: bool,
    /// With `.stateChangesOnly(interval)`: the unchanged level is due to be sent again.
    pub expired: bool,
}

impl GroupState {
    /// A group with `history` levels of memory (at least 2), all OK.
    pub(crate) fn new(history: i64) -> Self {
        let len = usize::try_from(history).unwrap_or(0).max(2);
        GroupState {
            history: vec![Level::Ok; len],
            idx: 0,
            flapping: false,
            last_triggered: None,
            first_triggered: None,
        }
    }

    /// The current level.
    pub(crate) fn current(&self) -> Level {
        self.history[self.idx]
    }

    /// Whether the group is flapping.
    pub(crate) fn is_flapping(&self) -> bool {
        self.flapping
    }

    /// Records `level` at time `t`; updates flapping when `flapping` is `(low, high)`.
    pub(crate) fn add_event(
        &mut self,
        t: Time,
        level: Level,
        max_interval: Option<Duration>,
        flapping: Option<(f64, f64)>,
    ) -> Change {
        let changed = self.current() != level;
        self.idx = (self.idx + 1) % self.history.len();
        self.history[self.idx] = level;
        if let Some((low, high)) = flapping {
            let change = self.percent_change();
            if self.flapping && change < low {
                self.flapping = false;
            } else if !self.flapping && change > high {
                self.flapping = true;
            }
        }
        let expired = !changed
            && max_interval.is_some_and(|interval| {
                !interval.is_zero()
                    && self
                        .last_triggered
                        .is_none_or(|last| t.since(last) >= interval)
            });
        Change { changed, expired }
    }

    /// Marks an event as sent at `t`; a first non-OK event after OK starts the duration.
    pub(crate) fn triggered(&mut self, t: Time) {
        self.last_triggered = Some(t);
        let previous = (self.idx + self.history.len() - 1) % self.history.len();
        if self.history[previous] == Level::Ok {
            self.first_triggered = Some(t);
        }
    }

    /// The duration of the current event: from the first trigger to the last.
    pub(crate) fn duration(&self) -> Duration {
        match (self.first_triggered, self.last_triggered) {
            (Some(first), Some(last)) => last.since(first),
            _ => Duration::ZERO,
        }
    }

    /// The state as JSON, for [`GroupState::from_json`].
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "history": self.history.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            "idx": self.idx,
            "flapping": self.flapping,
            "last_triggered": self.last_triggered.map(Time::nanos),
            "first_triggered": self.first_triggered.map(Time::nanos),
        })
    }

    /// The state [`GroupState::to_json`] wrote, for a node keeping `history` levels (as
    /// [`GroupState::new`]); a ring of another length is refused.
    pub(crate) fn from_json(value: &Value, history: i64) -> Result<Self, StateError> {
        let mut group = GroupState::new(history);
        let levels = state::array(value, "history")?;
        if levels.len() != group.history.len() {
            return Err(StateError::new(format!(
                "alert history of {} levels, the node keeps {}",
                levels.len(),
                group.history.len()
            )));
        }
        group.history = levels.iter().map(level_from).collect::<Result<_, _>>()?;
        let idx = state::int(value, "idx")?;
        group.idx = usize::try_from(idx)
            .ok()
            .filter(|&i| i < levels.len())
            .ok_or_else(|| StateError::new(format!("alert history index {idx} out of range")))?;
        group.flapping = state::member(value, "flapping")?
            .as_bool()
            .ok_or_else(|| StateError::new("\"flapping\" is not a boolean"))?;
        group.last_triggered = time_from(value, "last_triggered")?;
        group.first_triggered = time_from(value, "first_triggered")?;
        Ok(group)
    }

    /// Kapacitor's weighted share of level changes in the history, pairing entries
    /// exactly as its implementation does (wrap-around included).
    fn percent_change(&self) -> f64 {
        let l = self.history.len();
        let mut changes = 0.0;
        let mut weight = 1.2 / 1.5;
        let step = (1.2 - weight) / (l - 1) as f64;
        for i in 0..l - 1 {
            let c = (i + self.idx) % l;
            let p = if c == 0 { l - 1 } else { c - 1 };
            if self.history[c] != self.history[p] {
                changes += weight;
            }
            weight += step;
        }
        changes / (l - 1) as f64
    }
}

/// A level from its name.
fn level_from(value: &Value) -> Result<Level, StateError> {
    value
        .as_str()
        .and_then(Level::from_name)
        .ok_or_else(|| StateError::new(format!("bad alert level {value}")))
}

/// `value[key]`: a time in nanoseconds, or `null` for none.
fn time_from(value: &Value, key: &str) -> Result<Option<Time>, StateError> {
    if state::member(value, key)?.is_null() {
        return Ok(None);
    }
    state::int(value, key).map(|nanos| Some(Time::from_nanos(nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn t(secs: i64) -> Time {
        Time::from_nanos(secs * S)
    }

    #[test]
    fn durations_count_from_the_first_trigger_after_ok() {
        let mut g = GroupState::new(21);
        assert!(g.add_event(t(1), Level::Critical, None, None).changed);
        g.triggered(t(1));
        assert_eq!(g.duration(), Duration::ZERO);
        assert!(!g.add_event(t(3), Level::Critical, None, None).changed);
        g.triggered(t(3));
        assert_eq!(g.duration(), Duration::from_nanos(2 * S));
        assert!(g.add_event(t(4), Level::Ok, None, None).changed);
        g.triggered(t(4));
        assert_eq!(g.duration(), Duration::from_nanos(3 * S));
    }

    #[test]
    fn unchanged_levels_expire_after_the_interval() {
        let mut g = GroupState::new(21);
        let every_2s = Some(Duration::from_nanos(2 * S));
        let first = g.add_event(t(1), Level::Critical, every_2s, None);
        assert_eq!(
            first,
            Change {
                changed: true,
                expired: false
            }
        );
        g.triggered(t(1));
        assert!(!g.add_event(t(2), Level::Critical, every_2s, None).expired);
        assert!(g.add_event(t(3), Level::Critical, every_2s, None).expired);
    }

    #[test]
    fn the_state_round_trips_through_json() {
        let mut g = GroupState::new(3);
        for (i, level) in [Level::Critical, Level::Ok, Level::Warning, Level::Warning]
            .into_iter()
            .enumerate()
        {
            g.add_event(t(i as i64), level, None, Some((0.1, 0.2)));
            g.triggered(t(i as i64));
        }
        let saved = g.to_json();
        let back = GroupState::from_json(&saved, 3).expect("decodes");
        assert_eq!(back.to_json(), saved);
        assert_eq!(
            (back.current(), back.is_flapping(), back.duration()),
            (Level::Warning, true, Duration::from_nanos(S))
        );
        assert_eq!(
            GroupState::from_json(&saved, 4).err(),
            Some(StateError::new(
                "alert history of 3 levels, the node keeps 4"
            ))
        );
        let mut bad = saved.clone();
        bad["history"][0] = json!("LOUD");
        assert_eq!(
            GroupState::from_json(&bad, 3).err(),
            Some(StateError::new("bad alert level \"LOUD\""))
        );
        assert!(GroupState::from_json(&GroupState::new(2).to_json(), 2).is_ok());
    }

    #[test]
    fn alternating_levels_flap_and_settle() {
        let mut g = GroupState::new(5);
        let thresholds = Some((0.25, 0.5));
        for (i, level) in [Level::Critical, Level::Ok, Level::Critical, Level::Ok]
            .into_iter()
            .enumerate()
        {
            g.add_event(t(i as i64), level, None, thresholds);
        }
        assert!(g.is_flapping());
        for i in 4..10 {
            g.add_event(t(i), Level::Ok, None, thresholds);
        }
        assert!(!g.is_flapping());
    }
}
