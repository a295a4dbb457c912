//! [`Chunks`]: a data file read as a stream of chunks of whole lines (or whole 3-line
//! records), each owned, with the file line it starts at and how much of the file had
//! been read when it was cut.
//!
//! The file is never held whole, nor mapped: one chunk of about [`CHUNK_BYTES`] is read
//! at a time (a unit longer than that makes its chunk grow until it ends), so a replay's
//! memory is bounded by the chunks in flight whatever the file's size, `.gz` included.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::ReplayError;

/// About how many bytes one chunk holds.
pub(crate) const CHUNK_BYTES: usize = 256 * 1024;

/// One chunk of whole units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The 1-based file line it starts at.
    pub line: usize,
    /// Its bytes (decompressed).
    pub bytes: Vec<u8>,
    /// Bytes of the file on disk read when it was cut (compressed bytes for gzip).
    pub consumed: u64,
}

/// The chunks of a stream, in order.
pub struct Chunks {
    input: Box<dyn Read + Send>,
    /// How the file's read errors are named.
    fail: Box<dyn Fn(std::io::Error) -> ReplayError + Send>,
    /// Bytes of the file read so far.
    consumed: Arc<AtomicU64>,
    unit_lines: usize,
    size: usize,
    /// Bytes read but not yet in a chunk; they start at a unit boundary.
    carry: Vec<u8>,
    /// The file line `carry` starts at.
    line: usize,
    done: bool,
}

impl Chunks {
    /// The chunks of `input`, cut after every `unit_lines` lines, of about `size` bytes.
    pub(crate) fn new(
        input: Box<dyn Read + Send>,
        fail: Box<dyn Fn(std::io::Error) -> ReplayError + Send>,
        consumed: Arc<AtomicU64>,
        unit_lines: usize,
        size: usize,
    ) -> Chunks {
        Chunks {
            input,
            fail,
            consumed,
            unit_lines,
            size,
            carry: Vec::new(),
            line: 1,
            done: false,
        }
    }

    /// Reads until `carry` holds `want` bytes or the input ends; whether it ended.
    fn fill(&mut self, want: usize) -> Result<bool, ReplayError> {
        let missing = want.saturating_sub(self.carry.len());
        let limit = u64::try_from(missing).unwrap_or(u64::MAX);
        let read = (&mut self.input)
            .take(limit)
            .read_to_end(&mut self.carry)
            .map_err(&self.fail)?;
        Ok(read < missing)
    }

    /// Where the last whole unit in `carry` ends.
    fn cut(&self) -> Option<usize> {
        let mut last = None;
        for (count, newline) in memchr::memchr_iter(b'\n', &self.carry).enumerate() {
            if (count + 1) % self.unit_lines == 0 {
                last = Some(newline + 1);
            }
        }
        last
    }

    /// The first `end` bytes of `carry` as a chunk.
    fn take(&mut self, end: usize) -> Chunk {
        let rest = self.carry.split_off(end);
        let bytes = std::mem::replace(&mut self.carry, rest);
        let line = self.line;
        self.line += memchr::memchr_iter(b'\n', &bytes).count();
        Chunk {
            line,
            bytes,
            consumed: self.consumed.load(Ordering::Relaxed),
        }
    }
}

impl Iterator for Chunks {
    type Item = Result<Chunk, ReplayError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut want = self.size;
        while !self.done {
            let ended = match self.fill(want) {
                Ok(ended) => ended,
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            };
            if ended {
                self.done = true;
                let end = self.carry.len();
                return (end > 0).then(|| Ok(self.take(end)));
            }
            match self.cut() {
                Some(end) => return Some(Ok(self.take(end))),
                // A unit longer than a chunk: read on until it ends.
                None => want = want.saturating_mul(2),
            }
        }
        None
    }
}

/// A reader that counts the bytes read through it.
pub(crate) struct Counted<R> {
    /// The reader.
    pub inner: R,
    /// Bytes read so far.
    pub count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(bytes: &'static [u8], unit_lines: usize, size: usize) -> Vec<(usize, String)> {
        let consumed = Arc::new(AtomicU64::new(0));
        let input = Counted {
            inner: bytes,
            count: Arc::clone(&consumed),
        };
        let fail = Box::new(|source| ReplayError::Read {
            path: "test".into(),
            source,
        });
        Chunks::new(Box::new(input), fail, consumed, unit_lines, size)
            .map(|chunk| {
                let chunk = chunk.expect("reads");
                (chunk.line, String::from_utf8(chunk.bytes).expect("utf-8"))
            })
            .collect()
    }

    #[test]
    fn chunks_hold_whole_units_and_know_their_first_line() {
        let bytes = b"a\nb\nc\nd\ne\nf\ng";
        assert_eq!(
            chunks(bytes, 3, 7),
            [
                (1, "a\nb\nc\n".into()),
                (4, "d\ne\nf\n".into()),
                (7, "g".into())
            ]
        );
        assert_eq!(
            chunks(bytes, 1, 5),
            [
                (1, "a\nb\n".into()),
                (3, "c\nd\n".into()),
                (5, "e\nf\n".into()),
                (7, "g".into())
            ]
        );
        assert!(chunks(b"", 1, 3).is_empty());
    }

    #[test]
    fn a_unit_longer_than_a_chunk_grows_its_chunk() {
        let bytes = b"a long first line\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        assert_eq!(
            chunks(bytes, 1, 4),
            [
                (1, "a long first line\nb\nc\nd\ne\nf\ng\nh\n".into()),
                (9, "i\nj\n".into())
            ]
        );
    }
}
