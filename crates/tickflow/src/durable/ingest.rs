//! The durable half of a write: under the ingest gate, a write with points is appended
//! to the WAL (or recognised as a retry of a write the WAL held at start) before it
//! enters the engine, and the gate is held until the engine has it, so the WAL's order
//! is the engine's and a snapshot marker sent while the gate is held follows exactly
//! the records before it.

use std::sync::atomic::Ordering;
use std::sync::MutexGuard;

use tickflow_store::wal::record::WriteRecord;

use super::Durable;
use crate::ingest::WriteError;

/// A write admitted through the gate; the gate opens when it is dropped.
pub(crate) struct Admitted<'a> {
    durable: &'a Durable,
    _gate: MutexGuard<'a, ()>,
}

/// What [`Admitted::log`] did with a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Logged {
    /// Appended: the engine is to take it.
    Appended,
    /// A retry of a write the WAL held at start: acknowledged, not ingested again.
    Retry,
}

impl Durable {
    /// Waits for the gate; refused once the engine is shutting down.
    pub(crate) fn admit(&self) -> Result<Admitted<'_>, WriteError> {
        let gate = self.hold();
        if self.closed.load(Ordering::Acquire) {
            return Err(WriteError::Master(tickflow_engine::MasterError::Closed));
        }
        Ok(Admitted {
            durable: self,
            _gate: gate,
        })
    }
}

impl Admitted<'_> {
    /// Appends `record` to the WAL, unless it is a retry (`timestamped` says whether
    /// every line of it carries its own timestamp). A WAL that cannot take it refuses
    /// the write.
    pub(crate) fn log(
        &self,
        record: &WriteRecord,
        timestamped: impl FnOnce() -> bool,
    ) -> Result<Logged, WriteError> {
        let durable = self.durable;
        if durable.retries.contains(record) && timestamped() {
            durable.retried.fetch_add(1, Ordering::AcqRel);
            return Ok(Logged::Retry);
        }
        match durable.data.wal.append(&record.encode()) {
            Ok(_) => Ok(Logged::Appended),
            Err(err) => Err(WriteError::Storage(err.to_string())),
        }
    }
}
