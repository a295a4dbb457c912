//! [`build`]: the running handler of a handler's settings, for the alert node's own
//! handlers (`.log()`, `.post()`, ...) and topic handlers alike.
//!
//! Both kinds of handler are described by the same settings, `tickflow_pipeline`'s
//! [`HandlerSettings`]: a TICKscript's handler properties build them, and a topic
//! handler's `options` are read into them ([`crate::topic::HandlerSpec`]). They are
//! checked in one place, [`HandlerSettings::validate`] (run when a script is built and
//! when a topic handler is defined, with Kapacitor's messages), and built into handlers
//! here, in one place.

use tickflow_pipeline::nodes::alert::{
    Handler as HandlerSettings, PostHandler as PostSettings, ServiceHandler,
};
use tickflow_pipeline::nodes::udf::OptionValue;

use crate::config::{Services, SetupError};
use crate::handlers::{ExecHandler, Handler, LogHandler, MqttHandler, PostHandler, TcpHandler};
use crate::http::{Client, TlsSettings};
use crate::services::workspace::select;
use crate::services::{
    Alerta, BigPanda, Calls, Discord, EmailHandler, HipChat, KafkaHandler, OpsGenie, OpsGenie2,
    PagerDuty, PagerDuty2, PushoverHandler, SensuHandler, ServiceConfigError, ServiceNow,
    SlackConfig, SlackHandler, SnmpTrapHandler, Talk, Teams, TelegramHandler, Unavailable,
    VictorOpsHandler, Zenoss,
};

/// Why settings do not make a running handler.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// A target or endpoint cannot be used.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// A service handler tickflow does not run yet.
    #[error("alert handler .{0}() is not supported by the engine yet")]
    Unsupported(String),
}

/// The running handler of `settings` (already validated); `services` provides the
/// endpoints and brokers.
pub fn build(
    settings: &HandlerSettings,
    services: &Services,
) -> Result<Box<dyn Handler>, BuildError> {
    Ok(match settings {
        HandlerSettings::Log(log) => {
            let mut handler = LogHandler::new(&log.path);
            if let Some(mode) = log.mode.and_then(|m| u32::try_from(m).ok()) {
                handler = handler.with_mode(mode);
            }
            Box::new(handler)
        }
        HandlerSettings::Post(post) => Box::new(post_handler(post, services)?),
        HandlerSettings::Tcp(tcp) => Box::new(TcpHandler::new(&tcp.address)),
        HandlerSettings::Exec(exec) => {
            let program = exec.command.first().cloned().unwrap_or_default();
            let args = exec.command.iter().skip(1).cloned().collect();
            Box::new(ExecHandler::new(program, args))
        }
        HandlerSettings::Service(service) => service_handler(service, services)?,
    })
}

/// A third-party service's handler; a disabled or unconfigured service gives an
/// [`Unavailable`] handler, so the task starts as in Kapacitor.
fn service_handler(
    settings: &ServiceHandler,
    services: &Services,
) -> Result<Box<dyn Handler>, BuildError> {
    let calls = Calls(settings);
    let external = &services.external;
    Ok(match settings.service {
        "mqtt" => Box::new(mqtt_handler(calls, services)?),
        "slack" => {
            let workspace = calls.text("workspace").unwrap_or_default();
            match SlackConfig::select(&external.slack, &workspace) {
                Some(config) if config.enabled => {
                    Box::new(SlackHandler::new(config, calls).map_err(SetupError::from)?)
                }
                Some(_) => Box::new(Unavailable::new("slack", "service is not enabled")),
                None => Box::new(Unavailable::new(
                    "slack",
                    format!("no [[slack]] section for workspace {workspace:?}"),
                )),
            }
        }
        "telegram" => when(external.telegram.enabled, "telegram", || {
            TelegramHandler::new(&external.telegram, calls)
        })?,
        "victorOps" => when(external.victorops.enabled, "victorops", || {
            VictorOpsHandler::new(&external.victorops, calls)
        })?,
        "pagerDuty" => when(external.pagerduty.enabled, "pagerduty", || {
            PagerDuty::handler(&external.pagerduty, calls, &services.client_url)
        })?,
        "pagerDuty2" => when(external.pagerduty2.enabled, "pagerduty2", || {
            PagerDuty2::handler(&external.pagerduty2, calls, &services.client_url)
        })?,
        "opsGenie2" => when(external.opsgenie2.enabled, "opsgenie2", || {
            OpsGenie2::handler(&external.opsgenie2, calls)
        })?,
        "alerta" => when(external.alerta.enabled, "alerta", || {
            Alerta::handler(&external.alerta, calls)
        })?,
        "teams" => when(external.teams.enabled, "teams", || {
            Teams::handler(&external.teams, calls)
        })?,
        "bigPanda" => when(external.bigpanda.enabled, "bigpanda", || {
            BigPanda::handler(&external.bigpanda, calls)
        })?,
        "pushover" => when(external.pushover.enabled, "pushover", || {
            PushoverHandler::new(&external.pushover, calls)
        })?,
        "email" => when(external.smtp.enabled, "smtp", || {
            EmailHandler::new(&external.smtp, calls)
        })?,
        "snmpTrap" => when(external.snmptrap.enabled, "snmptrap", || {
            SnmpTrapHandler::new(&external.snmptrap, calls)
        })?,
        "opsGenie" => when(external.opsgenie.enabled, "opsgenie", || {
            OpsGenie::handler(&external.opsgenie, calls)
        })?,
        "talk" => when(external.talk.enabled, "talk", || {
            Talk::handler(&external.talk)
        })?,
        "hipChat" => when(external.hipchat.enabled, "hipchat", || {
            HipChat::handler(&external.hipchat, calls)
        })?,
        "serviceNow" => when(external.servicenow.enabled, "servicenow", || {
            ServiceNow::handler(&external.servicenow, calls)
        })?,
        "zenoss" => when(external.zenoss.enabled, "zenoss", || {
            Zenoss::handler(&external.zenoss, calls)
        })?,
        "sensu" => when(external.sensu.enabled, "sensu", || {
            SensuHandler::new(&external.sensu, calls)
        })?,
        "discord" => {
            let workspace = calls.text("workspace").unwrap_or_default();
            match select(&external.discord, &workspace) {
                Some(config) => when(config.enabled, "discord", || {
                    Discord::handler(config, calls)
                })?,
                None => Box::new(Unavailable::new(
                    "discord",
                    format!("no [[discord]] section for workspace {workspace:?}"),
                )),
            }
        }
        "kafka" => {
            let cluster = calls.text("cluster").unwrap_or_default();
            match select(&external.kafka, &cluster) {
                Some(config) => when(config.enabled, "kafka", || KafkaHandler::new(config, calls))?,
                None => Box::new(Unavailable::new(
                    "kafka",
                    format!("no [[kafka]] section for cluster {cluster:?}"),
                )),
            }
        }
        other => return Err(BuildError::Unsupported(other.to_string())),
    })
}

/// The handler `make` builds when the service is `enabled`, else an [`Unavailable`]
/// one saying so.
fn when<H: Handler + 'static>(
    enabled: bool,
    service: &'static str,
    make: impl FnOnce() -> Result<H, ServiceConfigError>,
) -> Result<Box<dyn Handler>, BuildError> {
    Ok(match enabled {
        true => Box::new(make().map_err(SetupError::from)?),
        false => Box::new(Unavailable::new(service, "service is not enabled")),
    })
}

/// `.post(url)` or `.post().endpoint(name)`, with headers, response capture and
/// timeout. Validation guarantees exactly one of url and endpoint.
fn post_handler(settings: &PostSettings, services: &Services) -> Result<PostHandler, SetupError> {
    let mut handler = match &settings.endpoint {
        Some(name) => PostHandler::for_endpoint(services.endpoint(name)?)?,
        None => PostHandler::new(settings.urls.first().map_or("", String::as_str))?,
    };
    if settings.skip_ssl_verification {
        handler = handler.with_client(Client::new(&TlsSettings {
            insecure_skip_verify: true,
            ..TlsSettings::default()
        })?);
    }
    let mut handler = handler
        .with_headers(settings.headers.iter().cloned())
        .with_capture_response(settings.capture_response);
    if let Some(timeout) = settings.timeout {
        handler = handler.with_timeout(std_duration(timeout));
    }
    Ok(handler)
}

/// `.mqtt(topic)` with `.brokerName()`, `.qos()` and `.retained()` (validation
/// guarantees their types).
fn mqtt_handler(calls: Calls<'_>, services: &Services) -> Result<MqttHandler, SetupError> {
    let topic = match calls.0.args.first() {
        Some(OptionValue::String(topic)) => topic.clone(),
        _ => String::new(),
    };
    Ok(MqttHandler::new(
        &services.mqtt,
        &calls.text("brokerName").unwrap_or_default(),
        topic,
        calls.int("qos").unwrap_or(0),
        calls.flag("retained"),
    )?)
}

/// A script duration as a std one (negative durations become zero).
pub fn std_duration(d: tickflow_model::Duration) -> std::time::Duration {
    std::time::Duration::from_nanos(u64::try_from(d.nanos()).unwrap_or(0))
}
