//! Lexed items to the syntax tree of [`tree`](super::tree), checking what Go's parser
//! checks: known functions, declared variables, `break`/`continue` only inside `range`,
//! `define` only at the top level, executable pipeline stages, and (in HTML templates)
//! `html`/`urlquery` only as the last command of a printed pipeline.

use std::collections::HashMap;

use super::funcs::Func;
use super::lex::{self, Item, Keyword, Tok, Token};
use super::number::parse_number;
use super::tree::{Branch, Command, Node, Pipeline, Range, Term};
use super::{ErrorKind, Failure, Kind};

/// How deeply control structures and parentheses may nest, so that parsing and
/// executing stay well within a thread's stack.
const MAX_NESTING: usize = 100;

/// A parsed template: its main nodes and the templates it defines.
#[derive(Debug, Clone, Default)]
pub(super) struct Parsed {
    pub(super) main: Vec<Node>,
    pub(super) defines: HashMap<String, Vec<Node>>,
}

/// Parses a whole template.
pub(super) fn parse(src: &str, kind: Kind) -> Result<Parsed, Failure> {
    let mut parser = Parser {
        items: lex::lex(src)?.into_iter(),
        kind,
        end: src.len(),
        vars: vec!["$".to_owned()],
        ranges: 0,
        nesting: 0,
        defines: HashMap::new(),
    };
    let (main, stop) = parser.list(true)?;
    match stop {
        Stop::Eof => Ok(Parsed {
            main,
            defines: parser.defines,
        }),
        Stop::End(pos) => Err(unexpected_at(pos, "{{ end }}", "the template")),
        Stop::Else { pos, .. } => Err(unexpected_at(pos, "{{ else }}", "the template")),
    }
}

/// Why [`Parser::list`] stopped.
enum Stop {
    Eof,
    End(usize),
    /// `{{ else }}`, or `{{ else if p }}` / `{{ else with p }}` with the keyword.
    Else {
        pos: usize,
        chain: Option<(Keyword, Pipeline)>,
    },
}

struct Parser {
    items: std::vec::IntoIter<Item>,
    kind: Kind,
    end: usize,
    /// Variables in scope, innermost last.
    vars: Vec<String>,
    /// How many `range`s enclose the current position.
    ranges: usize,
    /// How many control structures and parentheses enclose the current position.
    nesting: usize,
    defines: HashMap<String, Vec<Node>>,
}

impl Parser {
    /// Nodes up to the end of the template or the next `{{ else }}` / `{{ end }}`;
    /// `top` allows `{{ define }}`.
    fn list(&mut self, top: bool) -> Result<(Vec<Node>, Stop), Failure> {
        self.nesting += 1;
        let result = self.nodes(top);
        self.nesting -= 1;
        result
    }

    fn nodes(&mut self, top: bool) -> Result<(Vec<Node>, Stop), Failure> {
        let mut nodes = Vec::new();
        while let Some(item) = self.items.next() {
            let (pos, tokens) = match item {
                Item::Text(text) => {
                    nodes.push(Node::Text(text));
                    continue;
                }
                Item::Action { pos, tokens } => (pos, tokens),
            };
            if self.nesting > MAX_NESTING {
                return Err(Failure::new(pos, ErrorKind::TooDeep(MAX_NESTING)));
            }
            let mut cursor = Cursor::new(&tokens, pos);
            let keyword = match cursor.peek().map(|t| &t.tok) {
                Some(Tok::Keyword(k)) => Some(*k),
                _ => None,
            };
            if keyword.is_some() {
                cursor.next();
            }
            match keyword {
                None => {
                    let pipeline = self.pipeline(&mut cursor, pos, "command")?;
                    cursor.expect_end("command")?;
                    self.check_escapers(&pipeline)?;
                    nodes.push(Node::Action(pipeline));
                }
                Some(Keyword::End) => {
                    cursor.expect_end("end")?;
                    return Ok((nodes, Stop::End(pos)));
                }
                Some(Keyword::Else) => {
                    let chain = match cursor.peek().map(|t| &t.tok) {
                        Some(Tok::Keyword(k @ (Keyword::If | Keyword::With))) => {
                            let k = *k;
                            cursor.next();
                            let pipeline = self.pipeline(&mut cursor, pos, k.name())?;
                            Some((k, pipeline))
                        }
                        _ => None,
                    };
                    cursor.expect_end("else")?;
                    return Ok((nodes, Stop::Else { pos, chain }));
                }
                Some(k @ (Keyword::If | Keyword::With)) => {
                    let mark = self.vars.len();
                    let cond = self.pipeline(&mut cursor, pos, k.name())?;
                    cursor.expect_end(k.name())?;
                    let node = self.branch(k == Keyword::With, cond);
                    self.vars.truncate(mark);
                    nodes.push(node?);
                }
                Some(Keyword::Range) => {
                    let mark = self.vars.len();
                    let over = self.pipeline(&mut cursor, pos, "range")?;
                    cursor.expect_end("range")?;
                    self.ranges += 1;
                    let node = self.range(over);
                    self.ranges -= 1;
                    self.vars.truncate(mark);
                    nodes.push(node?);
                }
                Some(Keyword::Template) => {
                    let name = cursor.name("template clause")?;
                    let pipeline = match cursor.peek() {
                        None => None,
                        Some(_) => Some(self.pipeline(&mut cursor, pos, "template clause")?),
                    };
                    cursor.expect_end("template clause")?;
                    nodes.push(Node::Call {
                        name,
                        pipeline,
                        pos,
                    });
                }
                Some(Keyword::Block) => {
                    let name = cursor.name("block clause")?;
                    let pipeline = self.pipeline(&mut cursor, pos, "block clause")?;
                    cursor.expect_end("block clause")?;
                    self.define(name.clone(), pos)?;
                    nodes.push(Node::Call {
                        name,
                        pipeline: Some(pipeline),
                        pos,
                    });
                }
                Some(Keyword::Define) if top => {
                    let name = cursor.name("define clause")?;
                    cursor.expect_end("define clause")?;
                    self.define(name, pos)?;
                }
                Some(k @ (Keyword::Break | Keyword::Continue)) => {
                    if self.ranges == 0 {
                        return Err(Failure::new(pos, ErrorKind::OutsideRange(k.name())));
                    }
                    cursor.expect_end(k.name())?;
                    nodes.push(match k {
                        Keyword::Break => Node::Break,
                        _ => Node::Continue,
                    });
                }
                Some(k) => return Err(unexpected_at(pos, &format!("<{}>", k.name()), "command")),
            }
        }
        Ok((nodes, Stop::Eof))
    }

    /// The body of a `define` or `block` through its `{{ end }}`, with a fresh variable
    /// scope, stored under `name`.
    fn define(&mut self, name: String, pos: usize) -> Result<(), Failure> {
        let outer = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
        let ranges = std::mem::take(&mut self.ranges);
        let result = self.list(false);
        self.vars = outer;
        self.ranges = ranges;
        let body = match result? {
            (body, Stop::End(_)) => body,
            (_, Stop::Else { pos, .. }) => return Err(unexpected_at(pos, "{{ else }}", "define")),
            (_, Stop::Eof) => return Err(Failure::new(self.end, ErrorKind::MissingEnd("define"))),
        };
        match self.defines.get(&name) {
            Some(old) if !is_blank(old) && !is_blank(&body) => {
                Err(Failure::new(pos, ErrorKind::Redefined(name)))
            }
            Some(old) if is_blank(&body) && !is_blank(old) => Ok(()),
            _ => {
                self.defines.insert(name, body);
                Ok(())
            }
        }
    }

    /// The rest of an `if` or `with` whose first condition is `cond`, through its
    /// `{{ end }}`.
    fn branch(&mut self, with: bool, cond: Pipeline) -> Result<Node, Failure> {
        let context = if with { "with" } else { "if" };
        let mut arms = Vec::new();
        let mut cond = cond;
        loop {
            let (body, stop) = self.list(false)?;
            arms.push((cond, body));
            match stop {
                Stop::End(_) => break,
                Stop::Else {
                    chain: Some((k, next)),
                    pos,
                } => {
                    if (k == Keyword::With) != with {
                        return Err(unexpected_at(
                            pos,
                            &format!("{{{{ else {} }}}}", k.name()),
                            context,
                        ));
                    }
                    cond = next;
                }
                Stop::Else { chain: None, .. } => {
                    return match self.list(false)? {
                        (otherwise, Stop::End(_)) => Ok(Node::Branch(Branch {
                            with,
                            arms,
                            otherwise,
                        })),
                        (_, Stop::Else { pos, .. }) => Err(else_after_else(pos)),
                        (_, Stop::Eof) => {
                            Err(Failure::new(self.end, ErrorKind::MissingEnd(context)))
                        }
                    };
                }
                Stop::Eof => return Err(Failure::new(self.end, ErrorKind::MissingEnd(context))),
            }
        }
        Ok(Node::Branch(Branch {
            with,
            arms,
            otherwise: Vec::new(),
        }))
    }

    /// The rest of a `range` over `over`, through its `{{ end }}`.
    fn range(&mut self, over: Pipeline) -> Result<Node, Failure> {
        let (body, stop) = self.list(false)?;
        let otherwise = match stop {
            Stop::End(_) => Vec::new(),
            Stop::Else { chain: None, .. } => {
                self.ranges -= 1;
                let rest = self.list(false);
                self.ranges += 1;
                match rest? {
                    (otherwise, Stop::End(_)) => otherwise,
                    (_, Stop::Else { pos, .. }) => return Err(else_after_else(pos)),
                    (_, Stop::Eof) => {
                        return Err(Failure::new(self.end, ErrorKind::MissingEnd("range")))
                    }
                }
            }
            Stop::Else {
                pos,
                chain: Some((k, _)),
            } => {
                return Err(unexpected_at(
                    pos,
                    &format!("{{{{ else {} }}}}", k.name()),
                    "range",
                ))
            }
            Stop::Eof => return Err(Failure::new(self.end, ErrorKind::MissingEnd("range"))),
        };
        Ok(Node::Range(Range {
            over,
            body,
            otherwise,
        }))
    }

    /// A pipeline up to the end of the action or a `)`, with its declarations.
    fn pipeline(
        &mut self,
        cursor: &mut Cursor<'_>,
        pos: usize,
        context: &'static str,
    ) -> Result<Pipeline, Failure> {
        let (decl, assign) = self.declarations(cursor, context)?;
        let mut commands = Vec::new();
        loop {
            commands.push(self.command(cursor, context)?);
            if !cursor.eat(&Tok::Pipe) {
                break;
            }
        }
        for (stage, command) in commands.iter().enumerate().skip(1) {
            if matches!(
                command.args.first(),
                Some(Term::Bool(_) | Term::Dot | Term::Nil | Term::Number(_) | Term::Str(_))
            ) {
                return Err(Failure::new(
                    command.pos,
                    ErrorKind::NotExecutable(stage + 1),
                ));
            }
        }
        if !assign {
            self.vars.extend(decl.iter().cloned());
        }
        Ok(Pipeline {
            decl,
            assign,
            commands,
            pos,
        })
    }

    /// `$x :=`, `$x =` or (in a range) `$i, $v :=` at the start of a pipeline.
    fn declarations(
        &mut self,
        cursor: &mut Cursor<'_>,
        context: &'static str,
    ) -> Result<(Vec<String>, bool), Failure> {
        let mut decl = Vec::new();
        while let (Some(Tok::Var(name)), Some(next)) =
            (cursor.peek().map(|t| &t.tok), cursor.peek_at(1))
        {
            match next.tok {
                Tok::Declare | Tok::Assign => {
                    let assign = next.tok == Tok::Assign;
                    if assign && !self.vars.contains(name) {
                        return Err(Failure::new(
                            next.pos,
                            ErrorKind::UndefinedVariable(name.clone()),
                        ));
                    }
                    decl.push(name.clone());
                    cursor.skip(2);
                    return Ok((decl, assign));
                }
                Tok::Comma if context == "range" && decl.is_empty() => {
                    decl.push(name.clone());
                    cursor.skip(2);
                    if !matches!(cursor.peek().map(|t| &t.tok), Some(Tok::Var(_))) {
                        return Err(Failure::new(next.pos, ErrorKind::RangeDeclarations));
                    }
                }
                Tok::Comma => {
                    return Err(Failure::new(
                        next.pos,
                        ErrorKind::TooManyDeclarations(context),
                    ))
                }
                _ => break,
            }
        }
        if !decl.is_empty() {
            return Err(Failure::new(cursor.pos(), ErrorKind::RangeDeclarations));
        }
        Ok((decl, false))
    }

    /// Operands up to a `|`, `)` or the end of the action.
    fn command(
        &mut self,
        cursor: &mut Cursor<'_>,
        context: &'static str,
    ) -> Result<Command, Failure> {
        let pos = cursor.pos();
        let mut args = Vec::new();
        while let Some(token) = cursor.peek() {
            if matches!(token.tok, Tok::Pipe | Tok::Close) {
                break;
            }
            args.push(self.operand(cursor)?);
        }
        if args.is_empty() {
            return Err(match cursor.peek() {
                Some(token) => unexpected(token, "command"),
                None => Failure::new(pos, ErrorKind::MissingValue(context)),
            });
        }
        Ok(Command { args, pos })
    }

    /// A term and the field names written right after it (`$x.A`, `(p).A`).
    fn operand(&mut self, cursor: &mut Cursor<'_>) -> Result<Term, Failure> {
        let Some(token) = cursor.next() else {
            return Err(Failure::new(
                cursor.pos(),
                ErrorKind::MissingValue("command"),
            ));
        };
        let pos = token.pos;
        let term = match &token.tok {
            Tok::Dot => Term::Dot,
            Tok::Nil => Term::Nil,
            Tok::Bool(b) => Term::Bool(*b),
            Tok::Str(s) => Term::Str(s.clone()),
            Tok::Number(text) => Term::Number(Box::new(
                parse_number(text, pos).map_err(|kind| Failure::new(pos, kind))?,
            )),
            Tok::Char(c, text) => Term::Number(Box::new(super::number::char_number(*c, text, pos))),
            Tok::Field(name) => Term::Field(vec![name.clone()], pos),
            Tok::Var(name) => {
                if !self.vars.contains(name) {
                    return Err(Failure::new(
                        pos,
                        ErrorKind::UndefinedVariable(name.clone()),
                    ));
                }
                Term::Var(name.clone(), Vec::new(), pos)
            }
            Tok::Ident(name) => match Func::lookup(name, self.kind) {
                Some(func) => Term::Func(func, pos),
                None => return Err(Failure::new(pos, ErrorKind::UnknownFunction(name.clone()))),
            },
            Tok::Open => {
                if self.nesting >= MAX_NESTING {
                    return Err(Failure::new(pos, ErrorKind::TooDeep(MAX_NESTING)));
                }
                self.nesting += 1;
                let inner = self.pipeline(cursor, pos, "parenthesized pipeline");
                self.nesting -= 1;
                let inner = inner?;
                if !cursor.eat(&Tok::Close) {
                    return Err(Failure::new(pos, ErrorKind::UnclosedParen));
                }
                Term::Pipeline(Box::new(inner))
            }
            _ => return Err(unexpected(token, "operand")),
        };
        let mut names = Vec::new();
        while let Some(Token {
            tok: Tok::Field(name),
            spaced: false,
            ..
        }) = cursor.peek()
        {
            names.push(name.clone());
            cursor.next();
        }
        if names.is_empty() {
            return Ok(term);
        }
        Ok(match term {
            Term::Field(mut first, pos) => {
                first.extend(names);
                Term::Field(first, pos)
            }
            Term::Var(name, _, pos) => Term::Var(name, names, pos),
            Term::Pipeline(_) | Term::Func(..) => Term::Chain(Box::new(term), names, pos),
            other => {
                return Err(Failure::new(
                    pos,
                    ErrorKind::FieldAfterTerm(other.describe()),
                ))
            }
        })
    }

    /// In HTML templates, `html` and `urlquery` may only end a printed pipeline.
    fn check_escapers(&self, pipeline: &Pipeline) -> Result<(), Failure> {
        if self.kind != Kind::Html {
            return Ok(());
        }
        let last = pipeline.commands.len().saturating_sub(1);
        for command in &pipeline.commands[..last] {
            if let Some(Term::Func(func @ (Func::Html | Func::UrlQuery), pos)) =
                command.args.first()
            {
                return Err(Failure::new(
                    *pos,
                    ErrorKind::PredefinedEscaper(func.name()),
                ));
            }
        }
        Ok(())
    }
}

/// Whether a template body is only whitespace (Go lets such a definition be replaced).
fn is_blank(nodes: &[Node]) -> bool {
    nodes
        .iter()
        .all(|node| matches!(node, Node::Text(t) if t.trim().is_empty()))
}

/// A second `{{ else }}` in one `if`, `with` or `range`.
fn else_after_else(pos: usize) -> Failure {
    unexpected_at(pos, "{{ else }}", "{{ else }} branch")
}

fn unexpected_at(pos: usize, found: &str, context: &str) -> Failure {
    Failure::new(
        pos,
        ErrorKind::Unexpected {
            found: found.to_owned(),
            context: context.to_owned(),
        },
    )
}

fn unexpected(token: &Token, context: &str) -> Failure {
    unexpected_at(token.pos, &token.tok.describe(), context)
}

/// Reads the tokens of one action.
struct Cursor<'t> {
    tokens: &'t [Token],
    next: usize,
    /// Offset of the action, reported when the tokens run out.
    action: usize,
}

impl<'t> Cursor<'t> {
    fn new(tokens: &'t [Token], action: usize) -> Self {
        Cursor {
            tokens,
            next: 0,
            action,
        }
    }

    fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.next)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'t Token> {
        self.tokens.get(self.next + ahead)
    }

    fn next(&mut self) -> Option<&'t Token> {
        let token = self.peek();
        self.next += usize::from(token.is_some());
        token
    }

    fn skip(&mut self, n: usize) {
        self.next = (self.next + n).min(self.tokens.len());
    }

    /// Offset of the next token, or of the action when none is left.
    fn pos(&self) -> usize {
        self.peek().map_or(self.action, |t| t.pos)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let hit = self.peek().is_some_and(|t| &t.tok == tok);
        self.next += usize::from(hit);
        hit
    }

    /// The action must end here.
    fn expect_end(&self, context: &str) -> Result<(), Failure> {
        match self.peek() {
            None => Ok(()),
            Some(token) => Err(unexpected(token, context)),
        }
    }

    /// The quoted name of a `template`, `block` or `define`.
    fn name(&mut self, context: &str) -> Result<String, Failure> {
        match self.next() {
            Some(Token {
                tok: Tok::Str(name),
                ..
            }) => Ok(name.clone()),
            Some(token) => Err(unexpected(token, context)),
            None => Err(unexpected_at(self.action, "end of action", context)),
        }
    }
}
