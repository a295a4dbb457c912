//! Test support shared by the integration tests of tickflow's crates: where the workspace
//! is, the golden cases under `testdata/`, the shared Kapacitor conformance corpus, and a
//! local HTTP/TCP [`sink`], a real MQTT broker ([`mosquitto`]), a real Kafka-protocol
//! broker ([`kafka`]) and a real InfluxDB 1.x ([`influxd`]).
//!
//! Only ever a dev-dependency; it panics with the offending path on anything unexpected,
//! which is what a test wants.
//!
//! ```
//! let cases = tickflow_testkit::cases("tickscript", "ok");
//! assert!(cases.iter().all(|c| c.name.starts_with("ok/") && c.name.ends_with(".tick")));
//! ```

pub mod influxd;
pub mod kafka;
pub mod mosquitto;
pub mod sink;

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One `.tick` file of a golden folder.
pub struct Case {
    /// `<folder>/<file name>`, for failure messages.
    pub name: String,
    /// Where the script is.
    pub path: PathBuf,
}

impl Case {
    /// The script's text.
    pub fn source(&self) -> String {
        fs::read_to_string(&self.path).unwrap_or_else(|err| panic!("{}: {err}", self.name))
    }

    /// The expectation file beside the script, with extension `ext`.
    pub fn sibling(&self, ext: &str) -> PathBuf {
        self.path.with_extension(ext)
    }
}

/// The `.tick` files of `testdata/<area>/<folder>`, sorted by name; never empty.
pub fn cases(area: &str, folder: &str) -> Vec<Case> {
    let dir = root().join("testdata").join(area).join(folder);
    let mut cases: Vec<Case> = files_with_extension(&dir, "tick")
        .into_iter()
        .map(|path| Case {
            name: format!("{folder}/{}", file_name(&path)),
            path,
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!cases.is_empty(), "no .tick files in {}", dir.display());
    cases
}

/// One case of the conformance corpus.
pub struct ConformanceCase {
    /// The case file's path, for failure messages.
    pub name: String,
    /// The case as JSON (see `../shared/conformance/README.md`).
    pub json: serde_json::Value,
}

impl ConformanceCase {
    /// The case's TICKscript.
    pub fn tickscript(&self) -> &str {
        self.json["tickscript"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no tickscript", self.name))
    }
}

/// The cases of `../shared/conformance/cases` beside the workspace, sorted by file name;
/// `None` when the corpus is not there (it is shared reference material, not ours), said
/// loudly on stderr. Under CI (`CI` set and not `false`) a missing corpus is a failure:
/// a green run must have run the cases.
pub fn conformance_cases() -> Option<Vec<ConformanceCase>> {
    let dir = root().join("../shared/conformance/cases");
    if !dir.is_dir() {
        missing_shared(&dir);
        return None;
    }
    let mut paths = files_with_extension(&dir, "json");
    paths.sort();
    assert!(!paths.is_empty(), "no cases in {}", dir.display());
    let cases = paths
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let text = fs::read_to_string(path).unwrap_or_else(|err| panic!("{name}: {err}"));
            let json = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{name}: {err}"));
            ConformanceCase { name, json }
        })
        .collect();
    Some(cases)
}

/// Reports shared reference material that is not there: a panic under CI, a loud
/// warning elsewhere.
pub fn missing_shared(dir: &Path) {
    let message = format!(
        "SKIPPED: {} is missing, so the tests that read it did not run",
        dir.display()
    );
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    assert!(!ci, "{message} (CI is set: failing)");
    eprintln!("\n*** {message} ***\n");
}

/// A loopback port nothing listens on right now, for a server a test starts.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The first `name` that is a file in a directory of `PATH`, then of `extra`.
pub(crate) fn find_binary(name: &str, extra: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let entries = fs::read_dir(dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == ext))
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
