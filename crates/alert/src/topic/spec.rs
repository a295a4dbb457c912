//! [`HandlerSpec`]: a topic handler as the alerts API and handler files define it (`id`,
//! `kind`, `options`, `match`), and [`HandlerSpec::build`], which turns it into a running
//! [`Handler`] with the same implementations the alert node's own handlers use.
//!
//! Kinds and options (Kapacitor's handler-file names): `log` (`path`, `mode`), `post`
//! (`url` or `endpoint`, `headers`, `capture-response`, `timeout`,
//! `skip-ssl-verification`), `tcp` (`address`), `exec` (`prog`, `args`), `mqtt`
//! (`broker-name`, `topic`, `qos`, `retained`).

use serde_json::{Map, Value};

use crate::config::{Services, SetupError};
use crate::handlers::{ExecHandler, Handler, LogHandler, MqttHandler, PostHandler, TcpHandler};
use crate::topic::options::{OptionError, Options};

/// The handler kinds topics can run.
pub const KINDS: [&str; 5] = ["log", "post", "tcp", "exec", "mqtt"];

/// A topic handler's definition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandlerSpec {
    /// The handler's id, unique within its topic.
    pub id: String,
    /// What it does: one of [`KINDS`].
    pub kind: String,
    /// The kind's settings.
    pub options: Map<String, Value>,
    /// A filter expression; only the empty one (every event) is supported.
    pub match_expr: String,
}

/// Why a handler definition cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    /// The id is empty or has characters Kapacitor's ids may not have.
    #[error("invalid handler id {0:?}: ids may only contain letters, digits, '-', '.' and '_'")]
    Id(String),
    /// A kind tickflow does not run.
    #[error("unsupported handler kind {kind:?}, expected one of {}", KINDS.join(", "))]
    Kind {
        /// The kind given.
        kind: String,
    },
    /// A non-empty `match` expression.
    #[error("handler match expressions are not supported: {0:?}")]
    Match(String),
    /// An option is unknown, missing or of the wrong type.
    #[error(transparent)]
    Option(#[from] OptionError),
    /// A log path that is not absolute.
    #[error("log path must be absolute: {0:?} is not absolute")]
    LogPath(String),
    /// A log mode without owner-write permission.
    #[error("invalid file mode {0:o}, must be user writable")]
    Mode(i64),
    /// A post handler with neither or both of `url` and `endpoint`.
    #[error("a post handler needs exactly one of options \"url\" and \"endpoint\"")]
    PostTarget,
    /// The target or endpoint cannot be used.
    #[error(transparent)]
    Setup(#[from] SetupError),
}

/// Whether `id` is a valid Kapacitor id: letters, digits, `-`, `.` and `_`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

impl HandlerSpec {
    /// The running handler; `services` provides endpoints.
    pub fn build(&self, services: &Services) -> Result<Box<dyn Handler>, SpecError> {
        if !valid_id(&self.id) {
            return Err(SpecError::Id(self.id.clone()));
        }
        if !self.match_expr.trim().is_empty() {
            return Err(SpecError::Match(self.match_expr.clone()));
        }
        let kind = self.kind.as_str();
        Ok(match kind {
            "log" => Box::new(log(&Options::new(kind, &self.options, &["path", "mode"])?)?),
            "post" => Box::new(post(&Options::new(kind, &self.options, POST)?, services)?),
            "tcp" => {
                let options = Options::new(kind, &self.options, &["address"])?;
                Box::new(TcpHandler::new(options.required("address")?))
            }
            "exec" => {
                let options = Options::new(kind, &self.options, &["prog", "args"])?;
                Box::new(ExecHandler::new(
                    options.required("prog")?,
                    options.strings("args")?,
                ))
            }
            "mqtt" => Box::new(mqtt(&Options::new(kind, &self.options, MQTT)?, services)?),
            _ => {
                return Err(SpecError::Kind {
                    kind: self.kind.clone(),
                })
            }
        })
    }
}

const POST: &[&str] = &[
    "url",
    "endpoint",
    "headers",
    "capture-response",
    "timeout",
    "skip-ssl-verification",
];

const MQTT: &[&str] = &["broker-name", "topic", "qos", "retained"];

fn mqtt(options: &Options<'_>, services: &Services) -> Result<MqttHandler, SpecError> {
    let broker = options.string("broker-name")?.unwrap_or_default();
    let handler = MqttHandler::new(
        &services.mqtt,
        &broker,
        options.required("topic")?,
        options.int("qos")?.unwrap_or(0),
        options.flag("retained")?,
    );
    Ok(handler.map_err(SetupError::from)?)
}

fn log(options: &Options<'_>) -> Result<LogHandler, SpecError> {
    let path = options.required("path")?;
    if !path.starts_with('/') {
        return Err(SpecError::LogPath(path));
    }
    let mut handler = LogHandler::new(path);
    if let Some(mode) = options.int("mode")? {
        match u32::try_from(mode) {
            Ok(mode) if mode & 0o200 != 0 => handler = handler.with_mode(mode),
            _ => return Err(SpecError::Mode(mode)),
        }
    }
    Ok(handler)
}

fn post(options: &Options<'_>, services: &Services) -> Result<PostHandler, SpecError> {
    let handler = match (options.string("url")?, options.string("endpoint")?) {
        (Some(url), None) => PostHandler::new(&url).map_err(SetupError::from)?,
        (None, Some(name)) => {
            let endpoint = services.endpoint(&name).map_err(SetupError::from)?;
            PostHandler::for_endpoint(endpoint)?
        }
        _ => return Err(SpecError::PostTarget),
    };
    // `skip-ssl-verification` is accepted for compatibility: only http:// is posted to.
    options.flag("skip-ssl-verification")?;
    let mut handler = handler
        .with_headers(options.string_map("headers")?)
        .with_capture_response(options.flag("capture-response")?);
    if let Some(timeout) = options.duration("timeout")? {
        handler = handler.with_timeout(timeout);
    }
    Ok(handler)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(kind: &str, options: Value) -> HandlerSpec {
        HandlerSpec {
            id: "h".into(),
            kind: kind.into(),
            options: options.as_object().cloned().expect("an object"),
            match_expr: String::new(),
        }
    }

    fn error(spec: &HandlerSpec) -> String {
        spec.build(&Services::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn each_kind_builds_its_handler() {
        let services = Services::default();
        let cases = [
            spec("log", json!({"path": "/tmp/x.log", "mode": 420})),
            spec(
                "post",
                json!({"url": "http://h:1/", "headers": {"a": "b"}, "timeout": "2s"}),
            ),
            spec("tcp", json!({"address": "localhost:9"})),
            spec("exec", json!({"prog": "/bin/cat", "args": ["-u"]})),
        ];
        let described: Vec<String> = cases
            .iter()
            .map(|s| s.build(&services).expect("builds").describe())
            .collect();
        assert_eq!(
            described,
            [
                "log \"/tmp/x.log\"",
                "post \"http://h:1/\"",
                "tcp \"localhost:9\"",
                "exec \"/bin/cat\""
            ]
        );
    }

    #[test]
    fn bad_definitions_are_explained() {
        assert_eq!(
            error(&spec("slack", json!({}))),
            "unsupported handler kind \"slack\", expected one of log, post, tcp, exec, mqtt"
        );
        assert_eq!(
            error(&spec("log", json!({"path": "x.log"}))),
            "log path must be absolute: \"x.log\" is not absolute"
        );
        assert_eq!(
            error(&spec("log", json!({"path": "/x.log", "mode": 0o444}))),
            "invalid file mode 444, must be user writable"
        );
        assert_eq!(
            error(&spec("post", json!({}))),
            "a post handler needs exactly one of options \"url\" and \"endpoint\""
        );
        assert_eq!(
            error(&spec("post", json!({"endpoint": "nope"}))),
            "unknown httppost endpoint \"nope\""
        );
        let mut matching = spec("tcp", json!({"address": "h:1"}));
        matching.match_expr = "level() == CRITICAL".into();
        assert_eq!(
            error(&matching),
            "handler match expressions are not supported: \"level() == CRITICAL\""
        );
        assert_eq!(
            error(&spec("mqtt", json!({"topic": "alerts"}))),
            "no default mqtt broker: configure one [[mqtt]] section, mark one default, or use .brokerName()"
        );
        let mut bad_id = spec("tcp", json!({"address": "h:1"}));
        bad_id.id = "a/b".into();
        assert!(error(&bad_id).starts_with("invalid handler id \"a/b\""));
    }
}
