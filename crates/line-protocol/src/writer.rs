//! [`write_point`]: points as canonical line protocol that [`crate::Parser`] reads back as
//! the same points.
//!
//! ```text
//! measurement[,tag_key=tag_value...] field_key=value[,field_key=value...] timestamp\n
//! ```
//!
//! Tags and fields are written in key order, the timestamp always (in the given
//! precision). Floats use Rust's shortest representation that parses back exactly, without
//! an exponent (`1`, `-0`, `0.1`, as Kapacitor writes them), integers end in `i`, unsigned
//! integers in `u`, booleans are `true` and `false`, strings are quoted with `"` and `\`
//! escaped.
//!
//! Tags with an empty value are left out, as Kapacitor does (line protocol cannot express
//! them; a missing tag and an empty one mean the same to InfluxDB). Everything else that
//! cannot be read back unchanged is a [`WriteError`]: NaN and infinities, times outside the
//! parser's range or finer than the precision, keys longer than Kapacitor allows, and
//! names, tag keys and values or field keys that no escaping preserves ([`Problem`]).

use std::fmt::Display;
use std::io::Write as _;

use memchr::memchr;
use tickflow_model::{FieldValue, Point};

use crate::error::{field_key_length, MAX_KEY_LENGTH};
use crate::escape::{escape_into, escape_string_into, Component};
use crate::precision::{in_range, Precision};

/// Why a point cannot be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WriteError {
    /// Line protocol needs at least one field.
    #[error("point {name:?} has no fields")]
    NoFields {
        /// The point's measurement.
        name: String,
    },
    /// A name, tag or field key that cannot be escaped so that it reads back the same.
    #[error("{component} {text:?} cannot be written in line protocol: {problem}")]
    Unrepresentable {
        /// Which part of the point it is.
        component: Component,
        /// The text.
        text: String,
        /// What prevents it.
        problem: Problem,
    },
    /// A float field that is NaN or infinite.
    #[error("field {key:?} of point {name:?} is {value}, which line protocol cannot represent")]
    NotFinite {
        /// The point's measurement.
        name: String,
        /// The field key.
        key: String,
        /// The value.
        value: f64,
    },
    /// A time outside [`Time::MIN`](tickflow_model::Time::MIN) ..= [`Time::MAX`](tickflow_model::Time::MAX).
    #[error("time {time} of point {name:?} is outside the range line protocol can hold")]
    TimeOutOfRange {
        /// The point's measurement.
        name: String,
        /// The time, in nanoseconds.
        time: i64,
    },
    /// A time that is not a whole number of timestamp units.
    #[error(
        "time {time} of point {name:?} cannot be written in precision {precision}: it is not a whole number of units"
    )]
    TimeNotWhole {
        /// The point's measurement.
        name: String,
        /// The time, in nanoseconds.
        time: i64,
        /// The precision asked for.
        precision: Precision,
    },
    /// The series key, or the key plus 4 plus a field key, is longer than Kapacitor allows.
    #[error("point {name:?} has a key too long for line protocol: {length} > {MAX_KEY_LENGTH}")]
    KeyTooLong {
        /// The point's measurement.
        name: String,
        /// The length as Kapacitor counts it.
        length: usize,
    },
}

/// What keeps a text from being written unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Names, tag keys and field keys cannot be empty.
    #[error("it is empty")]
    Empty,
    /// Only string values can hold a newline.
    #[error("it contains a newline")]
    Newline,
    /// The backslash would escape the separator after it.
    #[error("it ends with a backslash")]
    TrailingBackslash,
    /// A backslash before a byte that a backslash escapes in this part of the line (`\,`,
    /// `\ `, `\=`, and `\"` in names and field keys) would be read as an escape.
    #[error("a backslash in it precedes a character that a backslash escapes")]
    AmbiguousBackslash,
    /// A line that starts with `#` is a comment.
    #[error("it starts with '#', which makes the line a comment")]
    LeadingHash,
    /// The parser skips tabs and NULs where a measurement or the fields start.
    #[error("it starts with a tab or NUL, which the parser skips")]
    LeadingWhitespace,
}

/// Appends `point` as one line (with its `\n`), its timestamp in `precision`.
///
/// On error nothing is appended.
pub fn write_point(
    out: &mut Vec<u8>,
    point: &Point,
    precision: Precision,
) -> Result<(), WriteError> {
    let start = out.len();
    let written = write_line(out, point, precision);
    if written.is_err() {
        out.truncate(start);
    }
    written
}

/// Appends each of `points` as a line, stopping at the first that cannot be written: `out`
/// then holds the lines of the points before it.
pub fn write_points(
    out: &mut Vec<u8>,
    points: &[Point],
    precision: Precision,
) -> Result<(), WriteError> {
    points
        .iter()
        .try_for_each(|point| write_point(out, point, precision))
}

fn write_line(out: &mut Vec<u8>, point: &Point, precision: Precision) -> Result<(), WriteError> {
    let name = || point.name.to_string();
    if point.fields.is_empty() {
        return Err(WriteError::NoFields { name: name() });
    }
    let start = out.len();
    write_component(out, &point.name, Component::Measurement)?;
    for (key, value) in point.tags.iter().filter(|(_, value)| !value.is_empty()) {
        out.push(b',');
        write_component(out, key, Component::TagKey)?;
        out.push(b'=');
        write_component(out, value, Component::TagValue)?;
    }
    let key_len = out.len() - start;
    if key_len > MAX_KEY_LENGTH {
        return Err(WriteError::KeyTooLong {
            name: name(),
            length: key_len,
        });
    }
    for (i, (key, value)) in point.fields.iter().enumerate() {
        out.push(if i == 0 { b' ' } else { b',' });
        let key_start = out.len();
        write_component(out, key, Component::FieldKey)?;
        let length = field_key_length(key_len, out.len() - key_start);
        if length > MAX_KEY_LENGTH {
            return Err(WriteError::KeyTooLong {
                name: name(),
                length,
            });
        }
        out.push(b'=');
        match *value {
            FieldValue::Float(v) if !v.is_finite() => {
                return Err(WriteError::NotFinite {
                    name: name(),
                    key: key.to_string(),
                    value: v,
                })
            }
            FieldValue::Float(v) => push_display(out, v),
            FieldValue::Integer(v) => {
                push_display(out, v);
                out.push(b'i');
            }
            FieldValue::Unsigned(v) => {
                push_display(out, v);
                out.push(b'u');
            }
            FieldValue::String(ref s) => escape_string_into(out, s),
            FieldValue::Boolean(v) => push_display(out, v),
        }
    }
    let time = point.time;
    if !in_range(time) {
        return Err(WriteError::TimeOutOfRange {
            name: name(),
            time: time.nanos(),
        });
    }
    let Some(timestamp) = precision.timestamp(time) else {
        return Err(WriteError::TimeNotWhole {
            name: name(),
            time: time.nanos(),
            precision,
        });
    };
    out.push(b' ');
    push_display(out, timestamp);
    out.push(b'\n');
    Ok(())
}

/// Appends `text` escaped as `component`, if it can be written.
fn write_component(out: &mut Vec<u8>, text: &str, component: Component) -> Result<(), WriteError> {
    match problem(text, component) {
        None => {
            escape_into(out, text, component);
            Ok(())
        }
        Some(problem) => Err(WriteError::Unrepresentable {
            component,
            text: text.into(),
            problem,
        }),
    }
}

/// What, if anything, keeps `text` from reading back unchanged as `component`.
fn problem(text: &str, component: Component) -> Option<Problem> {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return Some(Problem::Empty);
    };
    let problem = if memchr(b'\n', bytes).is_some() {
        Problem::Newline
    } else if bytes.last() == Some(&b'\\') {
        Problem::TrailingBackslash
    } else if bytes
        .windows(2)
        .any(|w| w[0] == b'\\' && component.escaped().contains(&w[1]))
    {
        Problem::AmbiguousBackslash
    } else if component == Component::Measurement && first == b'#' {
        Problem::LeadingHash
    } else if matches!(component, Component::Measurement | Component::FieldKey)
        && matches!(first, b'\t' | b'\0')
    {
        Problem::LeadingWhitespace
    } else {
        return None;
    };
    Some(problem)
}

/// Appends `value`'s `Display` form.
fn push_display(out: &mut Vec<u8>, value: impl Display) {
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{value}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow_model::{Fields, Tags, Time};

    fn point() -> Point {
        let mut point = Point::new("cpu load", Time::from_nanos(1_500_000_000));
        point.tags = Tags::from_pairs([("host", "a,b"), ("empty", ""), ("k=", "v v")]);
        point.fields = Fields::from_pairs([
            ("f", FieldValue::Float(1.0)),
            ("i", FieldValue::Integer(-3)),
            ("u", FieldValue::Unsigned(7)),
            ("s", FieldValue::from("say \"hi\"\n\\")),
            ("b", FieldValue::Boolean(false)),
            ("sp ace", FieldValue::Float(0.1)),
        ]);
        point
    }

    fn written(point: &Point, precision: Precision) -> Result<String, WriteError> {
        let mut out = b"before\n".to_vec();
        let result = write_point(&mut out, point, precision);
        let text = String::from_utf8(out).unwrap();
        let line = text.strip_prefix("before\n").unwrap().to_string();
        result
            .map(|()| line.clone())
            .inspect_err(|_| assert_eq!(line, ""))
    }

    #[test]
    fn writes_canonical_lines() {
        assert_eq!(
            written(&point(), Precision::Nanosecond).unwrap(),
            concat!(
                r"cpu\ load,host=a\,b,k\==v\ v ",
                r#"b=false,f=1,i=-3i,s="say \"hi\""#,
                "\n",
                r#"\\",sp\ ace=0.1,u=7u 1500000000"#,
                "\n"
            )
        );
        assert_eq!(
            written(&point(), Precision::Millisecond)
                .unwrap()
                .rsplit(' ')
                .next(),
            Some("1500\n")
        );
    }

    #[test]
    fn rejects_what_cannot_be_read_back() {
        let err = written(&point(), Precision::Second).unwrap_err();
        let message = r#"time 1500000000 of point "cpu load" cannot be written in precision s"#;
        assert_eq!(
            err.to_string(),
            format!("{message}: it is not a whole number of units")
        );
        let mut p = point();
        p.name = "#cpu".into();
        let err = written(&p, Precision::Nanosecond).unwrap_err();
        let message = r##"measurement "#cpu" cannot be written in line protocol: it starts with '#', which makes"##;
        assert_eq!(err.to_string(), format!("{message} the line a comment"));
        let mut p = point();
        p.fields.insert("nan".into(), FieldValue::Float(f64::NAN));
        assert!(matches!(
            written(&p, Precision::Nanosecond),
            Err(WriteError::NotFinite { .. })
        ));
        p.fields = Fields::new();
        assert!(matches!(
            written(&p, Precision::Nanosecond),
            Err(WriteError::NoFields { .. })
        ));
    }

    #[test]
    fn problems_per_component() {
        use Component::*;
        let cases = [
            ("", TagKey, Some(Problem::Empty)),
            ("a\nb", TagValue, Some(Problem::Newline)),
            (r"a\", TagValue, Some(Problem::TrailingBackslash)),
            (r"a\ b", Measurement, Some(Problem::AmbiguousBackslash)),
            (r#"a\"b"#, FieldKey, Some(Problem::AmbiguousBackslash)),
            (r#"a\"b"#, TagValue, None),
            (r"a\b", TagValue, None),
            ("#a", Measurement, Some(Problem::LeadingHash)),
            ("#a", TagKey, None),
            ("\ta", FieldKey, Some(Problem::LeadingWhitespace)),
            ("\ta", TagValue, None),
        ];
        for (text, component, expected) in cases {
            assert_eq!(
                problem(text, component),
                expected,
                "{text:?} as {component}"
            );
        }
    }
}
