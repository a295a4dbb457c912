//! [`GroupMap`]: a node's per-group table, keyed by group id and looked up on every
//! message. Hashed with foldhash, several times faster than the standard library's
//! SipHash on short ids and seeded at random per process, so tag values chosen to collide
//! cannot be prepared in advance.

use std::collections::HashMap;

use tickflow_model::GroupId;

/// A table from group id to `V`.
pub type GroupMap<V> = HashMap<GroupId, V, foldhash::fast::RandomState>;
