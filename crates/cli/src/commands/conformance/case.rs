//! A conformance case file (conformance/README.md §1): the TICKscript, the recording to
//! replay and what the run must produce.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

/// What a case checks (README §4–§8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Kind {
    /// The body of an httpOut endpoint after the run.
    HttpOut,
    /// The alert documents POSTed to the sink.
    Alert,
    /// The requests of an `httpPost` node.
    HttpPost,
    /// The points an `influxDBOut` node writes.
    Points,
    /// Which of define, start and run fail.
    Error,
}

/// How alert documents are matched to requests (README §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum AlertCompare {
    /// The i-th request matches the i-th document.
    Ordered,
    /// Requests match the documents as a multiset.
    Unordered,
    /// Only the number of requests is checked.
    CountOnly,
}

/// One case, as its JSON file holds it.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Case {
    /// The Go test's name.
    pub name: String,
    /// What is checked.
    pub kind: Kind,
    /// The TICKscript, with `${SINK_URL}` placeholders.
    pub tickscript: String,
    /// The task id.
    pub task_id: String,
    /// The recording's file name in `recordings/` (stream cases).
    pub recording: Option<String>,
    /// `"batch"` for batch cases (batch README §1); absent for stream cases.
    pub task_type: Option<String>,
    /// The batch recordings in `recordings/`, file *i* feeding the (n−1−i)-th query node.
    #[serde(default)]
    pub recordings: Vec<String>,
    /// For `error` cases that fail to start: the end of the start error's message.
    pub start_error_message: Option<String>,
    /// How long the sink waits before answering (`"100ms"`).
    pub sink_response_delay: Option<String>,
    /// The longest the run may take, by the wall clock (`"1s"`).
    pub max_wall_time: Option<String>,
    /// The httpOut endpoint whose body is checked.
    pub endpoint: Option<String>,
    /// Whether series are paired by name and tags instead of position.
    #[serde(default)]
    pub ignore_series_order: bool,
    /// The expected output; its shape depends on `kind`.
    #[serde(default)]
    pub expected: Value,
    /// For alert and httpPost cases, the expected httpOut body too.
    pub expected_httpout: Option<Value>,
    /// The exact number of requests the sink must receive.
    pub expected_post_count: Option<usize>,
    /// How alert documents are matched.
    pub alert_compare: Option<AlertCompare>,
    /// Alert members not compared.
    #[serde(default)]
    pub ignore_alert_fields: Vec<String>,
    /// Headers every sink request must carry.
    pub expected_request_headers: Option<BTreeMap<String, String>>,
    /// The status codes the sink answers with, in order.
    #[serde(default)]
    pub sink_status_codes: Vec<u16>,
    /// Service configuration (httppost endpoints), with `${SINK_URL}` placeholders.
    pub config: Option<Value>,
}

/// A case and where it was read from.
pub(super) struct CaseFile {
    /// The case file.
    pub path: PathBuf,
    /// Its content.
    pub case: Case,
}

impl CaseFile {
    /// Reads and decodes a case file.
    pub(super) fn read(path: &Path) -> anyhow::Result<CaseFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let case = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a conformance case", path.display()))?;
        Ok(CaseFile {
            path: path.to_path_buf(),
            case,
        })
    }

    /// The recording to replay: `recordings/` beside the `cases/` folder holding the file.
    pub(super) fn recording(&self) -> Option<PathBuf> {
        let name = self.case.recording.as_ref()?;
        Some(self.recordings_dir().join(name))
    }

    /// The batch recordings, in the case's order.
    pub(super) fn batch_recordings(&self) -> Vec<PathBuf> {
        let dir = self.recordings_dir();
        self.case
            .recordings
            .iter()
            .map(|name| dir.join(name))
            .collect()
    }

    /// Whether the case defines a batch task.
    pub(super) fn is_batch(&self) -> bool {
        self.case.task_type.as_deref() == Some("batch")
    }

    /// `recordings/` beside the `cases/` folder holding the file.
    fn recordings_dir(&self) -> PathBuf {
        let cases_dir = self.path.parent().unwrap_or(Path::new("."));
        cases_dir
            .parent()
            .unwrap_or(Path::new("."))
            .join("recordings")
    }
}
