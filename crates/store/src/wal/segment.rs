//! WAL segment files: named after the position of their first record
//! (`00000000000000000001.wal`), each a run of framed records whose body starts with
//! the record's position (u64, little-endian). Scanning a segment yields its records
//! and where its whole records end.

use std::path::{Path, PathBuf};

use crate::frame::{self, Read};
use crate::StoreError;

/// The extension of segment files.
const EXTENSION: &str = "wal";

/// A segment on disk: its file and the position of its first record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) path: PathBuf,
    pub(crate) first: u64,
}

/// The file of the segment whose first record is at `first`.
pub(crate) fn path(dir: &Path, first: u64) -> PathBuf {
    dir.join(format!("{first:020}.{EXTENSION}"))
}

/// The segments of `dir`, oldest first.
pub(crate) fn list(dir: &Path) -> Result<Vec<Segment>, StoreError> {
    let entries = std::fs::read_dir(dir).map_err(StoreError::io(dir))?;
    let mut segments = Vec::new();
    for entry in entries {
        let path = entry.map_err(StoreError::io(dir))?.path();
        let first = (path.extension().is_some_and(|e| e == EXTENSION))
            .then(|| path.file_stem()?.to_str()?.parse::<u64>().ok())
            .flatten();
        if let Some(first) = first {
            segments.push(Segment { path, first });
        }
    }
    segments.sort_by_key(|s| s.first);
    Ok(segments)
}

/// What a segment holds.
#[derive(Debug)]
pub(crate) struct Scan {
    /// Its whole records: position and payload.
    pub(crate) records: Vec<(u64, Vec<u8>)>,
    /// Where its whole records end.
    pub(crate) whole: u64,
    /// Its length on disk.
    pub(crate) length: u64,
    /// Why the bytes after `whole` are not a record, if there are any.
    pub(crate) torn: Option<&'static str>,
}

/// Reads segment `path` up to its last whole record.
pub(crate) fn scan(path: &Path) -> Result<Scan, StoreError> {
    let bytes = std::fs::read(path).map_err(StoreError::io(path))?;
    let mut records = Vec::new();
    let mut offset = 0;
    let torn = loop {
        match frame::read(&bytes[offset..]) {
            Read::End => break None,
            Read::Torn(why) => break Some(why),
            Read::Record(body, used) => match body.split_first_chunk::<8>() {
                Some((position, payload)) => {
                    records.push((u64::from_le_bytes(*position), payload.to_vec()));
                    offset += used;
                }
                None => break Some("record without a position"),
            },
        }
    };
    Ok(Scan {
        records,
        whole: offset as u64,
        length: bytes.len() as u64,
        torn,
    })
}

/// The framed bytes of the record at `position` carrying `payload`.
pub(crate) fn encode(position: u64, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(8 + payload.len());
    body.extend_from_slice(&position.to_le_bytes());
    body.extend_from_slice(payload);
    let mut framed = Vec::with_capacity(frame::HEADER + body.len());
    frame::encode(&body, &mut framed);
    framed
}
