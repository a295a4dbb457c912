//! [`Groups`]: a native UDF's state, one per group, as every other node keeps it. A
//! group's state is made on its first message and dropped when the group is deleted
//! (`NativeUdf::delete_group`, on a barrier's `DeleteGroup`).
//!
//! The snapshot is `{"groups": {id: state}}` with the ids in sorted order, each state as
//! the UDF encodes it.

use std::collections::{BTreeMap, HashMap};

use tickflow_model::GroupId;

use super::UdfError;

/// Per-group state of a native UDF, keyed by group id.
#[derive(Debug, Clone)]
pub struct Groups<S> {
    /// Each group's place in `states`.
    index: HashMap<String, usize>,
    /// The states, with their group ids.
    states: Vec<(String, S)>,
}

impl<S> Default for Groups<S> {
    fn default() -> Self {
        Groups {
            index: HashMap::new(),
            states: Vec::new(),
        }
    }
}

impl<S> Groups<S> {
    /// The state of `group`, made with `init` on its first use.
    pub fn of(&mut self, group: &GroupId, init: impl FnOnce() -> S) -> &mut S {
        let at = match self.index.get(group.as_str()) {
            Some(&at) => at,
            None => self.insert(group.as_str().to_string(), init()),
        };
        &mut self.states[at].1
    }

    /// Adds a group's state; returns its place.
    fn insert(&mut self, id: String, state: S) -> usize {
        let at = self.states.len();
        self.index.insert(id.clone(), at);
        self.states.push((id, state));
        at
    }

    /// Forgets `group`'s state.
    pub fn delete(&mut self, group: &GroupId) {
        let Some(at) = self.index.remove(group.as_str()) else {
            return;
        };
        self.states.swap_remove(at);
        if let Some((moved, _)) = self.states.get(at) {
            self.index.insert(moved.clone(), at);
        }
    }

    /// How many groups hold state.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// The estimated bytes of every group's entry and state, `heap` giving what a state
    /// holds beyond its own struct (a walk over the groups, not their values).
    pub fn memory(&self, heap: impl Fn(&S) -> usize) -> usize {
        let entry = 2 * std::mem::size_of::<(String, usize)>() + std::mem::size_of::<S>();
        self.states
            .iter()
            .map(|(id, state)| entry + 2 * id.len() + heap(state))
            .sum()
    }

    /// Whether no group holds state.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// `{"groups": {id: encode(state)}}`, ids sorted.
    pub fn snapshot(
        &self,
        encode: impl Fn(&S) -> Result<serde_json::Value, UdfError>,
    ) -> Result<serde_json::Value, UdfError> {
        let sorted: BTreeMap<&String, &S> = self.states.iter().map(|(id, s)| (id, s)).collect();
        let mut groups = serde_json::Map::new();
        for (id, state) in sorted {
            groups.insert(id.clone(), encode(state)?);
        }
        Ok(serde_json::json!({ "groups": groups }))
    }

    /// The groups of a [`Groups::snapshot`], each state read back by `decode`; `udf`
    /// names the UDF in errors.
    pub fn restore(
        udf: &str,
        state: &serde_json::Value,
        decode: impl Fn(&serde_json::Value) -> Result<S, UdfError>,
    ) -> Result<Self, UdfError> {
        let groups = state
            .get("groups")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| UdfError::new(format!("{udf} snapshot has no groups: {state}")))?;
        let mut restored = Groups::default();
        for (id, state) in groups {
            restored.insert(id.clone(), decode(state)?);
        }
        Ok(restored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{Dimensions, Tags};

    fn group(printer: &str) -> GroupId {
        GroupId::new(
            "t",
            &Tags::from_pairs([("printer", printer)]),
            &Dimensions::by_tags(["printer"]),
        )
    }

    #[test]
    fn memory_counts_each_group_and_its_heap() {
        let mut groups: Groups<Vec<f64>> = Groups::default();
        let heap = |v: &Vec<f64>| v.capacity() * 8;
        assert_eq!(groups.memory(heap), 0);
        groups.of(&group("p1"), || vec![0.0; 100]);
        let one = groups.memory(heap);
        assert!(one > 800, "{one}");
        groups.of(&group("p2"), || vec![0.0; 100]);
        assert_eq!(groups.memory(heap), 2 * one);
        groups.delete(&group("p1"));
        assert_eq!(groups.memory(heap), one);
    }

    #[test]
    fn states_are_per_group_deleted_and_restored() {
        let mut groups: Groups<f64> = Groups::default();
        *groups.of(&group("p1"), || 1.0) += 1.0;
        *groups.of(&group("p2"), || 10.0) += 1.0;
        *groups.of(&group("p1"), || 100.0) += 1.0;
        let snapshot = groups.snapshot(|s| Ok((*s).into())).expect("snapshot");
        assert_eq!(
            snapshot.to_string(),
            r#"{"groups":{"printer=p1":3.0,"printer=p2":11.0}}"#
        );
        groups.delete(&group("p1"));
        assert_eq!(groups.len(), 1);
        assert_eq!(*groups.of(&group("p1"), || 0.0), 0.0);
        let restored = Groups::restore("x", &snapshot, |v| {
            v.as_f64().ok_or_else(|| UdfError::new("not a number"))
        })
        .expect("restores");
        assert_eq!(
            restored.snapshot(|s| Ok((*s).into())).expect("again"),
            snapshot
        );
    }

    #[test]
    fn a_snapshot_without_groups_is_refused() {
        let err = Groups::<f64>::restore("tTest", &serde_json::json!({"history": {}}), |_| Ok(0.0))
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            r#"tTest snapshot has no groups: {"history":{}}"#
        );
    }
}
