//! The alerts API: topics, their events and their handlers, over the engine's shared
//! [`TopicHub`](tickflow_alert::TopicHub) (Kapacitor's `/kapacitor/v1/alerts/topics`
//! routes, with its JSON shapes).
//!
//! * `GET /alerts/topics` (`min-level`, `pattern`); `GET` and `DELETE /alerts/topics/<t>`.
//! * `GET /alerts/topics/<t>/events` (`min-level`) and `/events/<id>`.
//! * `GET` (`pattern`) and `POST /alerts/topics/<t>/handlers`; `GET`, `PUT`, `PATCH`
//!   (a JSON Patch, RFC 6902, of the handler's definition) and `DELETE
//!   /alerts/topics/<t>/handlers/<id>`.
//!
//! Handler definitions are `{"id", "kind", "options", "match"}`; a bad one is a 400
//! naming the problem. Starting or stopping a handler (which first delivers what it has
//! queued) runs on the blocking pool.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode, Uri};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tickflow::alert::{Define, DefineError, EventState, HandlerSpec, Level, TopicSummary};

use crate::app::App;
use crate::error::ApiError;
use crate::reply::Reply;
use crate::tasks::{blocking, ok};
use crate::write::query;

/// The path of the topics list; every route of this module starts with it.
pub(crate) const TOPICS: &str = "/kapacitor/v1/alerts/topics";

/// What a path under [`TOPICS`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target<'a> {
    Topics,
    Topic(&'a str),
    Events(&'a str),
    Event(&'a str, &'a str),
    Handlers(&'a str),
    Handler(&'a str, &'a str),
}

fn target(path: &str) -> Option<Target<'_>> {
    let rest = path.strip_prefix(TOPICS)?;
    if rest.is_empty() {
        return Some(Target::Topics);
    }
    let segments: Vec<&str> = rest.strip_prefix('/')?.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    Some(match segments[..] {
        [topic] => Target::Topic(topic),
        [topic, "events"] => Target::Events(topic),
        [topic, "events", id] => Target::Event(topic, id),
        [topic, "handlers"] => Target::Handlers(topic),
        [topic, "handlers", id] => Target::Handler(topic, id),
        _ => return None,
    })
}

/// Answers a request whose path starts with [`TOPICS`].
pub(crate) async fn route(app: &Arc<App>, request: Request<Incoming>, path: &str) -> Reply {
    let Some(target) = target(path) else {
        return Reply::not_found();
    };
    let method = request.method().clone();
    let uri = request.uri().clone();
    let result = match (method, target) {
        (Method::GET, Target::Topics) => list_topics(app, &uri),
        (Method::GET, Target::Topic(topic)) => get_topic(app, topic),
        (Method::DELETE, Target::Topic(topic)) => delete_topic(app, topic).await,
        (Method::GET, Target::Events(topic)) => list_events(app, topic, &uri),
        (Method::GET, Target::Event(topic, id)) => get_event(app, topic, id),
        (Method::GET, Target::Handlers(topic)) => list_handlers(app, topic, &uri),
        (Method::POST, Target::Handlers(topic)) => {
            define(app, topic, None, request, Define::Create).await
        }
        (Method::GET, Target::Handler(topic, id)) => get_handler(app, topic, id),
        (Method::PUT, Target::Handler(topic, id)) => {
            define(app, topic, Some(id), request, Define::Replace).await
        }
        (Method::PATCH, Target::Handler(topic, id)) => patch(app, topic, id, request).await,
        (Method::DELETE, Target::Handler(topic, id)) => remove_handler(app, topic, id).await,
        _ => return Reply::not_found(),
    };
    result.unwrap_or_else(Reply::from)
}

/// `{"rel": …, "href": …}`.
#[derive(Serialize)]
struct Link {
    rel: &'static str,
    href: String,
}

fn link(rel: &'static str, href: String) -> Link {
    Link { rel, href }
}

#[derive(Serialize)]
struct TopicJson {
    link: Link,
    id: String,
    level: &'static str,
    #[serde(rename = "events-link")]
    events_link: Link,
    #[serde(rename = "handlers-link")]
    handlers_link: Link,
}

impl From<TopicSummary> for TopicJson {
    fn from(topic: TopicSummary) -> Self {
        let href = format!("{TOPICS}/{}", topic.id);
        TopicJson {
            events_link: link("events", format!("{href}/events")),
            handlers_link: link("handlers", format!("{href}/handlers")),
            link: link("self", href),
            level: topic.level.as_str(),
            id: topic.id,
        }
    }
}

#[derive(Serialize)]
struct StateJson {
    level: &'static str,
    message: String,
    details: String,
    time: String,
    duration: String,
}

#[derive(Serialize)]
struct EventJson {
    link: Link,
    id: String,
    state: StateJson,
}

fn event_json(topic: &str, id: String, state: EventState) -> EventJson {
    EventJson {
        link: link("self", format!("{TOPICS}/{topic}/events/{id}")),
        id,
        state: StateJson {
            level: state.level.as_str(),
            message: state.message,
            details: state.details,
            time: state.time.to_rfc3339(),
            duration: state.duration.to_influxql(),
        },
    }
}

#[derive(Serialize)]
struct HandlerJson {
    link: Link,
    id: String,
    kind: String,
    options: Map<String, Value>,
    #[serde(rename = "match")]
    match_expr: String,
}

fn handler_json(topic: &str, spec: HandlerSpec) -> HandlerJson {
    HandlerJson {
        link: link("self", format!("{TOPICS}/{topic}/handlers/{}", spec.id)),
        id: spec.id,
        kind: spec.kind,
        options: spec.options,
        match_expr: spec.match_expr,
    }
}

/// A handler definition as posted.
#[derive(Deserialize, Serialize)]
struct HandlerBody {
    #[serde(default)]
    id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    options: Option<Map<String, Value>>,
    #[serde(default, rename = "match")]
    match_expr: String,
}

fn topic_missing(topic: &str) -> ApiError {
    ApiError::not_found(format!("topic {topic:?} does not exist"))
}

/// `min-level`: one of the four levels, any case; `OK` when absent.
fn min_level(uri: &Uri) -> Result<Level, ApiError> {
    let params = query(uri.query());
    let Some(text) = params.get("min-level") else {
        return Ok(Level::Ok);
    };
    [Level::Ok, Level::Info, Level::Warning, Level::Critical]
        .into_iter()
        .find(|level| level.as_str().eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "invalid min-level {text:?}, expected OK, INFO, WARNING or CRITICAL"
            ))
        })
}

/// Whether `id` matches the `pattern` parameter (every id without one).
fn pattern_matches(uri: &Uri) -> impl Fn(&str) -> bool {
    let pattern = query(uri.query())
        .remove("pattern")
        .filter(|p| !p.is_empty());
    move |id| {
        pattern
            .as_deref()
            .is_none_or(|p| tickflow::tasks::glob_matches(p, id))
    }
}

fn list_topics(app: &App, uri: &Uri) -> Result<Reply, ApiError> {
    let min = min_level(uri)?;
    let matches = pattern_matches(uri);
    let topics: Vec<TopicJson> = app
        .topics()
        .topics()
        .into_iter()
        .filter(|t| t.level >= min && matches(&t.id))
        .map(TopicJson::from)
        .collect();
    Ok(ok(&serde_json::json!({
        "link": link("self", TOPICS.to_string()),
        "topics": topics,
    })))
}

fn get_topic(app: &App, topic: &str) -> Result<Reply, ApiError> {
    let summary = app
        .topics()
        .topic(topic)
        .ok_or_else(|| topic_missing(topic))?;
    Ok(ok(&TopicJson::from(summary)))
}

async fn delete_topic(app: &Arc<App>, topic: &str) -> Result<Reply, ApiError> {
    let topic = topic.to_string();
    blocking(app, move |app| Ok(app.topics().delete_topic(&topic))).await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

fn list_events(app: &App, topic: &str, uri: &Uri) -> Result<Reply, ApiError> {
    let min = min_level(uri)?;
    let events = app
        .topics()
        .events(topic)
        .ok_or_else(|| topic_missing(topic))?;
    let events: Vec<EventJson> = events
        .into_iter()
        .filter(|(_, state)| state.level >= min)
        .map(|(id, state)| event_json(topic, id, state))
        .collect();
    #[derive(Serialize)]
    struct Events<'a> {
        link: Link,
        topic: &'a str,
        events: Vec<EventJson>,
    }
    Ok(ok(&Events {
        link: link("self", format!("{TOPICS}/{topic}/events")),
        topic,
        events,
    }))
}

fn get_event(app: &App, topic: &str, id: &str) -> Result<Reply, ApiError> {
    let state = app.topics().event(topic, id).ok_or_else(|| {
        ApiError::not_found(format!("event {id:?} does not exist on topic {topic:?}"))
    })?;
    Ok(ok(&event_json(topic, id.to_string(), state)))
}

fn list_handlers(app: &App, topic: &str, uri: &Uri) -> Result<Reply, ApiError> {
    let matches = pattern_matches(uri);
    let handlers: Vec<HandlerJson> = app
        .topics()
        .handlers(topic)
        .into_iter()
        .filter(|h| matches(&h.id))
        .map(|h| handler_json(topic, h))
        .collect();
    #[derive(Serialize)]
    struct Handlers<'a> {
        link: Link,
        topic: &'a str,
        /// `[]` when empty, as Kapacitor shows it.
        handlers: Vec<HandlerJson>,
    }
    Ok(ok(&Handlers {
        link: link("self", format!("{TOPICS}/{topic}/handlers")),
        topic,
        handlers,
    }))
}

fn get_handler(app: &App, topic: &str, id: &str) -> Result<Reply, ApiError> {
    let spec = app.topics().handler(topic, id).ok_or_else(|| {
        ApiError::not_found(format!("handler {id:?} does not exist on topic {topic:?}"))
    })?;
    Ok(ok(&handler_json(topic, spec)))
}

/// `POST …/handlers` (`path_id` none) and `PUT …/handlers/<id>`: the body's id must be
/// the path's when both are given.
async fn define(
    app: &Arc<App>,
    topic: &str,
    path_id: Option<&str>,
    request: Request<Incoming>,
    mode: Define,
) -> Result<Reply, ApiError> {
    let bytes = (app.read_body(request).await).map_err(ApiError::bad_request)?;
    let body: HandlerBody =
        serde_json::from_slice(&bytes).map_err(|_| ApiError::bad_request("invalid JSON"))?;
    let id = match (path_id, body.id) {
        (Some(path), id) if id.is_empty() || id == path => path.to_string(),
        (Some(path), id) => {
            return Err(ApiError::bad_request(format!(
                "handler id {id:?} does not match the path's {path:?}"
            )))
        }
        (None, id) => id,
    };
    let spec = HandlerSpec {
        id,
        kind: body.kind,
        options: body.options.unwrap_or_default(),
        match_expr: body.match_expr,
    };
    start(app, topic, spec, mode).await
}

/// `PATCH …/handlers/<id>`: the JSON Patch in the body applied to the handler's
/// definition, which then replaces it; the id cannot change.
async fn patch(
    app: &Arc<App>,
    topic: &str,
    id: &str,
    request: Request<Incoming>,
) -> Result<Reply, ApiError> {
    let bytes = (app.read_body(request).await).map_err(ApiError::bad_request)?;
    let operations: json_patch::Patch = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON Patch: {e}")))?;
    let spec = app.topics().handler(topic, id).ok_or_else(|| {
        ApiError::not_found(format!("handler {id:?} does not exist on topic {topic:?}"))
    })?;
    let mut document = serde_json::to_value(HandlerBody {
        id: spec.id,
        kind: spec.kind,
        options: Some(spec.options),
        match_expr: spec.match_expr,
    })
    .map_err(|e| ApiError::bad_request(e.to_string()))?;
    json_patch::patch(&mut document, &operations)
        .map_err(|e| ApiError::bad_request(format!("cannot apply the patch: {e}")))?;
    let body: HandlerBody = serde_json::from_value(document)
        .map_err(|e| ApiError::bad_request(format!("the patched handler is invalid: {e}")))?;
    if body.id != id {
        return Err(ApiError::bad_request(format!(
            "a patch cannot change the handler id {id:?} (to {:?})",
            body.id
        )));
    }
    let spec = HandlerSpec {
        id: body.id,
        kind: body.kind,
        options: body.options.unwrap_or_default(),
        match_expr: body.match_expr,
    };
    start(app, topic, spec, Define::Replace).await
}

/// Starts `spec` on `topic` and answers with its definition.
async fn start(
    app: &Arc<App>,
    topic: &str,
    spec: HandlerSpec,
    mode: Define,
) -> Result<Reply, ApiError> {
    let topic = topic.to_string();
    blocking(app, move |app| {
        let services = &app.engine.master().environment().services;
        services
            .topics
            .define(&topic, spec.clone(), services, mode)
            .map_err(define_error)?;
        Ok(ok(&handler_json(&topic, spec)))
    })
    .await
}

fn define_error(err: DefineError) -> ApiError {
    let status = match err {
        DefineError::Missing { .. } => StatusCode::NOT_FOUND,
        DefineError::Spawn(_) => StatusCode::INTERNAL_SERVER_ERROR,
        DefineError::Spec(_) | DefineError::Exists { .. } => StatusCode::BAD_REQUEST,
    };
    ApiError {
        status,
        message: err.to_string(),
    }
}

async fn remove_handler(app: &Arc<App>, topic: &str, id: &str) -> Result<Reply, ApiError> {
    let (topic, id) = (topic.to_string(), id.to_string());
    blocking(app, move |app| Ok(app.topics().remove_handler(&topic, &id))).await?;
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_topics_events_and_handlers() {
        let cases = [
            ("/kapacitor/v1/alerts/topics", Some(Target::Topics)),
            (
                "/kapacitor/v1/alerts/topics/cpu",
                Some(Target::Topic("cpu")),
            ),
            (
                "/kapacitor/v1/alerts/topics/main:t:alert2/events",
                Some(Target::Events("main:t:alert2")),
            ),
            (
                "/kapacitor/v1/alerts/topics/cpu/events/e1",
                Some(Target::Event("cpu", "e1")),
            ),
            (
                "/kapacitor/v1/alerts/topics/cpu/handlers",
                Some(Target::Handlers("cpu")),
            ),
            (
                "/kapacitor/v1/alerts/topics/cpu/handlers/log",
                Some(Target::Handler("cpu", "log")),
            ),
            ("/kapacitor/v1/alerts/topics/", None),
            ("/kapacitor/v1/alerts/topics/cpu/other", None),
            ("/kapacitor/v1/alerts/topics/cpu/handlers/a/b", None),
            ("/kapacitor/v1/alerts/topicsx", None),
        ];
        for (path, want) in cases {
            assert_eq!(target(path), want, "{path}");
        }
    }
}
