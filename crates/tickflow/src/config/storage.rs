//! The `[storage]` section (tickflow's): the data dir that makes a server durable.
//!
//! ```toml
//! [storage]
//! dir = "/var/lib/tickflow"     # `tickflow run`/`serve`: --data-dir wins, default ~/.tickflow
//! wal-fsync = "interval"        # "always", "interval" or "never"
//! wal-fsync-interval = "100ms"  # the bound under "interval"
//! wal-segment-size = 67108864   # bytes before the WAL starts a new segment
//! snapshot-interval = "10s"     # how often every task's state is saved
//! ```
//!
//! Kapacitor's `[storage] boltdb` (its task database file) is accepted and unused.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tickflow_model::parse_go_duration;
use tickflow_store::{FsyncPolicy, WalOptions};

/// `[storage]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct StorageSection {
    /// The data dir; empty: the program decides (the cli's `~/.tickflow`).
    pub dir: String,
    /// `always`, `interval` or `never`.
    pub wal_fsync: String,
    /// The longest time an appended write stays unsynced under `interval`.
    pub wal_fsync_interval: String,
    /// The size at which the WAL starts a new segment file.
    pub wal_segment_size: u64,
    /// How often every task's state is saved (and the WAL behind it removed).
    pub snapshot_interval: String,
}

impl Default for StorageSection {
    fn default() -> Self {
        StorageSection {
            dir: String::new(),
            wal_fsync: "interval".into(),
            wal_fsync_interval: "100ms".into(),
            wal_segment_size: WalOptions::default().segment_bytes,
            snapshot_interval: "10s".into(),
        }
    }
}

/// `[storage]` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// The data dir, when the section names one.
    pub dir: Option<PathBuf>,
    /// How the WAL syncs and splits.
    pub wal: WalOptions,
    /// How often every task's state is saved.
    pub snapshot_interval: Duration,
}

/// Why `[storage]` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageSectionError {
    /// An unknown fsync policy.
    #[error("invalid wal-fsync {0:?}: expected \"always\", \"interval\" or \"never\"")]
    Fsync(String),
    /// A duration that is not a positive duration.
    #[error("invalid {key} {value:?}: expected a duration such as \"10s\" or \"100ms\"")]
    Duration {
        /// The key.
        key: &'static str,
        /// Its value.
        value: String,
    },
    /// A segment size of zero.
    #[error("invalid wal-segment-size 0: expected a number of bytes")]
    SegmentSize,
}

impl StorageSection {
    /// The checked settings.
    pub fn check(&self) -> Result<StorageConfig, StorageSectionError> {
        let fsync = match self.wal_fsync.as_str() {
            "always" => FsyncPolicy::Always,
            "interval" => {
                FsyncPolicy::Interval(duration("wal-fsync-interval", &self.wal_fsync_interval)?)
            }
            "never" => FsyncPolicy::Never,
            other => return Err(StorageSectionError::Fsync(other.to_string())),
        };
        if self.wal_segment_size == 0 {
            return Err(StorageSectionError::SegmentSize);
        }
        Ok(StorageConfig {
            dir: (!self.dir.is_empty()).then(|| PathBuf::from(&self.dir)),
            wal: WalOptions {
                fsync,
                segment_bytes: self.wal_segment_size,
            },
            snapshot_interval: duration("snapshot-interval", &self.snapshot_interval)?,
        })
    }
}

/// `value` of `key` as a positive duration.
fn duration(key: &'static str, value: &str) -> Result<Duration, StorageSectionError> {
    parse_go_duration(value)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| StorageSectionError::Duration {
            key,
            value: value.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_sync_every_100ms_and_snapshot_every_10s() {
        let config = StorageSection::default().check().expect("valid");
        assert_eq!(config.dir, None);
        assert_eq!(
            config.wal.fsync,
            FsyncPolicy::Interval(Duration::from_millis(100))
        );
        assert_eq!(config.snapshot_interval, Duration::from_secs(10));
    }

    #[test]
    fn bad_values_are_named() {
        let bad = |section: StorageSection| section.check().expect_err("invalid").to_string();
        let fsync = StorageSection {
            wal_fsync: "sometimes".into(),
            ..StorageSection::default()
        };
        assert_eq!(
            bad(fsync),
            "invalid wal-fsync \"sometimes\": expected \"always\", \"interval\" or \"never\""
        );
        let interval = StorageSection {
            snapshot_interval: "soon".into(),
            ..StorageSection::default()
        };
        assert_eq!(
            bad(interval),
            "invalid snapshot-interval \"soon\": expected a duration such as \"10s\" or \"100ms\""
        );
    }
}
