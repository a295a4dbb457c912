//! Escape rules per component, in one place for the parser (unescaping) and the writer
//! (escaping).
//!
//! A backslash escapes a byte only where Kapacitor's unescaper drops it: before `,`, space,
//! `=` and `"` in measurements and field keys, before `,`, space and `=` in tags, and before
//! `"` and `\` in string values. Any other backslash is an ordinary byte (`eas\t` is
//! `eas\t`). So `\\,` reads as `\,` and a text ending in a backslash cannot be written at
//! all: the backslash would escape the separator after it.

use std::borrow::Cow;
use std::fmt;

use memchr::{memchr, memchr2};

/// A part of a line that has its own escape rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// The measurement name.
    Measurement,
    /// A tag key.
    TagKey,
    /// A tag value.
    TagValue,
    /// A field key.
    FieldKey,
}

impl Component {
    /// The bytes a backslash escapes when reading this component.
    pub(crate) const fn escaped(self) -> &'static [u8] {
        match self {
            Component::Measurement | Component::FieldKey => b", =\"",
            Component::TagKey | Component::TagValue => b", =",
        }
    }

    /// The bytes the writer must escape: those that would end the component (Kapacitor's
    /// own escaper makes the same choice, leaving `=` and `"` bare in measurements).
    pub(crate) const fn must_escape(self) -> &'static [u8] {
        match self {
            Component::Measurement => b", ",
            Component::TagKey | Component::TagValue => b", =",
            Component::FieldKey => b", =\"",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Component::Measurement => "measurement",
            Component::TagKey => "tag key",
            Component::TagValue => "tag value",
            Component::FieldKey => "field key",
        })
    }
}

/// `raw` with the backslash dropped before each byte of `escaped`.
pub(crate) fn unescape<'a>(raw: &'a [u8], escaped: &[u8]) -> Cow<'a, [u8]> {
    drop_backslashes(raw, |next| escaped.contains(&next))
}

/// Whether `text`, an unescaped name or key, is also its own raw text: true when it has no
/// backslash. (`\,` reads as `,` but the name `\,` is written `\\,`; without backslashes
/// nothing is unescaped.) Caches use this to compare raw bytes with a string they hold.
pub(crate) fn is_verbatim(text: &str) -> bool {
    memchr(b'\\', text.as_bytes()).is_none()
}

/// A string field value's content with `\"` and `\\` unescaped, left to right; other
/// backslashes stay.
pub(crate) fn unescape_string(raw: &[u8]) -> Cow<'_, [u8]> {
    drop_backslashes(raw, |next| next == b'"' || next == b'\\')
}

/// Copies `raw` dropping each backslash for which `escapes(next byte)` holds; the escaped
/// byte is copied as it is and never starts an escape itself.
fn drop_backslashes(raw: &[u8], escapes: impl Fn(u8) -> bool) -> Cow<'_, [u8]> {
    if memchr(b'\\', raw).is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        match bytes.peek() {
            Some(&next) if byte == b'\\' && escapes(next) => {
                out.push(next);
                bytes.next();
            }
            _ => out.push(byte),
        }
    }
    Cow::Owned(out)
}

/// Appends `text` escaped as `component`; the caller has checked that it is representable.
pub(crate) fn escape_into(out: &mut Vec<u8>, text: &str, component: Component) {
    let must = component.must_escape();
    for &byte in text.as_bytes() {
        if must.contains(&byte) {
            out.push(b'\\');
        }
        out.push(byte);
    }
}

/// Appends a string field value between quotes with `"` and `\` escaped.
pub(crate) fn escape_string_into(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let mut rest = text.as_bytes();
    while let Some(i) = memchr2(b'"', b'\\', rest) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(&[b'\\', rest[i]]);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescaped(raw: &str, component: Component) -> String {
        String::from_utf8(unescape(raw.as_bytes(), component.escaped()).into_owned()).unwrap()
    }

    #[test]
    fn unescapes_per_component() {
        assert_eq!(
            unescaped(r#"cpu\ load\,x\=y\"z"#, Component::Measurement),
            r#"cpu load,x=y"z"#
        );
        assert_eq!(unescaped(r#"1\"\""#, Component::TagValue), r#"1\"\""#);
        assert_eq!(unescaped(r"\\,\,\=east", Component::TagValue), r"\,,=east");
        assert_eq!(unescaped(r"eas\t", Component::TagValue), r"eas\t");
        assert_eq!(unescaped(r"\#cpu", Component::Measurement), r"\#cpu");
        assert_eq!(unescaped("plain", Component::FieldKey), "plain");
    }

    #[test]
    fn unescapes_strings_left_to_right() {
        let s =
            |raw: &str| String::from_utf8(unescape_string(raw.as_bytes()).into_owned()).unwrap();
        assert_eq!(s(r#"test\\\""#), r#"test\""#);
        assert_eq!(s(r"a\nb\,c"), r"a\nb\,c");
        assert_eq!(s(r"a\\b"), r"a\b");
    }

    #[test]
    fn escapes_what_would_end_the_component() {
        let escaped = |text: &str, component| {
            let mut out = Vec::new();
            escape_into(&mut out, text, component);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            escaped(r#"a b,c=d"e"#, Component::Measurement),
            r#"a\ b\,c=d"e"#
        );
        assert_eq!(
            escaped(r#"a b,c=d"e"#, Component::TagValue),
            r#"a\ b\,c\=d"e"#
        );
        assert_eq!(
            escaped(r#"a b,c=d"e"#, Component::FieldKey),
            r#"a\ b\,c\=d\"e"#
        );
        let mut out = Vec::new();
        escape_string_into(&mut out, r#"say "hi" \o/"#);
        assert_eq!(out, br#""say \"hi\" \\o/""#);
    }
}
