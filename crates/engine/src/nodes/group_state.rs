//! [`Groups`]: a node's state per group, made on a group's first message, that keeps
//! each group's name and info so the state can be saved and restored.
//!
//! The snapshot is `[{"group": …, "state": …}]` ordered by group id, the group as
//! [`state::group_json`] writes it and the state as the node encodes it.

use serde_json::{json, Value};
use tickflow_model::{Batch, GroupId, GroupInfo, Point, Str};

use crate::nodes::group_map::{self, GroupMap};
use crate::nodes::memory;
use crate::state::{self, StateError};

/// One group's state with its identity.
struct Entry<S> {
    name: Str,
    info: GroupInfo,
    state: S,
}

/// The state of every group a node has seen.
pub(crate) struct Groups<S> {
    map: GroupMap<Entry<S>>,
}

impl<S> Default for Groups<S> {
    fn default() -> Self {
        Groups {
            map: GroupMap::default(),
        }
    }
}

impl<S> Groups<S> {
    /// The state of `point`'s group, made with `init` on its first use.
    pub(crate) fn of_point(&mut self, point: &Point, init: impl FnOnce() -> S) -> &mut S {
        self.of_group(&point.name, &point.group, || point.group_info(), init)
    }

    /// The state of `batch`'s group, made with `init` on its first use.
    pub(crate) fn of_batch(&mut self, batch: &Batch, init: impl FnOnce() -> S) -> &mut S {
        self.of_group(&batch.name, &batch.group, || batch.group_info(), init)
    }

    /// The state of group `id` named `name`, made with `init` on its first use (`info`
    /// gives the group's info then).
    pub(crate) fn of_group(
        &mut self,
        name: &Str,
        id: &GroupId,
        info: impl FnOnce() -> GroupInfo,
        init: impl FnOnce() -> S,
    ) -> &mut S {
        &mut self
            .map
            .entry(id.clone())
            .or_insert_with(|| Entry {
                name: name.clone(),
                info: info(),
                state: init(),
            })
            .state
    }

    /// The state of group `id`, if it has one.
    pub(crate) fn get_mut(&mut self, id: &GroupId) -> Option<&mut S> {
        self.map.get_mut(id).map(|e| &mut e.state)
    }

    /// Every group's state, ordered by group id.
    pub(crate) fn states_mut(&mut self) -> Vec<&mut S> {
        let mut entries: Vec<_> = self.map.iter_mut().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries.into_iter().map(|(_, e)| &mut e.state).collect()
    }

    /// The states, in no particular order.
    pub(crate) fn states(&self) -> impl Iterator<Item = &S> {
        self.map.values().map(|e| &e.state)
    }

    /// The estimated bytes of the table: each group's entry with its state's own struct
    /// (what the state holds on the heap is the node's to add).
    pub(crate) fn memory(&self) -> usize {
        self.map.len() * (memory::GROUP_ENTRY + std::mem::size_of::<Entry<S>>())
    }

    /// Forgets group `id`.
    pub(crate) fn remove(&mut self, id: &GroupId) {
        self.map.remove(id);
    }

    /// Every group's state as JSON, `encode` writing one state.
    pub(crate) fn to_json(&self, encode: impl Fn(&S) -> Value) -> Value {
        group_map::ordered_json(&self.map, |e| {
            json!({
                "group": state::group_json(&e.name, &e.info),
                "state": encode(&e.state),
            })
        })
    }

    /// Groups from [`Groups::to_json`], `decode` reading one state.
    pub(crate) fn from_json(
        value: &Value,
        decode: impl Fn(&Value) -> Result<S, StateError>,
    ) -> Result<Self, StateError> {
        let entries = value
            .as_array()
            .ok_or_else(|| StateError::new("groups are not an array"))?;
        let map = entries
            .iter()
            .map(|entry| {
                let (name, info) = state::group_from(state::member(entry, "group")?)?;
                let state = decode(state::member(entry, "state")?)?;
                Ok((info.id.clone(), Entry { name, info, state }))
            })
            .collect::<Result<_, StateError>>()?;
        Ok(Groups { map })
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::Dimensions;

    use super::*;
    use crate::nodes::testing::point;

    #[test]
    fn states_round_trip_with_their_groups() {
        let mut groups = Groups::default();
        for host in ["b", "a"] {
            let mut p = point(0, &[("host", host)], &[]);
            p.set_dimensions(Dimensions::by_tags(["host"]));
            *groups.of_point(&p, || 0) += host.len() as i64 + 1;
        }
        let saved = groups.to_json(|n| json!(n));
        assert_eq!(saved[0]["group"]["tags"]["host"], "a");
        let back = Groups::from_json(&saved, |v| {
            v.as_i64().ok_or_else(|| StateError::new("not a number"))
        })
        .expect("decodes");
        assert_eq!(back.to_json(|n| json!(n)), saved);
        assert!(Groups::<i64>::from_json(&json!({}), |_| Ok(0)).is_err());
    }
}
