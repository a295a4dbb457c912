//! The `.mqtt(topic)` handler: publishes each event's message (the rendered
//! `.message()`, as Kapacitor does) to an MQTT topic, with `.qos()` and `.retained()`,
//! through the shared client of the broker `.brokerName()` names (or the default one).

use std::sync::Arc;

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::mqtt::{BrokerError, MqttBrokers, MqttClient};

/// Publishes alert messages to an MQTT topic.
#[derive(Debug, Clone)]
pub struct MqttHandler {
    client: Arc<MqttClient>,
    topic: String,
    qos: u8,
    retained: bool,
}

impl MqttHandler {
    /// A handler publishing to `topic` on broker `broker` (the default when empty) with
    /// QoS `qos` (0, 1 or 2).
    pub fn new(
        brokers: &MqttBrokers,
        broker: &str,
        topic: impl Into<String>,
        qos: i64,
        retained: bool,
    ) -> Result<Self, BrokerError> {
        let qos = u8::try_from(qos)
            .ok()
            .filter(|q| *q <= 2)
            .ok_or(BrokerError::Qos(qos))?;
        Ok(MqttHandler {
            client: brokers.client(broker)?,
            topic: topic.into(),
            qos,
            retained,
        })
    }
}

impl Handler for MqttHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        self.client.publish(
            &self.topic,
            event.message.as_bytes(),
            self.qos,
            self.retained,
        )?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("mqtt {:?} on broker {:?}", self.topic, self.client.name())
    }
}
