//! Replay: reads recorded data into points and runs them through a [`Task`] inline.
//!
//! Two file formats are read, each plain or gzip-compressed (told apart by the gzip magic
//! bytes, not the name):
//!
//! * **line protocol** (`.lp`, `.lp.gz`, any name not ending in `.srpl`): every point gets
//!   the [`ReadOptions::dbrp`]; precision `n` unless told otherwise;
//! * **Kapacitor stream recordings** (`.srpl`, `.srpl.gz`; spec: recordings.md §2):
//!   3-line records of database, retention policy and one line-protocol point, precision
//!   `s` for a plain file (the conformance recordings) and `n` for a gzip one (what the
//!   server writes) unless told otherwise; a point without a timestamp gets
//!   [`NO_TIMESTAMP`] (Go uses the zero time, year 1, which nanoseconds cannot hold).
//!
//! A bad line (or record) is reported as a [`BadLine`] with its line number in the file
//! and the good points are kept; Kapacitor would fail the whole replay instead.
//! [`ReadOptions::rebase`] moves times the way the conformance harness does (spec:
//! conformance/README.md §3.2): the first point in file order lands on
//! 1971-01-01T00:00:00Z and every other point keeps its offset from it.
//!
//! [`run`] feeds the points, in file order and in chunks, to an [`Inline`] executor,
//! keeping only those whose database and retention policy the task reads, and returns a
//! [`Summary`] with every node's counters.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tickflow_line_protocol::{LineError, Parsed, Parser, Precision};
use tickflow_model::{Dbrp, Message, Point, Str, Time};

use crate::diagnostics::Diagnostics;
use crate::executor::Inline;
use crate::node::NodeError;
use crate::stats::StatsSnapshot;
use crate::task::Task;

/// The time rebased data starts at: 1971-01-01T00:00:00Z.
pub const REBASE_TIME: Time = Time::from_nanos(365 * 86_400 * 1_000_000_000);

/// The time of a recorded point without a timestamp: the earliest whole hour line
/// protocol can hold (in 1677), so it is the same at every precision.
pub const NO_TIMESTAMP: Time = Time::from_nanos(-9_223_369_200 * 1_000_000_000);

/// How many points [`run`] pushes through the DAG at a time.
const CHUNK: usize = 1024;

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

/// How to read a data file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The timestamp precision; `None` for the format's default (see the module docs).
    pub precision: Option<Precision>,
    /// The database and retention policy line protocol points are written to.
    pub dbrp: Dbrp,
    /// Whether to move times so the first point is at [`REBASE_TIME`].
    pub rebase: bool,
}

/// A line of a data file that gave no point.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BadLine {
    /// The line is not line protocol.
    #[error("line {line}: {error}")]
    Parse {
        /// The 1-based line in the file.
        line: usize,
        /// The parser's error.
        error: LineError,
    },
    /// A recording ends inside a record.
    #[error("line {line}: invalid replay file format, expected another line")]
    Truncated {
        /// The 1-based line where the record starts.
        line: usize,
    },
    /// A record's point line is blank or a comment.
    #[error("line {line}: invalid replay file format, expected a point")]
    NoPoint {
        /// The 1-based line of the record's point.
        line: usize,
    },
}

/// What a data file held.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// The points of the good lines, in file order.
    pub points: Vec<Point>,
    /// One entry per bad line or record, in file order.
    pub errors: Vec<BadLine>,
}

/// Why a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The data file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The data file starts like gzip but does not decompress.
    #[error("cannot decompress {path}: {source}")]
    Gzip {
        /// The file.
        path: String,
        /// What the decoder said.
        source: std::io::Error,
    },
    /// A node failed and stopped the task.
    #[error(transparent)]
    Node(#[from] NodeError),
}

/// Reads the data file at `path`.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Data, ReplayError> {
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
    let mut data = match format {
        Format::LineProtocol => {
            let mut parser = Parser::new(precision, Time::now()).with_dbrp(options.dbrp.clone());
            let Parsed { points, errors } = parser.parse(&bytes);
            let errors = errors
                .into_iter()
                .map(|error| BadLine::Parse {
                    line: error.line,
                    error,
                })
                .collect();
            Data { points, errors }
        }
        Format::Srpl => parse_srpl(&bytes, precision),
    };
    if options.rebase {
        rebase(&mut data.points);
    }
    Ok(data)
}

/// Reads a decompressed `.srpl` recording.
pub fn parse_srpl(bytes: &[u8], precision: Precision) -> Data {
    let mut parser = Parser::new(precision, NO_TIMESTAMP);
    let mut data = Data::default();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let mut lines = body
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l));
    let (mut database, mut retention_policy) = (Str::from(""), Str::from(""));
    while let Some((first, db)) = lines.next() {
        let (Some((_, rp)), Some((line, point))) = (lines.next(), lines.next()) else {
            data.errors.push(BadLine::Truncated { line: first });
            break;
        };
        let mut point = match parser.parse_lines(point).next() {
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
        point.database = shared(&mut database, db);
        point.retention_policy = shared(&mut retention_policy, rp);
        data.points.push(point);
    }
    data
}

/// `text` as a string, shared with the previous record's when equal.
fn shared(last: &mut Str, text: &[u8]) -> Str {
    let text = String::from_utf8_lossy(text);
    if **last != *text {
        *last = Str::from(text.as_ref());
    }
    last.clone()
}

/// Moves every time by the same amount so the first point is at [`REBASE_TIME`].
pub fn rebase(points: &mut [Point]) {
    let Some(t0) = points.first().map(|p| p.time) else {
        return;
    };
    let shift = i128::from(REBASE_TIME.nanos()) - i128::from(t0.nanos());
    for point in points {
        let t = (i128::from(point.time.nanos()) + shift)
            .clamp(i128::from(Time::MIN.nanos()), i128::from(Time::MAX.nanos()));
        point.time = Time::from_nanos(i64::try_from(t).unwrap_or(i64::MAX));
    }
}

/// What a replay did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The points offered.
    pub points_read: usize,
    /// The points whose database and retention policy the task reads.
    pub points_fed: usize,
    /// How long running the task took.
    pub elapsed: Duration,
    /// Each node's name and counters, in DAG order.
    pub nodes: Vec<(String, StatsSnapshot)>,
}

/// Runs `points` through `task` on this thread and finishes it. Only points whose
/// database and retention policy are among the task's dbrps are fed (all of them when
/// the task names none).
pub fn run(
    task: Task,
    points: Vec<Point>,
    diagnostics: Arc<dyn Diagnostics>,
) -> Result<Summary, ReplayError> {
    let started = Instant::now();
    let points_read = points.len();
    let reads = |p: &Point| {
        task.dbrps.is_empty()
            || task
                .dbrps
                .iter()
                .any(|d| d.database == p.database && d.retention_policy == p.retention_policy)
    };
    let fed: Vec<Point> = points.into_iter().filter(|p| reads(p)).collect();
    let points_fed = fed.len();
    let mut inline = Inline::new(task.dag, diagnostics);
    let mut fed = fed.into_iter().map(Message::Point).peekable();
    while fed.peek().is_some() {
        inline.push(fed.by_ref().take(CHUNK).collect())?;
    }
    let dag = inline.finish()?;
    Ok(Summary {
        points_read,
        points_fed,
        elapsed: started.elapsed(),
        nodes: dag
            .stats()
            .into_iter()
            .map(|(name, stats)| (name, stats.snapshot()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use tickflow_model::FieldValue;
    use tickflow_pipeline::BuildOptions;

    use super::*;
    use crate::diagnostics::Collect;

    const S: i64 = 1_000_000_000;

    /// Writes `bytes` to a fresh file named `name` and reads it back.
    fn read_file(name: &str, bytes: &[u8], options: &ReadOptions) -> Data {
        let dir = std::env::temp_dir().join(format!("tickflow-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write data");
        read(&path, options).expect("data reads")
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("compress");
        encoder.finish().expect("compress")
    }

    const SRPL: &[u8] =
        b"db\nrp\ncpu value=1 0000000002\r\nother\nautogen\ncpu value=2i   3\ndb\nrp\n";

    #[test]
    fn line_protocol_keeps_good_lines_and_numbers_bad_ones() {
        let options = ReadOptions {
            precision: Some(Precision::Second),
            dbrp: Dbrp::new("db", "rp"),
            rebase: false,
        };
        let data = read_file(
            "a.lp",
            b"cpu value=1 1\ncpu value=1.2.3 2\n\ncpu value=3 3\n",
            &options,
        );
        let times: Vec<i64> = data.points.iter().map(|p| p.time.nanos() / S).collect();
        assert_eq!(times, [1, 3]);
        assert_eq!(&*data.points[0].database, "db");
        assert_eq!(
            data.errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["line 2: unable to parse 'cpu value=1.2.3 2': invalid number"]
        );
    }

    #[test]
    fn srpl_records_carry_their_dbrp_and_default_to_seconds() {
        let data = read_file("r.srpl", SRPL, &ReadOptions::default());
        let got: Vec<(String, String, i64)> = data
            .points
            .iter()
            .map(|p| {
                (
                    p.database.to_string(),
                    p.retention_policy.to_string(),
                    p.time.nanos() / S,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("db".into(), "rp".into(), 2),
                ("other".into(), "autogen".into(), 3)
            ]
        );
        assert_eq!(
            data.points[1].fields.get("value"),
            Some(&FieldValue::Integer(2))
        );
        assert_eq!(data.errors, [BadLine::Truncated { line: 7 }]);
    }

    #[test]
    fn a_recorded_point_without_timestamp_gets_no_timestamp() {
        let data = parse_srpl(b"db\nrp\ncpu value=1\n", Precision::Second);
        assert_eq!(data.points[0].time, NO_TIMESTAMP);
        assert_eq!(NO_TIMESTAMP.to_rfc3339(), "1677-09-21T01:00:00Z");
        assert!(data.errors.is_empty());
    }

    #[test]
    fn gzip_is_detected_by_its_magic_and_defaults_to_nanoseconds() {
        let plain = b"db\nrp\ncpu value=1 5\n";
        let data = read_file("named-plain.srpl", &gzip(plain), &ReadOptions::default());
        assert_eq!(data.points[0].time.nanos(), 5);
        let lp = read_file(
            "b.lp.gz",
            &gzip(b"cpu value=1 7\n"),
            &ReadOptions::default(),
        );
        assert_eq!(lp.points[0].time.nanos(), 7);
    }

    #[test]
    fn a_bad_point_line_is_numbered_in_the_file() {
        let data = parse_srpl(
            b"db\nrp\ncpu value= 1\ndb\nrp\n# comment\n",
            Precision::Second,
        );
        let errors: Vec<String> = data.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "line 3: unable to parse 'cpu value= 1': missing field value",
                "line 6: invalid replay file format, expected a point",
            ]
        );
    }

    #[test]
    fn rebasing_keeps_offsets_from_the_first_point_in_file_order() {
        let options = ReadOptions {
            rebase: true,
            ..ReadOptions::default()
        };
        let data = read_file(
            "c.srpl",
            b"db\nrp\ncpu v=1 12\ndb\nrp\ncpu v=1 1\n",
            &options,
        );
        let times: Vec<String> = data.points.iter().map(|p| p.time.to_rfc3339()).collect();
        assert_eq!(times, ["1971-01-01T00:00:00Z", "1970-12-31T23:59:49Z"]);
    }

    #[test]
    fn run_feeds_only_the_tasks_dbrps() {
        let script =
            "dbrp \"db\".\"rp\"\nstream|from().measurement('cpu')|window().period(2s).every(2s)";
        let program = tickflow_tickscript::parse(script).expect("parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("builds");
        let task = Task::build(&pipeline, "t").expect("task");
        let data = parse_srpl(&SRPL[..SRPL.len() - 6], Precision::Second);
        let summary = run(task, data.points, Arc::new(Collect::default())).expect("runs");
        assert_eq!((summary.points_read, summary.points_fed), (2, 1));
        let names: Vec<(&str, u64)> = summary
            .nodes
            .iter()
            .map(|(n, s)| (n.as_str(), s.messages_in))
            .collect();
        assert_eq!(names, [("stream0", 1), ("from1", 1), ("window2", 1)]);
    }
}
