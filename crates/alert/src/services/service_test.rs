//! Service tests (`/kapacitor/v1/service-tests`, Chronograf's "Test" button): each
//! service's test options with Kapacitor's defaults ([`service_tests`]) and
//! [`run_test`], which sends one test alert through the configured service with those
//! options (the handler's own options plus `message` and `level`).

use serde_json::{json, Map, Value};
use tickflow_model::{Duration, Time};

use crate::config::Services;
use crate::data::{AlertData, Level};
use crate::topic::HandlerSpec;

/// Why a service test did not run or did not deliver.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// No service of that name can be tested.
    #[error("service {0:?} not found")]
    Unknown(String),
    /// The options are not the service's, or `level` names no level.
    #[error("{0}")]
    Options(String),
    /// The test alert was not delivered.
    #[error("{0}")]
    Failed(String),
}

/// The services that can be tested, each with its default test options.
pub fn service_tests() -> Vec<(&'static str, Value)> {
    vec![
        (
            "slack",
            json!({
                "workspace": "",
                "channel": "",
                "username": "",
                "icon-emoji": "",
                "message": "test slack message",
                "level": "CRITICAL",
            }),
        ),
        (
            "telegram",
            json!({
                "chat-id": "",
                "parse-mode": "",
                "disable-web-page-preview": false,
                "disable-notification": false,
                "message": "test telegram message",
            }),
        ),
        (
            "victorops",
            json!({
                "routing-key": "",
                "message": "test victorops message",
                "level": "CRITICAL",
            }),
        ),
        (
            "pagerduty",
            json!({
                "service-key": "",
                "message": "test pagerduty message",
                "level": "CRITICAL",
            }),
        ),
        (
            "pagerduty2",
            json!({
                "routing-key": "",
                "message": "test pagerduty2 message",
                "level": "CRITICAL",
            }),
        ),
        (
            "opsgenie2",
            json!({
                "teams-list": [],
                "recipients-list": [],
                "message": "test opsgenie message",
                "level": "CRITICAL",
            }),
        ),
        (
            "alerta",
            json!({
                "resource": "testResource",
                "event": "testEvent",
                "environment": "",
                "group": "testGroup",
                "value": "testValue",
                "origin": "",
                "service": ["testServiceA", "testServiceB"],
                "correlate": ["testServiceX", "testServiceY"],
                "timeout": "24h0m0s",
                "message": "test alerta message",
                "level": "CRITICAL",
            }),
        ),
        (
            "teams",
            json!({
                "channel-url": "",
                "message": "test teams message",
                "level": "CRITICAL",
            }),
        ),
        (
            "discord",
            json!({
                "workspace": "",
                "username": "",
                "avatar-url": "",
                "embed-title": "Kapacitor Alert",
                "message": "test discord message",
                "level": "INFO",
            }),
        ),
        (
            "bigpanda",
            json!({
                "app-key": "",
                "message": "test bigpanda message",
                "level": "CRITICAL",
            }),
        ),
        (
            "smtp",
            json!({
                "to": [],
                "subject": "test subject",
                "body": "test body",
            }),
        ),
        (
            "opsgenie",
            json!({
                "teams-list": [],
                "recipients-list": [],
                "message": "test opsgenie message",
                "level": "CRITICAL",
            }),
        ),
        ("talk", json!({"message": "test talk message"})),
        (
            "hipchat",
            json!({
                "room": "",
                "message": "test hipchat message",
                "level": "CRITICAL",
            }),
        ),
        (
            "servicenow",
            json!({
                "source": "",
                "node": "",
                "type": "",
                "resource": "",
                "metric-name": "",
                "message-key": "",
                "message": "test servicenow message",
                "level": "CRITICAL",
            }),
        ),
        (
            "zenoss",
            json!({
                "summary": "",
                "device": "",
                "component": "",
                "evclasskey": "",
                "evclass": "",
                "message": "test zenoss message",
                "level": "CRITICAL",
            }),
        ),
        (
            "sensu",
            json!({
                "source": "Kapacitor",
                "handlers": [],
                "message": "test sensu message",
                "level": "CRITICAL",
            }),
        ),
        (
            "snmptrap",
            json!({
                "trap-oid": "1.1.1.1",
                "data-list": [],
                "message": "test snmptrap message",
                "level": "CRITICAL",
            }),
        ),
        (
            "kafka",
            json!({
                "cluster": "example",
                "topic": "test",
                "key": "key",
                "message": "test kafka message",
            }),
        ),
        (
            "pushover",
            json!({
                "device": "",
                "title": "",
                "url": "",
                "url-title": "",
                "sound": "",
                "message": "test pushover message",
                "level": "CRITICAL",
            }),
        ),
    ]
}

/// Sends one test alert through service `name` with `options` over its defaults.
pub fn run_test(
    services: &Services,
    name: &str,
    options: &Map<String, Value>,
) -> Result<(), TestError> {
    let (_, defaults) = (service_tests().into_iter())
        .find(|(service, _)| *service == name)
        .ok_or_else(|| TestError::Unknown(name.to_owned()))?;
    let mut merged = match defaults {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    merged.extend(options.clone());
    let text = |value: Option<Value>| value.and_then(|v| v.as_str().map(str::to_owned));
    // The smtp test names its message `subject` and its HTML `body`.
    let message = text(
        merged
            .remove("message")
            .or_else(|| merged.remove("subject")),
    );
    let message = message.unwrap_or_default();
    let details = text(merged.remove("body")).unwrap_or_default();
    // The kafka test names the record's key, the alert id.
    let id = text(merged.remove("key")).unwrap_or_else(|| format!("{name}.test"));
    let level = match text(merged.remove("level")) {
        Some(name) => Level::from_name(&name)
            .ok_or_else(|| TestError::Options(format!("invalid level {name:?}")))?,
        None => Level::Critical,
    };
    let kind = match name {
        "smtp" => "email",
        other => other,
    };
    let spec = HandlerSpec {
        id: "service-test".into(),
        kind: kind.to_owned(),
        options: merged,
        match_expr: String::new(),
    };
    let handler = spec
        .build(services)
        .map_err(|e| TestError::Options(e.to_string()))?;
    let event = AlertData {
        // A name Sensu accepts (`^[\w.-]+$`).
        id,
        message,
        details,
        time: Time::now(),
        duration: Duration::ZERO,
        level,
        data: Vec::new(),
        previous_level: Level::Ok,
        recoverable: true,
    };
    handler
        .handle(&event)
        .map_err(|e| TestError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_services_default_options_are_its_handlers() {
        for (name, _) in service_tests() {
            match run_test(&Services::default(), name, &Map::new()) {
                Err(TestError::Failed(message)) => assert!(
                    message.contains("not enabled") || message.contains("no [["),
                    "{name}: {message}"
                ),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(matches!(
            run_test(&Services::default(), "aggregate", &Map::new()),
            Err(TestError::Unknown(_))
        ));
    }
}
