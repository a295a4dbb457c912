//! Go's `strconv.FormatFloat` as `fmt` uses it: `%e %E %f %g %G` (shortest or with a
//! precision), `%x %X` (hexadecimal mantissa and binary exponent), `%b` (decimal
//! mantissa and binary exponent), and the `#` flag (keep the point and trailing zeros).

use std::fmt::Write as _;

/// `x` formatted for `verb` (`e E f F g G x X b`) with `precision` (`None`: shortest for
/// `g G x X`, 6 for `e E f F`) and Go's `#` flag.
pub(super) fn format_float(x: f64, verb: char, precision: Option<usize>, sharp: bool) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let body = match verb {
        'f' | 'F' => format!("{x:.*}", precision.unwrap_or(6)),
        'e' | 'E' => {
            let s = format!("{x:.*e}", precision.unwrap_or(6));
            let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
            go_exponent(mantissa, exp.parse().unwrap_or(0))
        }
        'x' | 'X' => hex_float(x, precision),
        'b' => binary_float(x),
        _ => format_g(x, precision),
    };
    let body = if sharp && verb != 'b' {
        keep_point(&body, verb, precision)
    } else {
        body
    };
    if verb.is_ascii_uppercase() {
        body.to_uppercase()
    } else {
        body
    }
}

/// `mantissa` followed by Go's exponent: `e`, a sign and at least two digits.
fn go_exponent(mantissa: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

/// Go's `%g` (and `%v`): the shortest (or `precision`-digit) decimal, in exponent form
/// when the exponent is below -4 or at least the precision (6 for the shortest form, so
/// `1e+06`).
fn format_g(x: f64, precision: Option<usize>) -> String {
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0");
    }
    let sci = match precision {
        None => format!("{:e}", x.abs()),
        Some(p) => format!("{:.*e}", p.max(1) - 1, x.abs()),
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = mantissa.replace('.', "");
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nd = digits.len() as i32;
    let eprec = match precision {
        None => 6,
        Some(p) => {
            let p = p.max(1) as i32;
            if p > nd && nd > exp {
                nd
            } else {
                p
            }
        }
    };
    if exp < -4 || exp >= eprec {
        let mantissa = match digits.split_at(1) {
            (first, "") => first.to_owned(),
            (first, rest) => format!("{first}.{rest}"),
        };
        return format!("{sign}{}", go_exponent(&mantissa, exp));
    }
    let point = exp + 1;
    let mut out = sign.to_owned();
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(digits);
    } else if point >= nd {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (point - nd) as usize));
    } else {
        let (int, frac) = digits.split_at(point as usize);
        let _ = write!(out, "{int}.{frac}");
    }
    out
}

/// The bits of a finite float: sign, 53-bit mantissa (with the implicit one) and the
/// binary exponent of its lowest bit plus 52.
fn parts(x: f64) -> (bool, u64, i32) {
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let mut mantissa = bits & ((1 << 52) - 1);
    let exp = if biased == 0 {
        1 - 1023
    } else {
        mantissa |= 1 << 52;
        biased - 1023
    };
    (negative, mantissa, exp)
}

/// Go's `%x`: `-0x1.8p+01`, the mantissa rounded to `precision` hex digits if given.
fn hex_float(x: f64, precision: Option<usize>) -> String {
    let (negative, mut mant, mut exp) = parts(x);
    if mant == 0 {
        exp = 0;
    }
    // Leading one at bit 60.
    mant <<= 8;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = precision.filter(|&p| p < 15) {
        let shift = (p * 4) as u32;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    let _ = write!(out, "0x{}", (mant >> 60) & 1);
    mant <<= 4;
    let digits = match precision {
        None => {
            let mut n = 0;
            let mut rest = mant;
            while rest != 0 {
                rest <<= 4;
                n += 1;
            }
            n
        }
        Some(p) => p,
    };
    if digits > 0 {
        out.push('.');
        for _ in 0..digits {
            let _ = write!(out, "{:x}", (mant >> 60) & 15);
            mant <<= 4;
        }
    }
    let sign = if exp < 0 { '-' } else { '+' };
    let _ = write!(out, "p{sign}{:02}", exp.unsigned_abs());
    out
}

/// Go's `%b`: `4503599627370496p-52`.
fn binary_float(x: f64) -> String {
    let (negative, mant, exp) = parts(x);
    let exp = exp - 52;
    let sign = if negative { "-" } else { "" };
    let exp_sign = if exp < 0 { '-' } else { '+' };
    format!("{sign}{mant}p{exp_sign}{}", exp.unsigned_abs())
}

/// Go's `#` flag: a decimal point always, and for `%g`/`%x` the trailing zeros up to
/// the precision (6 by default).
fn keep_point(body: &str, verb: char, precision: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'g' | 'G' | 'x' | 'X' => precision.map_or(6, |p| p as i64),
        _ => 0,
    };
    let (sign, unsigned) = body.split_at(usize::from(body.starts_with('-')));
    let tail_at = unsigned
        .find(|c: char| {
            matches!(c, 'p' | 'P') || (matches!(c, 'e' | 'E') && !matches!(verb, 'x' | 'X'))
        })
        .unwrap_or(unsigned.len());
    let (num, tail) = unsigned.split_at(tail_at);
    let mut seen_nonzero = false;
    for c in num.chars().filter(|c| *c != '.') {
        seen_nonzero |= c != '0';
        if seen_nonzero {
            digits -= 1;
        }
    }
    let mut out = format!("{sign}{num}");
    if !num.contains('.') {
        if num == "0" {
            digits -= 1;
        }
        out.push('.');
    }
    out.extend(std::iter::repeat_n('0', digits.max(0) as usize));
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_binary_floats_match_strconv() {
        assert_eq!(format_float(1.0, 'x', None, false), "0x1p+00");
        assert_eq!(format_float(3.0, 'x', None, false), "0x1.8p+01");
        assert_eq!(
            format_float(-0.1, 'x', None, false),
            "-0x1.999999999999ap-04"
        );
        assert_eq!(format_float(0.0, 'x', None, false), "0x0p+00");
        assert_eq!(format_float(1.0, 'X', Some(2), false), "0X1.00P+00");
        assert_eq!(format_float(1.0, 'b', None, false), "4503599627370496p-52");
    }

    #[test]
    fn sharp_keeps_the_point_and_zeros() {
        assert_eq!(format_float(1.0, 'g', None, true), "1.00000");
        assert_eq!(format_float(2.5, 'g', Some(3), true), "2.50");
        assert_eq!(format_float(3.0, 'f', Some(0), true), "3.");
        assert_eq!(format_float(1e6, 'g', None, true), "1.00000e+06");
        assert_eq!(format_float(1.0, 'e', Some(0), true), "1.e+00");
    }
}
