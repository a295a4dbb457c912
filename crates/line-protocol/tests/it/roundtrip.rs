//! Property tests of the writer: any point it writes parses back as the same point (empty
//! tag values left out), plain points always write, and every precision round-trips.

use proptest::prelude::*;
use tickflow_line_protocol::{write_point, Parser, Precision, WriteError};
use tickflow_model::{FieldValue, Fields, Point, Str, Tags, Time};

use crate::check::assert_same;

/// Any text, weighted towards the bytes that line protocol escapes or treats specially.
fn text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        3 => "[a-z]{1,6}",
        4 => "[ ,=\"\\\\#\t\n\r\u{0}a-zé😀]{0,6}",
        2 => any::<String>(),
    ]
}

/// A text that needs nothing special: never empty, no backslash, no newline, not starting
/// with `#`, a tab or NUL, but with every separator that the writer escapes.
fn plain_text() -> impl Strategy<Value = String> + Clone {
    "[a-z ,=\"é😀\r][a-z ,=\"é😀\t\r#]{0,6}"
}

fn value(text: impl Strategy<Value = String>) -> impl Strategy<Value = FieldValue> {
    prop_oneof![
        any::<f64>().prop_map(FieldValue::Float),
        (-1e6f64..1e6).prop_map(FieldValue::Float),
        any::<i64>().prop_map(FieldValue::Integer),
        any::<u64>().prop_map(FieldValue::Unsigned),
        any::<bool>().prop_map(FieldValue::Boolean),
        text.prop_map(FieldValue::string),
    ]
}

fn point<S>(text: S, time: impl Strategy<Value = i64>) -> impl Strategy<Value = Point>
where
    S: Strategy<Value = String> + Clone,
{
    let tags = proptest::collection::vec((text.clone(), text.clone()), 0..4);
    let fields = proptest::collection::vec((text.clone(), value(text.clone())), 1..5);
    (text, tags, fields, time).prop_map(|(name, tags, fields, time)| {
        let mut point = Point::new(name, Time::from_nanos(time));
        point.tags = Tags::from_pairs(tags);
        point.fields =
            Fields::from_unsorted(fields.into_iter().map(|(k, v)| (Str::from(k), v)).collect());
        point
    })
}

/// `point` as the writer writes it: without its empty tag values.
fn without_empty_tags(point: &Point) -> Point {
    let mut expected = point.clone();
    expected.tags.retain(|_, value| !value.is_empty());
    expected
}

/// Writes `point` in `precision` and, if that worked, parses it back.
fn round_trip(point: &Point, precision: Precision) -> Result<Point, WriteError> {
    let mut line = Vec::new();
    let written = write_point(&mut line, point, precision);
    if written.is_err() {
        assert!(line.is_empty(), "a failed write leaves nothing behind");
    }
    written?;
    let shown = String::from_utf8_lossy(&line);
    let parsed = Parser::new(precision, Time::from_nanos(0)).parse(&line);
    assert!(parsed.errors.is_empty(), "{shown:?}: {:?}", parsed.errors);
    assert_eq!(parsed.points.len(), 1, "{shown:?}");
    assert_same(&parsed.points[0], &without_empty_tags(point), &shown);
    Ok(parsed.points[0].clone())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn written_points_parse_back_the_same(point in point(text(), any::<i64>())) {
        let _ = round_trip(&point, Precision::Nanosecond);
    }

    #[test]
    fn plain_points_always_write(point in point(plain_text(), Time::MIN.nanos()..=Time::MAX.nanos())) {
        let finite = point.fields.iter().all(|(_, v)| !matches!(v, FieldValue::Float(f) if !f.is_finite()));
        prop_assume!(finite);
        prop_assert!(round_trip(&point, Precision::Nanosecond).is_ok());
    }

    #[test]
    fn every_precision_round_trips(point in point(plain_text(), -1_000_000i64..1_000_000), unit in 0usize..6) {
        let precision = ["n", "u", "ms", "s", "m", "h"][unit].parse::<Precision>().unwrap();
        let mut point = point;
        point.fields = Fields::from_pairs([("v", 1.5)]);
        point.time = Time::from_nanos(point.time.nanos() * precision.unit().nanos());
        prop_assert!(round_trip(&point, precision).is_ok());
    }
}
