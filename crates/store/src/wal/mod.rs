//! [`Wal`]: the write-ahead log of accepted writes, in segment files under
//! `<data dir>/wal/` ([`segment`]). Each record has a position (1, 2, …; never reused)
//! and is framed with its length and CRC ([`crate::frame`]).
//!
//! [`Wal::append`] writes a record and, under [`FsyncPolicy::Always`], syncs it before it
//! returns; under [`FsyncPolicy::Interval`] a flusher thread syncs what was appended at
//! least once per interval; under [`FsyncPolicy::Never`] the operating system decides.
//! Any policy survives `kill -9` (the bytes are in the page cache once `write` returned);
//! the policy is what a power loss may take.
//!
//! **Invariant: the WAL never holds a partial record before a whole one.** An append that
//! fails part-way (disk full, file-size limit) cuts its segment back to where it was and
//! returns the error, so nothing half-written is acknowledged; the next append starts a
//! new segment, so a writer recovers as soon as the disk takes bytes again. At open, a
//! torn tail of the last segment (a crash mid-append) is cut at its last whole record and
//! reported ([`Opened::torn`]); damage in an older segment is an error.
//! [`Wal::remove_through`] deletes the segments whose records are all covered by every
//! task's snapshot.

pub mod record;
pub(crate) mod segment;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::StoreError;
use segment::Segment;

/// When appended records are synced to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// Before each append returns.
    Always,
    /// At least once per interval, by a flusher thread.
    Interval(Duration),
    /// Never explicitly.
    Never,
}

/// How the WAL is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalOptions {
    /// When appends are synced.
    pub fsync: FsyncPolicy,
    /// A segment that has reached this size is closed and a new one started.
    pub segment_bytes: u64,
}

impl Default for WalOptions {
    fn default() -> Self {
        WalOptions {
            fsync: FsyncPolicy::Interval(Duration::from_millis(100)),
            segment_bytes: 64 << 20,
        }
    }
}

/// A torn tail cut at open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// The segment.
    pub path: PathBuf,
    /// Where its last whole record ends (its new length).
    pub kept: u64,
    /// How many bytes were cut.
    pub cut: u64,
    /// Why they were not a record.
    pub why: &'static str,
}

impl std::fmt::Display for TornTail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wal segment {:?} had a torn tail ({}): cut {} bytes at byte {}, its last whole record",
            self.path, self.why, self.cut, self.kept
        )
    }
}

/// What [`Wal::open`] found.
#[derive(Debug)]
pub struct Opened {
    /// The log, ready for appends.
    pub wal: Arc<Wal>,
    /// The torn tail it cut, if any.
    pub torn: Option<TornTail>,
}

/// The segment being appended to.
struct Active {
    file: Option<File>,
    path: PathBuf,
    length: u64,
    /// The position the next record gets.
    next: u64,
    /// Appended since the last sync.
    dirty: bool,
    /// The last append failed: the next one starts a new segment.
    failed: bool,
}

/// The write-ahead log.
pub struct Wal {
    dir: PathBuf,
    options: WalOptions,
    active: Mutex<Active>,
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wal").field("dir", &self.dir).finish()
    }
}

impl Wal {
    /// Opens (or creates) the WAL in `dir`, cutting a torn tail; under
    /// [`FsyncPolicy::Interval`] starts the flusher thread, which ends with the log.
    pub fn open(dir: &Path, options: WalOptions) -> Result<Opened, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        let segments = segment::list(dir)?;
        let (next, torn) = check(&segments)?;
        let last = segments.last().cloned().unwrap_or(Segment {
            path: segment::path(dir, next),
            first: next,
        });
        let file = append_to(&last.path)?;
        let length = file.metadata().map_err(StoreError::io(&last.path))?.len();
        let wal = Arc::new(Wal {
            dir: dir.to_path_buf(),
            options,
            active: Mutex::new(Active {
                file: Some(file),
                path: last.path,
                length,
                next,
                dirty: false,
                failed: false,
            }),
        });
        if let FsyncPolicy::Interval(every) = options.fsync {
            flusher(Arc::downgrade(&wal), every)?;
        }
        Ok(Opened { wal, torn })
    }

    fn lock(&self) -> MutexGuard<'_, Active> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `payload` as the next record and returns its position. On an error
    /// nothing of it stays in the log.
    pub fn append(&self, payload: &[u8]) -> Result<u64, StoreError> {
        let mut active = self.lock();
        if active.failed || active.length >= self.options.segment_bytes {
            self.roll(&mut active)?;
        }
        let position = active.next;
        let framed = segment::encode(position, payload);
        let written = write_record(&mut active, &framed, self.options.fsync);
        if let Err(err) = written {
            active.failed = true;
            let length = active.length;
            if let Some(file) = &active.file {
                // Cut back what was written of the record; if even that fails the
                // record is torn and the next open cuts it.
                let _ = file.set_len(length);
            }
            return Err(StoreError::Io {
                path: active.path.clone(),
                source: err,
            });
        }
        active.length += framed.len() as u64;
        active.next += 1;
        Ok(position)
    }

    /// Closes the active segment and starts one at the next position.
    fn roll(&self, active: &mut Active) -> Result<(), StoreError> {
        if let Some(file) = active.file.take() {
            // Only a segment that took records needs its bytes synced before the next.
            let _ = file.sync_data();
        }
        let path = segment::path(&self.dir, active.next);
        active.file = Some(append_to(&path)?);
        active.length = std::fs::metadata(&path)
            .map_err(StoreError::io(&path))?
            .len();
        active.path = path;
        active.failed = false;
        Ok(())
    }

    /// Syncs what was appended since the last sync.
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut active = self.lock();
        if !active.dirty {
            return Ok(());
        }
        if let Some(file) = &active.file {
            file.sync_data().map_err(StoreError::io(&active.path))?;
        }
        active.dirty = false;
        Ok(())
    }

    /// The position of the last record appended (0 when none ever was).
    pub fn last_position(&self) -> u64 {
        self.lock().next - 1
    }

    /// Every record after position `after`, oldest first.
    pub fn read_after(&self, after: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let _appends_wait = self.lock();
        let segments = segment::list(&self.dir)?;
        let mut records = Vec::new();
        for (i, seg) in segments.iter().enumerate() {
            let next_first = segments.get(i + 1).map_or(u64::MAX, |s| s.first);
            if next_first <= after + 1 {
                continue;
            }
            let scan = segment::scan(&seg.path)?;
            records.extend(scan.records.into_iter().filter(|(p, _)| *p > after));
        }
        Ok(records)
    }

    /// Deletes the segments all of whose records are at or before `position`; how many.
    /// The active segment stays.
    pub fn remove_through(&self, position: u64) -> Result<usize, StoreError> {
        let active = self.lock();
        let segments = segment::list(&self.dir)?;
        let mut removed = 0;
        for pair in segments.windows(2) {
            let [old, next] = pair else { continue };
            if next.first > position + 1 || old.path == active.path {
                break;
            }
            std::fs::remove_file(&old.path).map_err(StoreError::io(&old.path))?;
            removed += 1;
        }
        Ok(removed)
    }
}

/// Writes one framed record to the active segment and syncs it if the policy says so.
fn write_record(active: &mut Active, framed: &[u8], fsync: FsyncPolicy) -> std::io::Result<()> {
    let file = active
        .file
        .as_mut()
        .ok_or_else(|| std::io::Error::other("the wal segment is closed"))?;
    file.write_all(framed)?;
    match fsync {
        FsyncPolicy::Always => file.sync_data()?,
        FsyncPolicy::Interval(_) => active.dirty = true,
        FsyncPolicy::Never => {}
    }
    Ok(())
}

/// Opens segment `path` for appending, creating it.
fn append_to(path: &Path) -> Result<File, StoreError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(StoreError::io(path))
}

/// Checks every segment: cuts a torn tail of the last one, refuses damage in the others;
/// returns the position the next record gets.
fn check(segments: &[Segment]) -> Result<(u64, Option<TornTail>), StoreError> {
    let mut next = segments.first().map_or(1, |s| s.first);
    let mut torn = None;
    for (i, seg) in segments.iter().enumerate() {
        let scan = segment::scan(&seg.path)?;
        if let Some((last, _)) = scan.records.last() {
            next = last + 1;
        } else {
            next = next.max(seg.first);
        }
        let Some(why) = scan.torn else { continue };
        if i + 1 < segments.len() {
            return Err(StoreError::Corrupt {
                path: seg.path.clone(),
                offset: scan.whole,
                reason: why.to_string(),
            });
        }
        let file = OpenOptions::new()
            .write(true)
            .open(&seg.path)
            .map_err(StoreError::io(&seg.path))?;
        file.set_len(scan.whole)
            .map_err(StoreError::io(&seg.path))?;
        file.sync_all().map_err(StoreError::io(&seg.path))?;
        torn = Some(TornTail {
            path: seg.path.clone(),
            kept: scan.whole,
            cut: scan.length - scan.whole,
            why,
        });
    }
    Ok((next, torn))
}

/// Starts the thread that syncs the log once per `every` while it exists.
fn flusher(wal: std::sync::Weak<Wal>, every: Duration) -> Result<(), StoreError> {
    let dir = wal.upgrade().map(|w| w.dir.clone()).unwrap_or_default();
    std::thread::Builder::new()
        .name("wal-flusher".into())
        .spawn(move || loop {
            std::thread::sleep(every);
            let Some(wal) = wal.upgrade() else { return };
            // A failed sync leaves the bytes dirty; the next tick tries again.
            let _ = wal.sync();
        })
        .map(drop)
        .map_err(StoreError::io(dir))
}

#[cfg(test)]
mod tests;
