//! The alert node's handlers: each handler of the script becomes a running handler
//! (built by `tickflow_alert::handlers::build`, as topic handlers are), the embedding
//! program's sinks are added, and all of them go behind one
//! [`Dispatcher`] (a worker thread and a
//! bounded queue per handler), so delivery never stalls the node. In capture mode
//! ([`Services::capture`], `tickflow test`) only the sinks are started.

use std::sync::Arc;

use tickflow_alert::handlers::{build, BuildError};
use tickflow_alert::{Dispatcher, Services, SetupError};
use tickflow_pipeline::nodes::alert::Handler as HandlerSpec;

use crate::delivery::{DeliveryLog, Exactly, Sequence};
use crate::task::TaskError;

/// Starts the handlers of node `node` of task `task`; a handler the engine lacks, a bad
/// target or an unknown endpoint fails the task build. In capture mode the script's
/// handlers are skipped and only the sinks receive events. With a delivery log, each
/// handler skips what it delivered before a restart ([`Exactly`], keyed
/// `task/node/index`).
pub(crate) fn start(
    specs: &[HandlerSpec],
    (task, node): (&str, &str),
    services: &Services,
    deliveries: Option<(&Arc<dyn DeliveryLog>, &Sequence)>,
) -> Result<Dispatcher, TaskError> {
    let setup = |source: SetupError| TaskError::Handler {
        node: node.to_string(),
        source,
    };
    let script_handlers = match services.capture {
        Some(_) => &[][..],
        None => specs,
    };
    let mut handlers = script_handlers
        .iter()
        .map(|spec| {
            build(spec, services).map_err(|err| match err {
                BuildError::Setup(source) => setup(source),
                BuildError::Unsupported(service) => TaskError::Unsupported {
                    node: node.to_string(),
                    kind: format!("alert handler .{service}"),
                },
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    handlers.extend(services.sinks.handlers());
    if let Some((log, sequence)) = deliveries {
        handlers = (handlers.into_iter().enumerate())
            .map(|(index, handler)| {
                let key = format!("{task}/{node}/{index}");
                let exactly = Exactly::new(handler, key, Arc::clone(log), sequence.clone());
                Box::new(exactly) as Box<dyn tickflow_alert::Handler>
            })
            .collect();
    }
    Dispatcher::new(handlers, services.queue_capacity).map_err(|e| setup(e.into()))
}
