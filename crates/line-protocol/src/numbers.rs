//! Decimal text to numbers, as Go's `strconv` reads it for line protocol: integers with
//! an optional `-` and leading zeros, and floats, the common short ones on a fast path.

use crate::digits;

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The largest integer up to which every integer is exact in an f64.
const MAX_EXACT: u64 = 1 << 53;

/// Any number of this many decimal digits fits in a u64.
const MAX_SAFE_DIGITS: usize = 19;

/// Decimal digits (at least one, nothing else) as a u64, `None` if it overflows.
pub(crate) fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    if digits.len() > MAX_SAFE_DIGITS {
        return digits.iter().try_fold(0u64, |n, &b| {
            let digit = b.wrapping_sub(b'0');
            (digit <= 9).then_some(())?;
            n.checked_mul(10)?.checked_add(u64::from(digit))
        });
    }
    // At most 19 digits: no overflow is possible.
    let mut value = 0u64;
    let mut rest = digits;
    while let Some((chunk, count)) = digits::leading(rest) {
        value = value * digits::POW10[count] + chunk;
        rest = &rest[count..];
        if count < 8 {
            return rest.is_empty().then_some(value);
        }
    }
    rest.iter().try_fold(value, |n, &b| {
        let digit = b.wrapping_sub(b'0');
        (digit <= 9).then(|| n * 10 + u64::from(digit))
    })
}

/// An optional `-` and decimal digits as an i64, `None` if malformed or out of range.
pub(crate) fn parse_i64(text: &[u8]) -> Option<i64> {
    match text.split_first() {
        Some((b'-', digits)) => 0i64.checked_sub_unsigned(parse_u64(digits)?),
        _ => i64::try_from(parse_u64(text)?).ok(),
    }
}

/// `text` as a finite float (where Go's `ParseFloat` fails on overflow, Rust's gives an
/// infinity, so infinities are `None`).
pub(crate) fn parse_float(text: &[u8]) -> Option<f64> {
    let decimal = Decimal::scan(text);
    match decimal.len == text.len() {
        true => decimal.to_f64(),
        false => None,
    }
    .or_else(|| {
        std::str::from_utf8(text)
            .ok()?
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    })
}

/// A plain decimal, `[-] digits [. digits]` with at most 19 digits, as scanned from the
/// start of some text: the numbers in nearly every line, converted without the standard
/// library's general parser.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Decimal {
    /// How many bytes it takes up.
    pub(crate) len: usize,
    negative: bool,
    /// The digits as an integer, the point left out.
    mantissa: u64,
    /// How many digits there are.
    digits: usize,
    /// How many digits follow the point, if there is one.
    fraction: Option<usize>,
}

impl Decimal {
    /// Scans the decimal at the start of `text`, up to the first byte that does not
    /// continue it (or a 20th digit).
    #[inline]
    pub(crate) fn scan(text: &[u8]) -> Self {
        let negative = text.first() == Some(&b'-');
        let mut decimal = Decimal {
            len: usize::from(negative),
            negative,
            mantissa: 0,
            digits: 0,
            fraction: None,
        };
        decimal.add_digits(text);
        if text.get(decimal.len) == Some(&b'.') {
            decimal.len += 1;
            let whole = decimal.digits;
            decimal.add_digits(text);
            decimal.fraction = Some(decimal.digits - whole);
        }
        decimal
    }

    /// Takes in the digits of `text` from `self.len` on, eight at a time while eight
    /// bytes remain and the total stays within 19 digits, then one by one.
    #[inline]
    fn add_digits(&mut self, text: &[u8]) {
        let (mut mantissa, mut len, mut count) = (self.mantissa, self.len, self.digits);
        while let Some((chunk, taken)) = text.get(len..).and_then(digits::leading) {
            if count + taken > MAX_SAFE_DIGITS {
                break;
            }
            mantissa = mantissa * digits::POW10[taken] + chunk;
            len += taken;
            count += taken;
            if taken < 8 {
                (self.mantissa, self.len, self.digits) = (mantissa, len, count);
                return;
            }
        }
        while let Some(digit) = text.get(len).map(|b| b.wrapping_sub(b'0')) {
            if digit > 9 || count == MAX_SAFE_DIGITS {
                break;
            }
            mantissa = mantissa * 10 + u64::from(digit);
            len += 1;
            count += 1;
        }
        (self.mantissa, self.len, self.digits) = (mantissa, len, count);
    }

    /// Whether it has at least one digit and no point: an integer.
    pub(crate) fn is_integer(&self) -> bool {
        self.digits > 0 && self.fraction.is_none()
    }

    /// The value, by Clinger's fast path: digits up to 2^53 and a power of ten up to
    /// 10^22 are both exact in an f64, so their one division rounds correctly. `None` when
    /// that does not apply.
    #[inline]
    pub(crate) fn to_f64(self) -> Option<f64> {
        if self.digits == 0 || self.mantissa > MAX_EXACT {
            return None;
        }
        let value = self.mantissa as f64 / *POW10.get(self.fraction.unwrap_or(0))?;
        Some(if self.negative { -value } else { value })
    }

    /// The value as an integer, if it is one and fits.
    pub(crate) fn to_i64(self) -> Option<i64> {
        if !self.is_integer() {
            return None;
        }
        match self.negative {
            true => 0i64.checked_sub_unsigned(self.mantissa),
            false => i64::try_from(self.mantissa).ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers_like_strconv() {
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"-0000000001"), Some(-1));
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"1a"), None);
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), None);
    }

    #[test]
    fn decimals() {
        let d = Decimal::scan(b"-12.50,x");
        assert_eq!((d.len, d.to_f64(), d.to_i64()), (6, Some(-12.5), None));
        let d = Decimal::scan(b"42i");
        assert_eq!((d.len, d.to_f64(), d.to_i64()), (2, Some(42.0), Some(42)));
        let d = Decimal::scan(b"12345678901234567890");
        assert_eq!((d.len, d.is_integer()), (19, true));
        assert_eq!(Decimal::scan(b"-.").to_f64(), None);
        assert_eq!(
            Decimal::scan(b"-9223372036854775808").to_i64(),
            Some(i64::MIN)
        );
        assert_eq!(Decimal::scan(b"9223372036854775808").to_i64(), None);
    }

    #[test]
    fn floats() {
        let cases: [(&str, f64); 8] = [
            ("1", 1.0),
            ("-1.5", -1.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("0.1", 0.1),
            ("220.123456", 220.123456),
            ("1e3", 1000.0),
            ("12345678901234567890123456789", 1.2345678901234568e28),
        ];
        for (text, value) in cases {
            assert_eq!(parse_float(text.as_bytes()), Some(value), "{text}");
        }
        assert!(parse_float(b"-0").is_some_and(|v| v == 0.0 && v.is_sign_negative()));
        assert_eq!(parse_float(b"1e400"), None);
        assert_eq!(parse_float(b"."), None);
        assert_eq!(parse_float(b"1.2.3"), None);
    }

    proptest! {
        #[test]
        fn integers_agree_with_the_standard_library(text in "[0-9]{1,22}|[0-9]{0,9}[a ][0-9]{0,12}") {
            prop_assert_eq!(parse_u64(text.as_bytes()), text.parse::<u64>().ok(), "{}", text);
        }

        #[test]
        fn the_fast_path_agrees_with_the_standard_library(
            whole in "-?[0-9]{0,12}",
            fraction in proptest::option::of("[0-9]{0,10}"),
        ) {
            let text = match fraction { Some(f) => format!("{whole}.{f}"), None => whole };
            let expected = text.parse::<f64>().ok();
            prop_assert_eq!(parse_float(text.as_bytes()).map(f64::to_bits), expected.map(f64::to_bits), "{}", text);
        }
    }
}
