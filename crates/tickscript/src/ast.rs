//! The syntax tree of a TICKscript, as Kapacitor's parser builds it.
//!
//! A [`Program`] is a list of [`Statement`]s; expressions are [`Expr`] trees. Every node
//! carries the [`Span`] of the bytes it was parsed from. The tree is purely syntactic:
//! method names, identifiers and types are not checked here.
//!
//! Comments are kept so the formatter can write them back: a comment block belongs to the
//! token it precedes and is stored on the node that owns that token (the `var` or `dbrp`
//! keyword, an identifier, a literal, a reference, a chain or unary operator, a binary
//! operator, `lambda:`, `[`, or the `(` of a parenthesized binary expression; the `(` of
//! other parenthesized expressions passes its comment to the first token inside).
//! Comments before `(`, `)`, `,`, `]`, `=` and the `.` of a `dbrp` statement are dropped,
//! as Kapacitor drops them, except that a comment before the script's final `)` or `]`
//! joins the trailing comment, as in Kapacitor.
//!
//! Two fields are layout hints rather than syntax: [`Args::multiline`] and
//! [`Binary::multiline`] record where the source broke lines, so that the formatter keeps
//! those breaks. [`Program::same_tree`] compares programs ignoring spans and layout hints.

use crate::span::Span;

/// A whole script: statements in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// Comments after the last statement (and before the script's final `)` or `]`).
    pub trailing_comment: Option<Box<Comment>>,
    /// The whole script.
    pub span: Span,
}

/// One statement. Statements have no separator; each ends where the grammar cannot go on.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `dbrp "db"."rp"`.
    Dbrp(Dbrp),
    /// `var name = expr` or `var name type`.
    Var(VarDecl),
    /// A bare expression, typically a pipeline such as `stream|from()`.
    Expr(Expr),
}

/// `dbrp "db"."rp"`: a database and retention policy the task reads from.
#[derive(Debug, Clone, PartialEq)]
pub struct Dbrp {
    /// The database reference.
    pub db: Reference,
    /// The retention policy reference.
    pub rp: Reference,
    /// The comment before `dbrp`.
    pub comment: Option<Box<Comment>>,
    /// From `dbrp` to the end of the retention policy.
    pub span: Span,
}

/// `var name = expr` or the template-variable declaration `var name type`.
#[derive(Debug, Clone, PartialEq)]
pub struct VarDecl {
    /// The declared name.
    pub name: Ident,
    /// The value or the declared type.
    pub init: VarInit,
    /// The comment before `var`; it becomes the description of a template variable.
    pub comment: Option<Box<Comment>>,
    /// From `var` to the end of the value or type.
    pub span: Span,
}

/// What follows the name in a `var` statement.
#[derive(Debug, Clone, PartialEq)]
pub enum VarInit {
    /// `= expr`.
    Value(Expr),
    /// A type name without a default value. Any identifier parses; [`VarType::from_name`]
    /// tells whether it is one Kapacitor knows.
    Type(Ident),
}

/// The types a template variable may be declared with (`var x float`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VarType {
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// `regex`
    Regex,
    /// `duration`
    Duration,
    /// `lambda`
    Lambda,
    /// `list`
    List,
    /// `star`
    Star,
}

impl VarType {
    /// Every type, in the order Kapacitor's documentation lists them.
    const ALL: [VarType; 9] = [
        VarType::String,
        VarType::Int,
        VarType::Float,
        VarType::Bool,
        VarType::Duration,
        VarType::Lambda,
        VarType::Regex,
        VarType::Star,
        VarType::List,
    ];

    /// The type's name in a script and in the HTTP API's vars: `float`, `lambda`, ...
    ///
    /// ```
    /// use tickflow_tickscript::VarType;
    /// assert_eq!(VarType::Float.name(), "float");
    /// assert_eq!(VarType::from_name("star").map(VarType::name), Some("star"));
    /// assert_eq!(VarType::from_name("number"), None);
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            VarType::Int => "int",
            VarType::Float => "float",
            VarType::Bool => "bool",
            VarType::String => "string",
            VarType::Regex => "regex",
            VarType::Duration => "duration",
            VarType::Lambda => "lambda",
            VarType::List => "list",
            VarType::Star => "star",
        }
    }

    /// The type named `name`, or `None` for a name Kapacitor rejects with
    /// `invalid var type "…"` when the script is evaluated.
    pub fn from_name(name: &str) -> Option<VarType> {
        VarType::ALL.into_iter().find(|ty| ty.name() == name)
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number, duration, string, regex, boolean or `*`.
    Literal(Literal),
    /// `"field"`: a field or tag of the point a lambda is evaluated on.
    Reference(Reference),
    /// A bare name: a variable, `stream`, or a type-less name inside a list.
    Ident(Ident),
    /// `['a', b, *]`.
    List(List),
    /// `lambda: expr`.
    Lambda(Lambda),
    /// `-x` or `!x`.
    Unary(Unary),
    /// `a op b`.
    Binary(Binary),
    /// `name(args)`: a global function or a function inside a lambda.
    Call(Box<Call>),
    /// `target|method(args)`, `target.method(args)`, `target@method(args)` or `target.name`.
    Chain(Box<Chain>),
}

impl Expr {
    /// The bytes the expression was parsed from.
    pub fn span(&self) -> Span {
        match self {
            Expr::Literal(e) => e.span,
            Expr::Reference(e) => e.span,
            Expr::Ident(e) => e.span,
            Expr::List(e) => e.span,
            Expr::Lambda(e) => e.span,
            Expr::Unary(e) => e.span,
            Expr::Binary(e) => e.span,
            Expr::Call(e) => e.span,
            Expr::Chain(e) => e.span,
        }
    }

    /// The offset Kapacitor uses as the node's position: the operator of a binary
    /// expression or chain, the name of a call, otherwise the first token. Line breaks
    /// between these positions decide the `multiline` layout hints.
    pub(crate) fn anchor(&self) -> usize {
        match self {
            Expr::Binary(e) => e.op_span.start,
            Expr::Chain(e) => e.op_span.start,
            Expr::Call(e) => e.name.span.start,
            other => other.span().start,
        }
    }

    /// The number of nested nodes on the longest path from this node to a leaf.
    pub(crate) fn depth(&self) -> usize {
        1 + match self {
            Expr::Literal(_) | Expr::Reference(_) | Expr::Ident(_) => 0,
            Expr::List(e) => max_depth(&e.items),
            Expr::Lambda(e) => e.body.depth(),
            Expr::Unary(e) => e.operand.depth(),
            Expr::Binary(e) => e.lhs.depth().max(e.rhs.depth()),
            Expr::Call(e) => max_depth(&e.args.exprs),
            Expr::Chain(e) => e
                .target
                .depth()
                .max(e.args.as_ref().map_or(0, |args| max_depth(&args.exprs))),
        }
    }

    /// The comment slot of the expression's first token.
    pub(crate) fn leading_comment_mut(&mut self) -> &mut Option<Box<Comment>> {
        match self {
            Expr::Literal(e) => &mut e.comment,
            Expr::Reference(e) => &mut e.comment,
            Expr::Ident(e) => &mut e.comment,
            Expr::List(e) => &mut e.comment,
            Expr::Lambda(e) => &mut e.comment,
            Expr::Unary(e) => &mut e.comment,
            Expr::Binary(e) => match &mut e.parens {
                Some(parens) => &mut parens.comment,
                None => e.lhs.leading_comment_mut(),
            },
            Expr::Call(e) => &mut e.name.comment,
            Expr::Chain(e) => e.target.leading_comment_mut(),
        }
    }
}

/// The largest [`Expr::depth`] of `exprs`, 0 for none.
pub(crate) fn max_depth(exprs: &[Expr]) -> usize {
    exprs.iter().map(Expr::depth).max().unwrap_or(0)
}

/// A literal value with its span and comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    /// The value.
    pub value: LitValue,
    /// The token.
    pub span: Span,
    /// The comment before the token.
    pub comment: Option<Box<Comment>>,
}

/// The value of a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum LitValue {
    /// An integer. Literals are never negative: `-5` is a [`Unary`] minus.
    Int {
        /// The value.
        value: i64,
        /// Written with a leading `0`, so read as octal (`0644` is 420).
        octal: bool,
    },
    /// A number with a decimal point (`5.`, `.5`, `1.5`); there is no exponent syntax.
    Float(f64),
    /// A duration such as `10s` or `1w`.
    Duration {
        /// Signed nanoseconds.
        nanos: i64,
        /// The literal as written, which the formatter writes back.
        text: String,
    },
    /// A single- or triple-quoted string.
    String {
        /// The value, escapes resolved.
        value: String,
        /// Written `'''…'''` (no escapes) rather than `'…'` (where `\'` is a quote).
        triple: bool,
    },
    /// A regex literal `/…/`; its syntax has been checked.
    Regex {
        /// The pattern for the `regex` crate: `\/` unescaped to `/`, and the few RE2
        /// spellings that crate reads differently rewritten (a `{` that starts no repeat
        /// count is a literal in RE2, so it becomes `\{`).
        pattern: String,
        /// The text between the slashes, as written.
        source: String,
    },
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// `*`.
    Star,
}

/// `"name"`: a reference to a field or tag (or a database or retention policy in `dbrp`).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The name, with `\"` unescaped.
    pub name: String,
    /// The token, quotes included.
    pub span: Span,
    /// The comment before the token.
    pub comment: Option<Box<Comment>>,
}

/// A bare name.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// The token.
    pub span: Span,
    /// The comment before the token.
    pub comment: Option<Box<Comment>>,
}

/// `[item, …]`: a list of strings, identifiers and `*`.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// The items: [`LitValue::String`], [`LitValue::Star`] literals and [`Ident`]s.
    pub items: Vec<Expr>,
    /// From `[` to `]`.
    pub span: Span,
    /// The comment before `[`.
    pub comment: Option<Box<Comment>>,
}

/// `lambda: expr`: an expression evaluated per point.
#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    /// The expression.
    pub body: Box<Expr>,
    /// From `lambda:` to the end of the expression.
    pub span: Span,
    /// The comment before `lambda:`.
    pub comment: Option<Box<Comment>>,
}

/// `-x` or `!x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Unary {
    /// The operator.
    pub op: UnaryOp,
    /// The operand.
    pub operand: Box<Expr>,
    /// From the operator to the end of the operand.
    pub span: Span,
    /// The comment before the operator.
    pub comment: Option<Box<Comment>>,
}

/// A prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

impl UnaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
        }
    }
}

/// `lhs op rhs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    /// The operator.
    pub op: BinaryOp,
    /// The operator token.
    pub op_span: Span,
    /// The comment before the operator (only `AND`, `OR` and `-` can follow a comment).
    pub op_comment: Option<Box<Comment>>,
    /// The left operand.
    pub lhs: Box<Expr>,
    /// The right operand.
    pub rhs: Box<Expr>,
    /// Set when the expression was written in parentheses, which the formatter keeps.
    pub parens: Option<Parens>,
    /// Layout hint: the source had a line break between the operands' positions.
    pub multiline: bool,
    /// From the left to the right operand, or from `(` to `)` when parenthesized.
    pub span: Span,
}

/// The parentheses around a binary expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Parens {
    /// The comment before `(`.
    pub comment: Option<Box<Comment>>,
}

/// A binary operator. All are left-associative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `AND`
    And,
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `=~`
    RegexMatch,
    /// `!~`
    RegexNotMatch,
    /// `<`
    Less,
    /// `<=`
    LessEq,
    /// `>`
    Greater,
    /// `>=`
    GreaterEq,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::RegexMatch => "=~",
            BinaryOp::RegexNotMatch => "!~",
            BinaryOp::Less => "<",
            BinaryOp::LessEq => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEq => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }

    /// Binding strength, from 0 (`OR`) to 5 (`*`, `/`, `%`); note that `==` and `!=`
    /// bind looser than `<` and `>`.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 0,
            BinaryOp::And => 1,
            BinaryOp::Eq | BinaryOp::NotEq | BinaryOp::RegexMatch | BinaryOp::RegexNotMatch => 2,
            BinaryOp::Less | BinaryOp::LessEq | BinaryOp::Greater | BinaryOp::GreaterEq => 3,
            BinaryOp::Add | BinaryOp::Sub => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 5,
        }
    }
}

/// `name(args)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function name.
    pub name: Ident,
    /// The arguments.
    pub args: Args,
    /// From the name to `)`.
    pub span: Span,
}

/// A parenthesized argument list.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    /// The arguments, in order.
    pub exprs: Vec<Expr>,
    /// Layout hint: the source had a line break between the method name and the position
    /// of the last argument, so the formatter puts each argument on its own line.
    pub multiline: bool,
    /// From `(` to `)`.
    pub span: Span,
}

/// A method applied to a node: `target|method(args)` creates a child node,
/// `target.method(args)` sets a property, `target@method(args)` calls a UDF, and
/// `target.name` (or `target@name`) reads a property.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// What the method is applied to: an identifier, a call or another chain.
    pub target: Box<Expr>,
    /// The operator.
    pub op: ChainOp,
    /// The operator token.
    pub op_span: Span,
    /// The comment before the operator.
    pub op_comment: Option<Box<Comment>>,
    /// The method name.
    pub method: Ident,
    /// The arguments; `None` for a property read without parentheses.
    pub args: Option<Args>,
    /// From the start of the target to the end of the method.
    pub span: Span,
}

impl Chain {
    /// The argument expressions (none for a property read).
    pub fn arg_exprs(&self) -> &[Expr] {
        self.args.as_ref().map_or(&[], |args| &args.exprs)
    }
}

/// The operator of a [`Chain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainOp {
    /// `|`: a chaining method, which creates a child node.
    Pipe,
    /// `.`: a property method.
    Dot,
    /// `@`: a dynamic method (a UDF).
    At,
}

impl ChainOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainOp::Pipe => "|",
            ChainOp::Dot => ".",
            ChainOp::At => "@",
        }
    }
}

/// A run of `//` comments before a token.
///
/// Lines are stored without `//` and without one following space. Comment lines separated
/// only by spaces form one block; a blank line starts a new block.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// The blocks, each a list of lines.
    pub blocks: Vec<Vec<String>>,
    /// From the first `//` to the end of the last line.
    pub span: Span,
}

impl Comment {
    /// The text: lines joined by `\n`, blocks separated by an empty line. This is what
    /// Kapacitor uses as a template variable's description.
    pub fn text(&self) -> String {
        self.blocks
            .iter()
            .map(|block| block.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// `first` written directly above `second`: the touching blocks merge into one.
    pub(crate) fn join(
        first: Option<Box<Comment>>,
        second: Option<Box<Comment>>,
    ) -> Option<Box<Comment>> {
        Self::combine(first, second, true)
    }

    /// `first` and `second` separated by a blank line: the blocks stay apart.
    pub(crate) fn join_apart(
        first: Option<Box<Comment>>,
        second: Option<Box<Comment>>,
    ) -> Option<Box<Comment>> {
        Self::combine(first, second, false)
    }

    fn combine(
        first: Option<Box<Comment>>,
        second: Option<Box<Comment>>,
        touching: bool,
    ) -> Option<Box<Comment>> {
        match (first, second) {
            (Some(mut first), Some(second)) => {
                let mut blocks = second.blocks.into_iter();
                if touching {
                    if let (Some(last), Some(next)) = (first.blocks.last_mut(), blocks.next()) {
                        last.extend(next);
                    }
                }
                first.blocks.extend(blocks);
                first.span = first.span.to(second.span);
                Some(first)
            }
            (first, second) => first.or(second),
        }
    }
}

impl Program {
    /// Whether `self` and `other` have the same syntax tree, comments included, ignoring
    /// spans and layout hints. Formatting a program and parsing the result gives a program
    /// with the same tree.
    pub fn same_tree(&self, other: &Program) -> bool {
        let (mut a, mut b) = (self.clone(), other.clone());
        a.clear_layout();
        b.clear_layout();
        a == b
    }

    fn clear_layout(&mut self) {
        self.span = Span::default();
        clear_comment(&mut self.trailing_comment);
        for statement in &mut self.statements {
            match statement {
                Statement::Dbrp(dbrp) => {
                    dbrp.span = Span::default();
                    clear_comment(&mut dbrp.comment);
                    dbrp.db.clear_layout();
                    dbrp.rp.clear_layout();
                }
                Statement::Var(var) => {
                    var.span = Span::default();
                    clear_comment(&mut var.comment);
                    var.name.clear_layout();
                    match &mut var.init {
                        VarInit::Value(value) => value.clear_layout(),
                        VarInit::Type(name) => name.clear_layout(),
                    }
                }
                Statement::Expr(expr) => expr.clear_layout(),
            }
        }
    }
}

impl Expr {
    fn clear_layout(&mut self) {
        match self {
            Expr::Literal(e) => {
                e.span = Span::default();
                clear_comment(&mut e.comment);
            }
            Expr::Reference(e) => e.clear_layout(),
            Expr::Ident(e) => e.clear_layout(),
            Expr::List(e) => {
                e.span = Span::default();
                clear_comment(&mut e.comment);
                e.items.iter_mut().for_each(Expr::clear_layout);
            }
            Expr::Lambda(e) => {
                e.span = Span::default();
                clear_comment(&mut e.comment);
                e.body.clear_layout();
            }
            Expr::Unary(e) => {
                e.span = Span::default();
                clear_comment(&mut e.comment);
                e.operand.clear_layout();
            }
            Expr::Binary(e) => {
                e.span = Span::default();
                e.op_span = Span::default();
                e.multiline = false;
                clear_comment(&mut e.op_comment);
                if let Some(parens) = &mut e.parens {
                    clear_comment(&mut parens.comment);
                }
                e.lhs.clear_layout();
                e.rhs.clear_layout();
            }
            Expr::Call(e) => {
                e.span = Span::default();
                e.name.clear_layout();
                e.args.clear_layout();
            }
            Expr::Chain(e) => {
                e.span = Span::default();
                e.op_span = Span::default();
                clear_comment(&mut e.op_comment);
                e.target.clear_layout();
                e.method.clear_layout();
                if let Some(args) = &mut e.args {
                    args.clear_layout();
                }
            }
        }
    }
}

impl Args {
    fn clear_layout(&mut self) {
        self.span = Span::default();
        self.multiline = false;
        self.exprs.iter_mut().for_each(Expr::clear_layout);
    }
}

impl Reference {
    fn clear_layout(&mut self) {
        self.span = Span::default();
        clear_comment(&mut self.comment);
    }
}

impl Ident {
    fn clear_layout(&mut self) {
        self.span = Span::default();
        clear_comment(&mut self.comment);
    }
}

fn clear_comment(comment: &mut Option<Box<Comment>>) {
    if let Some(comment) = comment {
        comment.span = Span::default();
    }
}
