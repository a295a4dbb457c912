//! The files of one sideload node: each read when first needed and kept, then checked
//! at most once per `recheck` of wall time (a `stat`, never a read) and read again when
//! its modification time or length changed, or it appeared or vanished.
//!
//! A missing file gives nothing and is no error. An unreadable or malformed file is
//! reported once per change (not per point) and gives nothing until it changes; a value
//! that does not convert to its default's type is reported with its key and is left out,
//! so the next file in the order (or the default) applies. The cache keeps one entry per
//! path the templates rendered, missing files included. [`reload`] makes every cache of
//! the process forget its files.

use std::collections::HashMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use tickflow_model::{FieldValue, Str};

use super::file::{self, ParseError};
use super::value::ConvertError;
use crate::node::Context;

/// The keys a node loads: fields with their defaults (whose types the values take) and
/// tag names.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    /// Field names and defaults, in the node's order.
    pub fields: Vec<(Str, FieldValue)>,
    /// Tag names and defaults, in the node's order.
    pub tags: Vec<(Str, Str)>,
}

/// What one file gives for the wanted keys, indexed as in [`Wanted`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    /// The converted value of each wanted field the file defines.
    pub fields: Vec<Option<FieldValue>>,
    /// The value of each wanted tag the file defines.
    pub tags: Vec<Option<Str>>,
}

impl Found {
    /// Nothing for any key.
    pub(crate) fn none(wanted: &Wanted) -> Self {
        Found {
            fields: vec![None; wanted.fields.len()],
            tags: vec![None; wanted.tags.len()],
        }
    }
}

/// A problem with a sideload file, reported as a per-message error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FileError {
    /// A rendered path that is not a relative path inside the source directory.
    #[error("sideload path {0:?} is not a relative file path inside the source directory")]
    Outside(String),
    /// The file exists but cannot be read.
    #[error("sideload file {path:?}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is malformed or of an unknown kind.
    #[error("sideload file {path:?}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: ParseError,
    },
    /// A wanted key's value does not convert to its default's type.
    #[error("sideload file {path:?}: key {key:?}: {source}")]
    Convert {
        /// The file.
        path: PathBuf,
        /// The key.
        key: Str,
        /// Why.
        source: ConvertError,
    },
}

/// What a `stat` saw of a file, compared to decide whether to read it again.
#[derive(Debug, Clone, PartialEq)]
enum Stamp {
    Missing,
    Present {
        modified: Option<SystemTime>,
        len: u64,
    },
    Unreadable(io::ErrorKind),
}

/// One cached file.
#[derive(Debug)]
struct Entry {
    stamp: Stamp,
    checked: Instant,
    found: Found,
}

/// How many times every sideload cache of the process was told to forget its files.
#[cfg(not(test))]
static RELOADS: AtomicU64 = AtomicU64::new(0);

// Unit tests run side by side in one process, each with its nodes on its own thread: a
// per-thread count keeps one test's reload from reaching another's caches.
#[cfg(test)]
thread_local! {
    static RELOADS: AtomicU64 = const { AtomicU64::new(0) };
}

/// Makes every sideload node of the process read its files again at their next use
/// (Kapacitor's `POST /kapacitor/v1/sideload/reload`), whatever their stamps say.
pub fn reload() {
    #[cfg(not(test))]
    RELOADS.fetch_add(1, Ordering::Relaxed);
    #[cfg(test)]
    RELOADS.with(|reloads| reloads.fetch_add(1, Ordering::Relaxed));
}

/// The current reload count.
fn reloads() -> u64 {
    #[cfg(not(test))]
    return RELOADS.load(Ordering::Relaxed);
    #[cfg(test)]
    RELOADS.with(|reloads| reloads.load(Ordering::Relaxed))
}

/// The cache of a node's files.
#[derive(Debug)]
pub(crate) struct Files {
    dir: PathBuf,
    recheck: Duration,
    entries: HashMap<String, Entry>,
    /// The [`RELOADS`] count the entries were read under.
    reloads: u64,
}

impl Files {
    /// The files under `dir`, checked for changes at most once per `recheck`.
    pub(crate) fn new(dir: PathBuf, recheck: Duration) -> Self {
        Files {
            dir,
            recheck,
            entries: HashMap::new(),
            reloads: reloads(),
        }
    }

    /// What file `path` (relative to the directory) gives for `wanted`, with the wall
    /// clock reading `now`; `None` when the path is refused. Problems go to `ctx`.
    pub(crate) fn get(
        &mut self,
        path: &str,
        wanted: &Wanted,
        now: Instant,
        ctx: &mut Context<'_>,
    ) -> Option<&Found> {
        if !is_inside(Path::new(path)) {
            ctx.error(&FileError::Outside(path.to_owned()));
            return None;
        }
        let reloads = reloads();
        if reloads != self.reloads {
            self.entries.clear();
            self.reloads = reloads;
        }
        let recheck = self.recheck;
        match self.entries.get_mut(path) {
            None => {
                let full = self.dir.join(path);
                let stamp = stamp(&full);
                let found = load(&full, &stamp, wanted, ctx);
                let entry = Entry {
                    stamp,
                    checked: now,
                    found,
                };
                self.entries.insert(path.to_owned(), entry);
            }
            Some(entry) if now.duration_since(entry.checked) >= recheck => {
                entry.checked = now;
                let full = self.dir.join(path);
                let stamp = stamp(&full);
                if stamp != entry.stamp {
                    entry.found = load(&full, &stamp, wanted, ctx);
                    entry.stamp = stamp;
                }
            }
            Some(_) => {}
        }
        self.entries.get(path).map(|entry| &entry.found)
    }
}

/// Whether `path` names something inside the directory: relative, no `..`.
fn is_inside(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && path.components().any(|c| matches!(c, Component::Normal(_)))
}

fn stamp(path: &Path) -> Stamp {
    match std::fs::metadata(path) {
        Ok(meta) => Stamp::Present {
            modified: meta.modified().ok(),
            len: meta.len(),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Stamp::Missing,
        Err(e) => Stamp::Unreadable(e.kind()),
    }
}

/// Reads the file the stamp describes, reporting what is wrong with it.
fn load(path: &Path, stamp: &Stamp, wanted: &Wanted, ctx: &mut Context<'_>) -> Found {
    let mut found = Found::none(wanted);
    if *stamp == Stamp::Missing {
        return found;
    }
    let map = match std::fs::read(path) {
        Ok(bytes) => file::parse(path, &bytes).map_err(|source| FileError::Parse {
            path: path.to_owned(),
            source,
        }),
        Err(source) => Err(FileError::Read {
            path: path.to_owned(),
            source,
        }),
    };
    let map = match map {
        Ok(map) => map,
        Err(error) => {
            ctx.error(&error);
            return found;
        }
    };
    let mut report = |key: &Str, source| {
        ctx.error(&FileError::Convert {
            path: path.to_owned(),
            key: key.clone(),
            source,
        })
    };
    for ((key, default), slot) in wanted.fields.iter().zip(&mut found.fields) {
        if let Some(value) = map.get(key.as_str()) {
            *slot = value.to_field(default).map_err(|e| report(key, e)).ok();
        }
    }
    for ((key, _), slot) in wanted.tags.iter().zip(&mut found.tags) {
        if let Some(value) = map.get(key.as_str()) {
            *slot = value.to_tag().map_err(|e| report(key, e)).ok();
        }
    }
    found
}
