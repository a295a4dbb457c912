//! [`Api`]: requests to a Kapacitor (or `tickflow serve`) HTTP API over a `ureq` agent,
//! with the error handling of Kapacitor's Go client: an unexpected status becomes the
//! error the server put in the body's `error` member, or `invalid response: code <n>:
//! body: <body>` when there is none.

use std::io::Read;

use serde::de::DeserializeOwned;
use serde_json::Value;
use ureq::Agent;

/// The server when neither `-url` nor `KAPACITOR_URL` names one.
pub(crate) const DEFAULT_URL: &str = "http://localhost:9092";

/// The API root every path is under.
pub(crate) const V1: &str = "/kapacitor/v1";

/// Why a request gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// No response: the server is down, the name does not resolve, TLS failed.
    #[error("{method} {url:?}: {reason}")]
    Transport {
        /// The request's method, as Go's client names it (`Get`, `Post`…).
        method: &'static str,
        /// The full URL.
        url: String,
        /// Why.
        reason: ureq::Error,
    },
    /// The server answered with an error it explained.
    #[error("{0}")]
    Server(String),
    /// The server answered something else than expected.
    #[error("invalid response: code {status}: body: {body}")]
    Invalid {
        /// The status code.
        status: u16,
        /// The body as received.
        body: String,
    },
    /// A success whose body is not the JSON expected.
    #[error("failed to decode JSON: {0}")]
    Decode(serde_json::Error),
}

/// A response: status and body.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// The status code.
    pub(crate) status: u16,
    /// The body.
    pub(crate) body: String,
}

impl Reply {
    /// The body decoded, if the status is one of `expected`; otherwise the error.
    pub(crate) fn expect<T: DeserializeOwned>(&self, expected: &[u16]) -> Result<T, ApiError> {
        self.check(expected)?;
        serde_json::from_str(&self.body).map_err(ApiError::Decode)
    }

    /// Nothing, if the status is one of `expected`; otherwise the error.
    pub(crate) fn check(&self, expected: &[u16]) -> Result<(), ApiError> {
        if expected.contains(&self.status) {
            return Ok(());
        }
        let message = serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(String::from))
            .filter(|m| !m.is_empty());
        Err(match message {
            Some(message) => ApiError::Server(message),
            None => ApiError::Invalid {
                status: self.status,
                body: self.body.clone(),
            },
        })
    }
}

/// A client of one server.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    agent: Agent,
    base: String,
}

impl Api {
    /// A client of the server at `url` (`http(s)://host:port`); `skip_verify` turns off
    /// the check of the server's certificate.
    pub(crate) fn new(url: &str, skip_verify: bool) -> Api {
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(skip_verify)
            .build();
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(concat!("tickflow/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .into();
        Api {
            agent,
            base: url.trim_end_matches('/').to_string(),
        }
    }

    /// The full URL of `path` (which starts with `/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path?query`.
    pub(crate) fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Reply, ApiError> {
        let url = self.url(path);
        let mut request = self.agent.get(&url);
        for (key, value) in query {
            request = request.query(*key, *value);
        }
        read(request.call(), "Get", url)
    }

    /// `method path` with a JSON body.
    pub(crate) fn send(&self, method: Method, path: &str, body: &Value) -> Result<Reply, ApiError> {
        let url = self.url(path);
        let body = body.to_string();
        let request = match method {
            Method::Post => self.agent.post(&url),
            Method::Patch => self.agent.patch(&url),
            Method::Put => self.agent.put(&url),
        };
        let response = request
            .header("Content-Type", "application/json")
            .send(body.as_bytes());
        read(response, method.go_name(), url)
    }

    /// `DELETE path`, expecting 204.
    pub(crate) fn delete(&self, path: &str) -> Result<(), ApiError> {
        let url = self.url(path);
        read(self.agent.delete(&url).call(), "Delete", url)?.check(&[204])
    }

    /// `GET path?query`, for a body read as it arrives (a log stream, a backup).
    pub(crate) fn stream(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<(u16, impl Read), ApiError> {
        let url = self.url(path);
        let mut request = self.agent.get(&url);
        for (key, value) in query {
            request = request.query(*key, *value);
        }
        let response = request.call().map_err(|reason| ApiError::Transport {
            method: "Get",
            url,
            reason,
        })?;
        let status = response.status().as_u16();
        Ok((status, response.into_body().into_reader()))
    }
}

/// The methods with a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Create.
    Post,
    /// Update.
    Patch,
    /// Replace.
    Put,
}

impl Method {
    fn go_name(self) -> &'static str {
        match self {
            Method::Post => "Post",
            Method::Patch => "Patch",
            Method::Put => "Put",
        }
    }
}

fn read(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    method: &'static str,
    url: String,
) -> Result<Reply, ApiError> {
    let transport = |reason| ApiError::Transport {
        method,
        url: url.clone(),
        reason,
    };
    let mut response = response.map_err(transport)?;
    let status = response.status().as_u16();
    let body = (response.body_mut()).read_to_string().map_err(transport)?;
    Ok(Reply { status, body })
}

/// Percent-encodes one path segment (an id), so ids with spaces or slashes still name one
/// resource.
pub(crate) fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.into(),
        }
    }

    #[test]
    fn an_unexpected_status_reports_the_servers_error_member() {
        let err = reply(
            404,
            "{\"error\":\"no task exists\",\"message\":\"no task exists\"}",
        )
        .check(&[200])
        .expect_err("404");
        assert_eq!(err.to_string(), "no task exists");
        let err = reply(502, "bad gateway").check(&[200]).expect_err("502");
        assert_eq!(
            err.to_string(),
            "invalid response: code 502: body: bad gateway"
        );
        assert!(reply(204, "").check(&[204]).is_ok());
    }

    #[test]
    fn ids_are_escaped_as_one_path_segment() {
        assert_eq!(segment("cpu_alert-1.x"), "cpu_alert-1.x");
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
    }
}
