//! Sensu: `[sensu]` and `.sensu()`, which writes a check result as one JSON line to the
//! Sensu client socket (TCP, `addr`) and reads until the client closes, expecting `ok`:
//! the event id as `name` (which must match `^[\w.-]+$`, as Kapacitor requires), the
//! source (a template), the message as `output`, a status by level (0 OK and INFO, 1
//! WARNING, 2 CRITICAL), the handlers, and the `.metadata()` pairs that do not clash
//! with those keys.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tickflow_pipeline::nodes::udf::OptionValue;

use crate::data::{AlertData, Level};
use crate::handlers::{Handler, HandlerError};
use crate::services::templates::{event_data, OptionTemplate};
use crate::services::{Calls, ServiceConfigError, ServiceError};

/// The `[sensu]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SensuConfig {
    /// Whether `.sensu()` handlers may use it.
    pub enabled: bool,
    /// The client socket's `host:port`.
    pub addr: String,
    /// The default source.
    pub source: String,
    /// The default Sensu handlers.
    pub handlers: Vec<String>,
}

impl Default for SensuConfig {
    fn default() -> Self {
        SensuConfig {
            enabled: false,
            addr: "sensu-client:3030".into(),
            source: "Kapacitor".into(),
            handlers: Vec::new(),
        }
    }
}

/// How long a write and the answer may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends each event to a Sensu client socket.
#[derive(Debug, Clone)]
pub struct SensuHandler {
    addr: String,
    source: OptionTemplate,
    handlers: Vec<String>,
    metadata: Vec<(String, Value)>,
}

impl SensuHandler {
    /// The handler of `.sensu()` with `.source()`, `.handlers()` and
    /// `.metadata(key, value)` over `config`.
    pub fn new(config: &SensuConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let source = calls.text_or("source", &config.source);
        let handlers = match calls.texts("handlers") {
            given if given.is_empty() => config.handlers.clone(),
            given => given,
        };
        let metadata = (calls.0.options.iter())
            .filter(|(option, _)| option == "metadata")
            .filter_map(|(_, values)| match values.as_slice() {
                [OptionValue::String(key), value] => Some((key.clone(), option_json(value))),
                _ => None,
            })
            .collect();
        Ok(SensuHandler {
            addr: config.addr.clone(),
            source: OptionTemplate::parse("sensu", "source", &source)?,
            handlers,
            metadata,
        })
    }

    /// The check result of `event`.
    fn body(&self, event: &AlertData) -> Result<Value, ServiceError> {
        let valid = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '-');
        if event.id.is_empty() || !event.id.chars().all(valid) {
            return Err(ServiceError::Refused {
                service: "sensu",
                reason: format!(
                    "invalid name {:?} for sensu alert. Must match ^[\\w\\.-]+$",
                    event.id
                ),
            });
        }
        let status = match event.level {
            Level::Ok | Level::Info => 0,
            Level::Warning => 1,
            Level::Critical => 2,
        };
        let mut body = Map::new();
        body.insert("name".into(), json!(event.id));
        body.insert(
            "source".into(),
            json!(self.source.render(&event_data(event))?),
        );
        body.insert("output".into(), json!(event.message));
        body.insert("status".into(), json!(status));
        body.insert("handlers".into(), json!(self.handlers));
        for (key, value) in &self.metadata {
            body.entry(key.clone()).or_insert_with(|| value.clone());
        }
        Ok(Value::Object(body))
    }

    /// Writes `line` to the socket and reads the answer.
    fn exchange(&self, line: &[u8]) -> std::io::Result<String> {
        let addr = (self.addr.to_socket_addrs()?.next())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"))?;
        let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
        stream.set_read_timeout(Some(TIMEOUT))?;
        stream.set_write_timeout(Some(TIMEOUT))?;
        stream.write_all(line)?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    }
}

/// A `.metadata()` value as JSON.
fn option_json(value: &OptionValue) -> Value {
    match value {
        OptionValue::Bool(b) => json!(b),
        OptionValue::Int(n) => json!(n),
        OptionValue::Double(x) => json!(x),
        OptionValue::String(s) => json!(s),
        OptionValue::Duration(d) => json!(d.nanos()),
    }
}

impl Handler for SensuHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let body = self.body(event)?;
        let mut line = serde_json::to_vec(&body).map_err(|source| ServiceError::Encode {
            service: "sensu",
            source,
        })?;
        line.push(b'\n');
        let failed = |reason: String| ServiceError::Refused {
            service: "sensu",
            reason,
        };
        let answer = (self.exchange(&line))
            .map_err(|e| failed(format!("cannot reach {:?}: {e}", self.addr)))?;
        match answer.as_str() {
            "ok" => Ok(()),
            other => Err(failed(format!("sensu socket error: {other}")).into()),
        }
    }

    fn describe(&self) -> String {
        format!("sensu {:?}", self.addr)
    }
}
