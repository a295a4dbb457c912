//! The `/query` call of InfluxDB 1.x that batch queries make, over `ureq` (blocking,
//! rustls; `http://` and `https://`): `GET` with the statement in the URL, `POST` as a
//! form when it is long, `db`/`rp` from the task's first dbrp, `epoch=ns`, basic
//! authentication, and `chunked=true` so that InfluxDB streams big results. The
//! cluster's URLs are tried in order until one answers.

use crate::nodes::influxdb_out::config::InfluxDbConfig;
use crate::nodes::influxdb_out::http::{ClusterHttp, ClusterHttpError};

/// The largest response read (a bigger one is an error, never a partial batch).
const MAX_RESPONSE: u64 = 512 * 1024 * 1024;

/// Statements longer than this go in a POST body instead of the URL.
const MAX_GET: usize = 1024;

/// Why a query got no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// No server answered (connection refused, DNS, timeout, TLS).
    #[error("{url}: {reason}")]
    Unreachable {
        /// The last URL tried.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server answered with a status other than 2xx.
    #[error("{url}: status {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The body, cut short.
        body: String,
    },
}

/// A cluster's servers, credentials and HTTP agent.
#[derive(Debug)]
pub struct QueryClient {
    http: ClusterHttp,
    /// Where (`db`, `rp`) unqualified measurements are looked up.
    dbrp: Option<(String, String)>,
}

impl QueryClient {
    /// A client for `cluster`, resolving unqualified names in `dbrp`.
    pub fn new(
        cluster: &InfluxDbConfig,
        dbrp: Option<(String, String)>,
    ) -> Result<QueryClient, ClusterHttpError> {
        Ok(QueryClient {
            http: ClusterHttp::new(cluster)?,
            dbrp,
        })
    }

    /// Runs read-only `statement` (`SELECT`, `SHOW`) and returns the raw (possibly
    /// chunked) response body.
    pub fn query(&self, statement: &str) -> Result<Vec<u8>, QueryError> {
        self.call(statement, false)
    }

    /// Runs `statement` (`CREATE …`, `DROP …`), which InfluxDB takes only by POST, and
    /// returns the response body.
    pub fn execute(&self, statement: &str) -> Result<Vec<u8>, QueryError> {
        self.call(statement, true)
    }

    fn call(&self, statement: &str, post: bool) -> Result<Vec<u8>, QueryError> {
        let mut last = QueryError::Unreachable {
            url: String::new(),
            reason: "the cluster has no urls".into(),
        };
        for base in &self.http.urls {
            match self.query_one(base, statement, post) {
                Ok(body) => return Ok(body),
                Err(err @ QueryError::Status { .. }) => return Err(err),
                Err(err) => last = err,
            }
        }
        Err(last)
    }

    fn query_one(&self, base: &str, statement: &str, post: bool) -> Result<Vec<u8>, QueryError> {
        let url = format!("{base}/query");
        let mut params: Vec<(&str, &str)> = vec![("epoch", "ns"), ("chunked", "true")];
        if let Some((db, rp)) = &self.dbrp {
            params.push(("db", db));
            params.push(("rp", rp));
        }
        let authorization = &self.http.authorization;
        let unreachable = |e: ureq::Error| QueryError::Unreachable {
            url: url.clone(),
            reason: e.to_string(),
        };
        let response = if statement.len() <= MAX_GET && !post {
            let mut request = (self.http.agent.get(&url))
                .query_pairs(params)
                .query("q", statement);
            if let Some(auth) = authorization {
                request = request.header("Authorization", auth);
            }
            request.call()
        } else {
            let mut request = self.http.agent.post(&url).query_pairs(params);
            if let Some(auth) = authorization {
                request = request.header("Authorization", auth);
            }
            request.send_form([("q", statement)])
        };
        let mut response = response.map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(unreachable)?;
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(&body);
            return Err(QueryError::Status {
                url,
                status,
                body: text
                    .chars()
                    .take(200)
                    .collect::<String>()
                    .trim()
                    .to_string(),
            });
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_gives_up_after_the_timeout() {
        // A listener that never accepts: connections wait in its backlog.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let cluster = InfluxDbConfig {
            urls: vec![format!(
                "http://{}",
                listener.local_addr().expect("address")
            )],
            timeout: tickflow_model::Duration::from_nanos(200_000_000),
            ..InfluxDbConfig::default()
        };
        let client = QueryClient::new(&cluster, None).expect("a client");
        for _ in 0..3 {
            let started = std::time::Instant::now();
            let err = client.query("SELECT v FROM m").expect_err("no answer");
            let took = started.elapsed();
            assert!(
                took < std::time::Duration::from_millis(1000),
                "{took:?}: {err}"
            );
            assert!(err.to_string().contains("timeout"), "{err}");
        }
    }
}
