//! Third-party alert services over HTTP: their configuration sections with Kapacitor's
//! names and defaults ([`ServiceConfigs`]: `[[slack]]`, `[telegram]`, `[victorops]`) and
//! the handlers that send what Kapacitor sends to them ([`SlackHandler`],
//! [`TelegramHandler`], [`VictorOpsHandler`]).
//!
//! [`run_test`] sends a test alert through a configured service (the service-tests API).
//!
//! A handler whose service is disabled or not configured still lets the task start, as
//! in Kapacitor: it is an [`Unavailable`] handler whose every event is a counted error
//! saying why.

mod calls;
mod json_post;
pub mod one_or_many;
mod service_test;
mod slack;
mod telegram;
mod unavailable;
mod victorops;

pub use calls::Calls;
pub use json_post::JsonPost;
pub use service_test::{run_test, service_tests, TestError};
pub use slack::{SlackConfig, SlackHandler};
pub use telegram::{TelegramConfig, TelegramHandler};
pub use unavailable::Unavailable;
pub use victorops::{VictorOpsConfig, VictorOpsHandler};

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
