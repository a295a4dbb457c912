//! Alert topics (kapacitor-compat.md, nodes §8.4 "Publishing", kapacitor-compat.md, alert-data §5): named streams of alert
//! events that remember the last state of each event id and hand every event to the
//! handlers subscribed to them.
//!
//! An alert node publishes each event to its anonymous topic
//! ([`anonymous_topic`], when it has handlers of its own) and to its `.topic()`. The
//! topic records the event's [`EventState`] under its id and sets the event's
//! `previousLevel` from the state it replaces. Handlers are added to a topic by id from a
//! [`HandlerSpec`] (the alerts API, a configuration file); each runs behind its own
//! [`Dispatcher`] (a worker thread and a bounded queue), so a slow or failing handler
//! never blocks a publisher. A handler with a `match` expression ([`Match`]) receives
//! only the events it matches. Their errors come back to the next publisher on that topic
//! as [`TopicError`]s, or from [`TopicHub::close`].
//!
//! [`TopicHub`] is the server's set of topics; cloning shares it, and it lives in
//! [`Services`], so every task of a server publishes to the same topics. It does no I/O
//! of its own.

pub mod matcher;
mod options;
pub mod spec;
pub mod state;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

pub use matcher::{Match, MatchError};
pub use options::OptionError;
pub use spec::{HandlerSpec, SpecError};
pub use state::EventState;

use crate::config::Services;
use crate::data::{AlertData, Level};
use crate::handlers::{Dispatcher, HandlerError, SpawnError};

/// The topic an alert node's own handlers listen on: `main:<task>:<node>`.
pub fn anonymous_topic(task: &str, node: &str) -> String {
    format!("main:{task}:{node}")
}

/// A topic handler failed to deliver an event.
#[derive(Debug, thiserror::Error)]
#[error("topic {topic:?} handler {handler:?}: {source}")]
pub struct TopicError {
    /// The topic.
    pub topic: String,
    /// The handler's id.
    pub handler: String,
    /// What went wrong.
    pub source: HandlerError,
}

/// Why a handler could not be defined on a topic.
#[derive(Debug, thiserror::Error)]
pub enum DefineError {
    /// The definition is invalid.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Its worker thread did not start.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// Creating a handler whose id the topic already has.
    #[error("handler {id:?} already exists on topic {topic:?}")]
    Exists {
        /// The topic.
        topic: String,
        /// The handler's id.
        id: String,
    },
    /// Replacing a handler the topic does not have.
    #[error("handler {id:?} does not exist on topic {topic:?}")]
    Missing {
        /// The topic.
        topic: String,
        /// The handler's id.
        id: String,
    },
}

/// Whether defining a handler may add it, replace it, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Define {
    /// Add a new handler; its id must be free.
    Create,
    /// Replace an existing handler.
    Replace,
    /// Add or replace.
    Upsert,
}

/// A topic as the alerts API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSummary {
    /// The topic's id.
    pub id: String,
    /// The highest level of its events (`OK` without events).
    pub level: Level,
}

struct Subscriber {
    spec: HandlerSpec,
    matcher: Option<Match>,
    dispatcher: Dispatcher,
}

#[derive(Default)]
struct Topic {
    events: BTreeMap<String, EventState>,
    handlers: BTreeMap<String, Subscriber>,
}

impl Topic {
    fn level(&self) -> Level {
        self.events
            .values()
            .map(|e| e.level)
            .max()
            .unwrap_or_default()
    }

    /// The errors the topic's handlers reported since the last call.
    fn take_errors(&self, topic: &str) -> Vec<TopicError> {
        self.handlers
            .iter()
            .flat_map(|(id, subscriber)| {
                subscriber
                    .dispatcher
                    .take_errors()
                    .into_iter()
                    .map(|source| TopicError {
                        topic: topic.to_string(),
                        handler: id.clone(),
                        source,
                    })
            })
            .collect()
    }
}

/// The topics of a server; cloning shares them.
#[derive(Clone, Default)]
pub struct TopicHub {
    topics: Arc<Mutex<BTreeMap<String, Topic>>>,
}

impl std::fmt::Debug for TopicHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let topics: Vec<String> = self.lock().keys().cloned().collect();
        f.debug_struct("TopicHub").field("topics", &topics).finish()
    }
}

impl TopicHub {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Topic>> {
        self.topics
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records `event` on `topic` (creating the topic), sets its `previous_level` from
    /// the state it replaces, queues it for the topic's handlers, and returns the errors
    /// they reported since the last publish.
    pub fn publish(&self, topic: &str, event: &mut AlertData) -> Vec<TopicError> {
        let mut topics = self.lock();
        let entry = topics.entry(topic.to_string()).or_default();
        let previous = entry.events.insert(event.id.clone(), EventState::of(event));
        event.previous_level = previous.map_or(Level::Ok, |state| state.level);
        let mut errors = Vec::new();
        for (id, subscriber) in &entry.handlers {
            let matched = match &subscriber.matcher {
                None => Ok(true),
                Some(matcher) => matcher.matches(event),
            };
            match matched {
                Ok(true) => subscriber.dispatcher.send(event.clone()),
                Ok(false) => {}
                Err(error) => errors.push(TopicError {
                    topic: topic.to_string(),
                    handler: id.clone(),
                    source: HandlerError::Match(error),
                }),
            }
        }
        errors.extend(entry.take_errors(topic));
        errors
    }

    /// The level `topic` last recorded for event `id`, `OK` if none.
    pub fn previous_level(&self, topic: &str, id: &str) -> Level {
        self.lock()
            .get(topic)
            .and_then(|t| t.events.get(id))
            .map_or(Level::Ok, |state| state.level)
    }

    /// Every topic, by id.
    pub fn topics(&self) -> Vec<TopicSummary> {
        self.lock()
            .iter()
            .map(|(id, topic)| TopicSummary {
                id: id.clone(),
                level: topic.level(),
            })
            .collect()
    }

    /// The topic `id`, if it exists.
    pub fn topic(&self, id: &str) -> Option<TopicSummary> {
        self.lock().get(id).map(|topic| TopicSummary {
            id: id.to_string(),
            level: topic.level(),
        })
    }

    /// The events of `topic` by id, if the topic exists.
    pub fn events(&self, topic: &str) -> Option<Vec<(String, EventState)>> {
        self.lock().get(topic).map(|t| {
            t.events
                .iter()
                .map(|(id, state)| (id.clone(), state.clone()))
                .collect()
        })
    }

    /// Sets the states of `topic`'s events (creating the topic), as a snapshot held
    /// them: a restored alert node gives the `previousLevel`s it would have given.
    pub fn restore_events(&self, topic: &str, events: Vec<(String, EventState)>) {
        let mut topics = self.lock();
        let entry = topics.entry(topic.to_string()).or_default();
        entry.events.extend(events);
    }

    /// The state of event `id` of `topic`.
    pub fn event(&self, topic: &str, id: &str) -> Option<EventState> {
        self.lock().get(topic)?.events.get(id).cloned()
    }

    /// The handlers of `topic` by id (none for a topic that does not exist).
    pub fn handlers(&self, topic: &str) -> Vec<HandlerSpec> {
        self.lock().get(topic).map_or_else(Vec::new, |t| {
            t.handlers.values().map(|s| s.spec.clone()).collect()
        })
    }

    /// Handler `id` of `topic`.
    pub fn handler(&self, topic: &str, id: &str) -> Option<HandlerSpec> {
        Some(self.lock().get(topic)?.handlers.get(id)?.spec.clone())
    }

    /// Starts the handler `spec` on `topic` (creating the topic), with endpoints and
    /// queue length from `services`. A replaced handler delivers what it has queued
    /// before it stops.
    pub fn define(
        &self,
        topic: &str,
        spec: HandlerSpec,
        services: &Services,
        mode: Define,
    ) -> Result<(), DefineError> {
        let handler = spec.build(services)?;
        let matcher = spec.matcher().map_err(SpecError::from)?;
        let dispatcher = Dispatcher::new(vec![handler], services.queue_capacity)?;
        let subscriber = Subscriber {
            spec,
            matcher,
            dispatcher,
        };
        let replaced = {
            let mut topics = self.lock();
            let exists = topics
                .get(topic)
                .is_some_and(|t| t.handlers.contains_key(&subscriber.spec.id));
            let conflict = match (mode, exists) {
                (Define::Create, true) => Some(DefineError::Exists {
                    topic: topic.to_string(),
                    id: subscriber.spec.id.clone(),
                }),
                (Define::Replace, false) => Some(DefineError::Missing {
                    topic: topic.to_string(),
                    id: subscriber.spec.id.clone(),
                }),
                _ => None,
            };
            if let Some(err) = conflict {
                return Err(err);
            }
            let entry = topics.entry(topic.to_string()).or_default();
            entry
                .handlers
                .insert(subscriber.spec.id.clone(), subscriber)
        };
        drop(replaced);
        Ok(())
    }

    /// Removes handler `id` from `topic` once it has delivered what it has queued;
    /// whether it existed.
    pub fn remove_handler(&self, topic: &str, id: &str) -> bool {
        let removed = self
            .lock()
            .get_mut(topic)
            .and_then(|t| t.handlers.remove(id));
        removed.is_some()
    }

    /// Deletes `topic`: its events and handlers (which first deliver what they have
    /// queued); whether it existed. Publishing to it again creates it anew.
    pub fn delete_topic(&self, topic: &str) -> bool {
        let removed = self.lock().remove(topic);
        removed.is_some()
    }

    /// Stops every handler of every topic once it has delivered what it has queued, and
    /// returns the errors not reported yet. Topics and events stay; handlers are gone.
    pub fn close(&self) -> Vec<TopicError> {
        let subscribers: Vec<(String, String, Subscriber)> = {
            let mut topics = self.lock();
            topics
                .iter_mut()
                .flat_map(|(topic, t)| {
                    std::mem::take(&mut t.handlers)
                        .into_iter()
                        .map(|(id, s)| (topic.clone(), id, s))
                })
                .collect()
        };
        subscribers
            .into_iter()
            .flat_map(|(topic, handler, mut subscriber)| {
                subscriber
                    .dispatcher
                    .close()
                    .into_iter()
                    .map(move |source| TopicError {
                        topic: topic.clone(),
                        handler: handler.clone(),
                        source,
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
