//! Template text to syntax tree: splits literal text from `{{ … }}` actions (applying trim
//! markers and dropping comments), lexes each action and builds [`Node`]s, rejecting every
//! construct the engine does not implement.

use super::{ErrorKind, Failure, Kind};

/// A piece of a template.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// Literal text, copied to the output.
    Text(String),
    /// `{{ pipeline }}`: the pipeline's value is printed.
    Action(Pipeline),
    /// `{{ range p }} … {{ else }} … {{ end }}`: the body once per element of `p`'s
    /// value with `.` set to the element, or the `else` nodes when there is none.
    Range {
        /// What is iterated.
        over: Pipeline,
        /// The nodes run per element.
        body: Vec<Node>,
        /// The `{{ else }}` nodes (empty without one).
        otherwise: Vec<Node>,
    },
    /// `{{ if p }} … {{ else if q }} … {{ else }} … {{ end }}`.
    If {
        /// Each condition with the nodes it guards, in order.
        branches: Vec<(Pipeline, Vec<Node>)>,
        /// The `{{ else }}` nodes (empty without one).
        otherwise: Vec<Node>,
    },
}

/// Commands separated by `|`; each command's value is the last argument of the next.
#[derive(Debug, Clone)]
pub(super) struct Pipeline {
    pub(super) commands: Vec<Command>,
    /// Offset of the action or `(` that holds the pipeline.
    pub(super) pos: usize,
}

/// One stage of a pipeline.
#[derive(Debug, Clone)]
pub(super) enum Command {
    /// A function call with its arguments.
    Call {
        func: Func,
        args: Vec<Term>,
        pos: usize,
    },
    /// A single operand (a field, literal or parenthesised pipeline).
    Operand(Term),
}

/// An operand.
#[derive(Debug, Clone)]
pub(super) enum Term {
    /// `.`
    Dot,
    /// `.A.B`: the field names with the position of the chain.
    Field(Vec<String>, usize),
    /// A function used as an argument: called without arguments.
    Func(Func, usize),
    /// A string literal.
    Str(String),
    /// An integer literal (Go `int`).
    Int(i64),
    /// A float literal (Go `float64`).
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// `( pipeline )`.
    Pipeline(Box<Pipeline>),
}

/// The functions templates can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Func {
    Index,
    Len,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
    Print,
    Printf,
    Json,
    JsonCompact,
}

impl Func {
    /// The function's name in templates.
    pub(super) fn name(self) -> &'static str {
        match self {
            Func::Index => "index",
            Func::Len => "len",
            Func::Eq => "eq",
            Func::Ne => "ne",
            Func::Lt => "lt",
            Func::Le => "le",
            Func::Gt => "gt",
            Func::Ge => "ge",
            Func::And => "and",
            Func::Or => "or",
            Func::Not => "not",
            Func::Print => "print",
            Func::Printf => "printf",
            Func::Json => "json",
            Func::JsonCompact => "jsonCompact",
        }
    }

    /// The function called `name` in a template of `kind`.
    fn lookup(name: &str, kind: Kind) -> Option<Func> {
        const ALL: [Func; 15] = [
            Func::Index,
            Func::Len,
            Func::Eq,
            Func::Ne,
            Func::Lt,
            Func::Le,
            Func::Gt,
            Func::Ge,
            Func::And,
            Func::Or,
            Func::Not,
            Func::Print,
            Func::Printf,
            Func::Json,
            Func::JsonCompact,
        ];
        let html_only = |f: &Func| matches!(f, Func::Json | Func::JsonCompact);
        ALL.into_iter()
            .find(|f| f.name() == name && (kind == Kind::Html || !html_only(f)))
    }
}

/// Go keywords and builtins this engine rejects as unsupported rather than unknown.
const UNSUPPORTED: &[&str] = &[
    "with", "define", "template", "block", "break", "continue", "call", "html", "js", "urlquery",
    "println", "slice",
];

/// A lexical token of an action.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Dot,
    Field(Vec<String>),
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Pipe,
    Open,
    Close,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Dot => "\".\"".into(),
            Tok::Field(names) => format!("<.{}>", names.join(".")),
            Tok::Ident(name) => format!("<{name}>"),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Int(n) => format!("<{n}>"),
            Tok::Float(x) => format!("<{x}>"),
            Tok::Pipe => "\"|\"".into(),
            Tok::Open => "\"(\"".into(),
            Tok::Close => "\")\"".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
}

/// A lexed action with the offset of its `{{`.
struct Action {
    tokens: Vec<Token>,
    pos: usize,
}

/// The template split into literal text and actions.
enum Item {
    Text(String),
    Action(Action),
}

/// Parses a whole template.
pub(super) fn parse(src: &str, kind: Kind) -> Result<Vec<Node>, Failure> {
    let items = split(src)?;
    let mut parser = Parser {
        items: items.into_iter(),
        kind,
        end: src.len(),
    };
    let (nodes, stop) = parser.list()?;
    match stop {
        Stop::Eof => Ok(nodes),
        Stop::Else { pos, .. } | Stop::End(pos) => Err(Failure::new(
            pos,
            ErrorKind::Unexpected {
                found: if matches!(stop, Stop::End(_)) {
                    "{{ end }}".into()
                } else {
                    "{{ else }}".into()
                },
                context: "template without {{ if }}",
            },
        )),
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits `src` into text and lexed actions, applying trim markers and dropping comments.
fn split(src: &str) -> Result<Vec<Item>, Failure> {
    let mut items = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while let Some(found) = src[i..].find("{{") {
        let open = i + found;
        text.push_str(&src[i..open]);
        let mut inner = open + 2;
        let rest = &src[inner..];
        if rest.starts_with('-') && rest[1..].starts_with(is_space) {
            text.truncate(text.trim_end_matches(is_space).len());
            inner += 1;
        }
        if !text.is_empty() {
            items.push(Item::Text(std::mem::take(&mut text)));
        }
        let (tokens, close, trim) = lex_action(src, inner, open)?;
        if let Some(tokens) = tokens {
            items.push(Item::Action(Action { tokens, pos: open }));
        }
        i = close;
        if trim {
            i += src[i..].len() - src[i..].trim_start_matches(is_space).len();
        }
    }
    text.push_str(&src[i..]);
    if !text.is_empty() {
        items.push(Item::Text(text));
    }
    Ok(items)
}

/// Lexed action: its tokens (`None` for a comment), the offset just past `}}`, and whether
/// `-}}` trims the whitespace that follows.
type Lexed = (Option<Vec<Token>>, usize, bool);

/// Lexes the action starting at `start` (after `{{` and any trim marker).
fn lex_action(src: &str, start: usize, open: usize) -> Result<Lexed, Failure> {
    let mut tokens = Vec::new();
    let mut i = start;
    let after_space = |i: usize| src[..i].ends_with(is_space);
    let comment_start = i + src[i..].len() - src[i..].trim_start_matches(is_space).len();
    if src[comment_start..].starts_with("/*") {
        let body = comment_start + 2;
        let end = src[body..]
            .find("*/")
            .map(|e| body + e + 2)
            .ok_or_else(|| Failure::new(open, ErrorKind::UnclosedComment))?;
        let tail = &src[end..];
        let trimmed = tail.trim_start_matches(is_space);
        return if trimmed.starts_with("}}") {
            Ok((None, src.len() - trimmed.len() + 2, false))
        } else if trimmed.starts_with("-}}") && trimmed.len() < tail.len() {
            Ok((None, src.len() - trimmed.len() + 3, true))
        } else {
            Err(Failure::new(open, ErrorKind::UnclosedComment))
        };
    }
    loop {
        let rest = &src[i..];
        let Some(c) = rest.chars().next() else {
            return Err(Failure::new(open, ErrorKind::UnclosedAction));
        };
        if is_space(c) {
            i += 1;
            continue;
        }
        if rest.starts_with("}}") {
            return Ok((Some(tokens), i + 2, false));
        }
        if rest.starts_with("-}}") && after_space(i) {
            return Ok((Some(tokens), i + 3, true));
        }
        let pos = i;
        let (tok, len) = match c {
            '|' => (Tok::Pipe, 1),
            '(' => (Tok::Open, 1),
            ')' => (Tok::Close, 1),
            '"' | '`' => lex_string(rest, pos)?,
            '.' if !rest[1..].starts_with(|c: char| c.is_ascii_digit()) => lex_field(rest),
            '$' => {
                return Err(Failure::new(
                    pos,
                    ErrorKind::Unsupported("variables".into()),
                ))
            }
            '\'' => {
                return Err(Failure::new(
                    pos,
                    ErrorKind::Unsupported("character constants".into()),
                ))
            }
            c if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => lex_number(rest, pos)?,
            c if c.is_alphabetic() || c == '_' => {
                let len = word_len(rest);
                (Tok::Ident(rest[..len].to_owned()), len)
            }
            c => {
                return Err(Failure::new(
                    pos,
                    ErrorKind::Unexpected {
                        found: format!("{c:?}"),
                        context: "action",
                    },
                ))
            }
        };
        tokens.push(Token { tok, pos });
        i += len;
    }
}

fn word_len(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// `.` or a field chain `.A.B`.
fn lex_field(rest: &str) -> (Tok, usize) {
    let mut names = Vec::new();
    let mut len = 0;
    while rest[len..].starts_with('.') {
        let name_len = word_len(&rest[len + 1..]);
        if name_len == 0 {
            break;
        }
        names.push(rest[len + 1..len + 1 + name_len].to_owned());
        len += 1 + name_len;
    }
    if names.is_empty() {
        (Tok::Dot, 1)
    } else {
        (Tok::Field(names), len)
    }
}

fn lex_number(rest: &str, pos: usize) -> Result<(Tok, usize), Failure> {
    let mut len = 0;
    let mut prev = ' ';
    for c in rest.chars() {
        let sign_ok = len == 0 || matches!(prev, 'e' | 'E');
        if !(c.is_ascii_alphanumeric()
            || c == '.'
            || c == '_'
            || (sign_ok && matches!(c, '+' | '-')))
        {
            break;
        }
        prev = c;
        len += c.len_utf8();
    }
    let text = &rest[..len];
    let bad = || {
        Failure::new(
            pos,
            ErrorKind::BadLiteral(format!("number syntax: {text:?}")),
        )
    };
    let tok = if let Ok(n) = text.parse::<i64>() {
        Tok::Int(n)
    } else if text.contains(['.', 'e', 'E']) && !text.contains("0x") {
        Tok::Float(text.parse::<f64>().map_err(|_| bad())?)
    } else {
        return Err(bad());
    };
    Ok((tok, len))
}

/// A `"…"` string with Go escapes or a `` `…` `` raw string.
fn lex_string(rest: &str, pos: usize) -> Result<(Tok, usize), Failure> {
    let unterminated = || Failure::new(pos, ErrorKind::BadLiteral("unterminated string".into()));
    if let Some(raw) = rest.strip_prefix('`') {
        let end = raw.find('`').ok_or_else(unterminated)?;
        return Ok((Tok::Str(raw[..end].to_owned()), end + 2));
    }
    let mut out = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((Tok::Str(out), i + 1)),
            '\n' => break,
            '\\' => {
                let (_, e) = chars.next().ok_or_else(unterminated)?;
                let bad = |what: &str| {
                    Failure::new(
                        pos,
                        ErrorKind::BadLiteral(format!("escape sequence \\{what}")),
                    )
                };
                let simple = match e {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'v' => Some('\u{b}'),
                    '\\' | '"' => Some(e),
                    _ => None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    continue;
                }
                let (digits, radix) = match e {
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    '0'..='7' => (2, 8),
                    _ => return Err(bad(&e.to_string())),
                };
                let mut code = if radix == 8 {
                    e.to_digit(8).unwrap_or(0)
                } else {
                    0
                };
                for _ in 0..digits {
                    let (_, d) = chars.next().ok_or_else(unterminated)?;
                    code = code * radix + d.to_digit(radix).ok_or_else(|| bad(&e.to_string()))?;
                }
                out.push(char::from_u32(code).ok_or_else(|| bad(&e.to_string()))?);
            }
            c => out.push(c),
        }
    }
    Err(unterminated())
}

/// Why [`Parser::list`] stopped.
enum Stop {
    Eof,
    End(usize),
    /// `{{ else }}` (`cond` is `None`) or `{{ else if cond }}`.
    Else {
        pos: usize,
        cond: Option<Pipeline>,
    },
}

struct Parser {
    items: std::vec::IntoIter<Item>,
    kind: Kind,
    end: usize,
}

impl Parser {
    /// Nodes up to the end of the template or the next `{{ else }}` / `{{ end }}`.
    fn list(&mut self) -> Result<(Vec<Node>, Stop), Failure> {
        let mut nodes = Vec::new();
        while let Some(item) = self.items.next() {
            let action = match item {
                Item::Text(text) => {
                    nodes.push(Node::Text(text));
                    continue;
                }
                Item::Action(action) => action,
            };
            let (keyword, rest) = match action.tokens.split_first() {
                Some((
                    Token {
                        tok: Tok::Ident(word),
                        ..
                    },
                    rest,
                )) => (word.as_str(), rest),
                _ => ("", &[][..]),
            };
            match keyword {
                "if" => nodes.push(self.if_node(self.pipeline_of(rest, action.pos)?)?),
                "range" => nodes.push(self.range_node(self.pipeline_of(rest, action.pos)?)?),
                "end" => {
                    self.expect_empty(rest, "{{ end }}")?;
                    return Ok((nodes, Stop::End(action.pos)));
                }
                "else" => {
                    let cond = match rest.first().map(|t| &t.tok) {
                        Some(Tok::Ident(word)) if word == "if" => {
                            Some(self.pipeline_of(&rest[1..], action.pos)?)
                        }
                        _ => {
                            self.expect_empty(rest, "{{ else }}")?;
                            None
                        }
                    };
                    return Ok((
                        nodes,
                        Stop::Else {
                            pos: action.pos,
                            cond,
                        },
                    ));
                }
                _ => nodes.push(Node::Action(self.pipeline_of(&action.tokens, action.pos)?)),
            }
        }
        Ok((nodes, Stop::Eof))
    }

    /// The rest of an `if` whose first condition is `cond`, through its `{{ end }}`.
    fn if_node(&mut self, cond: Pipeline) -> Result<Node, Failure> {
        let mut branches = Vec::new();
        let mut cond = cond;
        loop {
            let (body, stop) = self.list()?;
            branches.push((cond, body));
            match stop {
                Stop::End(_) => {
                    return Ok(Node::If {
                        branches,
                        otherwise: Vec::new(),
                    })
                }
                Stop::Else {
                    cond: Some(next), ..
                } => cond = next,
                Stop::Else { cond: None, .. } => {
                    let (otherwise, stop) = self.list()?;
                    return match stop {
                        Stop::End(_) => Ok(Node::If {
                            branches,
                            otherwise,
                        }),
                        Stop::Else { pos, .. } => Err(else_after_else(pos)),
                        Stop::Eof => Err(Failure::new(self.end, ErrorKind::MissingEnd("if"))),
                    };
                }
                Stop::Eof => return Err(Failure::new(self.end, ErrorKind::MissingEnd("if"))),
            }
        }
    }

    /// The rest of a `range` over `over`, through its `{{ end }}`.
    fn range_node(&mut self, over: Pipeline) -> Result<Node, Failure> {
        let (body, stop) = self.list()?;
        let otherwise = match stop {
            Stop::End(_) => Vec::new(),
            Stop::Else { cond: None, .. } => match self.list()? {
                (otherwise, Stop::End(_)) => otherwise,
                (_, Stop::Else { pos, .. }) => return Err(else_after_else(pos)),
                (_, Stop::Eof) => {
                    return Err(Failure::new(self.end, ErrorKind::MissingEnd("range")))
                }
            },
            Stop::Else { pos, cond: Some(_) } => {
                return Err(Failure::new(
                    pos,
                    ErrorKind::Unexpected {
                        found: "{{ else if }}".into(),
                        context: "{{ range }}",
                    },
                ))
            }
            Stop::Eof => return Err(Failure::new(self.end, ErrorKind::MissingEnd("range"))),
        };
        Ok(Node::Range {
            over,
            body,
            otherwise,
        })
    }

    fn expect_empty(&self, rest: &[Token], context: &'static str) -> Result<(), Failure> {
        match rest.first() {
            None => Ok(()),
            Some(t) => Err(unexpected(t, context)),
        }
    }

    /// A whole pipeline from the tokens of one action.
    fn pipeline_of(&self, tokens: &[Token], pos: usize) -> Result<Pipeline, Failure> {
        let mut cursor = Cursor { tokens, next: 0 };
        let pipeline = self.pipeline(&mut cursor, pos)?;
        match cursor.peek() {
            None => Ok(pipeline),
            Some(t) => Err(unexpected(t, "pipeline")),
        }
    }

    /// Commands separated by `|` up to the end of the tokens or a `)`.
    fn pipeline(&self, cursor: &mut Cursor<'_>, pos: usize) -> Result<Pipeline, Failure> {
        let mut commands = Vec::new();
        loop {
            let command = self.command(cursor, pos)?;
            if !commands.is_empty() && matches!(command, Command::Operand(_)) {
                return Err(Failure::new(
                    pos,
                    ErrorKind::Unexpected {
                        found: "non-function".into(),
                        context: "pipeline stage after \"|\"",
                    },
                ));
            }
            commands.push(command);
            if !cursor.eat(&Tok::Pipe) {
                return Ok(Pipeline { commands, pos });
            }
        }
    }

    fn command(&self, cursor: &mut Cursor<'_>, pos: usize) -> Result<Command, Failure> {
        let mut terms = Vec::new();
        while let Some(token) = cursor.peek() {
            if matches!(token.tok, Tok::Pipe | Tok::Close) {
                break;
            }
            cursor.next += 1;
            terms.push((self.term(token, cursor)?, token.pos));
        }
        let mut terms = terms.into_iter();
        match terms.next() {
            None => Err(match cursor.peek() {
                Some(t) => unexpected(t, "command"),
                None => Failure::new(
                    pos,
                    ErrorKind::Unexpected {
                        found: "end of action".into(),
                        context: "command",
                    },
                ),
            }),
            Some((Term::Func(func, pos), _)) => Ok(Command::Call {
                func,
                args: terms.map(|(t, _)| t).collect(),
                pos,
            }),
            Some((Term::Nil, pos)) => Err(Failure::new(
                pos,
                ErrorKind::Unexpected {
                    found: "nil".into(),
                    context: "command position",
                },
            )),
            Some((operand, _)) => match terms.next() {
                None => Ok(Command::Operand(operand)),
                Some((_, pos)) => Err(Failure::new(
                    pos,
                    ErrorKind::Unexpected {
                        found: "argument".into(),
                        context: "command that is not a function",
                    },
                )),
            },
        }
    }

    fn term(&self, token: &Token, cursor: &mut Cursor<'_>) -> Result<Term, Failure> {
        Ok(match &token.tok {
            Tok::Dot => Term::Dot,
            Tok::Field(names) => Term::Field(names.clone(), token.pos),
            Tok::Str(s) => Term::Str(s.clone()),
            Tok::Int(n) => Term::Int(*n),
            Tok::Float(x) => Term::Float(*x),
            Tok::Open => {
                let inner = self.pipeline(cursor, token.pos)?;
                if !cursor.eat(&Tok::Close) {
                    return Err(Failure::new(
                        token.pos,
                        ErrorKind::Unexpected {
                            found: "unclosed \"(\"".into(),
                            context: "pipeline",
                        },
                    ));
                }
                Term::Pipeline(Box::new(inner))
            }
            Tok::Ident(word) => match word.as_str() {
                "true" => Term::Bool(true),
                "false" => Term::Bool(false),
                "nil" => Term::Nil,
                word if UNSUPPORTED.contains(&word) => {
                    return Err(Failure::new(
                        token.pos,
                        ErrorKind::Unsupported(format!("{word:?}")),
                    ))
                }
                word => match Func::lookup(word, self.kind) {
                    Some(func) => Term::Func(func, token.pos),
                    None => {
                        return Err(Failure::new(
                            token.pos,
                            ErrorKind::UnknownFunction(word.to_owned()),
                        ))
                    }
                },
            },
            Tok::Pipe | Tok::Close => return Err(unexpected(token, "operand")),
        })
    }
}

/// A second `{{ else }}` in one `if` or `range`.
fn else_after_else(pos: usize) -> Failure {
    Failure::new(
        pos,
        ErrorKind::Unexpected {
            found: "{{ else }}".into(),
            context: "{{ else }} branch",
        },
    )
}

fn unexpected(token: &Token, context: &'static str) -> Failure {
    Failure::new(
        token.pos,
        ErrorKind::Unexpected {
            found: token.tok.describe(),
            context,
        },
    )
}

struct Cursor<'t> {
    tokens: &'t [Token],
    next: usize,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.next)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let hit = self.peek().is_some_and(|t| &t.tok == tok);
        if hit {
            self.next += 1;
        }
        hit
    }
}
