//! [`Writer`]: the thread behind one `influxDBOut` node. It buffers the node's points by
//! write target and writes them when `buffer` points are waiting, when the oldest has
//! waited `flushInterval`, and when the node finishes, so a slow or absent InfluxDB
//! never stalls the task. It runs `CREATE DATABASE` before the first write when asked
//! (again before later writes until it succeeds). A write that fails for a reason that
//! may pass is queued ([`RetryQueue`]) and sent again when its backoff is over, before
//! newer writes; the queue's drops and the points still queued when the node finishes
//! are reported. Failures are kept for the node to report; nothing here stops the task.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use tickflow_line_protocol::{write_point, Precision, WriteError};
use tickflow_model::Point;

use super::client::{Client, InfluxDbError, Target};
use super::retry::{Pending, RetryPolicy, RetryQueue};

/// Chunks of points the node may hand over before it waits for the writer.
const QUEUE: usize = 64;

/// A failure of the writer thread, reported by the node.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteFailure {
    /// `CREATE DATABASE` failed.
    #[error("cannot create database: {0}")]
    Create(InfluxDbError),
    /// A write request failed; its points are dropped.
    #[error("write of {points} points failed: {source}")]
    Write {
        /// How many points were lost.
        points: usize,
        /// Why.
        source: InfluxDbError,
    },
    /// A write request failed for a reason that may pass; it will be sent again.
    #[error("write of {points} points failed, will retry: {source}")]
    Retrying {
        /// How many points wait.
        points: usize,
        /// Why.
        source: InfluxDbError,
    },
    /// Points waiting to be written again were dropped.
    #[error("{points} points dropped: {reason}")]
    Dropped {
        /// How many.
        points: usize,
        /// Why.
        reason: &'static str,
    },
    /// A point cannot be written as line protocol (NaN, no fields, …).
    #[error("point {name:?} cannot be written: {source}")]
    Point {
        /// The point's measurement.
        name: String,
        /// Why.
        source: WriteError,
    },
}

/// What the writer does besides writing.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Where to write.
    pub client: Client,
    /// The timestamps' unit.
    pub precision: Precision,
    /// Points buffered before a write.
    pub buffer: usize,
    /// The longest a point waits.
    pub flush_interval: Duration,
    /// A statement to run before anything else (`CREATE DATABASE …`).
    pub create: Option<String>,
    /// How failed writes are retried.
    pub retry: RetryPolicy,
}

/// The handle the node keeps on its writer thread.
pub(crate) struct Writer {
    sender: Option<Sender<Vec<(Target, Point)>>>,
    failures: Arc<Mutex<Vec<WriteFailure>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread, named after the node.
    pub(crate) fn start(name: &str, settings: Settings) -> std::io::Result<Self> {
        let (sender, receiver) = crossbeam_channel::bounded(QUEUE);
        let failures = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&failures);
        let thread = std::thread::Builder::new()
            .name(format!("{name}-writer"))
            .spawn(move || Buffer::new(settings, shared).run(&receiver))?;
        Ok(Writer {
            sender: Some(sender),
            failures,
            thread: Some(thread),
        })
    }

    /// Hands points over; blocks while the writer is a full queue behind.
    pub(crate) fn send(&self, points: Vec<(Target, Point)>) {
        if let Some(sender) = &self.sender {
            // The writer only stops when the sender is dropped.
            let _ = sender.send(points);
        }
    }

    /// The failures since the last call.
    pub(crate) fn failures(&self) -> Vec<WriteFailure> {
        std::mem::take(&mut *self.failures.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Writes everything buffered and stops the thread.
    pub(crate) fn close(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            // A panicking writer has nothing left to flush.
            let _ = thread.join();
        }
    }
}

/// The writer thread's state: points by target, in arrival order of the targets.
struct Buffer {
    settings: Settings,
    failures: Arc<Mutex<Vec<WriteFailure>>>,
    pending: Vec<(Target, Vec<Point>)>,
    count: usize,
    oldest: Option<Instant>,
    retry: RetryQueue,
}

impl Buffer {
    fn new(settings: Settings, failures: Arc<Mutex<Vec<WriteFailure>>>) -> Self {
        Buffer {
            retry: RetryQueue::new(settings.retry),
            settings,
            failures,
            pending: Vec::new(),
            count: 0,
            oldest: None,
        }
    }

    fn fail(&self, failure: WriteFailure) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(failure);
    }

    /// Buffers and writes until the node is done, retrying failed writes when due.
    fn run(mut self, receiver: &Receiver<Vec<(Target, Point)>>) {
        if let Err(e) = self.ensure_created() {
            self.fail(WriteFailure::Create(e));
        }
        loop {
            let flush_due = self.oldest.map(|o| o + self.settings.flush_interval);
            let due = [flush_due, self.retry.due()].into_iter().flatten().min();
            let received = match due {
                Some(due) => receiver.recv_timeout(due.saturating_duration_since(Instant::now())),
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(points) => {
                    self.add(points);
                    if self.count >= self.settings.buffer {
                        self.flush();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.retry.due().is_some_and(|d| d <= Instant::now()) {
                        self.resend();
                    }
                    if flush_due.is_some_and(|d| d <= Instant::now()) {
                        self.flush();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.flush();
                    self.resend();
                    let left = self.retry.clear();
                    if left > 0 {
                        self.fail(WriteFailure::Dropped {
                            points: left,
                            reason: "the node finished before influxdb accepted them",
                        });
                    }
                    return;
                }
            }
        }
    }

    /// Runs `CREATE DATABASE` if it is asked for and has not succeeded yet.
    fn ensure_created(&mut self) -> Result<(), InfluxDbError> {
        let Some(statement) = &self.settings.create else {
            return Ok(());
        };
        self.settings.client.query(statement)?;
        self.settings.create = None;
        Ok(())
    }

    /// Creates the database (if asked) and writes `write`.
    fn attempt(&mut self, write: &Pending) -> Result<(), InfluxDbError> {
        self.ensure_created()?;
        let precision = self.settings.precision;
        self.settings
            .client
            .write(&write.target, precision, &write.body)
    }

    /// Sends one write, or queues it to be sent again when the failure may pass.
    fn send(&mut self, write: Pending) {
        let Err(source) = self.attempt(&write) else {
            return;
        };
        let points = write.points;
        if !retriable(&source) || self.settings.retry.capacity == 0 {
            self.fail(WriteFailure::Write { points, source });
            return;
        }
        self.fail(WriteFailure::Retrying { points, source });
        let dropped = self.retry.push(write, Instant::now());
        self.dropped(dropped);
    }

    /// Sends the queued writes again, oldest first; at the first failure that may pass,
    /// it and the rest wait for a longer backoff.
    fn resend(&mut self) {
        let mut writes = self.retry.take().into_iter();
        while let Some(write) = writes.next() {
            match self.attempt(&write) {
                Ok(()) => self.retry.succeeded(),
                Err(source) if retriable(&source) => {
                    let rest = std::iter::once(write).chain(writes).collect();
                    let dropped = self.retry.failed(rest, Instant::now());
                    self.dropped(dropped);
                    return;
                }
                Err(source) => self.fail(WriteFailure::Write {
                    points: write.points,
                    source,
                }),
            }
        }
    }

    /// Reports points the retry queue had to drop.
    fn dropped(&self, points: usize) {
        if points > 0 {
            self.fail(WriteFailure::Dropped {
                points,
                reason: "the retry buffer is full",
            });
        }
    }

    fn add(&mut self, points: Vec<(Target, Point)>) {
        for (target, point) in points {
            self.oldest.get_or_insert_with(Instant::now);
            self.count += 1;
            match self.pending.iter_mut().find(|(t, _)| *t == target) {
                Some((_, queue)) => queue.push(point),
                None => self.pending.push((target, vec![point])),
            }
        }
    }

    /// Writes every target's points, one request each.
    fn flush(&mut self) {
        self.count = 0;
        self.oldest = None;
        for (target, points) in std::mem::take(&mut self.pending) {
            let mut body = Vec::new();
            for point in &points {
                if let Err(source) = write_point(&mut body, point, self.settings.precision) {
                    self.fail(WriteFailure::Point {
                        name: point.name.to_string(),
                        source,
                    });
                }
            }
            if body.is_empty() {
                continue;
            }
            let write = Pending {
                target,
                body,
                points: points.len(),
            };
            // Older failed writes go first.
            match self.retry.is_empty() {
                true => self.send(write),
                false => {
                    let dropped = self.retry.push(write, Instant::now());
                    self.dropped(dropped);
                }
            }
        }
    }
}

/// Whether a failure may pass: no server answered, or it answered 5xx.
fn retriable(error: &InfluxDbError) -> bool {
    match error {
        InfluxDbError::Unreachable { .. } => true,
        InfluxDbError::Status { status, .. } => *status >= 500,
        InfluxDbError::Query { .. } => false,
    }
}
