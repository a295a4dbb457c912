//! A small blocking HTTP/1.1 client for the `.post()` handler and the `httpPost` node.
//!
//! **Why not a crate:** the engine runs on plain threads (no tokio), every request here
//! is one POST whose body is already in memory, and Kapacitor's own use is a plain POST
//! with a status check. A client over [`std::net::TcpStream`] (`http://` only,
//! `Content-Length` bodies, a fresh connection per request, the response read by its
//! framing) is about two hundred lines with no new dependency; `ureq` would bring TLS
//! (rustls and ring, a C build) to the engine's build for a feature no conformance case
//! or bundled script uses. The cost: `https://` URLs are refused with a clear
//! [`UrlError::Scheme`] (when the task is built, or per request for a templated
//! `httpPost` URL), so a user with a TLS target puts a proxy
//! in front, or this module is swapped for `ureq` behind the same [`post`] signature.

mod client;
mod url;

pub use client::{post, HttpError, Request, Response, DEFAULT_TIMEOUT, MAX_BODY};
pub use url::{HttpUrl, UrlError};

/// Sets header `key` (compared case-insensitively) to `value`, replacing an earlier value:
/// a script's `.header()` overrides an endpoint's header of the same name.
pub fn set_header(headers: &mut Vec<(String, String)>, key: String, value: String) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
    headers.push((key, value));
}
