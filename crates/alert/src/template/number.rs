//! Numeric constants as Go's template parser reads them: one literal may be an integer,
//! an unsigned integer and a float at once (`0x1F`, `017`, `0b101`, `1_000`, `1e3`,
//! `0x1p-2`, `'a'`), and the context decides which Go type it becomes.

use super::tree::Number;
use super::ErrorKind;

/// Parses the text of a number literal.
pub(super) fn parse_number(text: &str, pos: usize) -> Result<Number, ErrorKind> {
    let illegal = || ErrorKind::BadNumber(text.to_owned());
    if let Some(body) = text.strip_suffix('i') {
        parse_number(body, pos)?;
        return Ok(Number {
            text: text.to_owned(),
            int: None,
            uint: None,
            float: None,
            imaginary: true,
            pos,
        });
    }
    let int = parse_int(text);
    let uint = match int {
        Some(0) => Some(0),
        _ => parse_int(text)
            .and_then(|n| u64::try_from(n).ok())
            .or_else(|| parse_uint(text)),
    };
    let int = int.and_then(|n| i64::try_from(n).ok());
    let mut number = Number {
        text: text.to_owned(),
        int,
        uint,
        float: None,
        imaginary: false,
        pos,
    };
    if let Some(n) = int {
        number.float = Some(n as f64);
    } else if let Some(n) = uint {
        number.float = Some(n as f64);
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(ErrorKind::IntegerOverflow(text.to_owned()));
        }
        number.float = Some(f);
        // A float with an integral value is also an integer (Go's conversion check).
        if (f as i64) as f64 == f {
            number.int = Some(f as i64);
        }
        if (f as u64) as f64 == f {
            number.uint = Some(f as u64);
        }
    }
    if number.int.is_none() && number.uint.is_none() && number.float.is_none() {
        return Err(illegal());
    }
    Ok(number)
}

/// A character constant: an integer with the code point's value.
pub(super) fn char_number(c: char, text: &str, pos: usize) -> Number {
    let code = u32::from(c);
    Number {
        text: text.to_owned(),
        int: Some(i64::from(code)),
        uint: Some(u64::from(code)),
        float: Some(f64::from(code)),
        imaginary: false,
        pos,
    }
}

/// Splits an optional sign off `text`: (negative, rest).
fn sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// Go's `strconv.ParseInt(text, 0, 64)` widened: base prefixes `0x`, `0o`, `0b` and a
/// leading `0` for octal, underscores between digits.
fn parse_int(text: &str) -> Option<i128> {
    let (negative, body) = sign(text);
    let magnitude = i128::try_from(parse_magnitude(body)?).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Go's `strconv.ParseUint(text, 0, 64)` (no sign allowed).
fn parse_uint(text: &str) -> Option<u64> {
    if text.starts_with(['+', '-']) {
        return None;
    }
    u64::try_from(parse_magnitude(text)?).ok()
}

/// The value of an unsigned integer literal, `None` if it is not one or exceeds `u64`.
fn parse_magnitude(body: &str) -> Option<u128> {
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if !underscores_ok(digits, prefixed) {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    u128::from_str_radix(&digits, radix)
        .ok()
        .filter(|&n| n <= u128::from(u64::MAX))
}

/// Go's rule for `_` in literals: only between digits, or right after a base prefix.
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    if digits.ends_with('_') || digits.contains("__") {
        return false;
    }
    prefixed || !digits.starts_with('_')
}

/// Go's `strconv.ParseFloat(text, 64)` for decimal and hexadecimal (`0x1.8p3`) literals.
fn parse_float(text: &str) -> Option<f64> {
    let (negative, body) = sign(text);
    let lower = body.to_ascii_lowercase();
    let magnitude = match lower.strip_prefix("0x") {
        Some(hex) => parse_hex_float(hex)?,
        None => {
            let mantissa_end = lower.find('e').unwrap_or(lower.len());
            if !underscores_ok(&lower[..mantissa_end], false) {
                return None;
            }
            let plain: String = lower.chars().filter(|&c| c != '_').collect();
            if !plain.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
                return None;
            }
            plain.parse::<f64>().ok()?
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `h.hhhp±d` without the `0x`: hex mantissa times a power of two.
fn parse_hex_float(hex: &str) -> Option<f64> {
    let (mantissa, exponent) = hex.split_once('p')?;
    let exponent: i32 = exponent.replace('_', "").parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = int
        .chars()
        .chain(frac.chars())
        .filter(|&c| c != '_')
        .collect();
    if digits.is_empty() {
        return None;
    }
    let value = u128::from_str_radix(&digits, 16).ok()?;
    let frac_bits = i32::try_from(frac.chars().filter(|&c| c != '_').count() * 4).ok()?;
    Some(value as f64 * 2f64.powi(exponent - frac_bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_take_every_type_they_fit() {
        let n = parse_number("0x1F", 0).expect("hex");
        assert_eq!((n.int, n.uint, n.float), (Some(31), Some(31), Some(31.0)));
        let n = parse_number("017", 0).expect("octal");
        assert_eq!(n.int, Some(15));
        let n = parse_number("1_000", 0).expect("underscores");
        assert_eq!(n.int, Some(1000));
        let n = parse_number("-3", 0).expect("negative");
        assert_eq!((n.int, n.uint), (Some(-3), None));
        let n = parse_number("1e3", 0).expect("float");
        assert_eq!((n.int, n.float), (Some(1000), Some(1000.0)));
        let n = parse_number("1.5", 0).expect("float");
        assert_eq!((n.int, n.float), (None, Some(1.5)));
        let n = parse_number("0x1p-2", 0).expect("hex float");
        assert_eq!(n.float, Some(0.25));
        let n = parse_number("18446744073709551615", 0).expect("max uint");
        assert_eq!((n.int, n.uint), (None, Some(u64::MAX)));
    }

    #[test]
    fn bad_literals_are_errors() {
        assert_eq!(
            parse_number("99999999999999999999", 0),
            Err(ErrorKind::IntegerOverflow("99999999999999999999".into()))
        );
        assert_eq!(
            parse_number("1__0", 0),
            Err(ErrorKind::BadNumber("1__0".into()))
        );
        assert_eq!(
            parse_number("0x", 0),
            Err(ErrorKind::BadNumber("0x".into()))
        );
        // Go reads `09` as a float without a point: an overflowing integer.
        assert_eq!(
            parse_number("09", 0),
            Err(ErrorKind::IntegerOverflow("09".into()))
        );
    }
}
