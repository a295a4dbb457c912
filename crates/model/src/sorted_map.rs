//! [`SortedMap`]: the small key-sorted map behind [`crate::Tags`] and [`crate::Fields`].
//!
//! Points carry a handful of tags and fields, so a sorted slice beats a hash map for both
//! lookup and iteration, and its order is the order Kapacitor shows (series keys, JSON
//! columns). The slice is one `Arc<[_]>` allocation: cloning a point is a reference-count
//! bump, building one from a parser's scratch buffer costs a single allocation, and a node
//! that changes tags or fields builds a new slice (changes are rare next to reads).

use ecow::EcoVec;

use crate::Str;

/// A map from string keys to `V`, sorted by key bytes, shared until written.
#[derive(Debug, Clone, PartialEq)]
pub struct SortedMap<V: Clone>(EcoVec<(Str, V)>);

impl<V: Clone> Default for SortedMap<V> {
    fn default() -> Self {
        SortedMap(EcoVec::new())
    }
}

impl<V: Clone> SortedMap<V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a map from pairs in any order; when a key repeats, the last pair wins
    /// (line protocol's rule for duplicate field keys).
    pub fn from_unsorted(mut pairs: Vec<(Str, V)>) -> Self {
        if !pairs.windows(2).all(|w| w[0].0 < w[1].0) {
            // A stable sort keeps equal keys in input order, so the last of a run is the
            // last written; keep that one.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut deduped: Vec<(Str, V)> = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match deduped.last_mut() {
                    Some(last) if last.0 == pair.0 => *last = pair,
                    _ => deduped.push(pair),
                }
            }
            pairs = deduped;
        }
        SortedMap(pairs.into_iter().collect())
    }

    /// Builds a map from pairs already sorted by key with no key repeated, in one
    /// allocation (the parser's fast path). Pairs out of order are sorted, so the result is
    /// a valid map either way.
    pub fn from_sorted<I>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (Str, V)>,
        I::IntoIter: ExactSizeIterator,
    {
        let map = SortedMap(pairs.into_iter().collect());
        if map.0.windows(2).all(|w| w[0].0 < w[1].0) {
            map
        } else {
            Self::from_unsorted(map.0.into_iter().collect())
        }
    }

    /// Builds a map from `(key, value)` pairs of anything convertible.
    pub fn from_pairs<K: Into<Str>, W: Into<V>>(pairs: impl IntoIterator<Item = (K, W)>) -> Self {
        Self::from_unsorted(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).ok().map(|i| &self.0[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: Str, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries_mut()[i].1, value)),
            Err(i) => {
                self.rebuild(|pairs| pairs.insert(i, (key, value)));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.position(key).ok()?;
        let mut removed = None;
        self.rebuild(|pairs| removed = Some(pairs.remove(i).1));
        removed
    }

    /// Keeps only the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        if self.0.iter().all(|(k, v)| keep(k, v)) {
            return;
        }
        self.rebuild(|pairs| pairs.retain(|(k, v)| keep(k, v)));
    }

    /// The entries, writable in place (copied first if shared).
    fn entries_mut(&mut self) -> &mut [(Str, V)] {
        self.0.make_mut()
    }

    /// Changes the set of entries through a vector, keeping the order invariant to the
    /// caller.
    fn rebuild(&mut self, change: impl FnOnce(&mut Vec<(Str, V)>)) {
        let mut pairs = self.0.to_vec();
        change(&mut pairs);
        self.0 = pairs.into_iter().collect();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Str, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Str> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The entries as a slice of pairs, in key order.
    pub fn as_slice(&self) -> &[(Str, V)] {
        &self.0
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether both maps share one storage (so they are equal without comparing).
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.0.as_ptr() == other.0.as_ptr()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }
}

impl<V: Clone> FromIterator<(Str, V)> for SortedMap<V> {
    fn from_iter<I: IntoIterator<Item = (Str, V)>>(iter: I) -> Self {
        Self::from_unsorted(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn last_duplicate_wins() {
        let map: SortedMap<i32> = SortedMap::from_pairs([("b", 1), ("a", 2), ("b", 3)]);
        assert_eq!(map.as_slice(), &[("a".into(), 2), ("b".into(), 3)]);
    }

    #[test]
    fn insert_and_remove_keep_order_and_copy_on_write() {
        let original: SortedMap<i32> = SortedMap::from_pairs([("b", 1), ("d", 2)]);
        let mut copy = original.clone();
        assert!(copy.ptr_eq(&original));
        assert_eq!(copy.insert("c".into(), 9), None);
        assert_eq!(copy.insert("b".into(), 5), Some(1));
        assert_eq!(copy.remove("d"), Some(2));
        assert_eq!(copy.keys().map(|k| &**k).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(original.get("b"), Some(&1));
        assert_eq!(original.len(), 2);
    }

    #[test]
    fn from_sorted_accepts_sorted_and_repairs_unsorted() {
        let sorted: SortedMap<i32> = SortedMap::from_sorted(vec![("a".into(), 1), ("b".into(), 2)]);
        assert_eq!(sorted.len(), 2);
        let repaired: SortedMap<i32> =
            SortedMap::from_sorted(vec![("b".into(), 1), ("a".into(), 2), ("b".into(), 3)]);
        assert_eq!(repaired.as_slice(), &[("a".into(), 2), ("b".into(), 3)]);
    }

    #[test]
    fn keys_sort_by_bytes() {
        let map: SortedMap<i32> = SortedMap::from_pairs([("a", 1), ("B", 2), ("_", 3)]);
        assert_eq!(
            map.keys().map(|k| &**k).collect::<Vec<_>>(),
            ["B", "_", "a"]
        );
    }

    proptest! {
        #[test]
        fn behaves_like_a_btree_map(pairs in proptest::collection::vec(("[a-d]{0,2}", 0i32..100), 0..20)) {
            let expected: std::collections::BTreeMap<String, i32> = pairs.iter().cloned().collect();
            let map: SortedMap<i32> = SortedMap::from_pairs(pairs);
            let got: Vec<(String, i32)> = map.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            prop_assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
        }
    }
}
