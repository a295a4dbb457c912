//! The parser: tokens to a [`Program`], one nom function per production of the grammar
//! (spec §2.4).
//!
//! It decides exactly where Kapacitor's recursive-descent parser decides, by looking at
//! the next one or two tokens, and never backtracks: once a production is chosen, a
//! mismatch is a [`nom::Err::Failure`] naming the kinds Kapacitor would name. The input is
//! [`Tokens`], a cursor over the lexer's tokens that also knows the source text, for error
//! snippets and line-break layout hints.

use nom::combinator::{cut, map, opt};
use nom::{Err, Parser};

use crate::ast::{
    max_depth, Args, Binary, Call, Chain, ChainOp, Comment, Dbrp, Expr, Ident, Lambda, List,
    LitValue, Literal, Parens, Program, Reference, Statement, Unary, VarDecl, VarInit,
};
use crate::error::{Found, ParseError, ParseErrorKind};
use crate::lexer::LexError;
use crate::literal;
use crate::span::{Location, Span};
use crate::token::{Kind, Token, TokenStream};

/// The most productions the parser nests (parentheses, unary operators, arguments,
/// lambdas): its recursion stays well inside a 2 MiB thread stack even in debug builds.
const MAX_NESTING: usize = 128;

/// The deepest syntax tree accepted; long chains and operator sequences nest without
/// recursion in the parser, but every later walk over the tree recurses.
const MAX_DEPTH: usize = 1000;

/// What Kapacitor expects where an operand is missing.
const OPERAND: &[Kind] = &[
    Kind::Number,
    Kind::String,
    Kind::Duration,
    Kind::Ident,
    Kind::True,
    Kind::False,
    Kind::Eq,
    Kind::LParen,
    Kind::Minus,
    Kind::Not,
];

/// What a list item may be.
const LIST_ITEM: &[Kind] = &[Kind::Ident, Kind::String, Kind::Star];

/// The parser's input: the tokens not yet consumed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tokens<'a> {
    src: &'a str,
    rest: &'a [Token],
    /// The `EOF` or error token after the last token.
    end: &'a Token,
    /// How many nested productions enclose this point.
    depth: usize,
}

/// A parse failure. The parser makes one for every token it looks at and does not take,
/// so it is small and cheap; [`Failure::locate`] words it as a [`ParseError`] once parsing
/// has stopped.
#[derive(Debug)]
struct Failure<'a> {
    /// The offending token.
    token: &'a Token,
    problem: Problem,
}

#[derive(Debug)]
enum Problem {
    /// Kapacitor's `unexpected`: the token is none of the expected kinds.
    Unexpected(Expected),
    /// A literal that does not convert (boxed: rare and large).
    Literal(Box<ParseErrorKind>),
    /// Nesting or tree depth past this limit.
    TooDeep(usize),
}

/// The token kinds a parser would have accepted.
#[derive(Debug, Clone, Copy)]
enum Expected {
    One(Kind),
    AnyOf(&'static [Kind]),
}

type IResult<'a, O> = nom::IResult<Tokens<'a>, O, Failure<'a>>;

impl<'a> nom::error::ParseError<Tokens<'a>> for Failure<'a> {
    fn from_error_kind(input: Tokens<'a>, _: nom::error::ErrorKind) -> Self {
        input.unexpected(Expected::AnyOf(&[]))
    }

    fn append(_: Tokens<'a>, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

impl Failure<'_> {
    /// The failure as reported: located in `src` and worded as Kapacitor words it.
    fn locate(self, src: &str, lex_error: Option<&LexError>) -> ParseError {
        let offset = self.token.span.start;
        let Location { line, col } = Location::of(src, offset);
        let kind = match self.problem {
            Problem::Unexpected(expected) => {
                let found = match (self.token.kind, lex_error) {
                    (Kind::Error, Some(error)) => Found::LexError(error.clone()),
                    (kind, _) => Found::Token(kind.name()),
                };
                let expected = match expected {
                    Expected::One(kind) => vec![kind.name()],
                    Expected::AnyOf(kinds) => kinds.iter().map(|kind| kind.name()).collect(),
                };
                let snippet = snippet(src, offset);
                ParseErrorKind::Unexpected {
                    found,
                    line,
                    col,
                    snippet,
                    expected,
                }
            }
            Problem::Literal(kind) => *kind,
            Problem::TooDeep(max) => ParseErrorKind::TooDeep { max, line, col },
        };
        ParseError {
            offset,
            line,
            col,
            kind,
        }
    }
}

impl<'a> Tokens<'a> {
    fn new(src: &'a str, stream: &'a TokenStream) -> Self {
        Tokens {
            src,
            rest: &stream.tokens,
            end: &stream.end,
            depth: 0,
        }
    }

    fn peek(&self) -> &'a Token {
        self.rest.first().unwrap_or(self.end)
    }

    /// The token after the next one.
    fn second(&self) -> &'a Token {
        self.rest.get(1).unwrap_or(self.end)
    }

    fn advance(self) -> Self {
        Tokens {
            rest: self.rest.get(1..).unwrap_or_default(),
            ..self
        }
    }

    fn text(&self, token: &Token) -> &'a str {
        token.text(self.src)
    }

    /// Whether the source breaks the line between offsets `from` and `to`.
    fn breaks_line(&self, from: usize, to: usize) -> bool {
        self.src
            .get(from..to)
            .is_some_and(|between| between.contains('\n'))
    }

    /// Kapacitor's `unexpected`: the next token is not what the parser expects.
    fn unexpected(&self, expected: Expected) -> Failure<'a> {
        Failure {
            token: self.peek(),
            problem: Problem::Unexpected(expected),
        }
    }

    /// Fails when a node of `depth` levels, built at `at`, passes [`MAX_DEPTH`].
    fn check_depth(&self, depth: usize, at: &'a Token) -> Result<(), Err<Failure<'a>>> {
        if depth <= MAX_DEPTH {
            return Ok(());
        }
        Err(Err::Failure(Failure {
            token: at,
            problem: Problem::TooDeep(MAX_DEPTH),
        }))
    }
}

/// Up to 10 bytes either side of `offset`, within its line (may cut a character in two,
/// which shows as U+FFFD).
fn snippet(src: &str, offset: usize) -> String {
    let bytes = src.as_bytes();
    let offset = offset.min(bytes.len());
    let mut start = offset.saturating_sub(10);
    if let Some(newline) = bytes[start..offset].iter().rposition(|&b| b == b'\n') {
        start += newline + 1;
    }
    let mut stop = (offset + 10).min(bytes.len());
    if let Some(newline) = bytes[offset..stop].iter().position(|&b| b == b'\n') {
        stop = offset + newline;
    }
    String::from_utf8_lossy(&bytes[start..stop]).into_owned()
}

/// Parses a whole token stream.
pub(crate) fn parse(src: &str, stream: &TokenStream) -> Result<Program, ParseError> {
    let input = Tokens::new(src, stream);
    let failure = match program(input) {
        Ok((_, program)) => return Ok(program),
        Err(Err::Error(failure) | Err::Failure(failure)) => failure,
        Err(Err::Incomplete(_)) => input.unexpected(Expected::One(Kind::Eof)),
    };
    Err(failure.locate(src, stream.error.as_ref()))
}

/// One token of `kind`; anything else is a recoverable error expecting `kind`.
fn token<'a>(kind: Kind) -> impl Fn(Tokens<'a>) -> IResult<'a, &'a Token> {
    move |i| {
        let token = i.peek();
        if token.kind == kind {
            Ok((i.advance(), token))
        } else {
            Err(Err::Error(i.unexpected(Expected::One(kind))))
        }
    }
}

/// Runs `parser` one nesting level deeper (at most [`MAX_NESTING`]), committed: its errors
/// are failures. The recursive productions call each other through here, with plain calls
/// rather than combinators, which keeps each level's stack frames small.
fn descend<'a, O>(i: Tokens<'a>, parser: fn(Tokens<'a>) -> IResult<'a, O>) -> IResult<'a, O> {
    if i.depth >= MAX_NESTING {
        return Err(Err::Failure(Failure {
            token: i.peek(),
            problem: Problem::TooDeep(MAX_NESTING),
        }));
    }
    match parser(Tokens {
        depth: i.depth + 1,
        ..i
    }) {
        Ok((rest, output)) => Ok((
            Tokens {
                depth: i.depth,
                ..rest
            },
            output,
        )),
        Err(Err::Error(error)) => Err(Err::Failure(error)),
        Err(error) => Err(error),
    }
}

/// `Program = { Statement } .` Comments after the last statement become the program's
/// trailing comment, together with a comment before a final `)` or `]` (which Kapacitor
/// also moves to the end).
fn program(mut i: Tokens<'_>) -> IResult<'_, Program> {
    let all = i.rest;
    let mut statements = Vec::new();
    while i.peek().kind != Kind::Eof {
        let (rest, statement) = statement(i)?;
        statements.push(statement);
        i = rest;
    }
    let before_end = all
        .last()
        .filter(|token| matches!(token.kind, Kind::RParen | Kind::RBracket))
        .and_then(|token| token.comment.clone());
    let trailing_comment = Comment::join_apart(before_end, i.end.comment.clone());
    Ok((
        i,
        Program {
            statements,
            trailing_comment,
            span: Span::new(0, i.src.len()),
        },
    ))
}

/// `Statement = Dbrp | Declaration | Expression .`
fn statement(i: Tokens<'_>) -> IResult<'_, Statement> {
    match i.peek().kind {
        Kind::Var => map(declaration, Statement::Var).parse(i),
        Kind::Dbrp => map(dbrp, Statement::Dbrp).parse(i),
        _ => map(expression, Statement::Expr).parse(i),
    }
}

/// `Dbrp = "dbrp" reference "." reference .`
fn dbrp(i: Tokens<'_>) -> IResult<'_, Dbrp> {
    let (i, (keyword, db, _, rp)) = (
        token(Kind::Dbrp),
        cut(reference),
        cut(token(Kind::Dot)),
        cut(reference),
    )
        .parse(i)?;
    let span = keyword.span.to(rp.span);
    Ok((
        i,
        Dbrp {
            db,
            rp,
            comment: keyword.comment.clone(),
            span,
        },
    ))
}

/// `Declaration = "var" identifier ( "=" Expression | identifier ) .`
fn declaration(i: Tokens<'_>) -> IResult<'_, VarDecl> {
    let (i, (keyword, name)) = (token(Kind::Var), cut(identifier)).parse(i)?;
    let (i, init) = if i.peek().kind == Kind::Asgn {
        map((token(Kind::Asgn), cut(expression)), |(_, value)| {
            VarInit::Value(value)
        })
        .parse(i)?
    } else {
        map(cut(identifier), VarInit::Type).parse(i)?
    };
    let end = match &init {
        VarInit::Value(value) => value.span(),
        VarInit::Type(name) => name.span,
    };
    let span = keyword.span.to(end);
    Ok((
        i,
        VarDecl {
            name,
            init,
            comment: keyword.comment.clone(),
            span,
        },
    ))
}

/// `Expression = identifier Chain { Chain } | Call [ Chain { Chain } ] | "lambda:" OrExpr
/// | StringList | OrExpr .` The choice looks at the first two tokens, as Kapacitor does.
fn expression(i: Tokens<'_>) -> IResult<'_, Expr> {
    match (i.peek().kind, i.second().kind) {
        (Kind::Ident, Kind::LParen) => call_chain(i),
        (Kind::Ident, Kind::Dot | Kind::Pipe | Kind::At | Kind::Var | Kind::Ident) => {
            identifier_chain(i)
        }
        (Kind::Lambda, _) => lambda(i),
        (Kind::LBracket, _) => string_list(i),
        _ => or_expr(i),
    }
}

/// A global call, then chain steps or binary operators.
fn call_chain(i: Tokens<'_>) -> IResult<'_, Expr> {
    let (i, call) = call(i, expression)?;
    let call = Expr::Call(Box::new(call));
    match i.peek().kind.chain_op() {
        Some(_) => chain(i, call),
        None => binary(i, call, 0),
    }
}

/// An identifier, then chain steps.
fn identifier_chain(i: Tokens<'_>) -> IResult<'_, Expr> {
    let (i, target) = identifier(i)?;
    chain(i, Expr::Ident(target))
}

/// `{ Chain }` after `target`; chains are left-associative.
fn chain<'a>(mut i: Tokens<'a>, mut target: Expr) -> IResult<'a, Expr> {
    let mut depth = target.depth();
    while i.peek().kind.chain_op().is_some() {
        let op_token = i.peek();
        let (rest, link) = chain_link(i)?;
        let args_depth = link.args.as_ref().map_or(0, |args| max_depth(&args.exprs));
        depth = 1 + depth.max(args_depth);
        i.check_depth(depth, op_token)?;
        target = Expr::Chain(Box::new(Chain {
            span: target.span().to(link.span),
            target: Box::new(target),
            op: link.op,
            op_span: op_token.span,
            op_comment: op_token.comment.clone(),
            method: link.method,
            args: link.args,
        }));
        i = rest;
    }
    Ok((i, target))
}

/// One `Chain` step, without its target.
struct Link {
    op: ChainOp,
    method: Ident,
    args: Option<Args>,
    /// From the operator to the end of the method.
    span: Span,
}

/// `Chain = "|" Call | "." ( Call | identifier ) | "@" ( Call | identifier ) .` A `|`
/// always takes a call; `.` and `@` take one when the name is followed by `(`.
fn chain_link(i: Tokens<'_>) -> IResult<'_, Link> {
    let op_token = i.peek();
    let Some(op) = op_token.kind.chain_op() else {
        return Err(Err::Error(i.unexpected(Expected::AnyOf(&[
            Kind::Pipe,
            Kind::Dot,
            Kind::At,
        ]))));
    };
    let i = i.advance();
    if op == ChainOp::Pipe || i.second().kind == Kind::LParen {
        let (i, call) = cut(|i| call(i, expression)).parse(i)?;
        let span = op_token.span.to(call.span);
        Ok((
            i,
            Link {
                op,
                method: call.name,
                args: Some(call.args),
                span,
            },
        ))
    } else {
        let (i, method) = cut(identifier).parse(i)?;
        let span = op_token.span.to(method.span);
        Ok((
            i,
            Link {
                op,
                method,
                args: None,
                span,
            },
        ))
    }
}

/// `Call = identifier "(" [ Arg { "," Arg } [ "," ] ] ")" .` Chain and global calls take
/// expressions as arguments, calls inside lambdas take `OrExpr`s.
fn call<'a>(i: Tokens<'a>, argument: fn(Tokens<'a>) -> IResult<'a, Expr>) -> IResult<'a, Call> {
    let (i, name) = identifier(i)?;
    let (i, (open, exprs, close)) = delimited_list(i, Kind::LParen, argument, Kind::RParen)?;
    let multiline = exprs
        .last()
        .is_some_and(|last| i.breaks_line(name.span.start, last.anchor()));
    let args = Args {
        exprs,
        multiline,
        span: open.span.to(close.span),
    };
    i.check_depth(1 + max_depth(&args.exprs), close)?;
    Ok((
        i,
        Call {
            span: name.span.to(close.span),
            name,
            args,
        },
    ))
}

/// `open [ item { "," item } [ "," ] ] close`, the shape of argument lists and string
/// lists. Kapacitor allows one trailing comma. Committed once `open` is read.
fn delimited_list<'a, O>(
    i: Tokens<'a>,
    open: Kind,
    item: fn(Tokens<'a>) -> IResult<'a, O>,
    close: Kind,
) -> IResult<'a, (&'a Token, Vec<O>, &'a Token)> {
    let (mut i, open_token) = cut(token(open)).parse(i)?;
    let mut items = Vec::new();
    while i.peek().kind != close {
        let (rest, parsed) = descend(i, item)?;
        items.push(parsed);
        match opt(token(Kind::Comma)).parse(rest)? {
            (rest, Some(_)) => i = rest,
            (rest, None) => {
                i = rest;
                break;
            }
        }
    }
    let (i, close_token) = cut(token(close)).parse(i)?;
    Ok((i, (open_token, items, close_token)))
}

/// `StringList = "[" [ ListItem { "," ListItem } [ "," ] ] "]" .`
fn string_list(i: Tokens<'_>) -> IResult<'_, Expr> {
    let (i, (open, items, close)) = delimited_list(i, Kind::LBracket, list_item, Kind::RBracket)?;
    let list = List {
        items,
        span: open.span.to(close.span),
        comment: open.comment.clone(),
    };
    Ok((i, Expr::List(list)))
}

/// `ListItem = identifier | string | "*" .`
fn list_item(i: Tokens<'_>) -> IResult<'_, Expr> {
    match i.peek().kind {
        Kind::Ident => map(identifier, Expr::Ident).parse(i),
        Kind::String | Kind::Star => literal(i),
        _ => Err(Err::Failure(i.unexpected(Expected::AnyOf(LIST_ITEM)))),
    }
}

/// `Lambda = "lambda:" OrExpr .`
fn lambda(i: Tokens<'_>) -> IResult<'_, Expr> {
    let (i, keyword) = token(Kind::Lambda)(i)?;
    let (i, body) = descend(i, or_expr)?;
    i.check_depth(1 + body.depth(), keyword)?;
    let span = keyword.span.to(body.span());
    Ok((
        i,
        Expr::Lambda(Lambda {
            body: Box::new(body),
            span,
            comment: keyword.comment.clone(),
        }),
    ))
}

/// `OrExpr = Unary { op Unary } .` with the precedence of spec §2.3.
fn or_expr(i: Tokens<'_>) -> IResult<'_, Expr> {
    let (i, lhs) = primary(i)?;
    binary(i, lhs, 0)
}

/// The operators binding at least as tightly as `min`, applied to `lhs`: Kapacitor's
/// operator-precedence loop. Operands are left-associative.
fn binary<'a>(mut i: Tokens<'a>, mut lhs: Expr, min: u8) -> IResult<'a, Expr> {
    let mut depth = lhs.depth();
    while let Some(op) = i
        .peek()
        .kind
        .binary_op()
        .filter(|op| op.precedence() >= min)
    {
        let op_token = i.peek();
        let (mut rest, mut rhs) = descend(i.advance(), primary)?;
        while let Some(next) = rest
            .peek()
            .kind
            .binary_op()
            .filter(|next| next.precedence() > op.precedence())
        {
            (rest, rhs) = binary(rest, rhs, next.precedence())?;
        }
        depth = 1 + depth.max(rhs.depth());
        i.check_depth(depth, op_token)?;
        lhs = Expr::Binary(Binary {
            multiline: i.breaks_line(lhs.anchor(), rhs.anchor()),
            span: lhs.span().to(rhs.span()),
            op,
            op_span: op_token.span,
            op_comment: op_token.comment.clone(),
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
            parens: None,
        });
        i = rest;
    }
    Ok((i, lhs))
}

/// `Primary = "(" OrExpr ")" | literal | reference | Call | identifier | Unary .`
fn primary(i: Tokens<'_>) -> IResult<'_, Expr> {
    match (i.peek().kind, i.second().kind) {
        (Kind::LParen, _) => parenthesized(i),
        (
            Kind::Number
            | Kind::String
            | Kind::Duration
            | Kind::Regex
            | Kind::True
            | Kind::False
            | Kind::Star,
            _,
        ) => literal(i),
        (Kind::Reference, _) => map(reference, Expr::Reference).parse(i),
        (Kind::Ident, Kind::LParen) => lambda_call(i),
        (Kind::Ident, _) => map(identifier, Expr::Ident).parse(i),
        (Kind::Minus | Kind::Not, _) => unary(i),
        _ => Err(Err::Failure(i.unexpected(Expected::AnyOf(OPERAND)))),
    }
}

/// A function call inside a lambda: its arguments are `OrExpr`s.
fn lambda_call(i: Tokens<'_>) -> IResult<'_, Expr> {
    let (i, call) = call(i, or_expr)?;
    Ok((i, Expr::Call(Box::new(call))))
}

/// `"(" OrExpr ")"`. Parentheses are kept only around binary expressions; the comment
/// before `(` goes to the parentheses, or to the first token inside.
fn parenthesized(i: Tokens<'_>) -> IResult<'_, Expr> {
    let (i, open) = token(Kind::LParen)(i)?;
    let (i, mut inner) = descend(i, or_expr)?;
    let (i, close) = cut(token(Kind::RParen)).parse(i)?;
    if let Expr::Binary(binary) = &mut inner {
        let inner_comment = binary.parens.take().and_then(|parens| parens.comment);
        let comment = Comment::join(open.comment.clone(), inner_comment);
        binary.parens = Some(Parens { comment });
        binary.span = open.span.to(close.span);
    } else {
        let slot = inner.leading_comment_mut();
        *slot = Comment::join(open.comment.clone(), slot.take());
    }
    Ok((i, inner))
}

/// `Unary = ( "-" | "!" ) Primary .`
fn unary(i: Tokens<'_>) -> IResult<'_, Expr> {
    let op_token = i.peek();
    let Some(op) = op_token.kind.unary_op() else {
        return Err(Err::Error(
            i.unexpected(Expected::AnyOf(&[Kind::Minus, Kind::Not])),
        ));
    };
    let (i, operand) = descend(i.advance(), primary)?;
    let span = op_token.span.to(operand.span());
    let expr = Expr::Unary(Unary {
        op,
        operand: Box::new(operand),
        span,
        comment: op_token.comment.clone(),
    });
    i.check_depth(expr.depth(), op_token)?;
    Ok((i, expr))
}

/// A number, string, duration, regex, boolean or `*`, converted to its value.
fn literal(i: Tokens<'_>) -> IResult<'_, Expr> {
    let token = i.peek();
    let text = i.text(token);
    let value = match token.kind {
        Kind::Number => literal::number(text),
        Kind::Duration => literal::duration(text).map(|nanos| LitValue::Duration {
            nanos,
            text: text.to_owned(),
        }),
        Kind::String => Ok(literal::string(text)),
        Kind::Regex => literal::regex(text),
        Kind::True => Ok(LitValue::Bool(true)),
        Kind::False => Ok(LitValue::Bool(false)),
        Kind::Star => Ok(LitValue::Star),
        _ => return Err(Err::Error(i.unexpected(Expected::AnyOf(OPERAND)))),
    };
    let value = value.map_err(|kind| {
        Err::Failure(Failure {
            token,
            problem: Problem::Literal(Box::new(kind)),
        })
    })?;
    let literal = Literal {
        value,
        span: token.span,
        comment: token.comment.clone(),
    };
    Ok((i.advance(), Expr::Literal(literal)))
}

/// A `"reference"`.
fn reference(i: Tokens<'_>) -> IResult<'_, Reference> {
    let (rest, token) = token(Kind::Reference)(i)?;
    let name = literal::reference(i.text(token));
    Ok((
        rest,
        Reference {
            name,
            span: token.span,
            comment: token.comment.clone(),
        },
    ))
}

/// An identifier.
fn identifier(i: Tokens<'_>) -> IResult<'_, Ident> {
    let (rest, token) = token(Kind::Ident)(i)?;
    let name = i.text(token).to_owned();
    Ok((
        rest,
        Ident {
            name,
            span: token.span,
            comment: token.comment.clone(),
        },
    ))
}
