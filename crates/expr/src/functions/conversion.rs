//! Conversions: `bool`, `int`, `float`, `string`, `duration`, and InfluxQL's duration text.

use tickflow_model::Duration;

use super::{FnError, PureFn};
use crate::Value;

/// The conversion function `name`.
pub(super) fn lookup(name: &str) -> Option<PureFn> {
    Some(match name {
        "bool" => to_bool,
        "int" => to_int,
        "float" => to_float,
        "string" => to_string,
        "duration" => to_duration,
        _ => return None,
    })
}

fn failed(message: String) -> FnError {
    FnError::Failed(message)
}

fn to_bool(args: &[Value]) -> Result<Value, FnError> {
    let b = match args {
        [Value::Bool(b)] => *b,
        [Value::String(s)] => match &**s {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => true,
            "0" | "f" | "F" | "FALSE" | "false" | "False" => false,
            other => {
                return Err(failed(format!(
                    "strconv.ParseBool: parsing {other:?}: invalid syntax"
                )))
            }
        },
        [Value::Int(i)] => match i {
            0 => false,
            1 => true,
            other => return Err(failed(format!("cannot convert {other} to boolean"))),
        },
        [Value::Float(f)] => match f {
            x if *x == 0.0 => false,
            x if *x == 1.0 => true,
            other => return Err(failed(format!("cannot convert {other} to boolean"))),
        },
        _ => return Err(FnError::Signature),
    };
    Ok(Value::Bool(b))
}

fn to_int(args: &[Value]) -> Result<Value, FnError> {
    let i = match args {
        [Value::Bool(b)] => i64::from(*b),
        [Value::String(s)] => s.parse::<i64>().map_err(|_| {
            failed(format!(
                "strconv.ParseInt: parsing {:?}: invalid syntax",
                &**s
            ))
        })?,
        [Value::Int(i)] => *i,
        [Value::Float(f)] => *f as i64,
        _ => return Err(FnError::Signature),
    };
    Ok(Value::Int(i))
}

fn to_float(args: &[Value]) -> Result<Value, FnError> {
    let f = match args {
        [Value::Bool(b)] => f64::from(u8::from(*b)),
        [Value::String(s)] => s.parse::<f64>().map_err(|_| {
            failed(format!(
                "strconv.ParseFloat: parsing {:?}: invalid syntax",
                &**s
            ))
        })?,
        [Value::Int(i)] => *i as f64,
        [Value::Float(f)] => *f,
        _ => return Err(FnError::Signature),
    };
    Ok(Value::Float(f))
}

fn to_string(args: &[Value]) -> Result<Value, FnError> {
    let s = match args {
        [Value::Bool(b)] => b.to_string(),
        [Value::String(s)] => return Ok(Value::String(s.clone())),
        [Value::Int(i)] => i.to_string(),
        [Value::Float(f)] => float_text(*f),
        [Value::Duration(d)] => d.to_influxql(),
        _ => return Err(FnError::Signature),
    };
    Ok(Value::String(s.into()))
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, no exponent.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        f.to_string()
    }
}

fn to_duration(args: &[Value]) -> Result<Value, FnError> {
    let d = match args {
        [Value::Duration(d)] => *d,
        [Value::Int(n), Value::Duration(unit)] => {
            Duration::from_nanos(n.wrapping_mul(unit.nanos()))
        }
        [Value::Float(x), Value::Duration(unit)] => {
            Duration::from_nanos((x * unit.nanos() as f64) as i64)
        }
        [Value::String(s), Value::Duration(_)] => parse_influxql_duration(s).map_err(failed)?,
        _ => return Err(FnError::Signature),
    };
    Ok(Value::Duration(d))
}

/// InfluxQL's duration parser: an optional `-`, then one or more `<digits><unit>` groups
/// (`ns u µ ms s m h d w`), consuming the whole text.
pub fn parse_influxql_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration {text:?}");
    if text.len() < 2 {
        return Err(invalid());
    }
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits_len == 0 {
            return Err(invalid());
        }
        let (digits, after) = rest.split_at(digits_len);
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("overflowed duration {text:?}"))?;
        let (unit_len, len) = unit_at(after).ok_or_else(invalid)?;
        total = n
            .checked_mul(len)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("overflowed duration {text:?}"))?;
        rest = &after[unit_len..];
    }
    Ok(Duration::from_nanos(if negative { -total } else { total }))
}

/// The unit at the start of `text`: its byte length and its length in nanoseconds.
fn unit_at(text: &str) -> Option<(usize, i64)> {
    const PARSED: [(&str, i64); 9] = [
        ("ns", 1),
        ("ms", 1_000_000),
        ("u", 1_000),
        ("µ", 1_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
        ("d", 24 * 3_600_000_000_000),
        ("w", 7 * 24 * 3_600_000_000_000),
    ];
    PARSED
        .iter()
        .find(|(unit, _)| text.starts_with(unit))
        .map(|(unit, len)| (unit.len(), *len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    #[test]
    fn influxql_durations_parse() {
        assert_eq!(
            parse_influxql_duration("1h30m"),
            Ok(Duration::from_nanos(5400 * 1_000_000_000))
        );
        assert_eq!(
            parse_influxql_duration("10ns"),
            Ok(Duration::from_nanos(10))
        );
        assert_eq!(
            parse_influxql_duration("-1µ"),
            Ok(Duration::from_nanos(-1000))
        );
        assert!(parse_influxql_duration("1").is_err());
        assert!(parse_influxql_duration("1x").is_err());
        assert!(parse_influxql_duration("h1").is_err());
        assert!(parse_influxql_duration("99999999999999999999s").is_err());
    }

    #[test]
    fn conversions_follow_go() {
        assert_eq!(to_int(&[Value::Float(-3.9)]), Ok(Value::Int(-3)));
        assert_eq!(to_bool(&[s("T")]), Ok(Value::Bool(true)));
        assert_eq!(
            to_bool(&[Value::Int(2)]),
            Err(FnError::Failed("cannot convert 2 to boolean".into()))
        );
        assert_eq!(to_string(&[Value::Float(1.0)]), Ok(s("1")));
        assert_eq!(
            to_string(&[Value::Float(1e21)]),
            Ok(s("1000000000000000000000"))
        );
        assert_eq!(to_string(&[Value::Float(f64::INFINITY)]), Ok(s("+Inf")));
        assert_eq!(
            to_int(&[Value::Duration(Duration::SECOND)]),
            Err(FnError::Signature)
        );
        let second = Value::Duration(Duration::SECOND);
        assert_eq!(
            to_duration(&[s("1h30m"), second.clone()]),
            Ok(Value::Duration(Duration::from_nanos(5400 * 1_000_000_000)))
        );
        assert_eq!(
            to_duration(&[Value::Float(1.5), second]),
            Ok(Value::Duration(Duration::from_nanos(1_500_000_000)))
        );
    }
}
