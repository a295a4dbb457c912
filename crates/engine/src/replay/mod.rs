//! Replay: reads recorded data into points and runs them through a [`Task`] inline.
//!
//! Two file formats are read, each plain or gzip-compressed (told apart by the gzip magic
//! bytes, not the name):
//!
//! * **line protocol** (`.lp`, `.lp.gz`, any name not ending in `.srpl`): every point gets
//!   the [`ReadOptions::dbrp`]; precision `n` unless told otherwise;
//! * **Kapacitor stream recordings** (`.srpl`, `.srpl.gz`; kapacitor-compat.md, recordings §2):
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
//! Batch tasks replay batch recordings (`.brpl`, [`brpl`]) with [`replay_batches`]: each
//! recorded source feeds one query node, in Kapacitor's order (file *i* of *n* feeds the
//! (n−1−i)-th query node of the script), the sources taking turns batch by batch; or
//! they run their queries over a past range against InfluxDB with [`replay_past`].
//!
//! [`replay`] parses on a second thread while the task runs (see [`threads`]); [`run`]
//! feeds points already read. Both feed the points, in file order and in chunks, to an
//! [`Inline`] executor, keeping only those whose database and retention policy the task
//! reads, and return a [`Summary`] with every node's counters.

pub mod brpl;
mod chunks;
mod past;
mod source;
mod threads;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tickflow_line_protocol::{LineError, Precision};
use tickflow_model::{Dbrp, Message, Point, Time};

pub use crate::nodes::query::results::parse_time;
pub use chunks::{Chunk, Chunks};
pub use past::replay_past;
pub use source::{Format, Reader, Source};
pub use threads::replay;

use crate::diagnostics::Diagnostics;
use crate::executor::Inline;
use crate::node::NodeError;
use crate::stats::StatsSnapshot;
use crate::task::{reads, reads_dbrp, Task};
use crate::time_guard::{Refusal, TimeGuard};

/// The time rebased data starts at: 1971-01-01T00:00:00Z.
pub const REBASE_TIME: Time = Time::from_nanos(365 * 86_400 * 1_000_000_000);

/// The time of a recorded point without a timestamp: the earliest whole hour line
/// protocol can hold (in 1677), so it is the same at every precision.
pub const NO_TIMESTAMP: Time = Time::from_nanos(-9_223_369_200 * 1_000_000_000);

/// How many points [`run`] pushes through the DAG at a time.
const CHUNK: usize = 1024;

/// How to read a data file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The timestamp precision; `None` for the format's default (see the module docs).
    pub precision: Option<Precision>,
    /// The database and retention policy line protocol points are written to.
    pub dbrp: Dbrp,
    /// Whether to move times so the first point is at [`REBASE_TIME`].
    pub rebase: bool,
    /// Points too far from the wall clock (their time in the file, before any rebase)
    /// are refused and reported as [`BadLine::Refused`].
    pub time_guard: TimeGuard,
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
    /// The point is beyond the replay's `--max-future` or `--max-past`.
    #[error("line {line}: {refusal}")]
    Refused {
        /// The 1-based line of the point.
        line: usize,
        /// How far it is from the clock.
        refusal: Refusal,
    },
}

impl BadLine {
    /// The 1-based line in the file.
    pub fn line(&self) -> usize {
        match self {
            BadLine::Parse { line, .. }
            | BadLine::Truncated { line }
            | BadLine::NoPoint { line }
            | BadLine::Refused { line, .. } => *line,
        }
    }
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
    /// A batch task's queries cannot run (unknown cluster, Flux).
    #[error(transparent)]
    Batching(#[from] crate::nodes::query::BatchingError),
    /// A batch recording cannot be read.
    #[error(transparent)]
    Brpl(#[from] brpl::BrplError),
    /// A batch recording has another number of sources than the task has query nodes
    /// (Kapacitor's message).
    #[error("unexpected number of batch collectors. exp {files} got {sources}")]
    Sources {
        /// The recording's sources.
        files: usize,
        /// The task's query nodes.
        sources: usize,
    },
    /// A batch recording given to a stream task, or a stream recording to a batch task.
    #[error("cannot replay {data} data through a {task} task")]
    TaskType {
        /// `batch` or `stream`.
        data: &'static str,
        /// `stream` or `batch`.
        task: &'static str,
    },
    /// A node failed and stopped the task.
    #[error(transparent)]
    Node(#[from] NodeError),
}

/// Reads the whole data file at `path` on this thread.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Data, ReplayError> {
    let source = Source::open(path, options)?;
    let mut reader = Reader::new(&source, options);
    let mut data = Data::default();
    for chunk in source.chunks() {
        let chunk = chunk?;
        let part = reader.parse(chunk.line, &chunk.bytes);
        data.points.extend(part.points);
        data.errors.extend(part.errors);
    }
    Ok(data)
}

/// What a replay did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The points offered.
    pub points_read: usize,
    /// The points whose database and retention policy the task reads.
    pub points_fed: usize,
    /// How long reading and running took.
    pub elapsed: Duration,
    /// Each node's name and counters, in DAG order.
    pub nodes: Vec<(String, StatsSnapshot)>,
}

/// How far a replay has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the (decompressed) file parsed and run; for a batch recording, points
    /// fed; for a replay of the past, queries run.
    pub bytes_done: usize,
    /// The file's (decompressed) size, or the total of points or queries.
    pub bytes_total: usize,
    /// Points read so far.
    pub points: usize,
}

/// A replay's summary and the file's bad lines.
#[derive(Debug)]
pub struct Replayed {
    /// What the task did.
    pub summary: Summary,
    /// The lines or records that gave no point, in file order.
    pub errors: Vec<BadLine>,
}

/// Which points of a file a task reads.
enum Wanted {
    /// All of them: every line-protocol point carries the replay's dbrp, so one check
    /// decides for the whole file.
    All,
    /// None of them, for the same reason.
    None,
    /// Those of these dbrps: a recording's points carry their own.
    Of(Vec<Dbrp>),
}

impl Wanted {
    fn new(dbrps: &[Dbrp], source: &Source, options: &ReadOptions) -> Wanted {
        match source.format {
            Format::LineProtocol if reads_dbrp(dbrps, &options.dbrp) => Wanted::All,
            Format::LineProtocol => Wanted::None,
            Format::Srpl => Wanted::Of(dbrps.to_vec()),
        }
    }

    fn reads(&self, point: &Point) -> bool {
        match self {
            Wanted::All => true,
            Wanted::None => false,
            Wanted::Of(dbrps) => reads(dbrps, point),
        }
    }
}

/// Runs `points` through `task` on this thread and finishes it. Only points whose
/// database and retention policy are among the task's dbrps are fed (all of them when
/// the task names none).
pub fn run(
    task: Task,
    points: Vec<Point>,
    diagnostics: Arc<dyn Diagnostics>,
) -> Result<Summary, ReplayError> {
    let dbrps = task.dbrps.clone();
    let mut feeder = Feeder::new(task, diagnostics, Instant::now());
    let read = points.len();
    feeder.feed(read, points.into_iter().filter(|p| reads(&dbrps, p)))?;
    feeder.finish()
}

/// Runs the recorded `sources` of a batch recording through batch `task` on this
/// thread and finishes it, reporting progress in points after each batch.
pub fn replay_batches(
    task: Task,
    sources: Vec<brpl::SourceBatches>,
    diagnostics: Arc<dyn Diagnostics>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, ReplayError> {
    let targets = task.batch_sources.clone();
    if targets.is_empty() {
        return Err(ReplayError::TaskType {
            data: "batch",
            task: "stream",
        });
    }
    if sources.len() != targets.len() {
        return Err(ReplayError::Sources {
            files: sources.len(),
            sources: targets.len(),
        });
    }
    let total: usize = sources.iter().flatten().map(|b| b.points.len()).sum();
    let mut feeder = Feeder::new(task, diagnostics, Instant::now());
    // File i feeds the (n-1-i)-th query node; the sources take turns.
    let mut queues: Vec<_> = (sources.into_iter().zip(targets.iter().rev()))
        .map(|(batches, &node)| (node, batches.into_iter()))
        .collect();
    loop {
        let mut delivered = false;
        for (node, batches) in &mut queues {
            let Some(batch) = batches.next() else {
                continue;
            };
            delivered = true;
            let points = batch.points.len();
            feeder.points_read += points;
            feeder.points_fed += points;
            let mut chunk = feeder.inline.spare_chunk();
            chunk.push(Message::Batch(batch));
            feeder.inline.push_into(*node, chunk)?;
            progress(Progress {
                bytes_done: feeder.points_fed,
                bytes_total: total,
                points: feeder.points_fed,
            });
        }
        if !delivered {
            break;
        }
    }
    feeder.finish()
}

/// Pushes points into a task's DAG in chunks and counts them.
struct Feeder {
    inline: Inline,
    started: Instant,
    points_read: usize,
    points_fed: usize,
}

impl Feeder {
    fn new(task: Task, diagnostics: Arc<dyn Diagnostics>, started: Instant) -> Self {
        Feeder {
            inline: Inline::new(task.dag, diagnostics),
            started,
            points_read: 0,
            points_fed: 0,
        }
    }

    /// Pushes `points`, the task's points among `read` points of the file, into the
    /// DAG, [`CHUNK`] at a time.
    fn feed(&mut self, read: usize, points: impl Iterator<Item = Point>) -> Result<(), NodeError> {
        self.points_read += read;
        let mut fed = points.map(Message::Point).peekable();
        while fed.peek().is_some() {
            let mut chunk = self.inline.spare_chunk();
            chunk.extend(fed.by_ref().take(CHUNK));
            self.push(chunk)?;
        }
        Ok(())
    }

    /// Pushes `chunk`, messages of the task's points, into the DAG as it is.
    fn push(&mut self, chunk: Vec<Message>) -> Result<(), NodeError> {
        self.points_fed += chunk.len();
        match chunk.is_empty() {
            true => Ok(()),
            false => self.inline.push(chunk),
        }
    }

    fn finish(self) -> Result<Summary, ReplayError> {
        let dag = self.inline.finish()?;
        Ok(Summary {
            points_read: self.points_read,
            points_fed: self.points_fed,
            elapsed: self.started.elapsed(),
            nodes: dag
                .stats()
                .into_iter()
                .map(|(name, stats)| (name, stats.snapshot()))
                .collect(),
        })
    }
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

    /// Parses a plain recording, from a file of its own.
    fn srpl(bytes: &[u8]) -> Data {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        read_file(&format!("data{n}.srpl"), bytes, &ReadOptions::default())
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
            ..ReadOptions::default()
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
    fn the_time_guard_refuses_points_far_from_the_wall_clock_by_their_line() {
        let now = Time::now().nanos() / S;
        let options = ReadOptions {
            precision: Some(Precision::Second),
            rebase: true,
            time_guard: TimeGuard {
                max_future: Some(Duration::from_secs(3600)),
                max_past: None,
            },
            ..ReadOptions::default()
        };
        let body = format!(
            "# now\ncpu value=1 {now}\ncpu value=2 7258118400\n\ncpu value=3 {}\n",
            now + 1
        );
        let data = read_file("a.lp", body.as_bytes(), &options);
        let times: Vec<i64> = data.points.iter().map(|p| p.time.nanos() / S).collect();
        assert_eq!(
            times,
            [REBASE_TIME.nanos() / S, REBASE_TIME.nanos() / S + 1]
        );
        let [BadLine::Refused { line: 3, refusal }] = &data.errors[..] else {
            panic!("{:?}", data.errors);
        };
        assert_eq!(refusal.time.to_rfc3339(), "2200-01-01T00:00:00Z");
        assert_eq!(refusal.line, "cpu value=2 7258118400000000000");
        let srpl = format!("db\nrp\ncpu value=1 {now}\ndb\nrp\ncpu value=2 7258118400\n");
        let data = read_file("r.srpl", srpl.as_bytes(), &options);
        assert_eq!(data.points.len(), 1);
        assert_eq!(
            data.errors.iter().map(BadLine::line).collect::<Vec<_>>(),
            [6]
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
        let data = srpl(b"db\nrp\ncpu value=1\n");
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
        let data = srpl(b"db\nrp\ncpu value= 1\ndb\nrp\n# comment\n");
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
    fn replay_parses_beside_the_task_and_reports_bad_lines_and_progress() {
        let dir = std::env::temp_dir().join(format!("tickflow-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join("pipelined.lp");
        std::fs::write(&path, b"cpu value=1 1\ncpu value= 2\ncpu value=3 3\n").expect("write");
        let program =
            tickflow_tickscript::parse("stream|from().measurement('cpu')").expect("parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("builds");
        let task = Task::build(&pipeline, "t").expect("task");
        let mut seen = Vec::new();
        let replayed = replay(
            task,
            &path,
            &ReadOptions::default(),
            Arc::new(Collect::default()),
            &mut |p| seen.push(p),
        )
        .expect("replays");
        assert_eq!(replayed.summary.points_fed, 2);
        assert_eq!(replayed.errors.len(), 1);
        assert_eq!(
            seen.last(),
            Some(&Progress {
                bytes_done: 41,
                bytes_total: 41,
                points: 2
            })
        );
    }

    /// A task that notices order: a one-second window over one point per second.
    fn windowed_task() -> Task {
        let script = "stream|from().measurement('cpu')|window().period(1s).every(1s)";
        let program = tickflow_tickscript::parse(script).expect("parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("builds");
        Task::build(&pipeline, "t").expect("task")
    }

    #[test]
    fn a_replay_over_many_chunks_runs_like_reading_then_running() {
        // Several chunks, so both threads parse some; every 7,001st line is bad.
        let mut body = String::new();
        for second in 0..60_000 {
            match second % 7_001 {
                0 => body.push_str("cpu value= 1\n"),
                _ => body.push_str(&format!("cpu value={second} {second}000000000\n")),
            }
        }
        let dir = std::env::temp_dir().join(format!("tickflow-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join("many-chunks.lp");
        std::fs::write(&path, &body).expect("write");
        let options = ReadOptions::default();
        let mut chunks = 0;
        let replayed = replay(
            windowed_task(),
            &path,
            &options,
            Arc::new(Collect::default()),
            &mut |_| chunks += 1,
        )
        .expect("replays");
        assert!(chunks > 2, "{chunks} chunks");
        let data = read(&path, &options).expect("reads");
        assert_eq!(replayed.errors, data.errors);
        assert_eq!(replayed.errors.len(), 9);
        let reference =
            run(windowed_task(), data.points, Arc::new(Collect::default())).expect("runs");
        let outputs = |summary: &Summary| -> Vec<(String, u64, u64)> {
            summary
                .nodes
                .iter()
                .map(|(name, s)| (name.clone(), s.messages_in, s.messages_out))
                .collect()
        };
        assert_eq!(outputs(&replayed.summary), outputs(&reference));
        assert_eq!(replayed.summary.points_fed, 60_000 - 9);
    }

    #[test]
    fn run_feeds_only_the_tasks_dbrps() {
        let script =
            "dbrp \"db\".\"rp\"\nstream|from().measurement('cpu')|window().period(2s).every(2s)";
        let program = tickflow_tickscript::parse(script).expect("parses");
        let pipeline =
            tickflow_pipeline::build(&program, &BuildOptions::default()).expect("builds");
        let task = Task::build(&pipeline, "t").expect("task");
        let data = srpl(&SRPL[..SRPL.len() - 6]);
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
