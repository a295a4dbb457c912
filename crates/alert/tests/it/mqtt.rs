//! The MQTT handler against a real broker (mosquitto): each event's message arrives on
//! the topic with the QoS and retain flag asked for, through a topic handler too, and the
//! client reconnects after the broker restarts.

use std::time::Duration;

use serde_json::json;
use tickflow_alert::mqtt::{Message, Subscriber};
use tickflow_alert::{
    Define, Dispatcher, Handler, HandlerSpec, MqttBroker, MqttBrokers, MqttHandler, Services,
};
use tickflow_testkit::mosquitto::Mosquitto;

use crate::event;

const WAIT: Duration = Duration::from_secs(10);

fn brokers(broker: &Mosquitto) -> MqttBrokers {
    let config = MqttBroker::new("local", &format!("tcp://{}", broker.address)).expect("url");
    MqttBrokers::new(vec![config]).expect("one broker")
}

fn received(subscriber: &mut Subscriber) -> Message {
    subscriber.next(WAIT).expect("a message arrives")
}

#[test]
fn messages_arrive_with_each_qos_and_retained() {
    let Some(broker) = Mosquitto::start() else {
        return;
    };
    let brokers = brokers(&broker);
    let mut subscriber =
        Subscriber::connect(&broker.address, "watch", "alerts/#", 1).expect("subscribed");
    for qos in 0..=2 {
        let handler =
            MqttHandler::new(&brokers, "local", "alerts/cpu", qos, false).expect("handler");
        handler
            .handle(&event(&format!("cpu{qos}"), 95.0))
            .expect("published");
        let message = received(&mut subscriber);
        assert_eq!(
            (
                message.topic.as_str(),
                message.payload.as_slice(),
                message.retain
            ),
            (
                "alerts/cpu",
                format!("cpu{qos} is CRITICAL").as_bytes(),
                false
            )
        );
    }
    let retained = MqttHandler::new(&brokers, "", "alerts/kept", 1, true).expect("handler");
    retained.handle(&event("kept", 99.0)).expect("published");
    received(&mut subscriber);
    let mut late =
        Subscriber::connect(&broker.address, "late", "alerts/kept", 0).expect("subscribed");
    let message = received(&mut late);
    assert_eq!(
        (message.payload, message.retain),
        (b"kept is CRITICAL".to_vec(), true)
    );
}

#[test]
fn a_topic_handler_publishes_the_topics_alerts() {
    let Some(broker) = Mosquitto::start() else {
        return;
    };
    let services = Services {
        mqtt: brokers(&broker),
        ..Services::default()
    };
    let spec = HandlerSpec {
        id: "mqtt".into(),
        kind: "mqtt".into(),
        options: json!({"broker-name": "local", "topic": "kapacitor/cpu", "qos": 1})
            .as_object()
            .cloned()
            .expect("object"),
        match_expr: String::new(),
    };
    let mut subscriber =
        Subscriber::connect(&broker.address, "watch", "kapacitor/cpu", 1).expect("subscribed");
    services
        .topics
        .define("cpu", spec, &services, Define::Create)
        .expect("defined");
    let errors = services.topics.publish("cpu", &mut event("serverA", 95.5));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(received(&mut subscriber).payload, b"serverA is CRITICAL");
    assert!(services.topics.close().is_empty());
}

#[test]
fn the_client_reconnects_after_the_broker_restarts() {
    let Some(broker) = Mosquitto::start() else {
        return;
    };
    let brokers = brokers(&broker);
    let handler = MqttHandler::new(&brokers, "", "alerts", 1, false).expect("handler");
    let mut dispatcher = Dispatcher::new(vec![Box::new(handler.clone())], 10).expect("starts");
    let mut subscriber =
        Subscriber::connect(&broker.address, "watch", "alerts", 1).expect("subscribed");
    dispatcher.send(event("before", 95.0));
    assert_eq!(received(&mut subscriber).payload, b"before is CRITICAL");

    let port = broker.port;
    broker.stop();
    let down = handler.handle(&event("lost", 95.0)).expect_err("no broker");
    assert!(
        down.to_string()
            .starts_with("mqtt broker \"local\" (127.0.0.1:"),
        "{down}"
    );
    let Some(broker) = Mosquitto::start_on(port) else {
        return;
    };
    let mut subscriber =
        Subscriber::connect(&broker.address, "watch", "alerts", 1).expect("subscribed");
    dispatcher.send(event("after", 95.0));
    assert_eq!(received(&mut subscriber).payload, b"after is CRITICAL");
    assert!(dispatcher.close().is_empty());
}
