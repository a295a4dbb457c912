//! [`Snapshots`]: each task's node snapshot, one file per task under
//! `<data dir>/snapshots/<task>.snap`: a framed ([`crate::frame`]) JSON document with the
//! format version, the WAL position it covers and each stateful node's state. A file is
//! replaced atomically (written beside, synced, renamed), so a crash leaves the old
//! snapshot or the new one. A file that does not read, whose checksum fails or whose
//! format this build does not know is a [`StoreError::Snapshot`] naming the task and file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::frame::{self, Read};
use crate::StoreError;

/// The snapshot format this build writes and reads.
pub const FORMAT: u32 = 1;

/// One task's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The format version ([`FORMAT`]).
    pub format: u32,
    /// The WAL records up to this position are in the state; replay starts after it.
    pub wal_position: u64,
    /// Each stateful node's state, in DAG order, by node name.
    pub nodes: Vec<(String, Value)>,
}

/// The snapshot files of a data dir.
#[derive(Debug)]
pub struct Snapshots {
    dir: PathBuf,
}

impl Snapshots {
    /// The snapshots under `dir` (created if missing).
    pub fn open(dir: &Path) -> Result<Snapshots, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        Ok(Snapshots {
            dir: dir.to_path_buf(),
        })
    }

    /// The file of task `task`'s snapshot.
    pub fn path(&self, task: &str) -> PathBuf {
        self.dir.join(format!("{task}.snap"))
    }

    /// Saves task `task`'s snapshot, replacing the previous one atomically.
    pub fn put(&self, task: &str, snapshot: &Snapshot) -> Result<(), StoreError> {
        let json = serde_json::to_vec(snapshot).unwrap_or_default();
        let mut framed = Vec::with_capacity(json.len() + frame::HEADER);
        frame::encode(&json, &mut framed);
        let path = self.path(task);
        let temporary = self.dir.join(format!("{task}.snap.tmp"));
        let mut file = std::fs::File::create(&temporary).map_err(StoreError::io(&temporary))?;
        file.write_all(&framed)
            .and_then(|()| file.sync_data())
            .map_err(StoreError::io(&temporary))?;
        std::fs::rename(&temporary, &path).map_err(StoreError::io(&path))
    }

    /// Task `task`'s snapshot, `None` when it has none.
    pub fn get(&self, task: &str) -> Result<Option<Snapshot>, StoreError> {
        let path = self.path(task);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(self.unreadable(task, err.to_string())),
        };
        let json = match frame::read(&bytes) {
            Read::Record(json, used) if used == bytes.len() => json,
            Read::Record(..) => return Err(self.unreadable(task, "bytes after the snapshot")),
            Read::End => return Err(self.unreadable(task, "the file is empty")),
            Read::Torn(why) => return Err(self.unreadable(task, why)),
        };
        let snapshot: Snapshot =
            serde_json::from_slice(json).map_err(|e| self.unreadable(task, e.to_string()))?;
        if snapshot.format != FORMAT {
            let why = format!("format {} (this build reads {FORMAT})", snapshot.format);
            return Err(self.unreadable(task, why));
        }
        Ok(Some(snapshot))
    }

    /// Forgets task `task`'s snapshot.
    pub fn delete(&self, task: &str) -> Result<(), StoreError> {
        let path = self.path(task);
        match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(StoreError::Io { path, source: err })
            }
            _ => Ok(()),
        }
    }

    fn unreadable(&self, task: &str, reason: impl Into<String>) -> StoreError {
        StoreError::Snapshot {
            task: task.to_string(),
            path: self.path(task),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_snapshot_round_trips_and_a_damaged_one_names_task_and_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let snapshots = Snapshots::open(dir.path()).expect("opens");
        assert_eq!(snapshots.get("cpu").expect("reads"), None);
        let snapshot = Snapshot {
            format: FORMAT,
            wal_position: 42,
            nodes: vec![("alert2".into(), json!({"groups": []}))],
        };
        snapshots.put("cpu", &snapshot).expect("saves");
        assert_eq!(snapshots.get("cpu").expect("reads"), Some(snapshot));
        let path = snapshots.path("cpu");
        let mut bytes = std::fs::read(&path).expect("reads");
        let last = bytes.len() - 2;
        bytes[last] ^= 0x20;
        std::fs::write(&path, bytes).expect("writes");
        let err = snapshots.get("cpu").expect_err("damaged");
        assert_eq!(
            err.to_string(),
            format!("snapshot of task \"cpu\" in {path:?} is unreadable: checksum mismatch")
        );
        snapshots.delete("cpu").expect("deletes");
        assert_eq!(snapshots.get("cpu").expect("reads"), None);
    }
}
