//! The InfluxQL of a `query()` node: checked once when the task starts, and rewritten
//! for each run with the run's time range, the node's `GROUP BY` and `fill(…)`, as
//! Kapacitor does (spec kapacitor-compat.md (nodes), `query`).
//!
//! This is not an InfluxQL parser: InfluxDB parses the statement. It is a lexer that
//! knows InfluxQL's quoting (`'string'`, `"identifier"`, `/regex/`) and parentheses, so
//! that it can count statements, see the leading keyword and find the top-level
//! `WHERE`, `GROUP BY`, `fill(…)` and trailing clauses to splice the run's into.

/// Why a query cannot be scheduled: Kapacitor's start-time messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InfluxQlError {
    /// The text does not lex, or a statement does not start like one.
    #[error("failed to parse InfluxQL query: {0}")]
    Parse(String),
    /// More (or fewer) than one statement.
    #[error("query must be a single select statement, got {0} statements")]
    Statements(usize),
    /// One statement, but not a `SELECT`.
    #[error("query is not a select statement {0:?}")]
    NotSelect(String),
}

/// The keywords an InfluxQL statement may start with, in InfluxQL's error order.
const STATEMENTS: &[&str] = &[
    "SELECT", "DELETE", "SHOW", "CREATE", "DROP", "EXPLAIN", "GRANT", "REVOKE", "ALTER", "SET",
    "KILL",
];

/// Clauses that follow `GROUP BY` and `fill(…)` in a `SELECT`, which a run keeps after them.
const TRAILING: &[&str] = &["ORDER", "LIMIT", "OFFSET", "SLIMIT", "SOFFSET", "TZ"];

/// One token: a word (keyword or bare identifier) or a single punctuation byte, with
/// its byte span; quoted strings, identifiers and regexes are skipped as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token {
    start: usize,
    end: usize,
    kind: TokenKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Word,
    Quoted,
    Punct(u8),
}

/// A checked `SELECT` and where its clauses are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Select {
    text: String,
    /// Where the `WHERE` keyword starts, or the end of the `FROM` clause.
    where_start: usize,
    /// The condition's span, when there is a `WHERE`.
    condition: Option<(usize, usize)>,
    /// The span of the statement's own `GROUP BY …`, without `fill`.
    group_by: Option<(usize, usize)>,
    /// The span of its own `fill(…)`.
    fill: Option<(usize, usize)>,
    /// Where the trailing clauses (`ORDER BY`, `LIMIT`, …) start.
    trailing: usize,
}

/// What a run adds to the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run<'a> {
    /// `time >= start`.
    pub start: tickflow_model::Time,
    /// `time < stop`.
    pub stop: tickflow_model::Time,
    /// The `GROUP BY` dimensions (`time(1m)`, `"host"`), none to keep the statement's.
    pub group_by: &'a [String],
    /// The `fill(…)` argument, none to keep the statement's.
    pub fill: Option<&'a str>,
}

impl Select {
    /// Checks that `query` is exactly one `SELECT … FROM …` statement.
    pub(crate) fn parse(query: &str) -> Result<Select, InfluxQlError> {
        let tokens = lex(query)?;
        let statements = split_statements(&tokens);
        let Some(first) = statements.first() else {
            return Err(InfluxQlError::Parse(format!(
                "found EOF, expected {} at line 1, char {}",
                STATEMENTS.join(", "),
                query.len() + 1
            )));
        };
        for statement in &statements {
            leading_keyword(query, statement)?;
        }
        if statements.len() != 1 {
            return Err(InfluxQlError::Statements(statements.len()));
        }
        if !leading_keyword(query, first)?.eq_ignore_ascii_case("SELECT") {
            return Err(InfluxQlError::NotSelect(query.to_string()));
        }
        clauses(query, first)
    }

    /// Whether the statement or the run groups by time.
    pub(crate) fn groups_by_time(&self, run_group_by: &[String]) -> bool {
        // The statement's own clause without its `GROUP BY` keywords.
        let own = self.group_by.map(|(s, e)| {
            let clause = self.text[s..e].trim_start();
            let rest = clause.get(5..).unwrap_or("").trim_start();
            rest.get(2..).unwrap_or("")
        });
        let by_time = |d: &str| d.trim_start().to_ascii_lowercase().starts_with("time(");
        if run_group_by.is_empty() {
            own.is_some_and(|g| g.split(',').any(by_time))
        } else {
            run_group_by.iter().any(|d| by_time(d))
        }
    }

    /// The statement for one run, e.g. `SELECT mean(v) FROM m WHERE (host = 'a') AND
    /// time >= '…' AND time < '…' GROUP BY time(1m), "host" fill(none)`.
    pub(crate) fn render(&self, run: &Run<'_>) -> String {
        let text = &self.text;
        let mut out = text[..self.where_start].trim_end().to_string();
        out.push_str(" WHERE ");
        if let Some((s, e)) = self.condition {
            out.push('(');
            out.push_str(text[s..e].trim());
            out.push_str(") AND ");
        }
        out.push_str(&format!(
            "time >= '{}' AND time < '{}'",
            run.start.to_rfc3339(),
            run.stop.to_rfc3339()
        ));
        if !run.group_by.is_empty() {
            out.push_str(" GROUP BY ");
            out.push_str(&run.group_by.join(", "));
        } else if let Some((s, e)) = self.group_by {
            out.push(' ');
            out.push_str(text[s..e].trim());
        }
        match (run.fill, self.fill) {
            (Some(fill), _) => out.push_str(&format!(" fill({fill})")),
            (None, Some((s, e))) => {
                out.push(' ');
                out.push_str(&text[s..e]);
            }
            (None, None) => {}
        }
        let trailing = text[self.trailing..].trim();
        if !trailing.is_empty() {
            out.push(' ');
            out.push_str(trailing.trim_end_matches(';').trim_end());
        }
        out
    }
}

/// Splits the tokens at top-level `;`, dropping empty statements.
fn split_statements(tokens: &[Token]) -> Vec<&[Token]> {
    tokens
        .split(|t| t.kind == TokenKind::Punct(b';'))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The word a statement starts with, which must be one InfluxQL knows.
fn leading_keyword<'q>(query: &'q str, statement: &[Token]) -> Result<&'q str, InfluxQlError> {
    let first = statement[0];
    let word = &query[first.start..first.end];
    let known =
        first.kind == TokenKind::Word && STATEMENTS.iter().any(|k| k.eq_ignore_ascii_case(word));
    if known {
        return Ok(word);
    }
    Err(InfluxQlError::Parse(format!(
        "found {word}, expected {} at line 1, char {}",
        STATEMENTS.join(", "),
        first.start + 1
    )))
}

/// Finds the top-level clauses of a `SELECT` statement's tokens.
fn clauses(query: &str, tokens: &[Token]) -> Result<Select, InfluxQlError> {
    let end = tokens.last().map_or(query.len(), |t| t.end);
    let mut depth = 0usize;
    let mut from = None;
    let mut where_kw = None;
    let mut group_by = None;
    let mut fill = None;
    let mut trailing = None;
    let word = |t: &Token, k: &str| {
        t.kind == TokenKind::Word && query[t.start..t.end].eq_ignore_ascii_case(k)
    };
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Punct(b'(') => depth += 1,
            TokenKind::Punct(b')') => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            _ if word(token, "FROM") && from.is_none() => from = Some(i),
            _ if word(token, "WHERE") && where_kw.is_none() => where_kw = Some(i),
            _ if word(token, "GROUP") && group_by.is_none() => group_by = Some(i),
            _ if word(token, "FILL") && fill.is_none() => fill = Some(i),
            _ if trailing.is_none() && TRAILING.iter().any(|k| word(token, k)) => {
                trailing = Some(i)
            }
            _ => {}
        }
    }
    let Some(from) = from else {
        return Err(InfluxQlError::Parse(format!(
            "found EOF, expected FROM at line 1, char {}",
            end + 1
        )));
    };
    if from + 1 >= tokens.len() || Some(from + 1) == where_kw {
        return Err(InfluxQlError::Parse(format!(
            "found EOF, expected identifier at line 1, char {}",
            end + 1
        )));
    }
    let start_of = |i: Option<usize>| i.map(|i| tokens[i].start);
    let trailing_start = start_of(trailing).unwrap_or(end);
    let fill_start = start_of(fill);
    let group_start = start_of(group_by);
    let after_where = [group_start, fill_start, Some(trailing_start)]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(end);
    let where_start = start_of(where_kw).unwrap_or(after_where);
    let condition = where_kw.map(|i| (tokens[i].end, after_where));
    let group_by = group_start.map(|s| (s, fill_start.unwrap_or(trailing_start).max(s)));
    let fill = fill.map(|i| {
        (
            tokens[i].start,
            fill_end(tokens, i).unwrap_or(trailing_start),
        )
    });
    Ok(Select {
        text: query[..end].to_string(),
        where_start,
        condition,
        group_by,
        fill,
        trailing: trailing_start,
    })
}

/// The end of `fill(…)` whose `fill` keyword is token `i`.
fn fill_end(tokens: &[Token], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    for token in &tokens[i + 1..] {
        match token.kind {
            TokenKind::Punct(b'(') => depth += 1,
            TokenKind::Punct(b')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(token.end);
                }
            }
            _ => {}
        }
    }
    None
}

/// Cuts `query` into tokens; an unterminated quote is a parse error.
fn lex(query: &str) -> Result<Vec<Token>, InfluxQlError> {
    let bytes = query.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |p| i + p);
                continue;
            }
            b'\'' | b'"' => {
                i = closing(bytes, i, b)?;
                TokenKind::Quoted
            }
            b'/' if regex_may_start(query, &tokens) => {
                i = closing(bytes, i, b'/')?;
                TokenKind::Quoted
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'.'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                TokenKind::Word
            }
            other => {
                i += 1;
                TokenKind::Punct(other)
            }
        };
        tokens.push(Token {
            start,
            end: i,
            kind,
        });
    }
    Ok(tokens)
}

/// The index after the quote closing the one at `open`, honouring backslash escapes.
fn closing(bytes: &[u8], open: usize, quote: u8) -> Result<usize, InfluxQlError> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Ok(i + 1),
            _ => i += 1,
        }
    }
    let what = if quote == b'/' { "regex" } else { "string" };
    Err(InfluxQlError::Parse(format!(
        "found unterminated {what}, expected expression at line 1, char {}",
        open + 1
    )))
}

/// Whether a `/` here opens a regex: after `=~`, `!~`, `FROM` or a `,` in `FROM`.
fn regex_may_start(query: &str, tokens: &[Token]) -> bool {
    let Some(last) = tokens.last() else {
        return false;
    };
    let text = &query[last.start..last.end];
    match last.kind {
        TokenKind::Punct(b'~') => true,
        TokenKind::Word => text.eq_ignore_ascii_case("FROM"),
        TokenKind::Punct(b',') => tokens
            .iter()
            .rev()
            .find(|t| t.kind == TokenKind::Word && !query[t.start..t.end].contains('.'))
            .is_some_and(|t| query[t.start..t.end].eq_ignore_ascii_case("FROM")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::Time;

    use super::*;

    const S: i64 = 1_000_000_000;

    fn run<'a>(group_by: &'a [String], fill: Option<&'a str>) -> Run<'a> {
        Run {
            start: Time::from_nanos(0),
            stop: Time::from_nanos(60 * S),
            group_by,
            fill,
        }
    }

    #[test]
    fn a_run_adds_its_time_range_group_by_and_fill() {
        let select = Select::parse(
            r#"SELECT mean("usage") FROM "telegraf"."autogen".cpu WHERE cpu = 'cpu-total'"#,
        )
        .expect("a select");
        let dims = ["time(10s)".to_string(), "\"host\"".to_string()];
        assert_eq!(
            select.render(&run(&dims, Some("none"))),
            "SELECT mean(\"usage\") FROM \"telegraf\".\"autogen\".cpu WHERE (cpu = 'cpu-total') AND \
             time >= '1970-01-01T00:00:00Z' AND time < '1970-01-01T00:01:00Z' \
             GROUP BY time(10s), \"host\" fill(none)"
        );
        assert!(select.groups_by_time(&dims));
        assert!(!select.groups_by_time(&[]));
    }

    #[test]
    fn the_statements_own_clauses_stay_unless_the_node_sets_them() {
        let select = Select::parse("select max(v) from m group by time(1m) fill(0) limit 5;")
            .expect("a select");
        assert_eq!(
            select.render(&run(&[], None)),
            "select max(v) from m WHERE time >= '1970-01-01T00:00:00Z' AND \
             time < '1970-01-01T00:01:00Z' group by time(1m) fill(0) limit 5"
        );
        assert!(select.groups_by_time(&[]));
    }

    #[test]
    fn regexes_and_strings_may_hold_keywords() {
        let select = Select::parse("SELECT v FROM /where;/ WHERE h =~ /group by/ AND x = 'limit;'")
            .expect("a select");
        assert!(select.render(&run(&[], None)).starts_with(
            "SELECT v FROM /where;/ WHERE (h =~ /group by/ AND x = 'limit;') AND time >= "
        ));
    }

    #[test]
    fn bad_queries_fail_with_kapacitors_messages() {
        let err = |q: &str| Select::parse(q).expect_err(q).to_string();
        assert_eq!(
            err("SELECT value FROM db.rp.m; DROP DATABASE _internal"),
            "query must be a single select statement, got 2 statements"
        );
        assert_eq!(
            err("DROP DATABASE _internal"),
            "query is not a select statement \"DROP DATABASE _internal\""
        );
        assert_eq!(
            err("SELEKT v FROM m"),
            "failed to parse InfluxQL query: found SELEKT, expected SELECT, DELETE, SHOW, \
             CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1"
        );
        assert_eq!(
            err("SELECT v FROM m WHERE h = 'a"),
            "failed to parse InfluxQL query: found unterminated string, expected expression \
             at line 1, char 27"
        );
        assert_eq!(
            err("SELECT 1"),
            "failed to parse InfluxQL query: found EOF, expected FROM at line 1, char 9"
        );
        assert!(err("").starts_with("failed to parse InfluxQL query: found EOF"));
    }
}
