//! Expected against actual: each expected table is compared on the keys it writes (a
//! key left out is not compared), an httpOut body as JSON; a difference is shown as a
//! line diff, one line per alert or endpoint.

use similar::{ChangeTag, TextDiff};

/// The keys an alert beyond the expected ones is shown with.
const ALERT_KEYS: [&str; 3] = ["id", "level", "time"];

/// The keys an httpOut body beyond the expected ones is shown with.
const HTTPOUT_KEYS: [&str; 2] = ["endpoint", "body"];

/// The keys a written point beyond the expected ones is shown with.
const INFLUXDB_KEYS: [&str; 3] = ["db", "rp", "line"];

/// The keys an httpPost request beyond the expected ones is shown with.
const HTTPPOST_KEYS: [&str; 2] = ["url", "body"];

/// The diff of `expected` against `actual` alerts, `None` when they agree.
pub(super) fn alerts(expected: &[toml::Table], actual: &[toml::Table]) -> Option<String> {
    diff("alert", expected, actual, &ALERT_KEYS)
}

/// The diff of `expected` against `actual` httpOut bodies, `None` when they agree.
pub(super) fn httpout(expected: &[toml::Table], actual: &[toml::Table]) -> Option<String> {
    bodies("httpout", expected, actual, &HTTPOUT_KEYS)
}

/// The diff of `expected` against `actual` points written, `None` when they agree.
pub(super) fn influxdb(expected: &[toml::Table], actual: &[toml::Table]) -> Option<String> {
    diff("influxdb", expected, actual, &INFLUXDB_KEYS)
}

/// The diff of `expected` against `actual` httpPost requests, `None` when they agree.
pub(super) fn httppost(expected: &[toml::Table], actual: &[toml::Table]) -> Option<String> {
    bodies("httppost", expected, actual, &HTTPPOST_KEYS)
}

/// [`diff`] of tables whose `body` is compared as JSON.
fn bodies(
    what: &str,
    expected: &[toml::Table],
    actual: &[toml::Table],
    extra_keys: &[&str],
) -> Option<String> {
    let normal = |tables: &[toml::Table]| tables.iter().map(normal_body).collect::<Vec<_>>();
    diff(what, &normal(expected), &normal(actual), extra_keys)
}

/// The table with its `body` rewritten as compact JSON, when it is JSON.
fn normal_body(table: &toml::Table) -> toml::Table {
    let mut table = table.clone();
    if let Some(toml::Value::String(body)) = table.get_mut("body") {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
            *body = json.to_string();
        }
    }
    table
}

/// A line per table, each actual table cut to the keys of the expected table at its
/// place (`extra_keys` past the end), and their diff when the lines differ.
fn diff(
    what: &str,
    expected: &[toml::Table],
    actual: &[toml::Table],
    extra_keys: &[&str],
) -> Option<String> {
    let expected_lines: Vec<String> = expected.iter().map(line).collect();
    let actual_lines: Vec<String> = actual
        .iter()
        .enumerate()
        .map(|(i, table)| {
            let keys: Vec<&str> = match expected.get(i) {
                Some(expected) => expected.keys().map(String::as_str).collect(),
                None => extra_keys.to_vec(),
            };
            line(&cut(table, &keys))
        })
        .collect();
    if expected_lines == actual_lines {
        return None;
    }
    let (old, new) = (expected_lines.join("\n"), actual_lines.join("\n"));
    let mut text = format!(
        "  [[{what}]]: {} expected, {} actual (- expected, + actual)\n",
        expected.len(),
        actual.len()
    );
    for change in TextDiff::from_lines(&old, &new).iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        text.push_str(&format!("  {sign} {}\n", change.value().trim_end()));
    }
    Some(text)
}

/// `table` with only `keys` (a key it lacks shows as missing).
fn cut(table: &toml::Table, keys: &[&str]) -> toml::Table {
    keys.iter()
        .map(|key| {
            let value = table.get(*key).cloned();
            let value = value.unwrap_or_else(|| toml::Value::String("<missing>".into()));
            (key.to_string(), value)
        })
        .collect()
}

/// A table as one line of inline TOML.
fn line(table: &toml::Table) -> String {
    toml::Value::Table(table.clone()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(text: &str) -> Vec<toml::Table> {
        let doc: toml::Table = toml::from_str(text).expect("toml");
        match doc.get("alert") {
            Some(toml::Value::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_table().cloned())
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn keys_left_out_are_not_compared() {
        let expected = tables("[[alert]]\nid = \"a\"\n");
        let actual = tables("[[alert]]\nid = \"a\"\nlevel = \"OK\"\n");
        assert_eq!(alerts(&expected, &actual), None);
    }

    #[test]
    fn a_difference_is_a_line_diff() {
        let expected = tables("[[alert]]\nid = \"a\"\nlevel = \"OK\"\n");
        let actual = tables(
            "[[alert]]\nid = \"a\"\nlevel = \"CRITICAL\"\ntime = \"t\"\n\
             [[alert]]\nid = \"b\"\nlevel = \"OK\"\ntime = \"u\"\n",
        );
        let diff = alerts(&expected, &actual).expect("a diff");
        assert_eq!(
            diff,
            "  [[alert]]: 1 expected, 2 actual (- expected, + actual)\n\
             \x20 - { id = \"a\", level = \"OK\" }\n\
             \x20 + { id = \"a\", level = \"CRITICAL\" }\n\
             \x20 + { id = \"b\", level = \"OK\", time = \"u\" }\n"
        );
    }

    #[test]
    fn bodies_compare_as_json() {
        let expected = vec![toml::toml! { endpoint = "out"
        body = "{\"a\": 1}" }];
        let actual = vec![toml::toml! { endpoint = "out"
        body = "{\"a\":1}" }];
        assert_eq!(httpout(&expected, &actual), None);
    }
}
