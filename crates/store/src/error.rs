//! [`StoreError`]: why the data dir, its store, its WAL or a task's snapshot could not be
//! used. Every variant names the file (and the task, where there is one).

use std::path::PathBuf;

/// Why the data dir could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the data dir's lock file.
    #[error(
        "data dir {dir:?} is in use by another tickflow (lock file {lock:?} is held): \
         stop it or give this one another --data-dir"
    )]
    Locked {
        /// The data dir.
        dir: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// A file or directory could not be created, read or written.
    #[error("{path:?}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The embedded store failed.
    #[error("store {path:?}: {reason}")]
    Db {
        /// The store's file.
        path: PathBuf,
        /// What redb said.
        reason: String,
    },
    /// A record of the store does not decode.
    #[error("store {path:?}: {what} {key:?} does not decode: {reason}")]
    Record {
        /// The store's file.
        path: PathBuf,
        /// Which kind of record (`task`, `topic handler`, `topic`).
        what: &'static str,
        /// Its key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A task's snapshot does not decode, or has a format this build does not read.
    #[error("snapshot of task {task:?} in {path:?} is unreadable: {reason}")]
    Snapshot {
        /// The task.
        task: String,
        /// The store's file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A WAL segment other than the last is damaged: records after it cannot be trusted.
    #[error("wal segment {path:?} is damaged at byte {offset}: {reason}")]
    Corrupt {
        /// The segment.
        path: PathBuf,
        /// Where its first bad record starts.
        offset: u64,
        /// Why.
        reason: String,
    },
}

impl StoreError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }

    /// A redb error on the store at `path`.
    pub(crate) fn db<E: std::fmt::Display>(
        path: &std::path::Path,
    ) -> impl Fn(E) -> StoreError + '_ {
        move |err| StoreError::Db {
            path: path.to_path_buf(),
            reason: err.to_string(),
        }
    }
}
