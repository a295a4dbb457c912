//! Time functions: calendar parts of a time value, and `now()`.
//!
//! Calendar parts are taken in UTC. Kapacitor uses the process's local time zone (UTC in
//! most containers, where it runs); tickflow fixes UTC so that a script gives the same
//! answers on every machine and a replay is reproducible.

use chrono::{DateTime, Datelike, Timelike, Utc};
use tickflow_model::Time;

use super::{FnError, PureFn};
use crate::Value;

/// The time function `name`.
pub(super) fn lookup(name: &str) -> Option<PureFn> {
    Some(match name {
        "unixNano" => |a| one_time(a).map(|t| Value::Int(t.nanos())),
        "minute" => |a| calendar(a, |t| i64::from(t.minute())),
        "hour" => |a| calendar(a, |t| i64::from(t.hour())),
        "weekday" => |a| calendar(a, |t| i64::from(t.weekday().num_days_from_sunday())),
        "day" => |a| calendar(a, |t| i64::from(t.day())),
        "month" => |a| calendar(a, |t| i64::from(t.month())),
        "year" => |a| calendar(a, |t| i64::from(t.year())),
        "now" => |args| match args {
            [] => Ok(Value::Time(Time::now())),
            _ => Err(FnError::Signature),
        },
        _ => return None,
    })
}

fn one_time(args: &[Value]) -> Result<Time, FnError> {
    match args {
        [Value::Time(t)] => Ok(*t),
        _ => Err(FnError::Signature),
    }
}

fn calendar(args: &[Value], part: fn(&DateTime<Utc>) -> i64) -> Result<Value, FnError> {
    let t = one_time(args)?;
    Ok(Value::Int(part(&DateTime::from_timestamp_nanos(t.nanos()))))
}
