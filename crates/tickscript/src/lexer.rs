//! The lexer: script text to tokens, with Kapacitor's context-sensitive rules (spec §1).
//!
//! The lexer is a small state machine around nom token parsers. In *operand* position (the
//! start, or after `(`, `[`, `,`, `|`, `@`, `.`, an operator, a regex or a comment) `-` and
//! `!` are unary operators, `*` is the star and `/` starts a regex. *After an operand* (an
//! identifier, keyword, number, duration, reference, string or `)`) the lexer first tries a
//! binary operator, then falls back to operand rules. After `=`, `=~` and `!~` a `/` always
//! starts a regex, even `//`.
//!
//! The stream ends with an `EOF` token or, at the first lexing error, with an error token;
//! the parser reports that error only if it gets that far, as Kapacitor does.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while};
use nom::character::complete::{char, one_of, satisfy};
use nom::combinator::recognize;
use nom::error::{ErrorKind, ParseError};
use nom::{Err, Parser};

use crate::ast::Comment;
use crate::span::Span;
use crate::token::{Kind, Token, TokenStream};
use crate::unicode::{is_digit, is_letter, is_space, quote_char};

/// A lexing error, reported as the "token" the parser did not expect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexError {
    /// A `'` or `'''` string without its closing quotes.
    #[error("unterminated string")]
    UnterminatedString,
    /// A `"` reference without its closing quote.
    #[error("unterminated field reference")]
    UnterminatedReference,
    /// A `/` regex without its closing slash.
    #[error("unterminated regex")]
    UnterminatedRegex,
    /// A number with two decimal points.
    #[error("multiple decimals in number")]
    MultipleDecimals,
    /// A character that cannot start a token here.
    #[error("unknown state, last char: {}", quote_char(*.0))]
    UnknownChar(char),
}

/// What the lexer tries at the current position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// An operand: Kapacitor's `lexToken`.
    Operand,
    /// A binary operator, else an operand: `tryLexBinaryOperator`.
    Operator,
    /// A regex if the next character is `/`, else an operand.
    RegexOrOperand,
}

/// Why a token parser stopped: nothing of its kind here, or a lexing error.
#[derive(Debug)]
enum Failure {
    NoToken,
    Lex(LexError),
}

impl ParseError<&str> for Failure {
    fn from_error_kind(_: &str, _: ErrorKind) -> Self {
        Failure::NoToken
    }

    fn append(_: &str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

type LexResult<'a, O> = nom::IResult<&'a str, O, Failure>;

/// A token parser's result: the token kind and the mode the lexer continues in.
type Lexed<'a> = LexResult<'a, (Kind, Mode)>;

fn fail<'a, O>(error: LexError) -> LexResult<'a, O> {
    Err(Err::Failure(Failure::Lex(error)))
}

/// Splits `src` into tokens.
pub(crate) fn tokenize(src: &str) -> TokenStream {
    Lexer {
        src,
        rest: src,
        mode: Mode::Operand,
        comments: Vec::new(),
        // Scripts average about a token per five bytes.
        tokens: Vec::with_capacity(src.len() / 5 + 1),
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    rest: &'a str,
    mode: Mode,
    /// Comment tokens (offset, text) waiting for the next token.
    comments: Vec<(usize, &'a str)>,
    tokens: Vec<Token>,
}

impl<'a> Lexer<'a> {
    fn run(mut self) -> TokenStream {
        loop {
            self.rest = self.rest.trim_start_matches(is_space);
            let start = self.offset(self.rest);
            if self.rest.is_empty() {
                return self.finish(Kind::Eof, start, None);
            }
            if self.mode != Mode::RegexOrOperand {
                if let Ok((rest, text)) = comment(self.rest) {
                    self.comments.push((start, text));
                    self.rest = rest;
                    self.mode = Mode::Operand;
                    continue;
                }
            }
            let lexed = match self.mode {
                Mode::Operand => operand(self.rest),
                Mode::Operator => match binary_operator(self.rest) {
                    Err(Err::Error(_)) => {
                        self.mode = Mode::Operand;
                        continue;
                    }
                    lexed => lexed,
                },
                Mode::RegexOrOperand => {
                    self.mode = Mode::Operand;
                    if !self.rest.starts_with('/') {
                        continue;
                    }
                    regex(self.rest)
                }
            };
            match lexed {
                Ok((rest, (kind, mode))) => {
                    let token = self.token(kind, Span::new(start, self.offset(rest)));
                    self.tokens.push(token);
                    self.rest = rest;
                    self.mode = mode;
                }
                Err(Err::Failure(Failure::Lex(error)) | Err::Error(Failure::Lex(error))) => {
                    return self.finish(Kind::Error, start, Some(error));
                }
                Err(_) => {
                    let error = self.rest.chars().next().map(LexError::UnknownChar);
                    return self.finish(Kind::Error, start, error);
                }
            }
        }
    }

    fn offset(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    /// A token that takes the pending comments.
    fn token(&mut self, kind: Kind, span: Span) -> Token {
        let comment = comment_of(&self.comments);
        self.comments.clear();
        Token {
            kind,
            span,
            comment,
        }
    }

    fn finish(mut self, kind: Kind, start: usize, error: Option<LexError>) -> TokenStream {
        let end = self.token(kind, Span::new(start, start));
        TokenStream {
            tokens: self.tokens,
            end,
            error,
        }
    }
}

/// Folds comment tokens into one [`Comment`], one block per token.
fn comment_of(comments: &[(usize, &str)]) -> Option<Box<Comment>> {
    let (&(start, _), &(last_start, last)) = (comments.first()?, comments.last()?);
    let blocks = comments
        .iter()
        .map(|&(_, text)| comment_lines(text))
        .collect();
    Some(Box::new(Comment {
        blocks,
        span: Span::new(start, last_start + last.trim_end().len()),
    }))
}

/// The lines of one comment token, trimmed, without `//` and one following space.
fn comment_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let line = line.strip_prefix("//").unwrap_or(line);
            line.strip_prefix(' ').unwrap_or(line).to_owned()
        })
        .collect()
}

/// `//` to the end of the line. The comment goes on over following lines whose first
/// non-space character is `/`, so a run of comment lines is one token; a blank line ends it.
fn comment(i: &str) -> LexResult<'_, &str> {
    let (mut rest, _) = tag("//").parse(i)?;
    loop {
        let Some(newline) = rest.find('\n') else {
            return Ok(("", i));
        };
        let next_line = rest[newline + 1..].trim_start_matches(|c| c != '\n' && is_space(c));
        match next_line.strip_prefix('/') {
            Some(more) => rest = more,
            None => return Ok((next_line, &i[..i.len() - next_line.len()])),
        }
    }
}

/// A token in operand position, chosen by its first character like Kapacitor's `lexToken`.
fn operand(i: &str) -> Lexed<'_> {
    match i.chars().next() {
        Some('-' | '!') => unary_operator(i),
        Some('"') => reference(i),
        Some('\'') => string(i),
        Some('/') => regex(i),
        Some(c) if c == '.' || is_digit(c) => number_duration_or_dot(i),
        Some(c) if is_letter(c) => identifier_or_keyword(i),
        _ => punctuation(i),
    }
}

/// `-` or `!` before an operand.
fn unary_operator(i: &str) -> Lexed<'_> {
    let (rest, op) = one_of("-!").parse(i)?;
    let kind = if op == '-' { Kind::Minus } else { Kind::Not };
    Ok((rest, (kind, Mode::Operand)))
}

/// A binary operator after an operand (`//` is a comment, handled before). After `=`,
/// `=~` and `!~` a `/` starts a regex.
fn binary_operator(i: &str) -> Lexed<'_> {
    use Mode::{Operand, RegexOrOperand};
    let two = alt((
        tag("!="),
        tag("!~"),
        tag("<="),
        tag(">="),
        tag("=="),
        tag("=~"),
    ));
    let (rest, op) = alt((two, recognize(one_of("+-*%/!<>=")))).parse(i)?;
    let token = match op {
        "+" => (Kind::Plus, Operand),
        "-" => (Kind::Minus, Operand),
        "*" => (Kind::Mult, Operand),
        "%" => (Kind::Mod, Operand),
        "/" => (Kind::Div, Operand),
        "!=" => (Kind::NotEq, Operand),
        "!~" => (Kind::RegexNotEq, RegexOrOperand),
        "!" => (Kind::Not, Operand),
        "<=" => (Kind::LessEq, Operand),
        "<" => (Kind::Less, Operand),
        ">=" => (Kind::GreaterEq, Operand),
        ">" => (Kind::Greater, Operand),
        "==" => (Kind::Eq, Operand),
        "=~" => (Kind::RegexEq, RegexOrOperand),
        _ => (Kind::Asgn, RegexOrOperand),
    };
    Ok((rest, token))
}

/// Single-character punctuation; `*` here is the star.
fn punctuation(i: &str) -> Lexed<'_> {
    let (rest, c) = one_of("()[]|@,*").parse(i)?;
    let token = match c {
        '(' => (Kind::LParen, Mode::Operand),
        ')' => (Kind::RParen, Mode::Operator),
        '[' => (Kind::LBracket, Mode::Operand),
        ']' => (Kind::RBracket, Mode::Operand),
        '|' => (Kind::Pipe, Mode::Operand),
        '@' => (Kind::At, Mode::Operand),
        ',' => (Kind::Comma, Mode::Operand),
        _ => (Kind::Star, Mode::Operand),
    };
    Ok((rest, token))
}

/// A number (`12`, `1.5`, `5.`, `.5`), a duration (`10s`, `5ms`, `1µ`) or, for a `.` not
/// followed by a digit, the property operator. Digits are Unicode decimal digits, as in Go;
/// the parser rejects the non-ASCII ones when it converts the literal.
fn number_duration_or_dot(i: &str) -> Lexed<'_> {
    let (_, first) = satisfy(|c| c == '.' || is_digit(c)).parse(i)?;
    if first == '.' && !i[1..].starts_with(is_digit) {
        return Ok((&i[1..], (Kind::Dot, Mode::Operand)));
    }
    let mut decimal = false;
    for (at, c) in i.char_indices() {
        match c {
            '.' if decimal => return fail(LexError::MultipleDecimals),
            '.' => decimal = true,
            c if is_digit(c) => {}
            'u' | 'µ' | 's' | 'm' | 'h' | 'd' | 'w' if !decimal => {
                let mut end = at + c.len_utf8();
                if c == 'm' && i[end..].starts_with('s') {
                    end += 1;
                }
                return Ok((&i[end..], (Kind::Duration, Mode::Operator)));
            }
            _ => return Ok((&i[at..], (Kind::Number, Mode::Operator))),
        }
    }
    Ok(("", (Kind::Number, Mode::Operator)))
}

/// An identifier or keyword. `lambda` is the `lambda:` keyword only when the colon follows
/// immediately; keywords are case-sensitive (`true` is an identifier).
fn identifier_or_keyword(i: &str) -> Lexed<'_> {
    let (rest, word) = recognize((
        satisfy(is_letter),
        take_while(|c| c == '_' || is_letter(c) || is_digit(c)),
    ))
    .parse(i)?;
    let kind = match word {
        "var" => Kind::Var,
        "dbrp" => Kind::Dbrp,
        "TRUE" => Kind::True,
        "FALSE" => Kind::False,
        "AND" => Kind::And,
        "OR" => Kind::Or,
        "lambda" => match rest.strip_prefix(':') {
            Some(rest) => return Ok((rest, (Kind::Lambda, Mode::Operator))),
            None => Kind::Ident,
        },
        _ => Kind::Ident,
    };
    Ok((rest, (kind, Mode::Operator)))
}

/// `"…"`, where `\"` does not end the reference.
fn reference(i: &str) -> Lexed<'_> {
    let (rest, _) = char('"').parse(i)?;
    match skip_delimited(rest, '"') {
        Some(rest) => Ok((rest, (Kind::Reference, Mode::Operator))),
        None => fail(LexError::UnterminatedReference),
    }
}

/// `/…/`, where `\/` does not end the regex.
fn regex(i: &str) -> Lexed<'_> {
    let (rest, _) = char('/').parse(i)?;
    match skip_delimited(rest, '/') {
        Some(rest) => Ok((rest, (Kind::Regex, Mode::Operand))),
        None => fail(LexError::UnterminatedRegex),
    }
}

/// The input after the first `close` that is not escaped by a backslash, if any.
fn skip_delimited(mut rest: &str, close: char) -> Option<&str> {
    loop {
        let at = rest.find([close, '\\'])?;
        let (found, after) = rest[at..].split_at(1);
        if found.starts_with(close) {
            return Some(after);
        }
        rest = after.strip_prefix(close).unwrap_or(after);
    }
}

/// `'…'` (where `\'` is a quote), `''`, or `'''…'''` (no escapes, ends at the first `'''`).
///
/// This follows Kapacitor's scanner exactly, including its corner: inside a triple-quoted
/// string, a backslash right after two quotes still escapes a following quote.
fn string(i: &str) -> Lexed<'_> {
    let (rest, _) = char('\'').parse(i)?;
    let (mut rest, quotes) = match rest.strip_prefix('\'') {
        Some(after_two) => match after_two.strip_prefix('\'') {
            Some(after_three) => (after_three, 3),
            None => return Ok((after_two, (Kind::String, Mode::Operator))),
        },
        None => (rest, 1),
    };
    let mut closing = quotes;
    loop {
        let mut chars = rest.chars();
        match chars.next() {
            None => return fail(LexError::UnterminatedString),
            Some('\\') if closing == 1 => {
                rest = chars.as_str().strip_prefix('\'').unwrap_or(chars.as_str());
            }
            Some('\'') => {
                rest = chars.as_str();
                closing -= 1;
                if closing == 0 {
                    return Ok((rest, (Kind::String, Mode::Operator)));
                }
            }
            Some(_) => {
                rest = chars.as_str();
                closing = quotes;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        let stream = tokenize(src);
        stream
            .tokens
            .iter()
            .chain([&stream.end])
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn operators_depend_on_position() {
        use Kind::*;
        assert_eq!(
            kinds("a * *"),
            [(Ident, "a"), (Mult, "*"), (Star, "*"), (Eof, "")]
        );
        assert_eq!(
            kinds("a / /b/"),
            [(Ident, "a"), (Div, "/"), (Regex, "/b/"), (Eof, "")]
        );
        assert_eq!(
            kinds("x =~ //"),
            [(Ident, "x"), (RegexEq, "=~"), (Regex, "//"), (Eof, "")]
        );
        assert_eq!(kinds("( //c\n"), [(LParen, "("), (Eof, "")]);
        assert_eq!(
            kinds("lambda: *"),
            [(Lambda, "lambda:"), (Mult, "*"), (Eof, "")]
        );
        assert_eq!(
            kinds("5-3"),
            [(Number, "5"), (Minus, "-"), (Number, "3"), (Eof, "")]
        );
        assert_eq!(
            kinds("1h30m"),
            [(Duration, "1h"), (Duration, "30m"), (Eof, "")]
        );
        assert_eq!(kinds("1.5s"), [(Number, "1.5"), (Ident, "s"), (Eof, "")]);
        assert_eq!(
            kinds("x.y .5"),
            [
                (Ident, "x"),
                (Dot, "."),
                (Ident, "y"),
                (Number, ".5"),
                (Eof, "")
            ]
        );
    }

    #[test]
    fn strings_follow_kapacitor_scanner() {
        use Kind::*;
        assert_eq!(
            kinds("'''a''\\''''"),
            [(String, "'''a''\\''"), (String, "''"), (Eof, "")]
        );
        assert_eq!(
            kinds("'' ''''''"),
            [(String, "''"), (String, "''''''"), (Eof, "")]
        );
        assert_eq!(kinds(r"'a\'b'"), [(String, r"'a\'b'"), (Eof, "")]);
    }

    #[test]
    fn comments_group_lines_until_a_blank_line() {
        let stream = tokenize("// a\n  //b\n/c\n\n//   d  \nx");
        let comment = stream.tokens[0]
            .comment
            .as_deref()
            .expect("comment before x");
        assert_eq!(comment.blocks, [vec!["a", "b", "/c"], vec!["  d"]]);
        assert_eq!(comment.span, Span::new(0, 21));
    }
}
