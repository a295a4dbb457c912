//! [`Sink`]: a tiny HTTP or TCP server on 127.0.0.1 for tests of things that post (alert
//! handlers, `httpPost`): it accepts a fixed number of connections (giving up after a
//! deadline, so a broken test fails instead of hanging), records each request and answers
//! with the given status codes.
//!
//! ```
//! use std::io::Write;
//! let sink = tickflow_testkit::sink::Sink::tcp(1);
//! std::net::TcpStream::connect(&sink.address).unwrap().write_all(b"hi").unwrap();
//! assert_eq!(sink.finish()[0].body, "hi");
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a sink waits for its connections.
const DEADLINE: Duration = Duration::from_secs(10);

/// One request as the sink saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// `POST /path?q HTTP/1.1`.
    pub request_line: String,
    /// Header lines as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl Recorded {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running sink.
pub struct Sink {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// `127.0.0.1:<port>`.
    pub address: String,
    thread: JoinHandle<Vec<Recorded>>,
}

impl Sink {
    /// An HTTP sink answering request `i` with `statuses[i]` (200 past the end) and body
    /// `response`; before each answer it calls `before_answer`.
    pub fn http(
        count: usize,
        statuses: Vec<u16>,
        response: &'static str,
        before_answer: impl Fn() + Send + 'static,
    ) -> Sink {
        Self::start(count, move |i, stream| {
            let recorded = read_request(stream);
            before_answer();
            let status = statuses.get(i).copied().unwrap_or(200);
            let answer = format!(
                "HTTP/1.1 {status} Whatever\r\nContent-Length: {}\r\n\r\n{response}",
                response.len()
            );
            stream.write_all(answer.as_bytes()).expect("answer");
            recorded
        })
    }

    /// A raw TCP sink recording everything each connection sends until it closes.
    pub fn tcp(count: usize) -> Sink {
        Self::start(count, |_, stream| {
            let mut body = String::new();
            stream.read_to_string(&mut body).expect("read payload");
            Recorded {
                request_line: String::new(),
                headers: Vec::new(),
                body,
            }
        })
    }

    fn start(
        count: usize,
        serve: impl Fn(usize, &mut TcpStream) -> Recorded + Send + 'static,
    ) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let address = listener.local_addr().expect("address").to_string();
        listener.set_nonblocking(true).expect("nonblocking");
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + DEADLINE;
            let mut seen = Vec::new();
            while seen.len() < count && Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).expect("blocking");
                        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
                        seen.push(serve(seen.len(), &mut stream));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            seen
        });
        Sink {
            url: format!("http://{address}"),
            address,
            thread,
        }
    }

    /// Waits for the sink's connections and returns what they sent.
    pub fn finish(self) -> Vec<Recorded> {
        self.thread.join().expect("sink thread")
    }
}

fn read_request(stream: &mut TcpStream) -> Recorded {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("request line");
    let request_line = line.trim_end().to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (k, v) = header.split_once(':').expect("header has a colon");
        headers.push((k.to_string(), v.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().expect("numeric length"))
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("body");
    Recorded {
        request_line,
        headers,
        body: String::from_utf8(body).expect("utf-8 body"),
    }
}

/// An address on which nothing listens (a port just released).
pub fn closed_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("address").to_string()
}
