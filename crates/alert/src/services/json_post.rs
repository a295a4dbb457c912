//! [`JsonPost`]: the request every HTTP service sends: a body POSTed to one URL (or a
//! per-event URL beside it) with the service's headers, through a client with the
//! service's TLS settings. Bodies are JSON ([`JsonPost::send`]) or, for Pushover, a form
//! ([`JsonPost::send_form`]).
//!
//! A request that could not connect (nothing was sent) is tried again, for every
//! service; one that timed out or was answered with a 5xx status is tried again only for
//! a service marked idempotent ([`JsonPost::idempotent`]: its events carry a key the
//! service deduplicates on, such as PagerDuty's `dedup_key`), since the first attempt
//! may have been delivered. [`RETRIES`] more attempts, [`BACKOFF`] apart (doubling).

use std::time::Duration;

use crate::http::{Client, HttpError, HttpUrl, Request, TlsSettings, DEFAULT_TIMEOUT};
use crate::services::{ServiceConfigError, ServiceError};

/// How many more times a failed request is tried.
pub(super) const RETRIES: u32 = 2;

/// The wait before the first retry; each later one waits twice as long.
pub(super) const BACKOFF: Duration = Duration::from_millis(100);

/// Where and how a service's events are POSTed.
#[derive(Debug, Clone)]
pub struct JsonPost {
    service: &'static str,
    client: Client,
    url: HttpUrl,
    headers: Vec<(String, String)>,
    timeout: Duration,
    idempotent: bool,
}

impl JsonPost {
    /// Posts for `service` (also the section name in errors) to `url`.
    pub fn new(
        service: &'static str,
        url: &str,
        tls: &TlsSettings,
    ) -> Result<JsonPost, ServiceConfigError> {
        let invalid = |reason: String| ServiceConfigError {
            section: service,
            reason,
        };
        let url = HttpUrl::parse(url).map_err(|e| invalid(e.to_string()))?;
        let client = Client::new(tls).map_err(|e| invalid(e.to_string()))?;
        Ok(JsonPost {
            service,
            client,
            url,
            headers: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            idempotent: false,
        })
    }

    /// Adds a header to every request.
    pub fn with_header(mut self, key: &str, value: String) -> Self {
        self.headers.push((key.to_owned(), value));
        self
    }

    /// Marks the service idempotent: a timeout or a 5xx answer is tried again too.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// The configured URL.
    pub fn url(&self) -> &HttpUrl {
        &self.url
    }

    /// POSTs `body` as `application/json` to the configured URL; a status other than
    /// 2xx is an error.
    pub fn send(&self, body: &serde_json::Value) -> Result<(), ServiceError> {
        self.send_to(&self.url, body)
    }

    /// POSTs `body` as `application/json` to `url` (a per-event URL of the service).
    pub fn send_to(&self, url: &HttpUrl, body: &serde_json::Value) -> Result<(), ServiceError> {
        let body = serde_json::to_vec(body).map_err(|source| ServiceError::Encode {
            service: self.service,
            source,
        })?;
        self.post(url, "application/json", &body)
    }

    /// POSTs `fields` as `application/x-www-form-urlencoded` to the configured URL.
    pub fn send_form(&self, fields: &[(&str, &str)]) -> Result<(), ServiceError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.post(
            &self.url,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
        )
    }

    /// A URL of the service (the configured one with a path of the event's).
    pub fn parse_url(&self, url: &str) -> Result<HttpUrl, ServiceError> {
        HttpUrl::parse(url).map_err(|e| ServiceError::Url {
            service: self.service,
            reason: e.to_string(),
        })
    }

    /// POSTs `body`, retrying as the module doc says.
    fn post(&self, url: &HttpUrl, content_type: &str, body: &[u8]) -> Result<(), ServiceError> {
        let mut wait = BACKOFF;
        let mut attempt = 0;
        loop {
            match self.post_once(url, content_type, body) {
                Err(error) if attempt < RETRIES && self.retries(&error) => {
                    std::thread::sleep(wait);
                    wait *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Whether a request that failed with `error` is tried again.
    fn retries(&self, error: &ServiceError) -> bool {
        match error {
            ServiceError::Request { source, .. } => match **source {
                HttpError::Connect { .. } => true,
                HttpError::Timeout(_) => self.idempotent,
                HttpError::Transport(_) => false,
            },
            ServiceError::Status { status, .. } => self.idempotent && *status >= 500,
            _ => false,
        }
    }

    fn post_once(
        &self,
        url: &HttpUrl,
        content_type: &str,
        body: &[u8],
    ) -> Result<(), ServiceError> {
        let request = Request {
            url,
            headers: &self.headers,
            content_type: Some(content_type),
            body,
            timeout: self.timeout,
        };
        let response = self
            .client
            .post(&request)
            .map_err(|source| ServiceError::Request {
                service: self.service,
                url: url.to_string(),
                source: Box::new(source),
            })?;
        match response.is_success() {
            true => Ok(()),
            false => Err(ServiceError::Status {
                service: self.service,
                url: url.to_string(),
                status: response.status,
                body: String::from_utf8_lossy(&response.body).into_owned(),
            }),
        }
    }
}
