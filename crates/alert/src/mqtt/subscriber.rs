//! [`Subscriber`]: the receiving side of the MQTT client, to watch what alert handlers
//! publish (tests, debugging tools): connect, SUBSCRIBE to one filter, then read the
//! messages, acknowledging QoS 1 ones.

use std::io::{self, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use crate::mqtt::packet::{self, Incoming};

/// A message received on a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The topic it was published to.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Whether the broker delivered it as a retained message.
    pub retain: bool,
}

/// A session subscribed to one topic filter.
pub struct Subscriber {
    stream: TcpStream,
}

impl Subscriber {
    /// Connects to `address` as `client_id` and subscribes to `filter` with `qos` (0 or
    /// 1; more is taken as 1), returning once the broker acknowledged the subscription.
    pub fn connect(address: &str, client_id: &str, filter: &str, qos: u8) -> io::Result<Self> {
        let mut stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(super::TIMEOUT))?;
        stream.write_all(&packet::connect(client_id, None, None, 60))?;
        match packet::read(&mut stream)? {
            Incoming::ConnAck(0) => {}
            other => return Err(io::Error::other(format!("connection refused: {other:?}"))),
        }
        stream.write_all(&packet::subscribe(1, filter, qos.min(1)))?;
        loop {
            match packet::read(&mut stream)? {
                Incoming::SubAck(1, granted) if granted.iter().all(|g| *g <= 2) => break,
                Incoming::SubAck(1, _) => return Err(io::Error::other("subscription refused")),
                _ => {}
            }
        }
        Ok(Subscriber { stream })
    }

    /// The next message, waiting at most `timeout`.
    pub fn next(&mut self, timeout: Duration) -> io::Result<Message> {
        self.stream.set_read_timeout(Some(timeout))?;
        loop {
            if let Incoming::Publish {
                topic,
                payload,
                retain,
                id,
                qos,
            } = packet::read(&mut self.stream)?
            {
                if let (1, Some(id)) = (qos, id) {
                    self.stream.write_all(&packet::puback(id))?;
                }
                return Ok(Message {
                    topic,
                    payload,
                    retain,
                });
            }
        }
    }
}
