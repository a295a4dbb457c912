//! Golden tests: each `testdata/line-protocol/*.lp` body is parsed and a readable dump of
//! its points and errors compared with the `.out` file beside it. `UPDATE_EXPECT=1`
//! rewrites the `.out` files.
//!
//! A body's first line may be a directive, `#! precision=s` (a comment to the parser).
//! Every body is parsed with the request time [`NOW`]; the dump shows it as `D` once
//! truncated to the precision. Texts are shown bare when they are plain words, else
//! between backquotes with `<LF>`, `<CR>`, `<TAB>` and `<NUL>` for those bytes.

use std::path::{Path, PathBuf};

use expect_test::ExpectFile;
use tickflow_line_protocol::{LineError, Parser, Precision};
use tickflow_model::{FieldValue, Point, Time};

use crate::check::NOW;

/// Lines longer than this are shown cut.
const MAX_SHOWN: usize = 240;

/// The golden inputs, sorted by name: their paths and contents.
pub(crate) fn inputs() -> Vec<(PathBuf, Vec<u8>)> {
    let paths = files_with_extension("lp");
    paths
        .into_iter()
        .map(|path| {
            (
                path.clone(),
                std::fs::read(&path).expect("a readable golden input"),
            )
        })
        .collect()
}

/// The files of `testdata/line-protocol` with extension `ext`, sorted.
fn files_with_extension(ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/line-protocol");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    paths
}

#[test]
fn every_expectation_has_its_input() {
    let stale: Vec<PathBuf> = files_with_extension("out")
        .into_iter()
        .filter(|out| !out.with_extension("lp").exists())
        .collect();
    assert!(
        stale.is_empty(),
        "expectations without a .lp input: {stale:#?}"
    );
}

#[test]
fn golden_files() {
    let inputs = inputs();
    assert!(
        inputs.len() > 100,
        "golden inputs missing: {}",
        inputs.len()
    );
    let mut failed = Vec::new();
    for (path, body) in &inputs {
        let expect = ExpectFile {
            path: path.with_extension("out"),
            position: file!(),
        };
        let actual = dump(body);
        if std::panic::catch_unwind(|| expect.assert_eq(&actual)).is_err() {
            failed.push(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    assert!(
        failed.is_empty(),
        "{} golden files differ (UPDATE_EXPECT=1 rewrites them): {failed:#?}",
        failed.len()
    );
}

/// The dump of a body: the precision and default time, then each line's point or error.
fn dump(body: &[u8]) -> String {
    let precision = directive(body);
    let mut parser = Parser::new(precision, Time::from_nanos(NOW));
    let default_time = parser.default_time();
    let mut out = format!(
        "precision {precision}, D = {} ({default_time})\n",
        default_time.nanos()
    );
    let mut any = false;
    for result in parser.parse_lines(body) {
        any = true;
        match result {
            Ok(point) => out.push_str(&cut(dump_point(&point, default_time))),
            Err(error) => out.push_str(&dump_error(&error)),
        }
    }
    if !any {
        out.push_str("no points, no errors\n");
    }
    out
}

/// The precision named by a leading `#! precision=…` line, else nanoseconds.
fn directive(body: &[u8]) -> Precision {
    let first = body.split(|&b| b == b'\n').next().unwrap_or_default();
    match std::str::from_utf8(first)
        .unwrap_or_default()
        .strip_prefix("#! precision=")
    {
        Some(precision) => precision
            .parse()
            .expect("a known precision in the directive"),
        None => Precision::Nanosecond,
    }
}

fn dump_point(point: &Point, default_time: Time) -> String {
    let mut out = format!("ok {}", show(&point.name));
    if !point.tags.is_empty() {
        let tags: Vec<String> = point
            .tags
            .iter()
            .map(|(k, v)| format!("{}={}", show(k), show(v)))
            .collect();
        out.push_str(&format!(" {{{}}}", tags.join(", ")));
    }
    let fields: Vec<String> = point
        .fields
        .iter()
        .map(|(k, v)| format!("{}={}", show(k), show_value(v)))
        .collect();
    out.push_str(&format!(" {}", fields.join(", ")));
    match point.time == default_time {
        true => out.push_str(" t=D\n"),
        false => out.push_str(&format!(" t={}\n", point.time.nanos())),
    }
    out
}

fn dump_error(error: &LineError) -> String {
    let message = cut(marked(&error.to_string()));
    format!(
        "err {}:{} {}\n    {message}\n",
        error.line, error.column, error.reason
    )
}

/// `text` if it is short, else its start and end around its length.
fn cut(text: String) -> String {
    if text.len() <= MAX_SHOWN {
        return text;
    }
    let head = text.char_indices().nth(100).map_or(0, |(i, _)| i);
    let tail = text.char_indices().rev().nth(59).map_or(0, |(i, _)| i);
    format!("{}…({} bytes)…{}", &text[..head], text.len(), &text[tail..])
}

/// A value as the spec's table writes it: `1.0:f`, `-1:i`, `7:u`, `true:b`, `` `s`:s ``.
fn show_value(value: &FieldValue) -> String {
    match value {
        FieldValue::Float(v) => format!("{v:?}:f"),
        FieldValue::Integer(v) => format!("{v}:i"),
        FieldValue::Unsigned(v) => format!("{v}:u"),
        FieldValue::Boolean(v) => format!("{v}:b"),
        FieldValue::String(s) => format!("`{}`:s", marked(s)),
    }
}

/// `text` bare if it is a plain word, else between backquotes, control bytes marked.
fn show(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    match plain {
        true => text.to_string(),
        false => format!("`{}`", marked(text)),
    }
}

/// `text` with newlines, carriage returns, tabs, NULs and other control characters
/// written as `<LF>`, `<CR>`, `<TAB>`, `<NUL>`, `<0x..>`.
fn marked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("<LF>"),
            '\r' => out.push_str("<CR>"),
            '\t' => out.push_str("<TAB>"),
            '\0' => out.push_str("<NUL>"),
            c if c.is_control() => out.push_str(&format!("<{:#04x}>", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
