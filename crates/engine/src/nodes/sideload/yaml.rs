//! The YAML that sideload files may hold: one flat map of `key: value` lines whose values
//! are numbers, strings or booleans.
//!
//! Supported: blank lines and `#` comments (whole-line, or after a value and a space); one
//! leading `---`; plain, `'single'` and `"double"` quoted keys and values (double quotes
//! with YAML's escapes, on one line); values resolved as YAML 1.2's core schema does:
//! `true`/`false` (also `True`, `TRUE`, ...), integers (`42`, `-7`, `0x1f`, `0o17`), floats
//! (`1.5`, `-2e3`, `.inf`, `.nan`), anything else a string. Everything else (indented or
//! nested values, sequences, flow collections `[..]`/`{..}`, block scalars `|`/`>`,
//! anchors, aliases, tags, null or empty values, multi-line strings, several documents,
//! duplicate keys) is a [`YamlError`] naming the line.

use std::collections::HashMap;

use super::value::Value;

/// A YAML file this reader does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub(crate) struct YamlError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: Reason,
}

/// Why a line is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Reason {
    /// Not of the form `key: value`.
    #[error("expected `key: value`, found {0:?}")]
    NotKeyValue(String),
    /// Indentation, an empty value (a nested block follows or null) or `a: b: c`.
    #[error("nested values are not supported (only a flat map of `key: value` lines)")]
    Nested,
    /// A YAML feature outside the flat-map subset.
    #[error("{0} are not supported (only numbers, strings and booleans)")]
    Unsupported(&'static str),
    /// The key appeared before.
    #[error("duplicate key {0:?}")]
    Duplicate(String),
    /// A quoted string without its closing quote on the same line.
    #[error("unterminated quoted string (strings must fit on one line)")]
    Unterminated,
    /// An escape double-quoted strings do not have.
    #[error("unknown escape {0:?}")]
    BadEscape(String),
    /// Text after a quoted scalar that is not a comment.
    #[error("unexpected text after the closing quote: {0:?}")]
    Trailing(String),
}

/// Reads a flat YAML map.
pub(crate) fn parse(text: &str) -> Result<HashMap<String, Value>, YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut map = HashMap::new();
    let mut started = false;
    for (index, line) in text.lines().enumerate() {
        let error = |reason| YamlError {
            line: index + 1,
            reason,
        };
        let content = line.trim_end();
        if content.trim_start().is_empty() || content.trim_start().starts_with('#') {
            continue;
        }
        if content == "---" || content == "..." {
            if started || content == "..." {
                return Err(error(Reason::Unsupported("several documents")));
            }
            started = true;
            continue;
        }
        started = true;
        let (key, value) = entry(content).map_err(error)?;
        if map.insert(key.clone(), value).is_some() {
            return Err(error(Reason::Duplicate(key)));
        }
    }
    Ok(map)
}

/// One `key: value` line (not blank, no trailing space).
fn entry(line: &str) -> Result<(String, Value), Reason> {
    if line.starts_with([' ', '\t']) {
        return Err(Reason::Nested);
    }
    refuse_indicator(line)?;
    let (key, rest) = match line.chars().next() {
        Some(quote @ ('"' | '\'')) => quoted(line, quote)?,
        _ => plain_key(line)?,
    };
    let rest = rest
        .strip_prefix(':')
        .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
        .ok_or_else(|| Reason::NotKeyValue(line.to_owned()))?;
    Ok((key, value(rest.trim_start())?))
}

/// A plain key: the text before the first `: ` (or a final `:`), and the rest from it.
fn plain_key(line: &str) -> Result<(String, &str), Reason> {
    let end = line
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| line[i + 1..].is_empty() || line[i + 1..].starts_with([' ', '\t']))
        .ok_or_else(|| Reason::NotKeyValue(line.to_owned()))?;
    let key = line[..end].trim_end();
    if key.is_empty() || key.contains(" #") {
        return Err(Reason::NotKeyValue(line.to_owned()));
    }
    Ok((key.to_owned(), &line[end..]))
}

/// A value: the text after `key:`, trimmed at the start.
fn value(text: &str) -> Result<Value, Reason> {
    if text.is_empty() || text.starts_with('#') {
        return Err(Reason::Nested);
    }
    refuse_indicator(text)?;
    match text.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let (s, after) = quoted(text, quote)?;
            let rest = after.trim_start();
            if rest.is_empty() || (rest.starts_with('#') && rest.len() < after.len()) {
                Ok(Value::Str(s))
            } else {
                Err(Reason::Trailing(rest.to_owned()))
            }
        }
        _ => plain_value(strip_comment(text)),
    }
}

/// Refuses text starting with an indicator of a YAML feature outside the subset.
fn refuse_indicator(text: &str) -> Result<(), Reason> {
    let feature = match text.chars().next() {
        Some('-') if text.len() == 1 || text[1..].starts_with([' ', '\t']) => "sequences",
        Some('[' | '{') => "flow collections",
        Some('|' | '>') => "block scalars",
        Some('&') => "anchors",
        Some('*') => "aliases",
        Some('!') => "tags",
        Some('?') => "complex keys",
        Some('%') => "directives",
        Some('@' | '`') => "reserved indicators",
        _ => return Ok(()),
    };
    Err(Reason::Unsupported(feature))
}

/// `text` up to a ` #` comment, trimmed at the end.
fn strip_comment(text: &str) -> &str {
    let end = text
        .match_indices('#')
        .map(|(i, _)| i)
        .find(|&i| text[..i].ends_with([' ', '\t']))
        .unwrap_or(text.len());
    text[..end].trim_end()
}

/// A plain scalar resolved by the core schema.
fn plain_value(text: &str) -> Result<Value, Reason> {
    if text.contains(": ") || text.ends_with(':') {
        return Err(Reason::Nested);
    }
    Ok(match text {
        "~" | "null" | "Null" | "NULL" => return Err(Reason::Unsupported("null values")),
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => number(text).unwrap_or_else(|| Value::Str(text.to_owned())),
    })
}

/// An integer or float as the core schema writes them; `None` for other text.
fn number(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Value::Int);
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok().map(Value::Int);
    }
    match digits {
        ".inf" | ".Inf" | ".INF" => return Some(Value::Float(sign * f64::INFINITY)),
        ".nan" | ".NaN" | ".NAN" if digits.len() == text.len() => {
            return Some(Value::Float(f64::NAN))
        }
        _ => {}
    }
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) if !negative => Value::Uint(digits.parse().ok()?),
            Err(_) => Value::Float(text.parse().ok()?),
        });
    }
    is_float(digits)
        .then(|| text.parse().ok().map(Value::Float))
        .flatten()
}

/// Whether `digits` (no sign) is `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float(digits: &str) -> bool {
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            all_digits(int) && all_digits(frac) && (!int.is_empty() || !frac.is_empty())
        }
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// A quoted scalar starting at `text[0]` (`quote`): its value and the text after it.
fn quoted(text: &str, quote: char) -> Result<(String, &str), Reason> {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if quote == '\'' => {
                if text[i + 1..].starts_with('\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return Ok((out, &text[i + 1..]));
                }
            }
            '"' if quote == '"' => return Ok((out, &text[i + 1..])),
            '\\' if quote == '"' => out.push(escape(&text[i + 1..], &mut chars)?),
            c => out.push(c),
        }
    }
    Err(Reason::Unterminated)
}

/// The character an escape stands for; `rest` is the text after the backslash and
/// `chars` is advanced past the escape.
fn escape(rest: &str, chars: &mut impl Iterator<Item = (usize, char)>) -> Result<char, Reason> {
    let letter = chars.next().ok_or(Reason::Unterminated)?.1;
    let simple = match letter {
        '0' => Some('\0'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\u{b}'),
        'f' => Some('\u{c}'),
        'r' => Some('\r'),
        'e' => Some('\u{1b}'),
        ' ' | '"' | '/' | '\\' => Some(letter),
        'N' => Some('\u{85}'),
        '_' => Some('\u{a0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(c) = simple {
        return Ok(c);
    }
    let width = match letter {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return Err(Reason::BadEscape(format!("\\{letter}"))),
    };
    let bad = || Reason::BadEscape(rest.chars().take(width + 1).collect());
    let hex = rest.get(1..1 + width).ok_or_else(bad)?;
    let c = u32::from_str_radix(hex, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(bad)?;
    for _ in 0..width {
        chars.next();
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<Value, YamlError> {
        let mut map = parse(line)?;
        Ok(map.remove("k").expect("key k"))
    }

    fn reason(text: &str) -> (usize, Reason) {
        let error = parse(text).expect_err("refused");
        (error.line, error.reason)
    }

    #[test]
    fn scalars_resolve_as_the_core_schema_does() {
        assert_eq!(one("k: 42"), Ok(Value::Int(42)));
        assert_eq!(one("k: -7 # comment"), Ok(Value::Int(-7)));
        assert_eq!(one("k: 0x1f"), Ok(Value::Int(31)));
        assert_eq!(one("k: 0o17"), Ok(Value::Int(15)));
        assert_eq!(one("k: 18446744073709551615"), Ok(Value::Uint(u64::MAX)));
        assert_eq!(one("k: 1.5"), Ok(Value::Float(1.5)));
        assert_eq!(one("k: -2e3"), Ok(Value::Float(-2000.0)));
        assert_eq!(one("k: .5"), Ok(Value::Float(0.5)));
        assert_eq!(one("k: -.inf"), Ok(Value::Float(f64::NEG_INFINITY)));
        assert_eq!(one("k: True"), Ok(Value::Bool(true)));
        assert_eq!(one("k: FALSE"), Ok(Value::Bool(false)));
        assert_eq!(one("k: yes"), Ok(Value::Str("yes".into())));
        assert_eq!(one("k: 1.2.3"), Ok(Value::Str("1.2.3".into())));
        assert_eq!(one("k: infinity"), Ok(Value::Str("infinity".into())));
        assert_eq!(one("k: a#b c"), Ok(Value::Str("a#b c".into())));
        assert_eq!(
            one("k: http://x:80/"),
            Ok(Value::Str("http://x:80/".into()))
        );
    }

    #[test]
    fn quoted_keys_and_values() {
        assert_eq!(
            one(r#"k: "a \"b\"\t\u00e9 # x""#),
            Ok(Value::Str("a \"b\"\té # x".into()))
        );
        assert_eq!(one("k: 'it''s' # c"), Ok(Value::Str("it's".into())));
        assert_eq!(one("k: '42'"), Ok(Value::Str("42".into())));
        let map = parse("'a b': 1\n\"c:d\": 2\n").expect("parses");
        assert_eq!(map.get("a b"), Some(&Value::Int(1)));
        assert_eq!(map.get("c:d"), Some(&Value::Int(2)));
    }

    #[test]
    fn comments_blank_lines_and_a_document_start() {
        let map = parse("# hosts\n---\n\na: 1\n  # indented comment\nb: x\n").expect("parses");
        assert_eq!(map.len(), 2);
        assert_eq!(map.get("b"), Some(&Value::Str("x".into())));
    }

    #[test]
    fn anything_else_names_its_line() {
        assert_eq!(reason("a: 1\nb:\n  c: 2\n"), (2, Reason::Nested));
        assert_eq!(reason("a: 1\n  c: 2\n"), (2, Reason::Nested));
        assert_eq!(reason("a: b: c"), (1, Reason::Nested));
        assert_eq!(
            reason("a: [1, 2]"),
            (1, Reason::Unsupported("flow collections"))
        );
        assert_eq!(reason("- 1"), (1, Reason::Unsupported("sequences")));
        assert_eq!(reason("a: |"), (1, Reason::Unsupported("block scalars")));
        assert_eq!(reason("a: *x"), (1, Reason::Unsupported("aliases")));
        assert_eq!(reason("a: ~"), (1, Reason::Unsupported("null values")));
        assert_eq!(reason("a: 1\na: 2"), (2, Reason::Duplicate("a".into())));
        assert_eq!(reason("a: \"x"), (1, Reason::Unterminated));
        assert_eq!(reason(r#"a: "\q""#), (1, Reason::BadEscape("\\q".into())));
        assert_eq!(reason("a: 'x' y"), (1, Reason::Trailing("y".into())));
        assert_eq!(
            reason("just text"),
            (1, Reason::NotKeyValue("just text".into()))
        );
        assert_eq!(
            reason("a: 1\n---\nb: 2"),
            (2, Reason::Unsupported("several documents"))
        );
        let error = parse("x: 1\ny:\n").expect_err("refused");
        assert_eq!(
            error.to_string(),
            "line 2: nested values are not supported (only a flat map of `key: value` lines)"
        );
    }
}
