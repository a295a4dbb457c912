//! The configured MQTT brokers (Kapacitor's `[[mqtt]]` sections): [`MqttBroker`] and
//! [`MqttBrokers`], which hands out one shared [`MqttClient`] per broker, by name or the
//! default one.

use std::sync::Arc;

use crate::mqtt::client::MqttClient;

/// One broker, as a `[[mqtt]]` section describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttBroker {
    /// The name `.brokerName()` and `broker-name` refer to.
    pub name: String,
    /// `host:port`, from the section's `tcp://host:port` url.
    pub address: String,
    /// The client id sent in CONNECT (the name when the section has none).
    pub client_id: String,
    /// The user name, if any.
    pub username: Option<String>,
    /// The password, if any.
    pub password: Option<String>,
    /// Whether handlers without a broker name use this one.
    pub default: bool,
}

/// Why a broker cannot be configured or found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokerError {
    /// A url other than `tcp://host[:port]`.
    #[error("unsupported mqtt url {0:?}: only tcp://host:port is supported")]
    Url(String),
    /// Two sections with one name.
    #[error("mqtt broker {0:?} is configured twice")]
    Duplicate(String),
    /// More than one section says `default = true`.
    #[error("more than one default mqtt broker: {0:?} and {1:?}")]
    TwoDefaults(String, String),
    /// A name no section has.
    #[error("unknown mqtt broker {0:?}")]
    Unknown(String),
    /// No broker name and no default broker.
    #[error("no default mqtt broker: configure one [[mqtt]] section, mark one default, or use .brokerName()")]
    NoDefault,
    /// A QoS other than 0, 1 or 2.
    #[error("invalid mqtt qos {0}: must be 0, 1 or 2")]
    Qos(i64),
}

impl MqttBroker {
    /// A broker at `url` (`tcp://host:port`, port 1883 when absent).
    pub fn new(name: &str, url: &str) -> Result<Self, BrokerError> {
        let rest = url
            .strip_prefix("tcp://")
            .filter(|r| !r.is_empty() && !r.contains('/'))
            .ok_or_else(|| BrokerError::Url(url.to_string()))?;
        let has_port = rest
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.parse::<u16>().is_ok());
        let address = match has_port {
            true => rest.to_string(),
            false => format!("{rest}:1883"),
        };
        Ok(MqttBroker {
            name: name.to_string(),
            address,
            client_id: name.to_string(),
            username: None,
            password: None,
            default: false,
        })
    }
}

/// The configured brokers and their clients; cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct MqttBrokers {
    clients: Arc<Vec<(MqttBroker, Arc<MqttClient>)>>,
}

impl MqttBrokers {
    /// The brokers of a configuration: names unique, at most one default.
    pub fn new(brokers: Vec<MqttBroker>) -> Result<Self, BrokerError> {
        for (i, broker) in brokers.iter().enumerate() {
            if let Some(other) = brokers[..i].iter().find(|b| b.name == broker.name) {
                return Err(BrokerError::Duplicate(other.name.clone()));
            }
            if let Some(other) = brokers[..i].iter().find(|b| b.default && broker.default) {
                return Err(BrokerError::TwoDefaults(
                    other.name.clone(),
                    broker.name.clone(),
                ));
            }
        }
        let clients = brokers
            .into_iter()
            .map(|broker| (broker.clone(), MqttClient::new(broker)))
            .collect();
        Ok(MqttBrokers {
            clients: Arc::new(clients),
        })
    }

    /// The client of broker `name`, or of the default broker when `name` is empty (the
    /// one marked default, or the only one).
    pub fn client(&self, name: &str) -> Result<Arc<MqttClient>, BrokerError> {
        let found = match name {
            "" => self
                .clients
                .iter()
                .find(|(b, _)| b.default)
                .or(match self.clients.as_slice() {
                    [only] => Some(only),
                    _ => None,
                })
                .ok_or(BrokerError::NoDefault)?,
            name => self
                .clients
                .iter()
                .find(|(b, _)| b.name == name)
                .ok_or_else(|| BrokerError::Unknown(name.to_string()))?,
        };
        Ok(Arc::clone(&found.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_tcp_with_a_default_port() {
        let broker = MqttBroker::new("b", "tcp://localhost").expect("valid");
        assert_eq!(broker.address, "localhost:1883");
        let broker = MqttBroker::new("b", "tcp://10.0.0.1:1884").expect("valid");
        assert_eq!(broker.address, "10.0.0.1:1884");
        for bad in ["ssl://h:1", "h:1", "tcp://", "tcp://h:1/x"] {
            assert_eq!(
                MqttBroker::new("b", bad),
                Err(BrokerError::Url(bad.to_string()))
            );
        }
    }

    #[test]
    fn brokers_are_found_by_name_or_default() {
        let broker = |name: &str, default| MqttBroker {
            default,
            ..MqttBroker::new(name, "tcp://h:1").expect("valid")
        };
        let one = MqttBrokers::new(vec![broker("a", false)]).expect("valid");
        assert_eq!(one.client("").map(|c| c.name().to_string()), Ok("a".into()));
        let two = MqttBrokers::new(vec![broker("a", false), broker("b", true)]).expect("valid");
        assert_eq!(two.client("").map(|c| c.name().to_string()), Ok("b".into()));
        assert_eq!(
            two.client("a").map(|c| c.name().to_string()),
            Ok("a".into())
        );
        assert_eq!(
            two.client("c").map(|_| ()),
            Err(BrokerError::Unknown("c".into()))
        );
        let plain = MqttBrokers::new(vec![broker("a", false), broker("b", false)]).expect("valid");
        assert_eq!(plain.client("").map(|_| ()), Err(BrokerError::NoDefault));
        assert_eq!(
            MqttBrokers::new(vec![broker("a", true), broker("b", true)]).map(|_| ()),
            Err(BrokerError::TwoDefaults("a".into(), "b".into()))
        );
        assert_eq!(
            MqttBrokers::new(vec![broker("a", false), broker("a", false)]).map(|_| ()),
            Err(BrokerError::Duplicate("a".into()))
        );
        assert_eq!(
            MqttBrokers::default().client("").map(|_| ()),
            Err(BrokerError::NoDefault)
        );
    }
}
