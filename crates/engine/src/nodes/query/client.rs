//! The `/query` call of InfluxDB 1.x that batch queries make, over `ureq` (blocking,
//! rustls; `http://` and `https://`): `GET` with the statement in the URL, `POST` as a
//! form when it is long, `db`/`rp` from the task's first dbrp, `epoch=ns`, basic
//! authentication, and `chunked=true` so that InfluxDB streams big results. The
//! cluster's URLs are tried in order until one answers.
//!
//! `queryFlux()` calls InfluxDB 2.x's `/api/v2/query` instead ([`QueryClient::flux`]):
//! a `POST` of the Flux text as JSON, with `org` or `orgID`, the cluster's token
//! (`Authorization: Token …`), `now` set to the run's stop so that a relative
//! `range(start: -1m)` covers the run, and annotated CSV asked for.

use tickflow_model::Time;

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
    /// The InfluxDB 2.x token, for Flux.
    token: String,
}

/// The organization a Flux query runs in: `.org(name)` or `.orgID(id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Org {
    /// By name (`org=`).
    Name(String),
    /// By ID (`orgID=`).
    Id(String),
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
            token: cluster.token.clone(),
        })
    }

    /// Whether the cluster has a token, which Flux queries need.
    pub fn has_token(&self) -> bool {
        !self.token.is_empty()
    }

    /// Runs Flux `query` in `org` as if at `now`, and returns the annotated CSV answer.
    pub fn flux(&self, org: &Org, query: &str, now: Time) -> Result<Vec<u8>, QueryError> {
        let body = serde_json::json!({
            "query": query,
            "type": "flux",
            "now": now.to_rfc3339(),
            "dialect": {
                "header": true,
                "delimiter": ",",
                "annotations": ["datatype", "group", "default"],
                "dateTimeFormat": "RFC3339Nano",
            },
        });
        let (key, value) = match org {
            Org::Name(name) => ("org", name.as_str()),
            Org::Id(id) => ("orgID", id.as_str()),
        };
        let token = format!("Token {}", self.token);
        self.each_url(|base| {
            let url = format!("{base}/api/v2/query");
            let response = (self.http.agent.post(&url))
                .query(key, value)
                .header("Authorization", &token)
                .header("Accept", "application/csv")
                .header("Content-Type", "application/json")
                .send(body.to_string());
            read(url, response)
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
        self.each_url(|base| self.query_one(base, statement, post))
    }

    /// `request` against each of the cluster's URLs until one answers.
    fn each_url(
        &self,
        request: impl Fn(&str) -> Result<Vec<u8>, QueryError>,
    ) -> Result<Vec<u8>, QueryError> {
        let mut last = QueryError::Unreachable {
            url: String::new(),
            reason: "the cluster has no urls".into(),
        };
        for base in &self.http.urls {
            match request(base) {
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
        read(url, response)
    }
}

/// The body of a response to `url`, or why there is none.
fn read(
    url: String,
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Vec<u8>, QueryError> {
    let unreachable = |e: ureq::Error| QueryError::Unreachable {
        url: url.clone(),
        reason: e.to_string(),
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
