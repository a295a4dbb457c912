//! The client verbs whose endpoints `tickflow serve` does not have yet (templates,
//! `/debug/vars`, `/loglevel`, `/storage/backup`, the log stream), run against a loopback
//! stand-in that answers as http-api.md says Kapacitor does and records each request, so
//! the requests the binary makes and the output it prints are checked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};

use expect_test::expect;

use crate::replay::write;
use crate::scratch_dir;

/// One request the stand-in received: `METHOD /path?query` and the body.
type Seen = (String, String);

/// A loopback server answering with `answer(method, target)` and recording requests.
struct StandIn {
    address: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

type Answer = fn(&str, &str) -> (u16, String);

impl StandIn {
    fn start(answer: Answer) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                serve_one(stream, answer, &log);
            }
        });
        StandIn { address, seen }
    }

    /// `tickflow -url <stand-in> <args>`: stdout, stderr and the exit code.
    fn run(&self, args: &[&str]) -> (String, String, Option<i32>) {
        let out = Command::new(env!("CARGO_BIN_EXE_tickflow"))
            .arg("-url")
            .arg(format!("http://{}", self.address))
            .args(args)
            .env_remove("KAPACITOR_URL")
            .output()
            .expect("tickflow runs");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code(),
        )
    }

    /// The requests so far, one `METHOD target body` line each; then forgets them.
    fn take(&self) -> String {
        let seen = std::mem::take(&mut *self.seen.lock().expect("lock"));
        seen.into_iter()
            .map(|(request, body)| format!("{request} {body}\n"))
            .collect()
    }
}

fn serve_one(stream: TcpStream, answer: Answer, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let body = String::from_utf8_lossy(&body).into_owned();
    log.lock()
        .expect("lock")
        .push((format!("{method} {target}"), body));
    let (status, reply) = answer(method, target);
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
}

const NOT_FOUND: &str = r#"{"error": "no template exists", "message": "no template exists"}"#;

fn templates(method: &str, target: &str) -> (u16, String) {
    let template = r#"{"link": {"rel": "self", "href": "/kapacitor/v1/templates/mean"}, "id": "mean", "type": "stream", "script": "var field string\nvar warn = 5\nstream\n", "vars": {"field": {"type": "string", "value": null, "description": "Which field to process"}, "warn": {"type": "int", "value": 5, "description": ""}}, "dot": "digraph mean {\n}", "error": "", "created": "2024-01-02T03:04:05Z", "modified": "2024-01-02T03:04:06.5Z"}"#;
    match (method, target) {
        ("GET", "/kapacitor/v1/templates/new") => (404, NOT_FOUND.into()),
        ("GET", "/kapacitor/v1/templates/mean") => (200, template.into()),
        ("POST" | "PATCH", _) => (200, template.into()),
        ("GET", t) if t.starts_with("/kapacitor/v1/templates?") => (
            200,
            format!(
                r#"{{"templates": [{template}, {{"id": "a_long_template_id", "type": "batch", "vars": {{}}}}]}}"#
            ),
        ),
        ("DELETE", _) => (204, String::new()),
        _ => (404, r#"{"error": "Not Found"}"#.into()),
    }
}

#[test]
fn templates_are_defined_shown_listed_and_deleted_as_kapacitors_client_does() {
    let server = StandIn::start(templates);
    let dir = scratch_dir("client-standin-templates");
    let tick = write(&dir, "mean.tick", "var field string\nstream\n");
    let (_, stderr, code) =
        server.run(&["define-template", "new", "-tick", &tick, "-type", "stream"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (_, stderr, code) = server.run(&["define-template", "mean", "-type", "batch"]);
    assert_eq!(code, Some(0), "{stderr}");
    expect![[r#"
        GET /kapacitor/v1/templates/new 
        POST /kapacitor/v1/templates {"id":"new","script":"var field string\nstream\n","type":"stream"}
        GET /kapacitor/v1/templates/mean 
        PATCH /kapacitor/v1/templates/mean {"type":"batch"}
    "#]]
    .assert_eq(&server.take());
    let (stdout, _, code) = server.run(&["show-template", "mean"]);
    assert_eq!(code, Some(0));
    expect![[r#"
        ID: mean
        Error: 
        Type: stream
        Created: 02 Jan 24 03:04 UTC
        Modified: 02 Jan 24 03:04 UTC
        TICKscript:
        var field string
        var warn = 5
        stream

        Vars:
        Name                          Type      Default Value                           Description                             
        field                         string    <required>                              Which field to process                  
        warn                          int       5                                                                               
        DOT:
        digraph mean {
        }
    "#]]
    .assert_eq(&stdout);
    let (stdout, _, _) = server.run(&["list", "templates"]);
    expect![[r#"
        ID                 Type      Vars                                    
        a_long_template_id batch                                             
        mean               stream    field,warn                              
    "#]]
    .assert_eq(&stdout);
    server.take();
    let (_, _, code) = server.run(&["delete", "templates", "m*"]);
    assert_eq!(code, Some(0));
    expect![[r#"
        GET /kapacitor/v1/templates?pattern=m*&offset=0&limit=100&fields=link 
        DELETE /kapacitor/v1/templates/mean 
        DELETE /kapacitor/v1/templates/a_long_template_id 
    "#]]
    .assert_eq(&server.take());
    let (_, stderr, code) = server.run(&["show-template", "new"]);
    assert_eq!((stderr.as_str(), code), ("no template exists\n", Some(3)));
}

fn debug(method: &str, target: &str) -> (u16, String) {
    let vars = r#"{"cluster_id": "c-1", "server_id": "s-1", "host": "box", "num_tasks": 3, "num_enabled_tasks": 2, "num_subscriptions": 1, "version": "1.8.0", "platform": "OSS", "kapacitor": {"k1": {"name": "ingress", "tags": {"task_master": "main", "database": "telegraf", "retention_policy": "autogen", "measurement": "cpu"}, "values": {"points_received": 1234}}}}"#;
    match (method, target) {
        ("GET", "/kapacitor/v1/debug/vars") => (200, vars.into()),
        ("POST", "/kapacitor/v1/loglevel") => (204, String::new()),
        ("GET", "/kapacitor/v1/storage/backup") => (200, "BOLTDB".into()),
        ("GET", t) if t.starts_with("/kapacitor/v1preview/logs?") => (
            200,
            "{\"lvl\":\"info\",\"msg\":\"a\"}\n{\"lvl\":\"info\",\"msg\":\"b\"}\n".into(),
        ),
        _ => (404, r#"{"error": "Not Found"}"#.into()),
    }
}

#[test]
fn stats_vars_level_backup_and_logs_use_the_debug_endpoints() {
    let server = StandIn::start(debug);
    let (stdout, _, code) = server.run(&["stats", "ingress"]);
    assert_eq!(code, Some(0));
    expect![[r#"
        Database Retention Policy Measurement Points Received
        telegraf autogen          cpu                    1234
    "#]]
    .assert_eq(&stdout);
    let (stdout, _, _) = server.run(&["stats", "general"]);
    assert!(stdout.starts_with("ClusterID:                    c-1                           \n"));
    let (stdout, _, _) = server.run(&["vars"]);
    assert!(stdout.starts_with("{\"cluster_id\": \"c-1\""), "{stdout}");
    let (_, stderr, code) = server.run(&["level", "debug"]);
    assert_eq!(code, Some(0), "{stderr}");
    let dir = scratch_dir("client-standin-debug");
    let backup = dir.join("kapacitor.db");
    let (_, stderr, code) = server.run(&["backup", &backup.display().to_string()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), "BOLTDB");
    let (stdout, _, code) = server.run(&["watch", "cpu_alert", "node=alert2"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        stdout,
        "{\"lvl\":\"info\",\"msg\":\"a\"}\n{\"lvl\":\"info\",\"msg\":\"b\"}\n"
    );
    let (_, _, code) = server.run(&["logs", "service=http"]);
    assert_eq!(code, Some(0));
    expect![[r#"
        GET /kapacitor/v1/debug/vars 
        GET /kapacitor/v1/debug/vars 
        GET /kapacitor/v1/debug/vars 
        POST /kapacitor/v1/loglevel {"level":"debug"}
        GET /kapacitor/v1/storage/backup 
        GET /kapacitor/v1preview/logs?task=cpu_alert&node=alert2 
        GET /kapacitor/v1preview/logs?service=http 
    "#]]
    .assert_eq(&server.take());
    let (_, stderr, code) = server.run(&["logs", "oops"]);
    assert_eq!(
        (stderr.as_str(), code),
        ("bad keyvalue pair: 'oops'\n", Some(3))
    );
}
