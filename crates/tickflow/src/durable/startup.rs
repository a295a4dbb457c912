//! A durable engine's start: the topics come back from the store, then the tasks (each
//! enabled one restored from its snapshot), then the WAL records after each task's
//! position are replayed into it, in order, before the engine takes writes. Every
//! record found is also remembered for retried writes ([`super::retry`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tickflow_alert::Services;
use tickflow_engine::TaskMaster;
use tickflow_line_protocol::{Parser, Precision};
use tickflow_model::{Dbrp, Time};
use tickflow_store::wal::record::WriteRecord;
use tickflow_store::StoreError;

use super::Durable;
use crate::tasks::TaskStore;
use crate::time_guard::TimeGuard;

/// What the start found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Tasks defined from the store.
    pub tasks: usize,
    /// Of those, the enabled ones started, restored from a snapshot or replayed.
    pub started: usize,
    /// WAL records replayed into at least one task.
    pub replayed_writes: usize,
    /// Points those records gave.
    pub replayed_points: usize,
    /// How long restoring and replaying took.
    pub took: Duration,
    /// Tasks that did not start, with why (an unreadable snapshot names its file).
    pub failed: Vec<(String, String)>,
    /// What was repaired or skipped: a torn WAL tail cut, a topic handler not restored.
    pub warnings: Vec<String>,
}

/// The engine's parts a start works on.
pub(crate) struct Parts<'a> {
    pub(crate) master: &'a TaskMaster,
    pub(crate) tasks: &'a TaskStore,
    pub(crate) services: &'a Services,
    pub(crate) time_guard: TimeGuard,
}

impl Durable {
    /// Restores topics and tasks and replays the WAL into the tasks; the tasks in
    /// `reset` start with empty state from the current position, their snapshots and
    /// deliveries forgotten.
    pub(crate) fn recover(
        &self,
        parts: &Parts<'_>,
        reset: &[String],
    ) -> Result<Recovery, StoreError> {
        let started = Instant::now();
        let mut recovery = Recovery::default();
        recovery
            .warnings
            .extend(self.data.torn.iter().map(ToString::to_string));
        let hub = &parts.services.topics;
        let warnings = super::topics::restore(&self.data.store, hub, parts.services)?;
        recovery.warnings.extend(warnings);
        for id in reset {
            self.data.snapshots.delete(id)?;
            self.data.deliveries.forget_task(id)?;
        }
        for template in self.data.store.templates()? {
            let id = template.id.clone();
            if let Err(err) = parts.tasks.restore_template(template) {
                recovery
                    .warnings
                    .push(format!("template {id}: {}", err.message));
            }
        }
        let now = self.data.wal.last_position();
        for mut stored in self.data.store.tasks()? {
            recovery.tasks += 1;
            let id = stored.id.clone();
            let reset = reset.contains(&id);
            if reset {
                stored.since = now;
            }
            let saved = match reset {
                true => Ok(None),
                false => self.data.snapshots.get(&id),
            };
            match parts.tasks.load(stored, saved) {
                Ok(Some(position)) => {
                    recovery.started += 1;
                    self.positions().insert(id, position);
                }
                Ok(None) => {}
                Err(err) => recovery.failed.push((id, err.message)),
            }
        }
        self.replay(parts, &mut recovery)?;
        recovery.took = started.elapsed();
        Ok(recovery)
    }

    /// Replays each WAL record into the started tasks whose position is before it.
    fn replay(&self, parts: &Parts<'_>, recovery: &mut Recovery) -> Result<(), StoreError> {
        let positions: BTreeMap<String, u64> = self.positions().clone();
        for (position, payload) in self.data.wal.read_after(0)? {
            let Ok(record) = WriteRecord::decode(position, &payload) else {
                recovery.warnings.push(format!(
                    "wal record at position {position} is not a write: skipped"
                ));
                continue;
            };
            self.retries.insert(&record);
            let behind: Vec<&str> = (positions.iter())
                .filter(|(_, covered)| **covered < position)
                .map(|(id, _)| id.as_str())
                .collect();
            if behind.is_empty() {
                continue;
            }
            let points = replayed_points(&record, parts.time_guard);
            recovery.replayed_writes += 1;
            recovery.replayed_points += points.len();
            // A closed master takes nothing; the engine is being dropped.
            let _ = parts.master.write_to(&behind, points);
        }
        Ok(())
    }
}

/// The points `record` gave when it was written: parsed with its clock, the time
/// guard applied at that clock.
fn replayed_points(record: &WriteRecord, guard: TimeGuard) -> Vec<tickflow_model::Point> {
    let precision: Precision = record.precision.parse().unwrap_or_default();
    let dbrp = Dbrp::new(record.database.as_str(), record.retention_policy.as_str());
    let now = Time::from_nanos(record.now);
    let mut parsed = Parser::new(precision, now)
        .with_dbrp(dbrp)
        .parse(&record.body);
    let _refused = guard.apply(now, &mut parsed.points);
    parsed.points
}
