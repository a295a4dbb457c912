//! The public API's promises beyond single lines: streaming, error messages, shared
//! strings and tag sets, databases and default times.

use tickflow_line_protocol::{LineError, Parsed, Parser, Precision, Reason};
use tickflow_model::{Dbrp, FieldValue, Time};

const BODY: &[u8] =
    b"cpu,host=a value=1 1\ncpu value=1.2.3 2\n\ncpu,host=a value=2 3\nmem,host=a used=3i\nbad\n";

fn parser() -> Parser {
    Parser::new(
        Precision::Second,
        Time::from_nanos(1_700_000_000_987_654_321),
    )
}

#[test]
fn parse_lines_streams_what_parse_collects() {
    let parsed = parser().parse(BODY);
    let mut streamed = Parsed::default();
    for result in parser().parse_lines(BODY) {
        match result {
            Ok(point) => streamed.points.push(point),
            Err(error) => streamed.errors.push(error),
        }
    }
    assert_eq!(parsed, streamed);
    assert_eq!(parsed.points.len(), 3);
    assert_eq!(parsed.errors.len(), 2);
}

#[test]
fn parse_into_appends() {
    let mut parser = parser();
    let mut parsed = parser.parse(BODY);
    parser.parse_into(BODY, &mut parsed);
    assert_eq!((parsed.points.len(), parsed.errors.len()), (6, 4));
}

#[test]
fn every_bad_line_is_reported_with_its_position() {
    let parsed = parser().parse(BODY);
    let error = &parsed.errors[0];
    assert_eq!(
        error,
        &LineError {
            line: 2,
            column: 14,
            offset: 13,
            text: "cpu value=1.2.3 2".into(),
            reason: Reason::InvalidNumber
        }
    );
    assert_eq!(
        error.located().to_string(),
        "line 2, column 14: invalid number in 'cpu value=1.2.3 2'"
    );
    assert_eq!(
        parsed.error_message().as_deref(),
        Some("unable to parse 'cpu value=1.2.3 2': invalid number\nunable to parse 'bad': missing fields")
    );
    assert_eq!(parser().parse(b"cpu value=1\n").error_message(), None);
}

#[test]
fn points_carry_the_dbrp_and_the_truncated_default_time() {
    let mut parser = parser().with_dbrp(Dbrp::new("printer", "autogen"));
    assert_eq!(parser.precision(), Precision::Second);
    assert_eq!(
        parser.default_time(),
        Time::from_nanos(1_700_000_000_000_000_000)
    );
    let parsed = parser.parse(BODY);
    let mem = &parsed.points[2];
    assert_eq!(
        (&*mem.database, &*mem.retention_policy),
        ("printer", "autogen")
    );
    assert_eq!(mem.time, parser.default_time());
    assert_eq!(parsed.points[0].time.nanos(), 1_000_000_000);
    assert!(mem.group.is_nil());
}

#[test]
fn a_series_shares_its_strings_and_tags() {
    let parsed = parser().parse(BODY);
    let [first, second, mem] = &parsed.points[..] else {
        panic!("three points")
    };
    assert_eq!(first.name, second.name);
    assert!(first.tags.ptr_eq(&second.tags));
    // A tag set is shared whatever the measurement.
    assert!(first.tags.ptr_eq(&mem.tags));
    assert!(first.fields.shares_keys_with(&second.fields));
    assert_eq!(second.fields.get("value"), Some(&FieldValue::Float(2.0)));
}

#[test]
fn unknown_precisions_are_errors() {
    let err = "x".parse::<Precision>().unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"unknown precision "x": expected one of n, ns, u, us, µ, ms, s, m, h"#
    );
    assert_eq!("".parse::<Precision>(), Ok(Precision::Nanosecond));
    assert_eq!("µ".parse::<Precision>(), Ok(Precision::Microsecond));
}
