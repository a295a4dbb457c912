//! `[[udp]]` listeners: each datagram is a line protocol body written, like a `/write`
//! request, to the listener's database and retention policy through the engine's
//! ingest (on tokio's blocking pool). Bad lines are counted and reported on stderr (the
//! first, then every thousandth, so a flood of garbage does not flood the log).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use bytes::Bytes;
use tickflow::config::UdpSection;
use tickflow::{Engine, WriteRequest};
use tokio::net::UdpSocket;

use crate::server::ServeError;

/// The largest datagram read.
const DATAGRAM: usize = 64 * 1024;

/// A bound listener.
pub(crate) struct UdpListener {
    socket: UdpSocket,
    section: UdpSection,
}

impl UdpListener {
    /// Binds `section`'s address with its receive buffer.
    pub(crate) fn bind(section: &UdpSection) -> Result<UdpListener, ServeError> {
        let failed = |source: std::io::Error| ServeError::Bind {
            address: section.bind_address.clone(),
            source,
        };
        let address: SocketAddr = (section.socket_address().parse())
            .map_err(|e| failed(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)))?;
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(address),
            socket2::Type::DGRAM,
            Some(socket2::Protocol::UDP),
        )
        .map_err(failed)?;
        if section.read_buffer > 0 {
            socket
                .set_recv_buffer_size(section.read_buffer)
                .map_err(failed)?;
        }
        socket.bind(&address.into()).map_err(failed)?;
        socket.set_nonblocking(true).map_err(failed)?;
        let socket = UdpSocket::from_std(socket.into()).map_err(failed)?;
        Ok(UdpListener {
            socket,
            section: section.clone(),
        })
    }

    /// Where it listens.
    pub(crate) fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Receives and writes datagrams until the task is aborted.
    pub(crate) async fn serve(self, engine: Arc<Engine>) {
        let errors = Arc::new(AtomicU64::new(0));
        let mut buffer = vec![0_u8; DATAGRAM];
        loop {
            let Ok((length, _)) = self.socket.recv_from(&mut buffer).await else {
                continue;
            };
            let request = WriteRequest {
                body: Bytes::copy_from_slice(&buffer[..length]),
                gzip: false,
                database: self.section.database.clone(),
                retention_policy: self.section.retention_policy.clone(),
                precision: self.section.precision.clone(),
                limit: None,
                time_guard: engine.http_config().time_guard,
            };
            let engine = Arc::clone(&engine);
            let errors = Arc::clone(&errors);
            let bind = self.section.bind_address.clone();
            // Datagrams are written in order: the next waits for this one.
            let _ = tokio::task::spawn_blocking(move || {
                if let Err(err) = engine.write(request) {
                    let seen = errors.fetch_add(1, Relaxed);
                    if seen % 1000 == 0 {
                        eprintln!(
                            "tickflow: udp {bind}: write failed ({} so far): {err}",
                            seen + 1
                        );
                    }
                }
            })
            .await;
        }
    }
}
