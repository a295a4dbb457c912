//! [`NodeStats`]: per-node counters, updated by the executors and read by anyone.
//!
//! Counters are atomics shared through an `Arc`, so the CLI and the server can read them
//! while the task runs without stopping a node thread.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use tickflow_alert::{Delivery, Level};

/// Live counters of one node.
#[derive(Debug, Default)]
pub struct NodeStats {
    messages_in: AtomicU64,
    messages_out: AtomicU64,
    errors: AtomicU64,
    late: AtomicU64,
    busy_nanos: AtomicU64,
    memory_bytes: AtomicU64,
    groups_expired: AtomicU64,
    /// Alert events triggered, by level (alert nodes only).
    alerts: [AtomicU64; 4],
    /// The alert node's own handlers: events sent, failed, dropped (totals).
    delivery: [AtomicU64; 3],
}

/// A copy of a node's counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsSnapshot {
    /// Messages received (points, batches, barriers).
    pub messages_in: u64,
    /// Messages sent to the children (counted once however many children there are).
    pub messages_out: u64,
    /// Messages dropped because of an error.
    pub errors: u64,
    /// Points dropped because they came too late for any window still to be emitted.
    pub late: u64,
    /// Time spent inside the node's code.
    pub busy: Duration,
    /// Estimated bytes of state the node holds (buffered points, group tables), as of
    /// the last chunk of messages it handled: a gauge, see [`crate::Node::memory`].
    pub memory_bytes: u64,
    /// Groups the node dropped because the task went over its memory limit or the group
    /// was idle too long.
    pub groups_expired: u64,
    /// Alert events triggered, by level: OK, INFO, WARNING, CRITICAL (alert nodes
    /// only; zero elsewhere).
    pub alerts: [u64; 4],
    /// Events the alert node's own handlers sent, failed to send and dropped (their
    /// queues full); zero elsewhere.
    pub delivery: Delivery,
}

impl NodeStats {
    /// Counts messages handled and emitted, and the time it took.
    pub fn record_work(&self, messages_in: u64, messages_out: u64, busy: Duration) {
        self.messages_in.fetch_add(messages_in, Relaxed);
        self.messages_out.fetch_add(messages_out, Relaxed);
        self.busy_nanos
            .fetch_add(u64::try_from(busy.as_nanos()).unwrap_or(u64::MAX), Relaxed);
    }

    /// Sets the node's memory estimate to `bytes`.
    pub fn set_memory(&self, bytes: usize) {
        self.memory_bytes
            .store(u64::try_from(bytes).unwrap_or(u64::MAX), Relaxed);
    }

    /// Counts `groups` groups expired.
    pub fn record_expired(&self, groups: usize) {
        self.groups_expired
            .fetch_add(u64::try_from(groups).unwrap_or(u64::MAX), Relaxed);
    }

    /// Counts one alert event triggered at `level`.
    pub fn record_alert(&self, level: Level) {
        self.alerts[level_index(level)].fetch_add(1, Relaxed);
    }

    /// Sets the totals of the alert node's handlers.
    pub fn record_delivery(&self, delivery: Delivery) {
        let [sent, failed, dropped] = &self.delivery;
        sent.store(delivery.sent, Relaxed);
        failed.store(delivery.failed, Relaxed);
        dropped.store(delivery.dropped, Relaxed);
    }

    /// Counts one dropped message.
    pub fn record_error(&self) {
        self.errors.fetch_add(1, Relaxed);
    }

    /// Counts one point dropped as late.
    pub fn record_late(&self) {
        self.late.fetch_add(1, Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            messages_in: self.messages_in.load(Relaxed),
            messages_out: self.messages_out.load(Relaxed),
            errors: self.errors.load(Relaxed),
            late: self.late.load(Relaxed),
            busy: Duration::from_nanos(self.busy_nanos.load(Relaxed)),
            memory_bytes: self.memory_bytes.load(Relaxed),
            groups_expired: self.groups_expired.load(Relaxed),
            alerts: self.alerts.each_ref().map(|count| count.load(Relaxed)),
            delivery: Delivery {
                sent: self.delivery[0].load(Relaxed),
                failed: self.delivery[1].load(Relaxed),
                dropped: self.delivery[2].load(Relaxed),
            },
        }
    }
}

/// Where `level` counts in [`StatsSnapshot::alerts`].
fn level_index(level: Level) -> usize {
    match level {
        Level::Ok => 0,
        Level::Info => 1,
        Level::Warning => 2,
        Level::Critical => 3,
    }
}
