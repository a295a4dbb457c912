//! A small JSON writer that produces exactly what Go's `encoding/json` produces
//! (kapacitor-compat.md, alert-data §2), so documents sent to handlers match Kapacitor's byte for byte.
//!
//! [`JsonWriter`] is a builder over a `String`: the caller opens objects and arrays, writes
//! keys in the order it wants and values in between; the writer inserts the commas. Strings
//! are escaped HTML-safe (`<` → `\u003c`), floats use Go's shortest round-trip format, and a
//! NaN or infinite float is an [`EncodeError`]: such a document cannot be encoded.

use std::fmt::Write as _;

/// A value Go's `encoding/json` refuses to encode.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum EncodeError {
    /// A float that is NaN or ±Inf (Go: `json: unsupported value: NaN`).
    #[error("json: unsupported value: {0}")]
    NonFinite(f64),
}

/// Builds one JSON text in Go `encoding/json` style; see the [module docs](self).
#[derive(Debug, Default)]
pub struct JsonWriter {
    out: String,
    /// Whether the next key or array element must be preceded by a comma.
    need_comma: bool,
}

impl JsonWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The JSON written so far.
    pub fn finish(self) -> String {
        self.out
    }

    /// Writes the separator owed before a new key or array element.
    fn separate(&mut self) {
        if self.need_comma {
            self.out.push(',');
        }
        self.need_comma = true;
    }

    /// Opens an object (`{`).
    pub fn begin_object(&mut self) -> &mut Self {
        self.separate();
        self.out.push('{');
        self.need_comma = false;
        self
    }

    /// Closes the innermost object (`}`).
    pub fn end_object(&mut self) -> &mut Self {
        self.out.push('}');
        self.need_comma = true;
        self
    }

    /// Opens an array (`[`).
    pub fn begin_array(&mut self) -> &mut Self {
        self.separate();
        self.out.push('[');
        self.need_comma = false;
        self
    }

    /// Closes the innermost array (`]`).
    pub fn end_array(&mut self) -> &mut Self {
        self.out.push(']');
        self.need_comma = true;
        self
    }

    /// Writes an object key; the next call must write its value.
    pub fn key(&mut self, key: &str) -> &mut Self {
        self.separate();
        self.escape(key);
        self.out.push(':');
        self.need_comma = false;
        self
    }

    /// Writes a string value with Go's HTML-safe escaping.
    pub fn string(&mut self, value: &str) -> &mut Self {
        self.separate();
        self.escape(value);
        self
    }

    /// Writes a float the way Go does; fails for NaN and ±Inf, writing nothing.
    pub fn float(&mut self, value: f64) -> Result<&mut Self, EncodeError> {
        if !value.is_finite() {
            return Err(EncodeError::NonFinite(value));
        }
        self.separate();
        let abs = value.abs();
        if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
            // Rust's `{:e}` is shortest round-trip like Go's `'e', -1`, but writes `1e21`
            // and `1e-7` where Go writes `1e+21` and `1e-07`; encoding/json then trims
            // the exponent's leading zero, giving `1e+21` and `1e-7`.
            let formatted = format!("{value:e}");
            let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
            self.out.push_str(mantissa);
            self.out.push('e');
            if !exponent.starts_with('-') {
                self.out.push('+');
            }
            self.out.push_str(exponent);
        } else {
            // Display is shortest round-trip in plain decimal, `80` for 80.0, `-0` for -0.0.
            let _ = write!(self.out, "{value}");
        }
        Ok(self)
    }

    /// Writes a signed integer.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        let _ = write!(self.out, "{value}");
        self
    }

    /// Writes an unsigned integer.
    pub fn uint(&mut self, value: u64) -> &mut Self {
        self.separate();
        let _ = write!(self.out, "{value}");
        self
    }

    /// Writes `true` or `false`.
    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.separate();
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// Writes `null`.
    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.out.push_str("null");
        self
    }

    /// Appends `value` as a quoted JSON string (Go `encodeState.string` with `escapeHTML`).
    fn escape(&mut self, value: &str) {
        self.out.push('"');
        let mut clean_from = 0;
        for (i, c) in value.char_indices() {
            let escaped = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => "",
                _ => continue,
            };
            self.out.push_str(&value[clean_from..i]);
            if escaped.is_empty() {
                let _ = write!(self.out, "\\u{:04x}", u32::from(c));
            } else {
                self.out.push_str(escaped);
            }
            clean_from = i + c.len_utf8();
        }
        self.out.push_str(&value[clean_from..]);
        self.out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn string(s: &str) -> String {
        let mut w = JsonWriter::new();
        w.string(s);
        w.finish()
    }

    fn float(x: f64) -> Result<String, EncodeError> {
        let mut w = JsonWriter::new();
        w.float(x)?;
        Ok(w.finish())
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_whitespace() {
        assert_eq!(string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(string("l1\nl2\r\tx"), r#""l1\nl2\r\tx""#);
    }

    #[test]
    fn strings_escape_other_control_characters_as_u00xx() {
        assert_eq!(
            string("\0\u{1}\u{8}\u{c}\u{1f}"),
            r#""\u0000\u0001\u0008\u000c\u001f""#
        );
        // DEL is not a control character for encoding/json.
        assert_eq!(string("\u{7f}"), "\"\u{7f}\"");
    }

    #[test]
    fn strings_are_html_safe() {
        assert_eq!(string("<b>&</b>"), r#""\u003cb\u003e\u0026\u003c/b\u003e""#);
        assert_eq!(string("&#34;"), r#""\u0026#34;""#);
    }

    #[test]
    fn strings_escape_line_and_paragraph_separators() {
        assert_eq!(string("a\u{2028}b\u{2029}"), r#""a\u2028b\u2029""#);
    }

    #[test]
    fn other_non_ascii_stays_raw_utf8() {
        assert_eq!(string("é☃𝄞'+"), "\"é☃𝄞'+\"");
    }

    #[test]
    fn integral_floats_have_no_fraction() {
        assert_eq!(float(80.0).as_deref(), Ok("80"));
        assert_eq!(float(1_000_000.0).as_deref(), Ok("1000000"));
        assert_eq!(float(1e20).as_deref(), Ok("100000000000000000000"));
        assert_eq!(
            float(123_456_789_012_345_678.0).as_deref(),
            Ok("123456789012345680")
        );
    }

    #[test]
    fn floats_are_shortest_round_trip() {
        assert_eq!(float(95.5).as_deref(), Ok("95.5"));
        assert_eq!(float(0.1).as_deref(), Ok("0.1"));
        assert_eq!(float(0.1 + 0.2).as_deref(), Ok("0.30000000000000004"));
        assert_eq!(float(-2.5).as_deref(), Ok("-2.5"));
    }

    #[test]
    fn zeros_are_plain_and_negative_zero_keeps_its_sign() {
        assert_eq!(float(0.0).as_deref(), Ok("0"));
        assert_eq!(float(-0.0).as_deref(), Ok("-0"));
    }

    #[test]
    fn plain_decimal_between_1e_minus_6_and_1e21() {
        assert_eq!(float(1e-6).as_deref(), Ok("0.000001"));
        assert_eq!(float(-1e-6).as_deref(), Ok("-0.000001"));
        assert_eq!(
            float(999_999_999_999_999_900_000.0).as_deref(),
            Ok("999999999999999900000")
        );
    }

    #[test]
    fn exponent_form_outside_that_range() {
        assert_eq!(float(1e21).as_deref(), Ok("1e+21"));
        assert_eq!(float(-1.5e300).as_deref(), Ok("-1.5e+300"));
        assert_eq!(float(1e-7).as_deref(), Ok("1e-7"));
        assert_eq!(float(1.25e-10).as_deref(), Ok("1.25e-10"));
        assert_eq!(float(5e-324).as_deref(), Ok("5e-324"));
        assert_eq!(float(f64::MAX).as_deref(), Ok("1.7976931348623157e+308"));
    }

    #[test]
    fn nan_and_infinities_cannot_be_encoded() {
        assert_eq!(
            float(f64::INFINITY),
            Err(EncodeError::NonFinite(f64::INFINITY))
        );
        assert_eq!(
            float(f64::NEG_INFINITY),
            Err(EncodeError::NonFinite(f64::NEG_INFINITY))
        );
        let err = float(f64::NAN).expect_err("NaN must fail");
        assert_eq!(err.to_string(), "json: unsupported value: NaN");
        assert_eq!(
            EncodeError::NonFinite(f64::NEG_INFINITY).to_string(),
            "json: unsupported value: -inf"
        );
    }

    #[test]
    fn integers_booleans_and_null() {
        let mut w = JsonWriter::new();
        w.begin_array()
            .int(i64::MIN)
            .uint(u64::MAX)
            .bool(true)
            .bool(false)
            .null()
            .end_array();
        assert_eq!(
            w.finish(),
            "[-9223372036854775808,18446744073709551615,true,false,null]"
        );
    }

    #[test]
    fn objects_keep_caller_key_order_and_nest() {
        let mut w = JsonWriter::new();
        w.begin_object().key("b").int(1).key("a<").begin_array();
        w.begin_object().end_object().begin_array().end_array();
        w.end_array().key("c").string("x").end_object();
        assert_eq!(w.finish(), r#"{"b":1,"a\u003c":[{},[]],"c":"x"}"#);
    }

    proptest! {
        #[test]
        fn strings_round_trip_through_a_json_parser(s in any::<String>()) {
            let parsed: String = serde_json::from_str(&string(&s)).expect("valid json");
            prop_assert_eq!(parsed, s);
        }

        #[test]
        fn finite_floats_round_trip_through_a_json_parser(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            let text = float(x).expect("finite");
            prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{}", text);
            let parsed: f64 = text.parse().expect("a float");
            prop_assert_eq!(parsed.to_bits(), x.to_bits());
        }
    }
}
