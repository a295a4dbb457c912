//! `[[udp]]`: listeners for line protocol over UDP, one datagram a write, into the same
//! ingest as `/write` with the section's database, retention policy and precision
//! (Kapacitor's UDP service). `read-buffer` sets the socket's receive buffer in bytes
//! (0: the system's default); Kapacitor's `batch-*` keys are read and not used: every
//! datagram is written as it arrives.

use serde::{Deserialize, Serialize};

/// One `[[udp]]` listener as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct UdpSection {
    /// Whether it listens.
    pub enabled: bool,
    /// `host:port`, or `:port` for every interface.
    pub bind_address: String,
    /// The database of its points.
    pub database: String,
    /// Their retention policy.
    pub retention_policy: String,
    /// The unit of the timestamps (`n`, `u`, `ms`, `s`, `m`, `h`; empty for `n`).
    pub precision: String,
    /// The socket's receive buffer in bytes; 0 for the system's default.
    pub read_buffer: usize,
}

impl Default for UdpSection {
    fn default() -> Self {
        UdpSection {
            enabled: false,
            bind_address: ":9100".into(),
            database: String::new(),
            retention_policy: String::new(),
            precision: String::new(),
            read_buffer: 0,
        }
    }
}

impl UdpSection {
    /// The address to bind: `:port` means every interface.
    pub fn socket_address(&self) -> String {
        match self.bind_address.strip_prefix(':') {
            Some(port) => format!("0.0.0.0:{port}"),
            None => self.bind_address.clone(),
        }
    }
}
