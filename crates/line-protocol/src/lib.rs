//! InfluxDB line protocol as Kapacitor reads it: a parser from write bodies to tickflow
//! [`Point`](tickflow_model::Point)s, and a writer back.
//!
//! The main types are [`Parser`] (configured with a [`Precision`], the request's time and a
//! [`Dbrp`](tickflow_model::Dbrp)), which turns a body into [`Parsed`]: the points of the
//! good lines and a [`LineError`] (line, column, the line's text and a [`Reason`]) for every
//! bad one; and [`write_point`], which writes a point back as canonical line protocol or
//! says why it cannot ([`WriteError`]). [`Parser::parse_lines`] yields the lines' results
//! one by one, and [`Parser::parse_into`] fills a reused [`Parsed`].
//!
//! # Compatibility
//!
//! The parser reproduces Kapacitor's (InfluxDB 1.9.6 `models.ParsePointsWithPrecision`),
//! quirks included: which lines are accepted, the values they give, and each error's
//! reason, so `LineError`'s `Display` is Kapacitor's `unable to parse '<line>': <reason>`.
//! A line ends at a newline outside a string value; escapes depend on the component
//! (`\"` is an escape in names and field keys, not in tags); a number without `i` is a
//! float; duplicate tag keys are an error, duplicate field keys are not (the last one wins,
//! type included); blank lines and `#` comment lines are skipped.
//!
//! Where Kapacitor is needlessly strict or silently wrong, tickflow does better:
//!
//! * **Unsigned integers**: `value=42u` is accepted as an unsigned field (u64, range
//!   checked: `unable to parse unsigned …: value out of range`); Kapacitor's release build
//!   rejects every `u` value with `invalid number`. `-1u` is still `invalid number`.
//! * **CRLF line endings**: one `\r` right before a line's end (outside a string value) is
//!   dropped, so `cpu value=1\r\n` is a point and a `\r\n` line is blank; Kapacitor rejects
//!   such lines (`invalid number`, `bad timestamp`). A `\r` anywhere else is kept.
//! * **Unknown precisions**: [`Precision`]'s `FromStr` accepts `n`, `ns`, `u`, `us`, `µ`,
//!   `ms`, `s`, `m`, `h` (empty means `n`) and rejects anything else with
//!   `unknown precision "x": expected one of …`; Kapacitor reads `ns`, `us`, `µ` and typos
//!   silently as nanoseconds.
//! * **A field key made empty by skipped whitespace**: `cpu <TAB>=1` is `missing field key`,
//!   like `cpu =1`; Kapacitor accepts it and silently drops the field, leaving a point with
//!   no fields.
//! * **Error positions**: every [`LineError`] names the body line and byte column of the
//!   offending byte, and [`Parsed`] reports every bad line along with the good points.
//!
//! The writer leaves out tags with an empty value (as Kapacitor's own writer does: line
//! protocol cannot express them) and refuses, with a [`Problem`], the few texts that no
//! escaping reads back unchanged: an empty name or key, a newline outside a string, a
//! trailing backslash, a backslash before a character it would escape, a measurement
//! starting with `#` and a measurement or field key starting with a tab or NUL.
//!
//! Two more differences follow from tickflow's data model: strings are UTF-8, so bytes
//! that are not are replaced by U+FFFD (Kapacitor passes them through, and its JSON output
//! replaces them the same way), and the text of an error on a CRLF line has no `\r`.
//!
//! # Speed
//!
//! Lines without a backslash or quote (nearly all) are split with `memchr`, and their
//! separators found the same way. Measurement names, field keys and whole tag sets are
//! interned per parser, so the points of a series share their strings and their tag map,
//! and a tag set is unescaped and checked once; the sorted order of a line's field keys
//! is reused for the next line with the same keys. Plain decimals are converted on
//! Clinger's exact fast path, the rest by the standard library.
//!
//! ```
//! use tickflow_line_protocol::{write_point, Parser, Precision};
//! use tickflow_model::{Dbrp, FieldValue, Time};
//!
//! let now = Time::from_nanos(1_451_606_400_123_456_789);
//! let mut parser = Parser::new("s".parse()?, now).with_dbrp(Dbrp::new("printer", "autogen"));
//! let body = b"temperatures,printer=p1 hotend=220.5,fan=true 1451606400\n\
//!              temperatures,printer=p1 hotend=221i\n\
//!              temperatures hotend=1.2.3\n";
//! let parsed = parser.parse(body);
//!
//! let [first, second] = &parsed.points[..] else { panic!("two points") };
//! assert_eq!(first.tags.get("printer").map(|v| &**v), Some("p1"));
//! assert_eq!(first.fields.get("hotend"), Some(&FieldValue::Float(220.5)));
//! assert_eq!(second.time.to_rfc3339(), "2016-01-01T00:00:00Z"); // now, truncated to seconds
//! assert!(first.tags.ptr_eq(&second.tags)); // one series, one tag map
//!
//! let error = &parsed.errors[0];
//! assert_eq!(error.to_string(), "unable to parse 'temperatures hotend=1.2.3': invalid number");
//! assert_eq!(error.located().to_string(), "line 3, column 24: invalid number in 'temperatures hotend=1.2.3'");
//!
//! let mut out = Vec::new();
//! write_point(&mut out, first, Precision::Second)?;
//! assert_eq!(out, b"temperatures,printer=p1 fan=true,hotend=220.5 1451606400\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod digits;
mod error;
mod escape;
mod fields;
mod intern;
mod layout;
mod lines;
mod measurement;
mod numbers;
mod parser;
mod precision;
mod scan;
mod tags;
mod timestamp;
mod value;
mod writer;

pub use error::{LineError, Reason, MAX_KEY_LENGTH};
pub use escape::Component;
pub use parser::{ParseLines, Parsed, Parser};
pub use precision::{Precision, UnknownPrecision};
pub use writer::{write_point, write_points, Problem, WriteError};
