//! [`Inhibitors`]: the `.inhibit(category, tags…)` / `.category()` pair (kapacitor-compat.md, nodes §8.7),
//! shared by every alert node of a server.
//!
//! Each alert group of a node with `.inhibit(category, tags…)` owns one inhibitor per
//! `.inhibit()` call, holding the group's values of the listed tags; it is active while
//! the group's level is not OK. An event of an alert with `.category(category)` whose
//! tags have those values is inhibited: not sent to handlers, though the data still
//! flows downstream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tickflow_model::Tags;

/// An active inhibitor.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inhibitor {
    category: String,
    /// Tag names and the values an event must have to be inhibited.
    tags: Vec<(String, String)>,
}

/// An active inhibitor as [`Inhibitors::held_by`] lists it, to be set again after a
/// restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The owner, without the prefix asked for.
    pub owner: String,
    /// The category it inhibits.
    pub category: String,
    /// Tag names and the values an event must have to be inhibited.
    pub tags: Vec<(String, String)>,
}

/// The active inhibitors of a server; cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct Inhibitors {
    active: Arc<Mutex<HashMap<String, Inhibitor>>>,
}

impl Inhibitors {
    /// Turns `owner`'s inhibitor of `category` on (with the tag values events must have)
    /// or off. `owner` identifies one `.inhibit()` of one group of one node.
    pub fn set(&self, owner: &str, category: &str, tags: Vec<(String, String)>, active: bool) {
        let mut map = self.lock();
        if active {
            let inhibitor = Inhibitor {
                category: category.to_owned(),
                tags,
            };
            map.insert(owner.to_owned(), inhibitor);
        } else {
            map.remove(owner);
        }
    }

    /// Whether an event of category `category` with `tags` is inhibited.
    pub fn inhibits(&self, category: &str, tags: &Tags) -> bool {
        self.lock().values().any(|inhibitor| {
            inhibitor.category == category
                && inhibitor
                    .tags
                    .iter()
                    .all(|(k, v)| tags.get(k).is_some_and(|t| **t == **v))
        })
    }

    /// The active inhibitors whose owner starts with `prefix` (one node's), by owner.
    pub fn held_by(&self, prefix: &str) -> Vec<Held> {
        let mut held: Vec<Held> = self
            .lock()
            .iter()
            .filter_map(|(owner, inhibitor)| {
                Some(Held {
                    owner: owner.strip_prefix(prefix)?.to_owned(),
                    category: inhibitor.category.clone(),
                    tags: inhibitor.tags.clone(),
                })
            })
            .collect();
        held.sort_by(|a, b| a.owner.cmp(&b.owner));
        held
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Inhibitor>> {
        self.active
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_active_inhibitor_matches_its_category_and_tag_values() {
        let inhibitors = Inhibitors::default();
        let tags = |host: &str| Tags::from_pairs([("host", host), ("cpu", "0")]);
        let host_a = vec![("host".to_string(), "a".to_string())];
        inhibitors.set("t/alert2/host=a/0", "system", host_a.clone(), true);
        assert!(inhibitors.inhibits("system", &tags("a")));
        assert!(!inhibitors.inhibits("system", &tags("b")));
        assert!(!inhibitors.inhibits("other", &tags("a")));
        let shared = inhibitors.clone();
        inhibitors.set("u/alert2/host=a/0", "network", host_a.clone(), true);
        let held = Held {
            owner: "host=a/0".into(),
            category: "system".into(),
            tags: host_a.clone(),
        };
        assert_eq!(inhibitors.held_by("t/alert2/"), [held]);
        shared.set("t/alert2/host=a/0", "system", host_a, false);
        assert_eq!(inhibitors.held_by("t/alert2/"), []);
        assert!(!inhibitors.inhibits("system", &tags("a")));
    }
}
