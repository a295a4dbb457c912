//! [`Connection`]: one running agent and the threads around it.
//!
//! A reader thread decodes the agent's responses into a channel of [`Event`]s (in the
//! order they were written), a stderr thread logs the agent's stderr, and a keepalive
//! thread sends a keepalive every `timeout / 2` and watches the time since the last
//! response of any kind: after `timeout` it reports [`Failure::KeepaliveTimeout`],
//! closes the agent's input and, if the agent has not ended `2 × timeout` later, kills
//! it (spec §4.4). The same thread keeps the snapshot schedule: every snapshot interval
//! (wall-clock, from the agent's start) it raises a flag that the owner reads with
//! [`Connection::snapshot_due`] before its next request, so snapshots are taken between
//! requests, on the owner's thread. The owner writes requests with [`Connection::send`]
//! and reads the events.

use std::io::{BufReader, BufWriter, Write};
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::error::{exit_text, Failure};
use super::stderr::StderrTail;
use super::transport::{self, Opened, Peer};
use crate::config::Agent;
use crate::convert::wrap;
use crate::framing::{encode_frame, FrameReader};
use crate::proto::{request, response, KeepaliveRequest, Request, Response};

/// What the reader thread (or the watchdog) reports.
#[derive(Debug)]
pub(crate) enum Event {
    /// A response other than a keepalive.
    Response(response::Message),
    /// The agent closed its output at a frame boundary.
    Eof,
    /// The agent can no longer be used.
    Failed(Failure),
}

/// How long a dying agent gets to exit before its end is explained.
const DYING_GRACE: Duration = Duration::from_secs(2);

/// How long an error waits for the agent's last stderr lines.
const STDERR_GRACE: Duration = Duration::from_millis(200);

type Writer = Arc<Mutex<Option<BufWriter<Box<dyn Write + Send>>>>>;

/// A running agent.
pub(crate) struct Connection {
    writer: Writer,
    peer: Arc<Mutex<Peer>>,
    events: Receiver<Event>,
    stderr: StderrTail,
    /// Disconnected when the stderr thread has read everything.
    stderr_done: Receiver<()>,
    timeout: Duration,
    /// Raised by the keepalive thread when a snapshot is due.
    snapshot_due: Arc<AtomicBool>,
    /// Dropped to stop the keepalive thread.
    stop: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
    frame: Vec<u8>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Connection {
    /// Starts the agent of UDF `udf` and the threads around it; a snapshot is due every
    /// `snapshot_interval`, if given.
    pub(crate) fn open(
        udf: &str,
        agent: &Agent,
        timeout: Duration,
        snapshot_interval: Option<Duration>,
    ) -> Result<Self, Failure> {
        let Opened {
            writer,
            reader,
            stderr,
            peer,
        } = transport::open(agent, timeout)?;
        let (events_tx, events) = crossbeam_channel::unbounded();
        let (stop, stop_rx) = crossbeam_channel::bounded::<()>(0);
        let last_response = Arc::new(Mutex::new(Instant::now()));
        let tail = StderrTail::default();
        let writer: Writer = Arc::new(Mutex::new(Some(BufWriter::new(writer))));
        let peer = Arc::new(Mutex::new(peer));
        let mut threads = Vec::new();
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            thread::Builder::new()
                .name(format!("udf-{udf}-{name}"))
                .spawn(f)
                .map_err(|e| Failure::Spawn {
                    prog: format!("{name} thread"),
                    error: e.to_string(),
                })
        };
        threads.push(spawn("reader", {
            let (events_tx, last_response) = (events_tx.clone(), last_response.clone());
            Box::new(move || read_responses(reader, &events_tx, &last_response))
        })?);
        let (stderr_done_tx, stderr_done) = crossbeam_channel::bounded::<()>(0);
        if let Some(stream) = stderr {
            let (tail, udf) = (tail.clone(), udf.to_string());
            threads.push(spawn(
                "stderr",
                Box::new(move || {
                    tail.follow(&udf, stream);
                    drop(stderr_done_tx);
                }),
            )?);
        }
        let snapshot_due = Arc::new(AtomicBool::new(false));
        let watchdog = Watchdog {
            writer: writer.clone(),
            peer: peer.clone(),
            events: events_tx,
            last_response,
            stop: stop_rx,
            timeout,
            snapshot_due: snapshot_due.clone(),
            snapshot_interval,
        };
        threads.push(spawn("keepalive", Box::new(move || watchdog.run()))?);
        Ok(Connection {
            writer,
            peer,
            events,
            stderr: tail,
            stderr_done,
            timeout,
            snapshot_due,
            stop: Some(stop),
            threads,
            frame: Vec::new(),
        })
    }

    /// Writes one request and flushes it.
    pub(crate) fn send(&mut self, request: &Request) -> Result<(), Failure> {
        self.send_all(std::slice::from_ref(request))
    }

    /// Writes requests in order, then flushes.
    pub(crate) fn send_all(&mut self, requests: &[Request]) -> Result<(), Failure> {
        let mut frame = std::mem::take(&mut self.frame);
        frame.clear();
        for request in requests {
            encode_frame(request, &mut frame);
        }
        let result = self.send_frames(&frame);
        self.frame = frame;
        result
    }

    /// Writes requests already framed, then flushes.
    pub(crate) fn send_frames(&mut self, frames: &[u8]) -> Result<(), Failure> {
        let mut writer = lock(&self.writer);
        let writer = writer
            .as_mut()
            .ok_or_else(|| Failure::Write("the agent's input is closed".into()))?;
        writer
            .write_all(frames)
            .and_then(|()| writer.flush())
            .map_err(|e| Failure::Write(e.to_string()))
    }

    /// Whether a snapshot has fallen due since the last call.
    pub(crate) fn snapshot_due(&self) -> bool {
        self.snapshot_due.swap(false, Ordering::Relaxed)
    }

    /// The events reported so far and to come.
    pub(crate) fn events(&self) -> &Receiver<Event> {
        &self.events
    }

    /// Ends the requests: closes stdin or half-closes the socket.
    pub(crate) fn close_input(&mut self) {
        if let Some(mut writer) = lock(&self.writer).take() {
            // A failed flush means the agent is gone; its reader reports why.
            let _ = writer.flush();
        }
        lock(&self.peer).close_input();
    }

    /// Waits up to `grace` for the process to exit; kills it when it does not. `None`
    /// for sockets.
    pub(crate) fn wait_exit(&mut self, grace: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + grace;
        loop {
            let mut peer = lock(&self.peer);
            if peer.is_socket() {
                return None;
            }
            match peer.try_wait() {
                Some(Ok(status)) => return Some(status),
                Some(Err(_)) => return None,
                None if Instant::now() >= deadline => {
                    peer.kill();
                    drop(peer);
                    return self.wait_exit(self.timeout);
                }
                None => {}
            }
            drop(peer);
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// The failure an exit status stands for, if any.
    pub(crate) fn exit_failure(status: Option<ExitStatus>) -> Option<Failure> {
        status
            .filter(|s| !s.success())
            .map(|s| Failure::Exited(exit_text(s)))
    }

    /// The last lines of the agent's stderr, after giving a dying agent's last lines a
    /// moment to arrive.
    pub(crate) fn stderr(&self) -> Vec<String> {
        let _ = self.stderr_done.recv_timeout(STDERR_GRACE);
        self.stderr.lines()
    }

    /// The failure behind an early end of the agent's output or a failed write: its
    /// exit status when it exited with an error, else `failure`.
    pub(crate) fn exit_reason(&mut self, failure: Failure) -> Failure {
        match failure {
            Failure::ClosedOutput(_) | Failure::Write(_) => {
                Self::exit_failure(self.wait_exit(DYING_GRACE)).unwrap_or(failure)
            }
            other => other,
        }
    }

    /// The keepalive timeout.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl Drop for Connection {
    /// Stops the keepalive thread, ends the agent and joins the threads.
    fn drop(&mut self) {
        self.stop.take();
        self.close_input();
        lock(&self.peer).kill();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The reader thread: decodes responses until the stream ends or breaks.
fn read_responses(
    reader: Box<dyn std::io::Read + Send>,
    events: &Sender<Event>,
    last_response: &Mutex<Instant>,
) {
    let mut frames = FrameReader::new(BufReader::with_capacity(64 * 1024, reader));
    loop {
        let event = match frames.read_message::<Response>() {
            Ok(Some(Response { message: Some(m) })) => {
                *lock(last_response) = Instant::now();
                if matches!(m, response::Message::Keepalive(_)) {
                    continue;
                }
                Event::Response(m)
            }
            Ok(Some(Response { message: None })) => Event::Failed(Failure::EmptyResponse),
            Ok(None) => Event::Eof,
            Err(err) => Event::Failed(Failure::Read(err.to_string())),
        };
        let last = !matches!(event, Event::Response(_));
        if events.send(event).is_err() || last {
            return;
        }
    }
}

/// The keepalive thread's state.
struct Watchdog {
    writer: Writer,
    peer: Arc<Mutex<Peer>>,
    events: Sender<Event>,
    last_response: Arc<Mutex<Instant>>,
    stop: Receiver<()>,
    timeout: Duration,
    snapshot_due: Arc<AtomicBool>,
    snapshot_interval: Option<Duration>,
}

impl Watchdog {
    /// Sends keepalives every `timeout / 2` and raises the snapshot flag every snapshot
    /// interval, until stopped or timed out.
    fn run(self) {
        let keepalive_every = self.timeout / 2;
        let mut next_keepalive = Instant::now() + keepalive_every;
        let mut next_snapshot = self.snapshot_interval.map(|every| Instant::now() + every);
        loop {
            let wake = next_snapshot.map_or(next_keepalive, |at| at.min(next_keepalive));
            if self.stop.recv_deadline(wake) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let now = Instant::now();
            if let (Some(at), Some(every)) = (next_snapshot, self.snapshot_interval) {
                if now >= at {
                    self.snapshot_due.store(true, Ordering::Relaxed);
                    next_snapshot = Some(now + every);
                }
            }
            if now >= next_keepalive {
                if lock(&self.last_response).elapsed() > self.timeout {
                    return self.abort();
                }
                self.keepalive();
                next_keepalive = now + keepalive_every;
            }
        }
    }

    /// Sends one keepalive unless a request is being written right now (the agent is
    /// busy reading then, and the writer must not be blocked on).
    fn keepalive(&self) {
        let Ok(mut writer) = self.writer.try_lock() else {
            return;
        };
        let Some(writer) = writer.as_mut() else {
            return;
        };
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        let mut frame = Vec::new();
        encode_frame(
            &wrap(request::Message::Keepalive(KeepaliveRequest { time })),
            &mut frame,
        );
        // A failed write is the owner's to report, on its next write.
        let _ = writer.write_all(&frame).and_then(|()| writer.flush());
    }

    /// Reports the timeout, closes the agent's input and kills it if it has not ended
    /// within `2 × timeout`.
    fn abort(self) {
        let _ = self
            .events
            .send(Event::Failed(Failure::KeepaliveTimeout(self.timeout)));
        if let Ok(mut writer) = self.writer.try_lock() {
            writer.take();
        }
        lock(&self.peer).close_input();
        if self.stop.recv_timeout(2 * self.timeout) == Err(RecvTimeoutError::Timeout) {
            lock(&self.peer).kill();
        }
    }
}
