//! `GET /kapacitor/v1/config…` as Kapacitor's client reads it: every section, one
//! section, one element, secrets shown only as whether they are set.

use serde_json::json;
use tickflow::{Config, HttpConfig};

use crate::TestServer;

#[test]
fn sections_and_elements_hide_their_secrets() {
    let loaded = Config::parse(
        "[[influxdb]]\nname = \"remote\"\nurls = [\"http://influxdb.example.com:8086\"]\n\
         username = \"jim\"\npassword = \"hunter2\"\n\
         [telegram]\nenabled = true\ntoken = \"secret-token\"\nchat-id = \"42\"\n",
        [],
    )
    .expect("valid configuration");
    let server = TestServer::start_with(HttpConfig::default(), loaded.config);
    let all = server.send("GET", "/kapacitor/v1/config", &[], b"");
    assert_eq!(all.status, 200, "{}", all.text());
    assert!(!all.text().contains("hunter2") && !all.text().contains("secret-token"));
    let all = all.json();
    assert_eq!(
        all["link"],
        json!({"rel": "self", "href": "/kapacitor/v1/config"})
    );
    let influxdb = &all["sections"]["influxdb"];
    assert_eq!(influxdb["link"]["href"], "/kapacitor/v1/config/influxdb");
    let remote = &influxdb["elements"][0];
    assert_eq!(
        remote["link"]["href"],
        "/kapacitor/v1/config/influxdb/remote"
    );
    assert_eq!(
        (
            remote["options"]["username"].clone(),
            remote["options"]["password"].clone()
        ),
        (json!("jim"), json!(true))
    );
    assert!(remote["redacted"]
        .as_array()
        .expect("list")
        .contains(&json!("password")));
    assert_eq!(all["sections"]["slack"]["elements"], json!([]));

    let section = server
        .send("GET", "/kapacitor/v1/config/telegram", &[], b"")
        .json();
    assert_eq!(
        section["elements"][0]["link"]["href"],
        "/kapacitor/v1/config/telegram/"
    );
    assert_eq!(section["elements"][0]["options"]["token"], true);
    assert_eq!(section["elements"][0]["options"]["chat-id"], "42");
    let element = server
        .send("GET", "/kapacitor/v1/config/telegram/", &[], b"")
        .json();
    assert_eq!(element["options"], section["elements"][0]["options"]);
    let one = server
        .send("GET", "/kapacitor/v1/config/influxdb/remote", &[], b"")
        .json();
    assert_eq!(
        one["options"]["urls"],
        json!(["http://influxdb.example.com:8086"])
    );

    for (path, error) in [
        ("/kapacitor/v1/config/nope", "unknown section \"nope\""),
        (
            "/kapacitor/v1/config/influxdb/other",
            "unknown element \"other\" in section \"influxdb\"",
        ),
    ] {
        let reply = server.send("GET", path, &[], b"");
        assert_eq!(
            (reply.status, reply.json()["error"].clone()),
            (404, json!(error))
        );
    }
}
