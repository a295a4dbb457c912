//! `tickflow replay --config` with alert services: `[[topic-handler]]`s receive a
//! script's `.topic()` alerts, `[[mqtt]]` brokers take `.mqtt()` messages and `[[kafka]]`
//! clusters `.kafka()` records.

use std::time::Duration;

use tickflow_alert::mqtt::Subscriber;
use tickflow_testkit::kafka::Kafka;
use tickflow_testkit::mosquitto::Mosquitto;

use crate::replay::write;
use crate::{scratch_dir, tickflow};

/// A script alerting on `cpu` `value > 90` with id `cpu` and `extra` handler calls, and
/// data with a critical and a recovered point.
fn script_and_data(dir: &std::path::Path, extra: &str) -> (String, String) {
    let script = write(
        dir,
        "t.tick",
        &format!(
            "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')\n\
             |alert().id('cpu').crit(lambda: \"value\" > 90).details(''){extra}\n"
        ),
    );
    let data = write(dir, "data.lp", "cpu value=95 1\ncpu value=10 2\n");
    (script, data)
}

#[test]
fn topic_handlers_from_the_config_receive_topic_alerts() {
    let dir = scratch_dir("alert-config-topic");
    let (script, data) = script_and_data(&dir, ".topic('cpu')");
    let log = dir.join("cpu.log");
    let config = write(
        &dir,
        "config.toml",
        &format!(
            "[[topic-handler]]\ntopic = \"cpu\"\nid = \"log\"\nkind = \"log\"\n\
             [topic-handler.options]\npath = \"{}\"\n",
            log.display()
        ),
    );
    let out = tickflow(&["replay", &script, "--data", &data, "--config", &config]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&log).expect("the handler wrote");
    let levels: Vec<bool> = written
        .lines()
        .map(|l| l.contains("\"level\":\"CRITICAL\",") && l.contains("\"previousLevel\":\"OK\""))
        .collect();
    assert_eq!(levels, [true, false], "{written}");
}

#[test]
fn mqtt_brokers_from_the_config_take_mqtt_alerts() {
    let Some(broker) = Mosquitto::start() else {
        return;
    };
    let dir = scratch_dir("alert-config-mqtt");
    let (script, data) = script_and_data(&dir, ".mqtt('alerts/cpu').qos(1).topic('cpu')");
    let config = write(
        &dir,
        "config.toml",
        &format!(
            "[[mqtt]]\nname = \"local\"\nurl = \"tcp://{}\"\nclient-id = \"tickflow-test\"\n\
             [[topic-handler]]\ntopic = \"cpu\"\nid = \"m\"\nkind = \"mqtt\"\n\
             [topic-handler.options]\ntopic = \"topics/cpu\"\nbroker-name = \"local\"\n",
            broker.address
        ),
    );
    let mut subscriber = Subscriber::connect(&broker.address, "watch", "#", 1).expect("subscribed");
    let out = tickflow(&["replay", &script, "--data", &data, "--config", &config]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut messages: Vec<(String, String)> = (0..4)
        .map(|_| subscriber.next(Duration::from_secs(10)).expect("a message"))
        .map(|m| (m.topic, String::from_utf8_lossy(&m.payload).into_owned()))
        .collect();
    messages.sort();
    let want = [
        ("alerts/cpu", "cpu is CRITICAL"),
        ("alerts/cpu", "cpu is OK"),
        ("topics/cpu", "cpu is CRITICAL"),
        ("topics/cpu", "cpu is OK"),
    ]
    .map(|(t, m)| (t.to_string(), m.to_string()));
    assert_eq!(messages, want);
}

#[test]
fn kafka_clusters_from_the_config_take_kafka_alerts() {
    let Some(broker) = Kafka::start() else {
        return;
    };
    broker.create_topic("alerts", 2);
    let dir = scratch_dir("alert-config-kafka");
    let (script, data) = script_and_data(
        &dir,
        ".kafka().cluster('local').kafkaTopic('alerts').partitionHashAlgorithm('murmur2')",
    );
    let config = write(
        &dir,
        "config.toml",
        &format!(
            "[[kafka]]\nenabled = true\nid = \"local\"\nbrokers = [\"{}\"]\ntimeout = \"5s\"\n",
            broker.address
        ),
    );
    let out = tickflow(&["replay", &script, "--data", &data, "--config", &config]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = broker.read("alerts", 2, Duration::from_secs(10));
    let keys: Vec<Option<&str>> = records.iter().map(|r| r.key.as_deref()).collect();
    assert_eq!(keys, [Some("cpu"), Some("cpu")], "{records:?}");
    let levels: Vec<bool> = (records.iter())
        .map(|r| r.value.starts_with("{\"id\":\"cpu\",\"message\":\"cpu is "))
        .collect();
    assert_eq!(levels, [true, true], "{records:?}");
    assert!(
        records[0].value.contains("\"level\":\"CRITICAL\""),
        "{records:?}"
    );
    assert!(records[1].value.contains("\"level\":\"OK\""), "{records:?}");
}
