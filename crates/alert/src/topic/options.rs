//! [`Options`]: typed reads of a topic handler's `options` object (a JSON object, as the
//! alerts API and handler files carry it), refusing keys the handler kind does not have
//! and values of the wrong type, each error naming the option.

use serde_json::{Map, Value};

/// Why a handler's options cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    /// A key the kind does not have.
    #[error("unknown option {option:?} for a {kind} handler, expected one of {expected}")]
    Unknown {
        /// The handler kind.
        kind: String,
        /// The key.
        option: String,
        /// The kind's keys, comma separated.
        expected: String,
    },
    /// A required key is absent.
    #[error("a {kind} handler needs option {option:?}")]
    Missing {
        /// The handler kind.
        kind: String,
        /// The key.
        option: String,
    },
    /// A value of the wrong type.
    #[error("option {option:?} must be {want}, got {got}")]
    Type {
        /// The key.
        option: String,
        /// What it must be.
        want: &'static str,
        /// The value given, as JSON.
        got: String,
    },
}

/// A handler kind's options, checked against its keys.
pub(super) struct Options<'a> {
    kind: &'a str,
    map: &'a Map<String, Value>,
}

impl<'a> Options<'a> {
    /// The options of a `kind` handler, whose keys must all be in `known`.
    pub(super) fn new(
        kind: &'a str,
        map: &'a Map<String, Value>,
        known: &[&str],
    ) -> Result<Self, OptionError> {
        if let Some(option) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(OptionError::Unknown {
                kind: kind.to_string(),
                option: option.clone(),
                expected: known.join(", "),
            });
        }
        Ok(Options { kind, map })
    }

    fn typed<T>(
        &self,
        key: &str,
        want: &'static str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, OptionError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => read(value).map(Some).ok_or_else(|| OptionError::Type {
                option: key.to_string(),
                want,
                got: value.to_string(),
            }),
        }
    }

    /// A string option.
    pub(super) fn string(&self, key: &str) -> Result<Option<String>, OptionError> {
        self.typed(key, "a string", |v| v.as_str().map(str::to_string))
    }

    /// A string option that must be given.
    pub(super) fn required(&self, key: &str) -> Result<String, OptionError> {
        self.string(key)?.ok_or_else(|| OptionError::Missing {
            kind: self.kind.to_string(),
            option: key.to_string(),
        })
    }

    /// An integer option.
    pub(super) fn int(&self, key: &str) -> Result<Option<i64>, OptionError> {
        self.typed(key, "an integer", Value::as_i64)
    }

    /// A boolean option (absent is false).
    pub(super) fn flag(&self, key: &str) -> Result<bool, OptionError> {
        Ok(self
            .typed(key, "true or false", Value::as_bool)?
            .unwrap_or(false))
    }

    /// A list of strings (absent is empty).
    pub(super) fn strings(&self, key: &str) -> Result<Vec<String>, OptionError> {
        let read = |v: &Value| {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_string))
                .collect()
        };
        Ok(self
            .typed(key, "a list of strings", read)?
            .unwrap_or_default())
    }

    /// An object of strings, in key order (absent is empty).
    pub(super) fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, OptionError> {
        let read = |v: &Value| {
            v.as_object()?
                .iter()
                .map(|(k, s)| s.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        };
        Ok(self
            .typed(key, "an object of strings", read)?
            .unwrap_or_default())
    }

    /// A list of objects (`data-list`); empty when absent.
    pub(super) fn objects(&self, key: &str) -> Result<Vec<Map<String, Value>>, OptionError> {
        let read = |v: &Value| match v {
            Value::Array(items) => items.iter().map(|i| i.as_object().cloned()).collect(),
            _ => None,
        };
        Ok(self
            .typed(key, "a list of objects", read)?
            .unwrap_or_default())
    }

    /// A duration: nanoseconds, or text such as `10s`, `1m30s` or `500ms`.
    pub(super) fn duration(&self, key: &str) -> Result<Option<std::time::Duration>, OptionError> {
        let read = |v: &Value| match v {
            Value::Number(n) => n.as_u64().map(std::time::Duration::from_nanos),
            Value::String(s) => tickflow_model::parse_go_duration(s),
            _ => None,
        };
        self.typed(key, "a duration such as \"10s\"", read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn values_are_read_by_type_and_unknown_keys_refused() {
        let options = map(json!({"path": "/tmp/a", "mode": 420, "args": ["a", "b"],
            "headers": {"k": "v"}, "timeout": "1m30s", "flag": true}));
        let known = ["path", "mode", "args", "headers", "timeout", "flag"];
        let read = Options::new("log", &options, &known).expect("known keys");
        assert_eq!(read.required("path"), Ok("/tmp/a".to_string()));
        assert_eq!(read.int("mode"), Ok(Some(420)));
        assert_eq!(read.strings("args"), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(
            read.string_map("headers"),
            Ok(vec![("k".into(), "v".into())])
        );
        assert_eq!(
            read.duration("timeout"),
            Ok(Some(std::time::Duration::from_secs(90)))
        );
        assert_eq!(read.flag("flag"), Ok(true));
        assert_eq!(
            read.string("mode").map_err(|e| e.to_string()),
            Err("option \"mode\" must be a string, got 420".into())
        );
        let err = Options::new("log", &options, &["path"])
            .err()
            .expect("unknown key");
        assert!(err
            .to_string()
            .starts_with("unknown option \"args\" for a log handler"));
    }

    #[test]
    fn missing_required_options_are_named() {
        let options = Map::new();
        let read = Options::new("tcp", &options, &["address"]).expect("no keys");
        assert_eq!(
            read.required("address").map_err(|e| e.to_string()),
            Err("a tcp handler needs option \"address\"".into())
        );
        assert_eq!(read.flag("x"), Ok(false));
    }
}
