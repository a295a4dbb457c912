//! [`Writer`]: the thread behind one `influxDBOut` node. It buffers the node's points by
//! write target and writes them when `buffer` points are waiting, when the oldest has
//! waited `flushInterval`, and when the node finishes, so a slow or absent InfluxDB
//! never stalls the task. It runs `CREATE DATABASE` once before the first write when
//! asked. Failures are kept for the node to report; nothing here stops the task.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use tickflow_line_protocol::{write_point, Precision, WriteError};
use tickflow_model::Point;

use super::client::{Client, InfluxDbError, Target};

/// Chunks of points the node may hand over before it waits for the writer.
const QUEUE: usize = 64;

/// A failure of the writer thread, reported by the node.
#[derive(Debug, thiserror::Error)]
pub enum WriteFailure {
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
pub struct Settings {
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
}

/// The handle the node keeps on its writer thread.
pub struct Writer {
    sender: Option<Sender<Vec<(Target, Point)>>>,
    failures: Arc<Mutex<Vec<WriteFailure>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread, named after the node.
    pub fn start(name: &str, settings: Settings) -> std::io::Result<Self> {
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
    pub fn send(&self, points: Vec<(Target, Point)>) {
        if let Some(sender) = &self.sender {
            // The writer only stops when the sender is dropped.
            let _ = sender.send(points);
        }
    }

    /// The failures since the last call.
    pub fn failures(&self) -> Vec<WriteFailure> {
        std::mem::take(&mut *self.failures.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Writes everything buffered and stops the thread.
    pub fn close(&mut self) {
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
}

impl Buffer {
    fn new(settings: Settings, failures: Arc<Mutex<Vec<WriteFailure>>>) -> Self {
        Buffer {
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

    /// Creates the database if asked, then buffers and writes until the node is done.
    fn run(mut self, receiver: &Receiver<Vec<(Target, Point)>>) {
        if let Some(statement) = &self.settings.create {
            if let Err(e) = self.settings.client.query(statement) {
                self.fail(WriteFailure::Create(e));
            }
        }
        loop {
            let received = match self.oldest {
                Some(oldest) => {
                    let due = oldest + self.settings.flush_interval;
                    receiver.recv_timeout(due.saturating_duration_since(Instant::now()))
                }
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok(points) => {
                    self.add(points);
                    if self.count >= self.settings.buffer {
                        self.flush();
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.flush(),
                Err(RecvTimeoutError::Disconnected) => {
                    self.flush();
                    return;
                }
            }
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
            if let Err(source) = self
                .settings
                .client
                .write(&target, self.settings.precision, &body)
            {
                self.fail(WriteFailure::Write {
                    points: points.len(),
                    source,
                });
            }
        }
    }
}
