//! Live snapshots of a DAG running on threads: a [`Round`] marker flows through the DAG
//! with the data, and each node records its state when the marker has reached it on
//! every input ([`Alignment`]), so the snapshot is the state the DAG would have after
//! exactly the messages written before the snapshot was asked for, taken without
//! stopping the task.
//!
//! A node that has received the marker on some of its inputs holds the chunks that
//! arrive on those inputs until the marker has come on the others (they were written
//! after the snapshot), then records its state, sends on what it had emitted, forwards
//! the marker to its children and takes up the held chunks. Channels are FIFO, so this
//! is a consistent cut (Chandy and Lamport's, with alignment). A round whose task has a
//! node thread that ended (failed, or drained) cannot complete, and reports that: the
//! waiter checks the DAG's count of ended node threads whenever no state has come for a
//! moment, since a marker may sit for ever in the channel of a node that failed.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};
use serde_json::Value;

/// How long the waiter waits for a state before it looks whether a node thread ended.
const CHECK_ENDED: Duration = Duration::from_millis(50);

/// One snapshot in flight: where the nodes report their states.
#[derive(Debug)]
pub(crate) struct Round {
    states: Sender<(usize, String, Option<Value>)>,
}

/// What [`Round::start`] gives the caller: the marker to send and the results.
pub(crate) struct Pending {
    states: Receiver<(usize, String, Option<Value>)>,
    nodes: usize,
}

/// A task stopped before every node recorded its state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the task stopped during the snapshot ({recorded} of {nodes} nodes recorded)")]
pub struct Interrupted {
    /// Nodes that had recorded their state.
    pub recorded: usize,
    /// Nodes in the DAG.
    pub nodes: usize,
}

impl Round {
    /// A round over a DAG of `nodes` nodes.
    pub(crate) fn start(nodes: usize) -> (Arc<Round>, Pending) {
        let (states, receiver) = unbounded();
        (
            Arc::new(Round { states }),
            Pending {
                states: receiver,
                nodes,
            },
        )
    }

    /// Node `index`, called `name`, has this state (`None` when it keeps none).
    pub(crate) fn record(&self, index: usize, name: &str, state: Option<Value>) {
        let _ = self.states.send((index, name.to_string(), state));
    }
}

impl Pending {
    /// Waits until every node has recorded its state, or until a node thread of the
    /// DAG has ended (`ended` counts them); returns the states of the nodes that keep
    /// one, in DAG order.
    pub(crate) fn wait(self, ended: &AtomicUsize) -> Result<Vec<(String, Value)>, Interrupted> {
        let mut states = Vec::with_capacity(self.nodes);
        while states.len() < self.nodes {
            match self.states.recv_timeout(CHECK_ENDED) {
                Ok(state) => states.push(state),
                Err(RecvTimeoutError::Timeout) if ended.load(Ordering::Acquire) == 0 => {}
                Err(_) => {
                    return Err(Interrupted {
                        recorded: states.len(),
                        nodes: self.nodes,
                    })
                }
            }
        }
        states.sort_by_key(|(index, ..)| *index);
        Ok(states
            .into_iter()
            .filter_map(|(_, name, state)| Some((name, state?)))
            .collect())
    }
}

/// A node's view of the snapshot in flight: on which inputs the marker has come, and
/// what arrived after it on those inputs.
pub(crate) struct Alignment<E> {
    round: Option<Arc<Round>>,
    marked: Vec<bool>,
    held: VecDeque<(usize, E)>,
    released: VecDeque<(usize, E)>,
}

impl<E> Alignment<E> {
    /// For a node with `inputs` inputs (the source has one: the task's input).
    pub(crate) fn new(inputs: usize) -> Self {
        Alignment {
            round: None,
            marked: vec![false; inputs.max(1)],
            held: VecDeque::new(),
            released: VecDeque::new(),
        }
    }

    /// A held message that may go on now, before anything new.
    pub(crate) fn next_released(&mut self) -> Option<(usize, E)> {
        self.released.pop_front()
    }

    /// Keeps `message` of `input` back if the marker has come on that input; gives it
    /// back otherwise.
    pub(crate) fn admit(&mut self, input: usize, message: E) -> Option<E> {
        if self.marked.get(input).copied().unwrap_or(false) {
            self.held.push_back((input, message));
            None
        } else {
            Some(message)
        }
    }

    /// The marker of `round` came on `input`; returns the round once it has come on
    /// every input, releasing what was held.
    pub(crate) fn mark(&mut self, input: usize, round: Arc<Round>) -> Option<Arc<Round>> {
        if let Some(flag) = self.marked.get_mut(input) {
            *flag = true;
        }
        self.round.get_or_insert(round);
        if !self.marked.iter().all(|m| *m) {
            return None;
        }
        self.marked.iter_mut().for_each(|m| *m = false);
        self.released.extend(self.held.drain(..));
        self.round.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_holds_what_comes_after_the_marker_until_every_input_has_it() {
        let (round, pending) = Round::start(1);
        let mut align: Alignment<&str> = Alignment::new(2);
        assert_eq!(align.admit(0, "a1"), Some("a1"));
        assert!(align.mark(0, Arc::clone(&round)).is_none());
        assert_eq!(align.admit(0, "a2 after the marker"), None);
        assert_eq!(align.admit(1, "b1"), Some("b1"));
        let complete = align.mark(1, round).expect("both inputs marked");
        complete.record(0, "join2", Some(Value::from(1)));
        assert_eq!(align.next_released(), Some((0, "a2 after the marker")));
        assert_eq!(align.next_released(), None);
        assert_eq!(align.admit(0, "a3"), Some("a3"));
        drop(complete);
        assert_eq!(
            pending.wait(&AtomicUsize::new(0)),
            Ok(vec![("join2".to_string(), Value::from(1))])
        );
    }

    #[test]
    fn a_round_whose_markers_are_dropped_is_interrupted() {
        let (round, pending) = Round::start(3);
        round.record(0, "stream0", None);
        let ended = AtomicUsize::new(1);
        assert_eq!(
            pending.wait(&ended),
            Err(Interrupted {
                recorded: 1,
                nodes: 3
            })
        );
        drop(round);
    }
}
