//! [`SortedKeys`]: the strictly sorted keys of a [`crate::SortedMap`].
//!
//! The points of one series have the same field keys (and tag keys), so a parser hands
//! every point of a series one key list. If that list were reference counted, the parser
//! thread raising the count and the node threads lowering it would fight over one cache
//! line on every point. Instead a parser interns its key lists for the life of the
//! process ([`SortedKeys::interned`]): copying an interned list copies two words and
//! touches nothing shared. The process keeps at most [`MAX_INTERNED_LISTS`] lists holding
//! [`MAX_INTERNED_KEYS`] keys in all; past that, lists are reference counted like any other
//! (correct, only slower), so odd input cannot make the table grow without bound.

use std::collections::HashSet;
use std::ops::Deref;
use std::sync::{Mutex, PoisonError};

use ecow::EcoVec;

use crate::Str;

/// How many distinct key lists the process interns at most.
pub const MAX_INTERNED_LISTS: usize = 16_384;

/// How many keys all interned lists hold at most.
pub const MAX_INTERNED_KEYS: usize = 262_144;

/// Keys in strictly increasing byte order, shared: interned for the process, or
/// reference counted.
#[derive(Debug, Clone)]
pub struct SortedKeys(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Interned(&'static [Str]),
    Counted(EcoVec<Str>),
}

/// The interned lists and how many keys they hold.
#[derive(Default)]
struct Table {
    lists: HashSet<&'static [Str]>,
    keys: usize,
}

static TABLE: Mutex<Option<Table>> = Mutex::new(None);

/// Whether `keys` is strictly increasing: sorted, no key twice.
fn strictly_sorted(keys: &[Str]) -> bool {
    keys.windows(2).all(|w| w[0] < w[1])
}

impl SortedKeys {
    /// No keys.
    pub fn empty() -> Self {
        SortedKeys(Repr::Interned(&[]))
    }

    /// `keys` interned for the process (or counted once the table is full); `None` unless
    /// they are strictly increasing. Meant for the few key lists a parser sees again and
    /// again, not for every map a node builds.
    pub fn interned(keys: &[Str]) -> Option<Self> {
        if !strictly_sorted(keys) {
            return None;
        }
        let mut guard = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
        let table = guard.get_or_insert_with(Table::default);
        if let Some(&list) = table.lists.get(keys) {
            return Some(SortedKeys(Repr::Interned(list)));
        }
        if table.lists.len() >= MAX_INTERNED_LISTS || table.keys + keys.len() > MAX_INTERNED_KEYS {
            return Some(SortedKeys::counted(keys.iter().cloned().collect()));
        }
        let list: &'static [Str] = Box::leak(keys.into());
        table.lists.insert(list);
        table.keys += list.len();
        Some(SortedKeys(Repr::Interned(list)))
    }

    /// Keys the caller has checked to be strictly increasing, reference counted.
    pub(crate) fn counted(keys: EcoVec<Str>) -> Self {
        debug_assert!(strictly_sorted(&keys));
        SortedKeys(Repr::Counted(keys))
    }

    /// Whether both are one list in memory.
    pub fn same_list(&self, other: &Self) -> bool {
        std::ptr::eq(self.as_ptr(), other.as_ptr()) && self.len() == other.len()
    }
}

impl Default for SortedKeys {
    fn default() -> Self {
        SortedKeys::empty()
    }
}

impl Deref for SortedKeys {
    type Target = [Str];

    fn deref(&self) -> &[Str] {
        match &self.0 {
            Repr::Interned(list) => list,
            Repr::Counted(list) => list,
        }
    }
}

impl PartialEq for SortedKeys {
    fn eq(&self, other: &Self) -> bool {
        self.same_list(other) || **self == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<Str> {
        names.iter().map(|&n| Str::from(n)).collect()
    }

    #[test]
    fn interning_gives_one_list_per_key_set() {
        let first = SortedKeys::interned(&keys(&["interned-a", "interned-b"])).expect("sorted");
        let second = SortedKeys::interned(&keys(&["interned-a", "interned-b"])).expect("sorted");
        assert!(first.same_list(&second));
        assert!(matches!(first.0, Repr::Interned(_)));
        let other = SortedKeys::interned(&keys(&["interned-a"])).expect("sorted");
        assert!(!first.same_list(&other));
        assert_eq!(&*other, &keys(&["interned-a"])[..]);
    }

    #[test]
    fn only_strictly_sorted_keys_are_taken() {
        assert!(SortedKeys::interned(&keys(&["b", "a"])).is_none());
        assert!(SortedKeys::interned(&keys(&["a", "a"])).is_none());
        assert!(SortedKeys::interned(&[]).is_some_and(|k| k.is_empty()));
    }
}
