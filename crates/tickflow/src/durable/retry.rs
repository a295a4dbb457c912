//! Retried writes: a client whose write was appended to the WAL but that did not get its
//! 204 before the server died sends the same body again after the restart. Like
//! InfluxDB, where writing the same points twice stores them once, a write whose
//! database, retention policy, precision and body equal a WAL record found at start is
//! acknowledged and counted, not ingested again. Only bodies whose every line carries
//! its own timestamp qualify: a line without one takes the server clock, so sending it
//! again is a new point.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use tickflow_line_protocol::{Parser, Precision};
use tickflow_model::{Dbrp, Point, Time};
use tickflow_store::wal::record::WriteRecord;

/// The hashes of the writes the WAL held at start.
#[derive(Debug, Default)]
pub(crate) struct Retries(Mutex<HashSet<u64>>);

impl Retries {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<u64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers a write found in the WAL at start.
    pub(crate) fn insert(&self, record: &WriteRecord) {
        self.lock().insert(hash(record));
    }

    /// Whether `record` is one of the writes found at start.
    pub(crate) fn contains(&self, record: &WriteRecord) -> bool {
        let hashes = self.lock();
        !hashes.is_empty() && hashes.contains(&hash(record))
    }
}

fn hash(record: &WriteRecord) -> u64 {
    let mut hasher = DefaultHasher::new();
    (record.database.as_str(), record.retention_policy.as_str()).hash(&mut hasher);
    (record.precision.as_str(), record.body.as_slice()).hash(&mut hasher);
    hasher.finish()
}

/// Whether every line of `body` that gave one of `points` carries its own timestamp:
/// parsed with a clock an hour later (later at any precision), every point keeps its
/// time.
pub(crate) fn timestamped(
    body: &[u8],
    precision: Precision,
    dbrp: Dbrp,
    now: Time,
    points: &[Point],
) -> bool {
    let later = Time::from_nanos(now.nanos().saturating_add(3_600_000_000_000));
    let again = Parser::new(precision, later).with_dbrp(dbrp).parse(body);
    again.points.len() == points.len()
        && again
            .points
            .iter()
            .zip(points)
            .all(|(a, b)| a.time == b.time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(body: &str) -> WriteRecord {
        WriteRecord {
            database: "db".into(),
            retention_policy: "rp".into(),
            precision: String::new(),
            now: 0,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn only_a_write_seen_at_start_is_a_retry() {
        let retries = Retries::default();
        assert!(!retries.contains(&record("cpu v=1 1")));
        retries.insert(&record("cpu v=1 1"));
        assert!(retries.contains(&record("cpu v=1 1")));
        assert!(!retries.contains(&record("cpu v=1 2")));
        let mut elsewhere = record("cpu v=1 1");
        elsewhere.database = "other".into();
        assert!(!retries.contains(&elsewhere));
    }

    #[test]
    fn a_body_with_a_line_without_timestamp_is_not_timestamped() {
        let now = Time::from_nanos(100);
        let check = |body: &str| {
            let dbrp = Dbrp::new("db", "rp");
            let parsed = Parser::new(Precision::Nanosecond, now)
                .with_dbrp(dbrp.clone())
                .parse(body.as_bytes());
            timestamped(
                body.as_bytes(),
                Precision::Nanosecond,
                dbrp,
                now,
                &parsed.points,
            )
        };
        assert!(check("cpu v=1 1\ncpu,host=a\\ b v=\"x y\" 2\n"));
        assert!(!check("cpu v=1 1\ncpu v=2\n"));
    }
}
