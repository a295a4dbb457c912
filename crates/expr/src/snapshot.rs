//! The JSON form of an [`Evaluator`](crate::Evaluator)'s state, for nodes that save their
//! state across restarts: what [`Evaluator::snapshot`](crate::Evaluator::snapshot) writes
//! and [`Evaluator::restore`](crate::Evaluator::restore) reads.
//!
//! Floats are JSON numbers when finite and the strings `"NaN"`, `"+Inf"` and `"-Inf"`
//! otherwise (JSON has no number for them, and `1.0 / 0.0` is a lambda's `+Inf`), so a
//! restored state is bit for bit the saved one.

use serde_json::Value;

/// A saved lambda state that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid lambda state: {0}")]
pub struct RestoreError(String);

impl RestoreError {
    /// An error about `what`.
    pub(crate) fn new(what: impl Into<String>) -> Self {
        RestoreError(what.into())
    }
}

/// A float as JSON: a number when finite, else `"NaN"`, `"+Inf"` or `"-Inf"`.
pub fn float_json(value: f64) -> Value {
    match serde_json::Number::from_f64(value) {
        Some(number) => Value::Number(number),
        None if value.is_nan() => Value::from("NaN"),
        None if value > 0.0 => Value::from("+Inf"),
        None => Value::from("-Inf"),
    }
}

/// A float from [`float_json`]; `None` for anything else.
pub fn float_from(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => match text.as_str() {
            "NaN" => Some(f64::NAN),
            "+Inf" => Some(f64::INFINITY),
            "-Inf" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_survive_json_text_bit_for_bit() {
        let values = [
            0.1 + 0.2,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            1.0 / 3.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for value in values {
            let text = float_json(value).to_string();
            let back = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(
                float_from(&back).map(f64::to_bits),
                Some(value.to_bits()),
                "{text}"
            );
        }
        assert!(float_from(&float_json(f64::NAN)).is_some_and(f64::is_nan));
        assert_eq!(float_from(&Value::from("inf")), None);
    }
}
