//! Every status of the write endpoint and the headers every response carries.

use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

use tickflow::HttpConfig;

use crate::{cpu_lines, received, TestServer};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

#[test]
fn a_good_write_is_204_with_an_empty_body_and_the_common_headers() {
    let server = TestServer::start(HttpConfig::default());
    server.counting_task("t", "db");
    let reply = server.write("db=db&rp=autogen&precision=s", &cpu_lines(0, 10));
    assert_eq!((reply.status, reply.text()), (204, String::new()));
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert!(reply.header("x-kapacitor-version").is_some());
    assert_eq!(reply.header("request-id").map(str::len), Some(36));
    let same = server.send(
        "POST",
        "/kapacitor/v1/write?db=db&rp=autogen",
        &[],
        b"cpu value=1\n",
    );
    assert_eq!(same.status, 204);
    let empty = server.write("db=db", "# only a comment\n\n");
    assert_eq!(empty.status, 204);
    let stopped = server.stop();
    assert_eq!(received(&stopped, "t", "stream0"), 11);
}

#[test]
fn bad_lines_are_400_each_reported_and_good_lines_still_written() {
    let server = TestServer::start(HttpConfig::default());
    server.counting_task("t", "db");
    let reply = server.write(
        "db=db&rp=autogen",
        "cpu value=1 1\nbad line\ncpu value=2 2\ncpu value=\n",
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.text(),
        "unable to parse 'bad line': invalid field format\n\
         unable to parse 'cpu value=': missing field value\n"
    );
    assert_eq!(received(&server.stop(), "t", "stream0"), 2);
}

#[test]
fn a_write_without_db_is_400_and_writes_nothing() {
    let server = TestServer::start(HttpConfig::default());
    server.counting_task("t", "db");
    let reply = server.write("rp=autogen", "cpu value=1 1\n");
    assert_eq!(
        (reply.status, reply.text()),
        (400, "database is required\n".into())
    );
    // Parsing comes first: a bad body without db reports the parse error.
    let reply = server.write("rp=autogen", "bad\n");
    assert_eq!(reply.text(), "unable to parse 'bad': missing fields\n");
    let reply = server.write("db=db&precision=fortnight", "cpu value=1 1\n");
    assert_eq!(reply.status, 400);
    assert!(reply.text().starts_with("unknown precision \"fortnight\""));
    assert_eq!(received(&server.stop(), "t", "stream0"), 0);
}

#[test]
fn a_missing_rp_takes_the_configured_default() {
    let server = TestServer::start(HttpConfig {
        default_retention_policy: "autogen".into(),
        ..HttpConfig::default()
    });
    server.counting_task("t", "db");
    assert_eq!(server.write("db=db", "cpu value=1 1\n").status, 204);
    assert_eq!(received(&server.stop(), "t", "stream0"), 1);
}

#[test]
fn gzip_bodies_are_read_and_a_gzip_bomb_is_413() {
    let server = TestServer::start(HttpConfig {
        max_body_size: 10_000,
        ..HttpConfig::default()
    });
    server.counting_task("t", "db");
    let zipped = gzip(cpu_lines(0, 50).as_bytes());
    let gz = [("Content-Encoding", "gzip")];
    let reply = server.send("POST", "/write?db=db&rp=autogen", &gz, &zipped);
    assert_eq!(reply.status, 204, "{}", reply.text());

    let bomb = gzip(&vec![b'#'; 50_000_000]);
    assert!(bomb.len() < 100_000);
    let reply = server.send("POST", "/write?db=db&rp=autogen", &gz, &bomb);
    assert_eq!(
        (reply.status, reply.text()),
        (413, "http: request body too large\n".into())
    );

    let reply = server.send("POST", "/write?db=db&rp=autogen", &[], &vec![b'#'; 10_001]);
    assert_eq!(reply.status, 413);

    let reply = server.send("POST", "/write?db=db", &gz, cpu_lines(0, 3).as_bytes());
    assert_eq!(
        (reply.status, reply.text()),
        (400, "invalid gzip header\n".into())
    );
    assert_eq!(received(&server.stop(), "t", "stream0"), 50);
}

#[test]
fn a_slow_body_holds_no_write_permit_and_gets_408_after_the_read_timeout() {
    let server = TestServer::start(HttpConfig {
        read_timeout: Duration::from_millis(500),
        write_concurrency: 1,
        ..HttpConfig::default()
    });
    server.counting_task("t", "db");
    // A client that sends half its body, then nothing.
    let body = cpu_lines(0, 2);
    let mut slow = TcpStream::connect(server.address).expect("connect");
    write!(
        slow,
        "POST /write?db=db&rp=autogen HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..5]
    )
    .expect("send head");
    std::thread::sleep(Duration::from_millis(100));
    // The only write permit is free for another client meanwhile.
    let reply = server.write("db=db&rp=autogen", &cpu_lines(10, 1));
    assert_eq!((reply.status, reply.text()), (204, String::new()));
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut slow, &mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.ends_with("timed out reading the request body after 500ms\n"),
        "{answer}"
    );
    assert_eq!(received(&server.stop(), "t", "stream0"), 1);
}

#[test]
fn ping_routing_redirects_and_options() {
    let server = TestServer::start(HttpConfig::default());
    let ping = server.send("GET", "/kapacitor/v1/ping", &[], b"");
    assert_eq!((ping.status, ping.body.len()), (204, 0));
    // A plain semantic version, as Chronograf and the Go client parse it; tickflow's own
    // version in its own header.
    let version = ping.header("x-kapacitor-version").expect("version header");
    let parts: Vec<u32> = (version.split('.'))
        .map(|p| p.parse().expect("a number"))
        .collect();
    assert_eq!((parts.len(), parts[0]), (3, 1), "{version}");
    assert_eq!(
        ping.header("x-tickflow-version"),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        server.send("HEAD", "/kapacitor/v1/ping", &[], b"").status,
        204
    );
    assert_eq!(
        server
            .send("GET", "/kapacitor/v1preview/ping", &[], b"")
            .status,
        204
    );

    for (method, path) in [
        ("GET", "/ping"),
        ("GET", "/write"),
        ("PUT", "/kapacitor/v1/tasks"),
        ("GET", "/query"),
    ] {
        let reply = server.send(method, path, &[], b"");
        assert_eq!(reply.status, 404, "{method} {path}");
        assert_eq!(
            reply.text(),
            "{\n    \"error\": \"Not Found\",\n    \"message\": \"Not Found\"\n}"
        );
    }

    let redirect = server.send("POST", "/kapacitor/v1/./write?db=x", &[], b"");
    assert_eq!(redirect.status, 301);
    assert_eq!(
        redirect.header("location"),
        Some("/kapacitor/v1/write?db=x")
    );

    let options = server.send("OPTIONS", "/anything", &[("Origin", "http://example")], b"");
    assert_eq!((options.status, options.body.len()), (200, 0));
    assert_eq!(options.header("content-type"), None);
    assert_eq!(
        options.header("access-control-allow-origin"),
        Some("http://example")
    );
    assert!(options.header("request-id").is_some());
}

#[test]
fn responses_are_gzipped_when_the_client_accepts_it() {
    let server = TestServer::start(HttpConfig::default());
    let reply = server.send(
        "GET",
        "/nowhere",
        &[("Accept-Encoding", "gzip, deflate")],
        b"",
    );
    assert_eq!(reply.header("content-encoding"), Some("gzip"));
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&reply.body[..]),
        &mut text,
    )
    .expect("gzip body");
    assert!(text.contains("Not Found"));
}
