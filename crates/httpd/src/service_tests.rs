//! The service-tests API (Kapacitor's `/kapacitor/v1/service-tests`, Chronograf's "Test"
//! button): `GET` lists the testable services with their default options; `POST
//! /service-tests/<name>` with options sends one test alert through the configured
//! service and answers `{"success", "message"}` (200 either way; 404 for an unknown
//! service, 400 for bad options).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request};
use serde::Serialize;
use serde_json::{Map, Value};
use tickflow::alert::services::{run_test, service_tests, TestError};

use crate::app::App;
use crate::error::ApiError;
use crate::reply::Reply;
use crate::tasks::{blocking, ok};

/// The list's path; every route of this module starts with it.
pub(crate) const SERVICE_TESTS: &str = "/kapacitor/v1/service-tests";

/// `{"rel": "self", "href": …}`.
#[derive(Serialize)]
struct Link {
    rel: &'static str,
    href: String,
}

#[derive(Serialize)]
struct ServiceTest {
    link: Link,
    name: &'static str,
    options: Value,
}

#[derive(Serialize)]
struct List {
    link: Link,
    services: Vec<ServiceTest>,
}

#[derive(Serialize)]
struct Outcome {
    success: bool,
    message: String,
}

fn link(href: String) -> Link {
    Link { rel: "self", href }
}

/// Routes a request whose path starts with [`SERVICE_TESTS`].
pub(crate) async fn route(app: &Arc<App>, request: Request<Incoming>, path: &str) -> Reply {
    let rest = &path[SERVICE_TESTS.len()..];
    let result = match (request.method().clone(), rest.strip_prefix('/')) {
        (Method::GET, None) if rest.is_empty() => Ok(list()),
        (Method::POST, Some(name)) if !name.is_empty() && !name.contains('/') => {
            test(app, name.to_string(), request).await
        }
        _ => return Reply::not_found(),
    };
    result.unwrap_or_else(Reply::from)
}

fn list() -> Reply {
    let services = (service_tests().into_iter())
        .map(|(name, options)| ServiceTest {
            link: link(format!("{SERVICE_TESTS}/{name}")),
            name,
            options,
        })
        .collect();
    ok(&List {
        link: link(SERVICE_TESTS.to_string()),
        services,
    })
}

async fn test(app: &Arc<App>, name: String, request: Request<Incoming>) -> Result<Reply, ApiError> {
    let bytes = app
        .read_body(request)
        .await
        .map_err(ApiError::bad_request)?;
    let options: Map<String, Value> = match bytes.is_empty() {
        true => Map::new(),
        false => {
            serde_json::from_slice(&bytes).map_err(|_| ApiError::bad_request("invalid JSON"))?
        }
    };
    let outcome = blocking(app, move |app| {
        let services = &app.engine.master().environment().services;
        match run_test(services, &name, &options) {
            Ok(()) => Ok(Outcome {
                success: true,
                message: String::new(),
            }),
            Err(TestError::Failed(message)) => Ok(Outcome {
                success: false,
                message,
            }),
            Err(err @ TestError::Unknown(_)) => Err(ApiError::not_found(err)),
            Err(err @ TestError::Options(_)) => Err(ApiError::bad_request(err)),
        }
    })
    .await?;
    Ok(ok(&outcome))
}
