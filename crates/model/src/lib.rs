//! tickflow's data model: what flows through a task.
//!
//! The main types are [`Point`] (one timestamped row of a measurement, the message of a
//! stream edge), [`Batch`] (the points of one group over a time span, the message of a
//! batch edge), [`GroupId`] with the [`Dimensions`] it is derived from, and [`Message`],
//! the enum that node threads send each other. Times are [`Time`] (nanoseconds since the
//! Unix epoch, UTC) and spans of time are [`Duration`] (signed nanoseconds).
//!
//! Everything here is cheap to clone: strings are shared ([`Str`]), and [`Tags`] and
//! [`Fields`] share their storage until one copy is changed. This crate does no I/O.
//!
//! ```
//! use tickflow_model::{Dimensions, FieldValue, Point, Tags, Time};
//!
//! let mut point = Point::new("temperatures", Time::from_nanos(1_451_606_400_000_000_000));
//! point.tags = Tags::from_pairs([("printer", "p1"), ("site", "lab")]);
//! point.fields.insert("hotend".into(), FieldValue::Float(220.4));
//! point.set_dimensions(Dimensions::by_tags(["printer"]));
//! assert_eq!(point.group.as_str(), "printer=p1");
//! assert_eq!(point.time.to_rfc3339(), "2016-01-01T00:00:00Z");
//! ```

mod batch;
mod dbrp;
mod field;
mod go_duration;
mod group;
mod message;
mod point;
mod sorted_keys;
mod sorted_map;
mod time;

pub use batch::{Batch, BatchPoint};
pub use dbrp::Dbrp;
pub use ecow::EcoVec;
pub use field::FieldValue;
pub use go_duration::parse_go_duration;
pub use group::{Dimensions, GroupId, GroupInfo};
pub use message::Message;
pub use point::Point;
pub use sorted_keys::{SortedKeys, MAX_INTERNED_KEYS, MAX_INTERNED_LISTS};
pub use sorted_map::SortedMap;
pub use time::{Duration, Time};

/// A string of a point: measurement names, tag keys and values, field keys.
///
/// 16 bytes; up to 15 bytes are stored inline, so cloning the short names and keys that
/// make up most points copies two words and touches no shared counter. Longer strings
/// live on the heap behind an atomic reference count, shared by every clone; the
/// line-protocol parser interns repeated names so that the points of one series share
/// them.
pub type Str = ecow::EcoString;

/// A point's tags: tag key to tag value, kept sorted by key.
pub type Tags = SortedMap<Str>;

/// A point's fields: field key to value, kept sorted by key.
pub type Fields = SortedMap<FieldValue>;
