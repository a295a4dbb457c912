//! [`Client`]: blocking POSTs over a `ureq` agent that keeps connections alive.
//!
//! A request carries `Content-Length`, `User-Agent: tickflow` and its headers; the status
//! is never an error here (the caller decides), and at most [`MAX_BODY`] bytes of the
//! response body are kept.

use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

use ureq::tls::TlsConfig;
use ureq::Agent;

use super::tls::{TlsError, TlsSettings};
use super::url::HttpUrl;

/// The most response-body bytes kept (for `.captureResponse()` and error messages).
pub const MAX_BODY: u64 = 64 * 1024;

/// How long a request may take when no timeout is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request failed before a status code arrived.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The host did not resolve or refused the connection.
    #[error("cannot connect to {authority}: {source}")]
    Connect {
        /// The URL's `host:port`.
        authority: String,
        /// Why.
        source: ureq::Error,
    },
    /// No complete response within the timeout.
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// TLS, protocol or I/O failure after connecting.
    #[error("{0}")]
    Transport(ureq::Error),
}

/// One POST request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Where to send it.
    pub url: &'a HttpUrl,
    /// Extra headers, in order (a `Content-Type` here replaces `content_type`).
    pub headers: &'a [(String, String)],
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
    /// The limit for the whole request, from connecting to the end of the response.
    pub timeout: Duration,
}

/// The final response to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body, cut at [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// An HTTP client with one service's TLS settings; clones share connections.
#[derive(Debug, Clone)]
pub struct Client {
    agent: Agent,
}

impl Client {
    /// A client trusting what `tls` says.
    pub fn new(tls: &TlsSettings) -> Result<Client, TlsError> {
        Ok(Client::with_tls(tls.config()?))
    }

    /// The process-wide client with the default settings (the Mozilla roots).
    pub fn shared() -> &'static Client {
        static SHARED: OnceLock<Client> = OnceLock::new();
        SHARED.get_or_init(|| Client::with_tls(TlsConfig::default()))
    }

    fn with_tls(tls: TlsConfig) -> Client {
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            .user_agent("tickflow")
            .tls_config(tls)
            .build()
            .into();
        Client { agent }
    }

    /// Sends `request` and reads the response.
    pub fn post(&self, request: &Request<'_>) -> Result<Response, HttpError> {
        let mut builder = self
            .agent
            .post(request.url.as_str())
            .config()
            .timeout_global(Some(request.timeout))
            .build();
        let overridden = request
            .headers
            .iter()
            .any(|(key, _)| key.eq_ignore_ascii_case("content-type"));
        if let (Some(content_type), false) = (request.content_type, overridden) {
            builder = builder.header("Content-Type", content_type);
        }
        for (key, value) in request.headers {
            builder = builder.header(key.as_str(), value.as_str());
        }
        let error = |source| classify(source, request);
        let mut response = builder.send(request.body).map_err(error)?;
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| error(ureq::Error::Io(e)))?;
        Ok(Response {
            status: response.status().as_u16(),
            body,
        })
    }
}

/// Sends `request` through [`Client::shared`].
pub fn post(request: &Request<'_>) -> Result<Response, HttpError> {
    Client::shared().post(request)
}

/// The error of a failed request: connecting, timing out, or the rest.
fn classify(source: ureq::Error, request: &Request<'_>) -> HttpError {
    let refused = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
        )
    };
    match &source {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => HttpError::Connect {
            authority: request.url.authority().to_owned(),
            source,
        },
        ureq::Error::Io(e) if refused(e) => HttpError::Connect {
            authority: request.url.authority().to_owned(),
            source,
        },
        ureq::Error::Timeout(_) => HttpError::Timeout(request.timeout),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            HttpError::Timeout(request.timeout)
        }
        _ => HttpError::Transport(source),
    }
}
