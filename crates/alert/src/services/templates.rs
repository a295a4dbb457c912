//! Handler option templates (Alerta's resource, ServiceNow's node, Zenoss's summary):
//! [`OptionTemplate`] parses one at build time, naming the service and option, and
//! renders it against [`event_data`], what such templates see of an event: its id,
//! message, level, time, duration, the first series' measurement and tags, and
//! `.Group`, the tags as `key=value` pairs joined by commas (`nil` without tags).
//! `.TaskName` is empty: a handler does not know its task.

use tickflow_model::Tags;

use crate::data::AlertData;
use crate::services::event::{name, tags};
use crate::services::{ServiceConfigError, ServiceError};
use crate::template::{Kind, Template, TemplateData};

/// A parsed option template of a service.
#[derive(Debug, Clone)]
pub(super) struct OptionTemplate {
    service: &'static str,
    template: Template,
}

impl OptionTemplate {
    /// Parses `text`, the `option` of `service`.
    pub(super) fn parse(
        service: &'static str,
        option: &str,
        text: &str,
    ) -> Result<OptionTemplate, ServiceConfigError> {
        let template =
            Template::parse(&format!("{service} {option}"), text, Kind::Text).map_err(|e| {
                ServiceConfigError {
                    section: service,
                    reason: e.to_string(),
                }
            })?;
        Ok(OptionTemplate { service, template })
    }

    /// The template rendered with `data`.
    pub(super) fn render(&self, data: &TemplateData) -> Result<String, ServiceError> {
        (self.template.render(data)).map_err(|e| ServiceError::Refused {
            service: self.service,
            reason: e.to_string(),
        })
    }
}

/// What option templates see of `event`.
pub(super) fn event_data(event: &AlertData) -> TemplateData {
    let pairs = tags(event);
    let group = match pairs.is_empty() {
        true => "nil".to_owned(),
        false => (pairs.iter())
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>()
            .join(","),
    };
    TemplateData {
        name: name(event),
        group,
        tags: Tags::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        id: Some(event.id.clone()),
        level: Some(event.level),
        time: Some(event.time),
        duration: Some(event.duration),
        message: Some(event.message.clone()),
        ..TemplateData::default()
    }
}

/// The first `max` bytes of `text`, backing off to a character boundary (Kapacitor cuts
/// several services' fields to a length).
pub(super) fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
