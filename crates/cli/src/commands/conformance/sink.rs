//! The HTTP sink a case's `${SINK_URL}` points at: a loopback server on its own thread
//! that records every request (method, path with query, headers, body) in arrival order
//! and answers with the case's `sink_status_codes`, one per request, then 200, after
//! the case's `sink_response_delay` (batch README §7).
//!
//! It speaks just enough HTTP/1.1 for alert and httpPost handlers: a request line,
//! headers, and a body framed by `Content-Length` or chunked encoding; each connection
//! may carry several requests. It is a test double, never a server for users.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// One request the sink received.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Request {
    /// `POST`, `PUT`, ...
    pub method: String,
    /// The request target: path and query (`/cpu/?host=a`).
    pub path: String,
    /// Header names as sent, with their values (a repeated header keeps the last).
    pub headers: BTreeMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// What the sink shares with its connection threads.
#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Request>>,
    codes: Vec<u16>,
    delay: std::time::Duration,
    stopping: AtomicBool,
}

impl Shared {
    fn requests(&self) -> MutexGuard<'_, Vec<Request>> {
        self.requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits the response delay, cut short when the sink stops.
    fn wait(&self) {
        let started = std::time::Instant::now();
        while started.elapsed() < self.delay && !self.stopping.load(Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Records `request` and returns the status code to answer it with.
    fn record(&self, request: Request) -> u16 {
        let mut requests = self.requests();
        let code = self.codes.get(requests.len()).copied().unwrap_or(200);
        requests.push(request);
        code
    }
}

/// A running sink; dropping it without [`Sink::stop`] leaves the thread to the process.
pub(super) struct Sink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Sink {
    /// Starts a sink on a free loopback port answering with `codes` in order, each
    /// answer `delay` after the request was read.
    pub(super) fn start(codes: Vec<u16>, delay: std::time::Duration) -> io::Result<Sink> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            codes,
            delay,
            ..Shared::default()
        });
        let accepting = Arc::clone(&shared);
        let thread = std::thread::spawn(move || accept(&listener, &accepting));
        Ok(Sink {
            addr,
            shared,
            thread: Some(thread),
        })
    }

    /// The base URL, without a trailing slash (`http://127.0.0.1:41234`).
    pub(super) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting and returns every request received, in arrival order.
    pub(super) fn stop(mut self) -> Vec<Request> {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        std::mem::take(&mut *self.shared.requests())
    }
}

/// Accepts connections until stopped, serving each on this thread: handlers send one
/// request at a time, so there is nothing to gain from more threads.
fn accept(listener: &TcpListener, shared: &Shared) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(stream) = stream {
            let _ = serve(stream, shared);
        }
    }
}

/// Serves the requests of one connection until the client closes it.
fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader)? {
        let close = request
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        let code = shared.record(request);
        shared.wait();
        write!(
            writer,
            "HTTP/1.1 {code} {}\r\nContent-Length: 0\r\n\r\n",
            reason(code)
        )?;
        writer.flush()?;
        if close {
            break;
        }
    }
    Ok(())
}

/// Reads one request; `None` when the connection closed before one started.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(invalid(format!("bad request line {line:?}")));
    };
    let (method, path) = (method.to_string(), path.to_string());
    let headers = read_headers(reader)?;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let body = if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        read_chunked(reader)?
    } else {
        let length = match header("content-length") {
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| invalid(format!("bad content-length {v:?}")))?,
            None => 0,
        };
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some(Request {
        method,
        path,
        headers,
        body,
    }))
}

/// Reads header lines up to the blank line.
fn read_headers(reader: &mut impl BufRead) -> io::Result<BTreeMap<String, String>> {
    let mut headers = BTreeMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(invalid("connection closed inside the headers".into()));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            return Ok(headers);
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(invalid(format!("bad header line {line:?}")));
        };
        headers.insert(name.trim().to_string(), value.trim().to_string());
    }
}

/// Reads a chunked body and its (ignored) trailers.
fn read_chunked(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let digits = size.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(digits, 16)
            .map_err(|_| invalid(format!("bad chunk size {digits:?}")))?;
        if size == 0 {
            read_headers(reader)?;
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut end = String::new();
        reader.read_line(&mut end)?;
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The reason phrase for the codes the cases use.
fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(url: &str, raw: &str) -> String {
        let addr = url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connects");
        stream.write_all(raw.as_bytes()).expect("writes");
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).expect("reads");
        status
    }

    #[test]
    fn records_requests_and_answers_with_the_given_codes() {
        let sink = Sink::start(vec![201], std::time::Duration::ZERO).expect("starts");
        let first = send(
            &sink.url(),
            "POST /a?b=c HTTP/1.1\r\nContent-Length: 5\r\nMy: header\r\nConnection: close\r\n\r\nhello",
        );
        let second = send(
            &sink.url(),
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
             3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        );
        assert_eq!(first, "HTTP/1.1 201 Created\r\n");
        assert_eq!(second, "HTTP/1.1 200 OK\r\n");
        let requests = sink.stop();
        assert_eq!(requests.len(), 2);
        assert_eq!(
            (requests[0].path.as_str(), requests[0].body.as_slice()),
            ("/a?b=c", &b"hello"[..])
        );
        assert_eq!(
            requests[0].headers.get("My").map(String::as_str),
            Some("header")
        );
        assert_eq!(requests[1].body, b"abcde");
    }
}
