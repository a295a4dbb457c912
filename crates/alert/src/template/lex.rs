//! Template text to items: literal text and lexed `{{ … }}` actions, with Go's trim markers
//! (`{{- ` and ` -}}` remove the whitespace beside them) and comments (`{{/* … */}}`,
//! which must close right before the delimiter) applied.

use super::{ErrorKind, Failure};

/// A lexical token of an action.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// `.`
    Dot,
    /// `.Name` (the name without the dot).
    Field(String),
    /// `$` or `$name` (with the `$`).
    Var(String),
    /// A function name.
    Ident(String),
    /// `if`, `else`, `end`, `range`, `with`, `define`, `template`, `block`, `break`,
    /// `continue`.
    Keyword(Keyword),
    /// `true` or `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// A string literal, unquoted.
    Str(String),
    /// A character constant: its code point and source text.
    Char(char, String),
    /// A number literal as written.
    Number(String),
    /// `|`
    Pipe,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `:=`
    Declare,
    /// `=`
    Assign,
    /// `,`
    Comma,
}

/// The words Go's template lexer reserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keyword {
    If,
    Else,
    End,
    Range,
    With,
    Define,
    Template,
    Block,
    Break,
    Continue,
}

impl Keyword {
    fn from_word(word: &str) -> Option<Keyword> {
        Some(match word {
            "if" => Keyword::If,
            "else" => Keyword::Else,
            "end" => Keyword::End,
            "range" => Keyword::Range,
            "with" => Keyword::With,
            "define" => Keyword::Define,
            "template" => Keyword::Template,
            "block" => Keyword::Block,
            "break" => Keyword::Break,
            "continue" => Keyword::Continue,
            _ => return None,
        })
    }

    /// The keyword as written.
    pub(super) fn name(self) -> &'static str {
        match self {
            Keyword::If => "if",
            Keyword::Else => "else",
            Keyword::End => "end",
            Keyword::Range => "range",
            Keyword::With => "with",
            Keyword::Define => "define",
            Keyword::Template => "template",
            Keyword::Block => "block",
            Keyword::Break => "break",
            Keyword::Continue => "continue",
        }
    }
}

impl Tok {
    /// The token as error messages quote it.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Dot => "<.>".into(),
            Tok::Field(name) => format!("<.{name}>"),
            Tok::Var(name) | Tok::Ident(name) | Tok::Number(name) => format!("<{name}>"),
            Tok::Keyword(k) => format!("<{}>", k.name()),
            Tok::Bool(b) => format!("<{b}>"),
            Tok::Nil => "<nil>".into(),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Char(_, text) => text.clone(),
            Tok::Pipe => "\"|\"".into(),
            Tok::Open => "\"(\"".into(),
            Tok::Close => "\")\"".into(),
            Tok::Declare => "\":=\"".into(),
            Tok::Assign => "\"=\"".into(),
            Tok::Comma => "\",\"".into(),
        }
    }
}

/// A token with its byte offset and whether whitespace precedes it (`.A .B` are two
/// operands, `.A.B` one field chain).
#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) pos: usize,
    pub(super) spaced: bool,
}

/// The template split into literal text and actions.
#[derive(Debug)]
pub(super) enum Item {
    /// Literal text.
    Text(String),
    /// An action: the offset of its `{{` and its tokens.
    Action { pos: usize, tokens: Vec<Token> },
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits `src` into text and lexed actions, applying trim markers and dropping comments.
pub(super) fn lex(src: &str) -> Result<Vec<Item>, Failure> {
    let mut items = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while let Some(found) = src[i..].find("{{") {
        let open = i + found;
        text.push_str(&src[i..open]);
        let mut inner = open + 2;
        if src[inner..].starts_with('-') && src[inner + 1..].starts_with(is_space) {
            text.truncate(text.trim_end_matches(is_space).len());
            inner += 2;
        }
        if !text.is_empty() {
            items.push(Item::Text(std::mem::take(&mut text)));
        }
        let (tokens, close, trim) = if src[inner..].starts_with("/*") {
            let (close, trim) = comment(src, inner, open)?;
            (None, close, trim)
        } else {
            let (tokens, close, trim) = action(src, inner, open)?;
            (Some(tokens), close, trim)
        };
        if let Some(tokens) = tokens {
            items.push(Item::Action { pos: open, tokens });
        }
        i = close;
        if trim {
            i = src.len() - src[i..].trim_start_matches(is_space).len();
        }
    }
    text.push_str(&src[i..]);
    if !text.is_empty() {
        items.push(Item::Text(text));
    }
    Ok(items)
}

/// A comment starting at `start` (on its `/*`): the offset past its `}}` and whether a
/// trim marker follows the comment.
fn comment(src: &str, start: usize, open: usize) -> Result<(usize, bool), Failure> {
    let end = src[start + 2..]
        .find("*/")
        .map(|e| start + 2 + e + 2)
        .ok_or_else(|| Failure::new(open, ErrorKind::UnclosedComment))?;
    let rest = &src[end..];
    if rest.starts_with("}}") {
        return Ok((end + 2, false));
    }
    let spaces = rest.len() - rest.trim_start_matches(is_space).len();
    if spaces > 0 && rest[spaces..].starts_with("-}}") {
        return Ok((end + spaces + 3, true));
    }
    Err(Failure::new(open, ErrorKind::CommentNotClosed))
}

/// Lexed action: its tokens, the offset just past `}}`, and whether `-}}` trims the
/// whitespace that follows.
type Lexed = (Vec<Token>, usize, bool);

/// Lexes the action starting at `start` (after `{{` and any trim marker).
fn action(src: &str, start: usize, open: usize) -> Result<Lexed, Failure> {
    let mut tokens = Vec::new();
    let mut i = start;
    let mut depth = 0usize;
    let mut spaced = true;
    loop {
        let rest = &src[i..];
        let Some(c) = rest.chars().next() else {
            return Err(Failure::new(open, ErrorKind::UnclosedAction));
        };
        if rest.starts_with("}}") || (spaced && rest.starts_with("-}}") && i > start) {
            if depth > 0 {
                return Err(Failure::new(i, ErrorKind::UnclosedParen));
            }
            let trim = rest.starts_with('-');
            return Ok((tokens, i + 2 + usize::from(trim), trim));
        }
        if is_space(c) {
            i += c.len_utf8();
            spaced = true;
            continue;
        }
        let pos = i;
        let (tok, len) = match c {
            '|' => (Tok::Pipe, 1),
            ',' => (Tok::Comma, 1),
            '=' => (Tok::Assign, 1),
            ':' if rest.starts_with(":=") => (Tok::Declare, 2),
            '(' => {
                depth += 1;
                (Tok::Open, 1)
            }
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| Failure::new(pos, ErrorKind::UnexpectedParen))?;
                (Tok::Close, 1)
            }
            '"' => quoted(rest, pos)?,
            '`' => raw(rest, pos)?,
            '\'' => char_constant(rest, pos)?,
            '$' => {
                let len = 1 + word_len(&rest[1..]);
                (Tok::Var(rest[..len].to_owned()), len)
            }
            '.' if rest[1..].starts_with(is_word_char)
                && !rest[1..].starts_with(|c: char| c.is_ascii_digit()) =>
            {
                let len = 1 + word_len(&rest[1..]);
                (Tok::Field(rest[1..len].to_owned()), len)
            }
            '.' if !rest[1..].starts_with(|c: char| c.is_ascii_digit()) => (Tok::Dot, 1),
            c if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => number(rest, pos)?,
            c if is_word_char(c) => {
                let len = word_len(rest);
                let word = &rest[..len];
                let tok = match word {
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    "nil" => Tok::Nil,
                    _ => Keyword::from_word(word)
                        .map_or_else(|| Tok::Ident(word.to_owned()), Tok::Keyword),
                };
                (tok, len)
            }
            c => return Err(Failure::new(pos, ErrorKind::BadCharacter(c))),
        };
        tokens.push(Token { tok, pos, spaced });
        spaced = false;
        i += len;
    }
}

fn word_len(s: &str) -> usize {
    s.find(|c: char| !is_word_char(c)).unwrap_or(s.len())
}

/// A number as Go's lexer scans it: sign, base prefix, digits with `_`, fraction,
/// exponent (`p` for hex) and an imaginary `i`; a letter right after it is an error.
fn number(rest: &str, pos: usize) -> Result<(Tok, usize), Failure> {
    let bytes = rest.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let mut digits: &[u8] = b"0123456789_";
    let mut exponent = b"eE";
    if bytes.get(i) == Some(&b'0') {
        match bytes.get(i + 1) {
            Some(b'x' | b'X') => {
                i += 2;
                digits = b"0123456789abcdefABCDEF_";
                exponent = b"pP";
            }
            Some(b'o' | b'O') => {
                i += 2;
                digits = b"01234567_";
            }
            Some(b'b' | b'B') => {
                i += 2;
                digits = b"01_";
            }
            _ => {}
        }
    }
    let run = |mut i: usize, set: &[u8]| {
        while bytes.get(i).is_some_and(|b| set.contains(b)) {
            i += 1;
        }
        i
    };
    i = run(i, digits);
    if bytes.get(i) == Some(&b'.') {
        i = run(i + 1, digits);
    }
    if bytes.get(i).is_some_and(|b| exponent.contains(b)) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = run(i, b"0123456789_");
    }
    if bytes.get(i) == Some(&b'i') {
        i += 1;
    }
    if rest[i..].starts_with(is_word_char) {
        let end = i + word_len(&rest[i..]);
        return Err(Failure::new(
            pos,
            ErrorKind::BadNumber(rest[..end].to_owned()),
        ));
    }
    Ok((Tok::Number(rest[..i].to_owned()), i))
}

/// A `` `…` `` raw string (carriage returns dropped, as Go's unquoting does).
fn raw(rest: &str, pos: usize) -> Result<(Tok, usize), Failure> {
    let end = rest[1..]
        .find('`')
        .ok_or_else(|| Failure::new(pos, ErrorKind::Unterminated("raw quoted string")))?;
    let body = rest[1..1 + end].replace('\r', "");
    Ok((Tok::Str(body), end + 2))
}

/// A `"…"` string with Go escapes.
fn quoted(rest: &str, pos: usize) -> Result<(Tok, usize), Failure> {
    let unterminated = || Failure::new(pos, ErrorKind::Unterminated("quoted string"));
    let mut out = String::new();
    let mut i = 1;
    loop {
        let c = rest[i..].chars().next().ok_or_else(unterminated)?;
        match c {
            '"' => return Ok((Tok::Str(out), i + 1)),
            '\n' => return Err(unterminated()),
            '\\' => {
                let (c, len) = escape(&rest[i..], '"').map_err(|e| Failure::new(pos, e))?;
                out.push(c);
                i += len;
            }
            c => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
}

/// A `'c'` character constant.
fn char_constant(rest: &str, pos: usize) -> Result<(Tok, usize), Failure> {
    let unterminated = || Failure::new(pos, ErrorKind::Unterminated("character constant"));
    let body = &rest[1..];
    let (c, len) = match body.chars().next() {
        Some('\\') => escape(body, '\'').map_err(|e| Failure::new(pos, e))?,
        Some('\'' | '\n') | None => return Err(unterminated()),
        Some(c) => (c, c.len_utf8()),
    };
    if !body[len..].starts_with('\'') {
        return Err(unterminated());
    }
    let total = len + 2;
    Ok((Tok::Char(c, rest[..total].to_owned()), total))
}

/// One backslash escape at the start of `s`: the character and the escape's length.
fn escape(s: &str, quote: char) -> Result<(char, usize), ErrorKind> {
    let mut chars = s.chars().skip(1);
    let e = chars.next().ok_or(ErrorKind::BadEscape(String::new()))?;
    let simple = match e {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        c if c == quote => Some(c),
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((c, 2));
    }
    let (digits, radix) = match e {
        'x' => (2, 16),
        'u' => (4, 16),
        'U' => (8, 16),
        '0'..='7' => (3, 8),
        _ => return Err(ErrorKind::BadEscape(e.to_string())),
    };
    let start = if radix == 8 { 1 } else { 2 };
    let text = s.get(start..start + digits).unwrap_or("");
    let bad = || ErrorKind::BadEscape(format!("{e}{}", s.get(2..start + digits).unwrap_or("")));
    let code = u32::from_str_radix(text, radix)
        .ok()
        .filter(|_| text.len() == digits && text.chars().all(|c| c.is_digit(radix)))
        .ok_or_else(bad)?;
    let c = if e == 'x' || radix == 8 {
        // `\x` and octal escapes are bytes; tickflow keeps only ASCII ones (templates are
        // UTF-8 text).
        u8::try_from(code).ok().filter(u8::is_ascii).map(char::from)
    } else {
        char::from_u32(code)
    };
    Ok((c.ok_or_else(bad)?, start + digits))
}
