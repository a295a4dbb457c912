//! Reading one sideload file into its map: JSON (`.json`) or the flat YAML subset of
//! [`super::yaml`] (`.yml`, `.yaml`), chosen by the file's extension.

use std::collections::HashMap;
use std::path::Path;

use super::value::Value;
use super::yaml::{self, YamlError};

/// Why a file's map could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ParseError {
    /// The extension is not one of a JSON or YAML file.
    #[error("unsupported file extension (use .json, .yml or .yaml)")]
    Extension,
    /// A YAML file is not UTF-8.
    #[error("not UTF-8: {0}")]
    Utf8(#[from] std::str::Utf8Error),
    /// A YAML file outside the supported subset.
    #[error(transparent)]
    Yaml(#[from] YamlError),
    /// Malformed JSON, or JSON that is not an object (serde_json names line and column).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The map in file `path` whose content is `bytes`.
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<HashMap<String, Value>, ParseError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => json(bytes),
        Some("yml" | "yaml") => Ok(yaml::parse(std::str::from_utf8(bytes)?)?),
        _ => Err(ParseError::Extension),
    }
}

/// A JSON object's members; nested and null values become [`Value::Other`].
fn json(bytes: &[u8]) -> Result<HashMap<String, Value>, ParseError> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes)?;
    Ok(map.into_iter().map(|(k, v)| (k, json_value(v))).collect())
}

fn json_value(value: serde_json::Value) -> Value {
    use serde_json::Value as Json;
    match value {
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::Uint(u),
            // serde_json keeps every number it accepts as one of the three
            (None, None) => n.as_f64().map_or(Value::Other("number"), Value::Float),
        },
        Json::String(s) => Value::Str(s),
        Json::Bool(b) => Value::Bool(b),
        Json::Null => Value::Other("null"),
        Json::Array(_) => Value::Other("array"),
        Json::Object(_) => Value::Other("object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_members_keep_their_types() {
        let map = parse(
            Path::new("a.json"),
            br#"{"i": 3, "u": 18446744073709551615, "f": 2.5, "s": "x", "b": true, "n": null, "o": {}}"#,
        )
        .expect("parses");
        assert_eq!(map.get("i"), Some(&Value::Int(3)));
        assert_eq!(map.get("u"), Some(&Value::Uint(u64::MAX)));
        assert_eq!(map.get("f"), Some(&Value::Float(2.5)));
        assert_eq!(map.get("s"), Some(&Value::Str("x".into())));
        assert_eq!(map.get("b"), Some(&Value::Bool(true)));
        assert_eq!(map.get("n"), Some(&Value::Other("null")));
        assert_eq!(map.get("o"), Some(&Value::Other("object")));
    }

    #[test]
    fn the_extension_picks_the_format() {
        let yaml = parse(Path::new("a.yaml"), b"k: 1\n").expect("yaml");
        assert_eq!(yaml.get("k"), Some(&Value::Int(1)));
        let error = parse(Path::new("a.json"), b"{\n\"k\": }").expect_err("malformed");
        assert_eq!(error.to_string(), "expected value at line 2 column 6");
        let error = parse(Path::new("a.json"), b"[1]").expect_err("not an object");
        assert!(error.to_string().contains("expected a map"), "{error}");
        assert!(matches!(
            parse(Path::new("a.txt"), b""),
            Err(ParseError::Extension)
        ));
    }
}
