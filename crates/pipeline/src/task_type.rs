//! The task type a script implies: a stream task when its top-level chains start from
//! `stream`, a batch task when they start from `batch` (Kapacitor derives it this way and
//! ignores the `type` a request gives; kapacitor-compat.md, http-api §3.3 step 8).

use tickflow_tickscript::{Expr, Program, Statement, VarInit};

use crate::pipeline::TaskType;

/// A script whose chains start from both sources, or from neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid task type: invalid")]
pub struct TaskTypeError;

/// The type of the task `program` defines: the source its top-level chains start from.
pub fn task_type(program: &Program) -> Result<TaskType, TaskTypeError> {
    let (mut stream, mut batch) = (false, false);
    for root in program.statements.iter().filter_map(chain_root) {
        match root {
            "stream" => stream = true,
            "batch" => batch = true,
            _ => {}
        }
    }
    match (stream, batch) {
        (true, false) => Ok(TaskType::Stream),
        (false, true) => Ok(TaskType::Batch),
        _ => Err(TaskTypeError),
    }
}

/// The identifier a statement's chain starts from (`stream` in `var x = stream|from()`).
fn chain_root(statement: &Statement) -> Option<&str> {
    let expr = match statement {
        Statement::Expr(expr) => expr,
        Statement::Var(decl) => match &decl.init {
            VarInit::Value(expr) => expr,
            VarInit::Type(_) => return None,
        },
        Statement::Dbrp(_) => return None,
    };
    let Expr::Chain(chain) = expr else {
        return None;
    };
    let mut target = &chain.target;
    while let Expr::Chain(inner) = &**target {
        target = &inner.target;
    }
    match &**target {
        Expr::Ident(ident) => Some(ident.name.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_of(script: &str) -> Result<TaskType, TaskTypeError> {
        task_type(&tickflow_tickscript::parse(script).expect("parses"))
    }

    #[test]
    fn the_source_of_the_chains_decides() {
        assert_eq!(type_of("stream|from()"), Ok(TaskType::Stream));
        assert_eq!(
            type_of("var q = batch|query('SELECT 1 FROM m').every(1m)\nq|httpOut('x')"),
            Ok(TaskType::Batch)
        );
    }

    #[test]
    fn both_sources_or_none_is_invalid() {
        assert_eq!(
            type_of("stream|from()\nbatch|query('q')"),
            Err(TaskTypeError)
        );
        assert_eq!(type_of("var x = 5"), Err(TaskTypeError));
        assert_eq!(TaskTypeError.to_string(), "invalid task type: invalid");
    }
}
