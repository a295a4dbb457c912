//! `humanBytes`: a byte count in SI units, as go-humanize v1.0.1 renders it.

use super::{FnError, PureFn};
use crate::Value;

/// The formatting function `name`.
pub(super) fn lookup(name: &str) -> Option<PureFn> {
    match name {
        "humanBytes" => Some(|args| match args {
            [Value::Int(n)] => Ok(human_bytes(*n as u64)),
            [Value::Float(f)] => Ok(human_bytes(go_float_to_u64(*f))),
            _ => Err(FnError::Signature),
        }),
        _ => None,
    }
}

/// Go's `uint64(f)` on amd64: truncation, negative values wrapping like the int64 they
/// pass through.
fn go_float_to_u64(f: f64) -> u64 {
    if f < 0.0 {
        (f as i64) as u64
    } else {
        f as u64
    }
}

fn human_bytes(n: u64) -> Value {
    const SUFFIXES: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 10 {
        return Value::String(format!("{n} B").into());
    }
    let x = n as f64;
    let e = (x.ln() / 1000f64.ln()).floor();
    let suffix = SUFFIXES.get(e as usize).copied().unwrap_or("EB");
    let val = (x / 1000f64.powf(e) * 10.0 + 0.5).floor() / 10.0;
    let text = if val < 10.0 {
        format!("{val:.1} {suffix}")
    } else {
        format!("{val:.0} {suffix}")
    };
    Value::String(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go_humanize() {
        assert_eq!(human_bytes(82_854_982), Value::String("83 MB".into()));
        assert_eq!(human_bytes(5), Value::String("5 B".into()));
        assert_eq!(human_bytes(1000), Value::String("1.0 kB".into()));
        assert_eq!(
            human_bytes(go_float_to_u64(1000.0)),
            Value::String("1.0 kB".into())
        );
    }
}
