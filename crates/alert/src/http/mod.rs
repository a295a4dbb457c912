//! The one HTTP client for outgoing requests of alert handlers and the `httpPost` node:
//! [`Client`], a `ureq` agent (blocking, rustls, `http://` and `https://`) that keeps
//! connections alive between requests, takes proxies from the environment (`HTTP_PROXY`,
//! `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) and trusts the CA of [`TlsSettings`]
//! (`ssl-ca`, a client certificate, `insecure-skip-verify`) or the Mozilla roots.
//! [`post`] sends through the process-wide [`Client::shared`] with the default settings.

mod client;
mod tls;
mod url;

pub use client::{post, Client, HttpError, Request, Response, DEFAULT_TIMEOUT, MAX_BODY};
pub use tls::{TlsError, TlsSettings};
pub use url::{HttpUrl, UrlError};

/// Sets header `key` (compared case-insensitively) to `value`, replacing an earlier value:
/// a script's `.header()` overrides an endpoint's header of the same name.
pub fn set_header(headers: &mut Vec<(String, String)>, key: String, value: String) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
    headers.push((key, value));
}
