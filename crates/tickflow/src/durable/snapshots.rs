//! Snapshot rounds: every task's state saved at one WAL position, the topics saved, and
//! the WAL segments every enabled task has covered removed; and the last save, at
//! shutdown, of the drained tasks' states. [`start`] runs rounds on a thread every
//! `snapshot-interval`.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use tickflow_alert::TopicHub;
use tickflow_engine::diagnostics::Diagnostics;
use tickflow_engine::master::Stopped;
use tickflow_engine::TaskMaster;
use tickflow_store::snapshots::FORMAT;
use tickflow_store::{Snapshot, StoreError};

use super::Durable;

/// What one round saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// The WAL position the snapshots cover.
    pub position: u64,
    /// How many tasks were saved.
    pub tasks: usize,
    /// Their snapshot files' total size in bytes.
    pub bytes: u64,
    /// How long the round took.
    pub took: Duration,
}

impl Durable {
    /// Snapshots every running task at the current WAL position, saves the topics and
    /// removes the WAL behind every enabled task's position.
    pub fn snapshot_round(&self, master: &TaskMaster, hub: &TopicHub) -> Result<Round, StoreError> {
        let started = Instant::now();
        let (position, pending) = {
            let _gate = self.hold();
            (self.data.wal.last_position(), master.start_snapshots())
        };
        let mut round = Round {
            position,
            tasks: 0,
            bytes: 0,
            took: Duration::ZERO,
        };
        for (id, snapshot) in pending {
            // A task that stops during the round keeps its last snapshot.
            let Ok(nodes) = snapshot.wait() else { continue };
            round.bytes += self.save_snapshot(&id, position, nodes)?;
            round.tasks += 1;
        }
        super::topics::save(&self.data.store, hub)?;
        self.trim_wal(position)?;
        round.took = started.elapsed();
        Ok(round)
    }

    /// Saves task `id`'s `nodes` as covering `position`, if the task is still enabled
    /// (not stopped or restarted afresh meanwhile); the file's size.
    fn save_snapshot(
        &self,
        id: &str,
        position: u64,
        nodes: Vec<(String, serde_json::Value)>,
    ) -> Result<u64, StoreError> {
        let mut positions = self.positions();
        if positions.get(id).is_none_or(|p| *p > position) {
            return Ok(0);
        }
        let snapshot = Snapshot {
            format: FORMAT,
            wal_position: position,
            nodes,
        };
        self.data.snapshots.put(id, &snapshot)?;
        positions.insert(id.to_string(), position);
        let path = self.data.snapshots.path(id);
        Ok(std::fs::metadata(&path).map_or(0, |m| m.len()))
    }

    /// Removes the WAL segments every enabled task has covered (all of them, up to
    /// `position`, when no task is enabled).
    fn trim_wal(&self, position: u64) -> Result<usize, StoreError> {
        let keep = self.positions().values().min().copied().unwrap_or(position);
        self.data.wal.remove_through(keep)
    }

    /// Refuses further writes, drains every task and saves each drained task's state and
    /// the topics; returns what the master's shutdown did and the errors of saving.
    pub(crate) fn shutdown(
        &self,
        master: &TaskMaster,
        hub: &TopicHub,
    ) -> (Vec<Stopped>, Vec<String>) {
        let position = {
            let _gate = self.hold();
            self.closed.store(true, Ordering::Release);
            self.data.wal.last_position()
        };
        let stopped = master.shutdown();
        let mut errors = Vec::new();
        for task in stopped.iter().filter(|t| t.result.is_ok()) {
            if let Err(err) = self.save_snapshot(&task.id, position, task.states.clone()) {
                errors.push(err.to_string());
            }
        }
        let saved = super::topics::save(&self.data.store, hub)
            .and_then(|()| self.data.wal.sync())
            .and_then(|()| self.trim_wal(position).map(drop));
        errors.extend(saved.err().map(|e| e.to_string()));
        (stopped, errors)
    }
}

/// Starts the thread that runs a round every interval until the engine shuts down or
/// is dropped; a round's error goes to `diagnostics`.
pub(crate) fn start(
    durable: &Arc<Durable>,
    master: Weak<TaskMaster>,
    hub: TopicHub,
    diagnostics: Arc<dyn Diagnostics>,
) -> std::io::Result<()> {
    let every = durable.snapshot_interval;
    // Held weakly: a dropped engine releases its data dir (and its lock) at once.
    let durable = Arc::downgrade(durable);
    std::thread::Builder::new()
        .name("snapshots".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            let (Some(master), Some(durable)) = (master.upgrade(), durable.upgrade()) else {
                return;
            };
            if durable.closed.load(Ordering::Acquire) {
                return;
            }
            if let Err(err) = durable.snapshot_round(&master, &hub) {
                diagnostics.node_error("snapshots", &err);
            }
        })
        .map(drop)
}
