//! Alert topics in the store: each topic's handlers (their specs as JSON:
//! `{"id", "kind", "options", "match"}`) and event states, saved with every snapshot
//! round and at shutdown, and defined again at start.

use serde_json::{json, Map, Value};
use tickflow_alert::{Define, HandlerSpec, Services, TopicHub};
use tickflow_engine::state::{topic_events_from, topic_events_json};
use tickflow_store::{Store, StoreError};

/// Saves every topic's handlers and event states, replacing what was saved.
pub(crate) fn save(store: &Store, hub: &TopicHub) -> Result<(), StoreError> {
    let mut states = Vec::new();
    let mut live = Vec::new();
    for topic in hub.topics() {
        let events = hub.events(&topic.id).unwrap_or_default();
        states.push((topic.id.clone(), topic_events_json(&events)));
        for spec in hub.handlers(&topic.id) {
            live.push((topic.id.clone(), spec.id.clone(), spec_json(&spec)));
        }
    }
    store.put_topics(&states)?;
    for (topic, id, _) in store.handlers()? {
        if !live.iter().any(|(t, i, _)| *t == topic && *i == id) {
            store.delete_handler(&topic, &id)?;
        }
    }
    for (topic, id, spec) in &live {
        store.put_handler(topic, id, spec)?;
    }
    Ok(())
}

/// Defines the saved handlers and event states again; returns a warning for each that
/// could not be.
pub(crate) fn restore(
    store: &Store,
    hub: &TopicHub,
    services: &Services,
) -> Result<Vec<String>, StoreError> {
    let mut warnings = Vec::new();
    for (topic, events) in store.topics()? {
        match topic_events_from(&events) {
            Ok(events) => hub.restore_events(&topic, events),
            Err(err) => warnings.push(format!("topic {topic}: saved events not restored: {err}")),
        }
    }
    for (topic, id, spec) in store.handlers()? {
        let defined = spec_from(&spec)
            .ok_or_else(|| format!("not a handler spec: {spec}"))
            .and_then(|spec| {
                (hub.define(&topic, spec, services, Define::Upsert)).map_err(|e| e.to_string())
            });
        if let Err(err) = defined {
            warnings.push(format!("topic {topic}: handler {id} not restored: {err}"));
        }
    }
    Ok(warnings)
}

fn spec_json(spec: &HandlerSpec) -> Value {
    json!({
        "id": spec.id,
        "kind": spec.kind,
        "options": spec.options,
        "match": spec.match_expr,
    })
}

fn spec_from(value: &Value) -> Option<HandlerSpec> {
    Some(HandlerSpec {
        id: value.get("id")?.as_str()?.to_string(),
        kind: value.get("kind")?.as_str()?.to_string(),
        options: value
            .get("options")?
            .as_object()
            .cloned()
            .unwrap_or_else(Map::new),
        match_expr: value.get("match")?.as_str()?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_specs_round_trip() {
        let spec = HandlerSpec {
            id: "log".into(),
            kind: "log".into(),
            options: json!({"path": "/tmp/x.log"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            match_expr: String::new(),
        };
        assert_eq!(spec_from(&spec_json(&spec)), Some(spec));
        assert_eq!(spec_from(&json!({"id": "x"})), None);
    }
}
