//! [`Point`]: one timestamped row of a measurement, the message of a stream edge.

use crate::{Dimensions, Fields, GroupId, GroupInfo, Str, Tags, Time};

/// A point: measurement name, where it was written, tags, fields and time, plus the
/// group it belongs to under the task's current dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The measurement.
    pub name: Str,
    /// The database it was written to; empty for points made inside a task.
    pub database: Str,
    /// The retention policy it was written to; empty for points made inside a task.
    pub retention_policy: Str,
    /// All tags of the point, sorted by key.
    pub tags: Tags,
    /// The fields, sorted by key.
    pub fields: Fields,
    /// The point's time.
    pub time: Time,
    /// The current group-by definition.
    pub dimensions: Dimensions,
    /// The group id derived from name, tags and dimensions.
    pub group: GroupId,
}

impl Point {
    /// A point with no tags or fields, in the nil group.
    pub fn new(name: impl Into<Str>, time: Time) -> Self {
        let empty = Str::from("");
        Point {
            name: name.into(),
            database: empty.clone(),
            retention_policy: empty,
            tags: Tags::new(),
            fields: Fields::new(),
            time,
            dimensions: Dimensions::default(),
            group: GroupId::nil(),
        }
    }

    /// Sets the dimensions and recomputes the group id.
    pub fn set_dimensions(&mut self, dimensions: Dimensions) {
        self.dimensions = dimensions;
        self.regroup();
    }

    /// Recomputes the group id after the name or tags changed.
    pub fn regroup(&mut self) {
        self.group = GroupId::new(&self.name, &self.tags, &self.dimensions);
    }

    /// The point's group info: id, group tags and dimensions.
    pub fn group_info(&self) -> GroupInfo {
        GroupInfo {
            id: self.group.clone(),
            tags: self.dimensions.group_tags(&self.tags),
            dimensions: self.dimensions.clone(),
        }
    }
}
