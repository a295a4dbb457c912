//! A task that fails while `tickflow run` serves: a UDF agent that crashes on every
//! window. The task shows it at once over the tasks API (not executing, the cause with
//! the agent's last stderr line, failures and restarts counted, points routed to it
//! while it is down counted as dropped), the log says it at error level, the task is
//! restarted with backoff until its restarts are used up, and the run then stops by
//! itself and exits 1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use serde_json::Value;

use crate::replay::write;
use crate::server::{poll, post, request, Running};
use crate::{root, scratch_dir};

/// `tickscripts/udf/ttest.py`, whose handler dies on the first window it gets.
const CRASHING_AGENT: &str = "\
import os
import runpy
import sys

ttest = runpy.run_path(sys.argv[1])
def crash(self, begin_req):
    sys.stderr.write('crashing: out of luck\\n')
    sys.stderr.flush()
    os._exit(3)
ttest['TTestHandler'].begin_batch = crash
ttest['main']()
";

/// Two minutes of one hotend value per second, from `start` seconds.
fn two_minutes(start: u64) -> String {
    (start..start + 120)
        .map(|t| format!("temperatures hotend=220.5 {t}000000000\n"))
        .collect()
}

/// The task as the tasks API shows it.
fn task(running: &Running, id: &str) -> Value {
    let (status, body) = request(
        running.address,
        "GET",
        &format!("/kapacitor/v1/tasks/{id}"),
        b"",
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("task JSON")
}

#[test]
fn a_task_whose_agent_always_crashes_shows_it_restarts_and_fails_the_run() {
    let dir = scratch_dir("task-failure-crashing-agent");
    let agent = write(&dir, "crashing.py", CRASHING_AGENT);
    let ttest = root().join("tickscripts/udf/ttest.py");
    let ttest = ttest.to_str().expect("utf-8");
    let config = write(
        &dir,
        "crash.conf",
        &format!(
            "[udf.functions.tTest]\nprog = \"python3\"\n\
             args = [\"-u\", {agent:?}, {ttest:?}]\ntimeout = \"10s\"\n\
             [task]\nrestart-backoff = \"1s\"\nrestart-max-backoff = \"1s\"\n\
             max-restarts = 2\n"
        ),
    );
    let script = write(
        &dir,
        "crashing.tick",
        "dbrp \"printer\".\"autogen\"\nstream|from().measurement('temperatures')\n\
         |window().period(1m).every(1m)\n@tTest().field('hotend').size(600).alpha(0.001)\n\
         |log()\n",
    );
    let mut running = Running::start(&["run", &script, "--config", &config]);
    let write_path = "/write?db=printer&rp=autogen";
    let mut start = 0;
    let mut feed = |running: &Running| {
        let body = two_minutes(start);
        start += 120;
        post(running.address, write_path, body.as_bytes()).0
    };
    // Each run of the task crashes on its first window: feed each run until the last
    // one has started, and look at the task while it waits for its first restart.
    let mut seen_down = false;
    poll("the last restart", || {
        let seen = task(&running, "crashing");
        if seen["restarts"] == 2 && seen["executing"] == true {
            return true;
        }
        if seen["executing"] == true {
            assert_eq!(feed(&running), 204);
        } else if seen["failures"] == 1 && !seen_down {
            assert_down(&running, &seen, feed(&running));
            seen_down = true;
        }
        false
    });
    assert!(seen_down, "the task was seen down between its runs");
    let failed = running.wait_for("E! task crashing failed: node tTest3: ");
    assert_eq!(
        failed,
        "E! task crashing failed: node tTest3: UDF tTest: process exited unexpectedly: \
         exit status 3"
    );
    // The last run crashes too (its agent is restarted twice within the run, so it takes
    // three windows): the task has failed for good and the run stops by itself.
    let mut next = start;
    poll("the run to stop by itself", || {
        if running.has_exited() {
            return true;
        }
        send_while_listening(running.address, write_path, &two_minutes(next));
        next += 120;
        false
    });
    running.wait_for("E! task crashing failed: failed for good after 2 restarts");
    let (status, stderr) = running.exit();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("tickflow: task crashing failed for good, its restarts used up: stopping"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tickflow: task crashing failed: node tTest3: UDF tTest: "),
        "{stderr}"
    );
}

/// Sends a write of `body` to `path`, if the server still listens (it stops by itself
/// during these writes, so a refused connection or a cut reply is expected).
fn send_while_listening(address: SocketAddr, path: &str, body: &str) {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return;
    };
    let _ = write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.read_to_end(&mut Vec::new());
}

/// Checks task `seen`, down after its first failure and awaiting its restart: not
/// executing, the cause with the agent's stderr, and the points of a write made while it
/// was down (`status` its reply) counted as dropped.
fn assert_down(running: &Running, seen: &Value, status: u16) {
    assert_eq!(seen["executing"], false);
    assert_eq!(seen["status"], "enabled");
    assert_eq!(
        (&seen["failures"], &seen["restarts"]),
        (&1.into(), &0.into())
    );
    let error = seen["error"].as_str().expect("a string");
    assert_eq!(
        error,
        "node tTest3: UDF tTest: process exited unexpectedly: exit status 3\n  \
         stderr: Starting agent for TTestHandler\n  stderr: crashing: out of luck"
    );
    assert_eq!(status, 204);
    let dropped = task(running, "crashing")["dropped-points"]
        .as_u64()
        .expect("a count");
    assert!(
        dropped >= 120,
        "the write while down is counted as dropped: {dropped}"
    );
}
