//! [`WriteRecord`]: what the WAL keeps of one accepted write: its database, retention
//! policy and precision, the server clock it was parsed with (lines without a timestamp
//! take it, so a replay parses them to the same times) and the decompressed body.
//!
//! Binary form: four length-prefixed byte strings (u32 little-endian lengths) and the
//! clock as i64 nanoseconds.

/// One accepted write as the WAL keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRecord {
    /// The `db` parameter.
    pub database: String,
    /// The retention policy.
    pub retention_policy: String,
    /// The `precision` parameter as given.
    pub precision: String,
    /// The server clock the body was parsed with, in nanoseconds.
    pub now: i64,
    /// The decompressed line protocol.
    pub body: Vec<u8>,
}

/// A WAL payload that is not a [`WriteRecord`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("wal record at position {position} is not a write: {why}")]
pub struct RecordError {
    /// The record's position.
    pub position: u64,
    /// What is wrong.
    pub why: &'static str,
}

impl WriteRecord {
    /// The record as WAL payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 64);
        for part in [
            self.database.as_bytes(),
            self.retention_policy.as_bytes(),
            self.precision.as_bytes(),
        ] {
            put(&mut out, part);
        }
        out.extend_from_slice(&self.now.to_le_bytes());
        put(&mut out, &self.body);
        out
    }

    /// The record of the payload at `position`.
    pub fn decode(position: u64, payload: &[u8]) -> Result<WriteRecord, RecordError> {
        let fail = |why| RecordError { position, why };
        let mut rest = payload;
        let text = |rest: &mut &[u8]| -> Result<String, RecordError> {
            let bytes = take(rest).ok_or_else(|| fail("cut short"))?;
            String::from_utf8(bytes.to_vec()).map_err(|_| fail("a name is not UTF-8"))
        };
        let database = text(&mut rest)?;
        let retention_policy = text(&mut rest)?;
        let precision = text(&mut rest)?;
        let (now, tail) = rest
            .split_first_chunk::<8>()
            .ok_or_else(|| fail("cut short"))?;
        rest = tail;
        let body = take(&mut rest).ok_or_else(|| fail("cut short"))?.to_vec();
        Ok(WriteRecord {
            database,
            retention_policy,
            precision,
            now: i64::from_le_bytes(*now),
            body,
        })
    }
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(bytes);
}

fn take<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (length, tail) = rest.split_first_chunk::<4>()?;
    let length = u32::from_le_bytes(*length) as usize;
    let bytes = tail.get(..length)?;
    *rest = &tail[length..];
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_round_trips_and_a_short_one_is_refused() {
        let record = WriteRecord {
            database: "printer".into(),
            retention_policy: "autogen".into(),
            precision: "s".into(),
            now: -5,
            body: b"temperatures hotend=1 1\n".to_vec(),
        };
        let payload = record.encode();
        assert_eq!(WriteRecord::decode(1, &payload), Ok(record));
        assert_eq!(
            WriteRecord::decode(7, &payload[..payload.len() - 1])
                .expect_err("short")
                .to_string(),
            "wal record at position 7 is not a write: cut short"
        );
    }
}
