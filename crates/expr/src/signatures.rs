//! The built-in functions' signatures: which argument types each accepts and what it
//! returns.
//!
//! Signatures are exact: Kapacitor converts nothing implicitly, so `abs("i")` with an int
//! field is an error. The same table serves the static check at task definition (when
//! every argument's type is known from literals) and the run-time check per evaluation.

use crate::Type;
use Type::{Bool, Duration, Float, Int, Missing, Regex, String, Time};

/// One accepted argument list and its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// The argument types, in order.
    pub args: &'static [Type],
    /// The result type.
    pub result: Type,
}

/// `sig!([A, B] => R)`: a signature as a constant expression, so tables of them are
/// promoted to `'static`.
macro_rules! sig {
    ([$($arg:expr),*] => $result:expr) => {
        Signature { args: &[$($arg),*], result: $result }
    };
}

/// Math functions of one float argument returning a float.
const FLOAT_UNARY: &[&str] = &[
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "ceil", "cos", "cosh", "erf",
    "erfc", "exp", "exp2", "expm1", "floor", "gamma", "j0", "j1", "log", "log10", "log1p", "log2",
    "logb", "sin", "sinh", "sqrt", "tan", "tanh", "trunc", "y0", "y1",
];

/// Math functions of two float arguments returning a float.
const FLOAT_BINARY: &[&str] = &["atan2", "hypot", "max", "min", "mod", "pow"];

/// String functions of two string arguments returning a bool.
const STR_PREDICATES: &[&str] = &[
    "strContains",
    "strContainsAny",
    "strHasPrefix",
    "strHasSuffix",
];

/// String functions of two string arguments returning an int.
const STR_INDEXES: &[&str] = &[
    "strCount",
    "strIndex",
    "strIndexAny",
    "strLastIndex",
    "strLastIndexAny",
];

/// String functions of two string arguments returning a string.
const STR_TRIMS: &[&str] = &[
    "strTrim",
    "strTrimLeft",
    "strTrimRight",
    "strTrimPrefix",
    "strTrimSuffix",
];

/// String functions of one string argument returning a string.
const STR_UNARY: &[&str] = &["strToLower", "strToUpper", "strTrimSpace"];

/// Calendar functions of a time returning an int.
const TIME_PARTS: &[&str] = &[
    "unixNano", "minute", "hour", "weekday", "day", "month", "year",
];

/// The signatures of the built-in function `name`, or `None` if there is no such function.
pub fn signatures(name: &str) -> Option<&'static [Signature]> {
    const F_F: &[Signature] = &[sig!([Float] => Float)];
    const FF_F: &[Signature] = &[sig!([Float, Float] => Float)];
    const SS_B: &[Signature] = &[sig!([String, String] => Bool)];
    const SS_I: &[Signature] = &[sig!([String, String] => Int)];
    const SS_S: &[Signature] = &[sig!([String, String] => String)];
    const S_S: &[Signature] = &[sig!([String] => String)];
    const T_I: &[Signature] = &[sig!([Time] => Int)];
    let table: &'static [Signature] = match name {
        n if FLOAT_UNARY.contains(&n) => F_F,
        n if FLOAT_BINARY.contains(&n) => FF_F,
        n if STR_PREDICATES.contains(&n) => SS_B,
        n if STR_INDEXES.contains(&n) => SS_I,
        n if STR_TRIMS.contains(&n) => SS_S,
        n if STR_UNARY.contains(&n) => S_S,
        n if TIME_PARTS.contains(&n) => T_I,
        "bool" => &[
            sig!([Bool] => Bool),
            sig!([String] => Bool),
            sig!([Int] => Bool),
            sig!([Float] => Bool),
        ],
        "int" => &[
            sig!([Bool] => Int),
            sig!([String] => Int),
            sig!([Int] => Int),
            sig!([Float] => Int),
        ],
        "float" => &[
            sig!([Bool] => Float),
            sig!([String] => Float),
            sig!([Int] => Float),
            sig!([Float] => Float),
        ],
        "string" => &[
            sig!([Bool] => String),
            sig!([String] => String),
            sig!([Int] => String),
            sig!([Float] => String),
            sig!([Duration] => String),
        ],
        "duration" => &[
            sig!([Duration] => Duration),
            sig!([Int, Duration] => Duration),
            sig!([Float, Duration] => Duration),
            sig!([String, Duration] => Duration),
        ],
        "pow10" => &[sig!([Int] => Float)],
        "jn" | "yn" => &[sig!([Int, Float] => Float)],
        "strLength" => &[sig!([String] => Int)],
        "strReplace" => &[sig!([String, String, String, Int] => String)],
        "strSubstring" => &[sig!([String, Int, Int] => String)],
        "regexReplace" => &[sig!([Regex, String, String] => String)],
        "now" => &[sig!([] => Time)],
        "isPresent" => &[
            sig!([Missing] => Bool),
            sig!([Bool] => Bool),
            sig!([String] => Bool),
            sig!([Int] => Bool),
            sig!([Float] => Bool),
        ],
        "if" => &[
            sig!([Bool, Float, Float] => Float),
            sig!([Bool, Int, Int] => Int),
            sig!([Bool, String, String] => String),
            sig!([Bool, Bool, Bool] => Bool),
            sig!([Bool, Regex, Regex] => Regex),
            sig!([Bool, Time, Time] => Time),
            sig!([Bool, Duration, Duration] => Duration),
        ],
        "humanBytes" => &[sig!([Int] => String), sig!([Float] => String)],
        "count" => &[sig!([] => Int)],
        "sigma" | "spread" => &[sig!([Float] => Float)],
        "rand" => &[sig!([] => Int), sig!([Int] => Int)],
        _ => return None,
    };
    Some(table)
}

/// Whether `name` keeps state between evaluations (`count`, `sigma`, `spread`, `rand`).
pub fn is_stateful(name: &str) -> bool {
    matches!(name, "count" | "sigma" | "spread" | "rand")
}

/// Every built-in function name, for suggestions after a misspelling.
pub fn names() -> impl Iterator<Item = &'static str> {
    const OTHERS: &[&str] = &[
        "bool",
        "int",
        "float",
        "string",
        "duration",
        "pow10",
        "jn",
        "yn",
        "strLength",
        "strReplace",
        "strSubstring",
        "regexReplace",
        "now",
        "isPresent",
        "if",
        "humanBytes",
        "count",
        "sigma",
        "spread",
        "rand",
    ];
    [
        FLOAT_UNARY,
        FLOAT_BINARY,
        STR_PREDICATES,
        STR_INDEXES,
        STR_TRIMS,
        STR_UNARY,
        TIME_PARTS,
        OTHERS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The signature of `name` matching `args` exactly, if any.
pub fn resolve(name: &str, args: &[Type]) -> Option<Signature> {
    signatures(name)?.iter().copied().find(|s| s.args == args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_has_signatures() {
        for name in names() {
            assert!(signatures(name).is_some(), "{name} has no signatures");
        }
        assert_eq!(names().count(), 33 + 6 + 4 + 5 + 5 + 3 + 7 + 20);
    }

    #[test]
    fn no_implicit_numeric_conversion() {
        assert_eq!(resolve("abs", &[Float]).map(|s| s.result), Some(Float));
        assert_eq!(resolve("abs", &[Int]), None);
        assert_eq!(resolve("int", &[Duration]), None);
        assert_eq!(resolve("if", &[Bool, Int, Float]), None);
        assert_eq!(resolve("duration", &[String]), None);
    }

    #[test]
    fn unknown_function() {
        assert!(signatures("nosuch").is_none());
        assert!(!is_stateful("abs"));
        assert!(is_stateful("sigma"));
    }
}
