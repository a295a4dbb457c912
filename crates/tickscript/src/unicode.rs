//! Character classes as Go's `unicode` package defines them, and Go's `%q` quoting.
//!
//! Kapacitor's lexer decides with `unicode.IsLetter` (general category L), `unicode.IsDigit`
//! (category Nd) and `unicode.IsSpace`; its error messages quote characters with `%q`, which
//! escapes what `unicode.IsPrint` rejects. Rust's `char::is_alphabetic` and
//! `char::is_numeric` are wider (they include marks and letter-like numbers), so the
//! non-ASCII categories come from `regex-syntax`'s Unicode tables instead.

use std::sync::LazyLock;

use regex_syntax::hir::{Class, HirKind};

/// Sorted, non-overlapping inclusive ranges of one Unicode class.
struct Table(Vec<(char, char)>);

impl Table {
    /// The ranges of a class written as a regex, e.g. `\p{L}`.
    fn of_class(pattern: &str) -> Table {
        let ranges = match regex_syntax::parse(pattern).map(|hir| hir.into_kind()) {
            Ok(HirKind::Class(Class::Unicode(class))) => class
                .ranges()
                .iter()
                .map(|range| (range.start(), range.end()))
                .collect(),
            _ => Vec::new(),
        };
        Table(ranges)
    }

    fn contains(&self, c: char) -> bool {
        let after = self.0.partition_point(|&(_, end)| end < c);
        self.0.get(after).is_some_and(|&(start, _)| start <= c)
    }
}

static LETTERS: LazyLock<Table> = LazyLock::new(|| Table::of_class(r"\p{L}"));
static DIGITS: LazyLock<Table> = LazyLock::new(|| Table::of_class(r"\p{Nd}"));
static GRAPHIC: LazyLock<Table> = LazyLock::new(|| Table::of_class(r"[\p{L}\p{M}\p{N}\p{P}\p{S}]"));

/// Go's `unicode.IsLetter`: general category L.
pub(crate) fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        LETTERS.contains(c)
    }
}

/// Go's `unicode.IsDigit`: general category Nd.
pub(crate) fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        DIGITS.contains(c)
    }
}

/// Go's `unicode.IsSpace`, which is Unicode's `White_Space` property like Rust's.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `unicode.IsPrint`: categories L, M, N, P, S and the ASCII space.
fn is_print(c: char) -> bool {
    if c.is_ascii() {
        c == ' ' || c.is_ascii_graphic()
    } else {
        GRAPHIC.contains(c)
    }
}

/// Go's `%q` of a rune: `'x'`, `'\''`, `'\x00'`, `'\u200b'`.
pub(crate) fn quote_char(c: char) -> String {
    let mut out = String::from('\'');
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `%q` of a string: `"09"`, `"a\"b"`.
pub(crate) fn quote_str(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Appends `c` as Go's `strconv` quoting writes it inside `quote` marks.
fn push_escaped(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    let escape = match c {
        '\u{7}' => "\\a",
        '\u{8}' => "\\b",
        '\u{c}' => "\\f",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\u{b}' => "\\v",
        _ => "",
    };
    if !escape.is_empty() {
        out.push_str(escape);
    } else if u32::from(c) < 0x20 || c == '\u{7f}' {
        out.push_str(&format!("\\x{:02x}", u32::from(c)));
    } else if u32::from(c) < 0x10000 {
        out.push_str(&format!("\\u{:04x}", u32::from(c)));
    } else {
        out.push_str(&format!("\\U{:08x}", u32::from(c)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_go() {
        assert!(is_letter('é') && is_letter('ß') && is_letter('語'));
        assert!(
            !is_letter('\u{301}'),
            "combining marks are not letters in Go"
        );
        assert!(!is_letter('Ⅻ'), "letter numbers are not letters in Go");
        assert!(is_digit('٣') && !is_digit('²') && !is_digit('½'));
        assert!(is_space('\u{85}') && is_space('\u{a0}') && !is_space('\u{feff}'));
    }

    #[test]
    fn quoting_follows_go() {
        assert_eq!(quote_char('_'), "'_'");
        assert_eq!(quote_char('\''), r"'\''");
        assert_eq!(quote_char('\\'), r"'\\'");
        assert_eq!(quote_char('\0'), r"'\x00'");
        assert_eq!(quote_char('\u{7f}'), r"'\x7f'");
        assert_eq!(quote_char('\u{ad}'), r"'\u00ad'");
        assert_eq!(quote_char('\u{feff}'), r"'\ufeff'");
        assert_eq!(quote_char('\u{e0001}'), r"'\U000e0001'");
        assert_eq!(quote_char('€'), "'€'");
        assert_eq!(quote_str("0٣\"\t"), "\"0٣\\\"\\t\"");
    }
}
