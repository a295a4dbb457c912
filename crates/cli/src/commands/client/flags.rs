//! Flags the way Go's `flag` package reads them, so `kapacitor`'s command lines work
//! unchanged: one or two dashes (`-tick f`, `--tick f`, `-tick=f`), boolean flags that
//! take no value (`-no-reload`, or `-no-reload=false`), flags that may repeat (`-dbrp`),
//! and parsing that stops at the first argument that is not a flag (or after `--`).

use std::collections::HashMap;

/// What a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A value; given twice, the last one wins.
    Value,
    /// A value, and every occurrence is kept (`-dbrp a.b -dbrp c.d`).
    Repeated,
    /// No value: present means true, unless written `-flag=false`.
    Bool,
}

/// One flag a command accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flag {
    /// The name without dashes.
    pub(crate) name: &'static str,
    /// What it takes.
    pub(crate) kind: Kind,
    /// One line for the usage text.
    pub(crate) help: &'static str,
}

impl Flag {
    /// A flag taking a value.
    pub(crate) const fn value(name: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            kind: Kind::Value,
            help,
        }
    }

    /// A flag taking a value that may be given more than once.
    pub(crate) const fn repeated(name: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            kind: Kind::Repeated,
            help,
        }
    }

    /// A boolean flag.
    pub(crate) const fn boolean(name: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            kind: Kind::Bool,
            help,
        }
    }
}

/// A command line that does not fit the flags (Go prints this, then the usage, and
/// exits 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FlagError {
    /// `-x` where no flag `x` exists.
    #[error("flag provided but not defined: -{0}")]
    Unknown(String),
    /// A value flag at the end of the line.
    #[error("flag needs an argument: -{0}")]
    MissingValue(String),
    /// `-bool=maybe`.
    #[error("invalid boolean value {value:?} for -{flag}: parse error")]
    BadBool {
        /// The flag.
        flag: String,
        /// What was given.
        value: String,
    },
}

/// The flags found and the arguments after them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    values: HashMap<&'static str, Vec<String>>,
    /// The arguments after the last flag.
    pub(crate) rest: Vec<String>,
}

impl Parsed {
    /// The last value given for `name`, if any.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// The value of `name`, or `""` as Go's flag default.
    pub(crate) fn string(&self, name: &str) -> &str {
        self.value(name).unwrap_or("")
    }

    /// Every value given for `name`, in order.
    pub(crate) fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether the boolean flag `name` is set.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.value(name) == Some("true")
    }
}

/// Reads `args` against `flags`.
pub(crate) fn parse(flags: &[Flag], args: &[String]) -> Result<Parsed, FlagError> {
    let mut parsed = Parsed::default();
    let mut index = 0;
    while index < args.len() {
        let arg = &args[index];
        if arg == "--" {
            index += 1;
            break;
        }
        let Some(body) = flag_body(arg) else {
            break;
        };
        let (name, inline) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (body, None),
        };
        let flag = (flags.iter())
            .find(|f| f.name == name)
            .ok_or_else(|| FlagError::Unknown(name.to_string()))?;
        let value = match (flag.kind, inline) {
            (Kind::Bool, None) => "true".to_string(),
            (Kind::Bool, Some(value)) => go_bool(name, &value)?,
            (_, Some(value)) => value,
            (_, None) => {
                index += 1;
                (args.get(index).cloned()).ok_or_else(|| FlagError::MissingValue(name.into()))?
            }
        };
        parsed.values.entry(flag.name).or_default().push(value);
        index += 1;
    }
    parsed.rest = args[index.min(args.len())..].to_vec();
    Ok(parsed)
}

/// The name (and `=value`) of a flag argument, without its one or two dashes; `None` for
/// an argument that is not a flag (`-` alone is not one).
fn flag_body(arg: &str) -> Option<&str> {
    let body = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    (!body.is_empty() && !body.starts_with('-') && !body.starts_with('=')).then_some(body)
}

/// Go's `strconv.ParseBool`, as `"true"` or `"false"`.
fn go_bool(flag: &str, value: &str) -> Result<String, FlagError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok("true".into()),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok("false".into()),
        _ => Err(FlagError::BadBool {
            flag: flag.into(),
            value: value.into(),
        }),
    }
}

/// The flags' lines of a usage text, as Go's `PrintDefaults` lays them out.
pub(crate) fn defaults(flags: &[Flag]) -> String {
    let mut text = String::new();
    for flag in flags {
        let arg = if flag.kind == Kind::Bool {
            ""
        } else {
            " string"
        };
        text.push_str(&format!("  -{}{arg}\n    \t{}\n", flag.name, flag.help));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        Flag::value("tick", "t"),
        Flag::repeated("dbrp", "d"),
        Flag::boolean("no-reload", "n"),
    ];

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn reads_go_style_flags_until_the_first_argument() {
        let parsed = parse(
            FLAGS,
            &args("-tick a.tick --dbrp db.rp -dbrp=x.y -no-reload id more"),
        )
        .expect("parses");
        assert_eq!(parsed.value("tick"), Some("a.tick"));
        assert_eq!(parsed.all("dbrp"), ["db.rp", "x.y"]);
        assert!(parsed.flag("no-reload"));
        assert_eq!(parsed.rest, ["id", "more"]);
    }

    #[test]
    fn a_boolean_takes_no_following_value_and_double_dash_ends_flags() {
        let parsed = parse(FLAGS, &args("-no-reload=false -- -tick")).expect("parses");
        assert!(!parsed.flag("no-reload"));
        assert_eq!(parsed.rest, ["-tick"]);
    }

    #[test]
    fn refuses_what_go_refuses() {
        let unknown = parse(FLAGS, &args("-name x")).expect_err("unknown");
        assert_eq!(unknown.to_string(), "flag provided but not defined: -name");
        let missing = parse(FLAGS, &args("-tick")).expect_err("missing");
        assert_eq!(missing.to_string(), "flag needs an argument: -tick");
        let bad = parse(FLAGS, &args("-no-reload=maybe")).expect_err("bad bool");
        assert_eq!(
            bad.to_string(),
            "invalid boolean value \"maybe\" for -no-reload: parse error"
        );
    }
}
