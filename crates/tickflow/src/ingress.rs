//! [`IngressStats`]: what came in through the engine's write path, per database,
//! retention policy and measurement (Kapacitor's `ingress` statistics, which
//! `/kapacitor/v1/debug/vars` shows and Telegraf's kapacitor input reads), and the points
//! that reached no task.
//!
//! A write is counted once, under one lock, after it is parsed: the counts of its points
//! are summed per measurement first, so a body of many points of one measurement costs
//! one map update. A write whose points reach no running task is counted as unrouted;
//! when it named no retention policy (the usual cause: a task reads `"db"."autogen"`,
//! the client wrote to `db` alone and `[http] default-retention-policy` is empty) the
//! first such write per database is warned about on stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard};

use tickflow_model::{Point, Str};

/// The ingress counters of one engine.
#[derive(Debug, Default)]
pub struct IngressStats {
    received: Mutex<BTreeMap<IngressKey, u64>>,
    unrouted: AtomicU64,
    warned: Mutex<BTreeSet<String>>,
}

/// Where points were written: database, retention policy, measurement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IngressKey {
    /// The database.
    pub database: Str,
    /// The retention policy.
    pub retention_policy: Str,
    /// The measurement.
    pub measurement: Str,
}

impl IngressStats {
    /// Counts the points of one write.
    pub(crate) fn record(&self, points: &[Point]) {
        let mut runs: Vec<(&Point, u64)> = Vec::new();
        for point in points {
            match runs.last_mut() {
                Some((first, n)) if same_series(first, point) => *n += 1,
                _ => runs.push((point, 1)),
            }
        }
        let mut received = lock(&self.received);
        for (point, n) in runs {
            // Cheap clones: the names are shared, or inline when short.
            let key = IngressKey {
                database: point.database.clone(),
                retention_policy: point.retention_policy.clone(),
                measurement: point.name.clone(),
            };
            *received.entry(key).or_default() += n;
        }
    }

    /// Counts `points` written to `database`.`retention_policy` that no task reads;
    /// returns whether this is the first such write without a retention policy for the
    /// database (the caller warns once).
    pub(crate) fn record_unrouted(
        &self,
        database: &str,
        retention_policy: &str,
        points: usize,
    ) -> bool {
        self.unrouted.fetch_add(points as u64, Relaxed);
        retention_policy.is_empty() && lock(&self.warned).insert(database.to_string())
    }

    /// Points received, by database, retention policy and measurement.
    pub fn received(&self) -> Vec<(IngressKey, u64)> {
        let received = lock(&self.received);
        received.iter().map(|(k, n)| (k.clone(), *n)).collect()
    }

    /// Points written that reached no running task.
    pub fn unrouted(&self) -> u64 {
        self.unrouted.load(Relaxed)
    }
}

fn same_series(a: &Point, b: &Point) -> bool {
    a.name == b.name && a.database == b.database && a.retention_policy == b.retention_policy
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use tickflow_model::Time;

    use super::*;

    fn point(db: &str, name: &str) -> Point {
        let mut point = Point::new(name, Time::from_nanos(0));
        point.database = db.into();
        point
    }

    #[test]
    fn points_are_counted_per_database_and_measurement() {
        let stats = IngressStats::default();
        stats.record(&[point("a", "cpu"), point("a", "cpu"), point("a", "mem")]);
        stats.record(&[point("b", "cpu"), point("a", "cpu")]);
        let counts: Vec<(String, String, u64)> = stats
            .received()
            .into_iter()
            .map(|(k, n)| (k.database.to_string(), k.measurement.to_string(), n))
            .collect();
        assert_eq!(
            counts,
            [
                ("a".into(), "cpu".into(), 3),
                ("a".into(), "mem".into(), 1),
                ("b".into(), "cpu".into(), 1)
            ]
        );
    }

    #[test]
    fn unrouted_writes_without_a_retention_policy_warn_once_per_database() {
        let stats = IngressStats::default();
        assert!(stats.record_unrouted("db", "", 2));
        assert!(!stats.record_unrouted("db", "", 3));
        assert!(!stats.record_unrouted("db", "autogen", 1));
        assert!(stats.record_unrouted("other", "", 1));
        assert_eq!(stats.unrouted(), 7);
    }
}
