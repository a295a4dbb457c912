//! `|sideload()`: sets fields and tags from values in files chosen by the point's tags
//! (kapacitor-compat.md, nodes §4.13).
//!
//! `.source('file:///dir')` names the directory; `.order('{{.host}}.yml', 'default.yml')`
//! lists file paths relative to it, Go templates over the point's tags (a missing tag
//! renders `<no value>`, as in Go), most specific first; each `.field(name, default)` and
//! `.tag(name, default)` gets the value of the first file in that order that defines the
//! key, else its default. Existing fields and tags of those names are overwritten. A
//! field's value takes its default's type (a default of `1.0` makes `3` the float `3.0`);
//! a value that does not convert is reported and skipped. Points and each point of a
//! batch are looked up by their own tags; a point whose group tag changes is regrouped,
//! a batch keeps its group.
//!
//! Files are JSON (`.json`) or YAML (`.yml`, `.yaml`) maps. The YAML reader covers flat
//! `key: value` maps of numbers, strings and booleans only (see [`yaml`]); anything else
//! is reported naming the file and line. Files are read when first needed and cached;
//! a file is checked for changes (modification time and length, one `stat`) at most once
//! per [`RECHECK`] of wall time and read again when it changed (see [`cache`]). Only
//! `file://` sources are supported (Kapacitor also reads HTTP ones).

pub(crate) mod cache;
pub(crate) mod file;
pub(crate) mod value;
pub(crate) mod yaml;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tickflow_alert::template::{Kind, Template};
use tickflow_model::{Batch, Fields, Point, Str, Tags};
use tickflow_pipeline::nodes::sideload::SideloadNode;

use crate::node::Context;
use crate::nodes::group_transform::Rewrite;
use crate::task::TaskError;
use cache::{Files, Found, Wanted};

/// How often, at most, a cached file is checked for changes.
pub(crate) const RECHECK: Duration = Duration::from_secs(1);

/// A `.source()` the node cannot read from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// Not a `file://` URI.
    #[error("source {0:?}: only file:// sources are supported")]
    Scheme(String),
    /// A `file://` URI whose path is relative.
    #[error("source {0:?}: the path must be absolute (file:///dir)")]
    Relative(String),
    /// The path is not a readable directory.
    #[error("source {source_uri:?}: not a readable directory: {reason}")]
    NotADirectory {
        /// The source as written.
        source_uri: String,
        /// Why.
        reason: String,
    },
}

/// The sideload transform (stateless but for its file cache).
pub(crate) struct Sideload {
    order: Vec<Template>,
    wanted: Wanted,
    files: Files,
}

impl Sideload {
    /// The node `node` for a validated spec, checking files for changes at most once per
    /// `recheck` ([`RECHECK`] in a task).
    pub(crate) fn new(
        spec: &SideloadNode,
        node: &str,
        recheck: Duration,
    ) -> Result<Self, TaskError> {
        let dir = directory(&spec.source).map_err(|source| TaskError::Sideload {
            node: node.to_owned(),
            source,
        })?;
        let order = spec
            .order
            .iter()
            .map(|text| {
                Template::parse(".order()", text, Kind::Text).map_err(|source| {
                    TaskError::Template {
                        node: node.to_owned(),
                        source,
                    }
                })
            })
            .collect::<Result<_, _>>()?;
        let wanted = Wanted {
            fields: super::str_pairs(&spec.fields, Clone::clone),
            tags: super::str_pairs(&spec.tags, |v| Str::from(v.as_str())),
        };
        Ok(Sideload {
            order,
            wanted,
            files: Files::new(dir, recheck),
        })
    }

    /// The values the files give for `tags`, first file first.
    fn lookup(&mut self, tags: &Tags, now: Instant, ctx: &mut Context<'_>) -> Found {
        let mut found = Found::none(&self.wanted);
        for template in &self.order {
            let path = match template.render_tags(tags) {
                Ok(path) => path,
                Err(error) => {
                    ctx.error(&error);
                    continue;
                }
            };
            if let Some(file) = self.files.get(&path, &self.wanted, now, ctx) {
                fill(&mut found.fields, &file.fields);
                fill(&mut found.tags, &file.tags);
            }
        }
        found
    }

    /// Sets the loaded fields and tags, defaults where nothing was found; returns whether
    /// a tag changed.
    fn apply(&self, found: Found, fields: &mut Fields, tags: &mut Tags) -> bool {
        for ((key, default), value) in self.wanted.fields.iter().zip(found.fields) {
            fields.insert(key.clone(), value.unwrap_or_else(|| default.clone()));
        }
        let mut changed = false;
        for ((key, default), value) in self.wanted.tags.iter().zip(found.tags) {
            let value = value.unwrap_or_else(|| default.clone());
            changed |= tags.get(key) != Some(&value);
            tags.insert(key.clone(), value);
        }
        changed
    }
}

/// Fills the empty slots of `slots` from `from`.
fn fill<T: Clone>(slots: &mut [Option<T>], from: &[Option<T>]) {
    for (slot, value) in slots.iter_mut().zip(from) {
        if slot.is_none() {
            slot.clone_from(value);
        }
    }
}

/// The directory a `file:///dir` source names.
fn directory(source: &str) -> Result<PathBuf, SourceError> {
    let path = source
        .strip_prefix("file://")
        .ok_or_else(|| SourceError::Scheme(source.to_owned()))?;
    let path = PathBuf::from(path);
    if !path.is_absolute() {
        return Err(SourceError::Relative(source.to_owned()));
    }
    let not_a_directory = |reason: String| SourceError::NotADirectory {
        source_uri: source.to_owned(),
        reason,
    };
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => Ok(path),
        Ok(_) => Err(not_a_directory("not a directory".into())),
        Err(e) => Err(not_a_directory(e.to_string())),
    }
}

impl Rewrite for Sideload {
    fn rewrite_point(&mut self, point: &mut Point, ctx: &mut Context<'_>) {
        let found = self.lookup(&point.tags, Instant::now(), ctx);
        if self.apply(found, &mut point.fields, &mut point.tags) {
            point.regroup();
        }
    }

    fn rewrite_batch(&mut self, batch: &mut Batch, ctx: &mut Context<'_>) {
        let now = Instant::now();
        for p in batch.points.make_mut() {
            let found = self.lookup(&p.tags, now, ctx);
            self.apply(found, &mut p.fields, &mut p.tags);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::SystemTime;

    use tickflow_model::{Batch, BatchPoint, Dimensions, FieldValue, Message, Time};

    use super::*;
    use crate::nodes::group_transform::PerGroup;
    use crate::nodes::testing::{point, points, run};

    /// A fresh directory under the system's temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let name = format!(
                "tickflow-sideload-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let dir = std::env::temp_dir().join(name);
            std::fs::create_dir_all(&dir).expect("creates the temp dir");
            TempDir(dir)
        }

        fn write(&self, name: &str, text: &str) -> PathBuf {
            let path = self.0.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("creates the parent");
            }
            std::fs::write(&path, text).expect("writes the file");
            path
        }

        fn source(&self) -> String {
            format!("file://{}", self.0.display())
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            // best effort: a leftover temp dir fails nothing
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn spec(dir: &TempDir, order: &[&str]) -> SideloadNode {
        SideloadNode {
            source: dir.source(),
            order: order.iter().map(|s| s.to_string()).collect(),
            fields: vec![
                ("threshold".into(), FieldValue::Float(1.0)),
                ("count".into(), FieldValue::Integer(0)),
            ],
            tags: vec![("rack".into(), "none".into())],
        }
    }

    fn node(dir: &TempDir, order: &[&str]) -> PerGroup<Sideload> {
        PerGroup::new(Sideload::new(&spec(dir, order), "sideload1", RECHECK).expect("builds"))
    }

    fn host(secs: i64, host: &str) -> Message {
        Message::Point(point(secs, &[("host", host)], &[]))
    }

    /// The (threshold, count, rack) a point came out with.
    fn loaded(p: &tickflow_model::Point) -> (FieldValue, FieldValue, String) {
        (
            p.fields.get("threshold").cloned().expect("threshold"),
            p.fields.get("count").cloned().expect("count"),
            p.tags.get("rack").map(|r| r.to_string()).expect("rack"),
        )
    }

    fn expected(threshold: f64, count: i64, rack: &str) -> (FieldValue, FieldValue, String) {
        (
            FieldValue::Float(threshold),
            FieldValue::Integer(count),
            rack.to_owned(),
        )
    }

    #[test]
    fn the_first_file_defining_a_key_wins_and_templates_use_the_tags() {
        let dir = TempDir::new();
        dir.write("hosts/a.yml", "threshold: 90.5\n");
        dir.write("hosts/b.json", r#"{"count": 7, "rack": "r2"}"#);
        dir.write("default.yml", "threshold: 50\ncount: 3\nrack: r1\n");
        let mut node = node(
            &dir,
            &["hosts/{{.host}}.yml", "hosts/{{.host}}.json", "default.yml"],
        );
        let (out, errors) = run(&mut node, vec![host(0, "a"), host(1, "b"), host(2, "c")]);
        assert_eq!(errors, Vec::<String>::new());
        let out: Vec<_> = points(out).iter().map(loaded).collect();
        assert_eq!(
            out,
            [
                expected(90.5, 3, "r1"),
                expected(50.0, 7, "r2"),
                expected(50.0, 3, "r1"),
            ]
        );
    }

    #[test]
    fn defaults_apply_without_files_and_overwrite_existing_values() {
        let dir = TempDir::new();
        let mut node = node(&dir, &["{{.host}}.yml", "default.yml"]);
        let p = point(
            0,
            &[("host", "a"), ("rack", "old")],
            &[("count", FieldValue::Integer(99))],
        );
        let (out, errors) = run(&mut node, vec![Message::Point(p)]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(loaded(&points(out)[0]), expected(1.0, 0, "none"));
    }

    #[test]
    fn values_take_the_defaults_types_or_are_reported() {
        let dir = TempDir::new();
        dir.write("a.yml", "threshold: 3\ncount: 4.0\nrack: 12\n");
        dir.write(
            "b.json",
            r#"{"threshold": "high", "count": 2.5, "rack": [1]}"#,
        );
        let mut node = node(&dir, &["{{.host}}.yml", "{{.host}}.json", "a.yml"]);
        let (out, errors) = run(&mut node, vec![host(0, "a"), host(1, "b")]);
        let out: Vec<_> = points(out).iter().map(loaded).collect();
        // b's values do not convert: reported once, and a.yml (next in order) applies
        assert_eq!(out, [expected(3.0, 4, "12"), expected(3.0, 4, "12")]);
        let b = dir.0.join("b.json");
        assert_eq!(
            errors,
            [
                format!("node1: sideload file {b:?}: key \"threshold\": cannot use \"high\" (string) as float"),
                format!("node1: sideload file {b:?}: key \"count\": cannot use 2.5 (float) as int"),
                format!("node1: sideload file {b:?}: key \"rack\": cannot use a JSON array as tag"),
            ]
        );
    }

    #[test]
    fn a_malformed_file_is_reported_once_and_skipped() {
        let dir = TempDir::new();
        let bad = dir.write("a.yml", "threshold: 2\nnested:\n  x: 1\n");
        let json = dir.write("a.json", "{\"count\": }");
        dir.write("default.yml", "count: 5\n");
        let mut node = node(&dir, &["a.yml", "a.json", "default.yml"]);
        let (out, errors) = run(&mut node, vec![host(0, "a"), host(1, "a")]);
        let out: Vec<_> = points(out).iter().map(loaded).collect();
        assert_eq!(out, [expected(1.0, 5, "none"), expected(1.0, 5, "none")]);
        assert_eq!(
            errors,
            [
                format!(
                    "node1: sideload file {bad:?}: line 2: nested values are not supported \
                     (only a flat map of `key: value` lines)"
                ),
                format!("node1: sideload file {json:?}: expected value at line 1 column 11"),
            ]
        );
    }

    #[test]
    fn a_changed_file_is_read_again_once_its_check_is_due() {
        let dir = TempDir::new();
        let path = dir.write("a.yml", "count: 1\n");
        let reread = |recheck| {
            let sideload = Sideload::new(&spec(&dir, &["a.yml"]), "sideload1", recheck);
            let mut node = PerGroup::new(sideload.expect("builds"));
            let first = run(&mut node, vec![host(0, "a")]).0;
            dir.write("a.yml", "count: 22\n");
            touch(&path, 60);
            let second = run(&mut node, vec![host(1, "a")]).0;
            std::fs::remove_file(&path).expect("removes");
            let third = run(&mut node, vec![host(2, "a")]).0;
            dir.write("a.yml", "count: 1\n");
            [first, second, third].map(|out| loaded(&points(out)[0]).1)
        };
        let counts = |a, b, c| [a, b, c].map(FieldValue::Integer);
        assert_eq!(reread(Duration::ZERO), counts(1, 22, 0));
        assert_eq!(reread(Duration::from_secs(3600)), counts(1, 1, 1));
    }

    #[test]
    fn a_reload_reads_every_file_again() {
        let dir = TempDir::new();
        let path = dir.write("a.yml", "count: 1\n");
        let sideload = Sideload::new(
            &spec(&dir, &["a.yml"]),
            "sideload1",
            Duration::from_secs(3600),
        );
        let mut node = PerGroup::new(sideload.expect("builds"));
        let first = run(&mut node, vec![host(0, "a")]).0;
        dir.write("a.yml", "count: 2\n");
        touch(&path, 60);
        let cached = run(&mut node, vec![host(1, "a")]).0;
        cache::reload();
        let reloaded = run(&mut node, vec![host(2, "a")]).0;
        let counts = [first, cached, reloaded].map(|out| loaded(&points(out)[0]).1);
        assert_eq!(counts, [1, 1, 2].map(FieldValue::Integer));
    }

    /// Moves the file's modification time `secs` into the future, so a rewrite within
    /// the file system's time resolution still shows.
    fn touch(path: &Path, secs: u64) {
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("opens");
        file.set_modified(SystemTime::now() + Duration::from_secs(secs))
            .expect("sets mtime");
    }

    #[test]
    fn each_point_of_a_batch_is_looked_up_by_its_own_tags() {
        let dir = TempDir::new();
        dir.write("a.yml", "count: 1\n");
        dir.write("b.yml", "count: 2\n");
        let mut node = node(&dir, &["{{.host}}.yml"]);
        let first = point(0, &[("host", "a")], &[]);
        let mut batch = Batch::new(first.name.clone(), first.group_info(), Time::from_nanos(0));
        batch.points.push(BatchPoint::from(&first));
        batch
            .points
            .push(BatchPoint::from(&point(1, &[("host", "b")], &[])));
        let (out, _) = run(&mut node, vec![Message::Batch(batch)]);
        let [Message::Batch(batch)] = &out[..] else {
            panic!("one batch: {out:?}");
        };
        let counts: Vec<_> = batch.points.iter().map(|p| p.fields.get("count")).collect();
        assert_eq!(
            counts,
            [Some(&FieldValue::Integer(1)), Some(&FieldValue::Integer(2))]
        );
    }

    #[test]
    fn a_loaded_group_tag_regroups_the_point() {
        let dir = TempDir::new();
        dir.write("a.yml", "rack: r9\n");
        let mut node = node(&dir, &["{{.host}}.yml"]);
        let mut p = point(0, &[("host", "a")], &[]);
        p.set_dimensions(Dimensions::by_tags(["rack"]));
        let out = points(run(&mut node, vec![Message::Point(p)]).0);
        assert_eq!(out[0].group.as_str(), "rack=r9");
    }

    #[test]
    fn paths_leaving_the_directory_are_refused() {
        let dir = TempDir::new();
        let mut node = node(&dir, &["{{.host}}.yml"]);
        let (out, errors) = run(&mut node, vec![host(0, "../etc/x")]);
        assert_eq!(loaded(&points(out)[0]), expected(1.0, 0, "none"));
        assert_eq!(
            errors,
            [
                "node1: sideload path \"../etc/x.yml\" is not a relative file path inside \
              the source directory"
            ]
        );
    }

    #[test]
    fn a_script_sideloads_through_its_task() {
        let dir = TempDir::new();
        dir.write("hosts/a.yml", "threshold: 90\nrack: r1\n");
        let script = format!(
            "stream|from()|sideload().source('{}').order('hosts/{{{{.host}}}}.yml')\
             .field('threshold', 1.0).tag('rack', 'none')|httpOut('out')",
            dir.source()
        );
        let program = tickflow_tickscript::parse(&script).expect("parses");
        let pipeline =
            tickflow_pipeline::build(&program, &tickflow_pipeline::BuildOptions::default())
                .expect("builds");
        let task = crate::Task::build(&pipeline, "t").expect("the task builds");
        let out = task.http_outputs.get("out").expect("endpoint").clone();
        let mut run = crate::executor::Inline::new(
            task.dag,
            std::sync::Arc::new(crate::diagnostics::Collect::default()),
        );
        run.push(vec![host(0, "a")]).expect("runs");
        run.finish().expect("finishes");
        assert_eq!(
            out.body().expect("encodes"),
            "{\"series\":[{\"name\":\"cpu\",\"tags\":{\"host\":\"a\",\"rack\":\"r1\"},\
             \"columns\":[\"time\",\"threshold\"],\"values\":[[\"1970-01-01T00:00:00Z\",90]]}]}"
        );
    }

    #[test]
    fn a_bad_order_template_fails_the_task() {
        let dir = TempDir::new();
        let error = Sideload::new(&spec(&dir, &["{{.host"]), "sideload1", RECHECK)
            .err()
            .expect("refused");
        assert!(matches!(error, TaskError::Template { .. }), "{error}");
    }

    #[test]
    fn the_source_must_be_an_existing_file_directory() {
        let dir = TempDir::new();
        let build = |source: String| {
            let spec = SideloadNode {
                source,
                ..spec(&dir, &[])
            };
            Sideload::new(&spec, "sideload1", RECHECK)
                .err()
                .map(|e| e.to_string())
        };
        assert_eq!(build(dir.source()), None);
        assert_eq!(
            build("http://example.com/".into()),
            Some("node sideload1: source \"http://example.com/\": only file:// sources are supported".into())
        );
        assert_eq!(
            build("file://relative".into()),
            Some("node sideload1: source \"file://relative\": the path must be absolute (file:///dir)".into())
        );
        let missing = build(format!("{}/missing", dir.source())).expect("refused");
        assert!(missing.contains("not a readable directory"), "{missing}");
    }
}
