//! The timestamp: `timestamp = [ "-" ] digit { digit }`, after the fields and whitespace,
//! followed only by spaces; absent, the point takes the request's default time.

use tickflow_model::Time;

use crate::digits;
use crate::error::{fail, IResult, Reason};
use crate::numbers::parse_i64;
use crate::precision::Precision;
use crate::scan::whitespace;
use crate::value::lossy;

/// `timestamp`: the time of the point, `None` when the line has no timestamp. Consumes
/// the rest of the line.
///
/// Kapacitor's checks, in its order: only an optional `-` and digits up to a space or a
/// newline (a tab does not end a timestamp: `bad timestamp`), an int64, within range once
/// multiplied by the precision, and then nothing but spaces.
pub(crate) fn timestamp(input: &[u8], precision: Precision) -> IResult<'_, Option<Time>> {
    let (input, _) = whitespace(input)?;
    let sign = usize::from(input.first() == Some(&b'-'));
    let (text, rest) = input.split_at(sign + digits::run(&input[sign..]));
    if !matches!(rest.first(), None | Some(b' ' | b'\n')) {
        return fail(rest, Reason::BadTimestamp);
    }
    if text.is_empty() {
        // Kapacitor ignores whatever follows a newline here.
        return Ok((&[], None));
    }
    let Some(timestamp) = parse_i64(text) else {
        let reason = match text {
            b"-" => Reason::TimestampWithoutDigits,
            _ => Reason::TimestampOutOfRange { text: lossy(text) },
        };
        return fail(input, reason);
    };
    let Some(time) = precision.time(timestamp) else {
        return fail(input, Reason::TimeOutOfRange);
    };
    match rest.iter().position(|&b| b != b' ') {
        Some(junk) => fail(&rest[junk..], Reason::PointIsInvalid),
        None => Ok((&[], Some(time))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(input: &str, precision: Precision) -> Result<Option<i64>, Reason> {
        match timestamp(input.as_bytes(), precision) {
            Ok((_, time)) => Ok(time.map(Time::nanos)),
            Err(nom::Err::Failure(e)) => Err(e.reason),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_and_scales() {
        let ns = Precision::Nanosecond;
        assert_eq!(time("", ns), Ok(None));
        assert_eq!(time("   ", ns), Ok(None));
        assert_eq!(time(" -1", ns), Ok(Some(-1)));
        assert_eq!(time(" 0000000001", ns), Ok(Some(1)));
        assert_eq!(time(" \t5", ns), Ok(Some(5)));
        assert_eq!(time(" 1   ", ns), Ok(Some(1)));
        assert_eq!(
            time(" 9223372036854775806", ns),
            Ok(Some(9223372036854775806))
        );
        assert_eq!(
            time(" 1700000000", Precision::Second),
            Ok(Some(1_700_000_000_000_000_000))
        );
    }

    #[test]
    fn errors() {
        let ns = Precision::Nanosecond;
        for input in [
            " abc",
            " 1.5",
            " +5",
            " 1-",
            " -/",
            r" 0\",
            " # trailing",
            " 5\t",
        ] {
            assert_eq!(time(input, ns), Err(Reason::BadTimestamp), "{input:?}");
        }
        assert_eq!(time(" -", ns), Err(Reason::TimestampWithoutDigits));
        let text = "1000000000000000000000";
        assert_eq!(
            time(&format!(" {text}"), ns),
            Err(Reason::TimestampOutOfRange { text: text.into() })
        );
        assert_eq!(
            time(" 9223372036854775807", ns),
            Err(Reason::TimeOutOfRange)
        );
        assert_eq!(
            time(" -9223372036854775807", ns),
            Err(Reason::TimeOutOfRange)
        );
        assert_eq!(
            time(" 1700000000", Precision::Minute),
            Err(Reason::TimeOutOfRange)
        );
        assert_eq!(time(" 1 2", ns), Err(Reason::PointIsInvalid));
        assert_eq!(time(" 1\nx", ns), Err(Reason::PointIsInvalid));
    }
}
