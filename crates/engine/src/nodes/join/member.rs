//! What a join set holds: a stream [`Point`] or a whole [`Batch`], one per parent. The
//! join logic is the same for both; [`Member`] is what it needs of either, and
//! [`Member::join`] makes the output of one complete or filled set.
//!
//! A batch set is merged point by point: walking every member's points in order, the
//! earliest rounded time among their next points makes one output point from each
//! member whose next point has that time (the others are missing and filled). The output
//! batch has the first member's group tags on every point and the slot time as `tmax`.

use serde_json::{json, Value};
use tickflow_model::{
    Batch, BatchPoint, Dimensions, Fields, GroupId, GroupInfo, Message, Point, Str, Tags, Time,
};

use super::Output;
use crate::nodes::time_buffer::rounded;
use crate::state::{self, StateError};

/// A message a join collects: a point or a batch.
pub(crate) trait Member: Clone + Sized {
    /// The message as a member, or `None` for another kind (a point on a batch join).
    fn take(message: Message) -> Option<Self>;
    /// Its time: the point's time or the batch's `tmax`.
    fn time(&self) -> Time;
    /// Sets its time (to the rounded time).
    fn set_time(&mut self, time: Time);
    /// The measurement.
    fn name(&self) -> &Str;
    /// The group.
    fn group(&self) -> &GroupId;
    /// The group's info.
    fn group_info(&self) -> GroupInfo;
    /// The group-by definition.
    fn dimensions(&self) -> &Dimensions;
    /// The tags an `.on` key is read from.
    fn tags(&self) -> &Tags;
    /// Moves it into the group of `like` (a match member joining a specific one).
    fn retag(&mut self, like: &Self);
    /// The message a set makes at `time`, if any.
    fn join(output: &Output, set: &[Option<Self>], time: Time) -> Option<Message>;
    /// The member as JSON.
    fn to_json(&self) -> Value;
    /// A member from [`Member::to_json`].
    fn from_json(value: &Value) -> Result<Self, StateError>;
}

impl Member for Point {
    fn take(message: Message) -> Option<Self> {
        match message {
            Message::Point(point) => Some(point),
            _ => None,
        }
    }

    fn time(&self) -> Time {
        self.time
    }

    fn set_time(&mut self, time: Time) {
        self.time = time;
    }

    fn name(&self) -> &Str {
        &self.name
    }

    fn group(&self) -> &GroupId {
        &self.group
    }

    fn group_info(&self) -> GroupInfo {
        Point::group_info(self)
    }

    fn dimensions(&self) -> &Dimensions {
        &self.dimensions
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn retag(&mut self, like: &Self) {
        self.tags = like.dimensions.group_tags(&like.tags);
        self.set_dimensions(like.dimensions.clone());
    }

    /// A point with the members' prefixed fields and the first member's group tags.
    fn join(output: &Output, set: &[Option<Self>], time: Time) -> Option<Message> {
        let first = set.iter().flatten().next()?;
        let members: Vec<Option<&Fields>> =
            set.iter().map(|m| m.as_ref().map(|p| &p.fields)).collect();
        let mut point = Point::new(output.name(&first.name), time);
        point.tags = first.dimensions.group_tags(&first.tags);
        point.fields = output.fields(&members)?;
        point.set_dimensions(first.dimensions.clone());
        Some(Message::Point(point))
    }

    fn to_json(&self) -> Value {
        state::point_json(self)
    }

    fn from_json(value: &Value) -> Result<Self, StateError> {
        state::point_from(value)
    }
}

impl Member for Batch {
    fn take(message: Message) -> Option<Self> {
        match message {
            Message::Batch(batch) => Some(batch),
            _ => None,
        }
    }

    fn time(&self) -> Time {
        self.tmax
    }

    fn set_time(&mut self, time: Time) {
        self.tmax = time;
    }

    fn name(&self) -> &Str {
        &self.name
    }

    fn group(&self) -> &GroupId {
        &self.group
    }

    fn group_info(&self) -> GroupInfo {
        Batch::group_info(self)
    }

    fn dimensions(&self) -> &Dimensions {
        &self.dimensions
    }

    fn tags(&self) -> &Tags {
        &self.tags
    }

    fn retag(&mut self, like: &Self) {
        self.tags = like.tags.clone();
        self.dimensions = like.dimensions.clone();
        self.group = like.group.clone();
    }

    /// A batch of the members' points merged by rounded time; always emitted, empty
    /// when no merged point survives the fill.
    fn join(output: &Output, set: &[Option<Self>], time: Time) -> Option<Message> {
        let first = set.iter().flatten().next()?;
        let mut joined = Batch::new(output.name(&first.name), first.group_info(), time);
        let mut next = vec![0; set.len()];
        let head = |i: usize, next: &[usize]| {
            let point = set[i].as_ref()?.points.get(next[i])?;
            Some(rounded(point.time, output.tolerance))
        };
        while let Some(at) = (0..set.len()).filter_map(|i| head(i, &next)).min() {
            let mut members: Vec<Option<&Fields>> = vec![None; set.len()];
            for (i, member) in members.iter_mut().enumerate() {
                if head(i, &next) == Some(at) {
                    *member = set[i].as_ref().map(|b| &b.points[next[i]].fields);
                    next[i] += 1;
                }
            }
            if let Some(fields) = output.fields(&members) {
                joined.points.push(BatchPoint {
                    fields,
                    tags: first.tags.clone(),
                    time: at,
                });
            }
        }
        Some(Message::Batch(joined))
    }

    fn to_json(&self) -> Value {
        json!({
            "group": state::group_json(&self.name, &self.group_info()),
            "tmax": self.tmax.nanos(),
            "points": self.points.iter().map(state::batch_point_json).collect::<Vec<_>>(),
        })
    }

    fn from_json(value: &Value) -> Result<Self, StateError> {
        let (name, info) = state::group_from(state::member(value, "group")?)?;
        let mut batch = Batch::new(name, info, Time::from_nanos(state::int(value, "tmax")?));
        batch.points = state::array(value, "points")?
            .iter()
            .map(state::batch_point_from)
            .collect::<Result<_, _>>()?;
        Ok(batch)
    }
}
