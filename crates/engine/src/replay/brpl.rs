//! Batch recordings (`.brpl`; kapacitor-compat.md, recordings §3, conformance/batch/README.md §3):
//! one stream of JSON batch objects per batch source, from the entries `"0"`, `"1"`, …
//! of a zip archive (what Kapacitor's server records), or from the files
//! `<name>.0.brpl`, `<name>.1.brpl`, … (its test data), told apart by the zip magic.
//!
//! Each object is one batch: `name`, `tags` (the group tags; the group is all of them,
//! plus the name with `byname`), `tmax`, and `points`, each with `fields`, `tags` (a
//! point without its own gets the batch's) and `time`. Numbers become floats, `null`
//! values are left out (tickflow has no null field), a member of the wrong type is
//! ignored, and a batch without points is dropped. With rebasing, each source's points
//! move so that its first point is at 1971-01-01T00:00:00Z; the batch time is then the
//! later of the recorded `tmax` (as written) and the batch's last point.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tickflow_model::{Batch, BatchPoint, Dimensions, Duration, Fields, GroupId, Str, Tags, Time};

use super::REBASE_TIME;
use crate::nodes::query::results::{field_value, parse_time};

/// Why a batch recording cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BrplError {
    /// A file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The zip archive is damaged.
    #[error("cannot read zip archive {path}: {reason}")]
    Zip {
        /// The file.
        path: String,
        /// What the reader said.
        reason: String,
    },
    /// A source's JSON is malformed.
    #[error("{source_name}: malformed batch: {reason}")]
    Json {
        /// The file or zip entry.
        source_name: String,
        /// What the decoder said.
        reason: String,
    },
}

/// The batches of one source, in file order.
pub type SourceBatches = Vec<Batch>;

/// Reads every source of the recording at `path`, in entry order.
pub fn read(path: &Path, rebase: bool) -> Result<Vec<SourceBatches>, BrplError> {
    let bytes = std::fs::read(path).map_err(|source| BrplError::Read {
        path: path.display().to_string(),
        source,
    })?;
    if !bytes.starts_with(b"PK\x03\x04") {
        let mut sources = vec![decode(&path.display().to_string(), &bytes, rebase)?];
        for sibling in siblings(path) {
            sources.push(read_source(&sibling, rebase)?);
        }
        return Ok(sources);
    }
    zip_entries(path, bytes)?
        .iter()
        .map(|(name, bytes)| decode(name, bytes, rebase))
        .collect()
}

/// Reads one source from a plain file (one entry of the testdata variant).
pub fn read_source(path: &Path, rebase: bool) -> Result<SourceBatches, BrplError> {
    let bytes = std::fs::read(path).map_err(|source| BrplError::Read {
        path: path.display().to_string(),
        source,
    })?;
    decode(&path.display().to_string(), &bytes, rebase)
}

/// The entries of a zip archive, in archive order.
fn zip_entries(path: &Path, bytes: Vec<u8>) -> Result<Vec<(String, Vec<u8>)>, BrplError> {
    let error = |reason: String| BrplError::Zip {
        path: path.display().to_string(),
        reason,
    };
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| error(e.to_string()))?;
    let mut entries = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| error(e.to_string()))?;
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|e| error(e.to_string()))?;
        entries.push((format!("{}:{}", path.display(), entry.name()), content));
    }
    Ok(entries)
}

/// For `<name>.0.brpl`, the files `<name>.1.brpl`, `<name>.2.brpl`, … that exist, up to
/// the first missing one; nothing for any other name.
fn siblings(path: &Path) -> Vec<PathBuf> {
    let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
        return Vec::new();
    };
    let Some(stem) = file.strip_suffix(".0.brpl") else {
        return Vec::new();
    };
    (1..)
        .map(|i| path.with_file_name(format!("{stem}.{i}.brpl")))
        .take_while(|p| p.is_file())
        .collect()
}

/// The batches of one source's JSON stream.
fn decode(name: &str, bytes: &[u8], rebase: bool) -> Result<SourceBatches, BrplError> {
    let mut batches = Vec::new();
    let mut shift = None;
    for value in serde_json::Deserializer::from_slice(bytes).into_iter::<Value>() {
        let value = value.map_err(|e| BrplError::Json {
            source_name: name.to_string(),
            reason: e.to_string(),
        })?;
        let Value::Object(object) = value else {
            continue;
        };
        let mut recorded = RecordedBatch::from_json(&object);
        if recorded.points.is_empty() {
            continue;
        }
        let delta = *shift.get_or_insert_with(|| match rebase {
            true => REBASE_TIME.since(recorded.points[0].time),
            false => Duration::ZERO,
        });
        for point in &mut recorded.points {
            point.time = point.time + delta;
        }
        batches.push(recorded.into_batch());
    }
    Ok(batches)
}

/// One batch object as read.
struct RecordedBatch {
    name: Str,
    tags: Tags,
    by_name: bool,
    tmax: Time,
    points: Vec<BatchPoint>,
}

impl RecordedBatch {
    fn from_json(object: &Map<String, Value>) -> RecordedBatch {
        let tags = object.get("tags").map(tags).unwrap_or_default();
        let points = match object.get("points") {
            Some(Value::Array(points)) => points.iter().filter_map(|p| point(p, &tags)).collect(),
            _ => Vec::new(),
        };
        RecordedBatch {
            name: Str::from(object.get("name").and_then(Value::as_str).unwrap_or("")),
            by_name: object
                .get("byname")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            tmax: object
                .get("tmax")
                .and_then(Value::as_str)
                .and_then(parse_time)
                .unwrap_or(Time::MIN),
            tags,
            points,
        }
    }

    /// The batch, its time the later of the recorded `tmax` and its last point.
    fn into_batch(self) -> Batch {
        let dimensions = Dimensions::by_tags(self.tags.keys().cloned()).with_by_name(self.by_name);
        let last = self.points.last().map_or(Time::MIN, |p| p.time);
        Batch {
            group: GroupId::new(&self.name, &self.tags, &dimensions),
            name: self.name,
            tags: self.tags,
            dimensions,
            tmax: self.tmax.max(last),
            points: self.points.into_iter().collect(),
        }
    }
}

/// A JSON object of strings as tags; other values are ignored.
fn tags(value: &Value) -> Tags {
    let Value::Object(object) = value else {
        return Tags::new();
    };
    Tags::from_pairs(
        object
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), Str::from(v.as_str()?)))),
    )
}

/// A point object; one without a valid time is ignored.
fn point(value: &Value, batch_tags: &Tags) -> Option<BatchPoint> {
    let time = parse_time(value.get("time")?.as_str()?)?;
    let own = value.get("tags").map(tags).unwrap_or_default();
    let fields = match value.get("fields") {
        Some(Value::Object(fields)) => fields
            .iter()
            .filter_map(|(k, v)| Some((Str::from(k.as_str()), field_value(v)?)))
            .collect(),
        _ => Vec::new(),
    };
    Some(BatchPoint {
        fields: Fields::from_unsorted(fields),
        tags: if own.is_empty() {
            batch_tags.clone()
        } else {
            own
        },
        time,
    })
}

#[cfg(test)]
mod tests {
    use tickflow_model::FieldValue;

    use super::*;

    const S: i64 = 1_000_000_000;

    fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tickflow-brpl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    const SOURCE_0: &str = r#"{"name":"cpu","tags":{"cpu":"cpu-total"},"points":[
        {"fields":{"mean":90},"time":"2015-10-30T17:14:12Z"},
        {"fields":{"mean":86.5,"gone":null},"tags":{"cpu":"cpu0"},"time":"2015-10-30T17:14:14Z"}]}
{"name":"cpu","tags":{"cpu":"cpu-total"},"tmax":"2020-01-01T00:00:00Z","points":[{"fields":{"mean":1},"time":"2015-10-30T17:14:22Z"}]}
{"name":"empty","points":[]}"#;

    #[test]
    fn testdata_files_are_read_as_sources_and_rebased() {
        let first = scratch("T.0.brpl", SOURCE_0.as_bytes());
        scratch(
            "T.1.brpl",
            br#"{"name":"m","byname":true,"points":[{"fields":{"v":"x"},"time":"2016-01-01T00:00:05Z"}]}"#,
        );
        let sources = read(&first, true).expect("reads");
        assert_eq!(sources.len(), 2);
        let batches = &sources[0];
        assert_eq!(batches.len(), 2, "the batch without points is dropped");
        let a = &batches[0];
        assert_eq!(a.points[0].time, REBASE_TIME);
        assert_eq!(a.tmax, REBASE_TIME + Duration::from_nanos(2 * S));
        assert_eq!(
            a.points[0].fields.get("mean"),
            Some(&FieldValue::Float(90.0))
        );
        assert_eq!(
            a.points[0].tags.get("cpu").map(Str::as_str),
            Some("cpu-total")
        );
        assert_eq!(a.points[1].tags.get("cpu").map(Str::as_str), Some("cpu0"));
        assert_eq!(a.points[1].fields.get("gone"), None);
        assert_eq!(a.group.as_str(), "cpu=cpu-total");
        let recorded = parse_time("2020-01-01T00:00:00Z").expect("a time");
        assert_eq!(
            batches[1].tmax, recorded,
            "a later recorded tmax wins, not rebased"
        );
        let b = &sources[1][0];
        assert_eq!((b.points[0].time, b.group.as_str()), (REBASE_TIME, "m"));
    }

    #[test]
    fn a_zip_archive_gives_its_entries_in_order() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, body) in [("0", SOURCE_0), ("1", SOURCE_0)] {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            zip.write_all(body.as_bytes()).expect("write");
        }
        let bytes = zip.finish().expect("zip").into_inner();
        let sources = read(&scratch("rec.brpl", &bytes), false).expect("reads");
        assert_eq!(sources.len(), 2);
        assert_eq!(
            sources[1][0].points[0].time,
            parse_time("2015-10-30T17:14:12Z").expect("a time")
        );
    }

    #[test]
    fn malformed_json_names_the_source() {
        let path = scratch("bad.brpl", b"{\"name\":\"cpu\",");
        let err = read(&path, false).expect_err("truncated");
        assert!(
            err.to_string().contains("bad.brpl: malformed batch: "),
            "{err}"
        );
    }
}
