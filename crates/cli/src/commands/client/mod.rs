//! The `kapacitor` CLI inside `tickflow`: the client verbs (`define`, `enable`, `list`,
//! `show TASK_ID`, `stats`…) that talk to a running server, with Kapacitor's Go-style
//! flags (`-url`, `-tick`, `-dbrp`…) and output, so a script written for `kapacitor`
//! works with `tickflow` in its place.
//!
//! `main` hands the command line to [`dispatch`] first; what is not a client command
//! (or is `show FILE`, the offline `show` of a script file) goes on to clap.
//!
//! Exit codes are Kapacitor's: 0 success; 1 an unknown verb; 2 bad usage (the usage text
//! is printed); 3 the request failed (the server's error is printed, as Kapacitor prints
//! it, on stderr).

mod api;
mod dbrp;
mod debug;
mod delete;
mod flags;
mod go_fmt;
mod list;
mod logs;
mod tasks;
mod templates;
mod topics;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use api::{Api, DEFAULT_URL};
use flags::{Flag, FlagError};

/// A command line that does not fit the verb: printed with the verb's usage, exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct Usage {
    /// What is wrong, printed first (may be empty).
    message: String,
    /// The verb's usage text.
    usage: String,
}

impl Usage {
    /// `message`, then `usage`.
    pub(crate) fn new(message: impl Into<String>, usage: impl Into<String>) -> Usage {
        Usage {
            message: message.into(),
            usage: usage.into(),
        }
    }

    /// A flag error with the usage of the verb and its flags.
    pub(crate) fn flags(error: &FlagError, usage: &str, flags: &[Flag]) -> Usage {
        Usage::new(
            error.to_string(),
            format!("{usage}\nOptions:\n{}", flags::defaults(flags)),
        )
    }
}

/// A verb of the client.
type Verb = fn(&Api, &[String]) -> anyhow::Result<()>;

/// The client verbs, by name, with their one-line summaries for `tickflow help`.
const VERBS: &[(&str, Verb, &str)] = &[
    ("define", tasks::define, "Create/update a task."),
    (
        "define-template",
        templates::define,
        "Create/update a template.",
    ),
    (
        "define-topic-handler",
        topics::define_handler,
        "Create/update an alert handler for a topic.",
    ),
    ("watch", logs::watch, "Watch logs for a task."),
    ("logs", logs::logs, "Follow arbitrary Kapacitor logs."),
    (
        "enable",
        tasks::enable,
        "Enable and start running a task with live data.",
    ),
    ("disable", tasks::disable, "Stop running a task."),
    (
        "reload",
        tasks::reload,
        "Reload a running task with an updated task definition.",
    ),
    (
        "delete",
        delete::run,
        "Delete tasks, templates, recordings, replays, topics or topic-handlers.",
    ),
    (
        "list",
        list::run,
        "List information about tasks, templates, recordings, replays, topics, topic-handlers or service-tests.",
    ),
    (
        "show",
        tasks::show,
        "Display detailed information about a task.",
    ),
    (
        "show-template",
        templates::show,
        "Display detailed information about a template.",
    ),
    (
        "show-topic-handler",
        topics::show_handler,
        "Display detailed information about an alert handler for a topic.",
    ),
    (
        "show-topic",
        topics::show,
        "Display detailed information about an alert topic.",
    ),
    ("backup", debug::backup, "Backup the Kapacitor database."),
    (
        "level",
        debug::level,
        "Sets the logging level on the kapacitord server.",
    ),
    ("stats", debug::stats, "Display various stats about Kapacitor."),
    ("vars", debug::vars, "Print debug vars in JSON format."),
    ("service-tests", debug::service_tests_run, "Test a service."),
];

/// The flags that come before the verb.
const GLOBAL: &[Flag] = &[
    Flag::value(
        "url",
        "The URL http(s)://host:port of the kapacitord server. Defaults to the KAPACITOR_URL environment variable or http://localhost:9092 if not set.",
    ),
    Flag::boolean(
        "skipVerify",
        "Disable SSL verification (note, this is insecure). Defaults to the KAPACITOR_UNSAFE_SSL environment variable or false if not set.",
    ),
];

/// The help text listing the client verbs, for `tickflow --help`.
pub(crate) fn help() -> String {
    let mut text = String::from(
        "Kapacitor's client commands (talk to a server; global flags go before the verb):\n  \
         tickflow [-url http://host:9092] [-skipVerify] <verb> [args]\n\n",
    );
    for (name, _, summary) in VERBS {
        text.push_str(&format!("  {name:<22}{summary}\n"));
    }
    text.push_str(
        "\n`show TASK_ID` asks the server; `show FILE` (an existing file, or a name ending in \
         .tick, or with --dot/--vars) shows a script's pipeline offline.\n\
         `tickflow help <verb>` prints a verb's usage.",
    );
    text
}

/// Runs the command line `args` (program name first) if it is a client command; `None`
/// hands it to clap.
pub(crate) fn dispatch(args: Vec<OsString>) -> Option<ExitCode> {
    let args: Vec<String> = (args.into_iter().skip(1))
        .map(|a| a.into_string())
        .collect::<Result<_, _>>()
        .ok()?;
    let has_globals = args.first().is_some_and(|a| a.starts_with('-'))
        && !matches!(args[0].as_str(), "-h" | "--help" | "-V" | "--version");
    let global = match flags::parse(GLOBAL, &args) {
        Ok(global) => global,
        Err(error) if has_globals => return Some(usage_exit(&Usage::flags(&error, "", GLOBAL))),
        Err(_) => return None,
    };
    let Some((verb, rest)) = global.rest.split_first() else {
        return has_globals.then(|| unknown("Error: Must pass a command."));
    };
    if verb == "help" && !has_globals {
        return help_verb(rest);
    }
    let Some((_, run, _)) = VERBS.iter().find(|(name, _, _)| name == verb) else {
        return has_globals.then(|| unknown(&format!("Unknown command {verb}")));
    };
    if verb == "show" && !has_globals && is_offline_show(rest) {
        return None;
    }
    let api = Api::new(&url(global.value("url")), skip_verify(&global));
    Some(report(run(&api, rest)))
}

/// After global flags, no verb or one that is not a client verb: the message and the list
/// of verbs, exit 1 (as Kapacitor).
fn unknown(message: &str) -> ExitCode {
    eprintln!("{message}\n\n{}", help());
    ExitCode::from(1)
}

/// `tickflow help <verb>` for a client verb: its usage; other verbs go to clap.
fn help_verb(rest: &[String]) -> Option<ExitCode> {
    let verb = rest.first()?;
    VERBS.iter().find(|(name, _, _)| name == verb)?;
    let usage = usage_of(verb);
    eprintln!("{usage}");
    Some(ExitCode::SUCCESS)
}

/// The usage text of a client verb.
fn usage_of(verb: &str) -> String {
    match verb {
        "define" => tasks::define_usage(),
        "define-template" => templates::define_usage(),
        "define-topic-handler" => topics::DEFINE_HANDLER_USAGE.into(),
        "watch" => logs::WATCH_USAGE.into(),
        "logs" => logs::LOGS_USAGE.into(),
        "enable" => tasks::ENABLE_USAGE.into(),
        "disable" => tasks::DISABLE_USAGE.into(),
        "reload" => tasks::RELOAD_USAGE.into(),
        "delete" => delete::USAGE.into(),
        "list" => list::USAGE.into(),
        "show" => tasks::show_usage(),
        "show-template" => templates::SHOW_USAGE.into(),
        "show-topic-handler" => topics::SHOW_HANDLER_USAGE.into(),
        "show-topic" => topics::SHOW_USAGE.into(),
        "backup" => debug::BACKUP_USAGE.into(),
        "level" => debug::LEVEL_USAGE.into(),
        "stats" => debug::STATS_USAGE.into(),
        "vars" => debug::VARS_USAGE.into(),
        _ => debug::SERVICE_TESTS_USAGE.into(),
    }
}

/// Whether `show <args>` is the offline `show` of a script file: double-dash flags
/// (`--dot`, `--vars`), or one argument that is an existing file or ends in `.tick`.
fn is_offline_show(args: &[String]) -> bool {
    if args.iter().any(|a| a.starts_with("--")) {
        return true;
    }
    match args {
        [only] => only.ends_with(".tick") || Path::new(only).is_file(),
        _ => false,
    }
}

/// `-url`, else `KAPACITOR_URL`, else the default.
fn url(flag: Option<&str>) -> String {
    let env = std::env::var("KAPACITOR_URL")
        .ok()
        .filter(|u| !u.is_empty());
    flag.filter(|u| !u.is_empty())
        .map(String::from)
        .or(env)
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// `-skipVerify`, else `KAPACITOR_UNSAFE_SSL` (`true`, `1`…).
fn skip_verify(global: &flags::Parsed) -> bool {
    global.flag("skipVerify")
        || std::env::var("KAPACITOR_UNSAFE_SSL")
            .is_ok_and(|v| matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True"))
}

/// The exit code of a verb's result, after printing its error.
fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => match error.downcast_ref::<Usage>() {
            Some(usage) => usage_exit(usage),
            None => {
                eprintln!("{error:#}");
                ExitCode::from(3)
            }
        },
    }
}

fn usage_exit(usage: &Usage) -> ExitCode {
    if !usage.message.is_empty() {
        eprintln!("{}", usage.message);
    }
    eprintln!("{}", usage.usage);
    ExitCode::from(2)
}

/// Reads a file a verb was given, with Go's wording for a failure (`open <path>: …`).
pub(crate) fn read_file(path: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("open {path}: {}", io_text(&e)))
}

/// An I/O error's text without Rust's `(os error N)` suffix, lowercased as Go prints it.
fn io_text(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every entry of the list endpoint `V1/<kind>` (`tasks`, `templates`, `recordings`,
/// `replays`) whose id matches the glob `pattern`, with `fields` (and id and link), a
/// hundred at a time as Kapacitor's CLI pages.
pub(crate) fn entries(
    api: &Api,
    kind: &str,
    pattern: &str,
    fields: &[&str],
) -> anyhow::Result<Vec<serde_json::Value>> {
    const LIMIT: usize = 100;
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let (offset_text, limit_text) = (offset.to_string(), LIMIT.to_string());
        let mut query = vec![
            ("pattern", pattern),
            ("offset", offset_text.as_str()),
            ("limit", limit_text.as_str()),
        ];
        query.extend(fields.iter().map(|f| ("fields", *f)));
        let mut list: serde_json::Map<String, serde_json::Value> = api
            .get(&format!("{}/{kind}", api::V1), &query)?
            .expect(&[200])?;
        let page = match list.remove(kind) {
            Some(serde_json::Value::Array(page)) => page,
            _ => Vec::new(),
        };
        let full = page.len() == LIMIT;
        all.extend(page);
        if !full {
            return Ok(all);
        }
        offset += LIMIT;
    }
}

/// The `id` of each entry.
pub(crate) fn ids(entries: &[serde_json::Value]) -> Vec<String> {
    (entries.iter())
        .filter_map(|e| e.get("id").and_then(serde_json::Value::as_str))
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn show_of_a_script_file_stays_offline() {
        assert!(is_offline_show(&strings(&["cpu.tick"])));
        assert!(is_offline_show(&strings(&["x", "--dot"])));
        assert!(is_offline_show(&strings(&["Cargo.toml"])) == Path::new("Cargo.toml").is_file());
        assert!(!is_offline_show(&strings(&["cpu_alert"])));
        assert!(!is_offline_show(&strings(&["-replay", "r1", "cpu_alert"])));
    }

    #[test]
    fn the_url_flag_wins_over_the_default() {
        assert_eq!(url(Some("http://h:1")), "http://h:1");
    }

    #[test]
    fn io_errors_read_as_go_prints_them() {
        let error = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io_text(&error), "entity not found");
    }
}
