//! Exactly-once alert delivery across a crash: [`DeliveryLog`] (kept by the program, e.g.
//! a durable server's data dir) remembers the highest sequence number each handler of
//! each alert node has delivered, and [`Exactly`] wraps a handler so that it skips the
//! events a replay produces again.
//!
//! Processing is deterministic, so after a restart from a snapshot and a replay of the
//! write-ahead log, an alert node produces the same events in the same order. The node
//! numbers the events it hands its handlers (its snapshot keeps the count, the
//! [`Sequence`]); each handler's wrapper numbers the events it receives the same way,
//! skips those at or below what the log says it delivered before the restart, and
//! records each event's number right after the handler has handled it. What remains: a
//! crash between the handler's write and the record sends that one event again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tickflow_alert::{AlertData, Handler, HandlerError};

/// Where delivered sequence numbers are kept.
pub trait DeliveryLog: Send + Sync {
    /// The highest sequence `key` had delivered when the program started (0: none).
    fn delivered(&self, key: &str) -> u64;

    /// Records that `key` has delivered `sequence`; an error is the program's to report.
    fn record(&self, key: &str, sequence: u64);
}

/// An alert node's event count at its last restore: the events it numbers start after
/// it. Shared by the node and its handlers' wrappers.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sequence(Arc<AtomicU64>);

impl Sequence {
    /// The count the node was restored with.
    pub(crate) fn base(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Sets the count (at restore, before any event).
    pub(crate) fn restore(&self, base: u64) {
        self.0.store(base, Ordering::Release);
    }
}

/// A handler that skips events delivered before a restart and records what it delivers.
pub(crate) struct Exactly {
    inner: Box<dyn Handler>,
    key: String,
    log: Arc<dyn DeliveryLog>,
    base: Sequence,
    /// Events received since the node was built.
    received: AtomicU64,
    /// What the log said this handler had delivered at start.
    delivered: u64,
}

impl Exactly {
    /// Wraps `inner`, the handler known as `key` (`task/node/index`).
    pub(crate) fn new(
        inner: Box<dyn Handler>,
        key: String,
        log: Arc<dyn DeliveryLog>,
        base: Sequence,
    ) -> Self {
        let delivered = log.delivered(&key);
        Exactly {
            inner,
            key,
            log,
            base,
            received: AtomicU64::new(0),
            delivered,
        }
    }
}

impl Handler for Exactly {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let sequence = self.base.base() + self.received.fetch_add(1, Ordering::AcqRel) + 1;
        if sequence <= self.delivered {
            return Ok(());
        }
        let handled = self.inner.handle(event);
        self.log.record(&self.key, sequence);
        handled
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Log(Mutex<BTreeMap<String, u64>>);

    impl DeliveryLog for Log {
        fn delivered(&self, key: &str) -> u64 {
            self.0.lock().expect("log").get(key).copied().unwrap_or(0)
        }
        fn record(&self, key: &str, sequence: u64) {
            self.0.lock().expect("log").insert(key.into(), sequence);
        }
    }

    struct Count(Arc<AtomicU64>);

    impl Handler for Count {
        fn handle(&self, _: &AlertData) -> Result<(), HandlerError> {
            self.0.fetch_add(1, Ordering::AcqRel);
            Ok(())
        }
        fn describe(&self) -> String {
            "count".into()
        }
    }

    #[test]
    fn events_delivered_before_a_restart_are_skipped_and_the_rest_recorded() {
        let log: Arc<dyn DeliveryLog> = Arc::new(Log::default());
        log.record("t/alert2/0", 5);
        let handled = Arc::new(AtomicU64::new(0));
        let base = Sequence::default();
        let handler = Exactly::new(
            Box::new(Count(Arc::clone(&handled))),
            "t/alert2/0".into(),
            Arc::clone(&log),
            base.clone(),
        );
        // Restored from a snapshot taken after event 3: events 4 and 5 come again.
        base.restore(3);
        for _ in 0..4 {
            handler.handle(&AlertData::default()).expect("handled");
        }
        assert_eq!(handled.load(Ordering::Acquire), 2, "events 6 and 7 only");
        assert_eq!(log.delivered("t/alert2/0"), 7);
    }
}
