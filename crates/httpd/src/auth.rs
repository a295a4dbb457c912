//! Authentication when `[auth] enabled` (or Kapacitor's `[http] auth-enabled`) is set:
//! every request, on every route, carries a user's credentials, as HTTP basic auth or
//! as the `u` and `p` query parameters (kapacitor-compat.md, http-api §1.4), and the
//! user needs the permission the route asks for: `write_points` for the write
//! endpoints, `config_api` for `/kapacitor/v1/config`, an admin for
//! `/kapacitor/v1/users`, `api` for the rest (`all`, or an admin, for any).
//!
//! Failures are Kapacitor's: 401 with `unable to parse authentication credentials`,
//! `username required` or `authorization failed`, 403 when the user lacks the
//! permission, each with the compact error body. Kapacitor's JWT bearer tokens are not
//! taken. `OPTIONS` (the CORS pre-flight, which browsers send without credentials)
//! stays open, as in Kapacitor.

use std::sync::Arc;

use base64::Engine as _;
use hyper::header::{HeaderMap, AUTHORIZATION};
use hyper::StatusCode;
use tickflow::users::{Permission, User};

use crate::app::App;
use crate::reply::Reply;
use crate::write::query;

/// Whether the server asks for credentials.
pub(crate) fn enabled(app: &App) -> bool {
    let config = app.engine.config();
    config.auth.enabled || config.http.auth_enabled
}

/// The user the request authenticates as, or the reply refusing it.
pub(crate) async fn check(
    app: &Arc<App>,
    headers: &HeaderMap,
    uri: &hyper::Uri,
    path: &str,
) -> Result<(), Reply> {
    if !enabled(app) {
        return Ok(());
    }
    let (name, password) = credentials(headers, uri).ok_or_else(|| {
        refuse(
            StatusCode::UNAUTHORIZED,
            "unable to parse authentication credentials",
        )
    })?;
    if name.is_empty() {
        return Err(refuse(StatusCode::UNAUTHORIZED, "username required"));
    }
    let engine = Arc::clone(&app.engine);
    let user = tokio::task::spawn_blocking(move || engine.users().authenticate(&name, &password))
        .await
        .ok()
        .flatten()
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, "authorization failed"))?;
    authorize(&user, path)
}

/// Whether `user` may use `path`.
fn authorize(user: &User, path: &str) -> Result<(), Reply> {
    let (needed, allowed) = match required(path) {
        None => ("admin", user.user_type == "admin"),
        Some(permission) => (permission.name(), user.may(permission)),
    };
    match allowed {
        true => Ok(()),
        false => Err(refuse(
            StatusCode::FORBIDDEN,
            &format!(
                "user {:?} does not have {needed:?} privilege for API endpoint {path:?}",
                user.name
            ),
        )),
    }
}

/// The permission `path` needs; `None` for the admin-only users API.
fn required(path: &str) -> Option<Permission> {
    let under = |base: &str| path == base || path.starts_with(&format!("{base}/"));
    if path == "/write" || path == "/kapacitor/v1/write" {
        Some(Permission::WritePoints)
    } else if under("/kapacitor/v1/config") {
        Some(Permission::ConfigApi)
    } else if under("/kapacitor/v1/users") {
        None
    } else {
        Some(Permission::Api)
    }
}

/// The user name and password of basic auth, or of the `u` and `p` parameters.
fn credentials(headers: &HeaderMap, uri: &hyper::Uri) -> Option<(String, String)> {
    if let Some(header) = headers.get(AUTHORIZATION) {
        let encoded = header.to_str().ok()?.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (name, password) = text.split_once(':')?;
        return Some((name.to_string(), password.to_string()));
    }
    let params = query(uri.query());
    Some((
        params.get("u")?.clone(),
        params.get("p").cloned().unwrap_or_default(),
    ))
}

/// A refusal with the compact error body authentication failures carry.
fn refuse(status: StatusCode, message: &str) -> Reply {
    let body = serde_json::json!({"error": message, "message": message});
    Reply::body(status, body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_needs_its_permission() {
        assert_eq!(required("/write"), Some(Permission::WritePoints));
        assert_eq!(
            required("/kapacitor/v1/write"),
            Some(Permission::WritePoints)
        );
        assert_eq!(
            required("/kapacitor/v1/config/smtp"),
            Some(Permission::ConfigApi)
        );
        assert_eq!(required("/kapacitor/v1/configs"), Some(Permission::Api));
        assert_eq!(required("/kapacitor/v1/users/bob"), None);
        assert_eq!(required("/kapacitor/v1/tasks"), Some(Permission::Api));
    }

    #[test]
    fn basic_auth_and_query_parameters_carry_credentials() {
        let mut headers = HeaderMap::new();
        let uri: hyper::Uri = "/kapacitor/v1/ping?u=q&p=w".parse().expect("uri");
        assert_eq!(credentials(&headers, &uri), Some(("q".into(), "w".into())));
        headers.insert(AUTHORIZATION, "Basic Ym9iOnB3OmQ=".parse().expect("header"));
        assert_eq!(
            credentials(&headers, &uri),
            Some(("bob".into(), "pw:d".into()))
        );
        headers.insert(AUTHORIZATION, "Bearer x".parse().expect("header"));
        assert_eq!(credentials(&headers, &uri), None);
        let bare: hyper::Uri = "/kapacitor/v1/ping".parse().expect("uri");
        assert_eq!(credentials(&HeaderMap::new(), &bare), None);
    }
}
