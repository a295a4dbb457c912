//! The functions templates can call: Go's text/template builtins (`and call eq ge gt
//! html index js le len lt ne not or print printf println slice urlquery`) and, in
//! details templates, Kapacitor's `json` and `jsonCompact`. Each has Go's signature:
//! its arity and whether its parameters take any value, a `reflect.Value` (which cannot
//! be `nil`) or a string.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::json::JsonWriter;

use super::encode::write_json;
use super::escape;
use super::param::Param;
use super::value::{Basic, ListRef, Value};
use super::verbs::{sprint, sprintf, sprintln};
use super::{ErrorKind, Kind};

/// A builtin function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Func {
    And,
    Call,
    Eq,
    Ge,
    Gt,
    Html,
    Index,
    Js,
    Le,
    Len,
    Lt,
    Ne,
    Not,
    Or,
    Print,
    Printf,
    Println,
    Slice,
    UrlQuery,
    Json,
    JsonCompact,
}

const ALL: [Func; 21] = [
    Func::And,
    Func::Call,
    Func::Eq,
    Func::Ge,
    Func::Gt,
    Func::Html,
    Func::Index,
    Func::Js,
    Func::Le,
    Func::Len,
    Func::Lt,
    Func::Ne,
    Func::Not,
    Func::Or,
    Func::Print,
    Func::Printf,
    Func::Println,
    Func::Slice,
    Func::UrlQuery,
    Func::Json,
    Func::JsonCompact,
];

/// A function's parameters: the fixed ones and, if variadic, the repeated one.
pub(super) struct Signature {
    pub(super) fixed: &'static [Param],
    pub(super) variadic: Option<Param>,
}

impl Func {
    /// The function's name in templates.
    pub(super) fn name(self) -> &'static str {
        match self {
            Func::And => "and",
            Func::Call => "call",
            Func::Eq => "eq",
            Func::Ge => "ge",
            Func::Gt => "gt",
            Func::Html => "html",
            Func::Index => "index",
            Func::Js => "js",
            Func::Le => "le",
            Func::Len => "len",
            Func::Lt => "lt",
            Func::Ne => "ne",
            Func::Not => "not",
            Func::Or => "or",
            Func::Print => "print",
            Func::Printf => "printf",
            Func::Println => "println",
            Func::Slice => "slice",
            Func::UrlQuery => "urlquery",
            Func::Json => "json",
            Func::JsonCompact => "jsonCompact",
        }
    }

    /// The function called `name` in a template of `kind`.
    pub(super) fn lookup(name: &str, kind: Kind) -> Option<Func> {
        let html_only = |f: &Func| matches!(f, Func::Json | Func::JsonCompact);
        ALL.into_iter()
            .find(|f| f.name() == name && (kind == Kind::Html || !html_only(f)))
    }

    /// The function's Go signature.
    pub(super) fn signature(self) -> Signature {
        use Param::{Any, Str, Value as V};
        let (fixed, variadic): (&'static [Param], _) = match self {
            Func::And | Func::Or | Func::Eq | Func::Index | Func::Slice | Func::Call => {
                (&[V], Some(V))
            }
            Func::Not | Func::Len => (&[V], None),
            Func::Ne | Func::Lt | Func::Le | Func::Gt | Func::Ge => (&[V, V], None),
            Func::Print | Func::Println | Func::Html | Func::Js | Func::UrlQuery => {
                (&[], Some(Any))
            }
            Func::Printf => (&[Str], Some(Any)),
            Func::Json | Func::JsonCompact => (&[Any], None),
        };
        Signature { fixed, variadic }
    }

    /// Calls the function (other than `and`/`or`, which [`exec`](super::exec) evaluates
    /// lazily) with arguments that already match its signature.
    pub(super) fn apply<'a>(self, args: Vec<Value<'a>>) -> Result<Value<'a>, ErrorKind> {
        let owned = |s: String| Value::Str(Cow::Owned(s));
        match self {
            Func::Not => Ok(Value::Bool(!args[0].is_true())),
            Func::Len => length(&args[0]).map(|n| Value::Int(n as i64)),
            Func::Index => index(&args[0], &args[1..]),
            Func::Slice => slice(&args[0], &args[1..]),
            Func::Eq => equal_any(&args[0], &args[1..]).map(Value::Bool),
            Func::Ne => equal_any(&args[0], &args[1..]).map(|eq| Value::Bool(!eq)),
            Func::Lt => less(&args[0], &args[1]).map(Value::Bool),
            Func::Le => less_or_equal(&args[0], &args[1]).map(Value::Bool),
            Func::Gt => less_or_equal(&args[0], &args[1]).map(|le| Value::Bool(!le)),
            Func::Ge => less(&args[0], &args[1]).map(|lt| Value::Bool(!lt)),
            Func::Print => Ok(owned(sprint(&args))),
            Func::Println => Ok(owned(sprintln(&args))),
            Func::Printf => match &args[0] {
                Value::Str(format) => Ok(owned(sprintf(format, &args[1..]))),
                _ => Ok(owned(sprint(&args[1..]))),
            },
            Func::Html => Ok(owned(escape::html(&escaper_text(&args)))),
            Func::Js => Ok(owned(escape::js(&escaper_text(&args)))),
            Func::UrlQuery => Ok(owned(escape::urlquery(&escaper_text(&args)))),
            Func::Call => Err(match &args[0] {
                Value::Nil => ErrorKind::Func("call of nil".into()),
                other => ErrorKind::Func(format!("non-function of type {}", other.type_name())),
            }),
            Func::Json | Func::JsonCompact => {
                let mut w = JsonWriter::new();
                write_json(&mut w, &args[0]).map_err(ErrorKind::Json)?;
                let mut json = w.finish();
                if self == Func::Json {
                    json.push('\n');
                }
                Ok(owned(json))
            }
            Func::And | Func::Or => Ok(args.into_iter().last().unwrap_or(Value::Nil)),
        }
    }
}

/// What the escaping functions escape: a single string as is, otherwise `fmt.Sprint`
/// of the arguments with nil printed as `<no value>`.
fn escaper_text(args: &[Value<'_>]) -> String {
    if let [Value::Str(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value<'_>> = args
        .iter()
        .map(|v| match v {
            Value::Nil => Value::from("<no value>"),
            v => v.clone(),
        })
        .collect();
    sprint(&printable)
}

fn length(item: &Value<'_>) -> Result<usize, ErrorKind> {
    Ok(match item {
        Value::Str(s) => s.len(),
        Value::Map(map) => map.len(),
        Value::List(list) => list.len(),
        other => {
            return Err(ErrorKind::Func(format!(
                "len of type {}",
                other.type_name()
            )))
        }
    })
}

/// An index argument of `index` or `slice`, checked against `cap`.
fn index_arg(index: &Value<'_>, cap: usize) -> Result<usize, ErrorKind> {
    let n: i128 = match index.basic() {
        Some(Basic::Int(n)) => n.into(),
        Some(Basic::Uint(n)) => n.into(),
        _ if matches!(index, Value::Nil) => {
            return Err(ErrorKind::Func("cannot index slice/array with nil".into()))
        }
        _ => {
            return Err(ErrorKind::Func(format!(
                "cannot index slice/array with type {}",
                index.type_name()
            )))
        }
    };
    usize::try_from(n)
        .ok()
        .filter(|&i| i <= cap)
        .ok_or_else(|| ErrorKind::Func(format!("index out of range: {n}")))
}

/// Go's `index item k1 k2 …`.
fn index<'a>(item: &Value<'a>, keys: &[Value<'a>]) -> Result<Value<'a>, ErrorKind> {
    if matches!(item, Value::Nil) {
        return Err(ErrorKind::Func("index of untyped nil".into()));
    }
    let mut item = item.clone();
    for key in keys {
        item = match &item {
            Value::Str(s) => {
                let i = index_arg(key, s.len())?;
                Value::Uint8(*s.as_bytes().get(i).ok_or_else(|| out_of_range(i))?)
            }
            Value::List(list) => {
                let i = index_arg(key, list.len())?;
                list.get(i).ok_or_else(|| out_of_range(i))?
            }
            Value::Map(map) => match key {
                Value::Str(k) => map.index(k),
                Value::Nil => {
                    return Err(ErrorKind::Func(
                        "value is nil; should be of type string".into(),
                    ))
                }
                other => {
                    return Err(ErrorKind::Func(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    )))
                }
            },
            other => {
                return Err(ErrorKind::Func(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(item)
}

fn out_of_range(i: usize) -> ErrorKind {
    ErrorKind::Func(format!("index out of range: {i}"))
}

/// Go's `slice item i j k`.
fn slice<'a>(item: &Value<'a>, indexes: &[Value<'a>]) -> Result<Value<'a>, ErrorKind> {
    if matches!(item, Value::Nil) {
        return Err(ErrorKind::Func("slice of untyped nil".into()));
    }
    if indexes.len() > 3 {
        return Err(ErrorKind::Func(format!(
            "too many slice indexes: {}",
            indexes.len()
        )));
    }
    let len = match item {
        Value::Str(_) if indexes.len() == 3 => {
            return Err(ErrorKind::Func("cannot 3-index slice a string".into()));
        }
        Value::Str(s) => s.len(),
        Value::List(list) => list.len(),
        other => {
            return Err(ErrorKind::Func(format!(
                "can't slice item of type {}",
                other.type_name()
            )))
        }
    };
    let mut bounds = [0, len, len];
    for (i, index) in indexes.iter().enumerate() {
        bounds[i] = index_arg(index, len)?;
    }
    for pair in bounds[..indexes.len().max(2)].windows(2) {
        if pair[0] > pair[1] {
            return Err(ErrorKind::Func(format!(
                "invalid slice index: {} > {}",
                pair[0], pair[1]
            )));
        }
    }
    let (start, end) = (bounds[0], bounds[1]);
    Ok(match item {
        // A cut inside a UTF-8 sequence keeps the valid part (Go keeps the raw bytes).
        Value::Str(s) => Value::Str(Cow::Owned(
            String::from_utf8_lossy(&s.as_bytes()[start..end]).into_owned(),
        )),
        Value::List(list) => Value::List(ListRef {
            items: list.items,
            start: list.start + start,
            end: list.start + end,
        }),
        _ => Value::Nil,
    })
}

/// Go's `eq arg1 arg2 …`: whether `first` equals any of `others`.
fn equal_any(first: &Value<'_>, others: &[Value<'_>]) -> Result<bool, ErrorKind> {
    if others.is_empty() {
        return Err(ErrorKind::Func("missing argument for comparison".into()));
    }
    for other in others {
        if equal(first, other)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn bad_comparison() -> ErrorKind {
    ErrorKind::Func("incompatible types for comparison".into())
}

fn equal(a: &Value<'_>, b: &Value<'_>) -> Result<bool, ErrorKind> {
    match (a.basic(), b.basic()) {
        (Some(Basic::Bool(x)), Some(Basic::Bool(y))) => Ok(x == y),
        (Some(Basic::Str(x)), Some(Basic::Str(y))) => Ok(x == y),
        (Some(Basic::Float(x)), Some(Basic::Float(y))) => Ok(x == y),
        (
            Some(x @ (Basic::Int(_) | Basic::Uint(_))),
            Some(y @ (Basic::Int(_) | Basic::Uint(_))),
        ) => Ok(integer(x) == integer(y)),
        (Some(_), Some(_)) => Err(bad_comparison()),
        _ => match (a, b) {
            (Value::Nil, Value::Nil) => Ok(true),
            (Value::Nil, _) | (_, Value::Nil) => Ok(false),
            (Value::Time(x), Value::Time(y)) => Ok(x == y),
            (Value::Location, Value::Location) => Ok(true),
            (Value::Struct(x), Value::Struct(y)) if x.type_name() == y.type_name() => Ok(x == y),
            (x, y) if x.basic().is_some() || y.basic().is_some() => Err(bad_comparison()),
            (x, y) => Err(ErrorKind::Func(format!(
                "non-comparable types {}, {}",
                x.type_name(),
                y.type_name()
            ))),
        },
    }
}

fn integer(b: Basic<'_>) -> i128 {
    match b {
        Basic::Int(n) => n.into(),
        Basic::Uint(n) => n.into(),
        _ => 0,
    }
}

/// Go's `lt`: ordered basic kinds only.
fn less(a: &Value<'_>, b: &Value<'_>) -> Result<bool, ErrorKind> {
    let bad_type = || ErrorKind::Func("invalid type for comparison".into());
    let (x, y) = (
        a.basic().ok_or_else(bad_type)?,
        b.basic().ok_or_else(bad_type)?,
    );
    let order = match (x, y) {
        (Basic::Bool(_), Basic::Bool(_)) => return Err(bad_type()),
        (Basic::Str(x), Basic::Str(y)) => x.cmp(y),
        (Basic::Float(x), Basic::Float(y)) => return Ok(x < y),
        (x @ (Basic::Int(_) | Basic::Uint(_)), y @ (Basic::Int(_) | Basic::Uint(_))) => {
            integer(x).cmp(&integer(y))
        }
        _ => return Err(bad_comparison()),
    };
    Ok(order == Ordering::Less)
}

/// Go's `le`: `lt` or `eq`.
fn less_or_equal(a: &Value<'_>, b: &Value<'_>) -> Result<bool, ErrorKind> {
    Ok(less(a, b)? || equal(a, b)?)
}
