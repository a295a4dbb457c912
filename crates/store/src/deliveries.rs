//! [`Deliveries`]: the highest alert sequence number each handler of each alert node has
//! delivered, so that a replay after a crash does not send an event again.
//!
//! An append-only file (`<data dir>/delivered.log`) of framed records
//! `<key>\0<sequence>`, one written right after a handler has handed an event on; the
//! latest record of a key wins. It is read (a torn tail ignored) and rewritten compactly
//! at open. Records are not synced one by one: they survive `kill -9` (the page cache
//! holds them); a power loss may lose the last ones, and those events are sent again.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::frame::{self, Read};
use crate::StoreError;

/// The delivery log of a data dir.
#[derive(Debug)]
pub struct Deliveries {
    path: PathBuf,
    /// What was delivered before this process started (less the tasks forgotten since).
    at_start: Mutex<BTreeMap<String, u64>>,
    file: Mutex<File>,
}

impl Deliveries {
    /// Reads the log at `path` and starts a compact one in its place.
    pub fn open(path: &Path) -> Result<Deliveries, StoreError> {
        let at_start = match std::fs::read(path) {
            Ok(bytes) => parse(&bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let temporary = path.with_extension("log.tmp");
        let mut compact = Vec::new();
        for (key, sequence) in &at_start {
            frame::encode(&entry(key, *sequence), &mut compact);
        }
        std::fs::write(&temporary, &compact).map_err(StoreError::io(&temporary))?;
        std::fs::rename(&temporary, path).map_err(StoreError::io(path))?;
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(StoreError::io(path))?;
        Ok(Deliveries {
            path: path.to_path_buf(),
            at_start: Mutex::new(at_start),
            file: Mutex::new(file),
        })
    }

    /// The highest sequence `key` had delivered when the process started (0: none).
    pub fn delivered(&self, key: &str) -> u64 {
        let at_start = self.at_start.lock().unwrap_or_else(|e| e.into_inner());
        at_start.get(key).copied().unwrap_or(0)
    }

    /// Forgets what the handlers of task `task` (keys `task/…`) delivered: the task
    /// starts afresh and numbers its events from 1 again.
    pub fn forget_task(&self, task: &str) -> Result<(), StoreError> {
        let prefix = format!("{task}/");
        let keys: Vec<String> = {
            let mut at_start = self.at_start.lock().unwrap_or_else(|e| e.into_inner());
            let keys = at_start
                .keys()
                .filter(|k| k.starts_with(&prefix))
                .cloned()
                .collect();
            at_start.retain(|k, _| !k.starts_with(&prefix));
            keys
        };
        keys.iter().try_for_each(|key| self.record(key, 0))
    }

    /// Records that `key` has delivered `sequence`.
    pub fn record(&self, key: &str, sequence: u64) -> Result<(), StoreError> {
        let mut framed = Vec::new();
        frame::encode(&entry(key, sequence), &mut framed);
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(&framed).map_err(StoreError::io(&self.path))
    }
}

fn entry(key: &str, sequence: u64) -> Vec<u8> {
    let mut body = key.as_bytes().to_vec();
    body.push(0);
    body.extend_from_slice(sequence.to_string().as_bytes());
    body
}

/// The latest sequence of each key in `bytes`, up to a torn tail.
fn parse(mut bytes: &[u8]) -> BTreeMap<String, u64> {
    let mut latest = BTreeMap::new();
    while let Read::Record(body, used) = frame::read(bytes) {
        let mut parts = body.splitn(2, |b| *b == 0);
        let key = parts.next().and_then(|k| std::str::from_utf8(k).ok());
        let sequence = parts
            .next()
            .and_then(|s| std::str::from_utf8(s).ok()?.parse::<u64>().ok());
        if let (Some(key), Some(sequence)) = (key, sequence) {
            latest.insert(key.to_string(), sequence);
        }
        bytes = &bytes[used..];
    }
    latest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_sequence_of_each_key_survives_a_reopen_and_a_torn_tail() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("delivered.log");
        let log = Deliveries::open(&path).expect("opens");
        assert_eq!(log.delivered("t/alert2/0"), 0);
        for sequence in 1..=3 {
            log.record("t/alert2/0", sequence).expect("records");
        }
        log.record("t/alert2/1", 1).expect("records");
        drop(log);
        let mut file = OpenOptions::new().append(true).open(&path).expect("opens");
        file.write_all(&[9, 0, 0]).expect("writes a torn record");
        drop(file);
        let log = Deliveries::open(&path).expect("reopens");
        assert_eq!(log.delivered("t/alert2/0"), 3);
        assert_eq!(log.delivered("t/alert2/1"), 1);
        log.forget_task("t").expect("forgets");
        assert_eq!(log.delivered("t/alert2/0"), 0);
        drop(log);
        let log = Deliveries::open(&path).expect("reopens");
        assert_eq!(log.delivered("t/alert2/1"), 0);
    }
}
