//! [`Parser`]: turns a write body into [`Point`]s and [`LineError`]s, one line at a time.
//!
//! ```text
//! point = measurement [ "," tag_set ] " " { WS } field_set [ " " { WS } timestamp ] { " " }
//! ```
//!
//! Each part is a grammar function of its own module; this one strings them together in
//! Kapacitor's order of checks and builds the point from the interned parts.

use memchr::memchr_iter;
use tickflow_model::{Dbrp, Dimensions, Fields, GroupId, Point, Tags, Time};

use crate::error::{field_key_length, Error, LineError, Reason, MAX_KEY_LENGTH};
use crate::fields::{field_section, FieldPairs, KeyValue, RawField};
use crate::intern::Interner;
use crate::layout::FieldLayout;
use crate::lines::{Line, Lines};
use crate::measurement::{measurement, Then};
use crate::precision::Precision;
use crate::scan::offset_in;
use crate::tags::{tag_map, tag_set, RawTag};
use crate::timestamp::timestamp;
use crate::value::{field_value, lossy};

/// Parses write bodies for one request (or a series of requests with the same precision,
/// database and retention policy).
///
/// A parser remembers the names, field keys and tag sets it has seen, so the points of one
/// series share their strings; that is why parsing takes `&mut self`.
#[derive(Debug)]
pub struct Parser {
    precision: Precision,
    default_time: Time,
    dbrp: Dbrp,
    interner: Interner,
    layout: FieldLayout,
    /// The tags of points without tags, shared.
    no_tags: Tags,
    /// The dimensions and group of every parsed point, shared.
    dimensions: Dimensions,
    group: GroupId,
}

/// What a body held: the points of the good lines and an error for each bad line, both in
/// body order.
///
/// Kapacitor writes nothing when any line is bad; [`Parsed::error_message`] gives its
/// message for that case.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// The points of the lines that parsed.
    pub points: Vec<Point>,
    /// One error per line that did not.
    pub errors: Vec<LineError>,
}

impl Parsed {
    /// Kapacitor's error for the body, `None` if every line parsed: each line's
    /// `unable to parse '<line>': <reason>`, joined by newlines.
    pub fn error_message(&self) -> Option<String> {
        let messages: Vec<String> = self.errors.iter().map(LineError::to_string).collect();
        (!messages.is_empty()).then(|| messages.join("\n"))
    }
}

impl Parser {
    /// A parser for timestamps in `precision`; lines without a timestamp get `now`
    /// truncated to the precision ([`Precision::truncate`]). The points' database and
    /// retention policy are empty until [`Parser::with_dbrp`].
    pub fn new(precision: Precision, now: Time) -> Self {
        Parser {
            precision,
            default_time: precision.truncate(now),
            dbrp: Dbrp::default(),
            interner: Interner::default(),
            layout: FieldLayout::default(),
            no_tags: Tags::new(),
            dimensions: Dimensions::default(),
            group: GroupId::nil(),
        }
    }

    /// The same parser, giving its points `dbrp`'s database and retention policy.
    pub fn with_dbrp(mut self, dbrp: Dbrp) -> Self {
        self.dbrp = dbrp;
        self
    }

    /// The precision of timestamps.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The time of points written without a timestamp.
    pub fn default_time(&self) -> Time {
        self.default_time
    }

    /// Parses a whole body: every good line's point and every bad line's error.
    pub fn parse(&mut self, body: &[u8]) -> Parsed {
        let mut parsed = Parsed::default();
        self.parse_into(body, &mut parsed);
        parsed
    }

    /// Parses a whole body like [`Parser::parse`], appending to `parsed`. A server that
    /// keeps one `Parsed` and empties it between bodies (`points.drain(..)` into the
    /// engine) spares allocating and faulting in the output vector for every body.
    pub fn parse_into(&mut self, body: &[u8], parsed: &mut Parsed) {
        parsed.points.reserve(memchr_iter(b'\n', body).count() + 1);
        for result in self.parse_lines(body) {
            match result {
                Ok(point) => parsed.points.push(point),
                Err(error) => parsed.errors.push(error),
            }
        }
    }

    /// The lines of `body` one by one, as they are parsed: a point or an error for each
    /// line that is not blank or a comment.
    pub fn parse_lines<'p, 'b>(&'p mut self, body: &'b [u8]) -> ParseLines<'p, 'b> {
        ParseLines {
            parser: self,
            lines: Lines::new(body),
            scratch: Scratch::default(),
            line: 0,
        }
    }

    /// `point`: one line, from its first non-whitespace byte.
    fn point<'a>(&mut self, line: &'a [u8], scratch: &mut Scratch<'a>) -> Result<Point, Error<'a>> {
        let (rest, (name, then)) = measurement(line)?;
        scratch.tags.clear();
        let (rest, tag_text) = match then {
            Then::Tags => tag_set(rest, &mut scratch.tags)?,
            Then::Fields => (rest, &rest[..0]),
        };
        let tags = if tag_text.is_empty() {
            self.no_tags.clone()
        } else {
            let raw_tags = &scratch.tags;
            self.interner.tag_set(tag_text, |interner| {
                tag_map(raw_tags, |raw| interner.tag_string(raw))
            })?
        };
        let key_len = line.len() - rest.len();
        if key_len > MAX_KEY_LENGTH {
            return Err(Error {
                at: line,
                reason: Reason::MaxKeyLength { length: key_len },
            });
        }
        if let Some((rest, fields)) = self.layout.predicted(rest, key_len) {
            let (_, time) = timestamp(rest, self.precision)?;
            return Ok(self.build(name, tags, fields, time));
        }
        scratch.fields.clear();
        let (rest, section) = field_section(rest, &mut scratch.fields)?;
        let mut converted = Ok(());
        if section.plain {
            check_key_lengths(key_len, scratch.fields.iter().map(|&(key, _)| key))?;
        } else {
            // Kapacitor splits the section again, checking each field's key length as it
            // goes, and converts the values once the whole line is read.
            scratch.raw.clear();
            let split = FieldPairs::new(section)
                .try_for_each(|field| field.map(|field| scratch.raw.push(field)));
            check_key_lengths(key_len, scratch.raw.iter().map(|&(key, _)| key))?;
            split?;
            scratch.fields.clear();
            converted = scratch.raw.iter().try_for_each(|&(key, value)| {
                if key.is_empty() {
                    return Err(Error {
                        at: key,
                        reason: Reason::MissingFieldKey,
                    });
                }
                let value = field_value(value).map_err(|reason| Error { at: value, reason })?;
                scratch.fields.push((key, value));
                Ok(())
            });
        }
        let (_, time) = timestamp(rest, self.precision)?;
        converted?;
        let interner = &mut self.interner;
        let fields = self
            .layout
            .fields(&mut scratch.fields, |raw| interner.name(raw));
        Ok(self.build(name, tags, fields, time))
    }

    /// The point of a line from its parts.
    fn build(&mut self, name: &[u8], tags: Tags, fields: Fields, time: Option<Time>) -> Point {
        Point {
            name: self.interner.measurement(name),
            database: self.dbrp.database.clone(),
            retention_policy: self.dbrp.retention_policy.clone(),
            tags,
            fields,
            time: time.unwrap_or(self.default_time),
            dimensions: self.dimensions.clone(),
            group: self.group.clone(),
        }
    }
}

/// Space for the parts of a line, reused from line to line.
#[derive(Default)]
struct Scratch<'a> {
    tags: Vec<RawTag<'a>>,
    /// The fields as the section splits, when it is not plain.
    raw: Vec<RawField<'a>>,
    /// The fields with their values.
    fields: Vec<KeyValue<'a>>,
}

/// Kapacitor's bound on the series key (`key_len` bytes) plus 4 plus each field key.
fn check_key_lengths<'a>(
    key_len: usize,
    keys: impl Iterator<Item = &'a [u8]>,
) -> Result<(), Error<'a>> {
    for key in keys {
        let length = field_key_length(key_len, key.len());
        if length > MAX_KEY_LENGTH {
            return Err(Error {
                at: key,
                reason: Reason::MaxKeyLength { length },
            });
        }
    }
    Ok(())
}

/// The results of the lines of one body, in order: see [`Parser::parse_lines`].
pub struct ParseLines<'p, 'b> {
    parser: &'p mut Parser,
    lines: Lines<'b>,
    scratch: Scratch<'b>,
    /// The body line the last item started on.
    line: usize,
}

impl ParseLines<'_, '_> {
    /// The 1-based body line that the last item yielded started on (0 before the first),
    /// so a caller can name the line of a good point too.
    ///
    /// ```
    /// use tickflow_line_protocol::Parser;
    /// use tickflow_model::Time;
    ///
    /// let mut parser = Parser::new("s".parse()?, Time::from_nanos(0));
    /// let mut lines = parser.parse_lines(b"# header\n\ncpu value=1 1\nbad\ncpu value=2 2\n");
    /// let mut seen = Vec::new();
    /// while let Some(result) = lines.next() {
    ///     seen.push((lines.line(), result.is_ok()));
    /// }
    /// assert_eq!(seen, [(3, true), (4, false), (5, true)]);
    /// # Ok::<(), tickflow_line_protocol::UnknownPrecision>(())
    /// ```
    pub fn line(&self) -> usize {
        self.line
    }
}

impl Iterator for ParseLines<'_, '_> {
    type Item = Result<Point, LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.lines.next()?;
        self.line = line.number;
        Some(
            self.parser
                .point(line.text, &mut self.scratch)
                .map_err(|error| line_error(line, error)),
        )
    }
}

/// The error of `line` for `error`, with the line and column of the offending byte.
fn line_error(line: Line<'_>, error: Error<'_>) -> LineError {
    let offset = offset_in(line.text, error.at);
    let (number, column) = line.position(offset);
    LineError {
        line: number,
        column,
        offset,
        text: lossy(line.text),
        reason: error.reason,
    }
}
