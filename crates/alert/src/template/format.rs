//! Template values and Go's `fmt` formatting of them: `%v` (what an action prints),
//! `fmt.Sprint` (`print`) and `fmt.Sprintf` (`printf`).

use std::borrow::Cow;
use std::fmt::Write as _;

use tickflow_model::{Duration, FieldValue, Fields, Tags, Time};

use crate::row::Row;

use super::data::{ServerInfo, TemplateData, DATA_TYPE, SERVER_INFO_TYPE};
use super::{row, ErrorKind};

/// A value during execution, with the Go type it stands for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value<'a> {
    /// No value: a missing map entry (`<no value>` when printed) or `nil`.
    Nil,
    /// `bool`.
    Bool(bool),
    /// `int`: integer literals and `len`.
    Int(i64),
    /// `int64`: integer fields.
    Int64(i64),
    /// `uint64`: unsigned fields.
    Uint64(u64),
    /// `float64`.
    Float(f64),
    /// `string`.
    Str(Cow<'a, str>),
    /// `time.Time`.
    Time(Time),
    /// `time.Duration`.
    Duration(Duration),
    /// `map[string]string`.
    Tags(&'a Tags),
    /// `map[string]interface{}`.
    Fields(&'a Fields),
    /// The `.ServerInfo` struct.
    ServerInfo(&'a ServerInfo),
    /// The template data `.`.
    Data(&'a TemplateData),
    /// A row as `httpPost` templates see it (`.Name`, `.Tags`, `.Values`).
    Row(&'a Row),
    /// A row's `.Values`: one map per values row.
    RowValues(&'a Row),
    /// Values row `usize` of a row, as a map from column name to value.
    RowEntry(&'a Row, usize),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a FieldValue> for Value<'a> {
    fn from(v: &'a FieldValue) -> Self {
        match v {
            FieldValue::Float(x) => Value::Float(*x),
            FieldValue::Integer(n) => Value::Int64(*n),
            FieldValue::Unsigned(n) => Value::Uint64(*n),
            FieldValue::String(s) => Value::from(&***s),
            FieldValue::Boolean(b) => Value::Bool(*b),
        }
    }
}

impl Value<'_> {
    /// The Go type name.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint64(_) => "uint64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Time(_) => "time.Time",
            Value::Duration(_) => "time.Duration",
            Value::Tags(_) => "map[string]string",
            Value::Fields(_) => "map[string]interface {}",
            Value::ServerInfo(_) => SERVER_INFO_TYPE,
            Value::Data(_) => DATA_TYPE,
            Value::Row(_) => row::ROW_TYPE,
            Value::RowValues(_) => row::VALUES_TYPE,
            Value::RowEntry(..) => row::ENTRY_TYPE,
        }
    }

    /// Go template truthiness: false, 0, nil and empty strings and maps are false.
    pub(super) fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(n) | Value::Int64(n) => *n != 0,
            Value::Uint64(n) => *n != 0,
            Value::Float(x) => *x != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Duration(d) => !d.is_zero(),
            Value::Tags(m) => !m.is_empty(),
            Value::Fields(m) => !m.is_empty(),
            Value::RowValues(row) => !row.values.is_empty(),
            Value::RowEntry(row, _) => !row.columns.is_empty(),
            Value::Time(_) | Value::ServerInfo(_) | Value::Data(_) | Value::Row(_) => true,
        }
    }
}

/// Go's `%v` of `value` (`nil` prints as `<nil>`, as `fmt` does).
pub(super) fn format_v(value: &Value<'_>) -> Result<String, ErrorKind> {
    let mut out = String::new();
    write_value(&mut out, value, &Spec::default())?;
    Ok(out)
}

/// Go's `fmt.Sprint`: operands in `%v`, a space between two operands neither of which is a
/// string.
pub(super) fn sprint(args: &[Value<'_>]) -> Result<String, ErrorKind> {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        let is_str = |v: &Value<'_>| matches!(v, Value::Str(_));
        if i > 0 && !is_str(arg) && !is_str(&args[i - 1]) {
            out.push(' ');
        }
        write_value(&mut out, arg, &Spec::default())?;
    }
    Ok(out)
}

/// Go's `fmt.Sprintf` for the verbs `%v %s %d %f %e %g %q %t %%` with flags `+ - 0 space`,
/// width and precision. Missing operands print `%!v(MISSING)`, extra ones
/// `%!(EXTRA type=value)`, and a verb that does not fit its operand `%!d(string=x)`.
pub(super) fn sprintf(format: &str, args: &[Value<'_>]) -> Result<String, ErrorKind> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '+' => spec.plus = true,
                '-' => spec.minus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        spec.width = number(&mut chars);
        if chars.next_if_eq(&'.').is_some() {
            spec.precision = Some(number(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        spec.verb = verb;
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !"vsdfFeEgGqt".contains(verb) {
            return Err(ErrorKind::BadArgument {
                func: "printf",
                reason: format!("verb %{verb} is not supported"),
            });
        }
        match args.next() {
            Some(arg) => write_value(&mut out, arg, &spec)?,
            None => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
        }
    }
    let extra: Vec<&Value<'_>> = args.collect();
    if !extra.is_empty() {
        out.push_str("%!(EXTRA ");
        for (i, arg) in extra.into_iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}=", arg.type_name());
            write_value(&mut out, arg, &Spec::default())?;
        }
        out.push(')');
    }
    Ok(out)
}

fn number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        chars.next();
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
    }
    n
}

/// One formatting directive.
#[derive(Debug, Clone)]
struct Spec {
    verb: char,
    plus: bool,
    minus: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            verb: 'v',
            plus: false,
            minus: false,
            zero: false,
            space: false,
            width: None,
            precision: None,
        }
    }
}

impl Spec {
    /// Appends `body` padded to the width; zero padding goes after a sign.
    fn pad(&self, out: &mut String, body: &str, numeric: bool) {
        let len = body.chars().count();
        let fill = self.width.unwrap_or(0).saturating_sub(len);
        if self.minus {
            out.push_str(body);
            out.extend(std::iter::repeat_n(' ', fill));
        } else if self.zero && numeric {
            let sign_len = usize::from(body.starts_with(['+', '-', ' ']));
            out.push_str(&body[..sign_len]);
            out.extend(std::iter::repeat_n('0', fill));
            out.push_str(&body[sign_len..]);
        } else {
            out.extend(std::iter::repeat_n(if self.zero { '0' } else { ' ' }, fill));
            out.push_str(body);
        }
    }

    /// Applies the `+` and space flags to a formatted non-negative or negative number.
    fn signed(&self, digits: String) -> String {
        if digits.starts_with(['-', '+']) {
            digits
        } else if self.plus {
            format!("+{digits}")
        } else if self.space {
            format!(" {digits}")
        } else {
            digits
        }
    }

    /// A string for `%v`/`%s` (cut to the precision) or `%q`.
    fn string(&self, out: &mut String, s: &str) {
        let body = match self.verb {
            'q' => quote(s, '"'),
            _ => match self.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_owned(),
            },
        };
        self.pad(out, &body, false);
    }

    /// `%!verb(type=value)` for a verb that does not fit the operand.
    fn bad_verb(&self, out: &mut String, value: &Value<'_>) -> Result<(), ErrorKind> {
        let _ = write!(out, "%!{}(", self.verb);
        if !matches!(value, Value::Nil) {
            let _ = write!(out, "{}=", value.type_name());
        }
        write_value(out, value, &Spec::default())?;
        out.push(')');
        Ok(())
    }
}

/// Appends `value` formatted by `spec`, the way Go's `fmt` does.
fn write_value(out: &mut String, value: &Value<'_>, spec: &Spec) -> Result<(), ErrorKind> {
    let verb = spec.verb;
    match value {
        Value::Nil if verb == 'v' => spec.pad(out, "<nil>", false),
        Value::Bool(b) if matches!(verb, 'v' | 't') => spec.pad(out, &b.to_string(), false),
        Value::Int(n) | Value::Int64(n) => write_int(out, i128::from(*n), value, spec)?,
        Value::Uint64(n) => write_int(out, i128::from(*n), value, spec)?,
        Value::Float(x) => match float(*x, spec) {
            Some(body) => spec.pad(out, &spec.signed(body), true),
            None => spec.bad_verb(out, value)?,
        },
        Value::Str(s) if matches!(verb, 'v' | 's' | 'q') => spec.string(out, s),
        Value::Time(t) if matches!(verb, 'v' | 's' | 'q') => spec.string(out, &go_time(*t)),
        Value::Duration(d) if matches!(verb, 'v' | 's' | 'q') => {
            spec.string(out, &go_duration(d.nanos()))
        }
        Value::Duration(d) => write_int(out, i128::from(d.nanos()), value, spec)?,
        Value::Tags(tags) => {
            write_map(out, tags.iter().map(|(k, v)| (k, Value::from(&**v))), spec)?
        }
        Value::Fields(fields) => {
            write_map(out, fields.iter().map(|(k, v)| (k, Value::from(v))), spec)?
        }
        Value::ServerInfo(info) => {
            out.push('{');
            for (i, s) in [&info.hostname, &info.cluster_id, &info.server_id]
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, &Value::from(s.as_str()), spec)?;
            }
            out.push('}');
        }
        Value::Data(_) => return Err(ErrorKind::Unprintable("the template data")),
        Value::Row(_) => return Err(ErrorKind::Unprintable("the row")),
        Value::RowValues(row) => {
            out.push('[');
            for index in 0..row.values.len() {
                if index > 0 {
                    out.push(' ');
                }
                write_value(out, &Value::RowEntry(row, index), spec)?;
            }
            out.push(']');
        }
        Value::RowEntry(row, index) => write_map(out, row::entries(row, *index).into_iter(), spec)?,
        Value::Time(_) => {
            return Err(ErrorKind::BadArgument {
                func: "printf",
                reason: format!("verb %{verb} cannot format time.Time"),
            })
        }
        Value::Nil | Value::Bool(_) | Value::Str(_) => spec.bad_verb(out, value)?,
    }
    Ok(())
}

fn write_int(out: &mut String, n: i128, value: &Value<'_>, spec: &Spec) -> Result<(), ErrorKind> {
    match spec.verb {
        'v' | 'd' => spec.pad(out, &spec.signed(n.to_string()), true),
        'q' => match u32::try_from(n).ok().and_then(char::from_u32) {
            Some(c) => spec.pad(out, &quote(&c.to_string(), '\''), false),
            None => spec.pad(out, "'\u{fffd}'", false),
        },
        _ => spec.bad_verb(out, value)?,
    }
    Ok(())
}

/// `map[k:v k:v]` with keys in sorted order, the spec applied to each key and value.
fn write_map<'v, K: AsRef<str>>(
    out: &mut String,
    entries: impl Iterator<Item = (K, Value<'v>)>,
    spec: &Spec,
) -> Result<(), ErrorKind> {
    out.push_str("map[");
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(out, &Value::from(k.as_ref()), spec)?;
        out.push(':');
        write_value(out, &v, spec)?;
    }
    out.push(']');
    Ok(())
}

/// A float formatted for `%v %f %F %e %E %g %G`; `None` for other verbs.
fn float(x: f64, spec: &Spec) -> Option<String> {
    if x.is_nan() {
        return Some("NaN".into());
    }
    if x.is_infinite() {
        return Some(if x > 0.0 { "+Inf" } else { "-Inf" }.into());
    }
    let body = match spec.verb {
        'v' | 'g' | 'G' => format_g(x, spec.precision),
        'f' | 'F' => format!("{:.*}", spec.precision.unwrap_or(6), x),
        'e' | 'E' => {
            let s = format!("{:.*e}", spec.precision.unwrap_or(6), x);
            let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
            go_exponent(mantissa, exp.parse().unwrap_or(0))
        }
        _ => return None,
    };
    Some(if spec.verb.is_ascii_uppercase() && spec.verb != 'F' {
        body.to_uppercase()
    } else {
        body
    })
}

/// `mantissa` followed by Go's exponent: `e`, a sign and at least two digits.
fn go_exponent(mantissa: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

/// Go's `strconv.FormatFloat(x, 'g', precision or -1, 64)`, which `%v` and `%g` use: the
/// shortest (or `precision`-digit) decimal, in exponent form when the exponent is below -4
/// or at least the precision (6 for the shortest form), e.g. `1e+06`, `100`, `1.5e-05`.
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
    // Plain decimal with exactly the significant digits.
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

/// Go's `Time.String` in UTC: `2024-01-01 00:00:10.5 +0000 UTC`.
pub(super) fn go_time(t: Time) -> String {
    let rfc = t.to_rfc3339();
    let base = rfc.strip_suffix('Z').unwrap_or(&rfc).replacen('T', " ", 1);
    format!("{base} +0000 UTC")
}

/// Go's `Duration.String`: `0s`, `1.5s`, `1m30s`, `1h0m0s`, `1.5ms`, `2µs`, `-3ns`.
pub(super) fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    if u < SECOND {
        let (unit, scale) = match u {
            0..1_000 => ("ns", 1),
            1_000..1_000_000 => ("µs", 1_000),
            _ => ("ms", 1_000_000),
        };
        return format!("{sign}{}{unit}", decimal(u, scale));
    }
    let hours = u / (3600 * SECOND);
    let minutes = u / (60 * SECOND) % 60;
    let mut out = sign.to_owned();
    if hours > 0 {
        let _ = write!(out, "{hours}h");
    }
    if hours > 0 || minutes > 0 {
        let _ = write!(out, "{minutes}m");
    }
    let _ = write!(out, "{}s", decimal(u % (60 * SECOND), SECOND));
    out
}

/// `value / scale` as a decimal without trailing zeros (`scale` a power of ten).
fn decimal(value: u64, scale: u64) -> String {
    let (int, frac) = (value / scale, value % scale);
    if frac == 0 {
        return int.to_string();
    }
    let width = scale.ilog10() as usize;
    let frac = format!("{frac:0width$}");
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// Go's `strconv.Quote` (or `QuoteRune` with `'`): escapes the quote, backslash and
/// control characters.
fn quote(s: &str, q: char) -> String {
    let mut out = String::from(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c < ' ' || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}
