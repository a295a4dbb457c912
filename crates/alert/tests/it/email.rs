//! The email handler against a real SMTP server, Python's aiosmtpd started by the test
//! (`bin/smtpd.py`): a plain server receives an HTML mail for several recipients; a
//! server that requires STARTTLS and AUTH receives one over TLS from an authenticated
//! user; a server that is down is an error naming the service.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};
use tickflow_alert::services::{ServiceConfigs, SmtpConfig};
use tickflow_alert::topic::HandlerSpec;
use tickflow_alert::{Handler, Services};

use crate::{event, temp_dir};

/// aiosmtpd on a loopback port, stopped when dropped.
struct Smtpd {
    port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: BufReader<ChildStdout>,
}

impl Smtpd {
    /// Starts the server; `tls` gives a certificate, its key, a user and a password.
    fn start(tls: Option<[&str; 4]>) -> Smtpd {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/bin/smtpd.py");
        let mut command = Command::new("python3");
        command.arg(script).arg(port.to_string());
        command.args(tls.iter().flatten());
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs (aiosmtpd is installed by .ci/run)");
        let stdin = child.stdin.take();
        let mut lines = BufReader::new(child.stdout.take().expect("stdout"));
        let mut ready = String::new();
        lines.read_line(&mut ready).expect("smtpd starts");
        assert_eq!(ready.trim(), "ready", "smtpd did not start");
        Smtpd {
            port,
            child,
            stdin,
            lines,
        }
    }

    /// The next message the server received.
    fn next(&mut self) -> Value {
        let mut line = String::new();
        self.lines.read_line(&mut line).expect("a message");
        serde_json::from_str(&line).expect("json")
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn email_handler(smtp: SmtpConfig, options: Value) -> Box<dyn Handler> {
    let spec = HandlerSpec {
        id: "mail".into(),
        kind: "email".into(),
        options: options.as_object().cloned().expect("an object"),
        match_expr: String::new(),
    };
    let services = Services {
        external: ServiceConfigs {
            smtp,
            ..ServiceConfigs::default()
        },
        ..Services::default()
    };
    spec.build(&services).expect("the handler builds")
}

/// The value of header `name` in a raw message.
fn header<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    data.lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
}

#[test]
fn an_html_mail_reaches_every_recipient() {
    let mut server = Smtpd::start(None);
    let smtp = SmtpConfig {
        enabled: true,
        host: "127.0.0.1".into(),
        port: server.port,
        from: "kapacitor@example.com".into(),
        ..SmtpConfig::default()
    };
    let handler = email_handler(smtp, json!({"to": ["ops@example.com", "db@example.com"]}));
    let mut event = event("cpu", 1.0);
    event.details = "<b>cpu</b> is high".into();
    handler.handle(&event).expect("sent");
    let mail = server.next();
    assert_eq!(mail["mail_from"], json!("kapacitor@example.com"));
    assert_eq!(
        mail["rcpt_tos"],
        json!(["ops@example.com", "db@example.com"])
    );
    let data = mail["data"].as_str().expect("data");
    assert_eq!(header(data, "Subject"), Some("cpu is CRITICAL"));
    assert_eq!(
        header(data, "Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header(data, "To"), Some("ops@example.com, db@example.com"));
    let body = data.replace("\r\n", "\n");
    assert_eq!(
        body.split_once("\n\n").map(|(_, body)| body.trim_end()),
        Some("<b>cpu</b> is high")
    );
}

#[test]
fn a_tickscript_email_handler_sends_to_its_arguments_and_to_calls() {
    let mut server = Smtpd::start(None);
    let services = Services {
        external: ServiceConfigs {
            smtp: SmtpConfig {
                enabled: true,
                host: "127.0.0.1".into(),
                port: server.port,
                from: "kapacitor@example.com".into(),
                to: vec!["default@example.com".into()],
                ..SmtpConfig::default()
            },
            ..ServiceConfigs::default()
        },
        ..Services::default()
    };
    let script = "stream|from().measurement('cpu')|alert().crit(lambda: TRUE)\
        .email('ops@example.com').to('db@example.com', 'web@example.com')";
    let receiver = crate::https::Receiver::start_plain(200);
    let handler = crate::services::script_handler(script, &services, &receiver);
    handler.handle(&event("cpu", 1.0)).expect("sent");
    assert_eq!(
        server.next()["rcpt_tos"],
        json!(["ops@example.com", "db@example.com", "web@example.com"])
    );
}

#[test]
fn starttls_and_auth_are_used_when_the_server_requires_them() {
    let dir = temp_dir("smtp-tls");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.pem()).expect("write cert");
    std::fs::write(&key_file, key.serialize_pem()).expect("write key");
    let (cert_file, key_file) = (
        cert_file.display().to_string(),
        key_file.display().to_string(),
    );
    let mut server = Smtpd::start(Some([&cert_file, &key_file, "kap", "s3cret"]));
    let smtp = SmtpConfig {
        enabled: true,
        host: "127.0.0.1".into(),
        port: server.port,
        username: "kap".into(),
        password: "s3cret".into(),
        no_verify: true,
        from: "kapacitor@example.com".into(),
        to: vec!["oncall@example.com".into()],
        ..SmtpConfig::default()
    };
    let verified = SmtpConfig {
        no_verify: false,
        ..smtp.clone()
    };
    email_handler(smtp, json!({}))
        .handle(&event("cpu", 1.0))
        .expect("sent over STARTTLS");
    let mail = server.next();
    assert_eq!(
        (mail["login"].clone(), mail["rcpt_tos"].clone()),
        (json!("kap"), json!(["oncall@example.com"]))
    );
    let refused = email_handler(verified, json!({}))
        .handle(&event("cpu", 1.0))
        .expect_err("the self-signed certificate is not trusted");
    assert!(
        refused.to_string().starts_with("smtp: cannot send mail:"),
        "{refused}"
    );
}

#[test]
fn a_server_that_is_down_is_an_error() {
    let smtp = SmtpConfig {
        enabled: true,
        host: "127.0.0.1".into(),
        port: tickflow_testkit::sink::closed_address()
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .expect("a port"),
        from: "kapacitor@example.com".into(),
        ..SmtpConfig::default()
    };
    let error = email_handler(smtp, json!({"to": ["a@example.com"]}))
        .handle(&event("cpu", 1.0))
        .expect_err("nobody listens");
    assert!(
        error.to_string().starts_with("smtp: cannot send mail:"),
        "{error}"
    );
}
