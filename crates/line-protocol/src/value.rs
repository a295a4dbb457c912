//! Field values: the grammar of unquoted values (`number`, `boolean`), checked as
//! Kapacitor checks them while scanning a field section, and the conversion of a value's
//! text as Kapacitor splits the section (`field_value`).
//!
//! ```text
//! number  = [ "-" ] { digit | "." | "e" | "E" | sign-after-e } [ "i" | "u" ]
//! boolean = "t" | "T" | "true" | "True" | "TRUE" | "f" | "F" | "false" | "False" | "FALSE"
//! string  = '"' { byte | '\"' | '\\' } '"'
//! ```
//!
//! A number without `i` or `u` is a float, whatever it looks like (`1`, `01`, `5.`). The
//! scan is loose where Go's is (`1e5e5` passes it and then fails to parse: `invalid float`).

use std::borrow::Cow;

use memchr::memchr2;
use tickflow_model::{FieldValue, Str};

use crate::error::{fail, IResult, Reason};
use crate::escape::unescape_string;
use crate::numbers::{parse_float, parse_i64, parse_u64, Decimal};

/// `number`: the number at the start of `input` (a suffix of the line), up to a comma,
/// space or the end; the rest starts there.
pub(crate) fn number(input: &[u8]) -> IResult<'_, FieldValue> {
    if let Some((value, len)) = plain_number(input) {
        return Ok((&input[len..], value));
    }
    let negative = input.first() == Some(&b'-');
    let mut i = usize::from(negative);
    if negative && i == input.len() {
        return fail(&input[i..], Reason::InvalidNumber);
    }
    let (mut decimal, mut scientific) = (false, false);
    // The type marker, once seen: `i` or `u`.
    let mut marker = None;
    while let Some(&byte) = input.get(i) {
        match byte {
            b',' | b' ' => break,
            b'i' | b'u' if i > 0 && marker.is_none() => marker = Some(byte),
            b'.' if decimal => return fail(&input[i..], Reason::InvalidNumber),
            b'.' => decimal = true,
            b'e' | b'E' if i > 0 => scientific = true,
            b'+' | b'-' if i > 0 && matches!(input[i - 1], b'e' | b'E') => {}
            b'0'..=b'9' => {}
            // Includes `N`/`n`, which Go rejects up front as NaN.
            _ => return fail(&input[i..], Reason::InvalidNumber),
        }
        i += 1;
    }
    let (text, rest) = input.split_at(i);
    if marker.is_some() && (decimal || scientific) {
        return fail(input, Reason::InvalidNumber);
    }
    // Go counts the digits as the length less the sign, the point and an `i`, not a `u`.
    let digits =
        i - usize::from(negative) - usize::from(decimal) - usize::from(marker == Some(b'i'));
    if digits == 0 {
        return fail(input, Reason::InvalidNumber);
    }
    // Kapacitor parses only numbers long enough to be out of range; the others always parse.
    let value = match marker {
        Some(marker) => {
            let Some(text) = text.strip_suffix(&[marker]) else {
                return fail(input, Reason::InvalidNumber);
            };
            match marker {
                b'i' => parse_i64(text)
                    .map(FieldValue::Integer)
                    .ok_or_else(|| Reason::IntegerOutOfRange { text: lossy(text) }),
                _ if negative => Err(Reason::InvalidNumber),
                _ => parse_u64(text)
                    .map(FieldValue::Unsigned)
                    .ok_or_else(|| Reason::UnsignedOutOfRange { text: lossy(text) }),
            }
        }
        None => parse_float(text)
            .map(FieldValue::Float)
            .ok_or(Reason::InvalidFloat),
    };
    match value {
        Ok(value) => Ok((rest, value)),
        Err(reason) => fail(input, reason),
    }
}

/// The number at the start of `input` if it is plain, `[-] digits [. digits]` or
/// `[-] digits i` followed by a comma, a space or the end, and short: the common case,
/// which needs none of `number`'s other checks. Gives the value and the bytes it takes.
#[inline]
pub(crate) fn plain_number(input: &[u8]) -> Option<(FieldValue, usize)> {
    let decimal = Decimal::scan(input);
    let (value, len) = match input.get(decimal.len) {
        Some(b'i') => (FieldValue::Integer(decimal.to_i64()?), decimal.len + 1),
        _ => (FieldValue::Float(decimal.to_f64()?), decimal.len),
    };
    matches!(input.get(len), None | Some(b',' | b' ')).then_some((value, len))
}

/// `boolean`: the boolean at the start of `input`, up to a comma, space or the end.
pub(crate) fn boolean(input: &[u8]) -> IResult<'_, FieldValue> {
    let end = memchr2(b',', b' ', input).unwrap_or(input.len());
    match &input[..end] {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Ok((&input[end..], FieldValue::Boolean(true))),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => {
            Ok((&input[end..], FieldValue::Boolean(false)))
        }
        _ => fail(input, Reason::InvalidBoolean),
    }
}

/// Converts a value's text, as Kapacitor splits the section, to a value: a string if it
/// starts with `"` (the bytes between the first and the last byte), a number if it starts
/// with a digit, `-`, `.`, `n`, `N`, `i`, `I` or `u` (its last byte giving the type), else a
/// boolean. The scan has checked the text; the errors here are a safety net.
pub(crate) fn field_value(text: &[u8]) -> Result<FieldValue, Reason> {
    match text {
        [] => Err(Reason::MissingFieldValue),
        [b'"'] => Err(Reason::UnbalancedQuotes),
        [b'"', content @ .., _] => Ok(FieldValue::string(string(&unescape_string(content)))),
        [b'0'..=b'9' | b'-' | b'.' | b'n' | b'N' | b'i' | b'I' | b'u', ..] => {
            let value = match text.split_last() {
                Some((b'i', digits)) => parse_i64(digits).map(FieldValue::Integer),
                Some((b'u', digits)) => parse_u64(digits).map(FieldValue::Unsigned),
                _ => parse_float(text).map(FieldValue::Float),
            };
            value.ok_or(Reason::InvalidNumber)
        }
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Ok(FieldValue::Boolean(true)),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => Ok(FieldValue::Boolean(false)),
        _ => Err(Reason::InvalidBoolean),
    }
}

/// `bytes` as a shared string, invalid UTF-8 replaced by U+FFFD.
pub(crate) fn string(bytes: &[u8]) -> Str {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(s) => Str::from(s),
        Cow::Owned(s) => Str::from(s),
    }
}

/// `bytes` as an owned string for a message, invalid UTF-8 replaced by U+FFFD.
pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(f: fn(&[u8]) -> IResult<'_, FieldValue>, text: &str) -> Result<usize, Reason> {
        match f(text.as_bytes()) {
            Ok((rest, _)) => Ok(text.len() - rest.len()),
            Err(nom::Err::Failure(e)) => Err(e.reason),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn numbers_scan_to_a_comma_or_space() {
        let long = "12345678901234567890123456789";
        for text in [
            "1", "-1i", "1e3", "1E-3", "-1.5e-3", ".5", "5.", "-.5", "01", "1.e5", "-0", "1u", long,
        ] {
            assert_eq!(scan(number, text), Ok(text.len()), "{text}");
        }
        assert_eq!(scan(number, "12,x"), Ok(2));
        assert_eq!(scan(number, "12 x"), Ok(2));
    }

    #[test]
    fn number_errors() {
        let invalid = [
            "1.2.3", "1ii", "1.0i", "1e+3i", "9ie10", "9e10i", "NaN", "nAn", "-Inf", "0x10",
            "1_000", "1-2", "--1", ".1a", "0.-1", "-", ".", "-.", "-i", "-1u", "9i10", "1u2",
        ];
        for text in invalid {
            assert_eq!(scan(number, text), Err(Reason::InvalidNumber), "{text}");
        }
        for text in ["1e", "1e-", ".e5", "1e400", "-e-e-e", &"9".repeat(400)] {
            assert_eq!(scan(number, text), Err(Reason::InvalidFloat), "{text}");
        }
        let text = "9223372036854775808";
        assert_eq!(
            scan(number, &format!("{text}i")),
            Err(Reason::IntegerOutOfRange { text: text.into() })
        );
        assert_eq!(scan(number, "-9223372036854775808i"), Ok(21));
        assert_eq!(scan(number, "0000000000000000000000001i"), Ok(26));
        assert_eq!(scan(number, "18446744073709551615u"), Ok(21));
        let text = "18446744073709551616";
        assert_eq!(
            scan(number, &format!("{text}u")),
            Err(Reason::UnsignedOutOfRange { text: text.into() })
        );
    }

    #[test]
    fn numbers_have_their_type() {
        let value = |text: &str| number(text.as_bytes()).map(|(_, v)| v).map_err(|_| ());
        assert_eq!(value("1"), Ok(FieldValue::Float(1.0)));
        assert_eq!(value("-12.5,"), Ok(FieldValue::Float(-12.5)));
        assert_eq!(value("1e3 "), Ok(FieldValue::Float(1000.0)));
        assert_eq!(value("-7i"), Ok(FieldValue::Integer(-7)));
        assert_eq!(
            value("-9223372036854775808i"),
            Ok(FieldValue::Integer(i64::MIN))
        );
        assert_eq!(
            value("18446744073709551615u"),
            Ok(FieldValue::Unsigned(u64::MAX))
        );
        assert_eq!(
            boolean(b"False,x").map(|(_, v)| v).map_err(|_| ()),
            Ok(FieldValue::Boolean(false))
        );
    }

    #[test]
    fn booleans() {
        for text in [
            "t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE",
        ] {
            assert_eq!(scan(boolean, text), Ok(text.len()), "{text}");
        }
        for text in ["tRUE", "yes", "a", "Inf", "+1", "truee", "fals"] {
            assert_eq!(scan(boolean, text), Err(Reason::InvalidBoolean), "{text}");
        }
    }

    #[test]
    fn converts_by_first_and_last_byte() {
        let value = |text: &str| field_value(text.as_bytes());
        assert_eq!(value("1"), Ok(FieldValue::Float(1.0)));
        assert_eq!(value("-1i"), Ok(FieldValue::Integer(-1)));
        assert_eq!(value("7u"), Ok(FieldValue::Unsigned(7)));
        assert_eq!(value("True"), Ok(FieldValue::Boolean(true)));
        assert_eq!(
            value(r#""a\"b\\c\n""#),
            Ok(FieldValue::string(r#"a"b\c\n"#))
        );
        assert_eq!(value(r#""x"y"#), Ok(FieldValue::string(r#"x""#)));
        assert_eq!(value(r#""""#), Ok(FieldValue::string("")));
        assert_eq!(value("\""), Err(Reason::UnbalancedQuotes));
        assert_eq!(value(""), Err(Reason::MissingFieldValue));
        match value("-0") {
            Ok(FieldValue::Float(v)) => assert!(v == 0.0 && v.is_sign_negative()),
            other => panic!("{other:?}"),
        }
    }
}
