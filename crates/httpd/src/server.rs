//! [`Server`]: binds the listener, serves connections with hyper, and shuts down
//! cleanly: stop accepting, let requests in flight finish, then drain every task. The
//! `[[udp]]` listeners are bound with the server and served beside it, and with `[load]`
//! on, SIGHUP loads its directory again.
//!
//! A connection whose request headers (or, when idle, whose next request) do not arrive
//! within `[http] header-read-timeout` is closed (hyper's header read timeout), so
//! connections left open cost nothing for long.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tickflow::tasks::TaskStore;
use tickflow::{Engine, Shutdown};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::app::App;
use crate::udp::UdpListener;
use crate::{hangup, router};

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address cannot be listened on.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address as configured.
        address: String,
        /// What the system said.
        source: std::io::Error,
    },
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    udp: Vec<UdpListener>,
    app: Arc<App>,
}

impl Server {
    /// Binds the engine's `[http] bind-address`; requests go to `engine`. Must be
    /// called inside a tokio runtime.
    pub async fn bind(engine: Arc<Engine>) -> Result<Server, ServeError> {
        let config = engine.http_config();
        let address = config.socket_address();
        let listener = TcpListener::bind(&address)
            .await
            .map_err(|source| ServeError::Bind {
                address: config.bind_address.clone(),
                source,
            })?;
        let udp = (engine.config().udp.iter())
            .filter(|section| section.enabled)
            .map(UdpListener::bind)
            .collect::<Result<Vec<_>, _>>()?;
        let app = App {
            writes: Arc::new(Semaphore::new(config.write_concurrency.max(1))),
            engine,
            started: std::time::Instant::now(),
            server_id: uuid::Uuid::new_v4().to_string(),
            cluster_id: uuid::Uuid::new_v4().to_string(),
        };
        Ok(Server {
            listener,
            udp,
            app: Arc::new(app),
        })
    }

    /// The address the server listens on (with the port chosen when it was 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The addresses of the `[[udp]]` listeners, in the configuration's order.
    pub fn udp_addrs(&self) -> std::io::Result<Vec<SocketAddr>> {
        self.udp.iter().map(UdpListener::local_addr).collect()
    }

    /// The tasks, to define some before serving (what `tickflow run` does).
    pub fn tasks(&self) -> &TaskStore {
        self.app.store()
    }

    /// Serves until `shutdown` completes, then stops accepting, waits for the requests
    /// in flight, drains every task and returns how each ended.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Option<Shutdown> {
        let graceful = GracefulShutdown::new();
        let mut services: Vec<_> = (self.udp.into_iter())
            .map(|listener| tokio::spawn(listener.serve(Arc::clone(&self.app.engine))))
            .collect();
        if self.app.engine.config().load.enabled {
            let engine = Arc::clone(&self.app.engine);
            services.push(tokio::spawn(hangup::reload_on_hangup(engine)));
        }
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let app = Arc::clone(&self.app);
                        let service = service_fn(move |request| router::handle(Arc::clone(&app), request));
                        let connection = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(self.app.config().header_read_timeout)
                            .serve_connection(TokioIo::new(stream), service);
                        let connection = graceful.watch(connection);
                        tokio::spawn(async move {
                            // A client that goes away mid-request is its own business.
                            let _ = connection.await;
                        });
                    }
                    // Out of file descriptors or similar: wait a moment, keep serving.
                    Err(err) => {
                        eprintln!("tickflow: accept failed: {err}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        drop(self.listener);
        services.iter().for_each(tokio::task::JoinHandle::abort);
        graceful.shutdown().await;
        let engine = Arc::clone(&self.app.engine);
        tokio::task::spawn_blocking(move || engine.shutdown())
            .await
            .ok()
    }
}

/// Completes on the first SIGINT or SIGTERM (Ctrl-C elsewhere than Unix).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
