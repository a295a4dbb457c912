//! Kafka: `[[kafka]]` clusters and `.kafka().cluster(id).kafkaTopic(topic)`, which
//! writes each alert to the topic as Kapacitor does: the value is the alert's JSON
//! document (or `.template()` rendered with the event), the key the alert id, the
//! timestamp the event's time. `.disablePartitionById()` and
//! `.partitionHashAlgorithm()` choose the partition ([`Partitioner`]).
//!
//! The client is rskafka (pure Rust, rustls); the handler runs on its dispatcher thread
//! like every other, so a slow or down broker delays only its own queue.

mod config;
mod partition;
mod producer;
mod tls;

pub use config::KafkaConfig;
pub use partition::{HashAlgorithm, Partitioner};

use std::sync::atomic::AtomicUsize;

use rskafka::chrono::{TimeZone, Utc};
use rskafka::record::Record;

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::services::templates::{event_data, OptionTemplate};
use crate::services::{Calls, ServiceConfigError, ServiceError};
use producer::Producer;

/// Writes alerts to a Kafka topic.
pub struct KafkaHandler {
    cluster: String,
    topic: String,
    template: Option<OptionTemplate>,
    partitioner: Partitioner,
    producer: Producer,
}

impl KafkaHandler {
    /// The handler of `.kafka()` with its calls, over the cluster `config`; a missing
    /// topic, a template or hash algorithm that does not parse, or unusable TLS or SASL
    /// settings are errors.
    pub fn new(config: &KafkaConfig, calls: Calls<'_>) -> Result<Self, ServiceConfigError> {
        let invalid = |reason: String| ServiceConfigError {
            section: "kafka",
            reason: format!("cluster {:?}: {reason}", config.id),
        };
        let topic = calls.text("kafkaTopic").unwrap_or_default();
        if topic.is_empty() {
            return Err(invalid("a kafka handler needs a topic".into()));
        }
        let template = match calls.text("template").unwrap_or_default().as_str() {
            "" => None,
            text => Some(OptionTemplate::parse("kafka", "template", text)?),
        };
        let partitioner = match calls.flag("disablePartitionById") {
            true => Partitioner::RoundRobin(AtomicUsize::new(0)),
            false => Partitioner::ById(
                HashAlgorithm::parse(&calls.text("partitionHashAlgorithm").unwrap_or_default())
                    .map_err(invalid)?,
            ),
        };
        let tls = match config.use_ssl {
            true => Some(tls::client_config(config).map_err(invalid)?),
            false => None,
        };
        let producer = Producer::new(
            config.brokers.clone(),
            config.timeout().map_err(invalid)?,
            config.sasl().map_err(invalid)?,
            tls,
        )
        .map_err(|e| invalid(format!("cannot start the client's runtime: {e}")))?;
        Ok(KafkaHandler {
            cluster: config.id.clone(),
            topic,
            template,
            partitioner,
            producer,
        })
    }

    /// The record of `event`.
    fn record(&self, event: &AlertData) -> Result<Record, HandlerError> {
        let value = match &self.template {
            Some(template) => template.render(&event_data(event))?,
            None => event.to_json()?,
        };
        Ok(Record {
            key: Some(event.id.clone().into_bytes()),
            value: Some(value.into_bytes()),
            headers: Default::default(),
            timestamp: Utc.timestamp_nanos(event.time.nanos()),
        })
    }
}

impl Handler for KafkaHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let record = self.record(event)?;
        let pick = |count| self.partitioner.pick(&event.id, count);
        (self.producer.send(&self.topic, pick, record)).map_err(|reason| {
            ServiceError::Kafka {
                cluster: self.cluster.clone(),
                topic: self.topic.clone(),
                reason,
            }
            .into()
        })
    }

    fn describe(&self) -> String {
        format!("kafka {:?} on cluster {:?}", self.topic, self.cluster)
    }
}
