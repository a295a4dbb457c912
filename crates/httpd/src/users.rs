//! The users API (`/kapacitor/v1/users[/<name>]`): list, create (201), get, update and
//! delete the users authentication checks, with Kapacitor's user types and permission
//! names. A user is shown as `{"link", "name", "type", "permissions"}`, never with its
//! password.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::{json, Value};
use tickflow::users::{User, UserBody, UserError};

use crate::app::App;
use crate::error::ApiError;
use crate::reply::Reply;
use crate::tasks::{blocking, ok};

/// The users' base path.
pub(crate) const USERS: &str = "/kapacitor/v1/users";

/// Answers a request under [`USERS`].
pub(crate) async fn route(app: &Arc<App>, request: Request<Incoming>, path: &str) -> Reply {
    let method = request.method().clone();
    let name = path.strip_prefix(USERS).and_then(|r| r.strip_prefix('/'));
    let result = match (method, name) {
        (Method::GET, None) => Ok(list(app)),
        (Method::POST, None) => create(app, request).await,
        (Method::GET | Method::PATCH | Method::DELETE, Some("")) => {
            Err(ApiError::bad_request("must specify user name on path"))
        }
        (Method::GET, Some(name)) => (app.engine.users().get(name))
            .map(|user| ok(&shown(&user)))
            .ok_or_else(|| ApiError::from(UserError::NotFound(name.into()))),
        (Method::PATCH, Some(name)) => update(app, name.to_string(), request).await,
        (Method::DELETE, Some(name)) => {
            app.engine.users().delete(name);
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        _ => return Reply::not_found(),
    };
    result.unwrap_or_else(Reply::from)
}

impl From<UserError> for ApiError {
    fn from(err: UserError) -> Self {
        match err {
            UserError::NotFound(_) => ApiError::not_found(err),
            UserError::Invalid(_) => ApiError::bad_request(err),
        }
    }
}

fn shown(user: &User) -> Value {
    json!({
        "link": {"rel": "self", "href": format!("{USERS}/{}", user.name)},
        "name": user.name,
        "type": user.user_type,
        "permissions": user.permissions,
    })
}

fn list(app: &App) -> Reply {
    let users: Vec<Value> = app.engine.users().list().iter().map(shown).collect();
    ok(&json!({"link": {"rel": "self", "href": USERS}, "users": users}))
}

async fn body(app: &App, request: Request<Incoming>) -> Result<UserBody, ApiError> {
    let bytes = (app.read_body(request).await).map_err(ApiError::bad_request)?;
    serde_json::from_slice(&bytes).map_err(|_| ApiError::bad_request("invalid JSON"))
}

/// `POST /kapacitor/v1/users` (bcrypt runs on the blocking pool).
async fn create(app: &Arc<App>, request: Request<Incoming>) -> Result<Reply, ApiError> {
    let body = body(app, request).await?;
    let user = blocking(app, move |app| Ok(app.engine.users().create(body)?)).await?;
    Ok(Reply::body(
        StatusCode::CREATED,
        crate::json::pretty(&shown(&user)),
    ))
}

/// `PATCH /kapacitor/v1/users/<name>`.
async fn update(
    app: &Arc<App>,
    name: String,
    request: Request<Incoming>,
) -> Result<Reply, ApiError> {
    let body = body(app, request).await?;
    let user = blocking(app, move |app| {
        Ok(app.engine.users().update(&name, body)?)
    })
    .await?;
    Ok(ok(&shown(&user)))
}
