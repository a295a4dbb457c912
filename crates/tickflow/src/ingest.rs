//! Ingest: what happens to a write body once the handler has it: gunzip (with the body
//! limit applied to the decompressed size, so a gzip bomb is refused), parse with the
//! request's precision and dbrp, and hand the good points to the task master, counting
//! them in the engine's [`IngressStats`] (points that reach no task as unrouted).
//!
//! This is blocking work (parsing is CPU-bound, and [`TaskMaster::write`] blocks while a
//! task's input is full), so the handler runs it off the async runtime's threads.
//!
//! Unlike Kapacitor, which writes nothing when any line is bad, the good lines of a body
//! are written and the bad ones reported (400 with one `unable to parse` line each), as
//! InfluxDB does and as tickflow's replay does. On a durable engine the good lines are
//! appended to the write-ahead log first; a write it cannot take is refused whole. The 400's body is bounded
//! ([`crate::refused`]). With a [`TimeGuard`] set, lines too far from the server clock
//! are refused the same way.

use std::io::Read;

use bytes::Bytes;
use tickflow_engine::{MasterError, TaskMaster};
use tickflow_line_protocol::{Parser, Precision, UnknownPrecision};
use tickflow_model::{Dbrp, Time};

use crate::durable::ingest::Logged;
use crate::durable::{retry, Durable};
use crate::ingress::IngressStats;
use crate::refused;
use crate::time_guard::TimeGuard;
use tickflow_store::wal::record::WriteRecord;

/// One write request, as the handler received it.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    /// The body, still compressed when `gzip` is set.
    pub body: Bytes,
    /// Whether the body is gzip-compressed (`Content-Encoding: gzip`).
    pub gzip: bool,
    /// The `db` parameter; empty when absent.
    pub database: String,
    /// The retention policy (the `rp` parameter or the configured default).
    pub retention_policy: String,
    /// The `precision` parameter as given.
    pub precision: String,
    /// The largest decompressed body accepted; `None` for no limit.
    pub limit: Option<u64>,
    /// Which point times are accepted.
    pub time_guard: TimeGuard,
}

/// Why a write was refused, in whole or in part. `Display` is the response body's text.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The body is larger than the limit (possibly once decompressed).
    #[error("http: request body too large")]
    TooLarge,
    /// The body says gzip but does not decompress.
    #[error("{0}")]
    Gzip(std::io::Error),
    /// The `precision` parameter is not a precision.
    #[error(transparent)]
    Precision(#[from] UnknownPrecision),
    /// Some lines are not line protocol; the good lines were written (if `db` was given).
    #[error("{}", .0.join("\n"))]
    Parse(Vec<String>),
    /// No `db` parameter; nothing was written.
    #[error("database is required")]
    NoDatabase,
    /// The server is shutting down.
    #[error(transparent)]
    Master(#[from] MasterError),
    /// The write-ahead log could not take the write (disk full, a file-size limit, an
    /// I/O error): nothing of it was written.
    #[error("write not accepted, the write-ahead log cannot take it: {0}")]
    Storage(String),
}

/// What a successful write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The points parsed and handed to the master.
    pub points: usize,
}

/// Decompresses, parses and routes one write, counting it in `ingress`.
pub fn ingest(
    master: &TaskMaster,
    ingress: &IngressStats,
    request: WriteRequest,
) -> Result<Written, WriteError> {
    ingest_durably(master, ingress, request, None)
}

/// Decompresses, parses and routes one write, counting it in `ingress`; with a
/// [`Durable`], a write with points is appended to the WAL (or recognised as a retry)
/// before the master gets it, one write at a time ([`crate::durable::ingest`]).
pub(crate) fn ingest_durably(
    master: &TaskMaster,
    ingress: &IngressStats,
    request: WriteRequest,
    durable: Option<&Durable>,
) -> Result<Written, WriteError> {
    let body = if request.gzip {
        gunzip(&request.body, request.limit)?
    } else {
        request.body.clone()
    };
    let precision: Precision = request.precision.parse()?;
    let dbrp = Dbrp::new(request.database.as_str(), request.retention_policy.as_str());
    let admitted = durable.map(Durable::admit).transpose()?;
    let now = Time::now();
    let mut parsed = Parser::new(precision, now)
        .with_dbrp(dbrp.clone())
        .parse(&body);
    let late = request.time_guard.apply(now, &mut parsed.points);
    let errors = parsed.errors.iter().map(refused::parse_error);
    let errors: Vec<String> = errors.chain(late).collect();
    let errors = refused::bounded(errors.into_iter());
    if request.database.is_empty() {
        return Err(if errors.is_empty() {
            WriteError::NoDatabase
        } else {
            WriteError::Parse(errors)
        });
    }
    let points = parsed.points.len();
    if points > 0 {
        let logged = match &admitted {
            Some(admitted) => {
                let record = WriteRecord {
                    database: request.database.clone(),
                    retention_policy: request.retention_policy.clone(),
                    precision: request.precision.clone(),
                    now: now.nanos(),
                    body: body.to_vec(),
                };
                let points = &parsed.points;
                admitted.log(&record, || {
                    retry::timestamped(&body, precision, dbrp, now, points)
                })?
            }
            None => Logged::Appended,
        };
        if logged == Logged::Appended {
            ingress.record(&parsed.points);
            let routed = master.write(parsed.points)?;
            if routed.tasks == 0 {
                unrouted(
                    ingress,
                    &request.database,
                    &request.retention_policy,
                    points,
                );
            }
        }
    }
    drop(admitted);
    if errors.is_empty() {
        Ok(Written { points })
    } else {
        Err(WriteError::Parse(errors))
    }
}

/// Counts a write that reached no task, and warns the first time a database is written
/// without a retention policy to no effect.
fn unrouted(ingress: &IngressStats, database: &str, retention_policy: &str, points: usize) {
    if ingress.record_unrouted(database, retention_policy, points) {
        eprintln!(
            "tickflow: points written to database {database:?} without a retention policy \
             reached no task; give `rp` or set [http] default-retention-policy \
             (further such writes are counted as unrouted in /kapacitor/v1/debug/vars)"
        );
    }
}

/// The decompressed body, refused once it grows past `limit`.
fn gunzip(body: &[u8], limit: Option<u64>) -> Result<Bytes, WriteError> {
    let mut plain = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(body);
    let read = match limit {
        Some(limit) => decoder
            .take(limit.saturating_add(1))
            .read_to_end(&mut plain),
        None => { decoder }.read_to_end(&mut plain),
    };
    read.map_err(WriteError::Gzip)?;
    if limit.is_some_and(|limit| plain.len() as u64 > limit) {
        return Err(WriteError::TooLarge);
    }
    Ok(Bytes::from(plain))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use tickflow_engine::diagnostics::Collect;
    use tickflow_engine::MasterConfig;

    use super::*;

    fn request(body: &[u8]) -> WriteRequest {
        WriteRequest {
            body: Bytes::copy_from_slice(body),
            gzip: false,
            database: "db".into(),
            retention_policy: "rp".into(),
            precision: "s".into(),
            limit: Some(1000),
            time_guard: TimeGuard::default(),
        }
    }

    fn master() -> TaskMaster {
        TaskMaster::new(MasterConfig::default(), Arc::new(Collect::default()))
    }

    fn gzip(bytes: &[u8]) -> Bytes {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).expect("compress");
        Bytes::from(encoder.finish().expect("compress"))
    }

    #[test]
    fn good_lines_are_written_and_bad_ones_reported() {
        let result = ingest(
            &master(),
            &IngressStats::default(),
            request(b"cpu v=1 1\nbad line\ncpu v=2 2\ncpu v=\n"),
        );
        let err = result.expect_err("two bad lines");
        assert_eq!(
            err.to_string(),
            "unable to parse 'bad line': invalid field format\n\
             unable to parse 'cpu v=': missing field value"
        );
    }

    #[test]
    fn a_missing_database_writes_nothing() {
        let mut no_db = request(b"cpu v=1 1\n");
        no_db.database.clear();
        let err = ingest(&master(), &IngressStats::default(), no_db).expect_err("no db");
        assert_eq!(err.to_string(), "database is required");
    }

    #[test]
    fn gzip_bodies_are_decompressed_within_the_limit() {
        let mut zipped = request(b"");
        zipped.body = gzip(b"cpu v=1 1\ncpu v=2 2\n");
        zipped.gzip = true;
        let written = ingest(&master(), &IngressStats::default(), zipped).expect("written");
        assert_eq!(written, Written { points: 2 });

        let mut bomb = request(b"");
        bomb.body = gzip(&vec![b'#'; 1_000_000]);
        assert!(bomb.body.len() < 2000);
        bomb.gzip = true;
        assert!(matches!(
            ingest(&master(), &IngressStats::default(), bomb),
            Err(WriteError::TooLarge)
        ));

        let mut garbage = request(b"cpu value=1 1\ncpu value=2 2\n");
        garbage.gzip = true;
        let err = ingest(&master(), &IngressStats::default(), garbage).expect_err("not gzip");
        assert_eq!(err.to_string(), "invalid gzip header");
    }

    #[test]
    fn an_unknown_precision_is_refused() {
        let mut request = request(b"cpu v=1 1\n");
        request.precision = "x".into();
        let err = ingest(&master(), &IngressStats::default(), request).expect_err("bad precision");
        assert!(
            err.to_string().starts_with("unknown precision \"x\""),
            "{err}"
        );
    }
}
