//! [`Journal`]: what a UDF node sent its agent since the agent's last snapshot, and how
//! many outputs it handed downstream since, so that a restarted agent is brought back to
//! exactly where the dead one was.
//!
//! After a restart the agent restores the last snapshot, the journal's requests are sent
//! again, and the first [`Journal::emitted`] outputs the agent produces are dropped: they
//! are the outputs the dead agent had already produced for those requests. The guarantee
//! holds for agents that are deterministic (the same snapshot and the same requests give
//! the same outputs in the same order) and that answer in order (the outputs of the
//! requests before a snapshot request come before the snapshot response), which every
//! shipped agent does. The journal is bounded ([`JOURNAL_LIMIT`] bytes of requests by
//! default): when it is full the agent is asked for a snapshot, which empties it; an
//! agent that gives no snapshots past the bound loses replay (one warning), and a restart
//! then starts it from its last snapshot as Kapacitor would.

use tickflow_model::Message;

use crate::framing::encode_frame;
use crate::proto::Request;

/// The default bound of a journal: the encoded requests since the last snapshot.
pub const JOURNAL_LIMIT: usize = 64 << 20;

/// The requests sent since the last snapshot and the outputs handed out since.
#[derive(Debug)]
pub(crate) struct Journal {
    /// The framed data requests since the last snapshot (empty when given up).
    frames: Vec<u8>,
    /// Frames written while not journaling.
    scratch: Vec<u8>,
    /// Outputs handed downstream since the last snapshot.
    emitted: u64,
    /// Outputs still to drop: the replayed requests' outputs already handed out.
    suppress: u64,
    /// The bound of `frames`.
    limit: usize,
    /// The requests since the last snapshot exceeded the bound and were dropped.
    given_up: bool,
}

impl Journal {
    /// An empty journal of at most `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Journal {
            frames: Vec::new(),
            scratch: Vec::new(),
            emitted: 0,
            suppress: 0,
            limit,
            given_up: false,
        }
    }

    /// Changes the bound; takes effect at the next request.
    pub(crate) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Encodes `requests` (recording them unless replay was given up) and returns the
    /// bytes to write.
    pub(crate) fn append(&mut self, requests: &[Request]) -> &[u8] {
        let buffer = if self.given_up {
            self.scratch.clear();
            &mut self.scratch
        } else {
            &mut self.frames
        };
        let start = buffer.len();
        for request in requests {
            encode_frame(request, buffer);
        }
        &buffer[start..]
    }

    /// Whether the recorded requests reached the bound.
    pub(crate) fn full(&self) -> bool {
        !self.given_up && self.frames.len() >= self.limit
    }

    /// Drops the recorded requests and records none until the next snapshot; `true`
    /// the first time.
    pub(crate) fn give_up(&mut self) -> bool {
        self.frames = Vec::new();
        !std::mem::replace(&mut self.given_up, true)
    }

    /// The agent gave a snapshot covering every request sent so far.
    pub(crate) fn snapshot_taken(&mut self) {
        self.frames.clear();
        self.emitted = 0;
        self.suppress = 0;
        self.given_up = false;
    }

    /// The bytes the journal holds.
    pub(crate) fn len(&self) -> usize {
        self.frames.len()
    }

    /// The requests to send again to an agent restored from the last snapshot, or `None`
    /// when replay was given up. From now on the outputs already handed out for them are
    /// dropped.
    pub(crate) fn replay(&mut self) -> Option<&[u8]> {
        if self.given_up {
            self.suppress = 0;
            return None;
        }
        self.suppress = self.emitted;
        Some(&self.frames)
    }

    /// Accounts for the outputs `pending[from..]` just assembled: drops those a replay
    /// produced again, counts the others as handed out.
    pub(crate) fn admit(&mut self, pending: &mut Vec<Message>, from: usize) {
        let new = pending.len().saturating_sub(from);
        let drop = usize::try_from(self.suppress)
            .unwrap_or(usize::MAX)
            .min(new);
        pending.drain(from..from + drop);
        self.suppress -= drop as u64;
        self.emitted += (new - drop) as u64;
    }

    /// The recorded requests (`None` when given up) and the outputs handed out since the
    /// last snapshot, for the task's state.
    pub(crate) fn state(&self) -> (Option<&[u8]>, u64) {
        if self.given_up {
            (None, 0)
        } else {
            (Some(&self.frames), self.emitted)
        }
    }

    /// Takes over the requests and output count of a saved [`Journal::state`].
    pub(crate) fn restore(&mut self, frames: Vec<u8>, emitted: u64) {
        self.frames = frames;
        self.emitted = emitted;
        self.suppress = 0;
        self.given_up = false;
    }

    /// Forgets the outputs handed out since the last snapshot when no request is
    /// recorded: nothing will be replayed, so nothing is to be dropped.
    pub(crate) fn settle(&mut self) {
        if !self.given_up && self.frames.is_empty() {
            self.emitted = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Point, Time};

    use super::*;
    use crate::convert::wrap;
    use crate::proto::{request, KeepaliveRequest};

    fn request(time: i64) -> Request {
        wrap(request::Message::Keepalive(KeepaliveRequest { time }))
    }

    fn outputs(n: i64) -> Vec<Message> {
        (0..n)
            .map(|i| Message::Point(Point::new("out", Time::from_nanos(i))))
            .collect()
    }

    fn times(messages: &[Message]) -> Vec<i64> {
        messages
            .iter()
            .filter_map(|m| match m {
                Message::Point(p) => Some(p.time.nanos()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_replay_sends_the_requests_since_the_snapshot_and_drops_outputs_already_out() {
        let mut journal = Journal::new(JOURNAL_LIMIT);
        let first = journal.append(&[request(1)]).to_vec();
        journal.snapshot_taken();
        let second = journal.append(&[request(2), request(3)]).to_vec();
        journal.admit(&mut outputs(2), 0);
        assert_eq!(journal.replay(), Some(&second[..]));
        assert_ne!(first, second);
        let mut again = outputs(1);
        again.extend(outputs(3));
        journal.admit(&mut again, 1);
        assert_eq!(
            times(&again),
            [0, 2],
            "the replay's first two were handed out before"
        );
        assert_eq!(journal.state().1, 3);
    }

    #[test]
    fn a_full_journal_gives_up_once_and_a_snapshot_starts_it_again() {
        let mut journal = Journal::new(10);
        assert!(!journal.full());
        let written = journal.append(&[request(1_000_000), request(2)]).len();
        assert!(written > 10 && journal.full());
        assert!(journal.give_up());
        assert!(!journal.give_up(), "only the first time counts");
        assert_eq!(journal.append(&[request(3)]).len(), 5);
        assert!(!journal.full());
        assert_eq!(journal.replay(), None);
        assert_eq!(journal.state(), (None, 0));
        journal.snapshot_taken();
        assert_eq!(journal.append(&[request(4)]).len(), 5);
        assert_eq!(journal.state().0.map(<[u8]>::len), Some(5));
    }

    #[test]
    fn a_restored_state_replays_and_settles() {
        let mut journal = Journal::new(JOURNAL_LIMIT);
        journal.restore(vec![1, 2, 3], 2);
        assert_eq!(journal.replay(), Some(&[1u8, 2, 3][..]));
        let mut out = outputs(1);
        journal.admit(&mut out, 0);
        assert!(out.is_empty());
        journal.settle();
        assert_eq!(
            journal.state().1,
            2,
            "requests are recorded, the count stays"
        );
        journal.snapshot_taken();
        journal.admit(&mut outputs(2), 0);
        journal.settle();
        assert_eq!(journal.state(), (Some(&[][..]), 0));
    }
}
