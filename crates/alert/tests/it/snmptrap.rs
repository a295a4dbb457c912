//! The SNMP trap handler against Debian's `snmptrapd`, started by the test on a loopback
//! port with numeric OIDs and logging to stdout: a v2c trap with the configured
//! community arrives with `sysUpTime.0`, `snmpTrapOID.0` and each data binding of its
//! type; a trap of another community is not logged.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;
use tickflow_alert::services::{ServiceConfigs, SnmpTrapConfig};
use tickflow_alert::topic::HandlerSpec;
use tickflow_alert::{Handler, Services};

use crate::{event, temp_dir};

/// snmptrapd on a loopback UDP port accepting community `kapacitor`, killed when
/// dropped; its log lines arrive on a channel.
struct Snmptrapd {
    addr: String,
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Snmptrapd {
    fn start() -> Snmptrapd {
        let dir = temp_dir("snmptrapd");
        let conf = dir.join("snmptrapd.conf");
        std::fs::write(&conf, "authCommunity log kapacitor\n").expect("write conf");
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .and_then(|s| s.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new("/usr/sbin/snmptrapd")
            .args(["-f", "-Lo", "-On", "-C", "-c"])
            .arg(&conf)
            .arg(format!("udp:127.0.0.1:{port}"))
            .env("SNMP_PERSISTENT_DIR", &dir)
            .env("MIBS", "")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("snmptrapd runs (installed by .ci/run)");
        let lines = spawn_reader(child.stdout.take().expect("stdout"));
        // It may first say which directories it created; it is listening once it names
        // its version.
        while !lines
            .recv_timeout(Duration::from_secs(10))
            .expect("snmptrapd starts")
            .contains("NET-SNMP version")
        {}
        Snmptrapd {
            addr: format!("127.0.0.1:{port}"),
            child,
            lines,
        }
    }

    /// The variable bindings of the next trap logged, without `sysUpTime.0`.
    fn next_trap(&self, within: Duration) -> Option<Vec<String>> {
        let header = self.lines.recv_timeout(within).ok()?;
        assert!(header.contains("[UDP: [127.0.0.1]"), "{header}");
        let bindings = self.lines.recv_timeout(within).ok()?;
        let mut bindings: Vec<String> = bindings.split('\t').map(str::to_owned).collect();
        let uptime = bindings.remove(0);
        assert!(
            uptime.starts_with(".1.3.6.1.2.1.1.3.0 = Timeticks: "),
            "{uptime}"
        );
        Some(bindings)
    }
}

fn spawn_reader(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

impl Drop for Snmptrapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trap_handler(addr: &str, community: &str) -> Box<dyn Handler> {
    let spec = HandlerSpec {
        id: "trap".into(),
        kind: "snmptrap".into(),
        options: json!({
            "trap-oid": "1.3.6.1.4.1.1",
            "data-list": [
                {"oid": "1.3.6.1.4.1.1.5", "type": "s", "value": "{{ .Level }}"},
                {"oid": "1.3.6.1.4.1.1.6", "type": "i", "value": 50},
                {"oid": "1.3.6.1.4.1.1.7", "type": "c", "value": "12"},
                {"oid": "1.3.6.1.4.1.1.8", "type": "t", "value": "100"},
                {"oid": "1.3.6.1.4.1.1.9", "type": "n", "value": ""},
                {"oid": "1.3.6.1.4.1.1.10", "type": "s", "value": "{{ .Message }}"},
            ],
        })
        .as_object()
        .cloned()
        .expect("an object"),
        match_expr: String::new(),
    };
    let services = Services {
        external: ServiceConfigs {
            snmptrap: SnmpTrapConfig {
                enabled: true,
                addr: addr.into(),
                community: community.into(),
                retries: 1,
            },
            ..ServiceConfigs::default()
        },
        ..Services::default()
    };
    spec.build(&services).expect("the handler builds")
}

#[test]
fn a_v2c_trap_reaches_snmptrapd_with_its_typed_bindings() {
    let trapd = Snmptrapd::start();
    trap_handler(&trapd.addr, "kapacitor")
        .handle(&event("cpu", 1.0))
        .expect("sent");
    assert_eq!(
        trapd.next_trap(Duration::from_secs(10)),
        Some(vec![
            ".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.1".to_string(),
            ".1.3.6.1.4.1.1.5 = STRING: \"CRITICAL\"".to_string(),
            ".1.3.6.1.4.1.1.6 = INTEGER: 50".to_string(),
            ".1.3.6.1.4.1.1.7 = Counter32: 12".to_string(),
            ".1.3.6.1.4.1.1.8 = Timeticks: (100) 0:00:01.00".to_string(),
            ".1.3.6.1.4.1.1.9 = NULL".to_string(),
            ".1.3.6.1.4.1.1.10 = STRING: \"cpu is CRITICAL\"".to_string(),
        ])
    );
    trap_handler(&trapd.addr, "other")
        .handle(&event("cpu", 1.0))
        .expect("sent: a trap has no answer");
    assert_eq!(
        trapd.next_trap(Duration::from_millis(500)),
        None,
        "a trap of another community is not logged"
    );
}

#[test]
fn a_value_that_is_not_of_its_type_is_an_error() {
    let handler = trap_handler("127.0.0.1:9", "kapacitor");
    let mut event = event("cpu", 1.0);
    event.level = tickflow_alert::Level::Warning;
    handler.handle(&event).expect("a valid trap");
    let spec = HandlerSpec {
        id: "trap".into(),
        kind: "snmptrap".into(),
        options: json!({
            "trap-oid": "1.3.6.1.4.1.1",
            "data-list": [{"oid": "1.3.6.1.4.1.1.6", "type": "i", "value": "{{ .Message }}"}],
        })
        .as_object()
        .cloned()
        .expect("an object"),
        match_expr: String::new(),
    };
    let services = Services {
        external: ServiceConfigs {
            snmptrap: SnmpTrapConfig {
                enabled: true,
                ..SnmpTrapConfig::default()
            },
            ..ServiceConfigs::default()
        },
        ..Services::default()
    };
    let error = spec
        .build(&services)
        .expect("builds")
        .handle(&event)
        .expect_err("not an integer");
    assert_eq!(
        error.to_string(),
        "snmptrap: invalid value \"cpu is CRITICAL\" for type Integer"
    );
}
