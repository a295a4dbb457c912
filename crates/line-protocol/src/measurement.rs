//! The measurement: `measurement = byte { byte }`, ended by an unescaped `,` (tags follow)
//! or space (fields follow).

use memchr::memchr2;

use crate::error::{fail, IResult, Reason};
use crate::scan::find_unescaped;

/// What follows the measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Then {
    /// A comma: the tags.
    Tags,
    /// A space: the fields.
    Fields,
}

/// `measurement`: the raw name (escapes kept) and what follows it; the rest starts after
/// the comma or at the space.
///
/// A tab is an ordinary byte here, and so are `=` and `"`; a name may not start with `,`.
pub(crate) fn measurement(input: &[u8]) -> IResult<'_, (&[u8], Then)> {
    if matches!(input.first(), None | Some(b',')) {
        return fail(input, Reason::MissingMeasurement);
    }
    match find_unescaped(input, |rest| memchr2(b',', b' ', rest)) {
        Some(end) if input[end] == b',' => Ok((&input[end + 1..], (&input[..end], Then::Tags))),
        Some(end) => Ok((&input[end..], (&input[..end], Then::Fields))),
        None => fail(&input[input.len()..], Reason::MissingFields),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_at_an_unescaped_comma_or_space() {
        let (rest, (name, then)) = measurement(b"cpu,host=a v=1").unwrap();
        assert_eq!(
            (name, then, rest),
            (&b"cpu"[..], Then::Tags, &b"host=a v=1"[..])
        );
        let (rest, (name, then)) = measurement(br"cpu\ load\,x v=1").unwrap();
        assert_eq!(
            (name, then, rest),
            (&br"cpu\ load\,x"[..], Then::Fields, &b" v=1"[..])
        );
    }

    #[test]
    fn errors() {
        let reason = |line: &[u8]| match measurement(line) {
            Err(nom::Err::Failure(e)) => e.reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(b",cpu v=1"), Reason::MissingMeasurement);
        assert_eq!(reason(b"cpu"), Reason::MissingFields);
        assert_eq!(reason(br"cpu\\ value=1"), Reason::MissingFields);
        assert_eq!(reason(b"cpu\tvalue=1"), Reason::MissingFields);
    }
}
