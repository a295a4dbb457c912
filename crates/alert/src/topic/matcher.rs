//! [`Match`]: a topic handler's `match` expression, which decides per event whether the
//! handler receives it. It is a TICKscript lambda body (without `lambda:`) over the
//! event's tags (`"host" == 'a'`), with Kapacitor's functions of the event, `changed()`
//! (its level differs from the previous one), `level()`, `name()` (the measurement),
//! `taskName()` (empty: a topic does not know the task) and `alertDuration()`, and the
//! level names `OK`, `INFO`, `WARNING`, `CRITICAL` (0 to 3), as in
//! `changed() AND level() >= WARNING`.
//!
//! The expression is parsed and checked when the handler is defined; for each event the
//! functions and level names become the event's literals and the expression is compiled
//! and evaluated by `tickflow_expr`, as any lambda.

use tickflow_expr::{Lambda, Scope};
use tickflow_model::{Fields, Tags, Time};
use tickflow_tickscript::{Expr, LitValue, Literal, Statement, VarInit};

use crate::data::{AlertData, Level};
use crate::services::event::{name, tags};

/// A parsed `match` expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    source: String,
    lambda: Expr,
}

/// Why a `match` expression cannot be used or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid match expression {expression:?}: {reason}")]
pub struct MatchError {
    /// The expression.
    pub expression: String,
    /// What is wrong.
    pub reason: String,
}

/// What the expression's functions give for one event.
struct Facts {
    changed: bool,
    level: i64,
    name: String,
    duration: i64,
}

impl Match {
    /// Parses and checks `source` (evaluating it once against a sample event, so an
    /// unknown function or a type error is found now).
    pub fn parse(source: &str) -> Result<Match, MatchError> {
        let fail = |reason: String| MatchError {
            expression: source.to_owned(),
            reason,
        };
        let program = tickflow_tickscript::parse(&format!("var match = lambda: {source}\n"))
            .map_err(|e| fail(e.to_string()))?;
        let lambda = match program.statements.as_slice() {
            [Statement::Var(decl)] => match &decl.init {
                VarInit::Value(lambda @ Expr::Lambda(_)) => lambda.clone(),
                _ => return Err(fail("not an expression".into())),
            },
            _ => return Err(fail("not one expression".into())),
        };
        let parsed = Match {
            source: source.to_owned(),
            lambda,
        };
        let sample = Facts {
            changed: false,
            level: 0,
            name: String::new(),
            duration: 0,
        };
        parsed.compile(&sample)?;
        Ok(parsed)
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `event` matches.
    pub fn matches(&self, event: &AlertData) -> Result<bool, MatchError> {
        let facts = Facts {
            changed: event.level != event.previous_level,
            level: level_number(event.level),
            name: name(event),
            duration: event.duration.nanos(),
        };
        let lambda = self.compile(&facts)?;
        let pairs = tags(event);
        let tags = Tags::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let fields = Fields::default();
        let scope = Scope {
            fields: &fields,
            tags: &tags,
            time: Time::from_nanos(event.time.nanos()),
        };
        (lambda.evaluator().eval_bool(&scope)).map_err(|e| self.error(e.to_string()))
    }

    fn compile(&self, facts: &Facts) -> Result<Lambda, MatchError> {
        let mut lambda = self.lambda.clone();
        substitute(&mut lambda, facts);
        Lambda::compile(&lambda).map_err(|e| self.error(e.to_string()))
    }

    fn error(&self, reason: String) -> MatchError {
        MatchError {
            expression: self.source.clone(),
            reason,
        }
    }
}

/// Kapacitor's number of a level in match expressions.
fn level_number(level: Level) -> i64 {
    match level {
        Level::Ok => 0,
        Level::Info => 1,
        Level::Warning => 2,
        Level::Critical => 3,
    }
}

/// Replaces the event functions and level names in `expr` by `facts`' literals.
fn substitute(expr: &mut Expr, facts: &Facts) {
    let literal = |value: LitValue, span| {
        Expr::Literal(Literal {
            value,
            span,
            comment: None,
        })
    };
    let int = |value| LitValue::Int {
        value,
        octal: false,
    };
    match expr {
        Expr::Call(call) if call.args.exprs.is_empty() => {
            let value = match call.name.name.as_str() {
                "changed" => LitValue::Bool(facts.changed),
                "level" => int(facts.level),
                "name" => text(&facts.name),
                "taskName" => text(""),
                "alertDuration" => LitValue::Duration {
                    nanos: facts.duration,
                    text: format!("{}ns", facts.duration),
                },
                _ => return,
            };
            *expr = literal(value, call.span);
        }
        Expr::Call(call) => (call.args.exprs.iter_mut()).for_each(|e| substitute(e, facts)),
        Expr::Ident(ident) => {
            let level = match ident.name.as_str() {
                "OK" => 0,
                "INFO" => 1,
                "WARNING" => 2,
                "CRITICAL" => 3,
                _ => return,
            };
            *expr = literal(int(level), ident.span);
        }
        Expr::Lambda(lambda) => substitute(&mut lambda.body, facts),
        Expr::Unary(unary) => substitute(&mut unary.operand, facts),
        Expr::Binary(binary) => {
            substitute(&mut binary.lhs, facts);
            substitute(&mut binary.rhs, facts);
        }
        Expr::List(list) => (list.items.iter_mut()).for_each(|e| substitute(e, facts)),
        Expr::Literal(_) | Expr::Reference(_) | Expr::Chain(_) => {}
    }
}

fn text(value: &str) -> LitValue {
    LitValue::String {
        value: value.to_owned(),
        triple: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row::Row;
    use tickflow_model::{Duration, Point};

    fn event(level: Level, previous: Level, host: &str) -> AlertData {
        let mut point = Point::new("cpu", Time::from_nanos(0));
        point.tags = Tags::from_pairs([("host", host)]);
        AlertData {
            id: "cpu".into(),
            message: String::new(),
            details: String::new(),
            time: point.time,
            duration: Duration::from_nanos(90_000_000_000),
            level,
            data: vec![Row::from_point(&point)],
            previous_level: previous,
            recoverable: true,
        }
    }

    fn matches(expr: &str, event: &AlertData) -> bool {
        Match::parse(expr)
            .expect("parses")
            .matches(event)
            .expect("evaluates")
    }

    #[test]
    fn functions_and_level_names_are_the_events() {
        let warn = event(Level::Warning, Level::Ok, "a");
        let still = event(Level::Warning, Level::Warning, "a");
        assert!(matches("changed()", &warn));
        assert!(!matches("changed()", &still));
        assert!(matches("level() >= WARNING AND level() < CRITICAL", &warn));
        assert!(!matches("level() == CRITICAL", &warn));
        assert!(matches("name() == 'cpu' AND taskName() == ''", &warn));
        assert!(matches("alertDuration() > 1m", &warn));
        assert!(matches("\"host\" == 'a' OR \"host\" =~ /^b/", &warn));
        assert!(!matches("\"host\" == 'b'", &warn));
    }

    #[test]
    fn bad_expressions_are_refused_when_defined() {
        let error = |expr: &str| Match::parse(expr).expect_err("refused").to_string();
        assert!(error("level() ==").starts_with("invalid match expression \"level() ==\": "));
        assert!(
            error("nosuch() == 1").contains("nosuch"),
            "{}",
            error("nosuch() == 1")
        );
    }
}
