//! Go's text/template (and html/template's escaping) for the `.id()`, `.message()` and
//! `.details()` templates of `|alert()`, handler templates, and the URL and row templates
//! of `httpPost` (kapacitor-compat.md, nodes §8.2, kapacitor-compat.md, alert-data §4).
//!
//! [`Template::parse`] compiles a template once, when the task is built;
//! [`Template::render`] executes it against a [`TemplateData`] per alert,
//! [`Template::render_alert`] against an [`AlertData`] (Kapacitor's `alert.Data`, what
//! handler templates such as an endpoint's `alert-template` see),
//! [`Template::render_row`] against a [`Row`] (httpPost's `.Name`, `.Tags`, `.Values`),
//! and [`Template::render_tags`] against a tag map (sideload paths). [`Kind::Text`]
//! behaves like `text/template`; [`Kind::Html`] like `html/template` in an HTML text
//! context: every printed value is HTML-escaped, literal text is kept, and Kapacitor's
//! `json`/`jsonCompact` functions exist.
//!
//! The whole language is implemented: text with `{{- -}}` trimming and `{{/* */}}`
//! comments; pipelines; `.`, field chains and method calls with arguments
//! (`.Time.Local.Format "2006-01-02"`, `.Duration.Seconds`); variables (`$x := …`,
//! `$x = …`, `$`); `if`/`else if`/`else`, `with`/`else with`, `range` (over lists, maps
//! and integers, with `$i, $v :=`, `break`, `continue`, `else`), `define`, `template`,
//! `block`; string, raw string, character, integer (`0x1F`, `1_000`) and float constants;
//! the builtins `and call eq ge gt html index js le len lt ne not or print printf
//! println slice urlquery` with Go's `fmt` (`verbs.rs`). Values print as Go prints
//! them (`map[k:v]` sorted, `[a b]`, `{a b}`, floats as `%v`, `<no value>`).
//!
//! Differences from Go: times are UTC (tickflow's times carry no zone, so `.Time.Local`
//! is UTC, as tickflow's other calendar functions are); complex constants are refused;
//! control structures and parentheses nest at most 100 deep in a template, and node
//! lists at most 200 deep at run time counting `{{ template }}` calls (Go allows 100000
//! calls; a task thread's stack would not); a `\x` or octal escape must be ASCII (Go
//! allows any byte); and html/template's escaping is that of an HTML text context
//! wherever the action stands (attribute, script and URL contexts are not told apart).
//! The few `fmt` differences are listed in `verbs.rs`.
//!
//! # Example
//!
//! ```
//! use tickflow_alert::template::{Kind, Template, TemplateData};
//! use tickflow_model::{Tags, Time};
//!
//! let data = TemplateData {
//!     name: "cpu".into(),
//!     tags: Tags::from_pairs([("host", "serverA")]),
//!     id: Some("cpu:host=serverA".into()),
//!     time: Some(Time::from_nanos(1_704_067_210_000_000_000)),
//!     ..TemplateData::default()
//! };
//! let message = Template::parse(
//!     ".message()",
//!     r#"{{ index .Tags "host" }} at {{ .Time.Local.Format "2006-01-02T15:04:05Z07:00" }}"#,
//!     Kind::Text,
//! )?;
//! assert_eq!(message.render(&data)?, "serverA at 2024-01-01T00:00:10Z");
//! # Ok::<(), tickflow_alert::template::TemplateError>(())
//! ```

mod data;
mod encode;
mod escape;
mod exec;
mod floats;
mod funcs;
mod lex;
mod methods;
mod number;
mod param;
mod parse;
mod timefmt;
mod tree;
mod value;
mod verbs;

use std::fmt;

use crate::data::AlertData;
use crate::json::EncodeError;
use crate::row::Row;
use tickflow_model::Tags;
use value::{MapRef, StructRef, Value};

pub use data::{ServerInfo, TemplateData};

/// Which Go template package a template follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `text/template`: output as is (`.id()`, `.message()`).
    Text,
    /// `html/template`: action output HTML-escaped, `json` and `jsonCompact` available
    /// (`.details()`).
    Html,
}

/// A parsed template, ready to render any number of times.
#[derive(Debug, Clone)]
pub struct Template {
    property: String,
    source: String,
    kind: Kind,
    parsed: parse::Parsed,
}

impl Template {
    /// Parses `text` as a Go template of the given kind; `property` names where it comes
    /// from (`.message()`, `httpPost url`, …) in errors.
    pub fn parse(property: &str, text: &str, kind: Kind) -> Result<Template, TemplateError> {
        match parse::parse(text, kind) {
            Ok(parsed) => Ok(Template {
                property: property.to_owned(),
                source: text.to_owned(),
                kind,
                parsed,
            }),
            Err(failure) => Err(TemplateError::new(property, text, failure)),
        }
    }

    /// Executes the template against alert template data.
    pub fn render(&self, data: &TemplateData) -> Result<String, TemplateError> {
        self.execute(Value::Struct(StructRef::Data(data, data.info())))
    }

    /// Executes the template against an alert event, as handler templates do: `.ID`,
    /// `.Message`, `.Details`, `.Time`, `.Duration`, `.Level`, `.Data` (`.Data.Series`,
    /// each with `.Name`, `.Tags`, `.Columns`, `.Values`), `.PreviousLevel`,
    /// `.Recoverable`.
    pub fn render_alert(&self, alert: &AlertData) -> Result<String, TemplateError> {
        self.execute(Value::Struct(StructRef::Alert(alert)))
    }

    /// Executes the template against a row: `.Name`, `.Tags`, and `.Values` with one map
    /// per values row, keyed by column name.
    pub fn render_row(&self, row: &Row) -> Result<String, TemplateError> {
        self.execute(Value::Struct(StructRef::MappedRow(row)))
    }

    /// Executes the template against a tag map, so `{{ .host }}` is the `host` tag (the
    /// path templates of `|sideload()`); a missing tag prints `<no value>`, as in Go.
    pub fn render_tags(&self, tags: &Tags) -> Result<String, TemplateError> {
        self.execute(Value::Map(MapRef::Tags(tags)))
    }

    fn execute(&self, data: Value<'_>) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(self.source.len() + 32);
        exec::render(&self.parsed, self.kind, data, &mut out)
            .map_err(|failure| TemplateError::new(&self.property, &self.source, failure))?;
        Ok(out)
    }

    /// The template's source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where the template comes from, as given to [`Template::parse`].
    pub fn property(&self) -> &str {
        &self.property
    }
}

/// A template that cannot be parsed or rendered: the template, where, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{property} template {template:?}: {line}:{column}: {kind}")]
pub struct TemplateError {
    /// Where the template comes from (`.message()`, `httpPost url`, …).
    pub property: String,
    /// The template's source text.
    pub template: String,
    /// 1-based line of the offending construct.
    pub line: usize,
    /// 1-based column (in characters) of the offending construct.
    pub column: usize,
    /// What went wrong.
    pub kind: Box<ErrorKind>,
}

impl TemplateError {
    fn new(property: &str, template: &str, failure: Failure) -> Self {
        let before = template.get(..failure.pos).unwrap_or(template);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        TemplateError {
            property: property.to_owned(),
            template: template.to_owned(),
            line,
            column: before[line_start..].chars().count() + 1,
            kind: Box::new(failure.kind),
        }
    }
}

/// Why a template failed: Go's parse and execution errors, in Go's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    /// An action without its closing `}}`.
    #[error("unclosed action")]
    UnclosedAction,
    /// A comment not closed by `*/`.
    #[error("unclosed comment")]
    UnclosedComment,
    /// A comment followed by more than the closing delimiter.
    #[error("comment ends before closing delimiter")]
    CommentNotClosed,
    /// A `(` without its `)`.
    #[error("unclosed left paren")]
    UnclosedParen,
    /// A `)` without its `(`.
    #[error("unexpected right paren")]
    UnexpectedParen,
    /// A character that cannot start a token.
    #[error("unrecognized character in action: {}", unicode_name(*.0))]
    BadCharacter(char),
    /// A string or character constant without its closing quote.
    #[error("unterminated {0}")]
    Unterminated(&'static str),
    /// A backslash escape Go does not know.
    #[error("invalid syntax: unknown escape sequence \\{0}")]
    BadEscape(String),
    /// A malformed number.
    #[error("bad number syntax: {0:?}")]
    BadNumber(String),
    /// An integer constant beyond 64 bits.
    #[error("integer overflow: {0:?}")]
    IntegerOverflow(String),
    /// A token that does not fit where it appears.
    #[error("unexpected {found} in {context}")]
    Unexpected {
        /// The token, as written.
        found: String,
        /// What was being parsed.
        context: String,
    },
    /// An `if`, `with`, `range` or `define` without its `{{ end }}`.
    #[error("missing {{{{ end }}}} for {{{{ {0} }}}}")]
    MissingEnd(&'static str),
    /// `{{ break }}` or `{{ continue }}` outside a `range`.
    #[error("{{{{{0}}}}} outside {{{{range}}}}")]
    OutsideRange(&'static str),
    /// Two non-empty definitions of one template name.
    #[error("multiple definition of template {0:?}")]
    Redefined(String),
    /// A literal as a later pipeline stage.
    #[error("non executable command in pipeline stage {0}")]
    NotExecutable(usize),
    /// A variable used or assigned before it is declared.
    #[error("undefined variable {0:?}")]
    UndefinedVariable(String),
    /// `range $i, <not a variable>`.
    #[error("range can only initialize variables")]
    RangeDeclarations,
    /// More variables than the context can declare.
    #[error("too many declarations in {0}")]
    TooManyDeclarations(&'static str),
    /// An action or stage without a value.
    #[error("missing value for {0}")]
    MissingValue(&'static str),
    /// A function name that is not defined for this kind of template.
    #[error("function {0:?} not defined")]
    UnknownFunction(String),
    /// A field written right after a literal.
    #[error("unexpected . after term {0:?}")]
    FieldAfterTerm(String),
    /// `html` or `urlquery` before the end of a printed pipeline in an HTML template.
    #[error("predefined escaper {0:?} disallowed in template")]
    PredefinedEscaper(&'static str),
    /// A field or method the value does not have.
    #[error("can't evaluate field {field} in type {ty}")]
    UnknownField {
        /// The field name.
        field: String,
        /// The Go type of the value.
        ty: &'static str,
    },
    /// An embedded struct of the template data, which Go keeps unexported.
    #[error("{field} is an unexported field of struct type {ty}")]
    Unexported {
        /// The field name.
        field: String,
        /// The Go type of the struct.
        ty: &'static str,
    },
    /// A struct field given arguments.
    #[error("{0} has arguments but cannot be invoked as function")]
    FieldArguments(String),
    /// A map key given arguments.
    #[error("{0} is not a method but has arguments")]
    MapArguments(String),
    /// A literal, `.` or variable given arguments.
    #[error("can't give argument to non-function {0}")]
    NotAFunction(String),
    /// `nil` as a command.
    #[error("nil is not a command")]
    NilCommand,
    /// A function or method called with the wrong number of arguments.
    #[error("wrong number of args for {func}: want {want} got {got}")]
    Arity {
        /// The function or method.
        func: String,
        /// The expected count, e.g. `2` or `at least 1`.
        want: String,
        /// The actual count.
        got: usize,
    },
    /// A function that failed on its arguments.
    #[error("error calling {func}: {reason}")]
    Calling {
        /// The function.
        func: &'static str,
        /// Why, e.g. `incompatible types for comparison`.
        reason: String,
    },
    /// A function's failure before the function's name is attached.
    #[error("{0}")]
    Func(String),
    /// An argument of the wrong type.
    #[error("wrong type for value; expected {expected}; got {got}")]
    WrongType {
        /// The parameter's Go type.
        expected: &'static str,
        /// The argument's Go type.
        got: &'static str,
    },
    /// No value where a typed parameter needs one.
    #[error("invalid value; expected {0}")]
    InvalidValue(&'static str),
    /// A non-integer constant for an integer parameter.
    #[error("expected integer; found {0}")]
    ExpectedInteger(String),
    /// A non-string constant for a string parameter.
    #[error("expected string; found {0}")]
    ExpectedString(String),
    /// `nil` for a parameter that cannot be nil.
    #[error("cannot assign nil to {0}")]
    CannotAssignNil(&'static str),
    /// A constant for a parameter of a struct type.
    #[error("can't handle {arg} for arg of type {ty}")]
    CantHandle {
        /// The constant as written.
        arg: String,
        /// The parameter's Go type.
        ty: &'static str,
    },
    /// A method with several results, which templates cannot call.
    #[error("can't call method/function {0:?} with {1} results")]
    Results(String, usize),
    /// A time computation outside tickflow's time range (years 1677 to 2262).
    #[error("time out of range")]
    TimeOutOfRange,
    /// `range` over a value that is not a list, map or integer (shown with `%v`).
    #[error("range can't iterate over {0}")]
    NotIterable(String),
    /// `range $i, $v :=` over an integer.
    #[error("can't use {0} to iterate over more than one variable")]
    RangeVariables(String),
    /// `{{ template "x" }}` without a definition of `x`.
    #[error("no such template {0:?}")]
    NoTemplate(String),
    /// `{{ template }}` calls, control structures or parentheses nested too deep.
    #[error("exceeded maximum template depth ({0})")]
    TooDeep(usize),
    /// A complex (imaginary) constant.
    #[error("complex constant {0} is not supported")]
    Complex(String),
    /// An unsigned constant too large for `int`.
    #[error("{0} overflows int")]
    Overflow(String),
    /// `json` of a NaN or infinite float.
    #[error("error calling json: {0}")]
    Json(EncodeError),
}

/// Go's `%#U` of a character: `U+0040 '@'`.
fn unicode_name(c: char) -> String {
    format!("U+{:04X} {c:?}", u32::from(c))
}

/// An error at a byte offset of the template, before the template text is attached.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    pos: usize,
    kind: ErrorKind,
}

impl Failure {
    fn new(pos: usize, kind: ErrorKind) -> Self {
        Failure { pos, kind }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Text => "text/template",
            Kind::Html => "html/template",
        })
    }
}
