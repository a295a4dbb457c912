//! [`RetryQueue`]: the writes of an `influxDBOut` node that failed for a reason that may
//! pass (InfluxDB unreachable, a timeout, a 5xx), kept to be sent again with an
//! exponential backoff. The queue is bounded in points (`write-buffer` of the cluster);
//! when a write does not fit, the oldest writes or the new one are dropped
//! (`write-buffer-full`), and every dropped point is reported, never lost silently.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::client::Target;

/// Which writes go when the queue is full (`write-buffer-full`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overflow {
    /// The oldest queued writes make room for the new one.
    #[default]
    DropOldest,
    /// The new write is dropped.
    DropNewest,
}

/// How failed writes are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most points kept for retrying; zero retries nothing.
    pub capacity: usize,
    /// What goes when they do not fit.
    pub overflow: Overflow,
    /// The first wait; it doubles after each failed attempt, up to [`MAX_BACKOFF`].
    pub interval: Duration,
}

/// The longest wait between two attempts.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(60);

impl Default for RetryPolicy {
    /// 10000 points, the oldest dropped first, retried after 1s, 2s, 4s, … 1m.
    fn default() -> Self {
        RetryPolicy {
            capacity: 10_000,
            overflow: Overflow::DropOldest,
            interval: Duration::from_secs(1),
        }
    }
}

/// One write waiting to be sent again.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// Where it goes.
    pub target: Target,
    /// The line-protocol body.
    pub body: Vec<u8>,
    /// How many points it holds.
    pub points: usize,
}

/// Failed writes waiting for their next attempt, in order.
#[derive(Debug)]
pub(crate) struct RetryQueue {
    policy: RetryPolicy,
    queue: VecDeque<Pending>,
    points: usize,
    backoff: Duration,
    next: Option<Instant>,
}

impl RetryQueue {
    /// An empty queue.
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        RetryQueue {
            policy,
            queue: VecDeque::new(),
            points: 0,
            backoff: policy.interval,
            next: None,
        }
    }

    /// Queues a failed write after the others; returns how many points were dropped
    /// to respect the bound (the new write's own, or older ones).
    pub(crate) fn push(&mut self, write: Pending, now: Instant) -> usize {
        if write.points > self.policy.capacity {
            return write.points;
        }
        let mut dropped = 0;
        while self.points + write.points > self.policy.capacity {
            match self.policy.overflow {
                Overflow::DropNewest => return write.points,
                Overflow::DropOldest => {
                    let Some(old) = self.queue.pop_front() else {
                        break;
                    };
                    self.points -= old.points;
                    dropped += old.points;
                }
            }
        }
        self.points += write.points;
        self.queue.push_back(write);
        self.next.get_or_insert(now + self.backoff);
        dropped
    }

    /// When the next attempt is due; `None` when nothing waits.
    pub(crate) fn due(&self) -> Option<Instant> {
        self.next.filter(|_| !self.queue.is_empty())
    }

    /// Takes every queued write for an attempt now.
    pub(crate) fn take(&mut self) -> Vec<Pending> {
        self.points = 0;
        self.next = None;
        self.queue.drain(..).collect()
    }

    /// After an attempt where `failed` could not be sent either: re-queues them at the
    /// front with a doubled backoff; returns the points dropped to respect the bound.
    pub(crate) fn failed(&mut self, failed: Vec<Pending>, now: Instant) -> usize {
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        let mut dropped = 0;
        let queued = std::mem::take(&mut self.queue);
        self.points = 0;
        for write in failed.into_iter().chain(queued) {
            dropped += self.push(write, now);
        }
        self.next = Some(now + self.backoff);
        dropped
    }

    /// After a successful attempt: the backoff starts over.
    pub(crate) fn succeeded(&mut self) {
        self.backoff = self.policy.interval;
    }

    /// Whether nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Empties the queue, returning how many points it held.
    pub(crate) fn clear(&mut self) -> usize {
        self.queue.clear();
        self.next = None;
        std::mem::take(&mut self.points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(points: usize) -> Pending {
        Pending {
            target: Target {
                database: "db".into(),
                retention_policy: String::new(),
                consistency: String::new(),
            },
            body: vec![b'x'; points],
            points,
        }
    }

    fn policy(capacity: usize, overflow: Overflow) -> RetryPolicy {
        RetryPolicy {
            capacity,
            overflow,
            interval: Duration::from_secs(1),
        }
    }

    #[test]
    fn a_full_queue_drops_the_oldest_or_the_newest_and_says_how_many() {
        let now = Instant::now();
        let mut oldest = RetryQueue::new(policy(5, Overflow::DropOldest));
        assert_eq!(oldest.push(write(3), now), 0);
        assert_eq!(oldest.push(write(2), now), 0);
        assert_eq!(oldest.push(write(4), now), 5, "both older writes go");
        assert_eq!(
            oldest.take().iter().map(|w| w.points).collect::<Vec<_>>(),
            [4]
        );
        let mut newest = RetryQueue::new(policy(5, Overflow::DropNewest));
        assert_eq!(newest.push(write(3), now), 0);
        assert_eq!(newest.push(write(3), now), 3);
        assert_eq!(newest.push(write(9), now), 9, "larger than the whole queue");
        assert_eq!(newest.clear(), 3);
    }

    #[test]
    fn the_backoff_doubles_up_to_a_minute_and_starts_over() {
        let now = Instant::now();
        let mut queue = RetryQueue::new(policy(100, Overflow::DropOldest));
        queue.push(write(1), now);
        assert_eq!(queue.due(), Some(now + Duration::from_secs(1)));
        for expected in [2, 4, 8, 16, 32, 60, 60] {
            let failed = queue.take();
            queue.failed(failed, now);
            assert_eq!(queue.due(), Some(now + Duration::from_secs(expected)));
        }
        queue.take();
        queue.succeeded();
        queue.push(write(1), now);
        assert_eq!(queue.due(), Some(now + Duration::from_secs(1)));
        assert!(RetryQueue::new(policy(0, Overflow::DropOldest)).push(write(1), now) == 1);
    }
}
