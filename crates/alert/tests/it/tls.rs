//! The post handler over TLS against [`Receiver`]: the document arrives, connections are
//! reused, and each failure (wrong CA, 500, slow receiver, receiver down) is an error
//! naming the target.

use std::time::Duration;

use tickflow_alert::http::{Client, TlsSettings};
use tickflow_alert::{Handler, PostHandler};
use tickflow_testkit::sink::closed_address;

use crate::https::Receiver;
use crate::{event, temp_dir};

fn trusting(receiver: &Receiver) -> Client {
    Client::new(&TlsSettings {
        ssl_ca: receiver.ca.display().to_string(),
        ..TlsSettings::default()
    })
    .expect("ca loads")
}

#[test]
fn post_sends_the_document_over_tls() {
    let receiver = Receiver::start(&temp_dir("tls-ok"), 200, Duration::ZERO);
    let url = format!("{}/alerts?x=1", receiver.url);
    let handler = PostHandler::new(&url)
        .expect("https is supported")
        .with_client(trusting(&receiver))
        .with_headers([("X-Team".to_string(), "ops".to_string())]);
    for id in ["a", "b"] {
        handler.handle(&event(id, 1.0)).expect("delivered");
        let request = receiver.next();
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("POST", "/alerts?x=1")
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.header("x-team"), Some("ops"));
        assert_eq!(
            request.body,
            event(id, 1.0).to_json().expect("encodes") + "\n"
        );
    }
    assert_eq!(receiver.connections(), 1, "the connection is kept alive");
}

#[test]
fn insecure_skip_verify_accepts_any_certificate() {
    let receiver = Receiver::start(&temp_dir("tls-insecure"), 200, Duration::ZERO);
    let client = Client::new(&TlsSettings {
        insecure_skip_verify: true,
        ..TlsSettings::default()
    })
    .expect("no files");
    let handler = PostHandler::new(&receiver.url)
        .expect("url")
        .with_client(client);
    handler.handle(&event("a", 1.0)).expect("delivered");
    assert_eq!(receiver.next().method, "POST");
}

#[test]
fn a_server_signed_by_an_unknown_ca_is_refused() {
    let receiver = Receiver::start(&temp_dir("tls-wrong-ca"), 200, Duration::ZERO);
    let message = PostHandler::new(&receiver.url)
        .expect("url")
        .handle(&event("a", 1.0))
        .expect_err("the shared client trusts the Mozilla roots only")
        .to_string();
    assert!(
        message.starts_with(&format!("post to {:?} failed: ", receiver.url))
            && message.contains("UnknownIssuer"),
        "{message}"
    );
}

#[test]
fn a_500_is_an_error_with_the_status() {
    let receiver = Receiver::start(&temp_dir("tls-500"), 500, Duration::ZERO);
    let handler = PostHandler::new(&receiver.url)
        .expect("url")
        .with_client(trusting(&receiver))
        .with_capture_response(true);
    let message = handler
        .handle(&event("a", 1.0))
        .expect_err("500")
        .to_string();
    assert_eq!(
        message,
        format!(
            "post to {:?} failed: status code 500, response \"ok\"",
            receiver.url
        )
    );
}

#[test]
fn a_slow_receiver_times_out() {
    let receiver = Receiver::start(&temp_dir("tls-slow"), 200, Duration::from_secs(3));
    let handler = PostHandler::new(&receiver.url)
        .expect("url")
        .with_client(trusting(&receiver))
        .with_timeout(Duration::from_millis(200));
    let message = handler
        .handle(&event("a", 1.0))
        .expect_err("slow")
        .to_string();
    assert_eq!(
        message,
        format!(
            "post to {:?} failed: no response within 200ms",
            receiver.url
        )
    );
}

#[test]
fn a_receiver_that_is_down_cannot_be_connected_to() {
    let url = format!("https://{}/", closed_address());
    let message = PostHandler::new(&url)
        .expect("url")
        .handle(&event("a", 1.0))
        .expect_err("down")
        .to_string();
    assert!(
        message.starts_with(&format!("post to {url:?} failed: cannot connect to ")),
        "{message}"
    );
}

#[test]
fn a_missing_ca_file_is_named() {
    let err = Client::new(&TlsSettings {
        ssl_ca: "/nonexistent/ca.pem".into(),
        ..TlsSettings::default()
    })
    .expect_err("missing");
    assert!(
        err.to_string()
            .starts_with("cannot read ssl-ca \"/nonexistent/ca.pem\": "),
        "{err}"
    );
}

#[test]
fn skip_ssl_verification_of_a_post_handler_accepts_an_unknown_ca() {
    let receiver = Receiver::start(&temp_dir("tls-skip"), 200, Duration::ZERO);
    let spec = tickflow_alert::topic::HandlerSpec {
        id: "p".into(),
        kind: "post".into(),
        options: serde_json::json!({"url": receiver.url, "skip-ssl-verification": true})
            .as_object()
            .cloned()
            .expect("an object"),
        match_expr: String::new(),
    };
    let handler = spec
        .build(&tickflow_alert::Services::default())
        .expect("builds");
    handler.handle(&event("a", 1.0)).expect("delivered");
    assert_eq!(receiver.next().method, "POST");
}
