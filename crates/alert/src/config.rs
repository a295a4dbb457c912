//! [`Services`]: the service-level configuration alert handlers and the `httpPost` node
//! read: the server's identity for templates, the named `[[httppost]]` endpoints, and
//! the length of each handler's queue, and the state every task shares (inhibitors,
//! topics). The embedding program builds it (from its
//! configuration file or a conformance case's `config`) and hands it to the engine.

use crate::handlers::{SpawnError, DEFAULT_CAPACITY};
use crate::http::TlsError;
use crate::http::UrlError;
use crate::inhibit::Inhibitors;
use crate::mqtt::{BrokerError, MqttBrokers};
use crate::services::{ServiceConfigError, ServiceConfigs};
use crate::sinks::Sinks;
use crate::template::{ServerInfo, TemplateError};
use crate::topic::TopicHub;

/// A named HTTP endpoint, Kapacitor's `[[httppost]]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpPostEndpoint {
    /// The name `.endpoint(name)` refers to.
    pub name: String,
    /// The URL requests go to.
    pub url: String,
    /// Headers every request carries (before the script's own `.header()` calls).
    pub headers: Vec<(String, String)>,
    /// A Go text/template for the body of `httpPost` requests, rendered per row with
    /// `.Name`, `.Tags` and `.Values` (one map per value row, keyed by column). Without
    /// it the body is the row as JSON.
    pub row_template: Option<String>,
    /// A Go text/template for the body of `.post().endpoint(name)` alert requests,
    /// rendered per event with the alert data (`.Message`, `.Level`, `.Data.Series`, …);
    /// without it the body is the alert document.
    pub alert_template: Option<String>,
}

/// What alert handlers and `httpPost` nodes take from the server's configuration, and
/// the alert state every task of the server shares. Cloning shares that state.
#[derive(Debug, Clone)]
pub struct Services {
    /// `.ServerInfo` in templates.
    pub server: ServerInfo,
    /// Named endpoints for `.post().endpoint(name)` and `|httpPost().endpoint(name)`.
    pub http_post: Vec<HttpPostEndpoint>,
    /// The `[[mqtt]]` brokers for `.mqtt()` handlers.
    pub mqtt: MqttBrokers,
    /// The third-party services' sections (`[[slack]]`, `[telegram]`).
    pub external: ServiceConfigs,
    /// The server's API URL, which PagerDuty events carry as `client_url` (Kapacitor's
    /// `http://HOST:PORT/kapacitor/v1`).
    pub client_url: String,
    /// Events each handler may have waiting before new ones are dropped.
    pub queue_capacity: usize,
    /// The active inhibitors of all alert nodes.
    pub inhibitors: Inhibitors,
    /// The alert topics every task publishes to, with their handlers.
    pub topics: TopicHub,
    /// The embedding program's handlers, which receive every event of every alert node.
    pub sinks: Sinks,
    /// Capture mode (`tickflow test`): the script's own handlers (log, post, tcp, exec,
    /// mqtt, ...) are checked by the pipeline but not started, so only the [`Sinks`]
    /// receive events, and `httpPost` nodes send each request to this base URL (a
    /// loopback server of the caller's) followed by `/` and the URL they would have used,
    /// so a run never touches the outside world.
    pub capture: Option<String>,
}

impl Default for Services {
    fn default() -> Self {
        Services {
            server: ServerInfo::default(),
            client_url: "http://localhost:9092/kapacitor/v1".into(),
            http_post: Vec::new(),
            mqtt: MqttBrokers::default(),
            external: ServiceConfigs::default(),
            queue_capacity: DEFAULT_CAPACITY,
            inhibitors: Inhibitors::default(),
            topics: TopicHub::default(),
            sinks: Sinks::default(),
            capture: None,
        }
    }
}

/// A script refers to an endpoint the configuration does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown httppost endpoint {0:?}")]
pub struct UnknownEndpoint(pub String);

/// Why a handler or an `httpPost` node could not be set up from a script and the
/// configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SetupError {
    /// An endpoint's `alert-template` does not parse.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The target URL cannot be posted to.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// `.endpoint(name)` names no configured endpoint.
    #[error(transparent)]
    Endpoint(#[from] UnknownEndpoint),
    /// The handler's worker thread did not start.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// The mqtt broker is not configured or the QoS is invalid.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// A TLS setting of the handler cannot be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A third-party service's section cannot be used.
    #[error(transparent)]
    Service(#[from] ServiceConfigError),
}

impl Services {
    /// The endpoint called `name`.
    pub fn endpoint(&self, name: &str) -> Result<&HttpPostEndpoint, UnknownEndpoint> {
        self.http_post
            .iter()
            .find(|endpoint| endpoint.name == name)
            .ok_or_else(|| UnknownEndpoint(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_found_by_name() {
        let services = Services {
            http_post: vec![HttpPostEndpoint {
                name: "test".into(),
                url: "http://h/".into(),
                ..HttpPostEndpoint::default()
            }],
            ..Services::default()
        };
        assert_eq!(
            services.endpoint("test").map(|e| e.url.as_str()),
            Ok("http://h/")
        );
        assert_eq!(
            services
                .endpoint("other")
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err("unknown httppost endpoint \"other\"".into())
        );
        assert_eq!(services.server.hostname, "localhost");
        assert_eq!(services.queue_capacity, DEFAULT_CAPACITY);
    }
}
