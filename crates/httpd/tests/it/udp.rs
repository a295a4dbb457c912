//! `[[udp]]`: datagrams of line protocol reach the tasks reading the listener's
//! database and retention policy, with its precision, as a `/write` would.

use serde_json::json;
use tickflow::config::UdpSection;
use tickflow::{Config, HttpConfig};

use crate::TestServer;

#[test]
fn datagrams_are_written_to_the_listeners_database() {
    let config = Config {
        udp: vec![UdpSection {
            enabled: true,
            bind_address: "127.0.0.1:0".into(),
            database: "telegraf".into(),
            retention_policy: "autogen".into(),
            precision: "s".into(),
            read_buffer: 1 << 20,
        }],
        ..Config::default()
    };
    let server = TestServer::start_with(HttpConfig::default(), config);
    let script = "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')|httpOut('out')";
    let task = json!({"id": "t", "script": script, "status": "enabled"});
    let reply = server.send(
        "POST",
        "/kapacitor/v1/tasks",
        &[],
        task.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());

    let client = std::net::UdpSocket::bind("127.0.0.1:0").expect("client socket");
    client
        .send_to(
            b"cpu,host=a value=1 10\ncpu,host=a value=2 20\n",
            server.udp[0],
        )
        .expect("sent");
    let expected = "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"columns\":[\"time\",\"value\"],\
                    \"values\":[[\"1970-01-01T00:00:20Z\",2]]}]}";
    let mut served = String::new();
    for _ in 0..100 {
        served = server
            .send("GET", "/kapacitor/v1/tasks/t/out", &[], b"")
            .text();
        if served == expected {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(served, expected);
}
