//! The canonical formatter, in the layout of Kapacitor's `tickfmt`.
//!
//! Statements are separated by a blank line. A chain puts each method on its own line:
//! `|node()` and `@udf()` indented one step (four spaces) from the chain's start,
//! `.property()` two steps. Arguments stay on one line unless the source broke the line
//! before the last argument; then each goes on its own line, one step in. A binary
//! expression keeps its parentheses, and breaks after its operator where the source broke
//! between the operands. Comments are written back before the token they preceded.
//!
//! Formatting is stable: the output parses to the same tree ([`Program::same_tree`]) and
//! formats to itself. Two things need care for that, both decided from the tree alone:
//!
//! - Line breaks. Kapacitor derives the layout hints from line breaks between token
//!   positions, so the formatter also breaks wherever its own output would put a line
//!   break there (a chain, a comment or a multi-line string among the arguments).
//! - Parentheses the tree does not record. Kapacitor drops them around anything but a binary
//!   expression, yet some are needed to lex and parse back the same: around `*` and `/…/`
//!   after a keyword or before most operators; around a comment after `=`, `=~` or `!~`
//!   (where `//` starts a regex); around a unary `-` that starts a statement after one
//!   ending in an operand (it would continue that statement as a binary minus); and around
//!   an identifier just before a statement that starts with `(` (it would become a call).
//!   A regex after its comment gets a blank line instead: a line starting with `/`
//!   continues a comment.

use std::fmt::Write as _;

use crate::ast::{
    Args, Binary, BinaryOp, Chain, ChainOp, Comment, Expr, Ident, LitValue, Literal, Program,
    Reference, Statement, UnaryOp, VarDecl, VarInit,
};
use crate::error::ParseError;

/// One indentation step.
const INDENT: &str = "    ";

/// The script in canonical layout, ending with a newline (empty for an empty program).
pub fn format(program: &Program) -> String {
    let mut formatter = Formatter {
        out: String::with_capacity(program.span.end + 64),
    };
    formatter.program(program);
    formatter.out
}

/// Why [`check_format`] rejected a program.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatCheckError {
    /// The formatted script does not parse.
    #[error("the formatted script does not parse: {error}\n{formatted}")]
    Unparsable {
        /// The formatted script.
        formatted: String,
        /// Its parse error.
        error: Box<ParseError>,
    },
    /// The formatted script parses to another tree.
    #[error("the formatted script parses to a different tree\n{formatted}")]
    TreeChanged {
        /// The formatted script.
        formatted: String,
    },
    /// Formatting the formatted script changes it.
    #[error("formatting twice changes the script\n{formatted}\n---\n{reformatted}")]
    NotIdempotent {
        /// The formatted script.
        formatted: String,
        /// The formatted script, formatted again.
        reformatted: String,
    },
}

/// Formats `program` and checks the formatter's contract on it: the output parses back to
/// the same tree and formats to itself. Returns the formatted script.
pub fn check_format(program: &Program) -> Result<String, FormatCheckError> {
    let formatted = format(program);
    let reparsed = match crate::parse(&formatted) {
        Ok(reparsed) => reparsed,
        Err(error) => {
            return Err(FormatCheckError::Unparsable {
                formatted,
                error: Box::new(error),
            })
        }
    };
    if !program.same_tree(&reparsed) {
        return Err(FormatCheckError::TreeChanged { formatted });
    }
    let reformatted = format(&reparsed);
    if reformatted != formatted {
        return Err(FormatCheckError::NotIdempotent {
            formatted,
            reformatted,
        });
    }
    Ok(formatted)
}

/// Parentheses an expression's first or last token needs because of what surrounds it.
#[derive(Debug, Clone, Copy, Default)]
struct Guard {
    /// A keyword or another statement comes before: a leading `*` or regex would lex as an
    /// operator.
    lead: bool,
    /// An operator other than `AND`, `OR` and `-` follows: it would not lex as an operator
    /// after a trailing `*` or regex.
    tail_operand: bool,
    /// A statement starting with `(` follows: a trailing identifier would become a call.
    tail_ident: bool,
    /// `=`, `=~` or `!~` comes before, where `//` starts a regex: a comment before the first
    /// token must go inside parentheses.
    after_match: bool,
    /// A statement whose last operator loop is still open comes before: a leading unary
    /// `-` would continue it as a binary minus.
    lead_minus: bool,
}

impl Guard {
    /// Only what concerns the last token, for an operand that ends where `self` ends but
    /// starts after an operator or keyword.
    fn tail(self) -> Guard {
        Guard {
            tail_operand: self.tail_operand,
            tail_ident: self.tail_ident,
            ..Guard::default()
        }
    }
}

struct Formatter {
    out: String,
}

impl Formatter {
    fn program(&mut self, program: &Program) {
        let statements = &program.statements;
        let lead_minus: Vec<bool> = (0..statements.len())
            .map(|n| n > 0 && minus_would_continue(&statements[n - 1], &statements[n]))
            .collect();
        // Whether each statement's output starts with `(`, from the last one back: a bare
        // identifier is parenthesized when the statement after it starts with `(`.
        let mut opens = vec![false; statements.len() + 1];
        for n in (0..statements.len()).rev() {
            let bare_ident = matches!(statements[n], Statement::Expr(Expr::Ident(_)));
            opens[n] =
                lead_minus[n] || starts_with_paren(&statements[n]) || bare_ident && opens[n + 1];
        }
        for (n, statement) in statements.iter().enumerate() {
            if n > 0 {
                self.out.push('\n');
            }
            self.statement(statement, lead_minus[n], opens[n + 1]);
            self.out.push('\n');
        }
        if let Some(comment) = &program.trailing_comment {
            if !statements.is_empty() {
                self.out.push('\n');
            }
            self.comment(comment, 0, true);
        }
    }

    fn statement(&mut self, statement: &Statement, lead_minus: bool, before_paren: bool) {
        let tail = Guard {
            tail_ident: before_paren,
            ..Guard::default()
        };
        match statement {
            Statement::Dbrp(dbrp) => {
                self.begin(dbrp.comment.as_deref(), 0, true);
                self.out.push_str("dbrp ");
                self.reference(&dbrp.db, 0, false);
                self.out.push('.');
                self.reference(&dbrp.rp, 0, false);
            }
            Statement::Var(var) => {
                self.begin(var.comment.as_deref(), 0, true);
                self.out.push_str("var ");
                self.ident(&var.name, 0, false, false);
                match &var.init {
                    VarInit::Value(value) => {
                        self.out.push_str(" = ");
                        self.expr(
                            value,
                            0,
                            false,
                            Guard {
                                after_match: true,
                                ..tail
                            },
                        );
                    }
                    VarInit::Type(name) => {
                        self.out.push(' ');
                        self.ident(name, 0, false, false);
                    }
                }
            }
            Statement::Expr(expr) => {
                self.expr(
                    expr,
                    0,
                    true,
                    Guard {
                        lead: true,
                        lead_minus,
                        ..tail
                    },
                );
            }
        }
    }

    /// Writes `expr` at indentation level `indent`; `on_new_line` says the output is at the
    /// start of a line, where the expression's first line gets indented.
    fn expr(&mut self, expr: &Expr, indent: usize, on_new_line: bool, guard: Guard) {
        let minus = matches!(expr, Expr::Unary(unary) if unary.op == UnaryOp::Neg);
        if guard.after_match && starts_with_comment(expr) || guard.lead_minus && minus {
            if on_new_line {
                self.push_indent(indent);
            }
            self.out.push('(');
            let inner = Guard {
                after_match: false,
                lead_minus: false,
                ..guard
            };
            self.expr(expr, indent, false, inner);
            self.out.push(')');
            return;
        }
        match expr {
            Expr::Literal(literal) => {
                let wrap = operand_wrapped(literal, guard.tail_operand)
                    && (guard.lead || guard.tail_operand);
                let regex = matches!(literal.value, LitValue::Regex { .. });
                match literal.comment.as_deref() {
                    Some(comment) if regex && !wrap => {
                        // The line after a comment continues it when it starts with `/`;
                        // a blank line ends the comment first.
                        self.comment(comment, indent, on_new_line);
                        self.out.push('\n');
                        self.push_indent(indent);
                    }
                    comment => self.begin(comment, indent, on_new_line),
                }
                self.wrapped(wrap, |f| f.literal(&literal.value));
            }
            Expr::Reference(reference) => self.reference(reference, indent, on_new_line),
            Expr::Ident(ident) => self.ident(ident, indent, on_new_line, guard.tail_ident),
            Expr::List(list) => {
                self.begin(list.comment.as_deref(), indent, on_new_line);
                self.out.push('[');
                for (n, item) in list.items.iter().enumerate() {
                    if n > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(item, indent, false, Guard::default());
                }
                self.out.push(']');
            }
            Expr::Lambda(lambda) => {
                self.begin(lambda.comment.as_deref(), indent, on_new_line);
                self.out.push_str("lambda: ");
                let body = Guard {
                    lead: true,
                    ..guard.tail()
                };
                self.expr(&lambda.body, indent, false, body);
            }
            Expr::Unary(unary) => {
                self.begin(unary.comment.as_deref(), indent, on_new_line);
                self.out.push_str(unary.op.as_str());
                self.expr(&unary.operand, indent, false, guard.tail());
            }
            Expr::Binary(binary) => self.binary(binary, indent, on_new_line, guard),
            Expr::Call(call) => {
                self.ident(&call.name, indent, on_new_line, false);
                self.args(&call.args, indent);
            }
            Expr::Chain(chain) => self.chain(chain, indent, on_new_line),
        }
    }

    fn binary(&mut self, binary: &Binary, indent: usize, on_new_line: bool, guard: Guard) {
        let parens = binary.parens.as_ref();
        self.begin(
            parens.and_then(|parens| parens.comment.as_deref()),
            indent,
            on_new_line,
        );
        let indent = match parens {
            Some(_) => {
                self.out.push('(');
                indent + 1
            }
            None => indent,
        };
        let keyword = matches!(binary.op, BinaryOp::And | BinaryOp::Or);
        let lhs_guard = Guard {
            lead: guard.lead && parens.is_none(),
            tail_operand: operator_needs_operand(binary.op),
            tail_ident: false,
            after_match: guard.after_match && parens.is_none(),
            lead_minus: guard.lead_minus && parens.is_none(),
        };
        self.expr(&binary.lhs, indent, false, lhs_guard);
        match &binary.op_comment {
            Some(comment) => {
                self.comment(comment, indent, false);
                self.push_indent(indent);
            }
            None => self.out.push(' '),
        }
        self.out.push_str(binary.op.as_str());
        let rhs_guard = Guard {
            lead: keyword,
            tail_operand: guard.tail_operand && parens.is_none(),
            tail_ident: guard.tail_ident && parens.is_none(),
            after_match: matches!(binary.op, BinaryOp::RegexMatch | BinaryOp::RegexNotMatch),
            lead_minus: false,
        };
        let breaks = binary_breaks(binary);
        self.out.push(if breaks { '\n' } else { ' ' });
        self.expr(&binary.rhs, indent, breaks, rhs_guard);
        if parens.is_some() {
            self.out.push(')');
        }
    }

    fn chain(&mut self, chain: &Chain, indent: usize, on_new_line: bool) {
        self.expr(&chain.target, indent, on_new_line, Guard::default());
        self.out.push('\n');
        let indent = indent + if chain.op == ChainOp::Dot { 2 } else { 1 };
        if let Some(comment) = &chain.op_comment {
            self.comment(comment, indent, true);
        }
        self.push_indent(indent);
        self.out.push_str(chain.op.as_str());
        self.ident(&chain.method, indent, false, false);
        if let Some(args) = &chain.args {
            self.args(args, indent);
        }
    }

    fn args(&mut self, args: &Args, indent: usize) {
        let breaks = args_break(args);
        self.out.push('(');
        for (n, arg) in args.exprs.iter().enumerate() {
            if n > 0 {
                self.out.push(',');
                if !breaks {
                    self.out.push(' ');
                }
            }
            if breaks {
                self.out.push('\n');
            }
            self.expr(arg, indent + 1, breaks, Guard::default());
        }
        if breaks && !args.exprs.is_empty() {
            self.out.push('\n');
            self.push_indent(indent);
        }
        self.out.push(')');
    }

    fn ident(&mut self, ident: &Ident, indent: usize, on_new_line: bool, wrap: bool) {
        self.begin(ident.comment.as_deref(), indent, on_new_line);
        self.wrapped(wrap, |f| f.out.push_str(&ident.name));
    }

    fn reference(&mut self, reference: &Reference, indent: usize, on_new_line: bool) {
        self.begin(reference.comment.as_deref(), indent, on_new_line);
        self.quoted(&reference.name, '"');
    }

    fn literal(&mut self, value: &LitValue) {
        match value {
            LitValue::Int { value, octal: true } => {
                let _ = write!(self.out, "0{value:o}");
            }
            LitValue::Int {
                value,
                octal: false,
            } => {
                let _ = write!(self.out, "{value}");
            }
            LitValue::Float(value) => {
                let start = self.out.len();
                let _ = write!(self.out, "{value}");
                if !self.out[start..].contains('.') {
                    self.out.push_str(".0");
                }
            }
            LitValue::Duration { text, .. } => self.out.push_str(text),
            LitValue::String {
                value,
                triple: true,
            } => {
                self.out.push_str("'''");
                self.out.push_str(value);
                self.out.push_str("'''");
            }
            LitValue::String {
                value,
                triple: false,
            } => self.quoted(value, '\''),
            LitValue::Regex { source, .. } => {
                self.out.push('/');
                self.out.push_str(source);
                self.out.push('/');
            }
            LitValue::Bool(true) => self.out.push_str("TRUE"),
            LitValue::Bool(false) => self.out.push_str("FALSE"),
            LitValue::Star => self.out.push('*'),
        }
    }

    /// `text` between `quote`s, each `quote` in it escaped with a backslash.
    fn quoted(&mut self, text: &str, quote: char) {
        self.out.push(quote);
        for c in text.chars() {
            if c == quote {
                self.out.push('\\');
            }
            self.out.push(c);
        }
        self.out.push(quote);
    }

    fn wrapped(&mut self, wrap: bool, write: impl FnOnce(&mut Self)) {
        if wrap {
            self.out.push('(');
        }
        write(self);
        if wrap {
            self.out.push(')');
        }
    }

    /// The start of a node: its comment, then the indentation if on a new line.
    fn begin(&mut self, comment: Option<&Comment>, indent: usize, on_new_line: bool) {
        let on_new_line = match comment {
            Some(comment) => {
                self.comment(comment, indent, on_new_line);
                true
            }
            None => on_new_line,
        };
        if on_new_line {
            self.push_indent(indent);
        }
    }

    /// The comment's lines, each ending with a newline, blocks separated by a blank line.
    fn comment(&mut self, comment: &Comment, indent: usize, on_new_line: bool) {
        if !on_new_line {
            self.out.push('\n');
        }
        for (n, block) in comment.blocks.iter().enumerate() {
            if n > 0 {
                self.out.push('\n');
            }
            for line in block {
                self.push_indent(indent);
                self.out.push_str("//");
                if !line.is_empty() {
                    self.out.push(' ');
                    self.out.push_str(line);
                }
                self.out.push('\n');
            }
        }
    }

    fn push_indent(&mut self, indent: usize) {
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
    }
}

/// Whether a comment is written right before `expr`'s first token, so after `=` it would
/// be read as a regex (a binary expression without parentheses starts with its left operand).
fn starts_with_comment(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(e) => e.comment.is_some(),
        Expr::Reference(e) => e.comment.is_some(),
        Expr::Ident(e) => e.comment.is_some(),
        Expr::List(e) => e.comment.is_some(),
        Expr::Lambda(e) => e.comment.is_some(),
        Expr::Unary(e) => e.comment.is_some(),
        Expr::Call(e) => e.name.comment.is_some(),
        Expr::Binary(e) => e
            .parens
            .as_ref()
            .is_some_and(|parens| parens.comment.is_some()),
        Expr::Chain(_) => false,
    }
}

/// Whether `next` starts with a unary `-` that, written bare, `statement`'s final operator
/// loop would read as a binary minus (a chain or list ends its statement without one).
fn minus_would_continue(statement: &Statement, next: &Statement) -> bool {
    fn leads_with_minus(expr: &Expr) -> bool {
        match expr {
            Expr::Unary(unary) => unary.op == UnaryOp::Neg,
            Expr::Binary(binary) => binary.parens.is_none() && leads_with_minus(&binary.lhs),
            _ => false,
        }
    }
    let open = match statement {
        Statement::Var(VarDecl {
            init: VarInit::Value(value),
            ..
        })
        | Statement::Expr(value) => !matches!(value, Expr::Chain(_) | Expr::List(_)),
        _ => false,
    };
    open && matches!(next, Statement::Expr(expr) if leads_with_minus(expr))
}

/// Whether a statement's output starts with `(`: a parenthesized binary expression or a
/// parenthesized `*` or regex.
fn starts_with_paren(statement: &Statement) -> bool {
    fn opens(expr: &Expr, before_operator: bool) -> bool {
        match expr {
            Expr::Binary(binary) if binary.parens.is_none() => {
                opens(&binary.lhs, operator_needs_operand(binary.op))
            }
            Expr::Binary(_) => true,
            Expr::Literal(literal) => operand_wrapped(literal, before_operator),
            _ => false,
        }
    }
    matches!(statement, Statement::Expr(expr) if opens(expr, false))
}

/// Whether a `*` or regex literal gets parentheses where it would lex as an operator: at
/// the start of a statement or after a keyword (unless a comment comes between), or before
/// an operator that does not lex as one after it.
fn operand_wrapped(literal: &Literal, before_operator: bool) -> bool {
    matches!(literal.value, LitValue::Star | LitValue::Regex { .. })
        && (literal.comment.is_none() || before_operator)
}

/// Whether a binary operator, written after a `*` or regex operand, would not lex as an
/// operator: all but `AND`, `OR` and `-`.
fn operator_needs_operand(op: BinaryOp) -> bool {
    !matches!(op, BinaryOp::And | BinaryOp::Or | BinaryOp::Sub)
}

/// Whether the arguments go one per line: the source did so, or the output would break a
/// line before the last argument's position anyway.
fn args_break(args: &Args) -> bool {
    args.multiline
        || args.exprs.split_last().is_some_and(|(last, others)| {
            others.iter().any(has_newline) || newline_before_anchor(last)
        })
}

/// Whether a binary expression breaks after its operator: the source did so, or the output
/// would break a line between the operands' positions anyway.
fn binary_breaks(binary: &Binary) -> bool {
    binary.multiline
        || binary.op_comment.is_some()
        || newline_after_anchor(&binary.lhs)
        || newline_before_anchor(&binary.rhs)
}

fn has_newline(expr: &Expr) -> bool {
    newline_before_anchor(expr) || newline_after_anchor(expr)
}

/// Whether the output of `expr` breaks a line before its position token ([`Expr::anchor`]).
fn newline_before_anchor(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(e) => {
            starts_with_comment(expr) || e.op_comment.is_some() || has_newline(&e.lhs)
        }
        Expr::Chain(_) => true,
        _ => starts_with_comment(expr),
    }
}

/// Whether the output of `expr` breaks a line after the start of its position token.
fn newline_after_anchor(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(e) => match &e.value {
            LitValue::String { value, .. } => value.contains('\n'),
            LitValue::Regex { source, .. } => source.contains('\n'),
            _ => false,
        },
        Expr::Reference(e) => e.name.contains('\n'),
        Expr::Ident(_) => false,
        Expr::List(e) => e.items.iter().any(has_newline),
        Expr::Lambda(e) => has_newline(&e.body),
        Expr::Unary(e) => has_newline(&e.operand),
        Expr::Call(e) => args_have_newline(&e.args),
        Expr::Binary(e) => binary_breaks(e) || has_newline(&e.rhs),
        Expr::Chain(e) => {
            e.method.comment.is_some() || e.args.as_ref().is_some_and(args_have_newline)
        }
    }
}

fn args_have_newline(args: &Args) -> bool {
    args_break(args) || args.exprs.iter().any(has_newline)
}
