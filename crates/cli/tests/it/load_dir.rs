//! `[load]` through the binary: the directory's tasks run when the server starts, and
//! SIGHUP loads it again (a new task appears, the unchanged one keeps running).

use std::process::Command;

use crate::replay::write;
use crate::scratch_dir;
use crate::server::{request, Running};

const TASK: &str = "dbrp \"telegraf\".\"autogen\"\nstream|from().measurement('cpu')|log()\n";

#[test]
fn the_load_directory_is_read_at_start_and_on_sighup() {
    let dir = scratch_dir("load-dir");
    std::fs::create_dir_all(dir.join("load/tasks")).expect("mkdir");
    write(&dir.join("load/tasks"), "first.tick", TASK);
    let config = write(
        &dir,
        "kapacitor.conf",
        &format!(
            "[load]\nenabled = true\ndir = {:?}\n",
            dir.join("load").display().to_string()
        ),
    );
    let mut running = Running::start(&["serve", "--config", &config]);
    let (status, first) = request(running.address, "GET", "/kapacitor/v1/tasks/first", b"");
    assert_eq!(status, 200, "{first}");
    assert!(first.contains("\"executing\": true"), "{first}");

    write(&dir.join("load/tasks"), "second.tick", TASK);
    let hangup = Command::new("kill")
        .args(["-HUP", &running.child_id().to_string()])
        .status()
        .expect("kill runs");
    assert!(hangup.success());
    running.wait_for("tickflow: SIGHUP: loaded 0 templates, 2 tasks, 0 handlers");
    let (status, second) = request(running.address, "GET", "/kapacitor/v1/tasks/second", b"");
    assert_eq!(status, 200, "{second}");
    let (_, again) = request(running.address, "GET", "/kapacitor/v1/tasks/first", b"");
    let created = |task: &str| {
        task.lines()
            .find(|l| l.contains("\"created\""))
            .map(str::to_string)
    };
    assert_eq!(
        created(&again),
        created(&first),
        "the unchanged task was not replaced"
    );
    let (status, stderr) = running.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
}
