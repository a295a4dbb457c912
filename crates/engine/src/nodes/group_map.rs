//! [`GroupMap`]: a node's per-group table, keyed by group id and looked up on every
//! message. Hashed with foldhash, several times faster than the standard library's
//! SipHash on short ids and seeded at random per process, so tag values chosen to collide
//! cannot be prepared in advance. [`ordered_json`] writes a table in group id order.

use std::collections::HashMap;

use serde_json::Value;
use tickflow_model::GroupId;

/// A table from group id to `V`.
pub(crate) type GroupMap<V> = HashMap<GroupId, V, foldhash::fast::RandomState>;

/// Every entry of `map` as JSON, ordered by group id (so snapshots are stable),
/// `encode` writing one.
pub(crate) fn ordered_json<V>(map: &GroupMap<V>, encode: impl Fn(&V) -> Value) -> Value {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.into_iter().map(|(_, v)| encode(v)).collect()
}
