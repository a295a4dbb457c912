//! `@name()`: a user-defined function. Native UDFs (`tickflow_udf::native`) run in the
//! node's thread; external agents speaking Kapacitor's UDF protocol come with issue 7.

use tickflow_model::Message;
use tickflow_udf::native::NativeUdf;

use crate::node::{Context, Node, NodeError};

/// A node running a native UDF.
pub struct Udf {
    udf: Box<dyn NativeUdf>,
}

impl Udf {
    /// A node around an initialised UDF.
    pub fn new(udf: Box<dyn NativeUdf>) -> Self {
        Udf { udf }
    }
}

impl Node for Udf {
    fn message(
        &mut self,
        _input: usize,
        message: Message,
        ctx: &mut Context<'_>,
    ) -> Result<(), NodeError> {
        let mut out = Vec::new();
        let result = match message {
            Message::Point(point) => self.udf.point(point, &mut out),
            Message::Batch(batch) => self.udf.batch(batch, &mut out),
            other => {
                ctx.emit(other);
                Ok(())
            }
        };
        if let Err(err) = result {
            ctx.error(&err);
        }
        out.into_iter().for_each(|m| ctx.emit(m));
        Ok(())
    }

    fn snapshot(&self) -> Option<serde_json::Value> {
        self.udf.snapshot().ok()
    }

    fn restore(&mut self, state: serde_json::Value) -> Result<(), NodeError> {
        self.udf
            .restore(&state)
            .map_err(|err| NodeError::new(err.to_string()))
    }
}
