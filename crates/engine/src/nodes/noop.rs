//! `noop`: the node `|stats()` adds under a node that has no other child (kapacitor-compat.md, nodes
//! §4.13). It takes every message and forwards nothing.

use tickflow_model::Message;

use crate::node::{Context, Node, NodeError};

/// The running noop node.
pub(crate) struct NoOp;

impl Node for NoOp {
    fn message(
        &mut self,
        _input: usize,
        _message: Message,
        _ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Point, Time};

    use super::*;
    use crate::nodes::testing::run;

    #[test]
    fn takes_everything_and_forwards_nothing() {
        let messages = vec![Message::Point(Point::new("cpu", Time::from_nanos(1)))];
        let (out, errors) = run(&mut NoOp, messages);
        assert!(out.is_empty());
        assert!(errors.is_empty());
    }
}
