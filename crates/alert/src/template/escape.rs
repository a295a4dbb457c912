//! The escapers: text/template's `html`, `js` and `urlquery` functions, and the
//! escaping html/template applies to every value printed in an HTML text context.

use std::fmt::Write as _;

/// text/template's `html` (Go's `template.HTMLEscapeString`).
pub(super) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_html(&mut out, s, false);
    out
}

/// html/template's escaping of a value in an HTML text context: [`html`] plus `+`.
pub(super) fn html_text(out: &mut String, s: &str) {
    escape_html(out, s, true);
}

/// The HTML escapes of both packages; only html/template escapes `+`.
fn escape_html(out: &mut String, s: &str, plus: bool) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '+' if plus => out.push_str("&#43;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// text/template's `js` (Go's `template.JSEscapeString`).
pub(super) fn js(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// text/template's `urlquery` (Go's `url.QueryEscape`): unreserved characters kept,
/// space as `+`, every other byte as `%XX`.
pub(super) fn urlquery(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapers_match_go() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>+"#),
            "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;+"
        );
        assert_eq!(
            js("it's \"x\" <b> & a=b\n\\"),
            "it\\'s \\\"x\\\" \\u003Cb\\u003E \\u0026 a\\u003Db\\u000A\\\\"
        );
        assert_eq!(urlquery("a b&c=d/é~"), "a+b%26c%3Dd%2F%C3%A9~");
        let mut out = String::new();
        html_text(&mut out, "a+b<\0");
        assert_eq!(out, "a&#43;b&lt;\u{fffd}");
    }
}
