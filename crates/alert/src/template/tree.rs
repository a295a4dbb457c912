//! The parsed form of a template: [`Node`]s of literal text and actions, [`Pipeline`]s of
//! [`Command`]s, and the operands ([`Term`]) commands are made of.

use super::funcs::Func;

/// A piece of a template.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// Literal text, copied to the output.
    Text(String),
    /// `{{ pipeline }}`: the value is printed unless the pipeline declares variables.
    Action(Pipeline),
    /// `{{ if p }} … {{ else if q }} … {{ else }} … {{ end }}`, and the same for `with`
    /// (which also sets `.` to the value in its branch).
    Branch(Branch),
    /// `{{ range p }} … {{ else }} … {{ end }}`.
    Range(Range),
    /// `{{ template "name" p }}`.
    Call {
        /// The template's name.
        name: String,
        /// The new `.`; nil without one.
        pipeline: Option<Pipeline>,
        /// Offset of the action.
        pos: usize,
    },
    /// `{{ break }}`.
    Break,
    /// `{{ continue }}`.
    Continue,
}

/// An `if` or `with` chain.
#[derive(Debug, Clone)]
pub(super) struct Branch {
    /// `with` (rather than `if`): the branch runs with `.` set to the value.
    pub(super) with: bool,
    /// Each condition with the nodes it guards, in order (`else if` / `else with` add one).
    pub(super) arms: Vec<(Pipeline, Vec<Node>)>,
    /// The `{{ else }}` nodes (empty without one).
    pub(super) otherwise: Vec<Node>,
}

/// A `range`.
#[derive(Debug, Clone)]
pub(super) struct Range {
    /// What is iterated; its declarations receive the index or key and the element.
    pub(super) over: Pipeline,
    /// The nodes run per element.
    pub(super) body: Vec<Node>,
    /// The `{{ else }}` nodes, run when there is no element.
    pub(super) otherwise: Vec<Node>,
}

/// Commands separated by `|`; each command's value is the last argument of the next.
#[derive(Debug, Clone)]
pub(super) struct Pipeline {
    /// Variables declared (`$x :=`) or assigned (`$x =`) with the value.
    pub(super) decl: Vec<String>,
    /// `=` rather than `:=`.
    pub(super) assign: bool,
    /// The stages.
    pub(super) commands: Vec<Command>,
    /// Offset of the action or `(` that holds the pipeline.
    pub(super) pos: usize,
}

/// One stage of a pipeline: an operand, or a function or method with arguments.
#[derive(Debug, Clone)]
pub(super) struct Command {
    /// The first word and its arguments.
    pub(super) args: Vec<Term>,
    /// Offset of the first word.
    pub(super) pos: usize,
}

/// An operand, with its offset where evaluating it can fail.
#[derive(Debug, Clone)]
pub(super) enum Term {
    /// `.`
    Dot,
    /// `nil`
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// A number or character constant.
    Number(Box<Number>),
    /// A string literal.
    Str(String),
    /// `.A.B`.
    Field(Vec<String>, usize),
    /// `$x.A.B`: the variable and the field names after it.
    Var(String, Vec<String>, usize),
    /// `(pipeline).A.B`, or a literal followed by fields.
    Chain(Box<Term>, Vec<String>, usize),
    /// A function name.
    Func(Func, usize),
    /// `( pipeline )`.
    Pipeline(Box<Pipeline>),
}

/// A numeric constant and every Go type it can stand for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Number {
    /// The source text.
    pub(super) text: String,
    /// Its value as a signed integer, if it is one.
    pub(super) int: Option<i64>,
    /// Its value as an unsigned integer, if it is one.
    pub(super) uint: Option<u64>,
    /// Its value as a float, if it is one.
    pub(super) float: Option<f64>,
    /// An imaginary constant (`1i`), which tickflow does not evaluate.
    pub(super) imaginary: bool,
    /// Offset of the literal.
    pub(super) pos: usize,
}

impl Term {
    /// The term as error messages quote it.
    pub(super) fn describe(&self) -> String {
        match self {
            Term::Dot => ".".into(),
            Term::Nil => "nil".into(),
            Term::Bool(b) => b.to_string(),
            Term::Number(n) => n.text.clone(),
            Term::Str(s) => format!("{s:?}"),
            Term::Field(names, _) => format!(".{}", names.join(".")),
            Term::Var(name, names, _) => std::iter::once(name.as_str())
                .chain(names.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("."),
            Term::Chain(inner, names, _) => format!("({}).{}", inner.describe(), names.join(".")),
            Term::Func(func, _) => func.name().into(),
            Term::Pipeline(_) => "(…)".into(),
        }
    }
}
