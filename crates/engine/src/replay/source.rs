//! Reading a data file: opening it (un-gzipping it as it is read), reading it in chunks
//! of whole lines or records ([`Chunks`]), and parsing each chunk into points with file
//! line numbers.
//!
//! Chunks let a replay parse on one thread while the task runs on another; a
//! [`Reader`] keeps what must carry across chunks: the parser (with its interned
//! names), the last record's database and retention policy, and the rebase shift.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use tickflow_line_protocol::{Parser, Precision};
use tickflow_model::{Point, Str, Time};

use super::chunks::{Chunks, Counted, CHUNK_BYTES};
use super::{BadLine, Data, ReadOptions, ReplayError, NO_TIMESTAMP, REBASE_TIME};
use crate::time_guard::{Refusal, TimeGuard};

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

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

/// A data file opened for reading in chunks ([`Source::chunks`]), and how to read it.
pub struct Source {
    /// The plain bytes, decompressed as they are read.
    input: Box<dyn Read + Send>,
    /// The file, for errors.
    path: String,
    gzip: bool,
    /// Bytes of the file read so far.
    consumed: Arc<AtomicU64>,
    /// The file's size on disk (compressed, for gzip).
    pub size: u64,
    /// The layout.
    pub format: Format,
    /// The timestamp precision.
    pub precision: Precision,
}

impl Source {
    /// Opens `path`, to be decompressed as it is read when it starts with the gzip magic
    /// bytes.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Source, ReplayError> {
        let shown = path.display().to_string();
        let read_error = |source| ReplayError::Read {
            path: shown.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let size = file.metadata().map_err(read_error)?.len();
        let consumed = Arc::new(AtomicU64::new(0));
        let mut file = BufReader::with_capacity(
            64 * 1024,
            Counted {
                inner: file,
                count: Arc::clone(&consumed),
            },
        );
        let gzip = file
            .fill_buf()
            .map_err(read_error)?
            .starts_with(&GZIP_MAGIC);
        let input: Box<dyn Read + Send> = match gzip {
            true => Box::new(flate2::read::MultiGzDecoder::new(file)),
            false => Box::new(file),
        };
        let format = Format::of_path(path);
        let precision = options.precision.unwrap_or(match format {
            Format::Srpl if !gzip => Precision::Second,
            _ => Precision::Nanosecond,
        });
        Ok(Source {
            input,
            path: shown,
            gzip,
            consumed,
            size,
            format,
            precision,
        })
    }

    /// The file in chunks of whole units of about [`CHUNK_BYTES`], read as they are
    /// asked for.
    pub fn chunks(self) -> Chunks {
        let (path, gzip) = (self.path, self.gzip);
        let fail = Box::new(move |source| match gzip {
            true => ReplayError::Gzip {
                path: path.clone(),
                source,
            },
            false => ReplayError::Read {
                path: path.clone(),
                source,
            },
        });
        let unit_lines = self.format.unit_lines();
        Chunks::new(self.input, fail, self.consumed, unit_lines, CHUNK_BYTES)
    }
}

/// Parses chunks in file order, keeping what crosses chunk boundaries.
pub struct Reader {
    parser: Parser,
    format: Format,
    database: Str,
    retention_policy: Str,
    rebase: Rebase,
    guard: Guard,
}

/// The replay's time guard and the clock it measures against: the wall clock when the
/// reader was made, as the server measures against its clock at each write.
struct Guard {
    bounds: TimeGuard,
    clock: Time,
}

impl Guard {
    /// Why `point`, at its time in the file (before any rebase), is refused, if it is.
    fn check(&self, point: &Point) -> Option<Refusal> {
        match self.bounds.is_off() {
            true => None,
            false => self.bounds.refusal(self.clock, point),
        }
    }
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
            rebase: Rebase {
                on: options.rebase,
                shift: None,
            },
            guard: Guard {
                bounds: options.time_guard,
                clock: Time::now(),
            },
        }
    }

    /// Parses one chunk that starts at file line `first_line`.
    pub fn parse(&mut self, first_line: usize, bytes: &[u8]) -> Data {
        let mut points = Vec::new();
        let errors = self.parse_each(first_line, bytes, |point| points.push(point));
        Data { points, errors }
    }

    /// Parses one chunk that starts at file line `first_line`, handing each point to
    /// `emit` in file order (a replay puts them straight into the messages it runs), and
    /// gives the bad lines.
    pub fn parse_each(
        &mut self,
        first_line: usize,
        bytes: &[u8],
        mut emit: impl FnMut(Point),
    ) -> Vec<BadLine> {
        let mut refused = Vec::new();
        let (rebase, guard) = (&mut self.rebase, &self.guard);
        let mut emit = |line: usize, mut point: Point| {
            if let Some(refusal) = guard.check(&point) {
                refused.push(BadLine::Refused { line, refusal });
                return;
            }
            rebase.apply(&mut point);
            emit(point);
        };
        let mut errors = match self.format {
            Format::LineProtocol => {
                let mut errors = Vec::new();
                let mut lines = self.parser.parse_lines(bytes);
                while let Some(result) = lines.next() {
                    match result {
                        Ok(point) => emit(first_line - 1 + lines.line(), point),
                        Err(error) => errors.push(BadLine::Parse {
                            line: first_line - 1 + error.line,
                            error,
                        }),
                    }
                }
                errors
            }
            Format::Srpl => {
                let mut records = Records {
                    parser: &mut self.parser,
                    database: &mut self.database,
                    retention_policy: &mut self.retention_policy,
                };
                records.parse(first_line, bytes, &mut emit)
            }
        };
        if !refused.is_empty() {
            errors.append(&mut refused);
            errors.sort_by_key(BadLine::line);
        }
        errors
    }
}

/// The state a chunk of a `.srpl` recording is read with.
struct Records<'r> {
    parser: &'r mut Parser,
    database: &'r mut Str,
    retention_policy: &'r mut Str,
}

impl Records<'_> {
    /// Parses the records (database, retention policy, point) of a chunk that starts at
    /// file line `first_line`.
    fn parse(
        &mut self,
        first_line: usize,
        bytes: &[u8],
        emit: &mut impl FnMut(usize, Point),
    ) -> Vec<BadLine> {
        let mut errors = Vec::new();
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let mut lines = body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (first_line + i, l));
        while let Some((first, db)) = lines.next() {
            let (Some((_, rp)), Some((line, point))) = (lines.next(), lines.next()) else {
                errors.push(BadLine::Truncated { line: first });
                break;
            };
            let mut point = match self.parser.parse_lines(point).next() {
                Some(Ok(point)) => point,
                Some(Err(error)) => {
                    errors.push(BadLine::Parse { line, error });
                    continue;
                }
                None => {
                    errors.push(BadLine::NoPoint { line });
                    continue;
                }
            };
            point.database = shared(self.database, db);
            point.retention_policy = shared(self.retention_policy, rp);
            emit(line, point);
        }
        errors
    }
}

/// Moving times so that the first point read is at [`REBASE_TIME`].
struct Rebase {
    on: bool,
    /// What every time moves by, once the first point has been read.
    shift: Option<i128>,
}

impl Rebase {
    /// Moves `point` by the shift the first point set (when rebasing).
    fn apply(&mut self, point: &mut Point) {
        if !self.on {
            return;
        }
        let time = i128::from(point.time.nanos());
        let shift = *self
            .shift
            .get_or_insert(i128::from(REBASE_TIME.nanos()) - time);
        let moved =
            (time + shift).clamp(i128::from(Time::MIN.nanos()), i128::from(Time::MAX.nanos()));
        point.time = Time::from_nanos(i64::try_from(moved).unwrap_or(i64::MAX));
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
