//! [`MqttClient`]: a blocking MQTT 3.1.1 publisher for one broker.
//!
//! It connects on first use (CONNECT with a clean session, waiting for CONNACK),
//! publishes with QoS 0, 1 (waiting for PUBACK) or 2 (PUBREC, PUBREL, PUBCOMP), and when
//! a send or an acknowledgement fails it drops the connection, reconnects and tries once
//! more. While connected, a keepalive thread sends PINGREQ when nothing was sent for
//! half the keepalive interval, so the broker keeps the session; it ends when the client
//! is dropped, which sends DISCONNECT.

use std::io::{self, Write as _};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::mqtt::config::MqttBroker;
use crate::mqtt::packet::{self, Incoming};

/// The keepalive interval announced in CONNECT.
pub const KEEP_ALIVE: Duration = Duration::from_secs(30);

/// The limit for connecting and for each read or write.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a message could not be published.
#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    /// The broker could not be reached or the connection failed.
    #[error("mqtt broker {broker:?} ({address}): {source}")]
    Io {
        /// The broker's name.
        broker: String,
        /// Its `host:port`.
        address: String,
        /// What failed.
        source: io::Error,
    },
    /// The broker refused the connection.
    #[error("mqtt broker {broker:?} refused the connection: {}", refusal(*.code))]
    Refused {
        /// The broker's name.
        broker: String,
        /// The CONNACK return code.
        code: u8,
    },
}

fn refusal(code: u8) -> String {
    match code {
        1 => "unacceptable protocol version".to_string(),
        2 => "client id rejected".to_string(),
        3 => "server unavailable".to_string(),
        4 => "bad user name or password".to_string(),
        5 => "not authorized".to_string(),
        other => format!("return code {other}"),
    }
}

/// An open session.
struct Connection {
    stream: TcpStream,
    last_sent: Instant,
}

impl Connection {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.last_sent = Instant::now();
        Ok(())
    }

    /// Reads packets until `wanted` accepts one; others (late acknowledgements) are
    /// skipped.
    fn wait_for(&mut self, wanted: impl Fn(&Incoming) -> bool) -> io::Result<Incoming> {
        loop {
            let incoming = packet::read(&mut self.stream)?;
            if wanted(&incoming) {
                return Ok(incoming);
            }
        }
    }
}

#[derive(Default)]
struct Session {
    connection: Option<Connection>,
    next_id: u16,
    keepalive_started: bool,
}

impl Session {
    fn packet_id(&mut self) -> u16 {
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        self.next_id
    }
}

/// A connection to one broker, shared by every handler that publishes to it.
pub struct MqttClient {
    broker: MqttBroker,
    session: Mutex<Session>,
}

impl std::fmt::Debug for MqttClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttClient")
            .field("broker", &self.broker.name)
            .field("address", &self.broker.address)
            .finish()
    }
}

impl MqttClient {
    /// A client for `broker`; nothing is connected until the first publish.
    pub fn new(broker: MqttBroker) -> Arc<Self> {
        Arc::new(MqttClient {
            broker,
            session: Mutex::new(Session::default()),
        })
    }

    /// The broker's name.
    pub fn name(&self) -> &str {
        &self.broker.name
    }

    fn lock(&self) -> MutexGuard<'_, Session> {
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Publishes `payload` to `topic`, reconnecting once if the connection fails.
    pub fn publish(
        self: &Arc<Self>,
        topic: &str,
        payload: &[u8],
        qos: u8,
        retain: bool,
    ) -> Result<(), MqttError> {
        let mut session = self.lock();
        let mut last = None;
        for _ in 0..2 {
            if session.connection.is_none() {
                session.connection = Some(self.connect()?);
                if !session.keepalive_started {
                    session.keepalive_started = self.start_keepalive();
                }
            }
            let id = session.packet_id();
            let Some(connection) = session.connection.as_mut() else {
                continue;
            };
            match send(connection, topic, payload, qos, retain, id) {
                Ok(()) => return Ok(()),
                Err(err) => {
                    session.connection = None;
                    last = Some(err);
                }
            }
        }
        Err(self.io_error(last.unwrap_or_else(|| io::ErrorKind::NotConnected.into())))
    }

    fn io_error(&self, source: io::Error) -> MqttError {
        MqttError::Io {
            broker: self.broker.name.clone(),
            address: self.broker.address.clone(),
            source,
        }
    }

    /// Opens a session: TCP, CONNECT, CONNACK.
    fn connect(&self) -> Result<Connection, MqttError> {
        let broker = &self.broker;
        let stream = dial(&broker.address).map_err(|e| self.io_error(e))?;
        let mut connection = Connection {
            stream,
            last_sent: Instant::now(),
        };
        let keep_alive = u16::try_from(KEEP_ALIVE.as_secs()).unwrap_or(u16::MAX);
        let hello = packet::connect(
            &broker.client_id,
            broker.username.as_deref(),
            broker.password.as_deref(),
            keep_alive,
        );
        let ack = connection
            .send(&hello)
            .and_then(|()| connection.wait_for(|p| matches!(p, Incoming::ConnAck(_))))
            .map_err(|e| self.io_error(e))?;
        match ack {
            Incoming::ConnAck(0) => Ok(connection),
            Incoming::ConnAck(code) => Err(MqttError::Refused {
                broker: broker.name.clone(),
                code,
            }),
            _ => Err(self.io_error(io::ErrorKind::InvalidData.into())),
        }
    }

    /// Starts the thread that pings while connected; whether it started.
    fn start_keepalive(self: &Arc<Self>) -> bool {
        let client = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("mqtt-keepalive".into())
            .spawn(move || keepalive(&client))
            .is_ok()
    }

    /// Sends PINGREQ if connected and idle for half the keepalive interval; drops a
    /// connection that does not answer.
    fn ping_if_idle(&self) {
        let mut session = self.lock();
        let Some(connection) = session.connection.as_mut() else {
            return;
        };
        if connection.last_sent.elapsed() < KEEP_ALIVE / 2 {
            return;
        }
        let answered = connection
            .send(&packet::PINGREQ)
            .and_then(|()| connection.wait_for(|p| *p == Incoming::PingResp));
        if answered.is_err() {
            session.connection = None;
        }
    }
}

impl Drop for MqttClient {
    fn drop(&mut self) {
        if let Some(mut connection) = self.lock().connection.take() {
            let _ = connection.send(&packet::DISCONNECT);
        }
    }
}

/// Pings until the client is dropped.
fn keepalive(client: &Weak<MqttClient>) {
    const STEP: Duration = Duration::from_millis(200);
    let mut waited = Duration::ZERO;
    loop {
        std::thread::sleep(STEP);
        waited += STEP;
        let Some(client) = client.upgrade() else {
            return;
        };
        if waited >= KEEP_ALIVE / 4 {
            waited = Duration::ZERO;
            client.ping_if_idle();
        }
    }
}

fn dial(address: &str) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "address resolves to nothing");
    for addr in address.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(stream) => {
                stream.set_read_timeout(Some(TIMEOUT))?;
                stream.set_write_timeout(Some(TIMEOUT))?;
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(err) => last = err,
        }
    }
    Err(last)
}

/// One publish with its acknowledgements.
fn send(
    connection: &mut Connection,
    topic: &str,
    payload: &[u8],
    qos: u8,
    retain: bool,
    id: u16,
) -> io::Result<()> {
    connection.send(&packet::publish(topic, payload, qos, retain, id))?;
    match qos {
        0 => Ok(()),
        1 => connection
            .wait_for(|p| *p == Incoming::PubAck(id))
            .map(drop),
        _ => {
            connection.wait_for(|p| *p == Incoming::PubRec(id))?;
            connection.send(&packet::pubrel(id))?;
            connection
                .wait_for(|p| *p == Incoming::PubComp(id))
                .map(drop)
        }
    }
}
