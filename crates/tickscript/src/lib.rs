//! TICKscript, the language of Kapacitor tasks: lexer, parser and canonical formatter.
//!
//! [`parse`] reads a script into a [`Program`]: [`Statement`]s (`dbrp`, `var`, pipelines)
//! whose expressions are [`Expr`] trees. Pipelines are nested [`Chain`]s (`|node()`,
//! `.property()`, `@udf()`), lambdas are [`Lambda`]s over [`Binary`], [`Unary`], [`Call`],
//! [`Reference`] and [`Literal`] nodes. Every node has a [`Span`] of byte offsets, and
//! comments are kept on the nodes they precede. The parser is a syntax check only, accepting
//! exactly what Kapacitor's parser accepts: unknown nodes, properties and functions parse,
//! and are the next stage's business.
//!
//! A script that does not parse gives a [`ParseError`] whose message is Kapacitor's, e.g.
//! `parser: unexpected EOF line 4 char 9 in "var b = ". expected: …`;
//! [`ParseError::render`] adds the source line with a caret.
//!
//! [`format()`] writes a program back in canonical layout (Kapacitor's `tickfmt` style);
//! [`check_format`] also verifies that the output parses back to the same tree and formats
//! to itself. [`dump`] lists a tree with its spans.
//!
//! Parsing never panics. It rejects trees deeper than 1000 levels (or 128 nested
//! parentheses, calls or lambdas), so every recursive walk over a tree stays on the stack.
//!
//! ```
//! use tickflow_tickscript::{format, parse, Expr, Statement};
//!
//! let src = "var data = stream|from().measurement('cpu')\n\
//!            data|alert().crit(lambda: \"usage_idle\" < 10)";
//! let program = parse(src)?;
//!
//! let Statement::Expr(Expr::Chain(alert)) = &program.statements[1] else { panic!() };
//! assert_eq!(alert.method.name, "crit");
//! let Expr::Lambda(lambda) = &alert.arg_exprs()[0] else { panic!() };
//! assert_eq!(&src[lambda.span.range()], "lambda: \"usage_idle\" < 10");
//!
//! assert_eq!(
//!     format(&program),
//!     "var data = stream\n    |from()\n        .measurement('cpu')\n\n\
//!      data\n    |alert()\n        .crit(lambda: \"usage_idle\" < 10)\n",
//! );
//! # Ok::<(), tickflow_tickscript::ParseError>(())
//! ```

mod ast;
mod dump;
mod error;
mod format;
mod lexer;
mod literal;
mod parser;
mod regexp;
mod span;
mod token;
mod unicode;

pub use ast::{
    Args, Binary, BinaryOp, Call, Chain, ChainOp, Comment, Dbrp, Expr, Ident, Lambda, List,
    LitValue, Literal, Parens, Program, Reference, Statement, Unary, UnaryOp, VarDecl, VarInit,
    VarType,
};
pub use dump::dump;
pub use error::{Found, ParseError, ParseErrorKind};
pub use format::{check_format, format, FormatCheckError};
pub use lexer::LexError;
pub use regexp::{RegexError, RegexErrorCode};
pub use span::{render_diagnostic, Location, Span};

/// Parses a TICKscript.
///
/// ```
/// let err = tickflow_tickscript::parse("var x = 'abc").unwrap_err();
/// assert!(err.to_string().starts_with(
///     "parser: unexpected unterminated string line 1 char 9 in \"var x = 'abc\". expected:"
/// ));
/// ```
pub fn parse(src: &str) -> Result<Program, ParseError> {
    let tokens = lexer::tokenize(src);
    parser::parse(src, &tokens)
}
