//! Byte spans and Kapacitor's line/char positions.
//!
//! Every token and syntax-tree node carries a [`Span`] of byte offsets into the script.
//! [`Location`] turns an offset into the `line L char C` pair Kapacitor prints, both in parse
//! errors and in the evaluation errors of later stages (`line 2 char 10: ...`).

use std::fmt;
use std::ops::Range;

/// A half-open range `start..end` of byte offsets into the script.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The span from the start of `self` to the end of `other`.
    pub const fn to(self, other: Span) -> Span {
        Span::new(self.start, other.end)
    }

    /// The span as a range, to slice the script with.
    pub const fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A position as Kapacitor reports it: 1-based line and 1-based column in bytes.
///
/// The column is the byte offset minus the offset of the preceding `\n`, so a tab or a
/// multi-byte character before the position counts as its byte length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in bytes.
    pub col: usize,
}

impl Location {
    /// The location of byte `offset` in `src` (offsets past the end count as the end).
    pub fn of(src: &str, offset: usize) -> Location {
        let before = &src.as_bytes()[..offset.min(src.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let col = match before.iter().rposition(|&b| b == b'\n') {
            Some(newline) => before.len() - newline,
            None => before.len() + 1,
        };
        Location { line, col }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} char {}", self.line, self.col)
    }
}

/// A diagnostic for a terminal: `path:line:col: message`, then the source line holding
/// byte `offset` with a caret under it. Ends with a newline. Every stage's errors
/// (parsing, building the pipeline) render through this, so they all look alike.
pub fn render_diagnostic(
    src: &str,
    path: &str,
    offset: usize,
    location: Location,
    message: &dyn fmt::Display,
) -> String {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = src[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let line_end = src[offset..]
        .find('\n')
        .map_or(src.len(), |newline| offset + newline);
    let text = src[line_start..line_end].trim_end_matches('\r');
    let pad: String = src[line_start..offset]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let number = location.line.to_string();
    let gutter = " ".repeat(number.len());
    format!(
        "{path}:{}:{}: {message}\n{gutter} |\n{number} | {text}\n{gutter} | {pad}^\n",
        location.line, location.col
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_bytes_like_kapacitor() {
        let src = "a\n\n\nvar b = ";
        assert_eq!(Location::of(src, 0), Location { line: 1, col: 1 });
        assert_eq!(Location::of(src, src.len()), Location { line: 4, col: 9 });
        assert_eq!(Location::of("é\tx", 3), Location { line: 1, col: 4 });
        assert_eq!(Location::of("x", 99), Location { line: 1, col: 2 });
    }
}
