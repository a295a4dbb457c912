//! Executes a parsed template: evaluates pipelines against the data (the alert
//! [`TemplateData`](super::TemplateData) or a row), calls the built-in functions and prints
//! values (HTML-escaped for [`Kind::Html`]).

use std::cmp::Ordering;

use crate::json::JsonWriter;

use super::data::write_json;
use super::format::{format_v, sprint, sprintf, Value};
use super::parse::{Command, Func, Node, Pipeline, Term};
use super::row;
use super::{ErrorKind, Failure, Kind};

/// Renders `nodes` with `data` as `.`.
pub(super) fn render(nodes: &[Node], kind: Kind, data: Value<'_>) -> Result<String, Failure> {
    let mut exec = Exec {
        kind,
        dot: data,
        out: String::new(),
    };
    exec.nodes(nodes)?;
    Ok(exec.out)
}

struct Exec<'a> {
    kind: Kind,
    /// The value of `.`: the data, or the element inside a `range`.
    dot: Value<'a>,
    out: String,
}

impl<'a> Exec<'a> {
    fn nodes(&mut self, nodes: &[Node]) -> Result<(), Failure> {
        for node in nodes {
            match node {
                Node::Text(text) => self.out.push_str(text),
                Node::Action(pipeline) => {
                    let value = self.pipeline(pipeline)?;
                    self.print(&value)
                        .map_err(|kind| Failure::new(pipeline.pos, kind))?;
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    let mut chosen = otherwise;
                    for (cond, body) in branches {
                        if self.pipeline(cond)?.is_true() {
                            chosen = body;
                            break;
                        }
                    }
                    self.nodes(chosen)?;
                }
                Node::Range {
                    over,
                    body,
                    otherwise,
                } => {
                    let value = self.pipeline(over)?;
                    let elements = elements(&value).map_err(|k| Failure::new(over.pos, k))?;
                    if elements.is_empty() {
                        self.nodes(otherwise)?;
                    }
                    for element in elements {
                        let outer = std::mem::replace(&mut self.dot, element);
                        let result = self.nodes(body);
                        self.dot = outer;
                        result?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Prints an action's value: `<no value>` for nil in text templates; in HTML templates
    /// nothing for nil and everything else escaped like `html/template` in a text context.
    fn print(&mut self, value: &Value<'_>) -> Result<(), ErrorKind> {
        match (self.kind, value) {
            (Kind::Text, Value::Nil) => self.out.push_str("<no value>"),
            (Kind::Text, Value::Str(s)) => self.out.push_str(s),
            (Kind::Text, _) => self.out.push_str(&format_v(value)?),
            (Kind::Html, Value::Nil) => {}
            (Kind::Html, Value::Str(s)) => html_escape(&mut self.out, s),
            (Kind::Html, _) => html_escape(&mut self.out, &format_v(value)?),
        }
        Ok(())
    }

    fn pipeline(&self, pipeline: &Pipeline) -> Result<Value<'a>, Failure> {
        let mut value = None;
        for command in &pipeline.commands {
            value = Some(self.command(command, value)?);
        }
        Ok(value.unwrap_or(Value::Nil))
    }

    /// Evaluates one command; `piped` is the previous stage's value, the last argument.
    fn command(&self, command: &Command, piped: Option<Value<'a>>) -> Result<Value<'a>, Failure> {
        match command {
            Command::Operand(term) => self.term(term),
            Command::Call { func, args, pos } => self.call(*func, args, piped, *pos),
        }
    }

    fn term(&self, term: &Term) -> Result<Value<'a>, Failure> {
        Ok(match term {
            Term::Dot => self.dot.clone(),
            Term::Field(names, pos) => {
                self.field_chain(names).map_err(|k| Failure::new(*pos, k))?
            }
            Term::Func(func, pos) => self.call(*func, &[], None, *pos)?,
            Term::Str(s) => Value::Str(s.clone().into()),
            Term::Int(n) => Value::Int(*n),
            Term::Float(x) => Value::Float(*x),
            Term::Bool(b) => Value::Bool(*b),
            Term::Nil => Value::Nil,
            Term::Pipeline(inner) => self.pipeline(inner)?,
        })
    }

    /// `.A.B…` starting from `.`.
    fn field_chain(&self, names: &[String]) -> Result<Value<'a>, ErrorKind> {
        let mut value = self.dot.clone();
        for name in names {
            value = match value {
                Value::Data(data) => data.field(name)?,
                Value::ServerInfo(info) => info.field(name)?,
                Value::Row(row) => row::field(row, name)?,
                Value::RowEntry(row, index) => row::entry(row, index, name),
                Value::Tags(tags) => tags.get(name).map_or(Value::Nil, |v| Value::from(&**v)),
                Value::Fields(fields) => fields.get(name).map_or(Value::Nil, Value::from),
                other => {
                    return Err(ErrorKind::UnknownField {
                        field: name.clone(),
                        ty: other.type_name(),
                    })
                }
            };
        }
        Ok(value)
    }

    /// Calls `func` with `args` and then `piped`. `and`/`or` evaluate lazily.
    fn call(
        &self,
        func: Func,
        args: &[Term],
        piped: Option<Value<'a>>,
        pos: usize,
    ) -> Result<Value<'a>, Failure> {
        let got = args.len() + usize::from(piped.is_some());
        let fail = |kind| Failure::new(pos, kind);
        let arity = |want| {
            fail(ErrorKind::Arity {
                func: func.name(),
                want,
                got,
            })
        };
        // `and` stops at the first false argument, `or` at the first true one.
        let short_circuit = match func {
            Func::And => Some(false),
            Func::Or => Some(true),
            _ => None,
        };
        let mut values = Vec::with_capacity(got);
        for term in args {
            let value = self.term(term)?;
            let stop = short_circuit == Some(value.is_true());
            values.push(value);
            if stop {
                break;
            }
        }
        if values.len() == args.len() {
            values.extend(piped);
        }
        let exactly = |n: usize, want| if got == n { Ok(()) } else { Err(arity(want)) };
        let bad = |reason: String| {
            fail(ErrorKind::BadArgument {
                func: func.name(),
                reason,
            })
        };
        match func {
            Func::Not => {
                exactly(1, "1")?;
                Ok(Value::Bool(!values[0].is_true()))
            }
            Func::Len => {
                exactly(1, "1")?;
                let len = match &values[0] {
                    Value::Str(s) => s.len(),
                    Value::Tags(m) => m.len(),
                    Value::Fields(m) => m.len(),
                    Value::RowValues(row) => row.values.len(),
                    Value::RowEntry(row, _) => row.columns.len(),
                    other => return Err(bad(format!("len of type {}", other.type_name()))),
                };
                Ok(Value::Int(i64::try_from(len).unwrap_or(i64::MAX)))
            }
            Func::Index => {
                let Some((item, keys)) = values.split_first() else {
                    return Err(arity("at least 1"));
                };
                let mut item = item.clone();
                for key in keys {
                    item = index(&item, key).map_err(bad)?;
                }
                Ok(item)
            }
            Func::Eq | Func::Ne => {
                let Some((first, rest)) = values.split_first().filter(|(_, rest)| !rest.is_empty())
                else {
                    return Err(arity("at least 2"));
                };
                if func == Func::Ne {
                    exactly(2, "2")?;
                }
                let mut equal = false;
                for other in rest {
                    if equals(first, other).map_err(bad)? {
                        equal = true;
                        break;
                    }
                }
                Ok(Value::Bool(equal == (func == Func::Eq)))
            }
            Func::Lt | Func::Le | Func::Gt | Func::Ge => {
                exactly(2, "2")?;
                let order = compare(&values[0], &values[1]).map_err(bad)?;
                Ok(Value::Bool(match func {
                    Func::Lt => order == Ordering::Less,
                    Func::Le => order != Ordering::Greater,
                    Func::Gt => order == Ordering::Greater,
                    _ => order != Ordering::Less,
                }))
            }
            Func::Print => Ok(Value::Str(sprint(&values).map_err(fail)?.into())),
            Func::Printf => {
                let Some((Value::Str(format), rest)) = values.split_first() else {
                    return Err(match values.first() {
                        None => arity("at least 1"),
                        Some(other) => {
                            bad(format!("format of type {}, want string", other.type_name()))
                        }
                    });
                };
                Ok(Value::Str(sprintf(format, rest).map_err(fail)?.into()))
            }
            Func::Json | Func::JsonCompact => {
                exactly(1, "1")?;
                let mut w = JsonWriter::new();
                write_json(&mut w, &values[0]).map_err(|e| fail(ErrorKind::Json(e)))?;
                let mut json = w.finish();
                if func == Func::Json {
                    json.push('\n');
                }
                Ok(Value::Str(json.into()))
            }
            Func::And | Func::Or => {
                let wanted = func == Func::Or;
                let found = values.iter().find(|v| v.is_true() == wanted);
                match found.or(values.last()) {
                    Some(value) => Ok(value.clone()),
                    None => Err(arity("at least 1")),
                }
            }
        }
    }
}

/// `index item key`: a map entry, the zero value (`""` for tags, nil for fields) if absent;
/// or a list element.
fn index<'a>(item: &Value<'a>, key: &Value<'_>) -> Result<Value<'a>, String> {
    if let Value::RowValues(row) = item {
        let position = match key {
            Value::Int(n) | Value::Int64(n) => usize::try_from(*n).ok(),
            other => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    other.type_name()
                ))
            }
        };
        return match position.filter(|&i| i < row.values.len()) {
            Some(i) => Ok(Value::RowEntry(row, i)),
            None => Err(format!(
                "index out of range: {}",
                format_v(key).unwrap_or_default()
            )),
        };
    }
    let key = match key {
        Value::Str(k) => k,
        other => {
            return Err(format!(
                "value has type {}; should be string",
                other.type_name()
            ))
        }
    };
    match item {
        Value::Tags(tags) => Ok(Value::from(tags.get(key).map_or("", |v| &**v))),
        Value::Fields(fields) => Ok(fields.get(key).map_or(Value::Nil, Value::from)),
        Value::RowEntry(row, index) => Ok(row::entry(row, *index, key)),
        Value::Nil => Err("index of untyped nil".into()),
        other => Err(format!("can't index item of type {}", other.type_name())),
    }
}

/// The elements `range` visits: list items in order, map values in key order.
fn elements<'a>(value: &Value<'a>) -> Result<Vec<Value<'a>>, ErrorKind> {
    Ok(match value {
        Value::RowValues(row) => (0..row.values.len())
            .map(|i| Value::RowEntry(row, i))
            .collect(),
        Value::RowEntry(row, index) => row::entries(row, *index)
            .into_iter()
            .map(|(_, v)| v)
            .collect(),
        Value::Tags(tags) => tags.iter().map(|(_, v)| Value::from(&**v)).collect(),
        Value::Fields(fields) => fields.iter().map(|(_, v)| Value::from(v)).collect(),
        Value::Nil => Vec::new(),
        other => return Err(ErrorKind::NotIterable(other.type_name())),
    })
}

/// A value reduced to the basic kinds Go's comparison functions know.
enum Basic<'v> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'v str),
}

fn basic<'v>(value: &'v Value<'_>) -> Option<Basic<'v>> {
    Some(match value {
        Value::Bool(b) => Basic::Bool(*b),
        Value::Int(n) | Value::Int64(n) => Basic::Int(*n),
        Value::Duration(d) => Basic::Int(d.nanos()),
        Value::Uint64(n) => Basic::Uint(*n),
        Value::Float(x) => Basic::Float(*x),
        Value::Str(s) => Basic::Str(s),
        _ => return None,
    })
}

/// Go's `eq` for two values: basic kinds must match (signed and unsigned integers mix).
fn equals(a: &Value<'_>, b: &Value<'_>) -> Result<bool, String> {
    match (basic(a), basic(b)) {
        (Some(Basic::Bool(x)), Some(Basic::Bool(y))) => Ok(x == y),
        (Some(Basic::Str(x)), Some(Basic::Str(y))) => Ok(x == y),
        (Some(x), Some(y)) => numeric_order(&x, &y).map(|o| o == Ordering::Equal),
        _ => match (a, b) {
            (Value::Nil, _) | (_, Value::Nil) => Ok(matches!((a, b), (Value::Nil, Value::Nil))),
            (Value::Time(x), Value::Time(y)) => Ok(x == y),
            (x, y) => Err(format!(
                "non-comparable types {} and {}",
                x.type_name(),
                y.type_name()
            )),
        },
    }
}

/// Go's `lt` family: ordered basic kinds only.
fn compare(a: &Value<'_>, b: &Value<'_>) -> Result<Ordering, String> {
    match (basic(a), basic(b)) {
        (Some(Basic::Str(x)), Some(Basic::Str(y))) => Ok(x.cmp(y)),
        (Some(Basic::Bool(_)), _) | (_, Some(Basic::Bool(_))) | (None, _) | (_, None) => {
            Err("invalid type for comparison".into())
        }
        (Some(x), Some(y)) => numeric_order(&x, &y),
    }
}

fn numeric_order(a: &Basic<'_>, b: &Basic<'_>) -> Result<Ordering, String> {
    let ints = |x: i128, y: i128| Ok(x.cmp(&y));
    match (a, b) {
        (Basic::Int(x), Basic::Int(y)) => ints((*x).into(), (*y).into()),
        (Basic::Int(x), Basic::Uint(y)) => ints((*x).into(), (*y).into()),
        (Basic::Uint(x), Basic::Int(y)) => ints((*x).into(), (*y).into()),
        (Basic::Uint(x), Basic::Uint(y)) => ints((*x).into(), (*y).into()),
        (Basic::Float(x), Basic::Float(y)) => Ok(x.partial_cmp(y).unwrap_or(Ordering::Less)),
        _ => Err("incompatible types for comparison".into()),
    }
}

/// `html/template`'s escaping of a value in an HTML text context.
fn html_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '+' => out.push_str("&#43;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}
