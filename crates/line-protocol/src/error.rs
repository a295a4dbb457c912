//! Parse errors: [`Reason`] (why a line was rejected, in Kapacitor's words) and
//! [`LineError`] (which line, where in it, and the line itself), plus the crate-local nom
//! error and `IResult` that the grammar functions return.

use std::fmt;

use nom::error::{ErrorKind, ParseError};
use tickflow_model::Time;

/// The longest series key (measurement and tags as written) Kapacitor accepts; the same
/// bound applies to the key plus 4 plus each field key.
pub const MAX_KEY_LENGTH: usize = 65535;

/// The length Kapacitor checks against [`MAX_KEY_LENGTH`] for each field: the series key,
/// its 4-byte separator in the storage engine, and the field key, all as written.
pub(crate) fn field_key_length(series_key: usize, field_key: usize) -> usize {
    series_key + 4 + field_key
}

/// Why a line was rejected.
///
/// The messages are those of Kapacitor's parser (InfluxDB 1.9.6 `models`), word for word,
/// so a client sees the same text from tickflow as from Kapacitor. The variants marked
/// *tickflow* exist only because tickflow accepts something Kapacitor rejects outright.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// The line starts with a comma.
    #[error("missing measurement")]
    MissingMeasurement,
    /// The line ends inside the measurement or the tags.
    #[error("missing fields")]
    MissingFields,
    /// A comma in the key is not followed by a tag key.
    #[error("missing tag key")]
    MissingTagKey,
    /// A tag key has no `=`, or a tag value is empty.
    #[error("missing tag value")]
    MissingTagValue,
    /// A tag value contains an unescaped `=`.
    #[error("invalid tag format")]
    InvalidTagFormat,
    /// Two tags have the same key.
    #[error("duplicate tags")]
    DuplicateTags,
    /// A field has an empty key.
    #[error("missing field key")]
    MissingFieldKey,
    /// A field's `=` is followed by nothing, a comma or a space.
    #[error("missing field value")]
    MissingFieldValue,
    /// A string field value is not closed.
    #[error("unbalanced quotes")]
    UnbalancedQuotes,
    /// The field section is not a comma-separated list of `key=value`.
    #[error("invalid field format")]
    InvalidFieldFormat,
    /// A field, as Kapacitor splits the section, has no `=`: `key` is its text (escapes kept).
    #[error("invalid value: field-key={key}")]
    InvalidFieldValue {
        /// The text where a field key was expected.
        key: String,
    },
    /// A numeric field value is malformed.
    #[error("invalid number")]
    InvalidNumber,
    /// A float field value is malformed or out of range (`1e400`).
    #[error("invalid float")]
    InvalidFloat,
    /// A value that is neither a number nor a string is not one of the boolean spellings.
    #[error("invalid boolean")]
    InvalidBoolean,
    /// An integer field value (`text`, without its `i`) does not fit in an i64.
    #[error(
        "unable to parse integer {text}: strconv.ParseInt: parsing \"{text}\": value out of range"
    )]
    IntegerOutOfRange {
        /// The digits, with their sign.
        text: String,
    },
    /// *tickflow*: an unsigned field value (`text`, without its `u`) does not fit in a u64.
    #[error(
        "unable to parse unsigned {text}: strconv.ParseUint: parsing \"{text}\": value out of range"
    )]
    UnsignedOutOfRange {
        /// The digits.
        text: String,
    },
    /// The timestamp holds something other than an optional `-` and digits.
    #[error("bad timestamp")]
    BadTimestamp,
    /// The timestamp does not fit in an i64.
    #[error("strconv.ParseInt: parsing \"{text}\": value out of range")]
    TimestampOutOfRange {
        /// The timestamp as written.
        text: String,
    },
    /// The timestamp is a lone `-`.
    #[error("strconv.ParseInt: parsing \"-\": invalid syntax")]
    TimestampWithoutDigits,
    /// The timestamp times the precision lies outside the times line protocol can hold.
    #[error("time outside range {} - {}", Time::MIN.nanos(), Time::MAX.nanos())]
    TimeOutOfRange,
    /// Something other than spaces follows the timestamp.
    #[error("point is invalid")]
    PointIsInvalid,
    /// The series key, or the key plus 4 plus a field key, is longer than [`MAX_KEY_LENGTH`].
    #[error("max key length exceeded: {length} > {MAX_KEY_LENGTH}")]
    MaxKeyLength {
        /// The length that was too long.
        length: usize,
    },
}

/// A line that could not be parsed: where it is, what it says and why it was rejected.
///
/// `Display` gives Kapacitor's message, `unable to parse '<line>': <reason>`, with the
/// whole line; [`LineError::located`] gives a short form with the line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse '{text}': {reason}")]
pub struct LineError {
    /// The 1-based line of the body that holds the offending byte.
    pub line: usize,
    /// The 1-based byte column of the offending byte within that line.
    pub column: usize,
    /// The offending byte's offset in the line (in `text` too, when the line is UTF-8).
    pub offset: usize,
    /// The line as Kapacitor quotes it: from its first non-whitespace byte, escapes as
    /// written (it may span several body lines when a string value holds newlines).
    /// Bytes that are not UTF-8 show as U+FFFD.
    pub text: String,
    /// Why the line was rejected.
    pub reason: Reason,
}

/// How many characters of the line [`LineError::located`] shows.
const EXCERPT_CHARS: usize = 40;

impl LineError {
    /// A short form for people: `line 3, column 11: invalid number in 'cpu value=1.2.3'`,
    /// the line cut to a few dozen characters around the offending byte.
    pub fn located(&self) -> impl fmt::Display + '_ {
        Located(self)
    }

    /// The part of the text to show: all of it if it is short, else [`EXCERPT_CHARS`]
    /// characters starting a little before the offending byte, with `…` where something
    /// was cut.
    fn excerpt(&self) -> String {
        let total = self.text.chars().count();
        if total <= EXCERPT_CHARS {
            return self.text.clone();
        }
        let before = self
            .text
            .get(..self.offset)
            .map_or(0, |s| s.chars().count());
        let skip = before
            .saturating_sub(EXCERPT_CHARS / 4)
            .min(total - EXCERPT_CHARS);
        let mut excerpt: String = self.text.chars().skip(skip).take(EXCERPT_CHARS).collect();
        if skip > 0 {
            excerpt.insert(0, '…');
        }
        if skip + EXCERPT_CHARS < total {
            excerpt.push('…');
        }
        excerpt
    }
}

struct Located<'e>(&'e LineError);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        write!(
            f,
            "line {}, column {}: {} in '{}'",
            e.line,
            e.column,
            e.reason,
            e.excerpt()
        )
    }
}

/// The error of the grammar functions: a reason and the input where it was found.
#[derive(Debug)]
pub(crate) struct Error<'a> {
    /// The input from the offending byte on (part of the line; only its start matters).
    pub(crate) at: &'a [u8],
    pub(crate) reason: Reason,
}

impl<'a> ParseError<&'a [u8]> for Error<'a> {
    /// nom's own errors come only from combinators that recover from them (`opt`); should
    /// one surface, Kapacitor's generic reason is the honest one.
    fn from_error_kind(at: &'a [u8], _: ErrorKind) -> Self {
        Error {
            at,
            reason: Reason::PointIsInvalid,
        }
    }

    fn append(_: &'a [u8], _: ErrorKind, other: Self) -> Self {
        other
    }
}

impl<'a> From<nom::Err<Error<'a>>> for Error<'a> {
    fn from(err: nom::Err<Error<'a>>) -> Self {
        match err {
            nom::Err::Error(e) | nom::Err::Failure(e) => e,
            // The grammar only uses complete-input parsers, which never ask for more.
            nom::Err::Incomplete(_) => Error {
                at: &[],
                reason: Reason::PointIsInvalid,
            },
        }
    }
}

/// The result of a grammar function.
pub(crate) type IResult<'a, O> = nom::IResult<&'a [u8], O, Error<'a>>;

/// Fails the current line at `at` (committed: nothing else is tried).
pub(crate) fn fail<O>(at: &[u8], reason: Reason) -> IResult<'_, O> {
    Err(nom::Err::Failure(Error { at, reason }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str, offset: usize) -> LineError {
        LineError {
            line: 2,
            column: offset + 1,
            offset,
            text: text.into(),
            reason: Reason::InvalidNumber,
        }
    }

    #[test]
    fn display_is_kapacitors_message() {
        assert_eq!(
            error("cpu value=1.2.3", 10).to_string(),
            "unable to parse 'cpu value=1.2.3': invalid number"
        );
        let text_reasons = [
            (
                Reason::TimeOutOfRange,
                "time outside range -9223372036854775806 - 9223372036854775806",
            ),
            (
                Reason::MaxKeyLength { length: 65540 },
                "max key length exceeded: 65540 > 65535",
            ),
            (
                Reason::TimestampWithoutDigits,
                "strconv.ParseInt: parsing \"-\": invalid syntax",
            ),
        ];
        for (reason, text) in text_reasons {
            assert_eq!(reason.to_string(), text);
        }
    }

    #[test]
    fn located_cuts_long_lines_around_the_column() {
        assert_eq!(
            error("cpu value=1.2.3", 10).located().to_string(),
            "line 2, column 11: invalid number in 'cpu value=1.2.3'"
        );
        let long = format!("cpu {}bad=x", "a=1,".repeat(30));
        let e = error(&long, long.len() - 1);
        assert_eq!(
            e.located().to_string(),
            format!(
                "line 2, column {}: invalid number in '…{}'",
                long.len(),
                &long[long.len() - 40..]
            )
        );
        let e = error(&long, 0);
        let start = format!("cpu {}…", "a=1,".repeat(9));
        assert!(e.located().to_string().ends_with(&format!("in '{start}'")));
    }
}
