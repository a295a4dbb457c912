//! [`Batch`]: the points of one group over a span of time, the message of a batch edge.

use ecow::EcoVec;

use crate::{Dimensions, Fields, GroupId, GroupInfo, Point, Str, Tags, Time};

/// One point inside a batch: its own fields, its full tag set and its time.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchPoint {
    /// The fields, sorted by key.
    pub fields: Fields,
    /// All tags of the point.
    pub tags: Tags,
    /// The point's time.
    pub time: Time,
}

/// A batch: a name, a group, the batch time `tmax` and its points.
///
/// Kapacitor sends batches as begin/points/end; tickflow always sends them whole, which
/// the spec says is interchangeable.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The measurement.
    pub name: Str,
    /// The group id.
    pub group: GroupId,
    /// The group tags (only the dimension tags).
    pub tags: Tags,
    /// The group-by definition.
    pub dimensions: Dimensions,
    /// The batch time; its meaning depends on the producer (a window's emission time).
    pub tmax: Time,
    /// The points, normally in time order but not guaranteed to be. Shared by every clone
    /// of the batch (fanning a batch out to several children copies no point) and
    /// copied on the first write to a shared one.
    pub points: EcoVec<BatchPoint>,
}

impl Batch {
    /// An empty batch for the group of `info`.
    pub fn new(name: Str, info: GroupInfo, tmax: Time) -> Self {
        Batch {
            name,
            group: info.id,
            tags: info.tags,
            dimensions: info.dimensions,
            tmax,
            points: EcoVec::new(),
        }
    }

    /// The batch's group info.
    pub fn group_info(&self) -> GroupInfo {
        GroupInfo {
            id: self.group.clone(),
            tags: self.tags.clone(),
            dimensions: self.dimensions.clone(),
        }
    }

    /// The batch's points as stream points carrying the batch's name and group.
    pub fn to_points(&self) -> impl Iterator<Item = Point> + '_ {
        self.points.iter().map(|bp| {
            let mut point = Point::new(self.name.clone(), bp.time);
            point.tags = bp.tags.clone();
            point.fields = bp.fields.clone();
            point.dimensions = self.dimensions.clone();
            point.group = self.group.clone();
            point
        })
    }
}

impl BatchPoint {
    /// The point's fields, tags and time, taken out of it (its maps are left empty): a
    /// node that keeps only these spares moving the whole point.
    pub fn take_from(point: &mut Point) -> Self {
        BatchPoint {
            fields: std::mem::take(&mut point.fields),
            tags: std::mem::take(&mut point.tags),
            time: point.time,
        }
    }
}

impl From<&Point> for BatchPoint {
    fn from(point: &Point) -> Self {
        BatchPoint {
            fields: point.fields.clone(),
            tags: point.tags.clone(),
            time: point.time,
        }
    }
}
