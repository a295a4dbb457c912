//! [`TaskHealth`]: what a task has been through while the server runs — its failures,
//! restarts, the points it could not take — and [`RestartPolicy`], when a failed task
//! is started again.
//!
//! A task's health outlives each run of it: the task master keeps one per task id from
//! its first start until the definition is deleted, so the counters add up across
//! restarts. A node thread records its failure here as it fails (before the task master
//! has drained the task), so the task shows as failed at once.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

use crate::executor::Failure;

/// When a failed task is restarted: after `initial`, doubling with each restart in a
/// row up to `max`, at most `max_restarts` times; then it has failed for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Whether failed tasks are restarted at all.
    pub enabled: bool,
    /// The wait before the first restart.
    pub initial: Duration,
    /// The longest wait between restarts.
    pub max: Duration,
    /// How many restarts before the task is left failed.
    pub max_restarts: u64,
}

impl Default for RestartPolicy {
    /// On: 1s, 2s, 4s, ... up to a minute, at most 10 restarts.
    fn default() -> Self {
        RestartPolicy {
            enabled: true,
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
            max_restarts: 10,
        }
    }
}

impl RestartPolicy {
    /// How long to wait before the restart that follows `restarts` earlier ones, or
    /// `None` when the task is not to be restarted again.
    pub fn delay(&self, restarts: u64) -> Option<Duration> {
        if !self.enabled || restarts >= self.max_restarts {
            return None;
        }
        let factor = 1u32.checked_shl(u32::try_from(restarts).unwrap_or(u32::MAX));
        let delay = factor.and_then(|f| self.initial.checked_mul(f));
        Some(delay.map_or(self.max, |d| d.min(self.max)))
    }
}

/// The counters and last error of one task, shared by its node threads, the writers
/// routing points to it and the task master.
#[derive(Debug, Default)]
pub struct TaskHealth {
    failures: AtomicU64,
    restarts: AtomicU64,
    dropped: AtomicU64,
    failing: AtomicBool,
    given_up: AtomicBool,
    last_failure: Mutex<Option<Failure>>,
    last_snapshot: Mutex<Option<Vec<(String, Value)>>>,
}

/// A task's health at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthSnapshot {
    /// Whether the task has failed and not run again since.
    pub failing: bool,
    /// Whether it will not be restarted again.
    pub failed_for_good: bool,
    /// Its last failure, as `node NAME: ERROR`; empty when it never failed.
    pub error: String,
    /// How many times a node of it failed.
    pub failures: u64,
    /// How many times it was restarted after a failure.
    pub restarts: u64,
    /// How many points routed to it were dropped because it was not executing.
    pub dropped_points: u64,
}

impl TaskHealth {
    /// Records that a node failed; the task no longer takes data. Returns whether this
    /// is the run's first failure (the one to report).
    pub(crate) fn fail(&self, failure: &Failure) -> bool {
        if self.failing.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.failures.fetch_add(1, Ordering::Relaxed);
        *lock(&self.last_failure) = Some(failure.clone());
        true
    }

    /// Records a restart: the task runs again.
    pub(crate) fn restarted(&self) {
        self.restarts.fetch_add(1, Ordering::Relaxed);
        self.failing.store(false, Ordering::Release);
    }

    /// Records that the task will not be restarted again.
    pub(crate) fn give_up(&self) {
        self.given_up.store(true, Ordering::Release);
    }

    /// Counts `count` points that reached the task while it was not executing.
    pub(crate) fn drop_points(&self, count: usize) {
        self.dropped.fetch_add(count as u64, Ordering::Relaxed);
    }

    /// How many restarts the task has had.
    pub(crate) fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }

    /// Whether the task has failed and not run again since.
    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Acquire)
    }

    /// The last failure, if any.
    pub fn last_failure(&self) -> Option<Failure> {
        lock(&self.last_failure).clone()
    }

    /// Keeps the task's latest live snapshot: a restart starts from it.
    pub(crate) fn keep_snapshot(&self, states: &[(String, Value)]) {
        *lock(&self.last_snapshot) = Some(states.to_vec());
    }

    /// The latest live snapshot, if one was taken.
    pub(crate) fn last_snapshot(&self) -> Option<Vec<(String, Value)>> {
        lock(&self.last_snapshot).clone()
    }

    /// The health now.
    pub fn snapshot(&self) -> HealthSnapshot {
        HealthSnapshot {
            failing: self.is_failing(),
            failed_for_good: self.given_up.load(Ordering::Acquire),
            error: self
                .last_failure()
                .map(|f| f.to_string())
                .unwrap_or_default(),
            failures: self.failures.load(Ordering::Relaxed),
            restarts: self.restarts(),
            dropped_points: self.dropped.load(Ordering::Relaxed),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeError;

    #[test]
    fn the_backoff_doubles_up_to_its_maximum_and_stops_after_the_last_restart() {
        let policy = RestartPolicy {
            enabled: true,
            initial: Duration::from_millis(100),
            max: Duration::from_millis(500),
            max_restarts: 5,
        };
        let delays: Vec<Option<u128>> = (0..6)
            .map(|n| policy.delay(n).map(|d| d.as_millis()))
            .collect();
        assert_eq!(
            delays,
            [Some(100), Some(200), Some(400), Some(500), Some(500), None]
        );
        let off = RestartPolicy {
            enabled: false,
            ..policy
        };
        assert_eq!(off.delay(0), None);
        let long = RestartPolicy {
            max_restarts: u64::MAX,
            ..policy
        };
        assert_eq!(long.delay(200), Some(Duration::from_millis(500)));
    }

    #[test]
    fn a_failure_is_counted_once_per_run_and_shown_until_the_restart() {
        let health = TaskHealth::default();
        let failure = Failure {
            node: "udf2".into(),
            error: NodeError::new("agent exited"),
        };
        assert!(health.fail(&failure));
        assert!(!health.fail(&failure), "a second node of the run");
        health.drop_points(3);
        let seen = health.snapshot();
        assert!(seen.failing);
        assert_eq!(seen.error, "node udf2: agent exited");
        assert_eq!((seen.failures, seen.dropped_points), (1, 3));
        health.restarted();
        let seen = health.snapshot();
        assert!(!seen.failing);
        assert_eq!(seen.restarts, 1);
    }
}
