//! The route table: every path the server answers and its methods, as
//! `GET /kapacitor/v1/:routes` lists them (`{"<path>": ["GET", …]}`). A path segment
//! in angle brackets (`<id>`) stands for any value.
//!
//! The router matches requests itself; the table names what it answers, and a test
//! walks it so that the two cannot drift apart (and so that authentication is checked
//! on every route).

use serde_json::{Map, Value};

/// Every route: a path pattern and its methods.
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/write", &["POST"]),
    ("/kapacitor/v1/write", &["POST"]),
    ("/kapacitor/v1/ping", &["GET", "HEAD"]),
    ("/kapacitor/v1/:routes", &["GET"]),
    ("/kapacitor/v1/debug/vars", &["GET"]),
    ("/kapacitor/v1/sideload/reload", &["POST"]),
    ("/kapacitor/v1/config", &["GET"]),
    ("/kapacitor/v1/config/<section>", &["GET"]),
    ("/kapacitor/v1/config/<section>/<element>", &["GET"]),
    ("/kapacitor/v1/tasks", &["GET", "POST"]),
    ("/kapacitor/v1/tasks/<id>", &["GET", "PATCH", "DELETE"]),
    ("/kapacitor/v1/tasks/<id>/<endpoint>", &["GET"]),
    ("/kapacitor/v1/templates", &["GET", "POST"]),
    ("/kapacitor/v1/templates/<id>", &["GET", "PATCH", "DELETE"]),
    ("/kapacitor/v1/alerts/topics", &["GET"]),
    ("/kapacitor/v1/alerts/topics/<topic>", &["GET", "DELETE"]),
    ("/kapacitor/v1/alerts/topics/<topic>/events", &["GET"]),
    ("/kapacitor/v1/alerts/topics/<topic>/events/<id>", &["GET"]),
    (
        "/kapacitor/v1/alerts/topics/<topic>/handlers",
        &["GET", "POST"],
    ),
    (
        "/kapacitor/v1/alerts/topics/<topic>/handlers/<id>",
        &["GET", "PUT", "DELETE"],
    ),
    ("/kapacitor/v1/users", &["GET", "POST"]),
    ("/kapacitor/v1/users/<name>", &["GET", "PATCH", "DELETE"]),
    ("/kapacitor/v1/service-tests", &["GET"]),
    ("/kapacitor/v1/service-tests/<service>", &["POST"]),
];

/// The table as `:routes` shows it.
pub(crate) fn listing() -> Value {
    let routes: Map<String, Value> = ROUTES
        .iter()
        .map(|(path, methods)| ((*path).to_string(), Value::from(methods.to_vec())))
        .collect();
    Value::Object(routes)
}
