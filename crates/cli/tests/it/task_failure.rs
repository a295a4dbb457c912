//! A task that fails while `tickflow run` serves: a UDF agent that crashes on every
//! window. The task shows it at once over the tasks API (not executing, the cause with
//! the agent's last stderr line, failures and restarts counted, points routed to it
//! while it is down counted as dropped), the log says it at error level, the task is
//! restarted with backoff until its restarts are used up, and the run exits 1.

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
             [task]\nrestart-backoff = \"100ms\"\nrestart-max-backoff = \"200ms\"\n\
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
    // Each run of the task crashes on its first window: feed it until every restart
    // has been used up.
    poll("the task to fail for good", || {
        let seen = task(&running, "crashing");
        if seen["failures"] == 3 {
            return true;
        }
        if seen["executing"] == true {
            assert_eq!(
                post(running.address, write_path, two_minutes(start).as_bytes()).0,
                204
            );
            start += 120;
        }
        false
    });
    let failed = running.wait_for("E! task crashing failed: node tTest3: ");
    assert_eq!(
        failed,
        "E! task crashing failed: node tTest3: UDF tTest: process exited unexpectedly: \
         exit status 3"
    );
    running.wait_for("E! task crashing failed: failed for good after 2 restarts");
    assert_eq!(
        post(running.address, write_path, two_minutes(start).as_bytes()).0,
        204
    );
    let seen = task(&running, "crashing");
    assert_eq!(seen["executing"], false);
    assert_eq!(seen["status"], "enabled");
    assert_eq!(
        (&seen["failures"], &seen["restarts"]),
        (&3.into(), &2.into())
    );
    let error = seen["error"].as_str().expect("a string");
    assert_eq!(
        error,
        "node tTest3: UDF tTest: process exited unexpectedly: exit status 3\n  \
         stderr: Starting agent for TTestHandler\n  stderr: crashing: out of luck"
    );
    let dropped = seen["dropped-points"].as_u64().expect("a count");
    assert!(
        dropped >= 120,
        "the last write is counted as dropped: {dropped}"
    );
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("tickflow: task crashing failed: node tTest3: UDF tTest: "),
        "{stderr}"
    );
}
