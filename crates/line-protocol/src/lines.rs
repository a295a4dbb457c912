//! [`Lines`]: splits a body into the lines that hold points, the way Kapacitor does.
//!
//! A line ends at a newline that is not inside a string value and does not follow a
//! backslash (with at least two more bytes after it), so a string value may span several
//! body lines and `\` + newline glues two lines. Empty lines, lines of spaces, tabs and NULs,
//! and lines whose first other byte is `#` are skipped. tickflow also drops one `\r` before
//! the line end (outside a string), so CRLF bodies work; Kapacitor rejects them.
//!
//! Most lines have no backslash and no quote: for those a line is simply "up to the next
//! newline", found with `memchr`; the others go through [`scan_line`], a copy of
//! Kapacitor's scanner.

use memchr::{memchr2, memchr_iter};

use crate::scan::is_whitespace;

/// A line that holds a point (not blank, not a comment).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// The line from its first non-whitespace byte, without its end.
    pub(crate) text: &'a [u8],
    /// The 1-based body line that `text` starts on.
    pub(crate) number: usize,
    /// The 1-based byte column that `text` starts at.
    pub(crate) column: usize,
}

impl<'a> Line<'a> {
    /// The line in `block` (a body line without its newline), unless it is blank or a comment.
    fn new(block: &'a [u8], quoted: bool, number: usize) -> Option<Self> {
        // A line that ran to the end of the body inside a string may end with a newline.
        let block = block.strip_suffix(b"\n").unwrap_or(block);
        let block = if quoted {
            block
        } else {
            block.strip_suffix(b"\r").unwrap_or(block)
        };
        let start = block.iter().position(|&b| !is_whitespace(b))?;
        let text = &block[start..];
        (text[0] != b'#').then_some(Line {
            text,
            number,
            column: start + 1,
        })
    }

    /// The 1-based body line and column of byte `offset` of `text`.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        match memchr::memrchr(b'\n', before) {
            None => (self.number, self.column + before.len()),
            Some(last) => (
                self.number + memchr_iter(b'\n', before).count(),
                before.len() - last,
            ),
        }
    }
}

/// The lines of a body that hold points, in order.
pub(crate) struct Lines<'a> {
    body: &'a [u8],
    /// Where the next line starts.
    pos: usize,
    /// The body line number at `pos`.
    number: usize,
    /// The first backslash or quote at or after `pos` (or the body's length): lines that
    /// end before it take the fast path.
    special: usize,
    /// Finds line ends.
    newline: Newline,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(body: &'a [u8]) -> Self {
        let special = memchr2(b'\\', b'"', body).unwrap_or(body.len());
        Lines {
            body,
            pos: 0,
            number: 1,
            special,
            newline: Newline::new(),
        }
    }
}

/// A newline finder built once per body. Lines are short, so `memchr`'s cost per call (an
/// indirect call that sets up its AVX2 registers) outweighs its search; on x86-64 the
/// search is SSE2's, set up once and inlined here.
#[derive(Clone, Copy)]
struct Newline {
    #[cfg(target_arch = "x86_64")]
    sse2: Option<memchr::arch::x86_64::sse2::memchr::One>,
}

impl Newline {
    fn new() -> Self {
        Newline {
            #[cfg(target_arch = "x86_64")]
            sse2: memchr::arch::x86_64::sse2::memchr::One::new(b'\n'),
        }
    }

    /// The offset of the first newline in `text`.
    #[inline]
    fn find(&self, text: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(sse2) = &self.sse2 {
            return sse2.find(text);
        }
        memchr::memchr(b'\n', text)
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        while self.pos < self.body.len() {
            let start = self.pos;
            let rest = &self.body[start..];
            if self.special < start {
                self.special = memchr2(b'\\', b'"', rest).map_or(self.body.len(), |i| start + i);
            }
            let newline = self
                .newline
                .find(rest)
                .map_or(self.body.len(), |i| start + i);
            let (end, quoted, glued) = if newline < self.special {
                (newline, false, 0)
            } else {
                let (len, quoted) = scan_line(rest);
                (
                    start + len,
                    quoted,
                    memchr_iter(b'\n', &rest[..len]).count(),
                )
            };
            let number = self.number;
            self.number += 1 + glued;
            self.pos = end + 1;
            if let Some(line) = Line::new(&self.body[start..end], quoted, number) {
                return Some(line);
            }
        }
        None
    }
}

/// Kapacitor's line scanner: the length of the line at the start of `rest` and whether it
/// ended inside a string.
///
/// A backslash followed by at least two more bytes skips the byte after it. Quotes count
/// only after the first unescaped space (the end of the key), and only where a value is
/// expected: when more `=` than `,` have been seen outside strings.
fn scan_line(rest: &[u8]) -> (usize, bool) {
    let (mut quoted, mut fields) = (false, false);
    let (mut equals, mut commas) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&byte) = rest.get(i) {
        if byte == b'\\' && i + 2 < rest.len() {
            i += 2;
            continue;
        }
        fields |= byte == b' ';
        if fields {
            match byte {
                b'=' if !quoted => equals += 1,
                b',' if !quoted => commas += 1,
                b'"' if equals > commas => quoted = !quoted,
                _ => {}
            }
        }
        if byte == b'\n' && !quoted {
            break;
        }
        i += 1;
    }
    (i, quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(body: &[u8]) -> Vec<(String, usize, usize)> {
        Lines::new(body)
            .map(|l| {
                (
                    String::from_utf8_lossy(l.text).into_owned(),
                    l.number,
                    l.column,
                )
            })
            .collect()
    }

    #[test]
    fn skips_blank_lines_and_comments() {
        let body = b"\n  \t\n# comment\n   # indented\ncpu v=1\n\0mem v=2\n";
        assert_eq!(
            lines(body),
            [("cpu v=1".into(), 5, 1), ("mem v=2".into(), 6, 2)]
        );
        assert!(lines(b"").is_empty());
        assert!(lines(b"\n\n").is_empty());
    }

    #[test]
    fn strings_and_backslashes_glue_lines() {
        let body = b"cpu value=\"line1\nline2\" 1\ncpu,t=a\\\nb value=1\nnext v=1";
        assert_eq!(
            lines(body),
            [
                ("cpu value=\"line1\nline2\" 1".into(), 1, 1),
                ("cpu,t=a\\\nb value=1".into(), 3, 1),
                ("next v=1".into(), 5, 1)
            ]
        );
    }

    #[test]
    fn quotes_count_only_in_value_position() {
        let body = b"cpu \"a=1\ncpu value=2 1";
        assert_eq!(lines(body).len(), 2);
        let body = b"baz,mytag=\"a x=1 1441103862125\nbaz,mytag=a z=1 1441103862126";
        assert_eq!(lines(body).len(), 2);
    }

    #[test]
    fn drops_one_carriage_return_outside_strings() {
        assert_eq!(
            lines(b"cpu v=1\r\n\r\nmem v=2\r"),
            [("cpu v=1".into(), 1, 1), ("mem v=2".into(), 3, 1)]
        );
        assert_eq!(lines(b"cpu v=\"a\r")[0].0, "cpu v=\"a\r");
    }

    #[test]
    fn positions_count_glued_lines() {
        let body = b"x\n  cpu value=\"a\nbc\" 1";
        let line = Lines::new(body).next().unwrap();
        assert_eq!(line.number, 1);
        let line = Lines::new(body).nth(1).unwrap();
        assert_eq!(line.position(0), (2, 3));
        assert_eq!(line.position(13), (3, 1));
        assert_eq!(line.position(15), (3, 3));
    }
}
