//! The alert node's part in inhibition (kapacitor-compat.md, nodes §8.7): each `.inhibit(category, tags…)`
//! of the node is an inhibitor its groups turn on while their level is not OK, with the
//! group's values of the tags; an event of the node's own `.category()` is inhibited
//! while any inhibitor of that category matches its tags.
//!
//! Inhibitors live in the server's [`Inhibitors`] table, owned by
//! `<task>/<node>/<group>/<position>`, so a snapshot can name those the node holds
//! ([`NodeInhibitors::held`]) and a restored node hold them again under its own names.

use tickflow_alert::{Held, Inhibitors, Level, Services};
use tickflow_model::{GroupId, Tags};
use tickflow_pipeline::nodes::alert::{AlertNode, Inhibit};

/// The inhibitors one alert node sets and the category it is inhibited by.
pub(crate) struct NodeInhibitors {
    inhibitors: Inhibitors,
    /// What the owners of the node's inhibitors start with: `<task>/<node>/`.
    prefix: String,
    inhibits: Vec<Inhibit>,
    category: String,
}

impl NodeInhibitors {
    /// The inhibitors of node `node` of task `task`, in the server's table.
    pub(crate) fn new(spec: &AlertNode, node: &str, task: &str, services: &Services) -> Self {
        NodeInhibitors {
            inhibitors: services.inhibitors.clone(),
            prefix: format!("{task}/{node}/"),
            inhibits: spec.inhibits.clone(),
            category: spec.category.clone(),
        }
    }

    /// Turns group `group`'s inhibitors on while `level` is not OK, off when it is, with
    /// the group's values of each inhibitor's tags.
    pub(crate) fn update(&self, group: &GroupId, tags: &Tags, level: Level) {
        for (i, inhibit) in self.inhibits.iter().enumerate() {
            let values = inhibit
                .equal_tags
                .iter()
                .map(|k| {
                    let value = tags.get(k).map_or(String::new(), |v| v.to_string());
                    (k.clone(), value)
                })
                .collect();
            let owner = format!("{}{group}/{i}", self.prefix);
            self.inhibitors
                .set(&owner, &inhibit.category, values, level != Level::Ok);
        }
    }

    /// Whether an event with `tags` is inhibited: the node has a category and an active
    /// inhibitor of it matches.
    pub(crate) fn inhibits(&self, tags: &Tags) -> bool {
        !self.category.is_empty() && self.inhibitors.inhibits(&self.category, tags)
    }

    /// The active inhibitors the node holds, owners without the node's prefix.
    pub(crate) fn held(&self) -> Vec<Held> {
        self.inhibitors.held_by(&self.prefix)
    }

    /// Holds `held` again (from [`NodeInhibitors::held`]) under the node's prefix.
    pub(crate) fn hold(&self, held: Vec<Held>) {
        for h in held {
            let owner = format!("{}{}", self.prefix, h.owner);
            self.inhibitors.set(&owner, &h.category, h.tags, true);
        }
    }
}
