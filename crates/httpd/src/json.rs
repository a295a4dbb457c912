//! JSON the way Kapacitor's handlers write it: Go's `encoding/json` with 4-space
//! indentation, `<`, `>` and `&` escaped as `\u003c`, `\u003e`, `\u0026`, and the
//! standard error body `{"error": …, "message": …}` (kapacitor-compat.md, http-api §1.3).

use serde::Serialize;

/// `value` pretty-printed with 4 spaces and Go's HTML-safe escaping, no trailing newline.
pub(crate) fn pretty(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing our own plain structs and maps to memory cannot fail.
    let _ = value.serialize(&mut serializer);
    html_safe(&String::from_utf8_lossy(&out))
}

/// Go's escaping of `<`, `>` and `&`. In JSON text these characters only occur inside
/// strings, so replacing them everywhere escapes exactly the string contents.
fn html_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The standard error body: both keys carry the same text.
pub(crate) fn error_body(message: &str) -> String {
    #[derive(Serialize)]
    struct ErrorBody<'a> {
        error: &'a str,
        message: &'a str,
    }
    pretty(&ErrorBody {
        error: message,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_indented_with_four_spaces_and_no_newline() {
        assert_eq!(
            error_body("no task exists"),
            "{\n    \"error\": \"no task exists\",\n    \"message\": \"no task exists\"\n}"
        );
    }

    #[test]
    fn html_characters_are_escaped_as_go_does() {
        let dot = serde_json::json!({ "dot": "a -> b & <c>" });
        assert_eq!(
            pretty(&dot),
            "{\n    \"dot\": \"a -\\u003e b \\u0026 \\u003cc\\u003e\"\n}"
        );
    }
}
