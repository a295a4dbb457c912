//! A small Go-template engine for the `.id()`, `.message()` and `.details()` templates of
//! `|alert()` (nodes.md §8.2, alert-data.md §4).
//!
//! [`Template::parse`] compiles the subset of Go's `text/template` that TICKscripts use;
//! [`Template::render`] executes it against a [`TemplateData`], [`Template::render_row`]
//! against a [`Row`] (the URL and row templates of `httpPost`), [`Template::render_tags`]
//! against a tag map (the file templates of `sideload`). [`Kind::Text`] behaves like
//! `text/template` (id and message); [`Kind::Html`] like `html/template` in an HTML text
//! context (details): every action's output is HTML-escaped, literal text is kept, and the
//! `json`/`jsonCompact` functions exist.
//!
//! Supported: literal text; actions with `{{-`/`-}}` trim markers; comments `{{/* */}}`;
//! pipelines `a | f b`; `.`, field chains (`.Tags.host`), string (`"…"`, `` `…` ``),
//! integer, float and boolean literals, parenthesised pipelines; the functions `index`,
//! `len`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`, `print`, `printf` (and
//! `json`, `jsonCompact` for [`Kind::Html`]); `if` / `else if` / `else` / `end`; `range` /
//! `else` / `end` over lists and maps (without variables).
//! Values print like Go's `%v` (`fmt`'s float, `time.Time` and `time.Duration` formats,
//! maps as `map[k:v …]`). Anything else (`with`, `define`, `template`, `block`,
//! variables, other functions) is a [`TemplateError`] at parse time, and so is using a
//! field the template data does not provide at render time.
//!
//! # Example
//!
//! ```
//! use tickflow_alert::template::{Kind, Template, TemplateData};
//! use tickflow_model::Tags;
//!
//! let data = TemplateData {
//!     name: "cpu".into(),
//!     tags: Tags::from_pairs([("host", "serverA")]),
//!     ..TemplateData::default()
//! };
//! let id = Template::parse("{{ .Name }}:{{ index .Tags \"host\" }}", Kind::Text)?;
//! assert_eq!(id.render(&data)?, "cpu:serverA");
//! # Ok::<(), tickflow_alert::template::TemplateError>(())
//! ```

mod data;
mod exec;
mod format;
mod parse;
mod row;

use std::fmt;

use crate::row::Row;
use format::Value;
use tickflow_model::Tags;

pub use data::{ServerInfo, TemplateData};

use crate::json::EncodeError;

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
    source: String,
    kind: Kind,
    nodes: Vec<parse::Node>,
}

impl Template {
    /// Parses `text` as a Go template of the given kind.
    pub fn parse(text: &str, kind: Kind) -> Result<Template, TemplateError> {
        match parse::parse(text, kind) {
            Ok(nodes) => Ok(Template {
                source: text.to_owned(),
                kind,
                nodes,
            }),
            Err(failure) => Err(TemplateError::new(text, failure)),
        }
    }

    /// Executes the template against `data`.
    pub fn render(&self, data: &TemplateData) -> Result<String, TemplateError> {
        exec::render(&self.nodes, self.kind, Value::Data(data))
            .map_err(|failure| TemplateError::new(&self.source, failure))
    }

    /// Executes the template against a row: `.Name`, `.Tags`, and `.Values` with one map
    /// per values row, keyed by column name.
    pub fn render_row(&self, row: &Row) -> Result<String, TemplateError> {
        exec::render(&self.nodes, self.kind, Value::Row(row))
            .map_err(|failure| TemplateError::new(&self.source, failure))
    }

    /// Executes the template against a tag map, so `{{ .host }}` is the `host` tag (the
    /// path templates of `|sideload()`); a missing tag prints `<no value>`, as in Go.
    pub fn render_tags(&self, tags: &Tags) -> Result<String, TemplateError> {
        exec::render(&self.nodes, self.kind, Value::Tags(tags))
            .map_err(|failure| TemplateError::new(&self.source, failure))
    }

    /// The template's source text.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// A template that cannot be parsed or rendered: the template, where, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("template {template:?}: {line}:{column}: {kind}")]
pub struct TemplateError {
    /// The template's source text.
    pub template: String,
    /// 1-based line of the offending construct.
    pub line: usize,
    /// 1-based column (in characters) of the offending construct.
    pub column: usize,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl TemplateError {
    fn new(template: &str, failure: Failure) -> Self {
        let before = template.get(..failure.pos).unwrap_or(template);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        TemplateError {
            template: template.to_owned(),
            line,
            column: before[line_start..].chars().count() + 1,
            kind: failure.kind,
        }
    }
}

/// Why a template failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    /// An action without its closing `}}`.
    #[error("unclosed action")]
    UnclosedAction,
    /// A comment not closed by `*/}}`.
    #[error("unclosed comment")]
    UnclosedComment,
    /// A malformed string or number literal.
    #[error("bad literal {0}")]
    BadLiteral(String),
    /// A token that does not fit where it appears.
    #[error("unexpected {found} in {context}")]
    Unexpected {
        /// The token, as written.
        found: String,
        /// What was being parsed.
        context: &'static str,
    },
    /// An `{{ if }}` or `{{ range }}` without its `{{ end }}`.
    #[error("missing {{{{ end }}}} for {{{{ {0} }}}}")]
    MissingEnd(&'static str),
    /// A Go template feature this engine does not implement.
    #[error("{0} is not supported")]
    Unsupported(String),
    /// A function name that is not defined for this kind of template.
    #[error("function {0:?} not defined")]
    UnknownFunction(String),
    /// A field the value does not have.
    #[error("can't evaluate field {field} in type {ty}")]
    UnknownField {
        /// The field name.
        field: String,
        /// The Go type of the value.
        ty: &'static str,
    },
    /// A field of the template data this template does not receive (e.g. `.Level` in the id).
    #[error("field .{0} is not available in this template")]
    UnavailableField(&'static str),
    /// A function called with the wrong number of arguments.
    #[error("wrong number of args for {func}: want {want} got {got}")]
    Arity {
        /// The function.
        func: &'static str,
        /// The expected count, e.g. `2` or `at least 1`.
        want: &'static str,
        /// The actual count.
        got: usize,
    },
    /// A function given an argument it cannot handle.
    #[error("error calling {func}: {reason}")]
    BadArgument {
        /// The function.
        func: &'static str,
        /// Why, e.g. `incompatible types for comparison`.
        reason: String,
    },
    /// `range` over a value that is not a list or map.
    #[error("range can't iterate over {0}")]
    NotIterable(&'static str),
    /// A value that cannot be printed (the whole template data).
    #[error("can't print {0}; print its fields or use json")]
    Unprintable(&'static str),
    /// `json` of a NaN or infinite float.
    #[error("error calling json: {0}")]
    Json(EncodeError),
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
