//! [`Scope`]: what a lambda sees of one point: its fields, its tags and its time.

use tickflow_model::{BatchPoint, Fields, Point, Tags, Time};

use crate::eval::EvalError;
use crate::Value;

/// The data one evaluation reads references from.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The point's fields.
    pub fields: &'a Fields,
    /// The point's tags.
    pub tags: &'a Tags,
    /// The point's time.
    pub time: Time,
}

impl<'a> Scope<'a> {
    /// The scope of a stream point.
    pub fn of_point(point: &'a Point) -> Self {
        Scope {
            fields: &point.fields,
            tags: &point.tags,
            time: point.time,
        }
    }

    /// The scope of one point of a batch (which carries its full tag set).
    pub fn of_batch_point(point: &'a BatchPoint) -> Self {
        Scope {
            fields: &point.fields,
            tags: &point.tags,
            time: point.time,
        }
    }

    /// The value of the reference `"name"`: the time for `"time"`, else the field, else
    /// the tag, else missing. A name that is both a field and a tag is an error.
    pub fn lookup(&self, name: &str) -> Result<Value, EvalError> {
        if name == "time" {
            return Ok(Value::Time(self.time));
        }
        match (self.fields.get(name), self.tags.get(name)) {
            (Some(_), Some(_)) => Err(EvalError::FieldAndTag {
                name: name.to_string(),
            }),
            (Some(field), None) => Ok(Value::from(field)),
            (None, Some(tag)) => Ok(Value::String(tag.clone())),
            (None, None) => Ok(Value::Missing),
        }
    }
}
