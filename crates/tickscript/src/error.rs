//! Parse errors, worded exactly as Kapacitor words them (spec §2.5), and their rendering
//! with the offending source line.

use std::fmt;

use crate::lexer::LexError;
use crate::regexp::RegexError;
use crate::span::{render_diagnostic, Location};
use crate::unicode::quote_str;

/// Why a script did not parse, and where.
///
/// `Display` gives Kapacitor's one-line message, `parser: unexpected EOF line 4 char 9 in
/// "var b = ". expected: "number",…`; [`ParseError::render`] adds the source line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("parser: {kind}")]
pub struct ParseError {
    /// Byte offset of the offending token.
    pub offset: usize,
    /// 1-based line of the offending token.
    pub line: usize,
    /// 1-based column of the offending token, in bytes.
    pub col: usize,
    /// What went wrong.
    pub kind: ParseErrorKind,
}

/// The cause of a [`ParseError`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseErrorKind {
    /// A token the grammar does not allow here.
    #[error(
        "unexpected {found} line {line} char {col} in \"{snippet}\". expected: {}",
        quote_list(.expected)
    )]
    Unexpected {
        /// The token found, or the lexing error found instead of a token.
        found: Found,
        /// 1-based line of the token.
        line: usize,
        /// 1-based column of the token, in bytes.
        col: usize,
        /// Up to 10 bytes either side of the token, within its line.
        snippet: String,
        /// The token kinds the parser would have accepted.
        expected: Vec<&'static str>,
    },
    /// A number that does not convert: `09` (octal), an integer beyond i64, a non-ASCII
    /// digit.
    #[error("illegal number syntax: {}", quote_str(.0))]
    IllegalNumber(String),
    /// A duration literal whose number does not convert.
    #[error("invalid duration")]
    InvalidDuration,
    /// A duration beyond the i64 range of nanoseconds.
    #[error("overflowed duration {0}: choose a smaller duration or INF")]
    OverflowedDuration(String),
    /// A regex literal that does not compile.
    #[error("error parsing regexp: {0}")]
    InvalidRegex(RegexError),
    /// An expression nested deeper than the parser allows: 128 nested parentheses, unary
    /// operators, calls or lambdas, or a tree 1000 levels deep (a chain of 1000 methods).
    /// Kapacitor has no such limits; they keep every recursive walk on the stack.
    #[error("expression nests more than {max} levels deep line {line} char {col}")]
    TooDeep {
        /// The deepest nesting allowed.
        max: usize,
        /// 1-based line of the token where the limit was passed.
        line: usize,
        /// 1-based column of that token, in bytes.
        col: usize,
    },
}

/// What the parser found where it expected something else.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A token, by Kapacitor's name for its kind (`EOF`, `identifier`, `)`, …).
    Token(&'static str),
    /// A lexing error at that position, reported in place of a token.
    LexError(LexError),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Token(name) => f.write_str(name),
            Found::LexError(error) => error.fmt(f),
        }
    }
}

/// `"a","b"`: Go's `%q` of each name, joined by commas.
fn quote_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| quote_str(name))
        .collect::<Vec<_>>()
        .join(",")
}

impl ParseError {
    /// The error for the script at `path`, for a terminal: `path:line:col:`, the message,
    /// the source line and a caret under the column. Ends with a newline.
    ///
    /// ```
    /// let src = "var x = 5 +\n";
    /// let err = tickflow_tickscript::parse(src).unwrap_err();
    /// assert_eq!(
    ///     err.render(src, "x.tick"),
    ///     "x.tick:2:1: parser: unexpected EOF line 2 char 1 in \"\". expected: \"number\",\
    ///      \"string\",\"duration\",\"identifier\",\"TRUE\",\"FALSE\",\"==\",\"(\",\"-\",\"!\"\n  \
    ///      |\n2 | \n  | ^\n",
    /// );
    /// ```
    pub fn render(&self, src: &str, path: &str) -> String {
        let location = Location {
            line: self.line,
            col: self.col,
        };
        render_diagnostic(src, path, self.offset, location, self)
    }
}
