//! The property of the fuzz target (`fuzz/fuzz_targets/parse.rs` includes this file) and
//! of the fuzz smoke test: any body parses without panicking, and every point parsed from
//! it that can be written parses back from its line as the same point.

use tickflow_line_protocol::{write_point, Parser, Precision, WriteError};
use tickflow_model::{Dbrp, FieldValue, Point, Time};

/// The time the checks take as the request's time.
pub(crate) const NOW: i64 = 1_451_606_400_123_456_789;

/// Parses `body`, writes each point back and parses the line again; panics on any
/// difference. Returns how many points made the round trip.
pub(crate) fn check_body(body: &[u8]) -> usize {
    let mut parser =
        Parser::new(Precision::Nanosecond, Time::from_nanos(NOW)).with_dbrp(Dbrp::new("db", "rp"));
    let parsed = parser.parse(body);
    for error in &parsed.errors {
        assert!(error.to_string().starts_with("unable to parse '"));
        assert!(error.line >= 1 && error.column >= 1, "{error:?}");
        assert!(error.offset <= error.text.len(), "{error:?}");
        let _ = error.located().to_string();
    }
    let mut round_trips = 0;
    for point in &parsed.points {
        let mut line = Vec::new();
        match write_point(&mut line, point, Precision::Nanosecond) {
            Ok(()) => {}
            // Texts that no escaping preserves (`east\ `), and keys that escaping makes
            // longer than Kapacitor allows.
            Err(WriteError::Unrepresentable { .. } | WriteError::KeyTooLong { .. }) => continue,
            Err(other) => panic!("a parsed point must be writable: {other}\n{point:?}"),
        }
        let again = parser.parse(&line);
        let shown = String::from_utf8_lossy(&line);
        assert!(
            again.errors.is_empty(),
            "{shown:?} does not parse: {:?}",
            again.errors
        );
        assert_eq!(again.points.len(), 1, "{shown:?}");
        assert_same(&again.points[0], point, &shown);
        round_trips += 1;
    }
    round_trips
}

/// Asserts that `got` equals `want`, floats bit for bit (so `-0` stays `-0`).
pub(crate) fn assert_same(got: &Point, want: &Point, context: &str) {
    assert_eq!(got, want, "{context:?}");
    for ((_, a), (_, b)) in got.fields.iter().zip(want.fields.iter()) {
        if let (FieldValue::Float(a), FieldValue::Float(b)) = (a, b) {
            assert_eq!(a.to_bits(), b.to_bits(), "{context:?}");
        }
    }
}
