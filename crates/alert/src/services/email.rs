//! Email: `[smtp]` and `.email('a@b').to('c@d')`, which sends each event as an HTML
//! mail through an SMTP server with `lettre`: the message as subject, the details (the
//! `.details()` HTML) as `text/html` body, from the configured sender to the handler's
//! recipients (the section's `to` when the handler names none). Port 465 is TLS from
//! the start; any other port upgrades with STARTTLS when the server offers it
//! (`no-verify` accepts any certificate, as Kapacitor's does); `username` and `password`
//! authenticate. Idle connections are closed after `idle-timeout`.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::services::{Calls, ServiceConfigError, ServiceError};

/// The `[smtp]` section, with Kapacitor's defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct SmtpConfig {
    /// Whether `.email()` handlers may use it.
    pub enabled: bool,
    /// The SMTP server.
    pub host: String,
    /// Its port; 465 is TLS from the start, others use STARTTLS when offered.
    pub port: u16,
    /// The user to authenticate as; empty for none.
    pub username: String,
    /// The password.
    pub password: String,
    /// Accept any server certificate.
    pub no_verify: bool,
    /// The sender.
    pub from: String,
    /// The default recipients.
    pub to: Vec<String>,
    /// How long an idle connection stays open (a Go duration).
    pub idle_timeout: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            enabled: false,
            host: "localhost".into(),
            port: 25,
            username: String::new(),
            password: String::new(),
            no_verify: false,
            from: String::new(),
            to: Vec::new(),
            idle_timeout: "30s".into(),
        }
    }
}

/// How long connecting and each SMTP exchange may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Port of SMTP over TLS from the start (SMTPS).
const SMTPS_PORT: u16 = 465;

/// Sends each event as an email.
#[derive(Clone)]
pub struct EmailHandler {
    transport: SmtpTransport,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl std::fmt::Debug for EmailHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailHandler")
            .field("from", &self.from)
            .field("to", &self.to)
            .finish()
    }
}

impl EmailHandler {
    /// The handler of `.email(to…)` with `.to(…)` calls over `config`; an address that
    /// does not parse, or no recipient at all, is an error.
    pub fn new(config: &SmtpConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let invalid = |reason: String| ServiceConfigError {
            section: "smtp",
            reason,
        };
        let mut to: Vec<String> = (calls.0.args.iter())
            .filter_map(|arg| match arg {
                tickflow_pipeline::OptionValue::String(text) => Some(text.clone()),
                _ => None,
            })
            .chain(calls.each("to").into_iter().flatten())
            .collect();
        if to.is_empty() {
            to = config.to.clone();
        }
        if to.is_empty() {
            return Err(invalid(
                "no recipients: give .email() or `to` an address".into(),
            ));
        }
        let mailbox = |text: &str| {
            text.parse::<Mailbox>()
                .map_err(|e| invalid(format!("invalid address {text:?}: {e}")))
        };
        Ok(EmailHandler {
            transport: transport(config).map_err(invalid)?,
            from: mailbox(&config.from)?,
            to: to.iter().map(|t| mailbox(t)).collect::<Result<_, _>>()?,
        })
    }

    /// The mail of `event`.
    fn message(&self, event: &AlertData) -> Result<Message, ServiceError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(event.message.clone())
            .header(ContentType::TEXT_HTML);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .body(event.details.clone())
            .map_err(|e| ServiceError::Refused {
                service: "smtp",
                reason: e.to_string(),
            })
    }
}

/// The SMTP transport `config` describes.
fn transport(config: &SmtpConfig) -> Result<SmtpTransport, String> {
    let tls = TlsParameters::builder(config.host.clone())
        .dangerous_accept_invalid_certs(config.no_verify)
        .dangerous_accept_invalid_hostnames(config.no_verify)
        .build_rustls()
        .map_err(|e| e.to_string())?;
    let tls = match config.port {
        SMTPS_PORT => Tls::Wrapper(tls),
        _ => Tls::Opportunistic(tls),
    };
    let idle = tickflow_model::parse_go_duration(&config.idle_timeout)
        .ok_or_else(|| format!("invalid idle-timeout {:?}", config.idle_timeout))?;
    let mut builder = SmtpTransport::builder_dangerous(&config.host)
        .port(config.port)
        .tls(tls)
        .timeout(Some(TIMEOUT))
        .pool_config(PoolConfig::new().idle_timeout(idle));
    if !config.username.is_empty() {
        let credentials = Credentials::new(config.username.clone(), config.password.clone());
        builder = builder.credentials(credentials);
    }
    Ok(builder.build())
}

impl Handler for EmailHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let message = self.message(event)?;
        self.transport
            .send(&message)
            .map_err(|e| ServiceError::Refused {
                service: "smtp",
                reason: format!("cannot send mail: {e}"),
            })?;
        Ok(())
    }

    fn describe(&self) -> String {
        let to: Vec<String> = self.to.iter().map(ToString::to_string).collect();
        format!("email {to:?}")
    }
}
