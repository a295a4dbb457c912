//! The alert node's handlers: each handler spec of the script becomes a running
//! [`Handler`], the embedding program's sinks are added, and all of them go behind one
//! [`Dispatcher`] (a worker thread and a
//! bounded queue per handler), so delivery never stalls the node.

use tickflow_alert::{
    Dispatcher, ExecHandler, Handler, LogHandler, MqttHandler, PostHandler, Services, SetupError,
    TcpHandler,
};
use tickflow_pipeline::nodes::alert::{
    Handler as HandlerSpec, PostHandler as PostSpec, ServiceHandler,
};
use tickflow_pipeline::nodes::udf::OptionValue;

use crate::task::TaskError;

/// Starts the handlers of node `node`; a handler the engine lacks, a bad target or an
/// unknown endpoint fails the task build.
pub fn start(
    specs: &[HandlerSpec],
    node: &str,
    services: &Services,
) -> Result<Dispatcher, TaskError> {
    let setup = |source: SetupError| TaskError::Handler {
        node: node.to_string(),
        source,
    };
    let mut handlers = specs
        .iter()
        .map(|spec| handler(spec, node, services))
        .collect::<Result<Vec<_>, _>>()?;
    handlers.extend(services.sinks.handlers());
    Dispatcher::new(handlers, services.queue_capacity).map_err(|e| setup(e.into()))
}

/// The running handler for one spec.
fn handler(
    spec: &HandlerSpec,
    node: &str,
    services: &Services,
) -> Result<Box<dyn Handler>, TaskError> {
    let setup = |source: SetupError| TaskError::Handler {
        node: node.to_string(),
        source,
    };
    Ok(match spec {
        HandlerSpec::Log(log) => {
            let mut handler = LogHandler::new(&log.path);
            if let Some(mode) = log.mode.and_then(|m| u32::try_from(m).ok()) {
                handler = handler.with_mode(mode);
            }
            Box::new(handler)
        }
        HandlerSpec::Post(post) => Box::new(post_handler(post, services).map_err(setup)?),
        HandlerSpec::Tcp(tcp) => Box::new(TcpHandler::new(&tcp.address)),
        HandlerSpec::Exec(exec) => {
            let program = exec.command.first().cloned().unwrap_or_default();
            let args = exec.command.iter().skip(1).cloned().collect();
            Box::new(ExecHandler::new(program, args))
        }
        HandlerSpec::Service(service) if service.service == "mqtt" => {
            Box::new(mqtt_handler(service, services).map_err(setup)?)
        }
        HandlerSpec::Service(service) => {
            return Err(TaskError::Unsupported {
                node: node.to_string(),
                kind: format!("alert handler .{}", service.service),
            })
        }
    })
}

/// `.post(url)` or `.post().endpoint(name)`, with `.header()`, `.captureResponse()` and
/// `.timeout()`. Validation guarantees exactly one of url and endpoint.
fn post_handler(spec: &PostSpec, services: &Services) -> Result<PostHandler, SetupError> {
    let handler = match &spec.endpoint {
        Some(name) => PostHandler::for_endpoint(services.endpoint(name)?)?,
        None => PostHandler::new(spec.urls.first().map_or("", String::as_str))?,
    };
    let mut handler = handler
        .with_headers(spec.headers.iter().cloned())
        .with_capture_response(spec.capture_response);
    if let Some(timeout) = spec.timeout {
        handler = handler.with_timeout(std_duration(timeout));
    }
    Ok(handler)
}

/// `.mqtt(topic)` with `.brokerName()`, `.qos()` and `.retained()` (validation
/// guarantees their types).
fn mqtt_handler(spec: &ServiceHandler, services: &Services) -> Result<MqttHandler, SetupError> {
    let last = |name: &str| {
        spec.options
            .iter()
            .rev()
            .find(|(option, _)| option == name)
            .and_then(|(_, values)| values.first())
    };
    let text = |value: Option<&OptionValue>| match value {
        Some(OptionValue::String(text)) => text.clone(),
        _ => String::new(),
    };
    let qos = match last("qos") {
        Some(OptionValue::Int(qos)) => *qos,
        _ => 0,
    };
    let retained = matches!(last("retained"), Some(OptionValue::Bool(true)));
    let topic = text(spec.args.first());
    let broker = text(last("brokerName"));
    Ok(MqttHandler::new(
        &services.mqtt,
        &broker,
        topic,
        qos,
        retained,
    )?)
}

/// A script duration as a std one (negative durations become zero).
pub(crate) fn std_duration(d: tickflow_model::Duration) -> std::time::Duration {
    std::time::Duration::from_nanos(u64::try_from(d.nanos()).unwrap_or(0))
}
