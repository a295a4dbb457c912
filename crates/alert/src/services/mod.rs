//! Third-party alert services over HTTP: their configuration sections with Kapacitor's
//! names and defaults ([`ServiceConfigs`]: `[[slack]]`, `[telegram]`, `[victorops]`,
//! `[pagerduty]`, `[pagerduty2]`, `[opsgenie2]`, `[alerta]`, `[teams]`, `[[discord]]`,
//! `[bigpanda]`, `[pushover]`, `[opsgenie]`, `[talk]`, `[hipchat]`, `[servicenow]`,
//! `[zenoss]`, `[sensu]`, `[smtp]`, `[snmptrap]`, `[[kafka]]`) and the handlers that send what Kapacitor sends to them.
//! A service that POSTs one JSON body per event is a [`Payload`] run by [`PostService`];
//! its file holds its section and its body only.
//!
//! [`run_test`] sends a test alert through a configured service (the service-tests API).
//!
//! A handler whose service is disabled or not configured still lets the task start, as
//! in Kapacitor: it is an [`Unavailable`] handler whose every event is a counted error
//! saying why.

mod alerta;
mod basic_auth;
mod bigpanda;
mod calls;
mod discord;
mod email;
pub mod event;
mod hipchat;
mod json_post;
mod kafka;
pub mod one_or_many;
mod opsgenie;
mod opsgenie2;
mod pagerduty;
mod pagerduty2;
mod payload;
mod pushover;
mod sensu;
mod service_test;
mod servicenow;
mod slack;
mod snmptrap;
mod talk;
mod teams;
mod telegram;
mod templates;
mod unavailable;
mod victorops;
pub mod workspace;
mod zenoss;

pub use alerta::{Alerta, AlertaConfig};
pub use bigpanda::{BigPanda, BigPandaConfig};
pub use calls::Calls;
pub use discord::{Discord, DiscordConfig};
pub use email::{EmailHandler, SmtpConfig};
pub use hipchat::{HipChat, HipChatConfig};
pub use json_post::JsonPost;
pub use kafka::{HashAlgorithm, KafkaConfig, KafkaHandler, Partitioner};
pub use opsgenie::{OpsGenie, OpsGenieConfig};
pub use opsgenie2::{OpsGenie2, OpsGenie2Config};
pub use pagerduty::{PagerDuty, PagerDutyConfig};
pub use pagerduty2::{PagerDuty2, PagerDuty2Config};
pub use payload::{Payload, PostService};
pub use pushover::{PushoverConfig, PushoverHandler};
pub use sensu::{SensuConfig, SensuHandler};
pub use service_test::{run_test, service_tests, TestError};
pub use servicenow::{ServiceNow, ServiceNowConfig};
pub use slack::{SlackConfig, SlackHandler};
pub use snmptrap::{SnmpTrapConfig, SnmpTrapHandler};
pub use talk::{Talk, TalkConfig};
pub use teams::{Teams, TeamsConfig};
pub use telegram::{TelegramConfig, TelegramHandler};
pub use unavailable::Unavailable;
pub use victorops::{VictorOpsConfig, VictorOpsHandler};
pub use zenoss::{SeverityMap, Zenoss, ZenossConfig};

use serde::{Deserialize, Serialize};

use crate::http::HttpError;

/// The configured services, as written in the configuration file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ServiceConfigs {
    /// `[[slack]]` (or one `[slack]`): workspaces.
    #[serde(default, deserialize_with = "one_or_many::deserialize")]
    pub slack: Vec<SlackConfig>,
    /// `[telegram]`.
    #[serde(default)]
    pub telegram: TelegramConfig,
    /// `[victorops]`.
    #[serde(default)]
    pub victorops: VictorOpsConfig,
    /// `[pagerduty]`.
    #[serde(default)]
    pub pagerduty: PagerDutyConfig,
    /// `[pagerduty2]`.
    #[serde(default)]
    pub pagerduty2: PagerDuty2Config,
    /// `[opsgenie2]`.
    #[serde(default)]
    pub opsgenie2: OpsGenie2Config,
    /// `[alerta]`.
    #[serde(default)]
    pub alerta: AlertaConfig,
    /// `[teams]`.
    #[serde(default)]
    pub teams: TeamsConfig,
    /// `[[discord]]` (or one `[discord]`): workspaces.
    #[serde(default, deserialize_with = "one_or_many::deserialize")]
    pub discord: Vec<DiscordConfig>,
    /// `[bigpanda]`.
    #[serde(default)]
    pub bigpanda: BigPandaConfig,
    /// `[pushover]`.
    #[serde(default)]
    pub pushover: PushoverConfig,
    /// `[opsgenie]`.
    #[serde(default)]
    pub opsgenie: OpsGenieConfig,
    /// `[talk]`.
    #[serde(default)]
    pub talk: TalkConfig,
    /// `[hipchat]`.
    #[serde(default)]
    pub hipchat: HipChatConfig,
    /// `[servicenow]`.
    #[serde(default)]
    pub servicenow: ServiceNowConfig,
    /// `[zenoss]`.
    #[serde(default)]
    pub zenoss: ZenossConfig,
    /// `[sensu]`.
    #[serde(default)]
    pub sensu: SensuConfig,
    /// `[smtp]`: email.
    #[serde(default)]
    pub smtp: SmtpConfig,
    /// `[snmptrap]`.
    #[serde(default)]
    pub snmptrap: SnmpTrapConfig,
    /// `[[kafka]]` (or one `[kafka]`): clusters.
    #[serde(default, deserialize_with = "one_or_many::deserialize")]
    pub kafka: Vec<KafkaConfig>,
}

/// Why a service handler did not deliver an event; each names the service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The service is disabled or not configured.
    #[error("{service}: {reason}")]
    Unavailable {
        /// The service (`slack`).
        service: &'static str,
        /// Why.
        reason: String,
    },
    /// The request failed before a response.
    #[error("{service}: request to {url:?} failed: {source}")]
    Request {
        /// The service.
        service: &'static str,
        /// The URL.
        url: String,
        /// Why.
        source: Box<HttpError>,
    },
    /// The service answered with a status other than 2xx.
    #[error("{service}: request to {url:?} failed: status code {status}, response {body:?}")]
    Status {
        /// The service.
        service: &'static str,
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The response body.
        body: String,
    },
    /// A URL made for an event is not an http(s) URL.
    #[error("{service}: {reason}")]
    Url {
        /// The service.
        service: &'static str,
        /// Why.
        reason: String,
    },
    /// The service does not take this event (PagerDuty v1 ignores INFO, Alerta needs a
    /// resource and an event).
    #[error("{service}: {reason}")]
    Refused {
        /// The service.
        service: &'static str,
        /// Why.
        reason: String,
    },
    /// A Kafka cluster did not take the alert.
    #[error("kafka: cluster {cluster:?}, topic {topic:?}: {reason}")]
    Kafka {
        /// The cluster's id.
        cluster: String,
        /// The topic.
        topic: String,
        /// Why.
        reason: String,
    },
    /// The event could not be encoded.
    #[error("{service}: {source}")]
    Encode {
        /// The service.
        service: &'static str,
        /// Why.
        source: serde_json::Error,
    },
}

/// Why a service section cannot be used: its URL is not an http(s) URL or its TLS
/// files are unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[{section}]: {reason}")]
pub struct ServiceConfigError {
    /// The section.
    pub section: &'static str,
    /// What is wrong.
    pub reason: String,
}
