//! The templates API over HTTP (kapacitor-compat.md, http-api §3.8): define, list, get
//! (with the vars the template declares), update (which reloads the tasks made from the
//! template) and delete, over the engine's [`TaskStore`](tickflow::tasks::TaskStore).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use tickflow::tasks::templates::{TemplateBody, TEMPLATE_FIELDS};
use tickflow::tasks::ScriptFormat;

use crate::app::App;
use crate::error::ApiError;
use crate::list::{self, ListParams};
use crate::reply::Reply;
use crate::tasks::{blocking, ok, views};

/// The templates' base path.
pub(crate) const TEMPLATES: &str = "/kapacitor/v1/templates";

/// Answers a request under [`TEMPLATES`].
pub(crate) async fn route(app: &Arc<App>, request: Request<Incoming>, path: &str) -> Reply {
    let method = request.method().clone();
    let id = path
        .strip_prefix(TEMPLATES)
        .and_then(|rest| rest.strip_prefix('/'));
    let result = match (method, id) {
        (Method::GET, None) => list(app, request.uri()).await,
        (Method::POST, None) => create(app, request).await,
        (Method::GET | Method::PATCH | Method::DELETE, Some("")) => {
            Err(ApiError::bad_request("must specify template id on path"))
        }
        (Method::GET, Some(id)) => get(app, id.to_string(), request.uri()).await,
        (Method::PATCH, Some(id)) => update(app, id.to_string(), request).await,
        (Method::DELETE, Some(id)) => delete(app, id.to_string()).await,
        _ => return Reply::not_found(),
    };
    result.unwrap_or_else(Reply::from)
}

/// The request body as a template body, or `invalid JSON`.
async fn body(app: &App, request: Request<Incoming>) -> Result<TemplateBody, ApiError> {
    let bytes = (app.read_body(request).await).map_err(ApiError::bad_request)?;
    serde_json::from_slice(&bytes).map_err(|_| ApiError::bad_request("invalid JSON"))
}

/// `POST /kapacitor/v1/templates`: 200 with the template.
async fn create(app: &Arc<App>, request: Request<Incoming>) -> Result<Reply, ApiError> {
    let body = body(app, request).await?;
    let template = blocking(app, move |app| {
        let id = app.store().define_template(body)?;
        Ok(app.store().template(&id, ScriptFormat::Formatted)?)
    })
    .await?;
    Ok(ok(&template))
}

/// `GET /kapacitor/v1/templates/<id>`.
async fn get(app: &Arc<App>, id: String, uri: &hyper::Uri) -> Result<Reply, ApiError> {
    let (format, _) = views(uri)?;
    let template = blocking(app, move |app| Ok(app.store().template(&id, format)?)).await?;
    Ok(ok(&template))
}

/// `PATCH /kapacitor/v1/templates/<id>`: 200 with the template as it now is.
async fn update(app: &Arc<App>, id: String, request: Request<Incoming>) -> Result<Reply, ApiError> {
    let body = body(app, request).await?;
    let template = blocking(app, move |app| {
        let id = app.store().update_template(&id, body)?;
        Ok(app.store().template(&id, ScriptFormat::Formatted)?)
    })
    .await?;
    Ok(ok(&template))
}

/// `DELETE /kapacitor/v1/templates/<id>`: 204 whether or not it existed.
async fn delete(app: &Arc<App>, id: String) -> Result<Reply, ApiError> {
    blocking(app, move |app| {
        app.store().delete_template(&id)?;
        Ok(())
    })
    .await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// `GET /kapacitor/v1/templates`: `{"templates": […]}`, sorted by id.
async fn list(app: &Arc<App>, uri: &hyper::Uri) -> Result<Reply, ApiError> {
    let (format, _) = views(uri)?;
    let ListParams {
        pattern,
        fields,
        offset,
        limit,
    } = list::params(uri, &TEMPLATE_FIELDS)?;
    let templates = blocking(app, move |app| {
        Ok(app.store().list_templates(&pattern, offset, limit, format))
    })
    .await?;
    let templates: Vec<_> = templates.iter().map(|t| t.listed(&fields)).collect();
    Ok(ok(&serde_json::json!({ "templates": templates })))
}
