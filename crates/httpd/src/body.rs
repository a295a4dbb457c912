//! Reading a request body whole, refusing it once it passes the size limit.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// The body is longer than the limit.
    #[error("http: request body too large")]
    TooLarge,
    /// The connection failed while the body was read.
    #[error("{0}")]
    Read(String),
}

/// The whole body, or an error once it passes `limit` bytes (`None`: no limit).
pub(crate) async fn read(body: Incoming, limit: Option<u64>) -> Result<Bytes, BodyError> {
    let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge),
        Err(err) => Err(BodyError::Read(err.to_string())),
    }
}
