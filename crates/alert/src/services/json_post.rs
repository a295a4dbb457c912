//! [`JsonPost`]: the request every HTTP service sends: a JSON body POSTed to one URL
//! with the service's headers, through a client with the service's TLS settings.

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

    /// POSTs `body` as `application/json`; a status other than 2xx is an error.
    pub fn send(&self, body: &serde_json::Value) -> Result<(), ServiceError> {
        let body = serde_json::to_vec(body).map_err(|source| ServiceError::Encode {
            service: self.service,
            source,
        })?;
        let request = Request {
            url: &self.url,
            headers: &self.headers,
            content_type: Some("application/json"),
            body: &body,
            timeout: self.timeout,
        };
        let response = self
            .client
            .post(&request)
            .map_err(|source| ServiceError::Request {
                service: self.service,
                url: self.url.to_string(),
                source: Box::new(source),
            })?;
        match response.is_success() {
            true => Ok(()),
            false => Err(ServiceError::Status {
                service: self.service,
                url: self.url.to_string(),
                status: response.status,
                body: String::from_utf8_lossy(&response.body).into_owned(),
            }),
        }
    }
}
