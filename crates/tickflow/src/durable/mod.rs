//! [`Durable`]: what makes an [`Engine`](crate::Engine) survive a restart and `kill -9`,
//! over a data dir ([`tickflow_store::DataDir`]).
//!
//! - **Ingest** ([`ingest`]): every accepted write is appended to the WAL before it
//!   enters the engine and before its 204, under the ingest gate, one write at a time,
//!   so the WAL's order is the order tasks see. A write the WAL cannot take is refused
//!   (507) and nothing of it is acknowledged.
//! - **Snapshots** ([`snapshots`]): every `snapshot-interval`, the gate is held while the
//!   last WAL position `P` is read and a marker is sent into every running task, so each
//!   task's snapshot covers exactly the records up to `P`; then the gate opens, the
//!   states are saved with `P`, and WAL segments every enabled task has covered are
//!   removed. At shutdown the drained tasks' states are saved.
//! - **Start** ([`startup`]): topic handlers and topic states come back from the store,
//!   tasks from their records, enabled ones restored from their snapshots, and the WAL
//!   records after each task's position are replayed into it before the server serves.
//!   Alert handlers skip the events they delivered before the crash
//!   (`tickflow_engine::delivery`).
//! - **Retries** ([`retry`]): a client that did not get its 204 re-sends the same body;
//!   a body equal to a WAL record found at start (and whose every line has its own
//!   timestamp) is acknowledged and not ingested again.

pub(crate) mod ingest;
pub(crate) mod retry;
pub mod snapshots;
pub mod startup;
pub(crate) mod topics;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tickflow_engine::delivery::DeliveryLog;
use tickflow_store::{DataDir, Deliveries, StoreError, TaskRecord, TemplateRecord};

/// The data dir of a durable engine and what it keeps in memory about it.
pub struct Durable {
    data: DataDir,
    /// Held by each write (append and routing) and by the start of a snapshot round.
    gate: Mutex<()>,
    /// No write is taken any more (the engine is shutting down).
    closed: AtomicBool,
    /// For each enabled task, the WAL position its state covers.
    positions: Mutex<BTreeMap<String, u64>>,
    /// Hashes of the writes the WAL held at start, for retried writes.
    retries: retry::Retries,
    /// Writes acknowledged as retries.
    retried: AtomicU64,
    snapshot_interval: Duration,
}

impl std::fmt::Debug for Durable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Durable")
            .field("dir", &self.data.path)
            .finish()
    }
}

/// The delivery log as the engine's alert nodes use it.
struct Delivered(Arc<Deliveries>);

impl DeliveryLog for Delivered {
    fn delivered(&self, key: &str) -> u64 {
        self.0.delivered(key)
    }

    fn record(&self, key: &str, sequence: u64) {
        // A record that cannot be written means a replay may send the event again;
        // the event itself was delivered.
        let _ = self.0.record(key, sequence);
    }
}

impl Durable {
    /// Opens the data dir at `path` (locking it) with `config`'s WAL and snapshot
    /// settings.
    pub(crate) fn open(
        path: &std::path::Path,
        config: &crate::config::StorageConfig,
    ) -> Result<Durable, StoreError> {
        let data = DataDir::open(path, config.wal)?;
        Ok(Durable {
            data,
            gate: Mutex::new(()),
            closed: AtomicBool::new(false),
            positions: Mutex::new(BTreeMap::new()),
            retries: retry::Retries::default(),
            retried: AtomicU64::new(0),
            snapshot_interval: config.snapshot_interval,
        })
    }

    /// The data dir.
    pub fn dir(&self) -> &PathBuf {
        &self.data.path
    }

    /// What alert nodes record their deliveries in.
    pub(crate) fn delivery_log(&self) -> Arc<dyn DeliveryLog> {
        Arc::new(Delivered(Arc::clone(&self.data.deliveries)))
    }

    /// How many writes were acknowledged as retries of writes already in the WAL.
    pub fn retried_writes(&self) -> u64 {
        self.retried.load(Ordering::Acquire)
    }

    /// The position of the last record in the WAL.
    pub fn wal_position(&self) -> u64 {
        self.data.wal.last_position()
    }

    fn hold(&self) -> MutexGuard<'_, ()> {
        self.gate.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn positions(&self) -> MutexGuard<'_, BTreeMap<String, u64>> {
        self.positions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Saves task `record`.
    pub(crate) fn save_task(&self, record: &TaskRecord) -> Result<(), StoreError> {
        self.data.store.put_task(record)
    }

    /// Saves template `record`.
    pub(crate) fn save_template(&self, record: &TemplateRecord) -> Result<(), StoreError> {
        self.data.store.put_template(record)
    }

    /// Forgets template `id`.
    pub(crate) fn forget_template(&self, id: &str) -> Result<(), StoreError> {
        self.data.store.delete_template(id)
    }

    /// Forgets task `id`: its record, its snapshot, its deliveries.
    pub(crate) fn forget_task(&self, id: &str) -> Result<(), StoreError> {
        self.positions().remove(id);
        self.data.store.delete_task(id)?;
        self.data.snapshots.delete(id)?;
        self.data.deliveries.forget_task(id)
    }

    /// Task `id` starts with fresh state now: its old snapshot and deliveries go, and
    /// it covers the WAL up to the current position. Returns that position.
    pub(crate) fn fresh_start(&self, id: &str) -> Result<u64, StoreError> {
        let _gate = self.hold();
        let position = self.data.wal.last_position();
        self.data.snapshots.delete(id)?;
        self.data.deliveries.forget_task(id)?;
        self.positions().insert(id.to_string(), position);
        Ok(position)
    }

    /// Task `id` stopped: the WAL need not be kept for it.
    pub(crate) fn stopped(&self, id: &str) {
        self.positions().remove(id);
    }
}
