//! The log handler against a real file system: appending, directory creation, file modes,
//! concurrent writers and error messages.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::Arc;

use tickflow_alert::{Handler, HandlerError, LogError, LogHandler};

use crate::{event, temp_dir};

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn appends_one_line_per_event_and_creates_missing_directories() {
    let path = temp_dir("append").join("a/b/alerts.log");
    let handler = LogHandler::new(&path);
    let events = [event("one", 1.0), event("two", 2.5)];
    for e in &events {
        handler.handle(e).expect("logged");
    }
    let expected: String = events
        .iter()
        .map(|e| e.to_json().expect("finite") + "\n")
        .collect();
    assert_eq!(std::fs::read_to_string(&path).expect("read"), expected);
}

#[test]
fn appends_to_an_existing_file() {
    let path = temp_dir("existing").join("alerts.log");
    std::fs::write(&path, "earlier\n").expect("seed");
    LogHandler::new(&path)
        .handle(&event("x", 1.0))
        .expect("logged");
    let log = std::fs::read_to_string(&path).expect("read");
    assert!(log.starts_with("earlier\n{\"id\":\"x\""), "{log}");
}

#[test]
fn new_files_get_mode_0600_by_default() {
    let path = temp_dir("mode-default").join("alerts.log");
    let handler = LogHandler::new(&path);
    assert_eq!(handler.path(), path);
    handler.handle(&event("x", 1.0)).expect("logged");
    assert_eq!(mode_of(&path), 0o600);
}

#[test]
fn new_files_get_the_configured_mode() {
    let path = temp_dir("mode-custom").join("alerts.log");
    LogHandler::new(&path)
        .with_mode(0o640)
        .handle(&event("x", 1.0))
        .expect("logged");
    assert_eq!(mode_of(&path), 0o640);
}

#[test]
fn concurrent_writers_never_interleave_lines() {
    let path = temp_dir("concurrent").join("alerts.log");
    let handler = Arc::new(LogHandler::new(&path));
    let writers: Vec<_> = ["left", "right"]
        .into_iter()
        .map(|id| {
            let handler: Arc<dyn Handler> = handler.clone();
            std::thread::spawn(move || {
                // Long details make a line span several kilobytes.
                let mut e = event(id, 1.0);
                e.details = id.repeat(1000);
                for _ in 0..1000 {
                    handler.handle(&e).expect("logged");
                }
                e.to_json().expect("finite")
            })
        })
        .collect();
    let lines: Vec<String> = writers
        .into_iter()
        .map(|w| w.join().expect("writer thread"))
        .collect();
    let log = std::fs::read_to_string(&path).expect("read");
    assert!(log.ends_with('\n'));
    let mut counts = [0; 2];
    for line in log.lines() {
        let i = lines
            .iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("mangled line: {:.80}", line));
        counts[i] += 1;
    }
    assert_eq!(counts, [1000, 1000]);
}

#[test]
fn a_path_under_a_regular_file_is_an_error_naming_it() {
    let file = temp_dir("unwritable").join("plain");
    std::fs::write(&file, "").expect("seed");
    let path = file.join("alerts.log");
    let err = LogHandler::new(&path)
        .handle(&event("x", 1.0))
        .expect_err("cannot write under a file");
    assert!(
        matches!(&err, HandlerError::Log(LogError::Open { path: p, .. }) if *p == path),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "cannot open alert log \"{}\": Not a directory (os error 20)",
            path.display()
        )
    );
}

#[test]
fn a_directory_that_cannot_be_created_is_an_error_naming_it() {
    // A dangling symlink: opening under it is "not found", creating it "exists".
    let dir = temp_dir("no-dir").join("dangling");
    std::os::unix::fs::symlink("/nonexistent/tickflow-alert", &dir).expect("symlink");
    let err = LogHandler::new(dir.join("alerts.log"))
        .handle(&event("x", 1.0))
        .expect_err("cannot create a directory over a symlink");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot create directory \"{}\" for alert log: File exists (os error 17)",
            dir.display()
        )
    );
}

#[test]
fn a_directory_as_the_log_is_an_error() {
    let dir = temp_dir("is-dir");
    let err = LogHandler::new(&dir)
        .handle(&event("x", 1.0))
        .expect_err("a directory is not a log");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot open alert log \"{}\": ", dir.display())),
        "{err}"
    );
}

#[test]
fn an_event_that_cannot_be_encoded_writes_nothing() {
    let path = temp_dir("nan").join("alerts.log");
    let err = LogHandler::new(&path)
        .handle(&event("x", f64::NAN))
        .expect_err("NaN cannot be encoded");
    assert_eq!(
        err.to_string(),
        "failed to marshal alert data json: json: unsupported value: NaN"
    );
    assert!(!path.exists());
}

#[test]
fn a_failed_write_is_an_error_naming_the_log() {
    // Every write to /dev/full fails with "no space left on device".
    let err = LogHandler::new("/dev/full")
        .handle(&event("x", 1.0))
        .expect_err("/dev/full is full");
    assert_eq!(
        err.to_string(),
        "cannot write alert log \"/dev/full\": No space left on device (os error 28)"
    );
}
