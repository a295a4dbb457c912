//! The HTTP side of an `[[influxdb]]` cluster, shared by `influxDBOut`'s writes, batch
//! queries and subscriptions: a `ureq` agent (blocking, rustls; `http://` and
//! `https://`) with the cluster's `timeout` and TLS settings (`ssl-ca`, `ssl-cert` with
//! `ssl-key`, `insecure-skip-verify`), its base URLs and its basic-authentication header.

use std::time::Duration as StdDuration;

use tickflow_alert::http::{TlsError, TlsSettings};
use ureq::tls::TlsConfig;

use super::config::InfluxDbConfig;

/// How long a request may take when the cluster sets no `timeout`.
pub(crate) const DEFAULT_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// Why a cluster's HTTP settings are not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterHttpError {
    /// A URL that is not `http://` or `https://`.
    #[error("cluster {cluster:?}: unsupported url {url:?}: expected http:// or https://")]
    Url {
        /// The cluster's name.
        cluster: String,
        /// The URL.
        url: String,
    },
    /// A TLS file that cannot be read or holds no usable certificate or key.
    #[error("cluster {cluster:?}: {reason}")]
    Tls {
        /// The cluster's name.
        cluster: String,
        /// Why.
        reason: String,
    },
}

/// A cluster's agent, base URLs and credentials.
#[derive(Debug, Clone)]
pub(crate) struct ClusterHttp {
    /// The base URLs, without a trailing slash, tried in order.
    pub urls: Vec<String>,
    /// The `Authorization` header, with a user.
    pub authorization: Option<String>,
    /// The agent, with the cluster's timeout and TLS settings.
    pub agent: ureq::Agent,
}

impl ClusterHttp {
    /// The HTTP settings of `cluster`.
    pub(crate) fn new(cluster: &InfluxDbConfig) -> Result<ClusterHttp, ClusterHttpError> {
        let urls: Vec<String> = (cluster.urls.iter())
            .map(|u| u.trim_end_matches('/').to_string())
            .collect();
        if let Some(url) = urls
            .iter()
            .find(|u| !u.starts_with("http://") && !u.starts_with("https://"))
        {
            return Err(ClusterHttpError::Url {
                cluster: cluster.name.clone(),
                url: url.clone(),
            });
        }
        let timeout = match u64::try_from(cluster.timeout.nanos()) {
            Ok(0) | Err(_) => DEFAULT_TIMEOUT,
            Ok(nanos) => StdDuration::from_nanos(nanos),
        };
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .tls_config(tls_config(cluster)?)
            .build()
            .into();
        let authorization = (!cluster.username.is_empty()).then(|| {
            let pair = format!("{}:{}", cluster.username, cluster.password);
            format!("Basic {}", base64(pair.as_bytes()))
        });
        Ok(ClusterHttp {
            urls,
            authorization,
            agent,
        })
    }
}

/// The cluster's TLS settings, read as every service's are.
fn tls_config(cluster: &InfluxDbConfig) -> Result<TlsConfig, ClusterHttpError> {
    let settings = TlsSettings {
        ssl_ca: cluster.ssl_ca.clone(),
        ssl_cert: cluster.ssl_cert.clone(),
        ssl_key: cluster.ssl_key.clone(),
        insecure_skip_verify: cluster.insecure_skip_verify,
    };
    settings
        .config()
        .map_err(|TlsError(reason)| ClusterHttpError::Tls {
            cluster: cluster.name.clone(),
            reason,
        })
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
    fn bad_urls_and_tls_files_are_named() {
        let cluster = |f: &dyn Fn(&mut InfluxDbConfig)| {
            let mut c = InfluxDbConfig::default();
            f(&mut c);
            ClusterHttp::new(&c)
                .map(drop)
                .expect_err("unusable")
                .to_string()
        };
        assert_eq!(
            cluster(&|c| c.urls = vec!["udp://db:8089".into()]),
            "cluster \"default\": unsupported url \"udp://db:8089\": expected http:// or https://"
        );
        let missing = cluster(&|c| c.ssl_ca = "/nonexistent/ca.pem".into());
        assert!(
            missing
                .starts_with("cluster \"default\": cannot read ssl-ca \"/nonexistent/ca.pem\": "),
            "{missing}"
        );
        let dir = std::env::temp_dir().join(format!("tickflow-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a pem\n").expect("write");
        let path = empty.display().to_string();
        assert_eq!(
            cluster(&|c| c.ssl_ca = path.clone()),
            format!("cluster \"default\": ssl-ca {path:?} holds no certificate")
        );
        assert_eq!(
            cluster(&|c| c.ssl_cert = path.clone()),
            format!("cluster \"default\": ssl-key {path:?} holds no private key")
        );
        assert!(ClusterHttp::new(&InfluxDbConfig {
            urls: vec!["https://db:8086/".into()],
            insecure_skip_verify: true,
            ..InfluxDbConfig::default()
        })
        .is_ok_and(|h| h.urls == ["https://db:8086"]));
    }
}
