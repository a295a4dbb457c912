//! The `.tcp(addr)` handler: per event, dials the address, writes `json + "\n\n"` (two
//! newlines, as Kapacitor does, kapacitor-compat.md, alert-data §2.5) and closes.

use std::io::{self, Write as _};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::data::AlertData;
use crate::handlers::{Handler, HandlerError};
use crate::http::DEFAULT_TIMEOUT;

/// Why an event could not be sent over TCP.
#[derive(Debug, thiserror::Error)]
#[error("tcp to {address:?} failed: {source}")]
pub struct TcpError {
    /// The `host:port` dialled.
    pub address: String,
    /// Why.
    pub source: io::Error,
}

/// Sends each alert document over a new TCP connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpHandler {
    address: String,
    timeout: Duration,
}

impl TcpHandler {
    /// A handler sending to `address` (`host:port`).
    pub fn new(address: impl Into<String>) -> Self {
        TcpHandler {
            address: address.into(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    fn send(&self, payload: &[u8]) -> io::Result<()> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "address resolves to nothing");
        for addr in self.address.to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(mut stream) => {
                    stream.set_write_timeout(Some(self.timeout))?;
                    return stream.write_all(payload);
                }
                Err(err) => last = err,
            }
        }
        Err(last)
    }
}

impl Handler for TcpHandler {
    fn handle(&self, event: &AlertData) -> Result<(), HandlerError> {
        let mut payload = event.to_json()?;
        payload.push_str("\n\n");
        self.send(payload.as_bytes()).map_err(|source| TcpError {
            address: self.address.clone(),
            source,
        })?;
        Ok(())
    }

    fn describe(&self) -> String {
        format!("tcp {:?}", self.address)
    }
}
