//! What one alert costs on its way out: encoding the document, handing it to a handler's
//! queue (what the alert node's thread pays), and a full `.post()` to a local HTTP server
//! (a fresh loopback connection per event, as Kapacitor does), and publishing to a topic
//! without handlers (the state update every published event pays), and what the alert
//! node pays per event when its handler's receiver takes 50 ms to answer (the queue
//! hand-off only: the slow receiver does not slow the node). Reported in events/s.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow_alert::{
    AlertData, Dispatcher, Handler, HandlerError, Level, PostHandler, Row, TopicHub,
};
use tickflow_model::{Duration, Fields, Point, Tags, Time};

/// A stream alert like the printer script's: a few tags and fields.
fn event() -> AlertData {
    let mut point = Point::new("temperature", Time::from_nanos(1_704_067_210_123_456_789));
    point.tags = Tags::from_pairs([("printer", "p1"), ("sensor", "nozzle"), ("site", "lab")]);
    point.fields = Fields::from_pairs([("t", 3.25), ("pvalue", 0.0012), ("mean", 215.5)]);
    AlertData {
        id: "temperature:printer=p1".into(),
        message: "temperature:printer=p1 is CRITICAL".into(),
        details: String::new(),
        time: point.time,
        duration: Duration::from_nanos(30_000_000_000),
        level: Level::Critical,
        data: vec![Row::from_point(&point)],
        previous_level: Level::Warning,
        recoverable: true,
    }
}

struct Discard;

impl Handler for Discard {
    fn handle(&self, _event: &AlertData) -> Result<(), HandlerError> {
        Ok(())
    }

    fn describe(&self) -> String {
        "discard".into()
    }
}

/// An HTTP server on loopback answering every request with 200 after `delay`, for the
/// life of the bench.
fn serve(delay: std::time::Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}/alerts", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            std::thread::sleep(delay);
            let _ = (&stream).write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
    });
    url
}

fn bench(c: &mut Criterion) {
    let e = event();
    let mut group = c.benchmark_group("alert");
    group.throughput(Throughput::Elements(1));
    group.bench_function("to_json", |b| b.iter(|| e.to_json()));

    const BURST: u64 = 1000;
    group.throughput(Throughput::Elements(BURST));
    group.bench_function("dispatch_1000_and_drain", |b| {
        b.iter(|| {
            let mut dispatcher =
                Dispatcher::new(vec![Box::new(Discard)], BURST as usize).expect("thread");
            for _ in 0..BURST {
                dispatcher.send(e.clone());
            }
            dispatcher.close()
        })
    });

    group.throughput(Throughput::Elements(1));
    let hub = TopicHub::default();
    let ids: Vec<AlertData> = (0..100)
        .map(|i| AlertData {
            id: format!("temperature:printer=p{i}"),
            ..e.clone()
        })
        .collect();
    let mut next = ids.iter().cycle();
    group.bench_function("topic_publish", |b| {
        b.iter(|| {
            let mut event = next.next().cloned().unwrap_or_else(|| e.clone());
            hub.publish("printers", &mut event)
        })
    });

    let post = PostHandler::new(&serve(std::time::Duration::ZERO)).expect("valid url");
    group.bench_function("post_loopback", |b| b.iter(|| post.handle(&e)));

    // The receiver answers after 50 ms, so the handler delivers about 20 events/s; the
    // node's side is the queue hand-off, and once the queue is full, a counted drop. A
    // queue of 100 (not the default 5000) keeps the final drain to five seconds.
    let slow = PostHandler::new(&serve(std::time::Duration::from_millis(50))).expect("url");
    let dispatcher = Dispatcher::new(vec![Box::new(slow)], 100).expect("thread");
    group.throughput(Throughput::Elements(BURST));
    group.bench_function("send_1000_to_a_50ms_receiver", |b| {
        b.iter(|| {
            for _ in 0..BURST {
                dispatcher.send(e.clone());
            }
            dispatcher.take_errors()
        })
    });
    let delivery = dispatcher.delivery();
    eprintln!(
        "50 ms receiver: {} sent, {} failed, {} dropped",
        delivery.sent, delivery.failed, delivery.dropped
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
