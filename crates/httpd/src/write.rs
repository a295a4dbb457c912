//! `POST /write` and `POST /kapacitor/v1/write` (kapacitor-compat.md, http-api §2): the query
//! parameters, the body, the wait for a write permit and the statuses.
//!
//! The handler reads the body first, within `read-timeout` (a client that sends it too
//! slowly gets 408 and holds nothing others need), and only then takes a write permit,
//! for the parse and the routing: a slow client cannot stall the others. While the
//! engine is busy a write waits for its permit, and with `write-timeout` set it gets 503
//! after that wait, with nothing written. Once a write has its permit, its points are
//! all routed (blocking pushes run on tokio's blocking pool, never on the runtime's
//! threads).
//!
//! On a durable engine a write the write-ahead log cannot take (disk full, a file-size
//! limit) gets 507 Insufficient Storage naming why; nothing of it was acknowledged, and
//! the server goes on taking writes once the log can take them again.
//!
//! A body whose `Content-Length` is over the limit is refused with 413 at once when the
//! client waits for `100 Continue` (it then sends nothing); otherwise it is read to its
//! end and dropped, so the client reads the 413 ([`crate::body::read`]).

use std::collections::HashMap;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{CONTENT_ENCODING, CONTENT_LENGTH, EXPECT};
use hyper::{Request, StatusCode};
use tokio::sync::OwnedSemaphorePermit;

use crate::app::App;
use crate::body::BodyError;
use crate::reply::Reply;
use tickflow::ingest::{WriteError, WriteRequest};

/// Handles one write request.
pub(crate) async fn handle(app: &Arc<App>, request: Request<Incoming>) -> Reply {
    let params = query(request.uri().query());
    if expects_continue(&request) && over_limit(&request, app.body_limit()) {
        return too_large();
    }
    let gzip = request
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes() == b"gzip");
    let body = match app.read_body(request).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => return too_large(),
        Err(err @ BodyError::Timeout(_)) => {
            return text(StatusCode::REQUEST_TIMEOUT, &err.to_string())
        }
        Err(err) => return text(StatusCode::BAD_REQUEST, &err.to_string()),
    };
    let Some(permit) = permit(app).await else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "timed out waiting for the engine: try again later",
        );
    };
    let param = |key: &str| params.get(key).cloned().unwrap_or_default();
    let mut retention_policy = param("rp");
    if retention_policy.is_empty() {
        retention_policy.clone_from(&app.config().default_retention_policy);
    }
    let write = WriteRequest {
        body,
        gzip,
        database: param("db"),
        retention_policy,
        precision: param("precision"),
        limit: app.body_limit(),
        time_guard: app.config().time_guard,
    };
    let engine = Arc::clone(&app.engine);
    let result = tokio::task::spawn_blocking(move || {
        let result = engine.write(write);
        drop(permit);
        result
    })
    .await;
    match result {
        Ok(Ok(_)) => Reply::empty(StatusCode::NO_CONTENT),
        Ok(Err(err)) => text(status(&err), &err.to_string()),
        Err(join) => text(StatusCode::INTERNAL_SERVER_ERROR, &join.to_string()),
    }
}

/// The 413 reply.
fn too_large() -> Reply {
    text(
        StatusCode::PAYLOAD_TOO_LARGE,
        &BodyError::TooLarge.to_string(),
    )
}

/// Whether the client waits for `100 Continue` before it sends the body.
fn expects_continue(request: &Request<Incoming>) -> bool {
    (request.headers().get(EXPECT))
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

/// Whether the request's `Content-Length` is over `limit`.
fn over_limit(request: &Request<Incoming>, limit: Option<u64>) -> bool {
    let length = request.headers().get(CONTENT_LENGTH);
    let length = length.and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    length
        .zip(limit)
        .is_some_and(|(length, limit)| length > limit)
}

/// A write permit, waiting at most the configured time; `None` when it ran out.
async fn permit(app: &App) -> Option<OwnedSemaphorePermit> {
    let acquire = Arc::clone(&app.writes).acquire_owned();
    let permit = match app.config().write_timeout {
        Some(wait) => tokio::time::timeout(wait, acquire).await.ok()?,
        None => acquire.await,
    };
    permit.ok()
}

/// The status of a refused write.
fn status(err: &WriteError) -> StatusCode {
    match err {
        WriteError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        WriteError::Master(_) => StatusCode::INTERNAL_SERVER_ERROR,
        // Nothing of the write was kept: the client may send it again once there is room.
        WriteError::Storage(_) => StatusCode::INSUFFICIENT_STORAGE,
        WriteError::Gzip(_)
        | WriteError::Precision(_)
        | WriteError::Parse(_)
        | WriteError::NoDatabase => StatusCode::BAD_REQUEST,
    }
}

/// The write endpoint's error body: the text and one newline, not JSON (§2.3).
fn text(status: StatusCode, message: &str) -> Reply {
    Reply::body(status, format!("{message}\n"))
}

/// The decoded query parameters; the first of a repeated key wins, as Go's `Get`.
pub(crate) fn query(query: Option<&str>) -> HashMap<String, String> {
    let mut params = HashMap::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned() {
        params.entry(key).or_insert(value);
    }
    params
}
