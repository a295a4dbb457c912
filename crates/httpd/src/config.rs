//! `GET /kapacitor/v1/config[/<section>[/<element>]]`: the configuration sections
//! Kapacitor's config API shows, with their elements' options and secrets redacted
//! (`true`/`false` for whether each is set), in Kapacitor's shape.
//!
//! Kapacitor also takes `POST` overrides (`set`, `delete`, `add`, `remove`); tickflow's
//! alert services are fixed when the engine starts, so it does not take them yet, and
//! a `POST` is not routed.

use std::sync::Arc;

use serde_json::{json, Map, Value};
use tickflow::config::api::{Element, API_SECTIONS};

use crate::app::App;
use crate::error::ApiError;
use crate::reply::Reply;
use crate::tasks::ok;

/// The config API's base path.
pub(crate) const CONFIG: &str = "/kapacitor/v1/config";

/// Answers `GET` under [`CONFIG`].
pub(crate) fn get(app: &Arc<App>, path: &str) -> Reply {
    let Some(rest) = path.strip_prefix(CONFIG) else {
        return Reply::not_found();
    };
    let config = app.engine.config();
    let result = match rest.strip_prefix('/') {
        None if rest.is_empty() => Ok(all(config)),
        None => return Reply::not_found(),
        Some(rest) => match rest.split_once('/') {
            None => section(config, rest),
            Some((name, element_name)) => element(config, name, element_name),
        },
    };
    result.map_or_else(Reply::from, |value| ok(&value))
}

fn link(href: String) -> Value {
    json!({"rel": "self", "href": href})
}

fn elements_of(config: &tickflow::Config, name: &str) -> Result<Vec<Element>, ApiError> {
    config
        .api_section(name)
        .ok_or_else(|| ApiError::not_found(format!("unknown section {name:?}")))
}

fn element_json(section: &str, element: &Element) -> Value {
    json!({
        "link": link(format!("{CONFIG}/{section}/{}", element.name)),
        "options": element.options,
        "redacted": element.redacted,
    })
}

fn section_json(name: &str, elements: &[Element]) -> Value {
    let elements: Vec<Value> = elements.iter().map(|e| element_json(name, e)).collect();
    json!({"link": link(format!("{CONFIG}/{name}")), "elements": elements})
}

/// Every section.
fn all(config: &tickflow::Config) -> Value {
    let mut sections = Map::new();
    for (name, _) in API_SECTIONS {
        let elements = config.api_section(name).unwrap_or_default();
        sections.insert((*name).to_string(), section_json(name, &elements));
    }
    json!({"link": link(CONFIG.to_string()), "sections": sections})
}

/// One section.
fn section(config: &tickflow::Config, name: &str) -> Result<Value, ApiError> {
    Ok(section_json(name, &elements_of(config, name)?))
}

/// One element of a section (`""` for a single-table section).
fn element(config: &tickflow::Config, name: &str, element: &str) -> Result<Value, ApiError> {
    let elements = elements_of(config, name)?;
    let found = elements.iter().find(|e| e.name == element).ok_or_else(|| {
        ApiError::not_found(format!("unknown element {element:?} in section {name:?}"))
    })?;
    Ok(element_json(name, found))
}
