//! [`SortedMap`]: the small key-sorted map behind [`crate::Tags`] and [`crate::Fields`].
//!
//! Points carry a handful of tags and fields, so sorted slices beat a hash map for both
//! lookup and iteration, and their order is the order Kapacitor shows (series keys, JSON
//! columns). Keys and values are two shared vectors: the points of one series share one
//! key vector (the parser hands out the same keys for every line with the same field
//! keys), so a point pays only for its values, and cloning a point bumps reference
//! counts. A node that changes tags or fields builds new vectors (changes are rare next to
//! reads).

use ecow::EcoVec;

use crate::sorted_keys::SortedKeys;
use crate::Str;

/// Up to how many keys [`SortedMap::get`] scans rather than bisects.
const SCAN_LIMIT: usize = 8;

/// A map from string keys to `V`, sorted by key bytes, shared until written.
///
/// Invariant: `keys` is as long as `values`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortedMap<V: Clone> {
    keys: SortedKeys,
    values: EcoVec<V>,
}

impl<V: Clone> Default for SortedMap<V> {
    fn default() -> Self {
        SortedMap {
            keys: SortedKeys::empty(),
            values: EcoVec::new(),
        }
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
        Self::split(pairs)
    }

    /// The map of pairs known to be strictly sorted.
    fn split(pairs: Vec<(Str, V)>) -> Self {
        let mut keys = EcoVec::with_capacity(pairs.len());
        let mut values = EcoVec::with_capacity(pairs.len());
        for (key, value) in pairs {
            keys.push(key);
            values.push(value);
        }
        SortedMap {
            keys: SortedKeys::counted(keys),
            values,
        }
    }

    /// Builds a map from pairs already sorted by key with no key repeated. Pairs out of
    /// order are sorted, so the result is a valid map either way.
    pub fn from_sorted<I>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (Str, V)>,
        I::IntoIter: ExactSizeIterator,
    {
        let pairs: Vec<(Str, V)> = pairs.into_iter().collect();
        match pairs.windows(2).all(|w| w[0].0 < w[1].0) {
            true => Self::split(pairs),
            false => Self::from_unsorted(pairs),
        }
    }

    /// Builds a map from its two halves: the keys and the values in the same order (the
    /// parser's fast path, whose points share one interned `keys`). Unless both are as
    /// long, the pairs they make are kept and the rest dropped.
    pub fn from_parts(keys: SortedKeys, values: EcoVec<V>) -> Self {
        if keys.len() == values.len() {
            return SortedMap { keys, values };
        }
        let pairs = keys.iter().cloned().zip(values.iter().cloned());
        Self::split(pairs.collect())
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
        self.find(key).map(|i| &self.values[i])
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// Where `key` is. A point has a handful of keys, and comparing lengths first rules
    /// out most of them without reading a byte, so small maps are scanned in order.
    fn find(&self, key: &str) -> Option<usize> {
        if self.keys.len() > SCAN_LIMIT {
            return self.position(key).ok();
        }
        let key = key.as_bytes();
        self.keys.iter().position(|k| {
            let k = k.as_bytes();
            k.len() == key.len() && k.iter().zip(key).all(|(a, b)| a == b)
        })
    }

    /// Sets `key` to `value`, returning the value it replaces. Replacing a value leaves
    /// the keys shared.
    pub fn insert(&mut self, key: Str, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.values.make_mut()[i], value)),
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
        if self.iter().all(|(k, v)| keep(k, v)) {
            return;
        }
        self.rebuild(|pairs| pairs.retain(|(k, v)| keep(k, v)));
    }

    /// Changes the set of entries through a vector of pairs, keeping the order invariant
    /// to the caller.
    fn rebuild(&mut self, change: impl FnOnce(&mut Vec<(Str, V)>)) {
        let mut pairs: Vec<(Str, V)> = self.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        change(&mut pairs);
        *self = Self::split(pairs);
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Str, &V)> {
        self.keys.iter().zip(self.values.iter())
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Str> {
        self.keys.iter()
    }

    /// The values in key order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> {
        self.values.iter()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether both maps share one storage (so they are equal without comparing).
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.shares_keys_with(other) && self.values.as_ptr() == other.values.as_ptr()
    }

    /// Whether both maps share one key list, as the points of one series do.
    pub fn shares_keys_with(&self, other: &Self) -> bool {
        self.keys.same_list(&other.keys)
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.keys.binary_search_by(|k| k.as_str().cmp(key))
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

    fn pairs(map: &SortedMap<i32>) -> Vec<(&str, i32)> {
        map.iter().map(|(k, v)| (k.as_str(), *v)).collect()
    }

    #[test]
    fn last_duplicate_wins() {
        let map: SortedMap<i32> = SortedMap::from_pairs([("b", 1), ("a", 2), ("b", 3)]);
        assert_eq!(pairs(&map), [("a", 2), ("b", 3)]);
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
        assert_eq!(pairs(&repaired), [("a", 2), ("b", 3)]);
    }

    #[test]
    fn parts_share_keys_and_keep_whole_pairs() {
        let keys = SortedKeys::interned(&["a".into(), "b".into()]).expect("sorted");
        let first = SortedMap::from_parts(keys.clone(), [1, 2].into_iter().collect());
        let mut second = SortedMap::from_parts(keys.clone(), [3, 4].into_iter().collect());
        assert!(first.shares_keys_with(&second));
        second.insert("a".into(), 5);
        assert!(
            first.shares_keys_with(&second),
            "a new value keeps the keys"
        );
        assert_eq!(pairs(&second), [("a", 5), ("b", 4)]);
        let short = SortedMap::from_parts(keys, [1].into_iter().collect());
        assert_eq!(pairs(&short), [("a", 1)]);
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
            for probe in ["", "a", "b", "ab", "dd", "e"] {
                prop_assert_eq!(map.get(probe), expected.get(probe));
            }
            prop_assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
        }
    }
}
