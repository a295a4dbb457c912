//! Math functions, with Go's `math` package semantics (NaN and infinities included).

use super::{one_float, FnError, PureFn};
use crate::Value;

/// The math function `name`.
pub(super) fn lookup(name: &str) -> Option<PureFn> {
    if let Some(f) = unary(name) {
        return Some(f);
    }
    Some(match name {
        "atan2" => |a| binary(a, f64::atan2),
        "hypot" => |a| binary(a, f64::hypot),
        "max" => |a| binary(a, go_max),
        "min" => |a| binary(a, go_min),
        "mod" => |a| binary(a, |x, y| x % y),
        "pow" => |a| binary(a, f64::powf),
        "pow10" => |args| match args {
            [Value::Int(n)] => Ok(Value::Float(pow10(*n))),
            _ => Err(FnError::Signature),
        },
        "jn" => |args| int_float(args, libm::jn),
        "yn" => |args| int_float(args, libm::yn),
        _ => return None,
    })
}

/// The one-float-argument functions.
fn unary(name: &str) -> Option<PureFn> {
    macro_rules! float_fn {
        ($f:expr) => {
            |args| one_float(args).map(|x| Value::Float($f(x)))
        };
    }
    Some(match name {
        "abs" => float_fn!(f64::abs),
        "acos" => float_fn!(f64::acos),
        "acosh" => float_fn!(f64::acosh),
        "asin" => float_fn!(f64::asin),
        "asinh" => float_fn!(f64::asinh),
        "atan" => float_fn!(f64::atan),
        "atanh" => float_fn!(f64::atanh),
        "cbrt" => float_fn!(f64::cbrt),
        "ceil" => float_fn!(f64::ceil),
        "cos" => float_fn!(f64::cos),
        "cosh" => float_fn!(f64::cosh),
        "erf" => float_fn!(libm::erf),
        "erfc" => float_fn!(libm::erfc),
        "exp" => float_fn!(f64::exp),
        "exp2" => float_fn!(f64::exp2),
        "expm1" => float_fn!(f64::exp_m1),
        "floor" => float_fn!(f64::floor),
        "gamma" => float_fn!(libm::tgamma),
        "j0" => float_fn!(libm::j0),
        "j1" => float_fn!(libm::j1),
        "log" => float_fn!(f64::ln),
        "log10" => float_fn!(f64::log10),
        "log1p" => float_fn!(f64::ln_1p),
        "log2" => float_fn!(f64::log2),
        "logb" => float_fn!(logb),
        "sin" => float_fn!(f64::sin),
        "sinh" => float_fn!(f64::sinh),
        "sqrt" => float_fn!(f64::sqrt),
        "tan" => float_fn!(f64::tan),
        "tanh" => float_fn!(f64::tanh),
        "trunc" => float_fn!(f64::trunc),
        "y0" => float_fn!(libm::y0),
        "y1" => float_fn!(libm::y1),
        _ => return None,
    })
}

fn binary(args: &[Value], f: fn(f64, f64) -> f64) -> Result<Value, FnError> {
    match args {
        [Value::Float(x), Value::Float(y)] => Ok(Value::Float(f(*x, *y))),
        _ => Err(FnError::Signature),
    }
}

fn int_float(args: &[Value], f: fn(i32, f64) -> f64) -> Result<Value, FnError> {
    match args {
        [Value::Int(n), Value::Float(x)] => {
            let n = i32::try_from(*n)
                .map_err(|_| FnError::Failed(format!("order {n} out of range")))?;
            Ok(Value::Float(f(n, *x)))
        }
        _ => Err(FnError::Signature),
    }
}

/// Go's `math.Max`: NaN wins, and +0 is larger than -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() {
            y
        } else {
            x
        }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: NaN wins, and -0 is smaller than +0.
fn go_min(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

/// Go's `math.Logb`: the binary exponent of `x`.
fn logb(x: f64) -> f64 {
    if x == 0.0 {
        f64::NEG_INFINITY
    } else if x.is_infinite() {
        f64::INFINITY
    } else if x.is_nan() {
        x
    } else {
        f64::from(libm::ilogb(x))
    }
}

/// Go's `math.Pow10`: exactly rounded 10^n, 0 below 1e-323 and +Inf above 1e308.
fn pow10(n: i64) -> f64 {
    match n {
        ..=-324 => 0.0,
        309.. => f64::INFINITY,
        _ => format!("1e{n}").parse().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> Value {
        lookup(name).expect("exists")(args).expect("succeeds")
    }

    #[test]
    fn go_semantics() {
        assert!(matches!(call("sqrt", &[Value::Float(-1.0)]), Value::Float(v) if v.is_nan()));
        assert_eq!(
            call("mod", &[Value::Float(-7.0), Value::Float(3.0)]),
            Value::Float(-1.0)
        );
        assert!(
            matches!(call("max", &[Value::Float(-0.0), Value::Float(0.0)]), Value::Float(v) if v == 0.0 && v.is_sign_positive())
        );
        assert!(
            matches!(call("min", &[Value::Float(f64::NAN), Value::Float(1.0)]), Value::Float(v) if v.is_nan())
        );
        assert_eq!(call("logb", &[Value::Float(8.0)]), Value::Float(3.0));
        assert_eq!(call("pow10", &[Value::Int(3)]), Value::Float(1000.0));
        assert_eq!(
            call("pow10", &[Value::Int(400)]),
            Value::Float(f64::INFINITY)
        );
        assert_eq!(call("gamma", &[Value::Float(5.0)]), Value::Float(24.0));
    }

    #[test]
    fn no_implicit_conversion() {
        assert_eq!(
            lookup("abs").expect("exists")(&[Value::Int(1)]),
            Err(FnError::Signature)
        );
    }
}
