//! Routing and the headers every response gets (kapacitor-compat.md, http-api §1.1, §1.2).
//!
//! `OPTIONS` on any path is answered 200 by the CORS layer; a non-canonical path is
//! redirected to its cleaned form; `/kapacitor/v1preview/` is `/kapacitor/v1/`. A route
//! matches method and path; anything else, a wrong method included, is a 404 with the
//! standard error body. Every response then gets `Content-Type: application/json;
//! charset=utf-8`, `X-Kapacitor-Version` (Kapacitor's semantic version), `X-Tickflow-Version`, a fresh `Request-Id`, CORS headers when the
//! request has an `Origin`, and a gzip-compressed body when the client accepts gzip.

use std::convert::Infallible;
use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::app::App;
use crate::reply::Reply;
use crate::{
    alerts, auth, config, debug_vars, routes, service_tests, tasks, templates, users, write,
};

/// The Kapacitor version every response carries in `X-Kapacitor-Version`: the release
/// whose API tickflow serves, as a plain semantic version that clients (Chronograf, the
/// Go client) parse.
pub const VERSION: &str = "1.8.0";

/// tickflow's own version, in `X-Tickflow-Version`.
pub const TICKFLOW_VERSION: &str = env!("CARGO_PKG_VERSION");

const TASKS: &str = "/kapacitor/v1/tasks";

/// Answers one request.
pub(crate) async fn handle(
    app: Arc<App>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let origin = request.headers().get(header::ORIGIN).cloned();
    if request.method() == Method::OPTIONS {
        let mut response = Response::new(Full::new(Bytes::new()));
        add_common(response.headers_mut(), origin);
        return Ok(response);
    }
    let gzip = accepts_gzip(request.headers());
    let path = request.uri().path().to_string();
    let cleaned = clean(&path);
    let reply = if cleaned != path {
        let query = request
            .uri()
            .query()
            .map_or_else(String::new, |q| format!("?{q}"));
        Reply::redirect(format!("{cleaned}{query}"))
    } else {
        let path = match path.strip_prefix("/kapacitor/v1preview/") {
            Some(rest) => format!("/kapacitor/v1/{rest}"),
            None => path,
        };
        match auth::check(&app, request.headers(), request.uri(), &path).await {
            Ok(()) => route(&app, request, &path).await,
            Err(refused) => refused,
        }
    };
    Ok(respond(reply, origin, gzip))
}

/// Picks the handler for a method and path.
async fn route(app: &Arc<App>, request: Request<Incoming>, path: &str) -> Reply {
    let method = request.method().clone();
    match (&method, path) {
        (&Method::POST, "/write" | "/kapacitor/v1/write") => write::handle(app, request).await,
        (&Method::GET | &Method::HEAD, "/kapacitor/v1/ping") => {
            Reply::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, "/kapacitor/v1/:routes") => tasks::ok(&routes::listing()),
        (&Method::GET, "/kapacitor/v1/debug/vars") => debug_vars::handle(app).await,
        (&Method::POST, "/kapacitor/v1/sideload/reload") => {
            tickflow::engine::reload_sideloads();
            Reply::empty(StatusCode::NO_CONTENT)
        }
        (&Method::GET, _)
            if path == config::CONFIG || path.starts_with("/kapacitor/v1/config/") =>
        {
            config::get(app, path)
        }
        (&Method::GET, TASKS) => tasks::list(app, request.uri()).await,
        (&Method::POST, TASKS) => tasks::create(app, request).await,
        (&Method::GET | &Method::PATCH | &Method::DELETE, _)
            if path.starts_with("/kapacitor/v1/tasks/") =>
        {
            let id = path["/kapacitor/v1/tasks/".len()..].to_string();
            if id.is_empty() {
                return Reply::error(StatusCode::BAD_REQUEST, "must specify task id on path");
            }
            match method {
                Method::GET if id.contains('/') => tasks::http_output(app, &id),
                Method::GET => tasks::get(app, id, request.uri()).await,
                Method::PATCH => tasks::update(app, id, request).await,
                _ => tasks::delete(app, id).await,
            }
        }
        _ if path == templates::TEMPLATES || path.starts_with("/kapacitor/v1/templates/") => {
            templates::route(app, request, path).await
        }
        _ if path == users::USERS || path.starts_with("/kapacitor/v1/users/") => {
            users::route(app, request, path).await
        }
        _ if path.starts_with(alerts::TOPICS) => alerts::route(app, request, path).await,
        _ if path.starts_with(service_tests::SERVICE_TESTS) => {
            service_tests::route(app, request, path).await
        }
        _ => Reply::not_found(),
    }
}

/// Go's `path.Clean`, keeping a trailing slash as Go's HTTP mux does.
fn clean(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut cleaned = format!("/{}", segments.join("/"));
    if path.ends_with('/') && cleaned != "/" {
        cleaned.push('/');
    }
    cleaned
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("gzip")))
}

/// `Request-Id` and, when the request had an `Origin`, the CORS headers.
fn add_common(headers: &mut HeaderMap, origin: Option<HeaderValue>) {
    let id = uuid::Uuid::now_v1(&node_id());
    if let Ok(id) = HeaderValue::from_str(&id.to_string()) {
        headers.insert("Request-Id", id);
    }
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("DELETE, GET, OPTIONS, POST, PATCH"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(
                "Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, \
                 X-CSRF-Token, X-HTTP-Method-Override",
            ),
        );
    }
}

/// The node id of the time-based request ids: this process's id, so servers on one
/// machine do not repeat each other's ids.
fn node_id() -> [u8; 6] {
    let pid = std::process::id().to_be_bytes();
    [0x02, 0x74, pid[0], pid[1], pid[2], pid[3]]
}

/// The response for `reply`, with every common header.
fn respond(reply: Reply, origin: Option<HeaderValue>, gzip: bool) -> Response<Full<Bytes>> {
    let mut body = reply.body.into_bytes();
    let compressed = gzip && !body.is_empty();
    if compressed {
        body = compress(&body);
    }
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.insert("X-Kapacitor-Version", HeaderValue::from_static(VERSION));
    headers.insert(
        "X-Tickflow-Version",
        HeaderValue::from_static(TICKFLOW_VERSION),
    );
    if compressed {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    add_common(headers, origin);
    response
}

fn compress(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to memory cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn paths_are_cleaned_as_go_does() {
        for (path, cleaned) in [
            ("/write", "/write"),
            ("//write", "/write"),
            ("/kapacitor/v1/./ping", "/kapacitor/v1/ping"),
            ("/kapacitor/v1/tasks/../ping", "/kapacitor/v1/ping"),
            ("/kapacitor/v1/tasks/", "/kapacitor/v1/tasks/"),
            ("/", "/"),
        ] {
            assert_eq!(clean(path), cleaned, "{path}");
        }
    }
}
