//! The tasks API over HTTP (kapacitor-compat.md, http-api §3): query parameters and bodies in,
//! [`TaskStore`](crate::store::TaskStore) calls on tokio's blocking pool (enabling starts
//! threads, disabling drains a task), task objects out.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use serde::Serialize;

use crate::app::App;
use crate::json;
use crate::reply::Reply;
use tickflow::tasks::object::DotView;
use tickflow::tasks::{ScriptFormat, TaskBody};

use crate::error::ApiError;
use crate::list::{self, ListParams};
use crate::write::query;

/// The fields a list request may ask for.
const FIELDS: [&str; 15] = [
    "link",
    "id",
    "template-id",
    "type",
    "dbrps",
    "script",
    "vars",
    "dot",
    "status",
    "executing",
    "error",
    "stats",
    "created",
    "modified",
    "last-enabled",
];

/// Runs a store operation on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let app = Arc::clone(app);
    tokio::task::spawn_blocking(move || f(&app))
        .await
        .unwrap_or_else(|join| {
            Err(ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: join.to_string(),
            })
        })
}

/// A 200 with the pretty JSON of `value`.
pub(crate) fn ok(value: &impl Serialize) -> Reply {
    Reply::body(StatusCode::OK, json::pretty(value))
}

/// The request body as a task body, or `invalid JSON`.
async fn task_body(app: &App, request: Request<Incoming>) -> Result<TaskBody, ApiError> {
    let bytes = (app.read_body(request).await).map_err(ApiError::bad_request)?;
    serde_json::from_slice(&bytes).map_err(|_| ApiError::bad_request("invalid JSON"))
}

/// `script-format` and `dot-view`.
pub(crate) fn views(uri: &hyper::Uri) -> Result<(ScriptFormat, DotView), ApiError> {
    let params = query(uri.query());
    let format = match params.get("script-format").map(String::as_str) {
        None | Some("" | "formatted") => ScriptFormat::Formatted,
        Some("raw") => ScriptFormat::Raw,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "invalid script-format parameter {other:?}"
            )))
        }
    };
    let view = match params.get("dot-view").map(String::as_str) {
        None | Some("" | "attributes") => DotView::Attributes,
        Some("labels") => DotView::Labels,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "invalid dot-view parameter {other:?}"
            )))
        }
    };
    Ok((format, view))
}

/// `POST /kapacitor/v1/tasks`.
pub(crate) async fn create(app: &Arc<App>, request: Request<Incoming>) -> Reply {
    let result = async {
        let body = task_body(app, request).await?;
        blocking(app, move |app| {
            let id = app.store().create(body)?;
            app.store()
                .get(&id, ScriptFormat::Formatted, DotView::Attributes)
                .map_err(ApiError::from)
        })
        .await
    };
    result.await.map_or_else(Reply::from, |task| ok(&task))
}

/// `GET /kapacitor/v1/tasks/<id>`.
pub(crate) async fn get(app: &Arc<App>, id: String, uri: &hyper::Uri) -> Reply {
    let result = match views(uri) {
        Ok((format, view)) => {
            blocking(app, move |app| Ok(app.store().get(&id, format, view)?)).await
        }
        Err(err) => Err(err),
    };
    result.map_or_else(Reply::from, |task| ok(&task))
}

/// `GET /kapacitor/v1/tasks/<task>/<endpoint>`: an `httpOut` node's latest rows,
/// compact JSON (kapacitor-compat.md, http-api §4). Without such a running endpoint the path is a
/// task id with a slash: 404 `no task exists`.
pub(crate) fn http_output(app: &App, path: &str) -> Reply {
    let output = path
        .split_once('/')
        .and_then(|(task, endpoint)| app.engine.master().http_output(task, endpoint));
    match output.map(|o| o.body()) {
        Some(Ok(body)) => Reply::body(StatusCode::OK, body),
        Some(Err(err)) => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
        None => ApiError::not_found("no task exists").into(),
    }
}

/// `PATCH /kapacitor/v1/tasks/<id>`.
pub(crate) async fn update(app: &Arc<App>, id: String, request: Request<Incoming>) -> Reply {
    let result = async {
        let body = task_body(app, request).await?;
        blocking(app, move |app| {
            let id = app.store().update(&id, body)?;
            app.store()
                .get(&id, ScriptFormat::Formatted, DotView::Attributes)
                .map_err(ApiError::from)
        })
        .await
    };
    result.await.map_or_else(Reply::from, |task| ok(&task))
}

/// `DELETE /kapacitor/v1/tasks/<id>`: 204 whether or not it existed.
pub(crate) async fn delete(app: &Arc<App>, id: String) -> Reply {
    let result = blocking(app, move |app| {
        app.store().delete(&id);
        Ok(())
    })
    .await;
    result.map_or_else(Reply::from, |()| Reply::empty(StatusCode::NO_CONTENT))
}

/// `GET /kapacitor/v1/tasks`.
pub(crate) async fn list(app: &Arc<App>, uri: &hyper::Uri) -> Reply {
    let result = async {
        let (format, view) = views(uri)?;
        let ListParams {
            pattern,
            fields,
            offset,
            limit,
        } = list::params(uri, &FIELDS)?;
        let tasks = blocking(app, move |app| {
            Ok(app.store().list(&pattern, offset, limit, format, view))
        })
        .await?;
        let tasks: Vec<_> = tasks.iter().map(|t| t.listed(&fields)).collect();
        Ok::<_, ApiError>(serde_json::json!({ "tasks": tasks }))
    };
    result.await.map_or_else(Reply::from, |tasks| ok(&tasks))
}
