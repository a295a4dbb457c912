//! Authentication, route by route over the server's route table: with `[auth]` on,
//! every method of every route refuses a request without credentials or with a wrong
//! password, and answers an admin; each permission opens what it names; the users API
//! adds users who can then sign in.

use base64::Engine as _;
use serde_json::json;
use tickflow::config::{AuthSection, UserSection};
use tickflow::{Config, HttpConfig};
use tickflow_httpd::routes::ROUTES;

use crate::TestServer;

fn user(name: &str, password: &str, user_type: &str, permissions: &[&str]) -> UserSection {
    UserSection {
        name: name.into(),
        password_hash: bcrypt::hash(password, 4).expect("hash"),
        user_type: user_type.into(),
        permissions: permissions.iter().map(|p| p.to_string()).collect(),
    }
}

fn server() -> TestServer {
    let config = Config {
        auth: AuthSection {
            enabled: true,
            bcrypt_cost: 4,
            users: vec![
                user("admin", "root", "admin", &[]),
                user("telegraf", "metrics", "normal", &["write_points"]),
                user("ops", "tasks", "normal", &["api"]),
            ],
            ..AuthSection::default()
        },
        ..Config::default()
    };
    TestServer::start_with(HttpConfig::default(), config)
}

fn basic(name: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"));
    format!("Basic {token}")
}

/// Every route with its placeholders filled, and each of its methods.
fn requests() -> Vec<(&'static str, String)> {
    let mut requests = Vec::new();
    for (pattern, methods) in ROUTES {
        let path: Vec<&str> = pattern
            .split('/')
            .map(|s| if s.starts_with('<') { "x" } else { s })
            .collect();
        for method in *methods {
            requests.push((*method, path.join("/")));
        }
    }
    requests
}

#[test]
fn every_route_refuses_requests_without_valid_credentials() {
    let server = server();
    let admin = basic("admin", "root");
    for (method, path) in requests() {
        let anonymous = server.send(method, &path, &[], b"");
        // A HEAD reply has no body.
        let body = match method {
            "HEAD" => String::new(),
            _ => "{\"error\":\"unable to parse authentication credentials\",\
                  \"message\":\"unable to parse authentication credentials\"}"
                .to_string(),
        };
        assert_eq!(
            (anonymous.status, anonymous.text()),
            (401, body),
            "{method} {path}"
        );
        let wrong = server.send(
            method,
            &path,
            &[("Authorization", &basic("admin", "guess"))],
            b"",
        );
        assert_eq!(wrong.status, 401, "{method} {path}");
        if method != "HEAD" {
            assert_eq!(
                wrong.json()["error"],
                "authorization failed",
                "{method} {path}"
            );
        }
        let allowed = server.send(method, &path, &[("Authorization", &admin)], b"");
        assert!(
            ![401, 403].contains(&allowed.status),
            "{method} {path}: {}",
            allowed.text()
        );
    }
    let preflight = server.send("OPTIONS", "/kapacitor/v1/tasks", &[], b"");
    assert_eq!(preflight.status, 200);
}

#[test]
fn permissions_open_what_they_name() {
    let server = server();
    let telegraf = basic("telegraf", "metrics");
    let ops = basic("ops", "tasks");
    let write = |who: &str| {
        server
            .send(
                "POST",
                "/write?db=telegraf",
                &[("Authorization", who)],
                b"cpu value=1 1\n",
            )
            .status
    };
    assert_eq!(write(&telegraf), 204);
    let refused = server.send(
        "GET",
        "/kapacitor/v1/tasks",
        &[("Authorization", &telegraf)],
        b"",
    );
    assert_eq!(
        (refused.status, refused.json()["error"].clone()),
        (
            403,
            json!("user \"telegraf\" does not have \"api\" privilege for API endpoint \"/kapacitor/v1/tasks\"")
        )
    );
    assert_eq!(write(&ops), 403);
    let tasks = server.send(
        "GET",
        "/kapacitor/v1/tasks",
        &[("Authorization", &ops)],
        b"",
    );
    assert_eq!(tasks.status, 200);
    let config = server.send(
        "GET",
        "/kapacitor/v1/config",
        &[("Authorization", &ops)],
        b"",
    );
    assert_eq!(config.status, 403);
    let users = server.send(
        "GET",
        "/kapacitor/v1/users",
        &[("Authorization", &ops)],
        b"",
    );
    assert_eq!(users.status, 403);
    // Query parameters carry credentials too.
    let by_query = server.send("GET", "/kapacitor/v1/ping?u=ops&p=tasks", &[], b"");
    assert_eq!(by_query.status, 204);
}

#[test]
fn users_added_over_the_api_sign_in() {
    let server = server();
    let admin = basic("admin", "root");
    let body = json!({"name": "stan", "password": "pass", "type": "normal", "permissions": ["config_api"]});
    let created = server.send(
        "POST",
        "/kapacitor/v1/users",
        &[("Authorization", &admin)],
        body.to_string().as_bytes(),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(
        created.json(),
        json!({"link": {"rel": "self", "href": "/kapacitor/v1/users/stan"}, "name": "stan",
               "type": "normal", "permissions": ["config_api"]})
    );
    let stan = basic("stan", "pass");
    assert_eq!(
        server
            .send(
                "GET",
                "/kapacitor/v1/config",
                &[("Authorization", &stan)],
                b""
            )
            .status,
        200
    );
    assert_eq!(
        server
            .send(
                "GET",
                "/kapacitor/v1/tasks",
                &[("Authorization", &stan)],
                b""
            )
            .status,
        403
    );
    let listed = server
        .send(
            "GET",
            "/kapacitor/v1/users",
            &[("Authorization", &admin)],
            b"",
        )
        .json();
    let names: Vec<&str> = (listed["users"].as_array().expect("list").iter())
        .filter_map(|u| u["name"].as_str())
        .collect();
    assert_eq!(names, ["admin", "ops", "stan", "telegraf"]);
    let patch = json!({"password": "new"});
    let patched = server.send(
        "PATCH",
        "/kapacitor/v1/users/stan",
        &[("Authorization", &admin)],
        patch.to_string().as_bytes(),
    );
    assert_eq!(patched.status, 200, "{}", patched.text());
    assert_eq!(
        server
            .send(
                "GET",
                "/kapacitor/v1/config",
                &[("Authorization", &stan)],
                b""
            )
            .status,
        401
    );
    let deleted = server.send(
        "DELETE",
        "/kapacitor/v1/users/stan",
        &[("Authorization", &admin)],
        b"",
    );
    assert_eq!(deleted.status, 204);
    let gone = server.send(
        "GET",
        "/kapacitor/v1/config",
        &[("Authorization", &basic("stan", "new"))],
        b"",
    );
    assert_eq!(gone.status, 401);
}
