//! Methods templates can call on values, with Go's signatures: `time.Time` (`Format`,
//! `Unix`, `Add`, `Year`, …), `time.Duration` (`Seconds`, `Round`, …) and the `String`
//! method of levels, months, weekdays and locations. A method with several results
//! (`Date`, `Clock`, `Zone`, `ISOWeek`) cannot be called from a template, as in Go.

use std::borrow::Cow;

use tickflow_model::{Duration, Time};

use super::param::Param;
use super::timefmt::{self, go_duration, go_time, Civil};
use super::value::Value;
use super::ErrorKind;

/// A method found on a value: its name and parameter types.
#[derive(Debug, Clone, Copy)]
pub(super) struct Method {
    pub(super) name: &'static str,
    pub(super) params: &'static [Param],
}

const TIME_METHODS: &[(&str, &[Param])] = &[
    ("Add", &[Param::Duration]),
    ("AddDate", &[Param::Int, Param::Int, Param::Int]),
    ("After", &[Param::Time]),
    ("Before", &[Param::Time]),
    ("Clock", &[]),
    ("Compare", &[Param::Time]),
    ("Date", &[]),
    ("Day", &[]),
    ("Equal", &[Param::Time]),
    ("Format", &[Param::Str]),
    ("GoString", &[]),
    ("Hour", &[]),
    ("ISOWeek", &[]),
    ("IsDST", &[]),
    ("IsZero", &[]),
    ("Local", &[]),
    ("Location", &[]),
    ("Minute", &[]),
    ("Month", &[]),
    ("Nanosecond", &[]),
    ("Round", &[Param::Duration]),
    ("Second", &[]),
    ("String", &[]),
    ("Sub", &[Param::Time]),
    ("Truncate", &[Param::Duration]),
    ("UTC", &[]),
    ("Unix", &[]),
    ("UnixMicro", &[]),
    ("UnixMilli", &[]),
    ("UnixNano", &[]),
    ("Weekday", &[]),
    ("Year", &[]),
    ("YearDay", &[]),
    ("Zone", &[]),
];

const DURATION_METHODS: &[(&str, &[Param])] = &[
    ("Abs", &[]),
    ("Hours", &[]),
    ("Microseconds", &[]),
    ("Milliseconds", &[]),
    ("Minutes", &[]),
    ("Nanoseconds", &[]),
    ("Round", &[Param::Duration]),
    ("Seconds", &[]),
    ("String", &[]),
    ("Truncate", &[Param::Duration]),
];

const STRINGER_METHODS: &[(&str, &[Param])] = &[("String", &[])];

/// The method `name` of `value`'s type, if it has one.
pub(super) fn lookup(value: &Value<'_>, name: &str) -> Option<Method> {
    let table = match value {
        Value::Time(_) => TIME_METHODS,
        Value::Duration(_) => DURATION_METHODS,
        Value::Level(_) | Value::Month(_) | Value::Weekday(_) | Value::Location => STRINGER_METHODS,
        _ => return None,
    };
    table
        .iter()
        .find(|(method, _)| *method == name)
        .map(|&(name, params)| Method { name, params })
}

/// Calls `method` (found by [`lookup`] on `receiver`) with arguments of its parameter
/// types.
pub(super) fn call<'a>(
    receiver: &Value<'a>,
    method: Method,
    args: &[Value<'a>],
) -> Result<Value<'a>, ErrorKind> {
    match receiver {
        Value::Time(t) => time_method(*t, method.name, args),
        Value::Duration(d) => duration_method(*d, method.name, args),
        other => Ok(Value::Str(Cow::Owned(stringer(other)))),
    }
}

/// The `String` method of levels, months, weekdays and locations.
pub(super) fn stringer(value: &Value<'_>) -> String {
    match value {
        Value::Level(level) => level.as_str().to_owned(),
        Value::Month(m) => timefmt::month_name(*m),
        Value::Weekday(d) => timefmt::weekday_name(*d),
        Value::Location => "UTC".to_owned(),
        Value::Time(t) => go_time(*t),
        Value::Duration(d) => go_duration(*d),
        _ => String::new(),
    }
}

fn int_arg(args: &[Value<'_>], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n) | Value::Duration(n)) => *n,
        _ => 0,
    }
}

fn time_arg(args: &[Value<'_>]) -> Time {
    match args.first() {
        Some(Value::Time(t)) => *t,
        _ => Time::from_nanos(0),
    }
}

/// Go's `time.Time` methods for a UTC time.
fn time_method<'a>(t: Time, name: &str, args: &[Value<'a>]) -> Result<Value<'a>, ErrorKind> {
    let civil = || Civil::of(t);
    let nanos = t.nanos();
    Ok(match name {
        "Format" => match args.first() {
            Some(Value::Str(layout)) => Value::Str(Cow::Owned(timefmt::format(t, layout))),
            _ => Value::from(""),
        },
        "String" => Value::Str(Cow::Owned(go_time(t))),
        "GoString" => Value::Str(Cow::Owned(go_string(t))),
        "Unix" => Value::Int64(nanos.div_euclid(1_000_000_000)),
        "UnixMilli" => Value::Int64(nanos.div_euclid(1_000_000)),
        "UnixMicro" => Value::Int64(nanos.div_euclid(1_000)),
        "UnixNano" => Value::Int64(nanos),
        "Local" | "UTC" => Value::Time(t),
        "Location" => Value::Location,
        "Year" => Value::Int(civil().year),
        "Month" => Value::Month(civil().month),
        "Day" => Value::Int(civil().day),
        "Hour" => Value::Int(civil().hour),
        "Minute" => Value::Int(civil().minute),
        "Second" => Value::Int(civil().second),
        "Nanosecond" => Value::Int(civil().nanosecond),
        "Weekday" => Value::Weekday(civil().weekday),
        "YearDay" => Value::Int(civil().year_day),
        "IsZero" | "IsDST" => Value::Bool(false),
        "Add" => Value::Time(in_range(i128::from(nanos) + i128::from(int_arg(args, 0)))?),
        "Sub" => Value::Duration(
            (i128::from(nanos) - i128::from(time_arg(args).nanos()))
                .clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
        ),
        "AddDate" => {
            let c = civil();
            let date = timefmt::date(
                c.year.saturating_add(int_arg(args, 0)),
                c.month.saturating_add(int_arg(args, 1)),
                c.day.saturating_add(int_arg(args, 2)),
                timefmt::clock_nanos(t),
            );
            Value::Time(date.ok_or(ErrorKind::TimeOutOfRange)?)
        }
        "Truncate" => Value::Time(t.truncate(Duration::from_nanos(int_arg(args, 0)))),
        "Round" => Value::Time(t.round(Duration::from_nanos(int_arg(args, 0)))),
        "Before" => Value::Bool(t < time_arg(args)),
        "After" => Value::Bool(t > time_arg(args)),
        "Equal" => Value::Bool(t == time_arg(args)),
        "Compare" => Value::Int(match t.cmp(&time_arg(args)) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        }),
        "Date" | "Clock" => return Err(ErrorKind::Results(name.to_owned(), 3)),
        _ => return Err(ErrorKind::Results(name.to_owned(), 2)),
    })
}

fn in_range(nanos: i128) -> Result<Time, ErrorKind> {
    i64::try_from(nanos)
        .map(Time::from_nanos)
        .map_err(|_| ErrorKind::TimeOutOfRange)
}

/// `time.Time.GoString`: `time.Date(2024, time.January, 1, 0, 0, 10, 0, time.UTC)`.
pub(super) fn go_string(t: Time) -> String {
    let c = Civil::of(t);
    format!(
        "time.Date({}, time.{}, {}, {}, {}, {}, {}, time.UTC)",
        c.year,
        timefmt::month_name(c.month),
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.nanosecond
    )
}

/// Go's `time.Duration` methods.
fn duration_method<'a>(d: i64, name: &str, args: &[Value<'a>]) -> Result<Value<'a>, ErrorKind> {
    const SECOND: i64 = 1_000_000_000;
    const MINUTE: i64 = 60 * SECOND;
    const HOUR: i64 = 60 * MINUTE;
    // Whole units plus the remainder as a fraction, as Go computes them.
    let in_unit = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
    Ok(match name {
        "Hours" => Value::Float(in_unit(HOUR)),
        "Minutes" => Value::Float(in_unit(MINUTE)),
        "Seconds" => Value::Float(in_unit(SECOND)),
        "Milliseconds" => Value::Int64(d / 1_000_000),
        "Microseconds" => Value::Int64(d / 1_000),
        "Nanoseconds" => Value::Int64(d),
        "String" => Value::Str(Cow::Owned(go_duration(d))),
        "Abs" => Value::Duration(if d == i64::MIN { i64::MAX } else { d.abs() }),
        "Truncate" => Value::Duration(match int_arg(args, 0) {
            m if m <= 0 => d,
            m => d - d % m,
        }),
        _ => Value::Duration(round_duration(d, int_arg(args, 0))),
    })
}

/// Go's `Duration.Round`: halfway values away from zero, saturating at the ends.
fn round_duration(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let r = i128::from(d % m).abs();
    let (d, m) = (i128::from(d), i128::from(m));
    let rounded = if d < 0 {
        if r + r < m {
            d + r
        } else {
            d - m + r
        }
    } else if r + r < m {
        d - r
    } else {
        d + m - r
    };
    rounded.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_and_convert_like_go() {
        // The examples of Go's `Duration.Round` documentation, for 1h15m30.918273645s.
        let d = 4_530_918_273_645;
        let cases = [
            (1, "1h15m30.918273645s"),
            (2, "1h15m30.918273646s"),
            (1_000, "1h15m30.918274s"),
            (1_000_000, "1h15m30.918s"),
            (1_000_000_000, "1h15m31s"),
            (2_000_000_000, "1h15m30s"),
            (60_000_000_000, "1h16m0s"),
            (600_000_000_000, "1h20m0s"),
            (3_600_000_000_000, "1h0m0s"),
        ];
        for (m, want) in cases {
            assert_eq!(go_duration(round_duration(d, m)), want, "{m}");
        }
        // Go's `Duration.Hours` example: 4h30m is 4.5 hours.
        let hours = duration_method(16_200_000_000_000, "Hours", &[]).expect("hours");
        assert_eq!(hours, Value::Float(4.5));
    }
}
