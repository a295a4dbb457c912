//! The two calls of InfluxDB 1.x's HTTP API that `influxDBOut` makes, over the blocking
//! client of `tickflow_alert::http`: `POST /write` with a line-protocol body, and
//! `POST /query` for `CREATE DATABASE`. Each call tries the cluster's URLs in order
//! until one answers; basic authentication when the cluster has a user.

use std::time::Duration;

use tickflow_alert::http::{self, HttpError, HttpUrl, Request, UrlError};
use tickflow_line_protocol::Precision;

use super::config::InfluxDbConfig;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum InfluxDbError {
    /// No server answered.
    #[error("{url}: {source}")]
    Unreachable {
        /// The last URL tried.
        url: String,
        /// Why.
        source: HttpError,
    },
    /// The server refused the request.
    #[error("{url}: status {status}: {body:?}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The response body, cut short.
        body: String,
    },
    /// A `/query` statement failed.
    #[error("{url}: query {query:?} failed: {error}")]
    Query {
        /// The URL.
        url: String,
        /// The statement.
        query: String,
        /// InfluxDB's message.
        error: String,
    },
}

/// Where a write goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The database (`db`).
    pub database: String,
    /// The retention policy (`rp`), empty for the database's default.
    pub retention_policy: String,
    /// The write consistency (`consistency`), empty for none.
    pub consistency: String,
}

/// A cluster's servers and credentials.
#[derive(Debug, Clone)]
pub struct Client {
    urls: Vec<String>,
    authorization: Option<String>,
}

impl Client {
    /// A client for `config`; every URL must be an `http://` URL.
    pub fn new(config: &InfluxDbConfig) -> Result<Self, UrlError> {
        let urls: Vec<String> = config
            .urls
            .iter()
            .map(|u| u.trim_end_matches('/').to_string())
            .collect();
        for url in &urls {
            HttpUrl::parse(url)?;
        }
        let authorization = (!config.username.is_empty()).then(|| {
            let pair = format!("{}:{}", config.username, config.password);
            format!("Basic {}", base64(pair.as_bytes()))
        });
        Ok(Client {
            urls,
            authorization,
        })
    }

    /// Writes `body`, line protocol with timestamps in `precision`, to `target`.
    pub fn write(
        &self,
        target: &Target,
        precision: Precision,
        body: &[u8],
    ) -> Result<(), InfluxDbError> {
        let mut params = vec![("db", target.database.as_str())];
        if !target.retention_policy.is_empty() {
            params.push(("rp", &target.retention_policy));
        }
        params.push(("precision", precision.as_str()));
        if !target.consistency.is_empty() {
            params.push(("consistency", &target.consistency));
        }
        self.post("/write", &params, body).map(|_| ())
    }

    /// Runs one InfluxQL statement.
    pub fn query(&self, query: &str) -> Result<(), InfluxDbError> {
        let (url, body) = self.post("/query", &[("q", query)], b"")?;
        match statement_error(&body) {
            Some(error) => Err(InfluxDbError::Query {
                url,
                query: query.into(),
                error,
            }),
            None => Ok(()),
        }
    }

    /// POSTs to `path` with the query `params` on the first server that answers; the
    /// URL and body of a 2xx answer.
    fn post(
        &self,
        path: &str,
        params: &[(&str, &str)],
        body: &[u8],
    ) -> Result<(String, Vec<u8>), InfluxDbError> {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        let headers: Vec<(String, String)> = self
            .authorization
            .iter()
            .map(|a| ("Authorization".to_string(), a.clone()))
            .collect();
        let mut last = None;
        for base in &self.urls {
            let url = format!("{base}{path}?{}", query.join("&"));
            let Ok(parsed) = HttpUrl::parse(&url) else {
                continue;
            };
            let request = Request {
                url: &parsed,
                headers: &headers,
                content_type: Some("text/plain; charset=utf-8"),
                body,
                timeout: TIMEOUT,
            };
            match http::post(&request) {
                Ok(response) if response.is_success() => return Ok((url, response.body)),
                Ok(response) => {
                    return Err(InfluxDbError::Status {
                        url,
                        status: response.status,
                        body: String::from_utf8_lossy(&response.body).into_owned(),
                    })
                }
                Err(source) => last = Some(InfluxDbError::Unreachable { url, source }),
            }
        }
        Err(last.unwrap_or_else(|| InfluxDbError::Unreachable {
            url: String::new(),
            source: HttpError::Malformed("the cluster has no urls".into()),
        }))
    }
}

/// The first statement error of a `/query` response, if any.
fn statement_error(body: &[u8]) -> Option<String> {
    let response: serde_json::Value = serde_json::from_slice(body).ok()?;
    if let Some(error) = response.get("error").and_then(|e| e.as_str()) {
        return Some(error.into());
    }
    response
        .get("results")?
        .as_array()?
        .iter()
        .find_map(|r| r.get("error")?.as_str().map(String::from))
}

/// `text` as a URL query value: unreserved bytes as they are, the rest `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Standard base64 with padding, for the basic-authentication header.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_to_whole_quads() {
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            percent_encode("CREATE DATABASE \"db\""),
            "CREATE%20DATABASE%20%22db%22"
        );
        assert_eq!(percent_encode("a-b_c.d~"), "a-b_c.d~");
    }

    #[test]
    fn statement_errors_are_found_in_query_responses() {
        let failed = br#"{"results":[{"statement_id":0,"error":"database name required"}]}"#;
        assert_eq!(
            statement_error(failed).as_deref(),
            Some("database name required")
        );
        assert_eq!(
            statement_error(br#"{"results":[{"statement_id":0}]}"#),
            None
        );
    }

    #[test]
    fn an_unreachable_cluster_is_an_error_naming_the_url() {
        let config = InfluxDbConfig {
            name: "x".into(),
            urls: vec!["http://127.0.0.1:9".into()],
            username: String::new(),
            password: String::new(),
            default: true,
            enabled: true,
            ..InfluxDbConfig::default()
        };
        let client = Client::new(&config).expect("a valid url");
        let err = client.query("SHOW DATABASES").expect_err("nothing listens");
        assert!(
            err.to_string()
                .starts_with("http://127.0.0.1:9/query?q=SHOW%20DATABASES: "),
            "{err}"
        );
    }
}
