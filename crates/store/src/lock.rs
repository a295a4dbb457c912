//! [`DirLock`]: the data dir's lock file (`LOCK`), held with an advisory exclusive lock
//! for as long as the server runs, so a second server on the same dir refuses to start
//! instead of interleaving its WAL with the first's. The operating system releases the
//! lock when the process ends, even by `kill -9`.

use std::fs::{File, OpenOptions};
use std::path::Path;

use fs4::fs_std::FileExt;

use crate::StoreError;

/// The held lock of a data dir; released when dropped.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock of `dir`, or says which process holds it.
    pub fn take(dir: &Path) -> Result<DirLock, StoreError> {
        let path = dir.join("LOCK");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(StoreError::io(&path))?;
        match file.try_lock_exclusive() {
            Ok(true) => Ok(DirLock { _file: file }),
            Ok(false) => Err(StoreError::Locked {
                dir: dir.to_path_buf(),
                lock: path,
            }),
            Err(source) => Err(StoreError::Io { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_dir_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = DirLock::take(dir.path()).expect("first lock");
        let err = DirLock::take(dir.path()).expect_err("held");
        assert!(
            err.to_string().starts_with(&format!(
                "data dir {:?} is in use by another tickflow (lock file {:?} is held)",
                dir.path(),
                dir.path().join("LOCK")
            )),
            "{err}"
        );
        drop(first);
        DirLock::take(dir.path()).expect("free again");
    }
}
