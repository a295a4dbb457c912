//! `stream`: the source of a stream task; forwards every message unchanged (spec:
//! kapacitor-compat.md, nodes §2.1).

use tickflow_model::Message;

use crate::node::{Context, Node, NodeError};

/// The running stream node.
pub(crate) struct Stream;

impl Node for Stream {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        ctx.emit(message);
        Ok(())
    }

    fn messages(
        &mut self,
        _input: usize,
        chunk: &mut Vec<Message>,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        ctx.emit_all(chunk);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tickflow_model::{Point, Time};

    use super::*;
    use crate::nodes::testing::run;

    #[test]
    fn forwards_everything() {
        let messages = vec![Message::Point(Point::new("cpu", Time::from_nanos(1)))];
        let (out, errors) = run(&mut Stream, messages.clone());
        assert_eq!(out, messages);
        assert!(errors.is_empty());
    }
}
