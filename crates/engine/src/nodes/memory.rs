//! Estimates of the bytes a node's state holds, for [`crate::Node::memory`].
//!
//! The figures are estimates from the sizes of the types involved, not allocator
//! measurements: a buffered point costs its own struct and its field values (the tag set
//! is shared with the point it came from and the other points of its group, so it is not
//! counted again), a group costs its table entry and id. They are cheap to compute so the
//! executors can ask after every chunk; `docs/BENCHMARKS.md` compares them with what the
//! allocator reports.

use std::mem::size_of;

use tickflow_model::{BatchPoint, FieldValue, GroupId};

/// The header of a shared (`EcoVec`) allocation: its reference count and capacity.
const SHARED_HEADER: usize = 16;

/// What one group costs a group table beyond its state: the hash table slot with its key,
/// the control byte, and the group id's text.
pub(crate) const GROUP_ENTRY: usize = size_of::<GroupId>() + 1 + 48;

/// The bytes one buffered point holds: its struct and its field values.
pub(crate) fn batch_point(point: &BatchPoint) -> usize {
    size_of::<BatchPoint>() + fields(point.fields.len())
}

/// The bytes of a field map's values for `count` fields.
pub(crate) fn fields(count: usize) -> usize {
    if count == 0 {
        0
    } else {
        SHARED_HEADER + count * size_of::<FieldValue>()
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Fields, Time};

    use super::*;

    #[test]
    fn a_point_costs_more_with_more_fields() {
        let mut point = BatchPoint {
            fields: Fields::default(),
            tags: Default::default(),
            time: Time::from_nanos(0),
        };
        let bare = batch_point(&point);
        point.fields = Fields::from_pairs([("value", FieldValue::Float(1.0))]);
        let one = batch_point(&point);
        assert_eq!(one - bare, SHARED_HEADER + size_of::<FieldValue>());
    }
}
