//! Executes a parsed template as Go's text/template does: evaluates pipelines against
//! `.` (field chains, method calls, variables, functions), walks `if`/`with`/`range`
//! (with `break` and `continue`) and `template` calls, and prints each action's value
//! (HTML-escaped for [`Kind::Html`], as html/template does in a text context).

use std::borrow::Cow;

use super::escape;
use super::funcs::Func;
use super::methods::{self, Method};
use super::param::Param;
use super::parse::Parsed;
use super::tree::{Branch, Command, Node, Number, Pipeline, Range, Term};
use super::value::Value;
use super::verbs::write_v;
use super::{ErrorKind, Failure, Kind};

/// How deep lists of nodes may nest, counting control structures and `{{ template }}`
/// calls (Go allows 100000 calls; the stack of a task's thread would not).
const MAX_DEPTH: usize = 200;

/// Renders `parsed` with `data` as `.` and `$`, appending to `out`.
pub(super) fn render<'t>(
    parsed: &'t Parsed,
    kind: Kind,
    data: Value<'t>,
    out: &mut String,
) -> Result<(), Failure> {
    let mut state = State {
        parsed,
        kind,
        root: data.clone(),
        vars: Vec::new(),
        out,
        depth: 0,
    };
    state.walk(&data, &parsed.main).map(|_| ())
}

/// What a list of nodes asks the enclosing `range` to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Next,
    Break,
    Continue,
}

struct State<'t, 'o> {
    parsed: &'t Parsed,
    kind: Kind,
    /// `$`: the data, or the dot of the `{{ template }}` being run.
    root: Value<'t>,
    /// Variables in scope other than `$`, innermost last.
    vars: Vec<(&'t str, Value<'t>)>,
    out: &'o mut String,
    /// Nesting of node lists (control structures and `{{ template }}` calls).
    depth: usize,
}

/// The argument of a pipeline stage from the previous stage, if any.
type Final<'t> = Option<Value<'t>>;

impl<'t> State<'t, '_> {
    fn walk(&mut self, dot: &Value<'t>, nodes: &'t [Node]) -> Result<Flow, Failure> {
        self.depth += 1;
        let flow = self.nodes(dot, nodes);
        self.depth -= 1;
        flow
    }

    fn nodes(&mut self, dot: &Value<'t>, nodes: &'t [Node]) -> Result<Flow, Failure> {
        for node in nodes {
            let flow = match node {
                Node::Text(text) => {
                    self.out.push_str(text);
                    Flow::Next
                }
                Node::Action(pipeline) => {
                    let value = self.pipeline(dot, pipeline)?;
                    if pipeline.decl.is_empty() {
                        self.print(&value, pipeline);
                    }
                    Flow::Next
                }
                Node::Branch(branch) => self.branch(dot, branch)?,
                Node::Range(range) => self.range(dot, range)?,
                Node::Call {
                    name,
                    pipeline,
                    pos,
                } => self.call_template(dot, name, pipeline.as_ref(), *pos)?,
                Node::Break => Flow::Break,
                Node::Continue => Flow::Continue,
            };
            if flow != Flow::Next {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    /// Prints an action's value: `<no value>` for nil in text templates; in HTML
    /// templates nothing for nil and everything else escaped, except what an `html`
    /// at the end of the pipeline already escaped.
    fn print(&mut self, value: &Value<'t>, pipeline: &Pipeline) {
        match (self.kind, value) {
            (Kind::Text, Value::Nil) => self.out.push_str("<no value>"),
            (Kind::Text, Value::Str(s)) => self.out.push_str(s),
            (Kind::Text, _) => write_v(self.out, value),
            (Kind::Html, Value::Nil) => {}
            (Kind::Html, Value::Str(s)) if ends_with_html(pipeline) => self.out.push_str(s),
            (Kind::Html, Value::Str(s)) => escape::html_text(self.out, s),
            (Kind::Html, _) => {
                let mut text = String::new();
                write_v(&mut text, value);
                escape::html_text(self.out, &text);
            }
        }
    }

    fn branch(&mut self, dot: &Value<'t>, branch: &'t Branch) -> Result<Flow, Failure> {
        let mark = self.vars.len();
        let mut flow = None;
        for (cond, body) in &branch.arms {
            let value = self.pipeline(dot, cond)?;
            if value.is_true() {
                let inner = if branch.with { &value } else { dot };
                flow = Some(self.walk(inner, body));
                break;
            }
        }
        let flow = match flow {
            Some(flow) => flow,
            None => self.walk(dot, &branch.otherwise),
        };
        self.vars.truncate(mark);
        flow
    }

    fn range(&mut self, dot: &Value<'t>, range: &'t Range) -> Result<Flow, Failure> {
        let outer = self.vars.len();
        let value = self.pipeline(dot, &range.over)?;
        let pos = range.over.pos;
        let mark = self.vars.len();
        let mut visited = false;
        match &value {
            Value::List(list) => {
                for (i, element) in list.elements().enumerate() {
                    visited = true;
                    if self.iteration(range, mark, Value::Int(i as i64), element)? {
                        break;
                    }
                }
            }
            Value::Map(map) => {
                for (key, element) in map.entries() {
                    visited = true;
                    if self.iteration(range, mark, Value::from(key), element)? {
                        break;
                    }
                }
            }
            Value::Int(n) if range.over.decl.len() > 1 => {
                return Err(Failure::new(pos, ErrorKind::RangeVariables(n.to_string())))
            }
            Value::Int(n) => {
                // Counted lazily: `range` over a large integer costs time, not memory.
                for i in 0..*n {
                    visited = true;
                    if self.iteration(range, mark, Value::Int(i), Value::Int(i))? {
                        break;
                    }
                }
            }
            Value::Nil => {}
            other => {
                let mut text = String::new();
                write_v(&mut text, other);
                return Err(Failure::new(pos, ErrorKind::NotIterable(text)));
            }
        }
        let flow = match visited {
            true => Flow::Next,
            false => self.walk(dot, &range.otherwise)?,
        };
        self.vars.truncate(outer);
        Ok(flow)
    }

    /// One element of a `range`: binds its variables (with one variable the element, with
    /// two the index or key and then the element), runs the body and drops what the body
    /// declared; whether a `{{ break }}` ends the loop.
    fn iteration(
        &mut self,
        range: &'t Range,
        mark: usize,
        index: Value<'t>,
        element: Value<'t>,
    ) -> Result<bool, Failure> {
        match range.over.decl.len() {
            0 => {}
            1 => self.bind(range, mark, 0, element.clone()),
            _ => {
                self.bind(range, mark, 0, index);
                self.bind(range, mark, 1, element.clone());
            }
        }
        let step = self.walk(&element, &range.body);
        self.vars.truncate(mark);
        Ok(step? == Flow::Break)
    }

    /// Sets the `i`th variable a range declares or assigns.
    fn bind(&mut self, range: &Range, mark: usize, i: usize, value: Value<'t>) {
        let decl = &range.over.decl;
        if range.over.assign {
            self.set_var(&decl[i], value);
        } else if let Some(slot) = self.vars.get_mut(mark - decl.len() + i) {
            slot.1 = value;
        }
    }

    fn call_template(
        &mut self,
        dot: &Value<'t>,
        name: &str,
        pipeline: Option<&'t Pipeline>,
        pos: usize,
    ) -> Result<Flow, Failure> {
        let Some(body) = self.parsed.defines.get(name) else {
            return Err(Failure::new(pos, ErrorKind::NoTemplate(name.to_owned())));
        };
        if self.depth >= MAX_DEPTH {
            return Err(Failure::new(pos, ErrorKind::TooDeep(MAX_DEPTH)));
        }
        let new_dot = match pipeline {
            Some(p) => self.pipeline(dot, p)?,
            None => Value::Nil,
        };
        let outer_vars = std::mem::take(&mut self.vars);
        let outer_root = std::mem::replace(&mut self.root, new_dot.clone());
        let result = self.walk(&new_dot, body);
        self.vars = outer_vars;
        self.root = outer_root;
        result.map(|_| Flow::Next)
    }

    /// Evaluates a pipeline and binds its declared or assigned variables.
    fn pipeline(&mut self, dot: &Value<'t>, pipeline: &'t Pipeline) -> Result<Value<'t>, Failure> {
        let mut value: Final<'t> = None;
        for command in &pipeline.commands {
            value = Some(self.command(dot, command, value)?);
        }
        let value = value.unwrap_or(Value::Nil);
        for name in &pipeline.decl {
            if pipeline.assign {
                self.set_var(name, value.clone());
            } else {
                self.vars.push((name, value.clone()));
            }
        }
        Ok(value)
    }

    fn set_var(&mut self, name: &str, value: Value<'t>) {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None if name == "$" => self.root = value,
            None => {}
        }
    }

    fn var(&self, name: &str, pos: usize) -> Result<Value<'t>, Failure> {
        match self.vars.iter().rev().find(|(n, _)| *n == name) {
            Some((_, value)) => Ok(value.clone()),
            None if name == "$" => Ok(self.root.clone()),
            None => Err(Failure::new(
                pos,
                ErrorKind::UndefinedVariable(name.to_owned()),
            )),
        }
    }

    /// One pipeline stage; `last` is the previous stage's value.
    fn command(
        &mut self,
        dot: &Value<'t>,
        command: &'t Command,
        last: Final<'t>,
    ) -> Result<Value<'t>, Failure> {
        let (first, args) = match command.args.split_first() {
            Some(split) => split,
            None => {
                return Err(Failure::new(
                    command.pos,
                    ErrorKind::MissingValue("command"),
                ))
            }
        };
        match first {
            Term::Field(names, pos) => self.field_chain(dot, dot.clone(), names, args, last, *pos),
            Term::Chain(inner, names, pos) => {
                let base = self.term(dot, inner)?;
                self.field_chain(dot, base, names, args, last, *pos)
            }
            Term::Var(name, names, pos) => {
                let value = self.var(name, *pos)?;
                if names.is_empty() {
                    not_a_function(first, args, &last, *pos)?;
                    return Ok(value);
                }
                self.field_chain(dot, value, names, args, last, *pos)
            }
            Term::Func(func, pos) => self.call(dot, *func, args, last, *pos),
            Term::Nil => Err(Failure::new(command.pos, ErrorKind::NilCommand)),
            other => {
                not_a_function(other, args, &last, command.pos)?;
                self.term(dot, other)
            }
        }
    }

    /// The value of an operand used as an argument.
    fn term(&mut self, dot: &Value<'t>, term: &'t Term) -> Result<Value<'t>, Failure> {
        Ok(match term {
            Term::Dot => dot.clone(),
            Term::Nil => Value::Nil,
            Term::Bool(b) => Value::Bool(*b),
            Term::Str(s) => Value::Str(Cow::Borrowed(s)),
            Term::Number(n) => ideal_constant(n).map_err(|k| Failure::new(n.pos, k))?,
            Term::Field(names, pos) => {
                self.field_chain(dot, dot.clone(), names, &[], None, *pos)?
            }
            Term::Var(name, names, pos) => {
                let value = self.var(name, *pos)?;
                self.field_chain(dot, value, names, &[], None, *pos)?
            }
            Term::Chain(inner, names, pos) => {
                let base = self.term(dot, inner)?;
                self.field_chain(dot, base, names, &[], None, *pos)?
            }
            Term::Func(func, pos) => self.call(dot, *func, &[], None, *pos)?,
            Term::Pipeline(pipeline) => self.pipeline(dot, pipeline)?,
        })
    }

    /// `receiver.A.B…`: each name a method, field or map key; only the last gets the
    /// arguments.
    fn field_chain(
        &mut self,
        dot: &Value<'t>,
        receiver: Value<'t>,
        names: &'t [String],
        args: &'t [Term],
        last: Final<'t>,
        pos: usize,
    ) -> Result<Value<'t>, Failure> {
        let mut value = receiver;
        let Some((final_name, leading)) = names.split_last() else {
            return Ok(value);
        };
        for name in leading {
            value = self.field(dot, value, name, &[], None, pos)?;
        }
        self.field(dot, value, final_name, args, last, pos)
    }

    fn field(
        &mut self,
        dot: &Value<'t>,
        receiver: Value<'t>,
        name: &str,
        args: &'t [Term],
        last: Final<'t>,
        pos: usize,
    ) -> Result<Value<'t>, Failure> {
        if matches!(receiver, Value::Nil) {
            return Ok(Value::Nil);
        }
        if let Some(method) = methods::lookup(&receiver, name) {
            return self.method(dot, &receiver, method, args, last, pos);
        }
        let fail = |kind| Failure::new(pos, kind);
        let has_args = !args.is_empty() || last.is_some();
        match receiver.field(name).map_err(fail)? {
            Some(_) if has_args && receiver.is_map() => {
                Err(fail(ErrorKind::MapArguments(name.to_owned())))
            }
            Some(_) if has_args => Err(fail(ErrorKind::FieldArguments(name.to_owned()))),
            Some(value) => Ok(value),
            None => Err(fail(ErrorKind::UnknownField {
                field: name.to_owned(),
                ty: receiver.type_name(),
            })),
        }
    }

    fn method(
        &mut self,
        dot: &Value<'t>,
        receiver: &Value<'t>,
        method: Method,
        args: &'t [Term],
        last: Final<'t>,
        pos: usize,
    ) -> Result<Value<'t>, Failure> {
        let fail = |kind| Failure::new(pos, kind);
        let got = args.len() + usize::from(last.is_some());
        if got != method.params.len() {
            return Err(fail(ErrorKind::Arity {
                func: method.name.to_owned(),
                want: method.params.len().to_string(),
                got,
            }));
        }
        let mut values = Vec::with_capacity(got);
        for (term, &param) in args.iter().zip(method.params) {
            values.push(self.arg(dot, term, param, pos)?);
        }
        if let Some(value) = last {
            let param = method.params[got - 1];
            if !param.accepts(&value) {
                return Err(fail(wrong_type(param.type_name(), &value)));
            }
            values.push(value);
        }
        methods::call(receiver, method, &values).map_err(fail)
    }

    /// An argument for a parameter of type `param`: constants convert to it where Go
    /// converts them, other values must have it.
    fn arg(
        &mut self,
        dot: &Value<'t>,
        term: &'t Term,
        param: Param,
        pos: usize,
    ) -> Result<Value<'t>, Failure> {
        let fail = |kind| Failure::new(term_pos(term, pos), kind);
        match (term, param) {
            (Term::Nil, Param::Any) => Ok(Value::Nil),
            (Term::Nil, _) => Err(fail(ErrorKind::CannotAssignNil(param.type_name()))),
            (Term::Number(n), Param::Any | Param::Value) => ideal_constant(n).map_err(fail),
            (Term::Number(n), Param::Int | Param::Duration) => match n.int {
                Some(i) if param == Param::Int => Ok(Value::Int(i)),
                Some(i) => Ok(Value::Duration(i)),
                None => Err(fail(ErrorKind::ExpectedInteger(n.text.clone()))),
            },
            (Term::Str(s), Param::Str) => Ok(Value::Str(Cow::Borrowed(s))),
            (Term::Number(_) | Term::Bool(_), Param::Str) => {
                Err(fail(ErrorKind::ExpectedString(term.describe())))
            }
            (Term::Bool(_) | Term::Str(_), Param::Int | Param::Duration) => {
                Err(fail(ErrorKind::ExpectedInteger(term.describe())))
            }
            (Term::Number(_) | Term::Bool(_) | Term::Str(_), Param::Time) => {
                Err(fail(ErrorKind::CantHandle {
                    arg: term.describe(),
                    ty: param.type_name(),
                }))
            }
            _ => {
                let value = self.term(dot, term)?;
                if param.accepts(&value) {
                    Ok(value)
                } else {
                    Err(fail(wrong_type(param.type_name(), &value)))
                }
            }
        }
    }

    /// Calls a builtin with Go's argument rules; `and` and `or` stop at the first
    /// argument that decides them.
    fn call(
        &mut self,
        dot: &Value<'t>,
        func: Func,
        args: &'t [Term],
        last: Final<'t>,
        pos: usize,
    ) -> Result<Value<'t>, Failure> {
        let fail = |kind| Failure::new(pos, kind);
        let signature = func.signature();
        let got = args.len() + usize::from(last.is_some());
        let fixed = signature.fixed.len();
        let arity_ok = match signature.variadic {
            Some(_) => got >= fixed,
            None => got == fixed,
        };
        if !arity_ok {
            let want = match signature.variadic {
                Some(_) => format!("at least {fixed}"),
                None => fixed.to_string(),
            };
            return Err(fail(ErrorKind::Arity {
                func: func.name().to_owned(),
                want,
                got,
            }));
        }
        let param_at = |i: usize| {
            signature
                .fixed
                .get(i)
                .copied()
                .or(signature.variadic)
                .unwrap_or(Param::Any)
        };
        if matches!(func, Func::And | Func::Or) {
            let mut value = Value::Nil;
            for (i, term) in args.iter().enumerate() {
                value = self.arg(dot, term, param_at(i), pos)?;
                if value.is_true() == (func == Func::Or) {
                    return Ok(value);
                }
            }
            return Ok(last.unwrap_or(value));
        }
        let mut values = Vec::with_capacity(got);
        for (i, term) in args.iter().enumerate() {
            values.push(self.arg(dot, term, param_at(i), pos)?);
        }
        if let Some(value) = last {
            let param = param_at(got - 1);
            if !param.accepts(&value) {
                return Err(fail(wrong_type(param.type_name(), &value)));
            }
            values.push(value);
        }
        func.apply(values).map_err(|kind| {
            fail(match kind {
                ErrorKind::Func(reason) => ErrorKind::Calling {
                    func: func.name(),
                    reason,
                },
                other => other,
            })
        })
    }
}

/// Whether the pipeline's last command is the `html` function.
fn ends_with_html(pipeline: &Pipeline) -> bool {
    pipeline
        .commands
        .last()
        .and_then(|c| c.args.first())
        .is_some_and(|t| matches!(t, Term::Func(Func::Html, _)))
}

/// A literal, `.` or variable given arguments.
fn not_a_function(term: &Term, args: &[Term], last: &Final<'_>, pos: usize) -> Result<(), Failure> {
    if args.is_empty() && last.is_none() {
        return Ok(());
    }
    Err(Failure::new(pos, ErrorKind::NotAFunction(term.describe())))
}

fn wrong_type(expected: &'static str, value: &Value<'_>) -> ErrorKind {
    match value {
        Value::Nil => ErrorKind::InvalidValue(expected),
        other => ErrorKind::WrongType {
            expected,
            got: other.type_name(),
        },
    }
}

/// The offset of a term, where it has one.
fn term_pos(term: &Term, fallback: usize) -> usize {
    match term {
        Term::Field(_, pos)
        | Term::Var(_, _, pos)
        | Term::Chain(_, _, pos)
        | Term::Func(_, pos) => *pos,
        Term::Pipeline(p) => p.pos,
        Term::Number(n) => n.pos,
        Term::Dot | Term::Nil | Term::Bool(_) | Term::Str(_) => fallback,
    }
}

/// A numeric constant in a context without a type: a float if written like one, else an
/// `int` (a character constant too), as Go's `idealConstant`.
fn ideal_constant(n: &Number) -> Result<Value<'static>, ErrorKind> {
    if n.imaginary {
        return Err(ErrorKind::Complex(n.text.clone()));
    }
    let text = n.text.as_str();
    let hex_int = text.len() > 2
        && text.starts_with('0')
        && matches!(text.as_bytes()[1], b'x' | b'X')
        && !text.contains(['p', 'P']);
    let rune = text.starts_with('\'');
    if let Some(f) = n.float {
        if !hex_int && !rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(f));
        }
    }
    match (n.int, n.uint) {
        (Some(i), _) => Ok(Value::Int(i)),
        (None, Some(_)) => Err(ErrorKind::Overflow(n.text.clone())),
        (None, None) => Ok(Value::Float(n.float.unwrap_or(0.0))),
    }
}
