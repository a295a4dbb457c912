//! Grouping: [`Dimensions`] (what a task groups by) and the [`GroupId`] derived from them.
//!
//! Most nodes keep separate state per group. A point's group is a pure function of its
//! measurement, its tags and the current dimensions:
//!
//! * no dimension tags: the id is the measurement when grouping by name, else `""` (the
//!   nil group);
//! * otherwise `[name "\n"] k1=v1,k2=v2,...` over the sorted dimension names, a missing
//!   tag counting as the empty value.

use ecow::EcoVec;
use std::fmt;

use crate::{Str, Tags};

/// The current group-by definition: sorted tag names and whether the measurement name
/// is part of the group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Dimensions {
    tag_names: EcoVec<Str>,
    /// Whether the measurement name is part of the group id.
    pub by_name: bool,
}

impl Dimensions {
    /// Grouping by the given tag names (sorted and deduplicated here), not by name.
    pub fn by_tags<S: Into<Str>>(names: impl IntoIterator<Item = S>) -> Self {
        let mut names: Vec<Str> = names.into_iter().map(Into::into).collect();
        names.sort();
        names.dedup();
        Dimensions {
            tag_names: names.into_iter().collect(),
            by_name: false,
        }
    }

    /// The same tag names, with `by_name` set as given.
    pub fn with_by_name(mut self, by_name: bool) -> Self {
        self.by_name = by_name;
        self
    }

    /// The sorted dimension tag names.
    pub fn tag_names(&self) -> &[Str] {
        &self.tag_names
    }

    /// Whether there is nothing to group by (every point is in one group).
    pub fn is_empty(&self) -> bool {
        self.tag_names.is_empty() && !self.by_name
    }

    /// The group tags of a point: its tags restricted to the dimension names, a missing
    /// one present with the empty value.
    pub fn group_tags(&self, tags: &Tags) -> Tags {
        let empty: Str = Str::from("");
        self.tag_names
            .iter()
            .map(|name| {
                (
                    name.clone(),
                    tags.get(name).cloned().unwrap_or_else(|| empty.clone()),
                )
            })
            .collect()
    }
}

/// The identity of a group: equal ids share node state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct GroupId(Str);

impl GroupId {
    /// The nil group (no dimensions), whose id is the empty string.
    pub fn nil() -> Self {
        GroupId(Str::from(""))
    }

    /// The id of the group a point with `name` and `tags` belongs to under `dimensions`.
    pub fn new(name: &str, tags: &Tags, dimensions: &Dimensions) -> Self {
        if dimensions.tag_names.is_empty() {
            return if dimensions.by_name {
                GroupId(name.into())
            } else {
                Self::nil()
            };
        }
        // Built in place: an id of up to 15 bytes (`printer=p1`) stays inline, with no
        // allocation at all.
        let mut id = Str::new();
        if dimensions.by_name {
            id.push_str(name);
            id.push('\n');
        }
        for (i, tag) in dimensions.tag_names.iter().enumerate() {
            if i > 0 {
                id.push(',');
            }
            id.push_str(tag);
            id.push('=');
            id.push_str(tags.get(tag).map_or("", |v| v.as_str()));
        }
        GroupId(id)
    }

    /// The id as a string; `""` for the nil group.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the nil group.
    pub fn is_nil(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for GroupId {
    /// Renders as alert templates show `{{.Group}}`: the nil group is `nil`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_nil() {
            f.write_str("nil")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// What a message says about its group: the id, the group tags and the dimensions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupInfo {
    /// The group id.
    pub id: GroupId,
    /// The tags restricted to the dimension names.
    pub tags: Tags,
    /// The dimensions the id was formed from.
    pub dimensions: Dimensions,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Tags {
        Tags::from_pairs([("service", "x"), ("host", "a"), ("dc", "eu")])
    }

    #[test]
    fn nil_group_without_dimensions() {
        let id = GroupId::new("cpu", &tags(), &Dimensions::default());
        assert!(id.is_nil());
        assert_eq!(id.to_string(), "nil");
    }

    #[test]
    fn by_name_alone_is_the_measurement() {
        let dims = Dimensions::default().with_by_name(true);
        assert_eq!(GroupId::new("cpu", &tags(), &dims).as_str(), "cpu");
    }

    #[test]
    fn dimensions_are_sorted_and_joined() {
        let dims = Dimensions::by_tags(["service", "host"]);
        assert_eq!(
            GroupId::new("cpu", &tags(), &dims).as_str(),
            "host=a,service=x"
        );
        let dims = dims.with_by_name(true);
        assert_eq!(
            GroupId::new("cpu", &tags(), &dims).as_str(),
            "cpu\nhost=a,service=x"
        );
    }

    #[test]
    fn missing_dimension_tag_counts_as_empty() {
        let dims = Dimensions::by_tags(["host", "rack"]);
        assert_eq!(GroupId::new("cpu", &tags(), &dims).as_str(), "host=a,rack=");
        let group_tags = dims.group_tags(&tags());
        assert_eq!(group_tags.get("rack").map(|v| &**v), Some(""));
        assert_eq!(group_tags.len(), 2);
    }
}
