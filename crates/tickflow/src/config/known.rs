//! What the keys no section reads are: a [`Warning`] with the key's line, saying whether
//! it is one of Kapacitor's settings that tickflow does not use yet (so a whole
//! `kapacitor.conf` loads quietly enough to read) or unknown, most likely a typo.

use std::fmt;

use toml::de::{DeTable, DeValue};

/// A key of the file that no section reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The key's path: section, index of a `[[section]]`, key.
    pub path: Vec<String>,
    /// The line it is on (1-based), when it is in the file.
    pub line: Option<usize>,
    /// Whether Kapacitor has it.
    pub kapacitor: bool,
}

/// The warnings for the key `paths` no section read, each with its line in the file's
/// `text` (parsed once for them all).
pub(crate) fn warnings(paths: Vec<Vec<String>>, text: &str) -> Vec<Warning> {
    if paths.is_empty() {
        return Vec::new();
    }
    let document = DeTable::parse(text).ok();
    paths
        .into_iter()
        .map(|path| Warning {
            line: document
                .as_ref()
                .and_then(|document| line_of(&path, document.get_ref(), text)),
            kapacitor: is_kapacitors(&path),
            path,
        })
        .collect()
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        let path = self.path.join(".");
        match (self.kapacitor, self.path.len()) {
            (true, 1) => write!(
                f,
                "[{path}] is a Kapacitor section tickflow does not use yet"
            ),
            (true, _) => write!(f, "{path} is a Kapacitor setting tickflow does not use yet"),
            (false, _) => write!(f, "unknown key {path}"),
        }
    }
}

/// The segments of an ignored key's path.
pub(crate) fn key_path(path: &serde_ignored::Path<'_>) -> Vec<String> {
    let mut segments = Vec::new();
    push_segments(path, &mut segments);
    segments
}

fn push_segments(path: &serde_ignored::Path<'_>, out: &mut Vec<String>) {
    use serde_ignored::Path;
    match path {
        Path::Root => {}
        Path::Seq { parent, index } => {
            push_segments(parent, out);
            out.push(index.to_string());
        }
        Path::Map { parent, key } => {
            push_segments(parent, out);
            out.push(key.clone());
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => push_segments(parent, out),
    }
}

/// The line of the key at `path` in `document`, parsed from `text`.
fn line_of(path: &[String], document: &DeTable<'_>, text: &str) -> Option<usize> {
    let mut table = document;
    let mut start = None;
    let mut segments = path.iter().peekable();
    while let Some(segment) = segments.next() {
        let (key, value) = table.iter().find(|(k, _)| k.get_ref() == segment)?;
        start = Some(key.span().start);
        let mut value = value;
        if let (DeValue::Array(items), Some(index)) = (value.get_ref(), segments.peek()) {
            let item = items.get(index.parse::<usize>().ok()?)?;
            start = Some(item.span().start);
            segments.next();
            value = item;
        }
        match value.get_ref() {
            DeValue::Table(inner) => table = inner,
            _ => break,
        }
    }
    start.map(|offset| text[..offset.min(text.len())].matches('\n').count() + 1)
}

/// Whether Kapacitor's configuration has this key: one of its sections tickflow does
/// not read, or a key of a section tickflow reads only in part.
fn is_kapacitors(path: &[String]) -> bool {
    match path {
        [section] => KAPACITOR_SECTIONS.contains(&section.as_str()),
        [section, key] => KAPACITOR_KEYS
            .iter()
            .any(|(s, keys)| s == section && keys.contains(&key.as_str())),
        [section, _index, key] => KAPACITOR_ARRAY_KEYS
            .iter()
            .any(|(s, keys)| s == section && keys.contains(&key.as_str())),
        _ => false,
    }
}

/// Kapacitor's top-level keys and sections that tickflow does not read.
const KAPACITOR_SECTIONS: &[&str] = &[
    "data_dir",
    "skip-config-overrides",
    "config-override",
    "logging",
    "replay",
    "task",
    "deadman",
    "kubernetes",
    "reporting",
    "stats",
    "swarm",
    "collectd",
    "opentsdb",
    "fluxtask",
    "scraper",
    "azure",
    "consul",
    "dns",
    "ec2",
    "file-discovery",
    "gce",
    "marathon",
    "nerve",
    "serverset",
    "static-discovery",
    "triton",
    "alert",
];

/// Kapacitor's keys of the alert services tickflow reads that it does not use yet (an
/// alert goes to a service only through a handler the script or a topic names).
const SERVICE_UNREAD: &[&str] = &["global", "state-changes-only"];

/// Kapacitor's `[[kafka]]` keys of the SASL mechanisms tickflow does not support
/// (GSSAPI, OAUTHBEARER).
const KAFKA_UNREAD: &[&str] = &[
    "sasl-gssapi-service-name",
    "sasl-gssapi-auth-type",
    "sasl-gssapi-disable-pafxfast",
    "sasl-gssapi-kerberos-config-path",
    "sasl-gssapi-key-tab-path",
    "sasl-gssapi-realm",
    "sasl-oauth-service",
    "sasl-oauth-client-id",
    "sasl-oauth-client-secret",
    "sasl-oauth-token-url",
    "sasl-oauth-token-expiry-margin",
    "sasl-oauth-scopes",
    "sasl-oauth-tenant-id",
    "sasl-oauth-parameters",
    "sasl-access-token",
];

/// Kapacitor's keys of the sections tickflow reads that it does not use.
const KAPACITOR_KEYS: &[(&str, &[&str])] = &[
    ("storage", &["boltdb"]),
    ("slack", SERVICE_UNREAD),
    ("telegram", SERVICE_UNREAD),
    ("victorops", SERVICE_UNREAD),
    ("pagerduty", SERVICE_UNREAD),
    ("pagerduty2", SERVICE_UNREAD),
    ("opsgenie", SERVICE_UNREAD),
    ("opsgenie2", SERVICE_UNREAD),
    ("alerta", SERVICE_UNREAD),
    ("teams", SERVICE_UNREAD),
    ("bigpanda", SERVICE_UNREAD),
    ("pushover", SERVICE_UNREAD),
    ("talk", SERVICE_UNREAD),
    ("hipchat", SERVICE_UNREAD),
    ("servicenow", SERVICE_UNREAD),
    ("zenoss", SERVICE_UNREAD),
    ("sensu", SERVICE_UNREAD),
    ("smtp", SERVICE_UNREAD),
    ("snmptrap", SERVICE_UNREAD),
    ("kafka", KAFKA_UNREAD),
    (
        "http",
        &[
            "log-enabled",
            "write-tracing",
            "pprof-enabled",
            "https-enabled",
            "https-certificate",
            "https-private-key",
            "shutdown-timeout",
            "shared-secret",
        ],
    ),
];

/// Kapacitor's keys of the `[[sections]]` tickflow reads that it does not use.
const KAPACITOR_ARRAY_KEYS: &[(&str, &[&str])] = &[
    ("slack", SERVICE_UNREAD),
    ("discord", SERVICE_UNREAD),
    ("kafka", KAFKA_UNREAD),
    (
        "influxdb",
        &[
            "ssl-ca",
            "ssl-cert",
            "ssl-key",
            "insecure-skip-verify",
            "timeout",
            "disable-subscriptions",
            "subscription-protocol",
            "subscription-mode",
            "subscription-path",
            "subscriptions-sync-interval",
            "kapacitor-hostname",
            "http-port",
            "udp-bind",
            "udp-buffer",
            "udp-read-buffer",
            "startup-timeout",
            "subscriptions",
            "excluded-subscriptions",
            "compression",
        ],
    ),
    (
        "mqtt",
        &["ssl-ca", "ssl-cert", "ssl-key", "insecure-skip-verify"],
    ),
    ("udp", &["batch-size", "batch-pending", "batch-timeout"]),
    (
        "httppost",
        &["basic-auth", "alert-template-file", "row-template-file"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(path: &[&str], text: &str) -> String {
        let path = path.iter().map(ToString::to_string).collect();
        warnings(vec![path], text)[0].to_string()
    }

    #[test]
    fn warnings_name_the_line_and_what_the_key_is() {
        let text = "hostname = \"h\"\n[http]\n  bind-adress = \":1\"\n  https-enabled = false\n\
                    [collectd]\n  enabled = true\n[[influxdb]]\n  name = \"a\"\n\
                    [[influxdb]]\n  name = \"b\"\n  timeout = \"1s\"\n";
        assert_eq!(
            warning(&["http", "bind-adress"], text),
            "line 3: unknown key http.bind-adress"
        );
        assert_eq!(
            warning(&["http", "https-enabled"], text),
            "line 4: http.https-enabled is a Kapacitor setting tickflow does not use yet"
        );
        assert_eq!(
            warning(&["collectd"], text),
            "line 5: [collectd] is a Kapacitor section tickflow does not use yet"
        );
        assert_eq!(
            warning(&["influxdb", "1", "timeout"], text),
            "line 11: influxdb.1.timeout is a Kapacitor setting tickflow does not use yet"
        );
        assert_eq!(warning(&["nope"], "x = 1\n"), "unknown key nope");
    }
}
