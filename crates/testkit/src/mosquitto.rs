//! [`Mosquitto`]: a real MQTT broker (Debian's `mosquitto`) on a free loopback port, for
//! tests of the MQTT alert handler. It is stopped when dropped.
//!
//! When the binary cannot be found, [`Mosquitto::start`] returns `None` after printing a
//! notice, so a local run without it skips; with `CI=true` it panics instead, so CI never
//! skips silently (`.ci/run` installs it).

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running broker.
pub struct Mosquitto {
    /// `127.0.0.1:<port>`.
    pub address: String,
    /// The port it listens on.
    pub port: u16,
    child: Child,
}

/// Where the `mosquitto` binary is: on `PATH`, or in `/usr/sbin` where Debian puts it.
fn binary() -> Option<PathBuf> {
    let sbin = [PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")];
    crate::find_binary("mosquitto", sbin)
}

impl Mosquitto {
    /// Starts a broker on a free port, or `None` (with a printed notice) when
    /// `mosquitto` is not installed and `CI` is not `true`.
    pub fn start() -> Option<Mosquitto> {
        Self::start_on(crate::free_port())
    }

    /// Starts a broker on `port` (to restart one where clients expect it).
    pub fn start_on(port: u16) -> Option<Mosquitto> {
        let Some(binary) = binary() else {
            let notice = "mosquitto not found (apt-get install -y mosquitto); the MQTT test needs a real broker";
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{notice}");
            eprintln!("skipping: {notice}");
            return None;
        };
        let child = Command::new(&binary)
            .args(["-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let address = format!("127.0.0.1:{port}");
        let broker = Mosquitto {
            address,
            port,
            child,
        };
        broker.wait_until_listening();
        Some(broker)
    }

    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(&self.address).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen on {} within 10s",
                self.address
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the broker and waits for it to exit.
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
    }
}
