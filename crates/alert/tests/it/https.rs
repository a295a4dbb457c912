//! [`Receiver`]: a loopback HTTPS server with its own CA, made per test with rcgen and
//! served by rustls (or a plain HTTP one, for services without TLS settings), that
//! records every request and answers with a chosen status (or a sequence of them, the
//! last repeated) after a chosen delay (keep-alive: several requests per connection).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// One request as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    /// `POST`, …
    pub(crate) method: String,
    /// The request target: path and query.
    pub(crate) target: String,
    /// The headers, names in lower case, in order.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: String,
}

impl Recorded {
    /// The value of header `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        (self.headers.iter())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the body is JSON")
    }
}

/// A running HTTPS receiver.
pub(crate) struct Receiver {
    /// `https://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// The PEM file of the CA that signed the server's certificate.
    pub(crate) ca: PathBuf,
    requests: mpsc::Receiver<Recorded>,
    connections: Arc<AtomicUsize>,
}

impl Receiver {
    /// A receiver answering `status` after `delay`; its CA file goes into `dir`.
    pub(crate) fn start(dir: &std::path::Path, status: u16, delay: Duration) -> Receiver {
        let (config, ca_pem) = tls_config();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, ca_pem).expect("write ca");
        Receiver::listen(
            "https",
            ca,
            Statuses::new(&[status]),
            delay,
            move |stream| {
                ServerConnection::new(config.clone())
                    .ok()
                    .map(|connection| StreamOwned::new(connection, stream))
            },
        )
    }

    /// A plain HTTP receiver answering `status`.
    pub(crate) fn start_plain(status: u16) -> Receiver {
        Receiver::start_plain_answering(&[status])
    }

    /// A plain HTTP receiver answering `statuses` in turn, then the last one again.
    pub(crate) fn start_plain_answering(statuses: &[u16]) -> Receiver {
        let statuses = Statuses::new(statuses);
        Receiver::listen("http", PathBuf::new(), statuses, Duration::ZERO, Some)
    }

    fn listen<S: Read + Write + Send + 'static>(
        scheme: &str,
        ca: PathBuf,
        statuses: Arc<Statuses>,
        delay: Duration,
        wrap: impl Fn(TcpStream) -> Option<S> + Send + 'static,
    ) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("{scheme}://{}", listener.local_addr().expect("address"));
        let (tx, requests) = mpsc::channel();
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                accepted.fetch_add(1, Ordering::SeqCst);
                let (Some(stream), tx) = (wrap(stream), tx.clone()) else {
                    continue;
                };
                let statuses = Arc::clone(&statuses);
                std::thread::spawn(move || serve(stream, tx, &statuses, delay));
            }
        });
        Receiver {
            url,
            ca,
            requests,
            connections,
        }
    }

    /// How many connections clients have opened so far.
    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// A request already received and not taken yet.
    pub(crate) fn requests_pending(&self) -> Option<Recorded> {
        self.requests.try_recv().ok()
    }

    /// The next request, within five seconds.
    pub(crate) fn next(&self) -> Recorded {
        self.requests
            .recv_timeout(Duration::from_secs(5))
            .expect("a request arrives")
    }
}

/// The statuses a receiver answers with, in turn; the last one repeats.
struct Statuses(Mutex<VecDeque<u16>>);

impl Statuses {
    fn new(statuses: &[u16]) -> Arc<Statuses> {
        Arc::new(Statuses(Mutex::new(statuses.iter().copied().collect())))
    }

    fn next(&self) -> u16 {
        let mut statuses = self.0.lock().expect("lock");
        match statuses.len() {
            0 => 200,
            1 => statuses[0],
            _ => statuses.pop_front().unwrap_or(200),
        }
    }
}

/// A fresh CA, a certificate for 127.0.0.1 and localhost signed by it, and the CA's PEM.
fn tls_config() -> (Arc<ServerConfig>, String) {
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("server key");
    let params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("server params");
    let cert = params.signed_by(&key, &issuer).expect("server cert");
    // ring, as ureq's client uses; its post-quantum-less default is enough on loopback.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("server config");
    (Arc::new(config), ca_cert.pem())
}

/// Serves one connection until the client closes it (or the handshake fails).
fn serve(
    stream: impl Read + Write,
    tx: mpsc::Sender<Recorded>,
    statuses: &Statuses,
    delay: Duration,
) {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let _ = tx.send(request);
        std::thread::sleep(delay);
        let status = statuses.next();
        let answer = format!("HTTP/1.1 {status} Status\r\nContent-Length: 2\r\n\r\nok");
        let stream = reader.get_mut();
        if stream
            .write_all(answer.as_bytes())
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

/// One request, or `None` at the end of the connection.
fn read_request(reader: &mut impl BufRead) -> Option<Recorded> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let mut words = line.split_whitespace();
    let (method, target) = (words.next()?.to_string(), words.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (key, value) = line.split_once(':')?;
        headers.push((key.to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = (headers.iter())
        .find(|(key, _)| key == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}
