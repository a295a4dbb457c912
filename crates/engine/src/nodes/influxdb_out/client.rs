//! The two calls of InfluxDB 1.x's HTTP API that `influxDBOut` makes, over the
//! cluster's agent ([`ClusterHttp`]: timeout, TLS): `POST /write` with a line-protocol
//! body, and `POST /query` for `CREATE DATABASE`. Each call tries the cluster's URLs in
//! order until one answers; basic authentication when the cluster has a user.

use tickflow_line_protocol::Precision;

use super::config::InfluxDbConfig;
use super::http::{ClusterHttp, ClusterHttpError};

/// The most response-body bytes kept (for error messages).
const MAX_BODY: u64 = 64 * 1024;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InfluxDbError {
    /// No server answered (refused, DNS, TLS, timeout).
    #[error("{url}: {reason}")]
    Unreachable {
        /// The last URL tried.
        url: String,
        /// Why.
        reason: String,
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
pub(crate) struct Target {
    /// The database (`db`).
    pub database: String,
    /// The retention policy (`rp`), empty for the database's default.
    pub retention_policy: String,
    /// The write consistency (`consistency`), empty for none.
    pub consistency: String,
}

/// A cluster's servers and credentials.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    http: ClusterHttp,
}

impl Client {
    /// A client for `config`; every URL must be an `http://` or `https://` URL, and its
    /// TLS files readable.
    pub(crate) fn new(config: &InfluxDbConfig) -> Result<Self, ClusterHttpError> {
        Ok(Client {
            http: ClusterHttp::new(config)?,
        })
    }

    /// Writes `body`, line protocol with timestamps in `precision`, to `target`.
    pub(crate) fn write(
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
    pub(crate) fn query(&self, query: &str) -> Result<(), InfluxDbError> {
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
        let mut last = InfluxDbError::Unreachable {
            url: String::new(),
            reason: "the cluster has no urls".into(),
        };
        for base in &self.http.urls {
            let url = format!("{base}{path}?{}", query.join("&"));
            let mut request =
                (self.http.agent.post(&url)).header("Content-Type", "text/plain; charset=utf-8");
            if let Some(auth) = &self.http.authorization {
                request = request.header("Authorization", auth);
            }
            let unreachable = |e: ureq::Error| InfluxDbError::Unreachable {
                url: url.clone(),
                reason: e.to_string(),
            };
            // A body that cannot be read is only missing from an error message.
            let answer = request.send(body).map(|mut response| {
                let status = response.status().as_u16();
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_BODY)
                    .read_to_vec();
                (status, body.unwrap_or_default())
            });
            match answer {
                Ok((status, body)) if (200..300).contains(&status) => return Ok((url, body)),
                Ok((status, body)) => {
                    return Err(InfluxDbError::Status {
                        url,
                        status,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    })
                }
                Err(e) => last = unreachable(e),
            }
        }
        Err(last)
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

#[cfg(test)]
mod tests {
    use super::*;

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
