//! Reading a request body whole, within a time limit, refusing it once it passes the
//! size limit.
//!
//! A body over the limit is still read to its end (and dropped, never kept) until the
//! time limit, so that the client, which sends its whole body before it reads the
//! reply, gets the 413 rather than a reset connection. A body that does not arrive in
//! time is a 408.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// The body is longer than the limit.
    #[error("http: request body too large")]
    TooLarge,
    /// The body did not arrive within the read timeout.
    #[error("timed out reading the request body after {0:?}")]
    Timeout(Duration),
    /// The connection failed while the body was read.
    #[error("{0}")]
    Read(String),
}

/// The whole body, or an error once it passes `limit` bytes (`None`: no limit) or takes
/// longer than `timeout`.
pub(crate) async fn read(
    mut body: Incoming,
    limit: Option<u64>,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let deadline = tokio::time::Instant::now() + timeout;
    let mut kept = BytesMut::new();
    let mut too_large = false;
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame()).await;
        let Ok(frame) = frame else {
            // An over-limit body that takes too long is still refused for its size.
            return Err(if too_large {
                BodyError::TooLarge
            } else {
                BodyError::Timeout(timeout)
            });
        };
        let Some(frame) = frame else {
            break;
        };
        let frame = frame.map_err(|e| BodyError::Read(e.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        too_large = too_large || kept.len().saturating_add(data.len()) > limit;
        if too_large {
            kept = BytesMut::new();
        } else {
            kept.extend_from_slice(&data);
        }
    }
    if too_large {
        return Err(BodyError::TooLarge);
    }
    Ok(kept.freeze())
}
