//! Reading a data file: loading (and un-gzipping) its bytes, cutting them into chunks of
//! whole lines or records, and parsing each chunk into points with file line numbers.
//!
//! Chunks let a replay parse on one thread while the task runs on another; a
//! [`Reader`] keeps what must carry across chunks: the parser (with its interned
//! names), the last record's database and retention policy, and the rebase shift.

use std::io::Read;
use std::path::Path;

use tickflow_line_protocol::{Parsed, Parser, Precision};
use tickflow_model::{Point, Str, Time};

use super::{BadLine, Data, ReadOptions, ReplayError, NO_TIMESTAMP, REBASE_TIME};

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// About how many bytes one chunk holds.
const CHUNK_BYTES: usize = 256 * 1024;

/// The layout of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// InfluxDB line protocol, one point per line.
    LineProtocol,
    /// Kapacitor's stream recording: database, retention policy, point.
    Srpl,
}

impl Format {
    /// The format a file name says: `.srpl` (also under `.gz`) is a recording, anything
    /// else line protocol.
    pub fn of_path(path: &Path) -> Format {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".srpl") {
            Format::Srpl
        } else {
            Format::LineProtocol
        }
    }
}

impl Format {
    /// How many lines one unit of the format takes: chunks never split a unit.
    fn unit_lines(self) -> usize {
        match self {
            Format::LineProtocol => 1,
            Format::Srpl => 3,
        }
    }
}

/// A data file's decompressed bytes and how to read them.
pub struct Source {
    /// The plain bytes.
    pub bytes: Vec<u8>,
    /// The layout.
    pub format: Format,
    /// The timestamp precision.
    pub precision: Precision,
}

impl Source {
    /// Loads `path`, decompressing it when it starts with the gzip magic bytes.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Source, ReplayError> {
        let shown = || path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| ReplayError::Read {
            path: shown(),
            source,
        })?;
        let gzip = bytes.starts_with(&GZIP_MAGIC);
        let bytes = if gzip {
            let mut plain = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .map_err(|source| ReplayError::Gzip {
                    path: shown(),
                    source,
                })?;
            plain
        } else {
            bytes
        };
        let format = Format::of_path(path);
        let precision = options.precision.unwrap_or(match format {
            Format::Srpl if !gzip => Precision::Second,
            _ => Precision::Nanosecond,
        });
        Ok(Source {
            bytes,
            format,
            precision,
        })
    }

    /// The bytes in chunks of whole units of about [`CHUNK_BYTES`], each with the 1-based
    /// file line it starts at.
    pub fn chunks(&self) -> impl Iterator<Item = (usize, &[u8])> + '_ {
        chunks(&self.bytes, self.format.unit_lines(), CHUNK_BYTES)
    }
}

/// Cuts `bytes` at the end of the first whole unit that brings a chunk to `size` bytes;
/// the last chunk takes the rest.
fn chunks(bytes: &[u8], unit_lines: usize, size: usize) -> impl Iterator<Item = (usize, &[u8])> {
    let (mut start, mut line) = (0, 1);
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let (mut end, mut lines) = (bytes.len(), 0);
        for newline in memchr::memchr_iter(b'\n', &bytes[start..]) {
            lines += 1;
            let after = start + newline + 1;
            if lines % unit_lines == 0 && after - start >= size {
                end = after;
                break;
            }
        }
        let chunk = (line, &bytes[start..end]);
        line += lines;
        start = end;
        Some(chunk)
    })
}

/// Parses chunks in file order, keeping what crosses chunk boundaries.
pub struct Reader {
    parser: Parser,
    format: Format,
    database: Str,
    retention_policy: Str,
    rebase: bool,
    shift: Option<i128>,
}

impl Reader {
    /// A reader for `source`'s format and precision, with `options`' dbrp and rebase.
    pub fn new(source: &Source, options: &ReadOptions) -> Reader {
        let parser = match source.format {
            Format::LineProtocol => {
                Parser::new(source.precision, Time::now()).with_dbrp(options.dbrp.clone())
            }
            Format::Srpl => Parser::new(source.precision, NO_TIMESTAMP),
        };
        Reader {
            parser,
            format: source.format,
            database: Str::from(""),
            retention_policy: Str::from(""),
            rebase: options.rebase,
            shift: None,
        }
    }

    /// Parses one chunk that starts at file line `first_line`.
    pub fn parse(&mut self, first_line: usize, bytes: &[u8]) -> Data {
        self.parse_reusing(first_line, bytes, Vec::new())
    }

    /// [`Reader::parse`] into `spare`, a vector a consumer has emptied: the replay hands
    /// the parser's vectors back so that the points of each chunk land in memory that is
    /// already mapped.
    pub fn parse_reusing(&mut self, first_line: usize, bytes: &[u8], spare: Vec<Point>) -> Data {
        let mut data = match self.format {
            Format::LineProtocol => {
                let mut parsed = Parsed {
                    points: spare,
                    errors: Vec::new(),
                };
                parsed.points.clear();
                self.parser.parse_into(bytes, &mut parsed);
                let Parsed { points, errors } = parsed;
                let errors = errors
                    .into_iter()
                    .map(|error| BadLine::Parse {
                        line: first_line - 1 + error.line,
                        error,
                    })
                    .collect();
                Data { points, errors }
            }
            Format::Srpl => self.records(first_line, bytes),
        };
        if self.rebase {
            self.rebase(&mut data.points);
        }
        data
    }

    /// Parses `.srpl` records: database, retention policy, point.
    fn records(&mut self, first_line: usize, bytes: &[u8]) -> Data {
        let mut data = Data::default();
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let mut lines = body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (first_line + i, l));
        while let Some((first, db)) = lines.next() {
            let (Some((_, rp)), Some((line, point))) = (lines.next(), lines.next()) else {
                data.errors.push(BadLine::Truncated { line: first });
                break;
            };
            let mut point = match self.parser.parse_lines(point).next() {
                Some(Ok(point)) => point,
                Some(Err(error)) => {
                    data.errors.push(BadLine::Parse { line, error });
                    continue;
                }
                None => {
                    data.errors.push(BadLine::NoPoint { line });
                    continue;
                }
            };
            point.database = shared(&mut self.database, db);
            point.retention_policy = shared(&mut self.retention_policy, rp);
            data.points.push(point);
        }
        data
    }

    /// Moves every time by the same amount so the first point read is at
    /// [`REBASE_TIME`].
    fn rebase(&mut self, points: &mut [Point]) {
        let Some(first) = points.first() else {
            return;
        };
        let shift = *self
            .shift
            .get_or_insert(i128::from(REBASE_TIME.nanos()) - i128::from(first.time.nanos()));
        for point in points {
            let t = (i128::from(point.time.nanos()) + shift)
                .clamp(i128::from(Time::MIN.nanos()), i128::from(Time::MAX.nanos()));
            point.time = Time::from_nanos(i64::try_from(t).unwrap_or(i64::MAX));
        }
    }
}

/// `text` as a string, shared with the previous record's when equal.
fn shared(last: &mut Str, text: &[u8]) -> Str {
    let text = String::from_utf8_lossy(text);
    if **last != *text {
        *last = Str::from(text.as_ref());
    }
    last.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hold_whole_units_and_know_their_first_line() {
        let bytes = b"a\nb\nc\nd\ne\nf\ng";
        let got: Vec<(usize, &[u8])> = chunks(bytes, 3, 4).collect();
        assert_eq!(
            got,
            [
                (1, &b"a\nb\nc\n"[..]),
                (4, &b"d\ne\nf\n"[..]),
                (7, &b"g"[..])
            ]
        );
        let lines: Vec<(usize, &[u8])> = chunks(bytes, 1, 3).collect();
        assert_eq!(lines[1], (3, &b"c\nd\n"[..]));
        assert_eq!(chunks(b"", 1, 3).count(), 0);
    }
}
