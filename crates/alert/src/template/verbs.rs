//! Go's `fmt` for template values: `%v` (what an action prints), `fmt.Sprint` (`print`),
//! `fmt.Sprintln` (`println`) and `fmt.Sprintf` (`printf`) with the verbs
//! `%v %+v %#v %T %t %d %b %o %O %x %X %c %q %U %e %E %f %F %g %G %s %%`, the flags
//! `+ - # 0 space`, width, precision, `*` and explicit argument indexes (`%[2]d`).
//! Mismatches print as Go prints them: `%!d(string=x)`, `%!d(MISSING)`,
//! `%!(EXTRA int=1)`, `%!(NOVERB)`, `%!d(BADINDEX)`.
//!
//! Known differences from Go: `%p` is a bad verb here, a
//! `*models.Row` nested in a slice prints as `&{…}` where Go prints its address, and
//! `unicode.IsPrint` is approximated by "not a control character" in `%q`.

use std::fmt::Write as _;

use super::floats::format_float;
use super::methods::{go_string, stringer};
use super::timefmt;
use super::value::{ListRef, MapRef, StructRef, Value};

/// One formatting directive's flags.
#[derive(Debug, Clone, Copy, Default)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// A printer state: the output and whether a bad verb is being reported (which turns
/// `String` methods off, as in Go).
struct Printer<'o> {
    out: &'o mut String,
    spec: Spec,
    erroring: bool,
}

/// Appends Go's `%v` of `value`.
pub(super) fn write_v(out: &mut String, value: &Value<'_>) {
    Printer {
        out,
        spec: Spec::default(),
        erroring: false,
    }
    .arg(value, 'v');
}

/// Go's `fmt.Sprint`: operands in `%v`, a space between two operands neither of which
/// is a string.
pub(super) fn sprint(args: &[Value<'_>]) -> String {
    let mut out = String::new();
    let is_str = |v: &Value<'_>| matches!(v, Value::Str(_));
    for (i, arg) in args.iter().enumerate() {
        if i > 0 && !is_str(arg) && !is_str(&args[i - 1]) {
            out.push(' ');
        }
        write_v(&mut out, arg);
    }
    out
}

/// Go's `fmt.Sprintln`: operands in `%v` separated by spaces, then a newline.
pub(super) fn sprintln(args: &[Value<'_>]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(&mut out, arg);
    }
    out.push('\n');
    out
}

/// Go's `fmt.Sprintf`.
pub(super) fn sprintf(format: &str, args: &[Value<'_>]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut p = Printer {
        out: &mut out,
        spec: Spec::default(),
        erroring: false,
    };
    let mut directives = Directives {
        format: format.as_bytes(),
        i: 0,
        arg: 0,
        reordered: false,
        good_arg: true,
        count: args.len(),
    };
    while directives.i < format.len() {
        let start = directives.i;
        let end = format[start..]
            .find('%')
            .map_or(format.len(), |e| start + e);
        p.out.push_str(&format[start..end]);
        if end >= format.len() {
            break;
        }
        directives.i = end + 1;
        if !directives.directive(&mut p, format, args) {
            break;
        }
    }
    if !directives.reordered && directives.arg < args.len() {
        p.spec = Spec::default();
        p.out.push_str("%!(EXTRA ");
        for (i, arg) in args[directives.arg..].iter().enumerate() {
            if i > 0 {
                p.out.push_str(", ");
            }
            if !matches!(arg, Value::Nil) {
                p.out.push_str(arg.type_name());
                p.out.push('=');
            }
            p.arg(arg, 'v');
        }
        p.out.push(')');
    }
    out
}

/// Position in a format string and in its arguments.
struct Directives<'f> {
    format: &'f [u8],
    i: usize,
    arg: usize,
    reordered: bool,
    good_arg: bool,
    count: usize,
}

const TOO_LARGE: usize = 1_000_000;

impl Directives<'_> {
    /// Handles one directive after its `%`; `false` when the format ended without a verb.
    fn directive(&mut self, p: &mut Printer<'_>, format: &str, args: &[Value<'_>]) -> bool {
        p.spec = Spec::default();
        self.good_arg = true;
        while let Some(&c) = self.format.get(self.i) {
            match c {
                b'#' => p.spec.sharp = true,
                b'0' => p.spec.zero = !p.spec.minus,
                b'+' => p.spec.plus = true,
                b'-' => {
                    p.spec.minus = true;
                    p.spec.zero = false;
                }
                b' ' => p.spec.space = true,
                _ => break,
            }
            self.i += 1;
        }
        let mut after_index = self.arg_index();
        if self.format.get(self.i) == Some(&b'*') {
            self.i += 1;
            match self.int_arg(args) {
                Some(w) if w < 0 => {
                    p.spec.width = Some(w.unsigned_abs() as usize);
                    p.spec.minus = true;
                    p.spec.zero = false;
                }
                Some(w) => p.spec.width = Some(w as usize),
                None => p.out.push_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            p.spec.width = self.number();
            if after_index && p.spec.width.is_some() {
                self.good_arg = false;
            }
        }
        if self.i + 1 < self.format.len() && self.format[self.i] == b'.' {
            self.i += 1;
            if after_index {
                self.good_arg = false;
            }
            after_index = self.arg_index();
            if self.format.get(self.i) == Some(&b'*') {
                self.i += 1;
                match self.int_arg(args) {
                    Some(n) if n >= 0 => p.spec.precision = Some(n as usize),
                    Some(_) => {}
                    None => p.out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                p.spec.precision = Some(self.number().unwrap_or(0));
            }
        }
        if !after_index {
            self.arg_index();
        }
        let Some(verb) = format[self.i..].chars().next() else {
            p.out.push_str("%!(NOVERB)");
            return false;
        };
        self.i += verb.len_utf8();
        if verb == '%' {
            p.out.push('%');
        } else if !self.good_arg {
            let _ = write!(p.out, "%!{verb}(BADINDEX)");
        } else if self.arg >= args.len() {
            let _ = write!(p.out, "%!{verb}(MISSING)");
        } else {
            if verb == 'v' {
                p.spec.sharp_v = std::mem::take(&mut p.spec.sharp);
                p.spec.plus_v = std::mem::take(&mut p.spec.plus);
            }
            p.arg(&args[self.arg], verb);
            self.arg += 1;
        }
        true
    }

    /// Digits at the cursor, `None` without any (or absurdly many).
    fn number(&mut self) -> Option<usize> {
        let mut n: Option<usize> = None;
        while let Some(d) = self.format.get(self.i).filter(|b| b.is_ascii_digit()) {
            let value = n.unwrap_or(0);
            if value > TOO_LARGE {
                return None;
            }
            n = Some(value * 10 + usize::from(d - b'0'));
            self.i += 1;
        }
        n
    }

    /// An explicit `[n]` argument index at the cursor; whether one was read.
    fn arg_index(&mut self) -> bool {
        if self.format.get(self.i) != Some(&b'[') {
            return false;
        }
        self.reordered = true;
        let Some(close) = self.format[self.i..].iter().position(|&b| b == b']') else {
            self.i += 1;
            self.good_arg = false;
            return false;
        };
        let digits = &self.format[self.i + 1..self.i + close];
        self.i += close + 1;
        let index = std::str::from_utf8(digits)
            .ok()
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<usize>().ok());
        match index {
            Some(n) if n >= 1 && n <= self.count => {
                self.arg = n - 1;
                true
            }
            Some(_) => {
                self.good_arg = false;
                true
            }
            None => {
                self.good_arg = false;
                false
            }
        }
    }

    /// The integer argument of a `*` width or precision.
    fn int_arg(&mut self, args: &[Value<'_>]) -> Option<i64> {
        let arg = args.get(self.arg)?;
        self.arg += 1;
        let n = match arg {
            Value::Int(n)
            | Value::Int64(n)
            | Value::Duration(n)
            | Value::Month(n)
            | Value::Weekday(n) => *n,
            Value::Uint8(n) => i64::from(*n),
            Value::Uint64(n) => i64::try_from(*n).ok()?,
            _ => return None,
        };
        (n.unsigned_abs() <= TOO_LARGE as u64).then_some(n)
    }
}

/// The `String` method of a value, if it has one.
fn string_method(value: &Value<'_>) -> Option<String> {
    match value {
        Value::Time(_)
        | Value::Duration(_)
        | Value::Level(_)
        | Value::Month(_)
        | Value::Weekday(_)
        | Value::Location => Some(stringer(value)),
        _ => None,
    }
}

impl Printer<'_> {
    /// Go's `printArg`: a top-level operand.
    fn arg(&mut self, value: &Value<'_>, verb: char) {
        match (value, verb) {
            (Value::Nil, 'T' | 'v') => self.pad("<nil>"),
            (Value::Nil, _) => self.bad_verb(value, verb),
            (_, 'T') => self.string(value.type_name(), 's'),
            _ => self.value(value, verb, 0),
        }
    }

    /// Go's `printValue`: an operand or an element at `depth`.
    fn value(&mut self, value: &Value<'_>, verb: char, depth: usize) {
        if !self.erroring && self.methods(value, verb) {
            return;
        }
        match value {
            Value::Nil if self.spec.sharp_v => self.out.push_str("interface {}(nil)"),
            Value::Nil => self.out.push_str("<nil>"),
            Value::Bool(b) if matches!(verb, 't' | 'v') => {
                self.pad(if *b { "true" } else { "false" })
            }
            Value::Int(n)
            | Value::Int64(n)
            | Value::Duration(n)
            | Value::Month(n)
            | Value::Weekday(n) => self.integer(i128::from(*n), true, value, verb),
            Value::Level(level) => self.integer(
                i128::from(super::value::level_number(*level)),
                true,
                value,
                verb,
            ),
            Value::Uint8(n) => self.integer(i128::from(*n), false, value, verb),
            Value::Uint64(n) => self.integer(i128::from(*n), false, value, verb),
            Value::Float(x) => self.float(*x, value, verb),
            Value::Str(s) if verb == 'v' && self.spec.sharp_v => self.quoted(s),
            Value::Str(s) if matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') => self.string(s, verb),
            Value::Time(t) => self.raw_time(*t, verb),
            Value::Map(map) => self.map(map, verb, depth),
            Value::List(list) => self.list(list, verb, depth),
            Value::Struct(s) => self.structure(s, verb, depth),
            Value::Bool(_) | Value::Str(_) | Value::Location => self.bad_verb(value, verb),
        }
    }

    /// Go's `handleMethods`: `GoString` for `%#v`, `String` for `%v %s %x %X %q`.
    fn methods(&mut self, value: &Value<'_>, verb: char) -> bool {
        if self.spec.sharp_v {
            if let Value::Time(t) = value {
                self.string(&go_string(*t), 's');
                return true;
            }
            return false;
        }
        if !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
            return false;
        }
        match string_method(value) {
            Some(text) => {
                self.string(&text, verb);
                true
            }
            None => false,
        }
    }

    /// `%!verb(type=value)`.
    fn bad_verb(&mut self, value: &Value<'_>, verb: char) {
        self.erroring = true;
        let _ = write!(self.out, "%!{verb}(");
        if matches!(value, Value::Nil) {
            self.out.push_str("<nil>");
        } else {
            self.out.push_str(value.type_name());
            self.out.push('=');
            self.arg(value, 'v');
        }
        self.out.push(')');
        self.erroring = false;
    }

    /// Appends `body` padded to the width with spaces (or zeros with the `0` flag).
    fn pad(&mut self, body: &str) {
        let fill = self
            .spec
            .width
            .unwrap_or(0)
            .saturating_sub(body.chars().count());
        if self.spec.minus {
            self.out.push_str(body);
            self.out.extend(std::iter::repeat_n(' ', fill));
        } else {
            let c = if self.spec.zero { '0' } else { ' ' };
            self.out.extend(std::iter::repeat_n(c, fill));
            self.out.push_str(body);
        }
    }

    /// Padding without the zero flag (signs and prefixes already placed).
    fn pad_spaces(&mut self, body: &str) {
        let zero = std::mem::take(&mut self.spec.zero);
        self.pad(body);
        self.spec.zero = zero;
    }

    /// A string for `%v %s %q %x %X`, cut to the precision.
    fn string(&mut self, s: &str, verb: char) {
        match verb {
            'x' | 'X' => self.hex_string(s, verb),
            'q' => self.quoted(s),
            _ => {
                let cut = self.truncate(s);
                self.pad(cut);
            }
        }
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        match self.spec.precision {
            Some(p) => s.char_indices().nth(p).map_or(s, |(i, _)| &s[..i]),
            None => s,
        }
    }

    /// `%q`: Go's `strconv.Quote` (`QuoteToASCII` with `+`, a raw string with `#`).
    fn quoted(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.spec.sharp && can_backquote(s) {
            let body = format!("`{s}`");
            self.pad(&body);
            return;
        }
        let body = quote(s, '"', self.spec.plus);
        self.pad(&body);
    }

    /// `%x`/`%X` of a string: two hex digits per byte, `#` adding `0x`, space separating.
    fn hex_string(&mut self, s: &str, verb: char) {
        let bytes = s.as_bytes();
        let len = self
            .spec
            .precision
            .map_or(bytes.len(), |p| p.min(bytes.len()));
        let prefix = if verb == 'x' { "0x" } else { "0X" };
        let mut body = String::with_capacity(len * 3 + 2);
        if self.spec.sharp {
            body.push_str(prefix);
        }
        for (i, b) in bytes[..len].iter().enumerate() {
            if self.spec.space && i > 0 {
                body.push(' ');
                if self.spec.sharp {
                    body.push_str(prefix);
                }
            }
            let _ = match verb {
                'x' => write!(body, "{b:02x}"),
                _ => write!(body, "{b:02X}"),
            };
        }
        if len == 0 {
            body.clear();
        }
        self.pad_spaces(&body);
    }

    /// Integers for `%v %d %b %o %O %x %X %c %q %U`.
    fn integer(&mut self, n: i128, signed: bool, value: &Value<'_>, verb: char) {
        let base = match verb {
            'v' if self.spec.sharp_v && !signed => {
                let body = format!("0x{n:x}");
                return self.pad(&body);
            }
            'v' | 'd' => 10,
            'b' => 2,
            'o' | 'O' => 8,
            'x' | 'X' => 16,
            'c' => return self.pad(&rune_of(n).to_string()),
            'q' => {
                let c = rune_of(n).to_string();
                let body = if self.spec.sharp && can_backquote(&c) {
                    format!("'{c}'")
                } else {
                    quote(&c, '\'', self.spec.plus)
                };
                return self.pad(&body);
            }
            'U' => return self.unicode(n),
            _ => return self.bad_verb(value, verb),
        };
        let negative = n < 0;
        let magnitude = n.unsigned_abs();
        let mut digits = match base {
            2 => format!("{magnitude:b}"),
            8 => format!("{magnitude:o}"),
            16 if verb == 'X' => format!("{magnitude:X}"),
            16 => format!("{magnitude:x}"),
            _ => magnitude.to_string(),
        };
        let mut min_digits = 0;
        if let Some(p) = self.spec.precision {
            if p == 0 && magnitude == 0 {
                let width = self.spec.width.unwrap_or(0);
                self.out.extend(std::iter::repeat_n(' ', width));
                return;
            }
            min_digits = p;
        } else if self.spec.zero && !self.spec.minus {
            if let Some(w) = self.spec.width {
                min_digits =
                    w.saturating_sub(usize::from(negative || self.spec.plus || self.spec.space));
            }
        }
        if digits.len() < min_digits {
            digits = "0".repeat(min_digits - digits.len()) + &digits;
        }
        let mut prefix = String::new();
        if negative {
            prefix.push('-');
        } else if self.spec.plus {
            prefix.push('+');
        } else if self.spec.space {
            prefix.push(' ');
        }
        if self.spec.sharp {
            match base {
                2 => prefix.push_str("0b"),
                8 if !digits.starts_with('0') => prefix.push('0'),
                16 => prefix.push_str(if verb == 'X' { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            prefix.push_str("0o");
        }
        self.pad_spaces(&(prefix + &digits));
    }

    /// `%U`: `U+0041`, with `#` also the character.
    fn unicode(&mut self, n: i128) {
        let digits = self.spec.precision.unwrap_or(4).max(4);
        let mut body = format!("U+{:0digits$X}", n.max(0));
        if self.spec.sharp {
            if let Some(c) = u32::try_from(n).ok().and_then(char::from_u32) {
                if !c.is_control() {
                    let _ = write!(body, " '{c}'");
                }
            }
        }
        self.pad_spaces(&body);
    }

    /// Floats for `%v %e %E %f %F %g %G %x %X %b`, signs and padding as Go places them.
    fn float(&mut self, x: f64, value: &Value<'_>, verb: char) {
        let (format_verb, default_precision) = match verb {
            'v' => ('g', None),
            'g' | 'G' | 'x' | 'X' | 'b' => (verb, None),
            'e' | 'E' => (verb, Some(6)),
            'f' | 'F' => ('f', Some(6)),
            _ => return self.bad_verb(value, verb),
        };
        let precision = self.spec.precision.or(default_precision);
        let body = format_float(x, format_verb, precision, self.spec.sharp);
        let mut num = if body.starts_with(['-', '+']) {
            body
        } else {
            format!("+{body}")
        };
        if self.spec.space && num.starts_with('+') && !self.spec.plus {
            num.replace_range(..1, " ");
        }
        if num[1..].starts_with(['I', 'N']) {
            if num[1..].starts_with('N') && !self.spec.space && !self.spec.plus {
                num.remove(0);
            }
            return self.pad_spaces(&num);
        }
        if !self.spec.plus && num.starts_with('+') {
            return self.pad(&num[1..]);
        }
        let width = self.spec.width.unwrap_or(0);
        if self.spec.zero && !self.spec.minus && width > num.len() {
            let (sign, digits) = num.split_at(1);
            self.out.push_str(sign);
            self.out.extend(std::iter::repeat_n('0', width - num.len()));
            self.out.push_str(digits);
            return;
        }
        self.pad(&num);
    }

    /// `map[k:v …]` (`map[string]string{"k":"v", …}` with `%#v`), keys sorted.
    fn map(&mut self, map: &MapRef<'_>, verb: char, depth: usize) {
        let sharp = self.spec.sharp_v;
        if sharp {
            let name = Value::Map(*map).type_name();
            self.out.push_str(name);
            self.out.push('{');
        } else {
            self.out.push_str("map[");
        }
        for (i, (key, value)) in map.entries().into_iter().enumerate() {
            if i > 0 {
                self.out.push_str(if sharp { ", " } else { " " });
            }
            self.value(&Value::from(key), verb, depth + 1);
            self.out.push(':');
            self.value(&value, verb, depth + 1);
        }
        self.out.push(if sharp { '}' } else { ']' });
    }

    /// `[a b]` (`[]string{"a", "b"}` with `%#v`).
    fn list(&mut self, list: &ListRef<'_>, verb: char, depth: usize) {
        let sharp = self.spec.sharp_v;
        if sharp {
            self.out.push_str(Value::List(*list).type_name());
            self.out.push('{');
        } else {
            self.out.push('[');
        }
        for (i, element) in list.elements().enumerate() {
            if i > 0 {
                self.out.push_str(if sharp { ", " } else { " " });
            }
            self.value(&element, verb, depth + 1);
        }
        self.out.push(if sharp { '}' } else { ']' });
    }

    /// `{a b}`, `{A:a B:b}` with `%+v`, `pkg.T{A:a, B:b}` with `%#v`.
    fn structure(&mut self, s: &StructRef<'_>, verb: char, depth: usize) {
        let sharp = self.spec.sharp_v;
        if s.is_pointer() {
            self.out.push('&');
        }
        if sharp {
            self.out.push_str(s.type_name().trim_start_matches('*'));
        }
        self.out.push('{');
        for (i, (name, value)) in s.fields().into_iter().enumerate() {
            if i > 0 {
                self.out.push_str(if sharp { ", " } else { " " });
            }
            if self.spec.plus_v || sharp {
                self.out.push_str(name);
                self.out.push(':');
            }
            self.value(&value, verb, depth + 1);
        }
        self.out.push('}');
    }

    /// A `time.Time` printed without its methods: Go's `{wall ext loc}` for a UTC time.
    fn raw_time(&mut self, t: tickflow_model::Time, verb: char) {
        let nanos = t.nanos();
        let wall = Value::Uint64(nanos.rem_euclid(1_000_000_000) as u64);
        let ext = Value::Int64(nanos.div_euclid(1_000_000_000) + timefmt::SECONDS_FROM_YEAR_ONE);
        self.out.push('{');
        self.value(&wall, verb, 1);
        self.out.push(' ');
        self.value(&ext, verb, 1);
        self.out.push_str(" <nil>}");
    }
}

/// The character with code `n`, U+FFFD when there is none.
fn rune_of(n: i128) -> char {
    u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}')
}

/// Go's `strconv.CanBackquote`: no control characters (but tab) and no backquote.
fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c == '\t' || !(c.is_control() || c == '`' || c == '\u{feff}'))
}

/// Go's `strconv.Quote` (or `QuoteRune` with `'`); `ascii` escapes every non-ASCII
/// character as `QuoteToASCII` does.
pub(super) fn quote(s: &str, q: char, ascii: bool) -> String {
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
            c if c.is_control() || (ascii && !c.is_ascii()) => {
                let code = u32::from(c);
                let _ = if code > 0xffff {
                    write!(out, "\\U{code:08x}")
                } else {
                    write!(out, "\\u{code:04x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_floats_keep_their_sign_rules() {
        let args = [
            Value::Float(f64::INFINITY),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NAN),
            Value::Float(f64::NAN),
            Value::Float(f64::NEG_INFINITY),
            Value::Float(f64::INFINITY),
            // `%+v` is "plus in struct fields", not a sign: NaN stays unsigned.
            Value::Float(f64::NAN),
        ];
        assert_eq!(
            sprintf("%v|%5.1f|%+f|% v|%f|%06f|%+v", &args),
            "+Inf| +Inf|+NaN| NaN|-Inf|  +Inf|NaN"
        );
    }

    #[test]
    fn float_flags() {
        let args = [-3.25159, 2.0, 2.0, 0.0].map(Value::Float);
        assert_eq!(
            sprintf("%08.2f|%+.1f|% .1f|%-6g|", &args),
            "-0003.25|+2.0| 2.0|0     |"
        );
    }
}
