//! Concurrent writers, with malformed bodies among the good ones: every accepted point
//! arrives exactly once.

use tickflow::HttpConfig;

use crate::{cpu_lines, received, send, TestServer};

#[test]
fn concurrent_writers_lose_and_duplicate_nothing() {
    let server = TestServer::start(HttpConfig {
        write_concurrency: 2,
        ..HttpConfig::default()
    });
    server.counting_task("t", "db");
    let (writers, batches, lines) = (4, 20, 500);
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let address = server.address;
            std::thread::spawn(move || {
                let mut written = 0;
                for b in 0..batches {
                    let first = (w * batches + b) * lines;
                    let mut body = cpu_lines(first, lines);
                    // Every third batch carries a malformed line in the middle.
                    let bad = b % 3 == 0;
                    if bad {
                        let middle = body[..body.len() / 2].rfind('\n').map_or(0, |i| i + 1);
                        body.insert_str(middle, "cpu value=oops\n");
                    }
                    let reply = send(
                        address,
                        "POST",
                        "/write?db=db&rp=autogen",
                        &[],
                        body.as_bytes(),
                    )
                    .expect("answered");
                    assert_eq!(
                        reply.status,
                        if bad { 400 } else { 204 },
                        "{}",
                        reply.text()
                    );
                    written += lines;
                }
                written
            })
        })
        .collect();
    let written: usize = threads.into_iter().map(|t| t.join().expect("writer")).sum();
    assert_eq!(written, writers * batches * lines);
    let stopped = server.stop();
    assert_eq!(received(&stopped, "t", "stream0"), written as u64);
    assert_eq!(received(&stopped, "t", "where2"), written as u64);
}
