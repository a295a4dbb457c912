//! [`HandlerSpec`]: a topic handler as the alerts API and handler files define it (`id`,
//! `kind`, `options`, `match`), and [`HandlerSpec::build`], which reads its options into
//! the handler settings a TICKscript's handlers make, checks them with the same rules and
//! builds the handler with the same builder ([`crate::handlers::build`]).
//!
//! Kinds and options (Kapacitor's handler-file names): `log` (`path`, `mode`), `post`
//! (`url` or `endpoint`, `headers`, `capture-response`, `timeout`,
//! `skip-ssl-verification`), `tcp` (`address`), `exec` (`prog`, `args`), `mqtt`
//! (`broker-name`, `topic`, `qos`, `retained`), and the services: `slack`, `telegram`,
//! `victorops`, `pagerduty`, `pagerduty2`, `opsgenie2`, `alerta`, `teams`, `discord`,
//! `bigpanda`, `pushover`, `opsgenie`, `talk`, `hipchat`, `servicenow`, `zenoss`,
//! `sensu`, `email`, `snmptrap` (`trap-oid`, `data-list` of `oid`/`type`/`value`) with Kapacitor's option names (see [`SERVICES`]).

use serde_json::{Map, Value};
use tickflow_model::Duration;
use tickflow_pipeline::nodes::alert::{
    AlertError, ExecHandler, Handler as HandlerSettings, LogHandler, PostHandler, ServiceHandler,
    TcpHandler,
};
use tickflow_pipeline::nodes::udf::OptionValue;

use crate::config::{Services, SetupError};
use crate::handlers::{build, BuildError, Handler};
use crate::topic::matcher::{Match, MatchError};
use crate::topic::options::{OptionError, Options};

/// The handler kinds topics can run.
pub const KINDS: [&str; 25] = [
    "log",
    "post",
    "tcp",
    "exec",
    "mqtt",
    "slack",
    "telegram",
    "victorops",
    "pagerduty",
    "pagerduty2",
    "opsgenie2",
    "alerta",
    "teams",
    "discord",
    "bigpanda",
    "pushover",
    "opsgenie",
    "talk",
    "hipchat",
    "servicenow",
    "zenoss",
    "sensu",
    "email",
    "snmptrap",
    "kafka",
];

/// A topic handler's definition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandlerSpec {
    /// The handler's id, unique within its topic.
    pub id: String,
    /// What it does: one of [`KINDS`].
    pub kind: String,
    /// The kind's settings.
    pub options: Map<String, Value>,
    /// A filter expression ([`Match`]); empty for every event.
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
    /// The `match` expression does not parse or check.
    #[error(transparent)]
    Match(#[from] MatchError),
    /// An option is unknown, missing or of the wrong type.
    #[error(transparent)]
    Option(#[from] OptionError),
    /// The settings break a handler's rules (Kapacitor's messages).
    #[error(transparent)]
    Invalid(#[from] AlertError),
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
    /// The running handler; `services` provides endpoints and brokers.
    pub fn build(&self, services: &Services) -> Result<Box<dyn Handler>, SpecError> {
        let settings = self.settings()?;
        settings.validate()?;
        build(&settings, services).map_err(|err| match err {
            BuildError::Setup(source) => SpecError::Setup(source),
            BuildError::Unsupported(kind) => SpecError::Kind { kind },
        })
    }

    /// The handler's `match` expression; `None` when empty (every event matches).
    pub fn matcher(&self) -> Result<Option<Match>, MatchError> {
        match self.match_expr.trim() {
            "" => Ok(None),
            source => Match::parse(source).map(Some),
        }
    }

    /// The options read into the settings a TICKscript handler of this kind makes.
    fn settings(&self) -> Result<HandlerSettings, SpecError> {
        if !valid_id(&self.id) {
            return Err(SpecError::Id(self.id.clone()));
        }
        self.matcher()?;
        let kind = self.kind.as_str();
        let options = |known| Options::new(kind, &self.options, known);
        Ok(match kind {
            "log" => log(&options(&["path", "mode"])?)?,
            "post" => post(&options(POST)?)?,
            "tcp" => HandlerSettings::Tcp(TcpHandler {
                address: options(&["address"])?.required("address")?,
            }),
            "exec" => {
                let options = options(&["prog", "args"])?;
                let mut command = vec![options.required("prog")?];
                command.extend(options.strings("args")?);
                HandlerSettings::Exec(ExecHandler { command })
            }
            "mqtt" => mqtt(&options(MQTT)?)?,
            "snmptrap" => snmptrap(&options(&["trap-oid", "data-list"])?)?,
            kind => match SERVICES.iter().find(|keys| keys.kind == kind) {
                Some(keys) => service(keys, &self.options)?,
                None => {
                    return Err(SpecError::Kind {
                        kind: self.kind.clone(),
                    })
                }
            },
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

/// Option keys: the handler file's key and the TICKscript property it stands for.
type Keys = &'static [(&'static str, &'static str)];

/// A service's topic-handler kind and its options by type.
pub struct ServiceKeys {
    /// The handler file's `kind`.
    pub kind: &'static str,
    /// The TICKscript property (`victorOps`).
    pub property: &'static str,
    /// String options.
    texts: Keys,
    /// Boolean options.
    flags: Keys,
    /// String list options.
    lists: Keys,
    /// Duration options.
    durations: Keys,
    /// Integer options.
    ints: Keys,
}

const fn texts(kind: &'static str, property: &'static str, texts: Keys) -> ServiceKeys {
    ServiceKeys {
        kind,
        property,
        texts,
        flags: &[],
        lists: &[],
        durations: &[],
        ints: &[],
    }
}

/// The services topics can run, with their options.
pub const SERVICES: &[ServiceKeys] = &[
    texts(
        "slack",
        "slack",
        &[
            ("workspace", "workspace"),
            ("channel", "channel"),
            ("username", "username"),
            ("icon-emoji", "iconEmoji"),
        ],
    ),
    ServiceKeys {
        flags: &[
            ("disable-web-page-preview", "disableWebPagePreview"),
            ("disable-notification", "disableNotification"),
        ],
        ..texts(
            "telegram",
            "telegram",
            &[("chat-id", "chatId"), ("parse-mode", "parseMode")],
        )
    },
    texts("victorops", "victorOps", &[("routing-key", "routingKey")]),
    texts("pagerduty", "pagerDuty", &[("service-key", "serviceKey")]),
    texts("pagerduty2", "pagerDuty2", &[("routing-key", "routingKey")]),
    ServiceKeys {
        lists: &[("teams-list", "teams"), ("recipients-list", "recipients")],
        ..texts(
            "opsgenie2",
            "opsGenie2",
            &[("recovery-action", "recoveryAction")],
        )
    },
    ServiceKeys {
        lists: &[("service", "services"), ("correlate", "correlated")],
        durations: &[("timeout", "timeout")],
        ..texts(
            "alerta",
            "alerta",
            &[
                ("token", "token"),
                ("resource", "resource"),
                ("event", "event"),
                ("environment", "environment"),
                ("group", "group"),
                ("value", "value"),
                ("origin", "origin"),
            ],
        )
    },
    texts("teams", "teams", &[("channel-url", "channelURL")]),
    texts(
        "discord",
        "discord",
        &[
            ("workspace", "workspace"),
            ("username", "username"),
            ("avatar-url", "avatarURL"),
            ("embed-title", "embedTitle"),
        ],
    ),
    texts(
        "bigpanda",
        "bigPanda",
        &[
            ("app-key", "appKey"),
            ("primary-property", "primaryProperty"),
            ("secondary-property", "secondaryProperty"),
        ],
    ),
    texts(
        "pushover",
        "pushover",
        &[
            ("user-key", "userKey"),
            ("device", "device"),
            ("title", "title"),
            ("url", "uRL"),
            ("url-title", "uRLTitle"),
            ("sound", "sound"),
        ],
    ),
    ServiceKeys {
        lists: &[("teams-list", "teams"), ("recipients-list", "recipients")],
        ..texts("opsgenie", "opsGenie", &[])
    },
    texts("talk", "talk", &[]),
    texts(
        "hipchat",
        "hipChat",
        &[("room", "room"), ("token", "token")],
    ),
    texts(
        "servicenow",
        "serviceNow",
        &[
            ("source", "source"),
            ("node", "node"),
            ("type", "type"),
            ("resource", "resource"),
            ("metric-name", "metricName"),
            ("message-key", "messageKey"),
        ],
    ),
    ServiceKeys {
        ints: &[("tid", "tid")],
        ..texts(
            "zenoss",
            "zenoss",
            &[
                ("action", "action"),
                ("method", "method"),
                ("type", "type"),
                ("summary", "summary"),
                ("device", "device"),
                ("component", "component"),
                ("evclasskey", "eventClassKey"),
                ("evclass", "eventClass"),
                ("collector", "collector"),
                ("message", "message"),
            ],
        )
    },
    ServiceKeys {
        lists: &[("handlers", "handlers")],
        ..texts("sensu", "sensu", &[("source", "source")])
    },
    ServiceKeys {
        lists: &[("to", "to")],
        ..texts("email", "email", &[])
    },
    ServiceKeys {
        flags: &[("disable-partition-by-id", "disablePartitionById")],
        ..texts(
            "kafka",
            "kafka",
            &[
                ("cluster", "cluster"),
                ("topic", "kafkaTopic"),
                ("template", "template"),
                ("partition-hash-algorithm", "partitionHashAlgorithm"),
            ],
        )
    },
];

/// A service's options as the TICKscript property calls make them.
fn service(
    keys: &ServiceKeys,
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<HandlerSettings, SpecError> {
    let all = [
        keys.texts,
        keys.flags,
        keys.lists,
        keys.durations,
        keys.ints,
    ];
    let known: Vec<&str> = all
        .iter()
        .flat_map(|k| k.iter())
        .map(|(key, _)| *key)
        .collect();
    let options = Options::new(keys.kind, map, &known)?;
    let mut calls = Vec::new();
    let mut call = |property: &str, values| calls.push((property.to_string(), values));
    for (key, property) in keys.texts {
        if let Some(text) = options.string(key)? {
            call(property, vec![OptionValue::String(text)]);
        }
    }
    for (key, property) in keys.flags {
        if options.flag(key)? {
            call(property, Vec::new());
        }
    }
    for (key, property) in keys.lists {
        let values: Vec<OptionValue> = (options.strings(key)?.into_iter())
            .map(OptionValue::String)
            .collect();
        if !values.is_empty() {
            call(property, values);
        }
    }
    for (key, property) in keys.ints {
        if let Some(n) = options.int(key)? {
            call(property, vec![OptionValue::Int(n)]);
        }
    }
    for (key, property) in keys.durations {
        if let Some(d) = options.duration(key)? {
            let nanos = i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
            call(
                property,
                vec![OptionValue::Duration(Duration::from_nanos(nanos))],
            );
        }
    }
    Ok(HandlerSettings::Service(ServiceHandler {
        service: keys.property,
        args: Vec::new(),
        options: calls,
    }))
}

fn log(options: &Options<'_>) -> Result<HandlerSettings, SpecError> {
    Ok(HandlerSettings::Log(LogHandler {
        path: options.required("path")?,
        mode: options.int("mode")?,
    }))
}

fn post(options: &Options<'_>) -> Result<HandlerSettings, SpecError> {
    let timeout = options
        .duration("timeout")?
        .map(|d| Duration::from_nanos(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)));
    Ok(HandlerSettings::Post(PostHandler {
        urls: options.string("url")?.into_iter().collect(),
        endpoint: options.string("endpoint")?,
        headers: options.string_map("headers")?,
        capture_response: options.flag("capture-response")?,
        timeout,
        skip_ssl_verification: options.flag("skip-ssl-verification")?,
    }))
}

/// The `snmptrap` options as the `.snmpTrap(oid).data(oid, type, value)` calls make
/// them; each `data-list` entry is an object of strings (a number value is taken as its
/// text, as Kapacitor's handler files write `value: 50`).
fn snmptrap(options: &Options<'_>) -> Result<HandlerSettings, SpecError> {
    let calls = (options.objects("data-list")?.iter())
        .map(|entry| {
            let field = |key: &str| match entry.get(key) {
                Some(Value::String(text)) => Ok(OptionValue::String(text.clone())),
                Some(Value::Number(n)) => Ok(OptionValue::String(n.to_string())),
                other => Err(OptionError::Type {
                    option: format!("data-list.{key}"),
                    want: "a string",
                    got: other.map_or("nothing".into(), Value::to_string),
                }),
            };
            Ok((
                "data".to_string(),
                vec![field("oid")?, field("type")?, field("value")?],
            ))
        })
        .collect::<Result<Vec<_>, OptionError>>()?;
    Ok(HandlerSettings::Service(ServiceHandler {
        service: "snmpTrap",
        args: vec![OptionValue::String(options.required("trap-oid")?)],
        options: calls,
    }))
}

/// The `mqtt` options as the `.mqtt(topic).brokerName().qos().retained()` calls make them.
fn mqtt(options: &Options<'_>) -> Result<HandlerSettings, SpecError> {
    let mut calls = Vec::new();
    if let Some(broker) = options.string("broker-name")? {
        calls.push(("brokerName".to_string(), vec![OptionValue::String(broker)]));
    }
    if let Some(qos) = options.int("qos")? {
        calls.push(("qos".to_string(), vec![OptionValue::Int(qos)]));
    }
    if options.flag("retained")? {
        calls.push(("retained".to_string(), vec![OptionValue::Bool(true)]));
    }
    Ok(HandlerSettings::Service(ServiceHandler {
        service: "mqtt",
        args: vec![OptionValue::String(options.required("topic")?)],
        options: calls,
    }))
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
            spec("slack", json!({"channel": "#ops"})),
            spec("telegram", json!({"disable-notification": true})),
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
                "exec \"/bin/cat\"",
                "slack (unavailable)",
                "telegram (unavailable)"
            ]
        );
    }

    #[test]
    fn bad_definitions_are_explained() {
        assert_eq!(
            error(&spec("aggregate", json!({}))),
            format!(
                "unsupported handler kind \"aggregate\", expected one of {}",
                KINDS.join(", ")
            )
        );
        assert_eq!(
            error(&spec("log", json!({"path": "x.log"}))),
            "log path must be absolute: x.log is not absolute"
        );
        assert_eq!(
            error(&spec("log", json!({"path": "/x.log", "mode": 0o444}))),
            "invalid file mode -r--r--r--, must be user writable"
        );
        assert_eq!(
            error(&spec("post", json!({}))),
            "must provide url or endpoint"
        );
        assert_eq!(
            error(&spec("post", json!({"endpoint": "nope"}))),
            "unknown httppost endpoint \"nope\""
        );
        let mut matching = spec("tcp", json!({"address": "h:1"}));
        matching.match_expr = "level() ==".into();
        assert!(error(&matching).starts_with("invalid match expression \"level() ==\": "));
        assert_eq!(
            error(&spec("mqtt", json!({"topic": "alerts"}))),
            "no default mqtt broker: configure one [[mqtt]] section, mark one default, or use .brokerName()"
        );
        let mut bad_id = spec("tcp", json!({"address": "h:1"}));
        bad_id.id = "a/b".into();
        assert!(error(&bad_id).starts_with("invalid handler id \"a/b\""));
    }
}
