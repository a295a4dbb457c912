//! Kapacitor's environment overrides: a variable named after a key's path sets that key,
//! whether or not the file has it.
//!
//! The name is the prefix, then the section, the index of a `[[section]]`, the key and
//! the index in a list, upper-cased with `-` as `_`: `KAPACITOR_HTTP_BIND_ADDRESS` sets
//! `[http] bind-address`, `KAPACITOR_INFLUXDB_0_URLS_0` the first url of the first
//! `[[influxdb]]` (an index one past the last adds a section), `KAPACITOR_HOSTNAME` the
//! top-level `hostname`. `TICKFLOW_` works as `KAPACITOR_` does and wins over it.
//! Variables that name no key are left alone (`KAPACITOR_URL` is the CLI's).
//!
//! The keys and their types come from the defaults ([`Config::default`] and
//! [`super::array_defaults`]), so each value is read as its key's type: a number, a
//! boolean or a string.

use serde::Serialize;
use toml::{Table, Value};

use super::Config;

/// The prefixes, weakest first.
const PREFIXES: [&str; 2] = ["KAPACITOR_", "TICKFLOW_"];

/// An override whose value does not fit its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable {name}={value:?}: expected {expected}")]
pub struct EnvError {
    /// The variable.
    pub name: String,
    /// Its value.
    pub value: String,
    /// What the key takes.
    pub expected: String,
}

/// Where one variable writes.
#[derive(Debug, Clone, PartialEq)]
struct Target {
    /// Keys from the top: `["http", "bind-address"]`, `["influxdb", "0", "urls"]`.
    path: Vec<String>,
    /// The index within a list value.
    item: Option<usize>,
    /// The key's default, whose type the value takes.
    default: Value,
}

/// Applies the overrides among `vars` to the file's `table`.
pub fn apply(
    table: &mut Table,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<(), EnvError> {
    let schema = schema();
    let mut overrides: Vec<(usize, String, String, Target)> = vars
        .into_iter()
        .filter_map(|(name, value)| {
            let (rank, rest) = PREFIXES
                .iter()
                .enumerate()
                .find_map(|(rank, prefix)| Some((rank, name.strip_prefix(prefix)?)))?;
            let target = resolve(rest, &schema)?;
            Some((rank, name.clone(), value, target))
        })
        .collect();
    overrides.sort_by_key(|(rank, ..)| *rank);
    for (_, name, value, target) in overrides {
        let typed =
            typed(&value, &target.default, target.item.is_some()).ok_or_else(|| EnvError {
                name: name.clone(),
                value: value.clone(),
                expected: target.default.type_str().to_string(),
            })?;
        set(table, &target, typed).map_err(|expected| EnvError {
            name,
            value,
            expected,
        })?;
    }
    Ok(())
}

/// The defaults: every key of the top level and of the table sections, and for each
/// `[[section]]` the keys of one default element.
struct Schema {
    top: Table,
    arrays: Vec<(&'static str, Table)>,
}

fn schema() -> Schema {
    Schema {
        top: table_of(&Config::default()),
        arrays: super::array_defaults(),
    }
}

/// A serializable value as a TOML table (empty when it is not one).
pub(super) fn table_of(value: &impl Serialize) -> Table {
    match Value::try_from(value) {
        Ok(Value::Table(table)) => table,
        _ => Table::new(),
    }
}

/// The key an environment name (after its prefix) refers to, if any.
fn resolve(rest: &str, schema: &Schema) -> Option<Target> {
    for (key, default) in &schema.top {
        match default {
            Value::Table(section) => {
                if let Some(inner) = rest.strip_prefix(&format!("{}_", env_name(key))) {
                    if let Some((k, item, d)) = key_in(inner, section) {
                        return Some(target(vec![key.clone(), k], item, d));
                    }
                }
            }
            _ if rest == env_name(key) => return Some(target(vec![key.clone()], None, default)),
            _ => {}
        }
    }
    for (section, element) in &schema.arrays {
        let Some(inner) = rest.strip_prefix(&format!("{}_", env_name(section))) else {
            continue;
        };
        let (index, inner) = inner.split_once('_')?;
        let index: usize = index.parse().ok()?;
        if let Some((k, item, d)) = key_in(inner, element) {
            return Some(target(
                vec![section.to_string(), index.to_string(), k],
                item,
                d,
            ));
        }
    }
    None
}

fn target(path: Vec<String>, item: Option<usize>, default: &Value) -> Target {
    Target {
        path,
        item,
        default: default.clone(),
    }
}

/// The key of `section` that `name` is (`BIND_ADDRESS`, or `URLS_0` for a list item).
fn key_in<'a>(name: &str, section: &'a Table) -> Option<(String, Option<usize>, &'a Value)> {
    section.iter().find_map(|(key, default)| {
        let wanted = env_name(key);
        if name == wanted {
            return Some((key.clone(), None, default));
        }
        let item = name
            .strip_prefix(&wanted)?
            .strip_prefix('_')?
            .parse()
            .ok()?;
        matches!(default, Value::Array(_)).then(|| (key.clone(), Some(item), default))
    })
}

/// A key as Kapacitor names it in the environment.
fn env_name(key: &str) -> String {
    key.to_uppercase().replace('-', "_")
}

/// `text` as a value of the default's type (an item of a list for `item`).
fn typed(text: &str, default: &Value, item: bool) -> Option<Value> {
    Some(match default {
        Value::Integer(_) => Value::Integer(text.parse().ok()?),
        Value::Float(_) => Value::Float(text.parse().ok()?),
        Value::Boolean(_) => Value::Boolean(text.parse().ok()?),
        Value::Array(_) if item => Value::String(text.to_string()),
        Value::Array(_) => Value::Array(
            text.split(',')
                .map(|s| Value::String(s.trim().to_string()))
                .collect(),
        ),
        _ => Value::String(text.to_string()),
    })
}

/// Writes `value` at the target, making the tables and list items on the way; an
/// index more than one past the end is refused (the error says what exists).
fn set(table: &mut Table, target: &Target, value: Value) -> Result<(), String> {
    let (last, parents) = target.path.split_last().ok_or("a key")?;
    let mut here = table;
    let mut segments = parents.iter().peekable();
    while let Some(segment) = segments.next() {
        let next_is_index = segments.peek().is_some_and(|s| s.parse::<usize>().is_ok());
        if next_is_index {
            let index: usize = segments
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or("an index")?;
            let items = here
                .entry(segment.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(items) = items else {
                return Err(format!("[[{segment}]] sections"));
            };
            if index == items.len() {
                items.push(Value::Table(Table::new()));
            }
            let count = items.len();
            here = match items.get_mut(index) {
                Some(Value::Table(element)) => element,
                _ => return Err(format!("an index of at most {count} for [[{segment}]]")),
            };
        } else {
            let section = here
                .entry(segment.clone())
                .or_insert_with(|| Value::Table(Table::new()));
            here = match section {
                Value::Table(section) => section,
                _ => return Err(format!("[{segment}] to be a section")),
            };
        }
    }
    match target.item {
        None => {
            here.insert(last.clone(), value);
        }
        Some(item) => {
            let list = here
                .entry(last.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(list) = list else {
                return Err(format!("{last} to be a list"));
            };
            match item.cmp(&list.len()) {
                std::cmp::Ordering::Less => list[item] = value,
                std::cmp::Ordering::Equal => list.push(value),
                std::cmp::Ordering::Greater => {
                    return Err(format!("an index up to {} for {last}", list.len()))
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Config;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse(text: &str, pairs: &[(&str, &str)]) -> Config {
        Config::parse(text, vars(pairs)).expect("valid").config
    }

    #[test]
    fn overrides_set_keys_of_every_kind_of_section() {
        let config = parse(
            "[[influxdb]]\nname = \"a\"\nurls = [\"http://a:8086\"]\n",
            &[
                ("KAPACITOR_HOSTNAME", "kap"),
                ("KAPACITOR_HTTP_BIND_ADDRESS", ":1"),
                ("TICKFLOW_HTTP_BIND_ADDRESS", ":2"),
                ("KAPACITOR_HTTP_MAX_BODY_SIZE", "42"),
                ("KAPACITOR_INFLUXDB_0_URLS_0", "http://b:8086"),
                ("KAPACITOR_INFLUXDB_0_DEFAULT", "true"),
                ("KAPACITOR_INFLUXDB_1_NAME", "second"),
                ("KAPACITOR_INFLUXDB_1_URLS_0", "http://c:8086"),
                ("KAPACITOR_URL", "http://localhost:9092"),
                ("HOME", "/root"),
            ],
        );
        assert_eq!(config.hostname, "kap");
        assert_eq!(config.http.bind_address, ":2", "TICKFLOW_ wins");
        assert_eq!(config.http.max_body_size, 42);
        assert_eq!(config.influxdb[0].urls, ["http://b:8086"]);
        assert!(config.influxdb[0].default);
        assert_eq!(config.influxdb[1].name, "second");
        assert_eq!(config.influxdb[1].urls, ["http://c:8086"]);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_with_its_name() {
        let err = Config::parse("", vars(&[("KAPACITOR_HTTP_MAX_BODY_SIZE", "big")]))
            .expect_err("not a number");
        assert_eq!(
            err.to_string(),
            "environment variable KAPACITOR_HTTP_MAX_BODY_SIZE=\"big\": expected integer"
        );
        let err = Config::parse("", vars(&[("KAPACITOR_MQTT_3_NAME", "x")]))
            .expect_err("no such section");
        assert_eq!(
            err.to_string(),
            "environment variable KAPACITOR_MQTT_3_NAME=\"x\": expected an index of at most 0 for [[mqtt]]"
        );
    }
}
