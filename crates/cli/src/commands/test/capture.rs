//! The loopback server a test run's `influxDBOut` and `httpPost` nodes send to: every
//! configured InfluxDB cluster points at it, and in capture mode (`Services::capture`)
//! `httpPost` nodes send to it with their real URL as the path. It records each request
//! before answering (204 to `/write`, an empty result to `/query`, 200 otherwise), so
//! when a replay has finished, every request of its nodes is recorded.
//!
//! One server serves a whole `tickflow test` run; tests run one after another and each
//! takes what was recorded during its run. Bodies are read by `Content-Length` (the
//! engine's clients send bodies of known length); a request without one has no body.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Request {
    /// The request target: `/write?db=…` or `/<the httpPost URL>`.
    pub target: String,
    /// The body.
    pub body: String,
}

/// A running server.
pub(super) struct CaptureServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    recorded: Arc<Mutex<Vec<Request>>>,
}

impl CaptureServer {
    /// Starts the server on a free loopback port; its thread ends with the process.
    pub(super) fn start() -> std::io::Result<CaptureServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&recorded);
        std::thread::Builder::new()
            .name("test-capture".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || serve(stream, &shared));
                }
            })?;
        Ok(CaptureServer { url, recorded })
    }

    /// The requests recorded since the last call.
    pub(super) fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.recorded.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Answers the requests of one connection until the client closes it.
fn serve(stream: TcpStream, recorded: &Mutex<Vec<Request>>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let answer = match request.target.split('?').next() {
            Some("/write") => "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".to_string(),
            Some("/query") => {
                let body = r#"{"results":[{"statement_id":0}]}"#;
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            }
            _ => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_string(),
        };
        recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// Reads one request; `None` at the end of the connection or on a malformed request.
fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let target = line.split_whitespace().nth(1)?.to_string();
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        target,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_read_by_its_content_length() {
        let text =
            "POST /write?db=a HTTP/1.1\r\nContent-Length: 5\r\n\r\nx 1 2POST /x HTTP/1.1\r\n\r\n";
        let mut reader = BufReader::new(text.as_bytes());
        assert_eq!(
            read_request(&mut reader),
            Some(Request {
                target: "/write?db=a".into(),
                body: "x 1 2".into()
            })
        );
        assert_eq!(
            read_request(&mut reader).map(|r| r.target),
            Some("/x".into())
        );
        assert_eq!(read_request(&mut reader), None);
    }
}
