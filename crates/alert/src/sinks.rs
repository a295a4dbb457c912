//! [`Sinks`]: handlers an embedding program registers for every alert event of every
//! task, next to the handlers each script names: a closure ([`FnHandler`]) or a channel
//! ([`ChannelHandler`]) that receives [`AlertData`] documents in-process.
//!
//! They live in [`Services`](crate::Services), so every alert node of an engine hands its
//! events to them; each node puts them behind its own [`Dispatcher`](crate::Dispatcher)
//! workers like its other handlers, so a slow sink never stalls a task, events of one
//! node arrive in order, and events of different nodes may arrive concurrently (a sink
//! is `Sync`).

use std::sync::Arc;

use crossbeam_channel::Sender;

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};

/// The program's alert handlers; cloning shares them.
#[derive(Clone, Default)]
pub struct Sinks {
    handlers: Vec<Arc<dyn Handler>>,
}

impl std::fmt::Debug for Sinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.handlers.iter().map(|h| h.describe()).collect();
        f.debug_struct("Sinks").field("handlers", &names).finish()
    }
}

impl Sinks {
    /// Adds a handler that receives every event.
    pub fn add(&mut self, handler: Arc<dyn Handler>) {
        self.handlers.push(handler);
    }

    /// Whether no handler is registered.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// A boxed handle on each handler, for one node's dispatcher.
    pub fn handlers(&self) -> impl Iterator<Item = Box<dyn Handler>> + '_ {
        self.handlers
            .iter()
            .map(|h| Box::new(Shared(Arc::clone(h))) as Box<dyn Handler>)
    }
}

/// One sink shared by the dispatchers of several nodes.
struct Shared(Arc<dyn Handler>);

impl Handler for Shared {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        self.0.handle(event)
    }

    fn describe(&self) -> String {
        self.0.describe()
    }
}

/// Why a program's sink refused an event; the text is the program's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sink}: {reason}")]
pub struct SinkError {
    /// The sink's name.
    pub sink: String,
    /// What it said.
    pub reason: String,
}

/// A closure that receives every event; an `Err` is reported under the alert node.
pub struct FnHandler<F> {
    name: String,
    f: F,
}

impl<F> FnHandler<F>
where
    F: Fn(&AlertData) -> Result<(), String> + Send + Sync,
{
    /// A handler called `name` in error messages, running `f` for each event.
    pub fn new(name: impl Into<String>, f: F) -> Self {
        FnHandler {
            name: name.into(),
            f,
        }
    }
}

impl<F> Handler for FnHandler<F>
where
    F: Fn(&AlertData) -> Result<(), String> + Send + Sync,
{
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        (self.f)(event).map_err(|reason| {
            HandlerError::Sink(SinkError {
                sink: self.describe(),
                reason,
            })
        })
    }

    fn describe(&self) -> String {
        format!("sink {:?}", self.name)
    }
}

/// Sends a copy of every event into a channel.
pub struct ChannelHandler {
    sender: Sender<AlertData>,
}

impl ChannelHandler {
    /// A handler sending into `sender`.
    pub fn new(sender: Sender<AlertData>) -> Self {
        ChannelHandler { sender }
    }
}

impl Handler for ChannelHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        self.sender.send(event.clone()).map_err(|_| {
            HandlerError::Sink(SinkError {
                sink: self.describe(),
                reason: "the receiver is gone".into(),
            })
        })
    }

    fn describe(&self) -> String {
        "alert channel".into()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::data::Level;
    use crate::handlers::Dispatcher;

    fn event(id: &str) -> AlertData {
        AlertData {
            id: id.into(),
            level: Level::Critical,
            ..AlertData::default()
        }
    }

    #[test]
    fn closures_and_channels_receive_every_event_in_order() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut sinks = Sinks::default();
        let record = Arc::clone(&seen);
        sinks.add(Arc::new(FnHandler::new("test", move |e: &AlertData| {
            record.lock().map_err(|e| e.to_string())?.push(e.id.clone());
            Ok(())
        })));
        sinks.add(Arc::new(ChannelHandler::new(tx)));
        let mut dispatcher =
            Dispatcher::new(sinks.handlers().collect(), 10).expect("threads start");
        for id in ["a", "b", "c"] {
            dispatcher.send(event(id));
        }
        assert!(dispatcher.close().is_empty());
        assert_eq!(*seen.lock().expect("not poisoned"), ["a", "b", "c"]);
        let received: Vec<String> = rx.try_iter().map(|e| e.id).collect();
        assert_eq!(received, ["a", "b", "c"]);
    }

    #[test]
    fn a_refusing_sink_is_reported_with_its_name() {
        let mut sinks = Sinks::default();
        sinks.add(Arc::new(FnHandler::new("picky", |_: &AlertData| {
            Err("no thanks".to_string())
        })));
        let (tx, rx) = crossbeam_channel::unbounded();
        drop(rx);
        sinks.add(Arc::new(ChannelHandler::new(tx)));
        let mut dispatcher =
            Dispatcher::new(sinks.handlers().collect(), 10).expect("threads start");
        dispatcher.send(event("a"));
        let mut errors: Vec<String> = dispatcher.close().iter().map(ToString::to_string).collect();
        // The two handlers run on their own threads: their errors come in either order.
        errors.sort();
        assert_eq!(
            errors,
            [
                "alert channel: the receiver is gone",
                "sink \"picky\": no thanks"
            ]
        );
    }
}
