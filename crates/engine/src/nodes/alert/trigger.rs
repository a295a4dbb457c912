//! The alert node's one trigger decision, for points and batches alike: a level is
//! recorded in its group's history (kapacitor-compat.md, nodes §8.3–8.5) and becomes an event to send
//! unless the group is flapping or `.stateChangesOnly()` holds back an unchanged level
//! whose interval has not expired; an OK level is an event only when it changes the
//! group's level (a recovery).
//!
//! The two paths differ in one rule, kept as they have always behaved here: a batch's
//! recovery is sent even while its group is flapping, a point's is held back with the
//! other levels.

use tickflow_alert::Level;
use tickflow_model::{Duration, Time};
use tickflow_pipeline::nodes::alert::AlertNode;

use super::state::{Change, GroupState};

/// What the level was determined from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A point of a stream.
    Point,
    /// A whole batch.
    Batch,
}

/// The rules of the trigger decision, from the node's spec.
#[derive(Debug, Clone)]
pub(crate) struct Trigger {
    /// `.stateChangesOnly()`: unchanged levels are held back.
    state_changes_only: bool,
    /// `.stateChangesOnly(interval)`: an unchanged level is sent again after it.
    max_interval: Option<Duration>,
    /// `.flapping(low, high)`.
    flapping: Option<(f64, f64)>,
}

impl Trigger {
    /// The rules of an alert node.
    pub(crate) fn new(spec: &AlertNode) -> Self {
        Trigger {
            state_changes_only: spec.state_changes_only,
            max_interval: spec.state_changes_max_interval,
            flapping: spec.flapping.as_ref().map(|f| (f.low, f.high)),
        }
    }

    /// Records `level` at `time` in `group`'s history and decides whether it is an
    /// event: when it is, marks it sent at `time` and returns the event's duration.
    pub(crate) fn record(
        &self,
        group: &mut GroupState,
        time: Time,
        level: Level,
        source: Source,
    ) -> Option<Duration> {
        let change = group.add_event(time, level, self.max_interval, self.flapping);
        if !self.sends(level, change, group.is_flapping(), source) {
            return None;
        }
        group.triggered(time);
        Some(group.duration())
    }

    /// Whether a recorded level that made `change` is sent, the group flapping or not.
    fn sends(&self, level: Level, change: Change, flapping: bool, source: Source) -> bool {
        let held_back = flapping || self.state_changes_only && !change.changed && !change.expired;
        match (level, source) {
            (Level::Ok, Source::Batch) => change.changed,
            (Level::Ok, Source::Point) => change.changed && !held_back,
            _ => !held_back,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger(state_changes_only: bool) -> Trigger {
        Trigger {
            state_changes_only,
            max_interval: None,
            flapping: None,
        }
    }

    fn change(changed: bool, expired: bool) -> Change {
        Change { changed, expired }
    }

    #[test]
    fn a_recovery_is_sent_only_when_the_level_changes() {
        for source in [Source::Point, Source::Batch] {
            let sends = |c| trigger(false).sends(Level::Ok, c, false, source);
            assert!(sends(change(true, false)));
            assert!(!sends(change(false, false)));
            assert!(!sends(change(false, true)));
        }
    }

    #[test]
    fn state_changes_only_holds_back_unchanged_levels_until_they_expire() {
        for source in [Source::Point, Source::Batch] {
            let sends = |only, c| trigger(only).sends(Level::Critical, c, false, source);
            assert!(sends(false, change(false, false)));
            assert!(!sends(true, change(false, false)));
            assert!(sends(true, change(false, true)));
            assert!(sends(true, change(true, false)));
        }
    }

    #[test]
    fn flapping_holds_back_all_but_a_batchs_recovery() {
        let sends = |level, source| trigger(false).sends(level, change(true, false), true, source);
        assert!(!sends(Level::Critical, Source::Point));
        assert!(!sends(Level::Critical, Source::Batch));
        assert!(!sends(Level::Ok, Source::Point));
        assert!(sends(Level::Ok, Source::Batch));
    }

    #[test]
    fn a_sent_event_is_marked_and_has_its_duration() {
        let at = |secs: i64| Time::from_nanos(secs * 1_000_000_000);
        let mut group = GroupState::new(21);
        let rules = trigger(true);
        let crit = |group: &mut GroupState, secs| {
            rules.record(group, at(secs), Level::Critical, Source::Point)
        };
        assert_eq!(crit(&mut group, 1), Some(Duration::ZERO));
        assert_eq!(crit(&mut group, 2), None);
        let ok = rules.record(&mut group, at(3), Level::Ok, Source::Point);
        assert_eq!(ok, Some(Duration::from_nanos(2_000_000_000)));
    }
}
