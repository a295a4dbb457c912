//! [`GroupLimits`]: the `[task]` bounds on the groups a task remembers, beyond Kapacitor
//! (which keeps every group until a barrier deletes it).
//!
//! A window enforces them, since it holds the task's buffered points: after each chunk
//! it drops the groups not seen for `idle` in event time and, while its memory estimate
//! is over `memory`, the least recently seen groups. A dropped group goes downstream as
//! a `DeleteGroup`, exactly as a barrier's `.delete(TRUE)` sends it, so the nodes after
//! the window (UDFs, alerts) forget the group too. Each round is counted in the node's
//! `groups_expired` and logged once, naming the task.

use tickflow_model::{Duration, Time};

/// Bounds on the groups a task keeps; none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupLimits {
    /// The estimated bytes a window may hold before its least recently seen groups go.
    pub memory: Option<usize>,
    /// How long (event time) a group may go unseen before it goes.
    pub idle: Option<Duration>,
}

/// A round of expiry, for the log line.
#[derive(Debug, thiserror::Error)]
#[error("task {task}: {count} groups expired ({reason})")]
pub(crate) struct Expired {
    /// The task's id.
    pub(crate) task: String,
    /// How many groups went.
    pub(crate) count: usize,
    /// Why: the memory limit or the idle time.
    pub(crate) reason: String,
}

/// Whether a group last seen at `seen` is idle at `now` under `idle`.
pub(crate) fn is_idle(seen: Time, now: Time, idle: Duration) -> bool {
    seen < now - idle
}
