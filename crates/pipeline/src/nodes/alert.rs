//! `|alert()`: evaluates level predicates on each point or batch, tracks each group's
//! alert state and sends events to handlers. A handler property (`.log(path)`,
//! `.post(url)`, `.slack()`, …) adds a handler and returns it, so the next property calls
//! configure it (`.mode(0644)`), falling back to the alert's own properties.
//!
//! `log`, `post`, `tcp` and `exec` handlers have typed specs; the third-party services
//! share [`ServiceHandler`], whose options are checked against a table of each service's
//! option signatures.

use tickflow_model::Duration;

use crate::args::{AnyArg, Kind, Rest};
use crate::catalogue::{chain_method, ChainMethod, Created, Edges};
use crate::describe::{quote, Props};
use crate::lambda::Lambda;
use crate::nodes::http_post::{check_headers, check_target, HttpPostError};
use crate::nodes::udf::{render_values, OptionValue};
use crate::nodes::{upsert, Names, NodeError, NodeKind, NodeSpec};
use crate::property::{self, property, Outcome, Property, PropertyError};
use crate::value::Value;
use services::{option_values, service, NONE};

mod services;

/// Kapacitor's default alert ID template.
pub const DEFAULT_ID: &str = "{{ .Name }}:{{ .Group }}";
/// Kapacitor's default alert message template.
pub const DEFAULT_MESSAGE: &str = "{{ .ID }} is {{ .Level }}";
/// Kapacitor's default alert details template.
pub const DEFAULT_DETAILS: &str = "{{ json . }}";
/// Kapacitor's default history length.
pub const DEFAULT_HISTORY: i64 = 21;

/// The `alert` node.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertNode {
    /// A topic the events are also published to.
    pub topic: String,
    /// The ID template (Go text/template).
    pub id: String,
    /// The message template (Go text/template).
    pub message: String,
    /// The details template (Go html/template).
    pub details: String,
    /// The INFO predicate.
    pub info: Option<Lambda>,
    /// The WARNING predicate.
    pub warn: Option<Lambda>,
    /// The CRITICAL predicate.
    pub crit: Option<Lambda>,
    /// The condition to leave INFO.
    pub info_reset: Option<Lambda>,
    /// The condition to leave WARNING.
    pub warn_reset: Option<Lambda>,
    /// The condition to leave CRITICAL.
    pub crit_reset: Option<Lambda>,
    /// Levels remembered for flapping and state changes (values below 2 act as 2).
    pub history: i64,
    /// A tag receiving the level.
    pub level_tag: String,
    /// A field receiving the level.
    pub level_field: String,
    /// A field receiving the message.
    pub message_field: String,
    /// A field receiving the duration (ns).
    pub duration_field: String,
    /// A tag receiving the ID.
    pub id_tag: String,
    /// A field receiving the ID.
    pub id_field: String,
    /// Batches: the level is the lowest of all points.
    pub all: bool,
    /// Send no OK events.
    pub no_recoveries: bool,
    /// Send only state changes.
    pub state_changes_only: bool,
    /// With `state_changes_only`, send unchanged states again after this long.
    pub state_changes_max_interval: Option<Duration>,
    /// Flapping detection.
    pub flapping: Option<Flapping>,
    /// The category this alert's events inhibit by.
    pub category: String,
    /// Categories this alert inhibits while not OK.
    pub inhibits: Vec<Inhibit>,
    /// Where events go.
    pub handlers: Vec<Handler>,
}

impl Default for AlertNode {
    fn default() -> Self {
        AlertNode {
            topic: String::new(),
            id: DEFAULT_ID.into(),
            message: DEFAULT_MESSAGE.into(),
            details: DEFAULT_DETAILS.into(),
            info: None,
            warn: None,
            crit: None,
            info_reset: None,
            warn_reset: None,
            crit_reset: None,
            history: DEFAULT_HISTORY,
            level_tag: String::new(),
            level_field: String::new(),
            message_field: String::new(),
            duration_field: String::new(),
            id_tag: String::new(),
            id_field: String::new(),
            all: false,
            no_recoveries: false,
            state_changes_only: false,
            state_changes_max_interval: None,
            flapping: None,
            category: String::new(),
            inhibits: Vec::new(),
            handlers: Vec::new(),
        }
    }
}

/// `.flapping(low, high)`: thresholds of the state-change rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flapping {
    /// Below this the alert stops flapping.
    pub low: f64,
    /// Above this the alert starts flapping.
    pub high: f64,
}

/// `.inhibit(category, tags…)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Inhibit {
    /// The category inhibited.
    pub category: String,
    /// The tags whose values must be equal.
    pub equal_tags: Vec<String>,
}

/// An alert handler.
#[derive(Debug, Clone, PartialEq)]
pub enum Handler {
    /// `.log(path)`: append JSON lines to a file.
    Log(LogHandler),
    /// `.post([url])`: POST the JSON event.
    Post(PostHandler),
    /// `.tcp(address)`: send the JSON event over TCP.
    Tcp(TcpHandler),
    /// `.exec(program, args…)`: run a program with the event on stdin.
    Exec(ExecHandler),
    /// A third-party service (`.slack()`, `.email()`, …).
    Service(ServiceHandler),
}

/// `.log(path)` with `.mode(perm)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogHandler {
    /// The file, an absolute path.
    pub path: String,
    /// The permissions a new file gets (Kapacitor's default: 0600).
    pub mode: Option<i64>,
}

/// `.post([url])`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostHandler {
    /// The URL given (at most one after validation).
    pub urls: Vec<String>,
    /// A configured endpoint instead of a URL.
    pub endpoint: Option<String>,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// Log the response body of failed requests.
    pub capture_response: bool,
    /// The request timeout.
    pub timeout: Option<Duration>,
    /// Skip TLS certificate checks.
    pub skip_ssl_verification: bool,
}

/// `.tcp(address)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TcpHandler {
    /// `host:port`.
    pub address: String,
}

/// `.exec(program, args…)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecHandler {
    /// The program and its arguments.
    pub command: Vec<String>,
}

/// A third-party service handler and its settings, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceHandler {
    /// The property that created it (`slack`, `email`, `mqtt`, …).
    pub service: &'static str,
    /// Its arguments (`email` recipients, the `mqtt` topic, the `snmpTrap` OID).
    pub args: Vec<OptionValue>,
    /// The option calls, in order.
    pub options: Vec<(String, Vec<OptionValue>)>,
}

/// A property call: the log handler's.
const LOG_PROPERTIES: &[Property<LogHandler>] =
    &[property!(Field "mode", |h: LogHandler, mode: i64| h.mode = Some(mode))];

/// A property call: the post handler's.
const POST_PROPERTIES: &[Property<PostHandler>] = &[
    property!(Field "endpoint", |h: PostHandler, endpoint: String| h.endpoint = Some(endpoint)),
    property!(Method "header", |h: PostHandler, key: String, value: String| upsert(&mut h.headers, key, value)),
    property!(Method "captureResponse", |h: PostHandler| h.capture_response = true),
    property!(Field "timeout", |h: PostHandler, timeout: Duration| h.timeout = Some(timeout)),
    property!(Method "skipSSLVerification", |h: PostHandler| h.skip_ssl_verification = true),
];

impl Handler {
    /// The property that created it.
    pub fn method(&self) -> &'static str {
        match self {
            Handler::Log(_) => "log",
            Handler::Post(_) => "post",
            Handler::Tcp(_) => "tcp",
            Handler::Exec(_) => "exec",
            Handler::Service(handler) => handler.service,
        }
    }

    /// The Go type Kapacitor's messages name it by.
    pub(crate) fn go_type(&self) -> &'static str {
        match self {
            Handler::Log(_) => "*pipeline.LogHandler",
            Handler::Post(_) => "*pipeline.AlertHTTPPostHandler",
            Handler::Tcp(_) => "*pipeline.TcpHandler",
            Handler::Exec(_) => "*pipeline.ExecHandler",
            Handler::Service(handler) => handler
                .service()
                .map_or("*pipeline.AlertNode", |service| service.go_type),
        }
    }

    /// How the handler's own property `name` is applied, if it has it.
    pub(crate) fn property_kind(&self, name: &str) -> Option<Kind> {
        match self {
            Handler::Log(_) => property::find(LOG_PROPERTIES, name).map(|p| p.kind),
            Handler::Post(_) => property::find(POST_PROPERTIES, name).map(|p| p.kind),
            Handler::Tcp(_) | Handler::Exec(_) => None,
            Handler::Service(handler) => handler.option(name).map(|(_, kind, _)| *kind),
        }
    }

    /// The handler's own property names.
    pub(crate) fn property_names(&self) -> Vec<&'static str> {
        match self {
            Handler::Log(_) => property::names(LOG_PROPERTIES).collect(),
            Handler::Post(_) => property::names(POST_PROPERTIES).collect(),
            Handler::Tcp(_) | Handler::Exec(_) => Vec::new(),
            Handler::Service(handler) => handler.service().map_or(Vec::new(), |service| {
                service.options.iter().map(|(name, _, _)| *name).collect()
            }),
        }
    }

    /// Applies the handler's own property `name`, if it has it.
    pub(crate) fn apply_property(
        &mut self,
        name: &str,
        args: Vec<Value>,
    ) -> Option<Result<Outcome, PropertyError>> {
        match self {
            Handler::Log(handler) => property::apply(handler, LOG_PROPERTIES, name, args),
            Handler::Post(handler) => property::apply(handler, POST_PROPERTIES, name, args),
            Handler::Tcp(_) | Handler::Exec(_) => None,
            Handler::Service(handler) => {
                let (option, _, signature) = handler.option(name)?;
                Some(option_values(*signature, args).map(|values| {
                    handler.options.push((option.to_string(), values));
                    Outcome::Receiver
                }))
            }
        }
    }

    /// Checks the settings as Kapacitor does, for a script's handlers and topic handlers
    /// alike (the one place a handler's rules are written).
    pub fn validate(&self) -> Result<(), AlertError> {
        match self {
            Handler::Log(log) => {
                if !log.path.starts_with('/') {
                    return Err(AlertError::LogPath(log.path.clone()));
                }
                match log.mode {
                    Some(mode) if mode & 0o200 == 0 => Err(AlertError::FileMode(file_mode(mode))),
                    _ => Ok(()),
                }
            }
            Handler::Post(post) => {
                if post.urls.len() > 1 {
                    return Err(AlertError::PostUrls(post.urls.len()));
                }
                check_target(post.urls.len(), usize::from(post.endpoint.is_some()))?;
                Ok(check_headers(&post.headers)?)
            }
            Handler::Tcp(_) | Handler::Exec(_) | Handler::Service(_) => Ok(()),
        }
    }

    /// The handler as the property calls that configure it.
    fn render(&self) -> String {
        let call = |name: &str, args: String| format!(".{name}({args})");
        let strings = |items: &[String]| {
            items
                .iter()
                .map(|item| quote(item))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Handler::Log(log) => {
                let mode = log
                    .mode
                    .map(|mode| call("mode", format!("0{mode:o}")))
                    .unwrap_or_default();
                format!("{}{mode}", call("log", quote(&log.path)))
            }
            Handler::Post(post) => {
                let mut text = call("post", strings(&post.urls));
                if let Some(endpoint) = &post.endpoint {
                    text += &call("endpoint", quote(endpoint));
                }
                for (key, value) in &post.headers {
                    text += &call("header", format!("{}, {}", quote(key), quote(value)));
                }
                if post.capture_response {
                    text += &call("captureResponse", String::new());
                }
                if let Some(timeout) = post.timeout {
                    text += &call("timeout", timeout.to_influxql());
                }
                if post.skip_ssl_verification {
                    text += &call("skipSSLVerification", String::new());
                }
                text
            }
            Handler::Tcp(tcp) => call("tcp", quote(&tcp.address)),
            Handler::Exec(exec) => call("exec", strings(&exec.command)),
            Handler::Service(service) => {
                let mut text = call(service.service, render_values(&service.args));
                for (option, values) in &service.options {
                    text += &call(option, render_values(values));
                }
                text
            }
        }
    }
}

/// Go's `os.FileMode` string of a permission: `-rw-r--r--`.
fn file_mode(mode: i64) -> String {
    let bits = "rwxrwxrwx";
    let perms: String = bits
        .chars()
        .enumerate()
        .map(|(i, c)| if mode & (1 << (8 - i)) != 0 { c } else { '-' })
        .collect();
    format!("-{perms}")
}

/// An invalid alert.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    /// A flapping threshold above 1.
    #[error("alert flap thresholds are percentages and should be between 0 and 1")]
    Flapping,
    /// A relative log path.
    #[error("log path must be absolute: {0} is not absolute")]
    LogPath(String),
    /// A log file mode without owner write permission.
    #[error("invalid file mode {0}, must be user writable")]
    FileMode(String),
    /// `.post(a, b)`.
    #[error("alert post expects 0 or 1 urls, got {0}")]
    PostUrls(usize),
    /// A post handler without a target or with a forbidden header.
    #[error(transparent)]
    Post(#[from] HttpPostError),
}

impl AlertNode {
    fn add(&mut self, handler: Handler) -> Outcome {
        self.handlers.push(handler);
        Outcome::Handler(self.handlers.len() - 1)
    }

    fn add_service(
        &mut self,
        method: &'static str,
        args: Vec<Value>,
    ) -> Result<Outcome, PropertyError> {
        let signature = service(method).map_or(NONE, |service| service.args);
        let args = option_values(signature, args)?;
        Ok(self.add(Handler::Service(ServiceHandler {
            service: method,
            args,
            options: Vec::new(),
        })))
    }

    fn state_changes_only(&mut self, max_interval: Rest<Duration>) {
        self.state_changes_only = true;
        if let [interval] = max_interval.0[..] {
            self.state_changes_max_interval = Some(interval);
        }
    }
}

/// A service handler property: `service!("slack")`.
macro_rules! service {
    ($method:literal) => {
        property!(Method $method, |n: AlertNode, args: Rest<AnyArg>| {
            n.add_service($method, args.0.into_iter().map(|arg| arg.0).collect())
        })
    };
}

impl NodeSpec for AlertNode {
    const NAMES: Names<'static> = Names {
        method: "alert",
        desc: "alert",
        go_type: "*pipeline.AlertNode",
    };
    const PROPERTIES: &'static [Property<Self>] = &[
        property!(Field "topic", |n: AlertNode, v: String| n.topic = v),
        property!(Field "id", |n: AlertNode, v: String| n.id = v),
        property!(Field "message", |n: AlertNode, v: String| n.message = v),
        property!(Field "details", |n: AlertNode, v: String| n.details = v),
        property!(Field "info", |n: AlertNode, v: Lambda| n.info = Some(v)),
        property!(Field "warn", |n: AlertNode, v: Lambda| n.warn = Some(v)),
        property!(Field "crit", |n: AlertNode, v: Lambda| n.crit = Some(v)),
        property!(Field "infoReset", |n: AlertNode, v: Lambda| n.info_reset = Some(v)),
        property!(Field "warnReset", |n: AlertNode, v: Lambda| n.warn_reset = Some(v)),
        property!(Field "critReset", |n: AlertNode, v: Lambda| n.crit_reset = Some(v)),
        property!(Field "history", |n: AlertNode, v: i64| n.history = v),
        property!(Field "levelTag", |n: AlertNode, v: String| n.level_tag = v),
        property!(Field "levelField", |n: AlertNode, v: String| n.level_field = v),
        property!(Field "messageField", |n: AlertNode, v: String| n.message_field = v),
        property!(Field "durationField", |n: AlertNode, v: String| n.duration_field = v),
        property!(Field "idTag", |n: AlertNode, v: String| n.id_tag = v),
        property!(Field "idField", |n: AlertNode, v: String| n.id_field = v),
        property!(Field "category", |n: AlertNode, v: String| n.category = v),
        property!(Method "all", |n: AlertNode| n.all = true),
        property!(Method "noRecoveries", |n: AlertNode| n.no_recoveries = true),
        property!(Method "stateChangesOnly", |n: AlertNode, max: Rest<Duration>| n.state_changes_only(max)),
        property!(Method "flapping", |n: AlertNode, low: f64, high: f64| n.flapping = Some(Flapping { low, high })),
        property!(Method "inhibit", |n: AlertNode, category: String, tags: Rest<String>| {
            n.inhibits.push(Inhibit { category, equal_tags: tags.0 })
        }),
        property!(Method "log", |n: AlertNode, path: String| n.add(Handler::Log(LogHandler { path, mode: None }))),
        property!(Method "post", |n: AlertNode, urls: Rest<String>| {
            n.add(Handler::Post(PostHandler { urls: urls.0, ..PostHandler::default() }))
        }),
        property!(Method "tcp", |n: AlertNode, address: String| n.add(Handler::Tcp(TcpHandler { address }))),
        property!(Method "exec", |n: AlertNode, program: String, args: Rest<String>| {
            n.add(Handler::Exec(ExecHandler { command: std::iter::once(program).chain(args.0).collect() }))
        }),
        service!("email"),
        service!("victorOps"),
        service!("pagerDuty"),
        service!("pagerDuty2"),
        service!("pushover"),
        service!("sensu"),
        service!("slack"),
        service!("telegram"),
        service!("hipChat"),
        service!("kafka"),
        service!("alerta"),
        service!("opsGenie"),
        service!("opsGenie2"),
        service!("talk"),
        service!("mqtt"),
        service!("snmpTrap"),
        service!("teams"),
        service!("discord"),
        service!("bigPanda"),
        service!("serviceNow"),
        service!("zenoss"),
    ];

    fn validate(&self, _parents: usize) -> Result<(), NodeError> {
        if let Some(Flapping { low, high }) = self.flapping {
            if low > 1.0 || high > 1.0 {
                return Err(AlertError::Flapping.into());
            }
        }
        for handler in &self.handlers {
            handler.validate()?;
        }
        Ok(())
    }

    fn describe(&self, props: &mut Props) {
        props.text("topic", &self.topic);
        let templates = [
            ("id", &self.id, DEFAULT_ID),
            ("message", &self.message, DEFAULT_MESSAGE),
        ];
        for (name, value, default) in
            templates
                .into_iter()
                .chain([("details", &self.details, DEFAULT_DETAILS)])
        {
            if value != default {
                props.put(name, value);
            }
        }
        let levels = [
            ("info", &self.info),
            ("warn", &self.warn),
            ("crit", &self.crit),
            ("infoReset", &self.info_reset),
            ("warnReset", &self.warn_reset),
            ("critReset", &self.crit_reset),
        ];
        for (name, lambda) in levels {
            props.opt(name, lambda.as_ref());
        }
        props.opt(
            "history",
            Some(self.history).filter(|history| *history != DEFAULT_HISTORY),
        );
        for (name, value) in [
            ("levelTag", &self.level_tag),
            ("levelField", &self.level_field),
            ("messageField", &self.message_field),
            ("durationField", &self.duration_field),
            ("idTag", &self.id_tag),
            ("idField", &self.id_field),
            ("category", &self.category),
        ] {
            props.text(name, value);
        }
        props.flag("all", self.all);
        props.flag("noRecoveries", self.no_recoveries);
        match (self.state_changes_only, self.state_changes_max_interval) {
            (true, Some(interval)) => props.put("stateChangesOnly", interval),
            (only, _) => props.flag("stateChangesOnly", only),
        }
        if let Some(Flapping { low, high }) = self.flapping {
            props.put("flapping", format!("{low:?}, {high:?}"));
        }
        for inhibit in &self.inhibits {
            let tags = inhibit.equal_tags.iter().map(|tag| quote(tag));
            let args: Vec<String> = std::iter::once(quote(&inhibit.category))
                .chain(tags)
                .collect();
            props.put("inhibit", args.join(", "));
        }
        for handler in &self.handlers {
            props.put("handler", handler.render());
        }
    }
}

/// `|alert()`.
pub(crate) const CHAINS: &[ChainMethod] = &[chain_method!("alert", || Created::child(
    NodeKind::Alert(AlertNode::default()),
    Edges::Same
))];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_modes_print_like_go() {
        assert_eq!(file_mode(0o644), "-rw-r--r--");
        assert_eq!(file_mode(0o444), "-r--r--r--");
    }
}
