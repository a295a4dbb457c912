//! The server's subscriptions on a real InfluxDB ([`Influxd`]): created on the selected
//! databases, fed by InfluxDB with what is written to it, and dropped when the server
//! stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tickflow_engine::diagnostics::Collect;
use tickflow_engine::Subscriptions;
use tickflow_testkit::sink::Sink;

use tickflow_testkit::influxd::Influxd;

use crate::cluster;

#[test]
fn the_subscription_is_created_fed_and_dropped_when_the_server_stops() {
    let Some(server) = Influxd::start("subscriptions") else {
        return;
    };
    server.seed("printer", "");
    let sink = Sink::http(1, vec![204], "", || {});
    let port: u16 = sink
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let mut clusters = cluster(&server);
    clusters[0].kapacitor_hostname = "127.0.0.1".into();
    clusters[0]
        .excluded_subscriptions
        .insert("other".into(), vec!["autogen".into()]);
    server.seed("other", "");
    let diagnostics = Arc::new(Collect::default());
    let subscriptions = Subscriptions::start(&clusters, port, diagnostics.clone());
    let name = format!("tickflow-127.0.0.1-{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.subscriptions("printer") != [name.clone()] {
        assert!(
            Instant::now() < deadline,
            "no subscription: {:?}",
            diagnostics.errors()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(server.subscriptions("other").is_empty(), "excluded");
    server.seed("printer", "temperature,printer=p1 celsius=212 1700000000\n");
    let request = &sink.finish()[0];
    assert!(
        request.request_line.starts_with("POST /write?"),
        "{}",
        request.request_line
    );
    assert!(
        request.request_line.contains("db=printer"),
        "{}",
        request.request_line
    );
    assert!(
        request.body.contains("temperature,printer=p1 celsius=212"),
        "{}",
        request.body
    );
    subscriptions.close();
    assert!(
        server.subscriptions("printer").is_empty(),
        "dropped at close"
    );
    assert!(
        diagnostics.errors().is_empty(),
        "{:?}",
        diagnostics.errors()
    );
}
