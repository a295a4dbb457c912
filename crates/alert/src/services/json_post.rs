//! [`JsonPost`]: the request every HTTP service sends: a body POSTed to one URL (or a
//! per-event URL beside it) with the service's headers, through a client with the
//! service's TLS settings. Bodies are JSON ([`JsonPost::send`]) or, for Pushover, a form
//! ([`JsonPost::send_form`]).

use std::time::Duration;

use crate::http::{Client, HttpUrl, Request, TlsSettings, DEFAULT_TIMEOUT};
use crate::services::{ServiceConfigError, ServiceError};

/// Where and how a service's events are POSTed.
#[derive(Debug, Clone)]
pub struct JsonPost {
    service: &'static str,
    client: Client,
    url: HttpUrl,
    headers: Vec<(String, String)>,
    timeout: Duration,
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
        })
    }

    /// Adds a header to every request.
    pub fn with_header(mut self, key: &str, value: String) -> Self {
        self.headers.push((key.to_owned(), value));
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

    fn post(&self, url: &HttpUrl, content_type: &str, body: &[u8]) -> Result<(), ServiceError> {
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
