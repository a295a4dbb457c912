//! String functions: byte-oriented and case-sensitive, as Go's `strings` package.

use super::{one_string, two_strings, FnError, PureFn};
use crate::Value;

/// The string function `name`.
pub(super) fn lookup(name: &str) -> Option<PureFn> {
    Some(match name {
        "strContains" => |a| pair_bool(a, |s, sub| s.contains(sub)),
        "strContainsAny" => |a| pair_bool(a, |s, chars| s.contains(|c| chars.contains(c))),
        "strHasPrefix" => |a| pair_bool(a, |s, p| s.starts_with(p)),
        "strHasSuffix" => |a| pair_bool(a, |s, p| s.ends_with(p)),
        "strCount" => |a| pair_int(a, count),
        "strIndex" => |a| pair_int(a, |s, sub| index(s.find(sub))),
        "strLastIndex" => |a| pair_int(a, |s, sub| index(s.rfind(sub))),
        "strIndexAny" => |a| pair_int(a, |s, chars| index(s.find(|c| chars.contains(c)))),
        "strLastIndexAny" => |a| pair_int(a, |s, chars| index(s.rfind(|c| chars.contains(c)))),
        "strTrim" => |a| pair_string(a, |s, cut| s.trim_matches(|c| cut.contains(c))),
        "strTrimLeft" => |a| pair_string(a, |s, cut| s.trim_start_matches(|c| cut.contains(c))),
        "strTrimRight" => |a| pair_string(a, |s, cut| s.trim_end_matches(|c| cut.contains(c))),
        "strTrimPrefix" => |a| pair_string(a, |s, p| s.strip_prefix(p).unwrap_or(s)),
        "strTrimSuffix" => |a| pair_string(a, |s, p| s.strip_suffix(p).unwrap_or(s)),
        "strToLower" => |a| one_string(a).map(|s| Value::String(s.to_lowercase().into())),
        "strToUpper" => |a| one_string(a).map(|s| Value::String(s.to_uppercase().into())),
        "strTrimSpace" => |a| one_string(a).map(|s| Value::String(s.trim().into())),
        "strLength" => |a| one_string(a).map(|s| Value::Int(s.len() as i64)),
        "strReplace" => replace,
        "strSubstring" => substring,
        "regexReplace" => regex_replace,
        _ => return None,
    })
}

fn pair_bool(args: &[Value], f: fn(&str, &str) -> bool) -> Result<Value, FnError> {
    two_strings(args).map(|(a, b)| Value::Bool(f(a, b)))
}

fn pair_int(args: &[Value], f: fn(&str, &str) -> i64) -> Result<Value, FnError> {
    two_strings(args).map(|(a, b)| Value::Int(f(a, b)))
}

fn pair_string(args: &[Value], f: for<'a> fn(&'a str, &str) -> &'a str) -> Result<Value, FnError> {
    two_strings(args).map(|(a, b)| Value::String(f(a, b).into()))
}

/// A byte index, or -1 for none.
fn index(found: Option<usize>) -> i64 {
    found.map_or(-1, |i| i as i64)
}

/// Go's `strings.Count`: non-overlapping occurrences; an empty `sub` counts the gaps
/// between code points, 1 + their number.
fn count(s: &str, sub: &str) -> i64 {
    if sub.is_empty() {
        return s.chars().count() as i64 + 1;
    }
    s.matches(sub).count() as i64
}

/// `strReplace(s, old, new, n)`: the first `n` occurrences, all when `n < 0`.
fn replace(args: &[Value]) -> Result<Value, FnError> {
    let [Value::String(s), Value::String(old), Value::String(new), Value::Int(n)] = args else {
        return Err(FnError::Signature);
    };
    let replaced = match usize::try_from(*n) {
        Ok(n) => s.replacen(old, new, n),
        Err(_) => s.replace(old, new),
    };
    Ok(Value::String(replaced))
}

/// `strSubstring(s, start, stop)`: the bytes `[start, stop)`, with Kapacitor's bounds
/// errors (so the last byte can never be included).
fn substring(args: &[Value]) -> Result<Value, FnError> {
    let [Value::String(s), Value::Int(start), Value::Int(stop)] = args else {
        return Err(FnError::Signature);
    };
    for index in [start, stop] {
        if *index < 0 {
            return Err(FnError::Failed(format!(
                "found negative index for strSubstring: {index}"
            )));
        }
    }
    if *stop >= s.len() as i64 {
        return Err(FnError::Failed(format!(
            "stop index too large for string in strSubstring: {stop}"
        )));
    }
    if start > stop {
        return Err(FnError::Failed(format!(
            "start index {start} is after stop index {stop} in strSubstring"
        )));
    }
    let bytes = &s.as_bytes()[*start as usize..*stop as usize];
    Ok(Value::String(String::from_utf8_lossy(bytes).into()))
}

/// `regexReplace(re, s, repl)`: every match replaced; `$1`, `${1}`, `$name` and `$$`
/// expand as in Go (the regex crate reads them the same way).
fn regex_replace(args: &[Value]) -> Result<Value, FnError> {
    let [Value::Regex(re), Value::String(s), Value::String(repl)] = args else {
        return Err(FnError::Signature);
    };
    Ok(Value::String(re.replace_all(s, &**repl).as_ref().into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn call(name: &str, args: &[Value]) -> Result<Value, FnError> {
        lookup(name).expect("exists")(args)
    }

    #[test]
    fn byte_oriented() {
        assert_eq!(call("strLength", &[s("héllo")]), Ok(Value::Int(6)));
        assert_eq!(call("strIndex", &[s("héllo"), s("l")]), Ok(Value::Int(3)));
        assert_eq!(call("strCount", &[s("cheese"), s("")]), Ok(Value::Int(7)));
        assert_eq!(call("strCount", &[s("aaaa"), s("aa")]), Ok(Value::Int(2)));
    }

    #[test]
    fn substring_bounds() {
        assert_eq!(
            call("strSubstring", &[s("abcd"), Value::Int(1), Value::Int(3)]),
            Ok(s("bc"))
        );
        assert_eq!(
            call("strSubstring", &[s("abcd"), Value::Int(0), Value::Int(4)]),
            Err(FnError::Failed(
                "stop index too large for string in strSubstring: 4".into()
            ))
        );
        assert_eq!(
            call("strSubstring", &[s("abcd"), Value::Int(-1), Value::Int(2)]),
            Err(FnError::Failed(
                "found negative index for strSubstring: -1".into()
            ))
        );
    }

    #[test]
    fn replace_and_trim() {
        assert_eq!(
            call(
                "strReplace",
                &[s("oink oink oink"), s("k"), s("ky"), Value::Int(2)]
            ),
            Ok(s("oinky oinky oink"))
        );
        assert_eq!(
            call("strReplace", &[s("abc"), s(""), s("-"), Value::Int(-1)]),
            Ok(s("-a-b-c-"))
        );
        assert_eq!(call("strTrim", &[s("xxhixx"), s("x")]), Ok(s("hi")));
        assert_eq!(
            call("strTrimPrefix", &[s("prefix-x"), s("prefix-")]),
            Ok(s("x"))
        );
    }

    #[test]
    fn regex_replace_expands_groups() {
        let re = Value::Regex(std::sync::Arc::new(
            regex::Regex::new("a(x*)b").expect("valid"),
        ));
        assert_eq!(
            call("regexReplace", &[re.clone(), s("-ab-axxb-"), s("${1}W")]),
            Ok(s("-W-xxW-"))
        );
        assert_eq!(
            call("regexReplace", &[re, s("-ab-axxb-"), s("$1W")]),
            Ok(s("---"))
        );
    }
}
