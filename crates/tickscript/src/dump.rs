//! A readable listing of a syntax tree with every span, for golden tests and debugging.
//!
//! One node per line, children indented by two spaces. A chain is listed flat, target
//! first, then one line per method in source order, each with the span of the chain node it
//! creates. Strings are shown with Rust escapes.

use std::fmt::Write as _;

use crate::ast::{
    Args, Chain, Comment, Expr, Ident, LitValue, Program, Reference, Statement, VarInit,
};

/// The tree as indented text, one node per line.
///
/// ```
/// let program = tickflow_tickscript::parse("var x = -5")?;
/// assert_eq!(
///     tickflow_tickscript::dump(&program),
///     "Program 0..10\n  Var 0..10\n    name: Ident 4..5 x\n    value: Unary 8..10 -\n      Int 9..10 5\n",
/// );
/// # Ok::<(), tickflow_tickscript::ParseError>(())
/// ```
pub fn dump(program: &Program) -> String {
    let mut dumper = Dumper {
        out: String::new(),
        level: 0,
    };
    dumper.program(program);
    dumper.out
}

struct Dumper {
    out: String,
    level: usize,
}

impl Dumper {
    fn line(&mut self, label: &str, text: std::fmt::Arguments<'_>) {
        for _ in 0..self.level {
            self.out.push_str("  ");
        }
        self.out.push_str(label);
        let _ = self.out.write_fmt(text);
        self.out.push('\n');
    }

    fn nested(&mut self, write: impl FnOnce(&mut Self)) {
        self.level += 1;
        write(self);
        self.level -= 1;
    }

    fn comment(&mut self, label: &str, comment: Option<&Comment>) {
        if let Some(comment) = comment {
            self.line(
                label,
                format_args!("comment {} {:?}", comment.span, comment.blocks),
            );
        }
    }

    fn program(&mut self, program: &Program) {
        self.line("", format_args!("Program {}", program.span));
        self.nested(|d| {
            for statement in &program.statements {
                d.statement(statement);
            }
            d.comment("trailing ", program.trailing_comment.as_deref());
        });
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Dbrp(dbrp) => {
                self.line("", format_args!("Dbrp {}", dbrp.span));
                self.nested(|d| {
                    d.comment("", dbrp.comment.as_deref());
                    d.reference("db: ", &dbrp.db);
                    d.reference("rp: ", &dbrp.rp);
                });
            }
            Statement::Var(var) => {
                self.line("", format_args!("Var {}", var.span));
                self.nested(|d| {
                    d.comment("", var.comment.as_deref());
                    d.ident("name: ", &var.name);
                    match &var.init {
                        VarInit::Value(value) => d.expr("value: ", value),
                        VarInit::Type(name) => d.ident("type: ", name),
                    }
                });
            }
            Statement::Expr(expr) => self.expr("", expr),
        }
    }

    fn ident(&mut self, label: &str, ident: &Ident) {
        self.line(label, format_args!("Ident {} {}", ident.span, ident.name));
        self.nested(|d| d.comment("", ident.comment.as_deref()));
    }

    fn reference(&mut self, label: &str, reference: &Reference) {
        self.line(
            label,
            format_args!("Reference {} {:?}", reference.span, reference.name),
        );
        self.nested(|d| d.comment("", reference.comment.as_deref()));
    }

    fn expr(&mut self, label: &str, expr: &Expr) {
        match expr {
            Expr::Literal(literal) => {
                let span = literal.span;
                match &literal.value {
                    LitValue::Int { value, octal } => {
                        let radix = if *octal { " (octal)" } else { "" };
                        self.line(label, format_args!("Int {span} {value}{radix}"));
                    }
                    LitValue::Float(value) => {
                        self.line(label, format_args!("Float {span} {value:?}"))
                    }
                    LitValue::Duration { nanos, text } => {
                        self.line(label, format_args!("Duration {span} {text} ({nanos}ns)"));
                    }
                    LitValue::String { value, triple } => {
                        let quotes = if *triple { " (triple-quoted)" } else { "" };
                        self.line(label, format_args!("String {span} {value:?}{quotes}"));
                    }
                    LitValue::Regex { pattern, source } => {
                        self.line(
                            label,
                            format_args!("Regex {span} /{source}/ pattern {pattern:?}"),
                        );
                    }
                    LitValue::Bool(value) => self.line(label, format_args!("Bool {span} {value}")),
                    LitValue::Star => self.line(label, format_args!("Star {span}")),
                }
                self.nested(|d| d.comment("", literal.comment.as_deref()));
            }
            Expr::Reference(reference) => self.reference(label, reference),
            Expr::Ident(ident) => self.ident(label, ident),
            Expr::List(list) => {
                self.line(label, format_args!("List {}", list.span));
                self.nested(|d| {
                    d.comment("", list.comment.as_deref());
                    for item in &list.items {
                        d.expr("", item);
                    }
                });
            }
            Expr::Lambda(lambda) => {
                self.line(label, format_args!("Lambda {}", lambda.span));
                self.nested(|d| {
                    d.comment("", lambda.comment.as_deref());
                    d.expr("", &lambda.body);
                });
            }
            Expr::Unary(unary) => {
                self.line(
                    label,
                    format_args!("Unary {} {}", unary.span, unary.op.as_str()),
                );
                self.nested(|d| {
                    d.comment("", unary.comment.as_deref());
                    d.expr("", &unary.operand);
                });
            }
            Expr::Binary(binary) => {
                let parens = if binary.parens.is_some() {
                    " (parens)"
                } else {
                    ""
                };
                let multiline = if binary.multiline { " (multiline)" } else { "" };
                let (span, op, op_span) = (binary.span, binary.op.as_str(), binary.op_span);
                self.line(
                    label,
                    format_args!("Binary {span} {op} at {op_span}{parens}{multiline}"),
                );
                self.nested(|d| {
                    d.comment(
                        "parens ",
                        binary.parens.as_ref().and_then(|p| p.comment.as_deref()),
                    );
                    d.comment("operator ", binary.op_comment.as_deref());
                    d.expr("lhs: ", &binary.lhs);
                    d.expr("rhs: ", &binary.rhs);
                });
            }
            Expr::Call(call) => {
                self.line(label, format_args!("Call {} {}", call.span, call.name.name));
                self.nested(|d| {
                    d.comment("", call.name.comment.as_deref());
                    d.args(&call.args);
                });
            }
            Expr::Chain(chain) => {
                self.line(label, format_args!("Chain {}", chain.span));
                self.nested(|d| d.chain(chain));
            }
        }
    }

    /// A chain flat: the innermost target, then each method in source order.
    fn chain(&mut self, chain: &Chain) {
        match chain.target.as_ref() {
            Expr::Chain(inner) => self.chain(inner),
            target => self.expr("target: ", target),
        }
        let (op, method) = (chain.op.as_str(), &chain.method.name);
        self.line(
            "",
            format_args!("{op}{method} {} (op at {})", chain.span, chain.op_span),
        );
        self.nested(|d| {
            d.comment("operator ", chain.op_comment.as_deref());
            d.comment("method ", chain.method.comment.as_deref());
            if let Some(args) = &chain.args {
                d.args(args);
            }
        });
    }

    fn args(&mut self, args: &Args) {
        let multiline = if args.multiline { " (multiline)" } else { "" };
        self.line("", format_args!("args {}{multiline}", args.span));
        self.nested(|d| {
            for arg in &args.exprs {
                d.expr("", arg);
            }
        });
    }
}
