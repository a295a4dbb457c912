//! The `.post(url)` handler: POSTs each event as `json + "\n"` with
//! `Content-Type: application/json` (kapacitor-compat.md, alert-data §2.5), to a URL or to a configured
//! endpoint whose URL and headers it takes; an endpoint with an `alert-template` sends
//! that template rendered with the event instead, without a content type.

use std::time::Duration;

use crate::config::{HttpPostEndpoint, SetupError};
use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::http::{self, Client, HttpError, HttpUrl, Request, Response, UrlError};
use crate::template::{Kind, Template, TemplateError};

/// Why an event was not accepted by the target.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// The request could not be sent or no response arrived.
    #[error("post to {url:?} failed: {source}")]
    Request {
        /// The target.
        url: String,
        /// Why.
        source: HttpError,
    },
    /// The target answered with a status other than 2xx.
    #[error("post to {url:?} failed: status code {status}{}", response_suffix(.response))]
    Status {
        /// The target.
        url: String,
        /// The status code.
        status: u16,
        /// The response body, with `.captureResponse()`.
        response: Option<String>,
    },
    /// The endpoint's alert template failed on the event.
    #[error("cannot render the alert template: {0}")]
    Template(#[from] TemplateError),
}

impl PostError {
    /// The error for a non-2xx `response` from `url`, quoting the body if `capture`.
    pub fn status(url: &HttpUrl, response: &Response, capture: bool) -> Self {
        PostError::Status {
            url: url.to_string(),
            status: response.status,
            response: capture.then(|| String::from_utf8_lossy(&response.body).into_owned()),
        }
    }
}

fn response_suffix(response: &Option<String>) -> String {
    response
        .as_ref()
        .map(|body| format!(", response {body:?}"))
        .unwrap_or_default()
}

/// POSTs alert documents to one URL.
#[derive(Debug, Clone)]
pub struct PostHandler {
    url: HttpUrl,
    client: Client,
    headers: Vec<(String, String)>,
    capture_response: bool,
    timeout: Duration,
    /// The endpoint's `alert-template`, compiled once.
    alert_template: Option<Template>,
}

impl PostHandler {
    /// A handler posting to `url` (`http://` or `https://`) through the shared client.
    pub fn new(url: &str) -> Result<Self, UrlError> {
        Ok(PostHandler {
            url: HttpUrl::parse(url)?,
            client: Client::shared().clone(),
            headers: Vec::new(),
            capture_response: false,
            timeout: http::DEFAULT_TIMEOUT,
            alert_template: None,
        })
    }

    /// A handler posting to a configured endpoint, with the endpoint's headers and alert
    /// template.
    pub fn for_endpoint(endpoint: &HttpPostEndpoint) -> Result<Self, SetupError> {
        let mut handler =
            PostHandler::new(&endpoint.url)?.with_headers(endpoint.headers.iter().cloned());
        if let Some(text) = &endpoint.alert_template {
            handler.alert_template = Some(Template::parse(
                "[[httppost]] alert-template",
                text,
                Kind::Text,
            )?);
        }
        Ok(handler)
    }

    /// Adds headers (`.header(k, v)`); a later value for the same key replaces the earlier.
    pub fn with_headers(mut self, headers: impl IntoIterator<Item = (String, String)>) -> Self {
        for (key, value) in headers {
            http::set_header(&mut self.headers, key, value);
        }
        self
    }

    /// Sends through `client` (one with a service's TLS settings) instead of the shared one.
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = client;
        self
    }

    /// Puts the response body of a failed request in the error (`.captureResponse()`).
    pub fn with_capture_response(mut self, capture: bool) -> Self {
        self.capture_response = capture;
        self
    }

    /// Sets the limit for connecting and for each read or write (`.timeout(d)`).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends one body and checks the status.
    fn send(&self, body: &[u8], content_type: Option<&str>) -> Result<(), PostError> {
        let request = Request {
            url: &self.url,
            headers: &self.headers,
            content_type,
            body,
            timeout: self.timeout,
        };
        let response = self
            .client
            .post(&request)
            .map_err(|source| PostError::Request {
                url: self.url.to_string(),
                source,
            })?;
        match response.is_success() {
            true => Ok(()),
            false => Err(PostError::status(
                &self.url,
                &response,
                self.capture_response,
            )),
        }
    }
}

impl Handler for PostHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        if let Some(template) = &self.alert_template {
            let body = template.render_alert(event).map_err(PostError::from)?;
            return Ok(self.send(body.as_bytes(), None)?);
        }
        let mut body = event.to_json()?;
        body.push('\n');
        Ok(self.send(body.as_bytes(), Some("application/json"))?)
    }

    fn describe(&self) -> String {
        format!("post {:?}", self.url.to_string())
    }
}
