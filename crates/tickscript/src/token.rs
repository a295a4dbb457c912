//! Tokens: what the lexer hands the parser.
//!
//! Comment tokens never reach the parser: the lexer folds each run of comments into the
//! [`Comment`] of the token that follows, as Kapacitor's parser does when it reads tokens.

use crate::ast::{BinaryOp, ChainOp, Comment, UnaryOp};
use crate::lexer::LexError;
use crate::span::Span;

/// The kind of a token. [`Kind::name`] is how Kapacitor names it in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Eof,
    /// A lexer error; the stream ends with it.
    Error,
    Var,
    Dbrp,
    /// `lambda:` (the colon must follow immediately).
    Lambda,
    True,
    False,
    Ident,
    Reference,
    Number,
    Duration,
    String,
    Regex,
    /// `*` where an operand is expected.
    Star,
    Asgn,
    Dot,
    Pipe,
    At,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Not,
    Plus,
    Minus,
    /// `*` after an operand.
    Mult,
    Div,
    Mod,
    And,
    Or,
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    RegexEq,
    RegexNotEq,
}

impl Kind {
    /// Kapacitor's name of the token kind, as printed in `unexpected … expected: …`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Eof => "EOF",
            Kind::Error => "ERR",
            Kind::Var => "var",
            Kind::Dbrp => "dbrp",
            Kind::Lambda => "lambda",
            Kind::True => "TRUE",
            Kind::False => "FALSE",
            Kind::Ident => "identifier",
            Kind::Reference => "reference",
            Kind::Number => "number",
            Kind::Duration => "duration",
            Kind::String => "string",
            Kind::Regex => "regex",
            Kind::Star => "*",
            Kind::Asgn => "=",
            Kind::Dot => ".",
            Kind::Pipe => "|",
            Kind::At => "@",
            Kind::LParen => "(",
            Kind::RParen => ")",
            Kind::LBracket => "[",
            Kind::RBracket => "]",
            Kind::Comma => ",",
            Kind::Not => "!",
            other => other.binary_op().map_or("", BinaryOp::as_str),
        }
    }

    /// The binary operator this token is, if any (Kapacitor's `IsExprOperator`).
    pub(crate) fn binary_op(self) -> Option<BinaryOp> {
        Some(match self {
            Kind::Plus => BinaryOp::Add,
            Kind::Minus => BinaryOp::Sub,
            Kind::Mult => BinaryOp::Mul,
            Kind::Div => BinaryOp::Div,
            Kind::Mod => BinaryOp::Mod,
            Kind::And => BinaryOp::And,
            Kind::Or => BinaryOp::Or,
            Kind::Eq => BinaryOp::Eq,
            Kind::NotEq => BinaryOp::NotEq,
            Kind::Less => BinaryOp::Less,
            Kind::LessEq => BinaryOp::LessEq,
            Kind::Greater => BinaryOp::Greater,
            Kind::GreaterEq => BinaryOp::GreaterEq,
            Kind::RegexEq => BinaryOp::RegexMatch,
            Kind::RegexNotEq => BinaryOp::RegexNotMatch,
            _ => return None,
        })
    }

    /// The unary operator this token starts, if any.
    pub(crate) fn unary_op(self) -> Option<UnaryOp> {
        match self {
            Kind::Minus => Some(UnaryOp::Neg),
            Kind::Not => Some(UnaryOp::Not),
            _ => None,
        }
    }

    /// The chain operator this token is, if any.
    pub(crate) fn chain_op(self) -> Option<ChainOp> {
        match self {
            Kind::Pipe => Some(ChainOp::Pipe),
            Kind::Dot => Some(ChainOp::Dot),
            Kind::At => Some(ChainOp::At),
            _ => None,
        }
    }
}

/// One token: kind, bytes, and the comments right before it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) span: Span,
    pub(crate) comment: Option<Box<Comment>>,
}

impl Token {
    /// The token's text in `src`.
    pub(crate) fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.range()).unwrap_or_default()
    }
}

/// The lexer's output: the tokens, then the `EOF` or error token that ends the stream.
#[derive(Debug)]
pub(crate) struct TokenStream {
    pub(crate) tokens: Vec<Token>,
    /// The final token, of kind [`Kind::Eof`] or [`Kind::Error`].
    pub(crate) end: Token,
    /// The error when `end` is an error token.
    pub(crate) error: Option<LexError>,
}
