//! The Kafka handler against a real Kafka-protocol broker (Tansu, started by the test on
//! a loopback port): each alert is a record whose key is the alert id and whose value
//! is the alert's JSON document (or the handler's template), one id always on one
//! partition; with the broker down every alert is a counted error and the next one is
//! still tried.

use std::time::Duration;

use serde_json::{json, Map, Value};
use tickflow_alert::services::{KafkaConfig, ServiceConfigs};
use tickflow_alert::topic::HandlerSpec;
use tickflow_alert::{Dispatcher, Handler, Services};
use tickflow_testkit::kafka::Kafka;

use crate::event;

fn services(brokers: &str, timeout: &str) -> Services {
    Services {
        external: ServiceConfigs {
            kafka: vec![KafkaConfig {
                enabled: true,
                id: "local".into(),
                brokers: vec![brokers.into()],
                timeout: timeout.into(),
                ..KafkaConfig::default()
            }],
            ..ServiceConfigs::default()
        },
        ..Services::default()
    }
}

fn handler(services: &Services, options: Value) -> Box<dyn Handler> {
    let spec = HandlerSpec {
        id: "k".into(),
        kind: "kafka".into(),
        options: options.as_object().cloned().unwrap_or_else(Map::new),
        match_expr: String::new(),
    };
    spec.build(services).expect("a kafka handler")
}

#[test]
fn alerts_are_records_keyed_by_id_with_the_alert_document() {
    let Some(broker) = Kafka::start() else {
        return;
    };
    broker.create_topic("alerts", 3);
    broker.create_topic("messages", 1);
    let services = services(&broker.address, "10s");
    let json = handler(&services, json!({"cluster": "local", "topic": "alerts"}));
    let templated = handler(
        &services,
        json!({"cluster": "local", "topic": "messages", "template": "{{ .ID }}: {{ .Message }}"}),
    );
    let events = [
        event("cpu:a", 95.0),
        event("cpu:b", 97.0),
        event("cpu:a", 99.0),
    ];
    for e in &events {
        json.handle(e).expect("written");
    }
    templated.handle(&events[1]).expect("written");

    let mut read = broker.read("alerts", 3, Duration::from_secs(10));
    read.sort_by_key(|r| r.value.clone());
    let mut want: Vec<(Option<String>, String)> = (events.iter())
        .map(|e| (Some(e.id.clone()), e.to_json().expect("json")))
        .collect();
    want.sort_by_key(|(_, value)| value.clone());
    let got: Vec<(Option<String>, String)> = read
        .iter()
        .map(|r| (r.key.clone(), r.value.clone()))
        .collect();
    assert_eq!(got, want);
    let partitions_of_a: Vec<i32> = (read.iter())
        .filter(|r| r.key.as_deref() == Some("cpu:a"))
        .map(|r| r.partition)
        .collect();
    assert_eq!(partitions_of_a.len(), 2);
    assert_eq!(
        partitions_of_a[0], partitions_of_a[1],
        "one id, one partition"
    );

    let messages = broker.read("messages", 1, Duration::from_secs(10));
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].key.as_deref(), Some("cpu:b"));
    assert_eq!(messages[0].value, "cpu:b: cpu:b is CRITICAL");
}

#[test]
fn a_down_broker_is_a_counted_error_per_alert() {
    let Some(broker) = Kafka::start() else {
        return;
    };
    let address = broker.address.clone();
    drop(broker);
    let services = services(&address, "300ms");
    let kafka = handler(&services, json!({"cluster": "local", "topic": "alerts"}));
    let error = kafka
        .handle(&event("cpu", 95.0))
        .err()
        .map(|e| e.to_string());
    let error = error.unwrap_or_default();
    assert!(
        error.starts_with("kafka: cluster \"local\", topic \"alerts\": "),
        "{error}"
    );

    let mut dispatcher = Dispatcher::new(vec![kafka], 10).expect("dispatcher");
    dispatcher.send(event("cpu", 95.0));
    dispatcher.send(event("cpu", 96.0));
    let errors = dispatcher.close();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(dispatcher.delivery().failed, 2);
}

#[test]
fn unknown_clusters_and_topics_are_errors_that_name_them() {
    let services = services("127.0.0.1:9", "300ms");
    let unknown = handler(&services, json!({"cluster": "other", "topic": "alerts"}));
    let error = unknown
        .handle(&event("cpu", 95.0))
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some("kafka: no [[kafka]] section for cluster \"other\"")
    );
    let spec = HandlerSpec {
        id: "k".into(),
        kind: "kafka".into(),
        options: json!({"cluster": "local"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        match_expr: String::new(),
    };
    let error = spec.build(&services).err().map(|e| e.to_string());
    assert!(
        error
            .as_deref()
            .unwrap_or_default()
            .contains("a kafka handler needs a topic"),
        "{error:?}"
    );
}
