//! Literal tokens to values, with Kapacitor's conversion rules and error messages: octal
//! integers, `strconv`-style floats, InfluxQL durations, quote escapes and compiled regexes.

use crate::ast::LitValue;
use crate::error::ParseErrorKind;
use crate::regexp;

/// A number token: with a `.` a float, else an integer, octal when it has a leading `0`.
pub(crate) fn number(text: &str) -> Result<LitValue, ParseErrorKind> {
    let illegal = || ParseErrorKind::IllegalNumber(text.to_owned());
    if text.contains('.') {
        // The lexer gives only digits and one `.`, so no sign, exponent, `inf` or `nan`
        // reaches the float parser; Go reports values out of range as errors.
        match text.parse::<f64>() {
            Ok(float) if float.is_finite() => Ok(LitValue::Float(float)),
            _ => Err(illegal()),
        }
    } else {
        let octal = text.len() > 1 && text.starts_with('0');
        let all_ascii_digits = text.bytes().all(|b| b.is_ascii_digit());
        match i64::from_str_radix(text, if octal { 8 } else { 10 }) {
            Ok(value) if all_ascii_digits => Ok(LitValue::Int { value, octal }),
            _ => Err(illegal()),
        }
    }
}

/// A duration token (digits and one unit) to nanoseconds, as InfluxQL's `ParseDuration`
/// reads it. Like Go, the multiplication wraps; a negative result is an overflow.
pub(crate) fn duration(text: &str) -> Result<i64, ParseErrorKind> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit_nanos: i64 = match unit {
        "u" | "µ" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60 * 1_000_000_000,
        "h" => 3_600 * 1_000_000_000,
        "d" => 86_400 * 1_000_000_000,
        "w" => 604_800 * 1_000_000_000,
        _ => return Err(ParseErrorKind::InvalidDuration),
    };
    let count: i64 = digits
        .parse()
        .map_err(|_| ParseErrorKind::InvalidDuration)?;
    let nanos = count.wrapping_mul(unit_nanos);
    if nanos < 0 {
        return Err(ParseErrorKind::OverflowedDuration(text.to_owned()));
    }
    Ok(nanos)
}

/// A string token. A token opening with `'''` is triple-quoted: its value is the text
/// between the first and last three characters, unescaped. (Kapacitor's scanner can end such
/// a token with `\''`; the value is then not writable between `'''`, so it is marked single
/// quoted and written with escapes.)
pub(crate) fn string(text: &str) -> LitValue {
    match text.strip_prefix("'''") {
        Some(rest) if text.len() >= 6 => LitValue::String {
            value: rest.get(..rest.len() - 3).unwrap_or_default().to_owned(),
            triple: text.ends_with("'''"),
        },
        _ => LitValue::String {
            value: unescape(unquote(text), '\''),
            triple: false,
        },
    }
}

/// A reference token's name.
pub(crate) fn reference(text: &str) -> String {
    unescape(unquote(text), '"')
}

/// A regex token: the source between the slashes and the compiled pattern.
pub(crate) fn regex(text: &str) -> Result<LitValue, ParseErrorKind> {
    let source = unquote(text);
    let pattern = regexp::compile(&unescape(source, '/')).map_err(ParseErrorKind::InvalidRegex)?;
    Ok(LitValue::Regex {
        pattern,
        source: source.to_owned(),
    })
}

/// The text without its first and last character (the quotes or slashes, all ASCII).
fn unquote(text: &str) -> &str {
    text.get(1..text.len().saturating_sub(1))
        .unwrap_or_default()
}

/// Replaces each `\` + `quote` by `quote`; every other backslash stays.
fn unescape(text: &str, quote: char) -> String {
    if !text.contains('\\') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&quote) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(
            number("0644"),
            Ok(LitValue::Int {
                value: 420,
                octal: true
            })
        );
        assert_eq!(
            number("0"),
            Ok(LitValue::Int {
                value: 0,
                octal: false
            })
        );
        assert_eq!(number("5."), Ok(LitValue::Float(5.0)));
        assert_eq!(number(".5"), Ok(LitValue::Float(0.5)));
        assert!(number("09").is_err());
        assert!(number("9223372036854775808").is_err());
        assert!(number("٣").is_err());
        assert!(number(&format!("1{}.0", "0".repeat(400))).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(duration("1µ"), Ok(1_000));
        assert_eq!(duration("5ms"), Ok(5_000_000));
        assert_eq!(duration("2w"), Ok(1_209_600_000_000_000));
        assert_eq!(duration("1٣s"), Err(ParseErrorKind::InvalidDuration));
        assert_eq!(
            duration("99999999999999999999s"),
            Err(ParseErrorKind::InvalidDuration)
        );
        assert_eq!(
            duration("9223372037s"),
            Err(ParseErrorKind::OverflowedDuration("9223372037s".to_owned()))
        );
    }

    #[test]
    fn strings_and_escapes() {
        let s = |value: &str, triple| LitValue::String {
            value: value.to_owned(),
            triple,
        };
        assert_eq!(string(r"'a\'b\nc'"), s(r"a'b\nc", false));
        assert_eq!(string("''"), s("", false));
        assert_eq!(string("''''''"), s("", true));
        assert_eq!(string(r"'''x\'y'''"), s(r"x\'y", true));
        assert_eq!(string(r"'''a''\''"), s("a''", false));
        assert_eq!(reference(r#""a\"b\c""#), r#"a"b\c"#);
    }
}
