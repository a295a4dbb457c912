//! [`Config::to_toml`]: the effective configuration as TOML, as `kapacitord config`
//! prints it, with every secret replaced by `"<redacted>"` (an empty one stays empty, so
//! the reader sees whether it is set).

use toml::{Table, Value};

use super::Config;

/// Keys whose values are secrets, in any section.
const SECRETS: &[&str] = &[
    "password",
    "token",
    "secret",
    "shared-secret",
    "api-key",
    "service-key",
    "routing-key",
    "access-token",
    "auth-token",
    "user-key",
];

/// What a secret is shown as.
const REDACTED: &str = "<redacted>";

impl Config {
    /// The configuration as TOML text, secrets redacted.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        let mut table = super::env::table_of(self);
        redact(&mut table);
        toml::to_string(&table)
    }
}

/// Whether option `key` holds a secret.
pub(super) fn is_secret(key: &str) -> bool {
    SECRETS.contains(&key)
}

/// Replaces the non-empty values of secret keys, at any depth.
fn redact(table: &mut Table) {
    for (key, value) in table.iter_mut() {
        match value {
            Value::String(text) if is_secret(key) && !text.is_empty() => {
                *text = REDACTED.to_string();
            }
            Value::Table(inner) => redact(inner),
            Value::Array(items) => items.iter_mut().for_each(|item| {
                if let Value::Table(inner) = item {
                    redact(inner);
                }
            }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_effective_configuration_hides_its_secrets() {
        let loaded = Config::parse(
            "[[influxdb]]\nname = \"a\"\nurls = [\"http://a:8086\"]\npassword = \"hunter2\"\n\
             [[mqtt]]\nname = \"m\"\nurl = \"tcp://h:1883\"\n",
            [],
        )
        .expect("valid");
        let text = loaded.config.to_toml().expect("serializes");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("password = \"<redacted>\""), "{text}");
        assert!(text.contains("bind-address = \":9092\""), "{text}");
        let again = Config::parse(&text, []).expect("the output reads back");
        assert_eq!(again.config.influxdb[0].password, REDACTED);
        assert_eq!(again.config.mqtt[0].password, "");
        assert_eq!(again.config.http, loaded.config.http);
    }
}
