//! tickflow's data dir: what a server keeps across restarts and `kill -9`.
//!
//! [`DataDir::open`] takes the dir's lock ([`lock::DirLock`]: a second server on the same
//! dir refuses to start), then opens its parts:
//!
//! - `store.redb`: the embedded store ([`db::Store`]) of task records, topic handlers
//!   and alert topic states;
//! - `snapshots/<task>.snap`: each task's node snapshot with its format version and the
//!   WAL position it covers ([`snapshots::Snapshots`]);
//! - `wal/*.wal`: the write-ahead log of accepted writes ([`wal::Wal`]), length- and
//!   CRC-framed records in segment files, synced by an [`wal::FsyncPolicy`];
//! - `delivered.log`: the highest alert sequence each handler delivered
//!   ([`deliveries::Deliveries`]), so replayed alerts are not sent twice.
//!
//! The crate knows nothing of the engine: states are JSON values, writes are bytes
//! ([`wal::record::WriteRecord`]). Every error names its file, and its task when it has
//! one ([`StoreError`]).
//!
//! ```
//! use tickflow_store::{DataDir, wal::WalOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let data = DataDir::open(dir.path(), WalOptions::default())?;
//! let position = data.wal.append(b"a write")?;
//! assert_eq!(data.wal.read_after(0)?, [(position, b"a write".to_vec())]);
//! assert!(DataDir::open(dir.path(), WalOptions::default()).is_err(), "locked");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod db;
pub mod deliveries;
mod error;
mod frame;
pub mod lock;
pub mod snapshots;
pub mod wal;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use db::{Store, TaskRecord, TemplateRecord};
pub use deliveries::Deliveries;
pub use error::StoreError;
pub use snapshots::{Snapshot, Snapshots};
pub use wal::{FsyncPolicy, TornTail, Wal, WalOptions};

/// An open data dir.
#[derive(Debug)]
pub struct DataDir {
    /// The dir.
    pub path: PathBuf,
    /// Task records, topic handlers, topic states.
    pub store: Store,
    /// Each task's snapshot.
    pub snapshots: Snapshots,
    /// The write-ahead log.
    pub wal: Arc<Wal>,
    /// What each alert handler delivered.
    pub deliveries: Arc<Deliveries>,
    /// The torn WAL tail cut at open, to be reported.
    pub torn: Option<TornTail>,
    _lock: lock::DirLock,
}

impl DataDir {
    /// Opens (creating it if missing) and locks the data dir `path`.
    pub fn open(path: &Path, wal: WalOptions) -> Result<DataDir, StoreError> {
        std::fs::create_dir_all(path).map_err(StoreError::io(path))?;
        let lock = lock::DirLock::take(path)?;
        let opened = Wal::open(&path.join("wal"), wal)?;
        Ok(DataDir {
            path: path.to_path_buf(),
            store: Store::open(&path.join("store.redb"))?,
            snapshots: Snapshots::open(&path.join("snapshots"))?,
            wal: opened.wal,
            deliveries: Arc::new(Deliveries::open(&path.join("delivered.log"))?),
            torn: opened.torn,
            _lock: lock,
        })
    }
}
