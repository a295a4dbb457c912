//! Shutting down while writes are in flight: every write answered 204 reaches the task,
//! and nothing else does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tickflow::HttpConfig;

use crate::{cpu_lines, received, send, TestServer};

#[test]
fn shutdown_drains_the_writes_in_flight() {
    let server = TestServer::start(HttpConfig::default());
    server.counting_task("t", "db");
    let started = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (address, started) = (server.address, Arc::clone(&started));
            std::thread::spawn(move || {
                let mut accepted = 0u64;
                for b in 0..200 {
                    let body = cpu_lines((w * 200 + b) * 1000, 1000);
                    match send(
                        address,
                        "POST",
                        "/write?db=db&rp=autogen",
                        &[],
                        body.as_bytes(),
                    ) {
                        Ok(reply) if reply.status == 204 => accepted += 1000,
                        Ok(reply) => panic!("unexpected {}: {}", reply.status, reply.text()),
                        // Refused or cut off once the server stops: not written.
                        Err(_) => break,
                    }
                    started.store(true, Ordering::Relaxed);
                }
                accepted
            })
        })
        .collect();
    for _ in 0..500 {
        if started.load(Ordering::Relaxed) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    let stopped = server.stop();
    let accepted: u64 = writers.into_iter().map(|t| t.join().expect("writer")).sum();
    assert!(accepted > 0 && accepted < 4 * 200 * 1000, "{accepted}");
    assert_eq!(received(&stopped, "t", "stream0"), accepted);
}
