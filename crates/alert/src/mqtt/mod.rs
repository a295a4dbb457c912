//! A small MQTT 3.1.1 publisher for the `.mqtt(topic)` handler: [`packet`] (the wire
//! format), [`MqttClient`] (connect, publish with QoS 0/1/2, keepalive, reconnect) and
//! [`MqttBrokers`] (the `[[mqtt]]` brokers by name), and a [`Subscriber`] to watch what
//! is published.
//!
//! **Why not a crate:** the engine runs on plain threads, the handler only publishes, and
//! a publisher is a few packet types over one [`std::net::TcpStream`]; `rumqttc` would
//! bring tokio into the engine's handlers (against the architecture's rule that tokio
//! stays in `httpd` and `cli`) and `paho-mqtt` a C library. The cost: only `tcp://`
//! brokers (no TLS or websockets), as with the HTTP client.

mod client;
mod config;
pub mod packet;
mod subscriber;

pub use client::{MqttClient, MqttError, KEEP_ALIVE, TIMEOUT};
pub use config::{BrokerError, MqttBroker, MqttBrokers};
pub use subscriber::{Message, Subscriber};
