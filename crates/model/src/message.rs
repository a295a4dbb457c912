//! [`Message`]: what travels on an edge between two nodes.

use crate::{Batch, GroupInfo, Point, Time};

/// One message on an edge.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A single point (stream edges).
    Point(Point),
    /// A whole batch (batch edges).
    Batch(Batch),
    /// No data older than `time` will arrive for `group`.
    Barrier {
        /// The group the promise is about.
        group: GroupInfo,
        /// The time up to which the group is complete.
        time: Time,
    },
    /// Downstream nodes drop their state for this group.
    DeleteGroup(GroupInfo),
}
