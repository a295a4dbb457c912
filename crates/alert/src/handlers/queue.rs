//! [`Dispatcher`]: runs each handler on its own thread behind a bounded queue, so a slow
//! target (a POST that takes seconds) never stalls the alert node.
//!
//! **Invariants:** events reach each handler in the order they were sent; a full queue
//! drops the event for that handler only, with a [`QueueFull`] error (Kapacitor's
//! behaviour, kapacitor-compat.md, nodes §8.1); [`Dispatcher::close`] (and dropping the dispatcher) lets
//! every worker deliver what is queued before it returns, so a task that ends still
//! delivers every accepted alert. Handler errors come back to the node through
//! [`Dispatcher::take_errors`], to be logged and counted under the node's name, and
//! [`Dispatcher::delivery`] counts the events sent, failed and dropped so far (the
//! node's stats).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TrySendError};

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};

/// Kapacitor's default queue length per handler.
pub const DEFAULT_CAPACITY: usize = 5000;

/// An event dropped because its handler's queue was full.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{handler}: queue of {capacity} events is full, dropped event {id:?}")]
pub struct QueueFull {
    /// The handler, as [`Handler::describe`] names it.
    pub handler: String,
    /// The queue's capacity.
    pub capacity: usize,
    /// The dropped event's id.
    pub id: String,
}

/// A worker thread could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot start a thread for alert handler {handler}: {reason}")]
pub struct SpawnError {
    /// The handler.
    pub handler: String,
    /// The operating system's reason.
    pub reason: String,
}

/// How many events a dispatcher's handlers have delivered, failed to deliver, and
/// dropped because a queue was full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Events a handler delivered.
    pub sent: u64,
    /// Events a handler tried and failed to deliver.
    pub failed: u64,
    /// Events dropped because a handler's queue was full.
    pub dropped: u64,
}

/// The live counters behind [`Delivery`], shared with the workers.
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
}

struct Worker {
    handler: String,
    queue: Option<Sender<Arc<AlertData>>>,
    thread: Option<JoinHandle<()>>,
}

/// Hands events to handler threads.
pub struct Dispatcher {
    workers: Vec<Worker>,
    capacity: usize,
    errors: Receiver<HandlerError>,
    report: Sender<HandlerError>,
    counters: Arc<Counters>,
}

impl Dispatcher {
    /// Starts one worker thread per handler, each with a queue of `capacity` events
    /// (at least one).
    pub fn new(handlers: Vec<Box<dyn Handler>>, capacity: usize) -> Result<Self, SpawnError> {
        let capacity = capacity.max(1);
        let (report, errors) = crossbeam_channel::unbounded();
        let mut dispatcher = Dispatcher {
            workers: Vec::with_capacity(handlers.len()),
            capacity,
            errors,
            report,
            counters: Arc::default(),
        };
        for handler in handlers {
            let counters = Arc::clone(&dispatcher.counters);
            let worker = spawn(handler, capacity, dispatcher.report.clone(), counters)?;
            dispatcher.workers.push(worker);
        }
        Ok(dispatcher)
    }

    /// Whether there are no handlers.
    pub fn is_empty(&self) -> bool {
        self.workers.is_empty()
    }

    /// Queues `event` for every handler without waiting for any of them.
    pub fn send(&self, event: AlertData) {
        let event = Arc::new(event);
        for worker in &self.workers {
            let Some(queue) = &worker.queue else { continue };
            if let Err(TrySendError::Full(event) | TrySendError::Disconnected(event)) =
                queue.try_send(Arc::clone(&event))
            {
                self.counters.dropped.fetch_add(1, Relaxed);
                let _ = self.report.send(HandlerError::QueueFull(QueueFull {
                    handler: worker.handler.clone(),
                    capacity: self.capacity,
                    id: event.id.clone(),
                }));
            }
        }
    }

    /// The events sent, failed and dropped so far.
    pub fn delivery(&self) -> Delivery {
        Delivery {
            sent: self.counters.sent.load(Relaxed),
            failed: self.counters.failed.load(Relaxed),
            dropped: self.counters.dropped.load(Relaxed),
        }
    }

    /// The errors handlers reported since the last call.
    pub fn take_errors(&self) -> Vec<HandlerError> {
        self.errors.try_iter().collect()
    }

    /// Closes the queues, waits until every worker has delivered what was queued, and
    /// returns the errors not taken yet.
    pub fn close(&mut self) -> Vec<HandlerError> {
        for worker in &mut self.workers {
            worker.queue = None;
        }
        for worker in &mut self.workers {
            if let Some(thread) = worker.thread.take() {
                let _ = thread.join();
            }
        }
        self.take_errors()
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let handlers: Vec<&str> = self.workers.iter().map(|w| w.handler.as_str()).collect();
        f.debug_struct("Dispatcher")
            .field("handlers", &handlers)
            .field("capacity", &self.capacity)
            .finish()
    }
}

/// Starts the thread that feeds `handler` from a new queue.
fn spawn(
    handler: Box<dyn Handler>,
    capacity: usize,
    report: Sender<HandlerError>,
    counters: Arc<Counters>,
) -> Result<Worker, SpawnError> {
    let name = handler.describe();
    let (queue, events) = crossbeam_channel::bounded::<Arc<AlertData>>(capacity);
    let thread = std::thread::Builder::new()
        .name("alert-handler".into())
        .spawn(move || {
            for event in events {
                match handler.handle(&event) {
                    Ok(()) => counters.sent.fetch_add(1, Relaxed),
                    Err(err) => {
                        let _ = report.send(err);
                        counters.failed.fetch_add(1, Relaxed)
                    }
                };
            }
        })
        .map_err(|err| SpawnError {
            handler: name.clone(),
            reason: err.to_string(),
        })?;
    Ok(Worker {
        handler: name,
        queue: Some(queue),
        thread: Some(thread),
    })
}
