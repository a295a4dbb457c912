//! [`post`]: one blocking HTTP/1.1 POST over a fresh [`TcpStream`], closed afterwards.
//!
//! The request carries `Content-Length` and `Connection: close`; the response is read by
//! its framing (`Content-Length`, `chunked`, or up to the end of the stream), keeping at
//! most [`MAX_BODY`] bytes of the body. Interim `1xx` responses are skipped.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::url::HttpUrl;

/// The most response-body bytes kept (for `.captureResponse()` and error messages).
pub const MAX_BODY: u64 = 64 * 1024;

/// How long a request may take to connect, send or receive when no timeout is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request failed before a status code arrived.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The host name did not resolve.
    #[error("cannot resolve {host:?}: {source}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// No address of the host accepted the connection.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// The last address tried.
        addr: String,
        /// Why the connection failed.
        source: io::Error,
    },
    /// Sending the request or reading the response failed.
    #[error("{source}")]
    Io {
        /// The I/O error.
        #[from]
        source: io::Error,
    },
    /// The server's answer is not an HTTP/1.x response.
    #[error("malformed http response: {0:?}")]
    Malformed(String),
}

/// One POST request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Where to send it.
    pub url: &'a HttpUrl,
    /// Extra headers, in order (a `Content-Type` here replaces `content_type`).
    pub headers: &'a [(String, String)],
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
    /// The limit for connecting and for each read or write.
    pub timeout: Duration,
}

/// The final response to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The body, cut at [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends `request` and reads the response.
pub fn post(request: &Request<'_>) -> Result<Response, HttpError> {
    let stream = connect(request.url, request.timeout)?;
    stream.set_read_timeout(Some(request.timeout))?;
    stream.set_write_timeout(Some(request.timeout))?;
    let mut writer = io::BufWriter::new(&stream);
    writer.write_all(&head(request))?;
    writer.write_all(request.body)?;
    writer.flush()?;
    drop(writer);
    read_response(&mut BufReader::new(&stream))
}

/// Dials the URL's host, trying each address it resolves to.
fn connect(url: &HttpUrl, timeout: Duration) -> Result<TcpStream, HttpError> {
    let addrs: Vec<SocketAddr> = (url.host(), url.port())
        .to_socket_addrs()
        .map_err(|source| HttpError::Resolve {
            host: url.host().into(),
            source,
        })?
        .collect();
    let mut last = HttpError::Resolve {
        host: url.host().into(),
        source: io::Error::new(io::ErrorKind::NotFound, "no addresses"),
    };
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(source) => {
                last = HttpError::Connect {
                    addr: addr.to_string(),
                    source,
                }
            }
        }
    }
    Err(last)
}

/// The request line and headers, through the blank line.
fn head(request: &Request<'_>) -> Vec<u8> {
    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tickflow\r\nContent-Length: {}\r\n",
        request.url.target(),
        request.url.authority(),
        request.body.len()
    );
    let overridden = request
        .headers
        .iter()
        .any(|(key, _)| key.eq_ignore_ascii_case("content-type"));
    if let (Some(content_type), false) = (request.content_type, overridden) {
        head += &format!("Content-Type: {content_type}\r\n");
    }
    for (key, value) in request.headers {
        head += &format!("{key}: {value}\r\n");
    }
    head += "Connection: close\r\n\r\n";
    head.into_bytes()
}

/// Reads the final (non-1xx) response.
fn read_response(reader: &mut impl BufRead) -> Result<Response, HttpError> {
    loop {
        let status = read_status(reader)?;
        let framing = read_headers(reader)?;
        if (100..200).contains(&status) {
            continue;
        }
        let body = read_body(reader, framing)?;
        return Ok(Response { status, body });
    }
}

/// One header line without its line ending; an error at the end of the stream.
fn read_line(reader: &mut impl BufRead) -> Result<String, HttpError> {
    let mut line = Vec::new();
    let n = reader.take(8 * 1024).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Err(HttpError::Malformed(
            "connection closed before the response".into(),
        ));
    }
    let line = String::from_utf8_lossy(&line);
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The status code of an `HTTP/1.x NNN reason` line.
fn read_status(reader: &mut impl BufRead) -> Result<u16, HttpError> {
    let line = read_line(reader)?;
    let mut words = line.split(' ');
    match (words.next(), words.next().map(str::parse::<u16>)) {
        (Some(version), Some(Ok(status))) if version.starts_with("HTTP/1.") => Ok(status),
        _ => Err(HttpError::Malformed(line)),
    }
}

/// How the body is delimited.
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

fn read_headers(reader: &mut impl BufRead) -> Result<Framing, HttpError> {
    let mut framing = Framing::UntilClose;
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            return Ok(framing);
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(HttpError::Malformed(line));
        };
        let value = value.trim();
        if key.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked") {
            framing = Framing::Chunked;
        } else if key.eq_ignore_ascii_case("content-length") && !matches!(framing, Framing::Chunked)
        {
            let length = value
                .parse()
                .map_err(|_| HttpError::Malformed(line.clone()))?;
            framing = Framing::Length(length);
        }
    }
}

fn read_body(reader: &mut impl BufRead, framing: Framing) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    match framing {
        Framing::Length(length) => {
            reader.take(length.min(MAX_BODY)).read_to_end(&mut body)?;
        }
        Framing::UntilClose => {
            reader.take(MAX_BODY).read_to_end(&mut body)?;
        }
        Framing::Chunked => loop {
            let size_line = read_line(reader)?;
            let size = size_line.split(';').next().unwrap_or_default().trim();
            let size = u64::from_str_radix(size, 16)
                .map_err(|_| HttpError::Malformed(size_line.clone()))?;
            if size == 0 || body.len() as u64 >= MAX_BODY {
                break;
            }
            let room = MAX_BODY - body.len() as u64;
            reader.take(size.min(room)).read_to_end(&mut body)?;
            read_line(reader)?;
        },
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(raw: &str) -> Result<Response, HttpError> {
        read_response(&mut raw.as_bytes())
    }

    #[test]
    fn reads_each_framing() {
        let ok = |raw: &str| response(raw).expect("well-formed");
        assert_eq!(
            ok("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nhiEXTRA"),
            Response {
                status: 201,
                body: b"hi".to_vec()
            }
        );
        assert_eq!(
            ok("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n")
                .body,
            b"abcde"
        );
        assert_eq!(ok("HTTP/1.0 500 Oops\r\n\r\nboom").body, b"boom");
        assert_eq!(
            ok("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .status,
            404
        );
    }

    #[test]
    fn refuses_what_is_not_http() {
        let err = |raw: &str| response(raw).expect_err("malformed").to_string();
        assert_eq!(err("SSH-2.0\r\n"), "malformed http response: \"SSH-2.0\"");
        assert_eq!(
            err(""),
            "malformed http response: \"connection closed before the response\""
        );
        assert_eq!(
            err("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"),
            "malformed http response: \"Content-Length: x\""
        );
    }

    #[test]
    fn head_has_length_type_and_headers() {
        let url = HttpUrl::parse("http://h:1/p?q").expect("valid");
        let headers = [("my".to_string(), "header".to_string())];
        let request = Request {
            url: &url,
            headers: &headers,
            content_type: Some("application/json"),
            body: b"{}\n",
            timeout: DEFAULT_TIMEOUT,
        };
        assert_eq!(
            String::from_utf8(head(&request)).expect("ascii"),
            "POST /p?q HTTP/1.1\r\nHost: h:1\r\nUser-Agent: tickflow\r\nContent-Length: 3\r\n\
             Content-Type: application/json\r\nmy: header\r\nConnection: close\r\n\r\n"
        );
        let own_type = [("content-type".to_string(), "text/plain".to_string())];
        let request = Request {
            headers: &own_type,
            ..request
        };
        let head = String::from_utf8(head(&request)).expect("ascii");
        assert!(!head.contains("application/json") && head.contains("content-type: text/plain"));
    }
}
