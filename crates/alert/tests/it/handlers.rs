//! The post, tcp and exec handlers against local sinks: exact payloads and headers,
//! status codes, unreachable targets and failing programs.

use tickflow_alert::{
    ExecHandler, Handler, HandlerError, HttpPostEndpoint, PostError, PostHandler, TcpHandler,
};

use crate::{event, temp_dir};
use tickflow_testkit::sink::{closed_address, Sink};

#[test]
fn post_sends_the_document_and_a_newline_as_json() {
    let sink = Sink::http(1, vec![200], "", || {});
    let handler = PostHandler::new(&format!("{}/alerts?x=1", sink.url))
        .expect("valid url")
        .with_headers([("my".to_string(), "header".to_string())]);
    let e = event("cpu:nil", 95.5);
    handler.handle(&e).expect("delivered");
    let requests = sink.finish();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.request_line, "POST /alerts?x=1 HTTP/1.1");
    assert_eq!(request.body, e.to_json().expect("finite") + "\n");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("my"), Some("header"));
    assert_eq!(
        request.header("content-length"),
        Some(request.body.len().to_string().as_str())
    );
}

#[test]
fn post_to_an_endpoint_carries_its_headers() {
    let sink = Sink::http(1, vec![204], "", || {});
    let endpoint = HttpPostEndpoint {
        name: "test".into(),
        url: sink.url.clone(),
        headers: vec![("Authorization".into(), "works".into())],
        row_template: None,
        alert_template: None,
    };
    let handler = PostHandler::for_endpoint(&endpoint)
        .expect("valid url")
        .with_headers([("authorization".to_string(), "replaced".to_string())]);
    handler.handle(&event("a", 1.0)).expect("2xx is success");
    let request = &sink.finish()[0];
    assert_eq!(request.request_line, "POST / HTTP/1.1");
    assert_eq!(request.header("Authorization"), Some("replaced"));
}

#[test]
fn post_reports_a_non_2xx_status_with_the_captured_response() {
    let sink = Sink::http(2, vec![500, 404], "boom", || {});
    let plain = PostHandler::new(&sink.url).expect("valid url");
    let captured = plain.clone().with_capture_response(true);
    let first = plain.handle(&event("a", 1.0)).expect_err("500 fails");
    let second = captured.handle(&event("a", 1.0)).expect_err("404 fails");
    sink.finish();
    assert!(matches!(
        first,
        HandlerError::Post(PostError::Status { status: 500, .. })
    ));
    assert_eq!(
        first.to_string(),
        format!("post to {:?} failed: status code 500", sink_url(&second))
    );
    assert_eq!(
        second.to_string(),
        format!(
            "post to {:?} failed: status code 404, response \"boom\"",
            sink_url(&second)
        )
    );
}

/// The URL a post error names.
fn sink_url(err: &HandlerError) -> String {
    match err {
        HandlerError::Post(PostError::Status { url, .. } | PostError::Request { url, .. }) => {
            url.clone()
        }
        other => panic!("not a post error: {other}"),
    }
}

#[test]
fn post_to_a_closed_port_names_the_target() {
    let url = format!("http://{}/x", closed_address());
    let err = PostHandler::new(&url)
        .expect("valid url")
        .handle(&event("a", 1.0))
        .expect_err("refused");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("post to {url:?} failed: cannot connect to ")),
        "{message}"
    );
}

#[test]
fn post_refuses_other_schemes_when_built() {
    let err = PostHandler::new("ftp://example.com/").expect_err("not http");
    assert_eq!(
        err.to_string(),
        "unsupported url \"ftp://example.com/\": expected http:// or https://"
    );
}

#[test]
fn tcp_sends_the_document_and_two_newlines() {
    let sink = Sink::tcp(2);
    let handler = TcpHandler::new(sink.address.clone());
    let events = [event("a", 1.0), event("b", 2.0)];
    for e in &events {
        handler.handle(e).expect("sent");
    }
    let bodies: Vec<String> = sink.finish().into_iter().map(|r| r.body).collect();
    let expected: Vec<String> = events
        .iter()
        .map(|e| e.to_json().expect("finite") + "\n\n")
        .collect();
    assert_eq!(bodies, expected);
}

#[test]
fn tcp_to_a_closed_port_names_the_address() {
    let address = closed_address();
    let err = TcpHandler::new(address.clone())
        .handle(&event("a", 1.0))
        .expect_err("refused");
    assert!(
        err.to_string()
            .starts_with(&format!("tcp to {address:?} failed: ")),
        "{err}"
    );
}

#[test]
fn exec_gives_the_program_the_document_on_stdin() {
    let out = temp_dir("exec").join("got.json");
    let handler = ExecHandler::new(
        "sh",
        vec![
            "-c".into(),
            "cat > \"$0\"".into(),
            out.display().to_string(),
        ],
    );
    let e = event("a", 1.5);
    handler.handle(&e).expect("ran");
    assert_eq!(
        std::fs::read_to_string(&out).expect("written by the script"),
        e.to_json().expect("finite") + "\n"
    );
}

#[test]
fn exec_reports_a_failing_program_with_its_output() {
    let handler = ExecHandler::new("sh", vec!["-c".into(), "echo nope >&2; exit 3".into()]);
    let err = handler.handle(&event("a", 1.0)).expect_err("exit 3");
    assert_eq!(
        err.to_string(),
        "exec \"sh\" failed: exit status: 3, output \"nope\\n\""
    );
    let missing = ExecHandler::new("/nonexistent/tickflow-handler", Vec::new());
    let err = missing
        .handle(&event("a", 1.0))
        .expect_err("no such program");
    assert!(
        err.to_string()
            .starts_with("exec \"/nonexistent/tickflow-handler\" failed: "),
        "{err}"
    );
}

#[test]
fn an_endpoint_alert_template_is_the_body_without_a_content_type() {
    let sink = Sink::http(1, vec![200], "", || {});
    let endpoint = HttpPostEndpoint {
        name: "test".into(),
        url: sink.url.clone(),
        // The alert-template of Kapacitor's post handler documentation.
        alert_template: Some(
            "{{.Message}}:{{range .Data.Series}}{{.Tags}},{{range .Values}}{{.}}{{end}}{{end}}"
                .into(),
        ),
        ..HttpPostEndpoint::default()
    };
    let handler = PostHandler::for_endpoint(&endpoint).expect("valid endpoint");
    handler.handle(&event("a", 1.5)).expect("2xx is success");
    let request = &sink.finish()[0];
    assert_eq!(request.header("content-type"), None);
    assert_eq!(
        request.body,
        "a is CRITICAL:map[],[1970-01-01 00:00:00 +0000 UTC 1.5]"
    );
}

#[test]
fn a_bad_alert_template_is_a_setup_error_naming_it() {
    let endpoint = HttpPostEndpoint {
        name: "test".into(),
        url: "http://127.0.0.1:1/".into(),
        alert_template: Some("{{ .Nope".into()),
        ..HttpPostEndpoint::default()
    };
    let err = PostHandler::for_endpoint(&endpoint).expect_err("does not parse");
    assert_eq!(
        err.to_string(),
        "[[httppost]] alert-template template \"{{ .Nope\": 1:1: unclosed action"
    );
}
