//! The task verbs: `define` (create or update, then reload an enabled task), `enable`,
//! `disable`, `reload` (ids or glob patterns) and `show TASK_ID`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::api::{segment, Api, Method, V1};
use super::flags::{self, Flag};
use super::go_fmt::{self, Dbrp};
use super::{dbrp, entries, ids, read_file, Usage};

/// A var as the API gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Var {
    /// `string`, `duration`, `lambda`…
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The value (`null` for a template's var without a default).
    pub(crate) value: Value,
    /// The comment above the var's declaration.
    pub(crate) description: String,
}

/// A task as `GET /tasks/<id>` and the task list give it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub(crate) struct Task {
    id: String,
    template_id: String,
    #[serde(rename = "type")]
    kind: String,
    dbrps: Vec<Dbrp>,
    script: String,
    vars: BTreeMap<String, Var>,
    dot: String,
    status: String,
    executing: bool,
    error: String,
    created: String,
    modified: String,
    last_enabled: String,
}

/// The path of task `id`.
fn task_path(id: &str) -> String {
    format!("{V1}/tasks/{}", segment(id))
}

const DEFINE_FLAGS: &[Flag] = &[
    Flag::value("tick", "Path to the TICKscript"),
    Flag::value("type", "The task type (stream|batch)"),
    Flag::value("template", "Optional template ID"),
    Flag::value("vars", "Optional path to a JSON vars file"),
    Flag::value(
        "file",
        "Optional path to a YAML or JSON template task file. If id is given in the task file, it must match the Task id given on the command line.",
    ),
    Flag::boolean("no-reload", "Do not reload the task even if it is enabled"),
    Flag::repeated(
        "dbrp",
        "A database and retention policy pair of the form \"db\".\"rp\" the quotes are optional. The flag can be specified multiple times.",
    ),
];

const DEFINE_USAGE: &str = "Usage: tickflow define <task ID> [options]

\tCreate or update a task.

\tA task is defined via a TICKscript that defines the data processing pipeline of the task.

\tIf an option is absent it will be left unmodified.

\tIf the task is enabled then it will be reloaded unless -no-reload is specified.

For example:

\tYou must define a task for the first time with all the flags.

\t\t$ tickflow define my_task -tick path/to/TICKscript -type stream -dbrp mydb.myrp

\tLater you can change a single property of the task by referencing its name
\tand only providing the single option you wish to modify.

\t\t$ tickflow define my_task -tick path/to/TICKscript

\tor

\t\t$ tickflow define my_task -dbrp mydb.myrp -dbrp otherdb.default

\tNOTE: you must specify all 'dbrp' flags you desire if you wish to modify them.
";

/// `define`'s usage with its flags.
pub(crate) fn define_usage() -> String {
    format!(
        "{DEFINE_USAGE}\nOptions:\n{}",
        flags::defaults(DEFINE_FLAGS)
    )
}

/// What a `-file` task file holds (YAML or JSON).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct TaskFile {
    id: String,
    template_id: String,
    dbrps: Vec<Dbrp>,
    vars: Map<String, Value>,
}

/// The fields `define` sends: only those given, as Kapacitor's client leaves empty ones
/// out.
fn definition(parsed: &flags::Parsed) -> anyhow::Result<Map<String, Value>> {
    let mut body = Map::new();
    if let Some(path) = parsed.value("tick").filter(|p| !p.is_empty()) {
        body.insert("script".into(), read_file(path)?.into());
    }
    if let kind @ ("stream" | "batch") = parsed.string("type") {
        body.insert("type".into(), kind.into());
    }
    if let Some(template) = parsed.value("template").filter(|t| !t.is_empty()) {
        body.insert("template-id".into(), template.into());
    }
    let dbrps = (parsed.all("dbrp").iter())
        .map(|value| {
            dbrp::parse(value).map_err(|e| {
                Usage::new(
                    format!("invalid value {value:?} for flag -dbrp: {e}"),
                    define_usage(),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !dbrps.is_empty() {
        body.insert("dbrps".into(), serde_json::to_value(dbrps)?);
    }
    if let Some(path) = parsed.value("vars").filter(|p| !p.is_empty()) {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("failed to open file {path}"))?;
        let vars: Map<String, Value> =
            serde_json::from_str(&text).with_context(|| format!("invalid JSON in file {path}"))?;
        if !vars.is_empty() {
            body.insert("vars".into(), Value::Object(vars));
        }
    }
    Ok(body)
}

/// The fields of a `-file` task file, checked against the id on the command line.
fn file_definition(id: &str, path: &str) -> anyhow::Result<Map<String, Value>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("failed to open file {path}"))?;
    let file: TaskFile = match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => serde_yaml_ng::from_str(&text)
            .with_context(|| format!("failed to unmarshal yaml task vars file {path:?}"))?,
        Some("json") => serde_json::from_str(&text)
            .with_context(|| format!("failed to unmarshal json task vars file {path:?}"))?,
        _ => anyhow::bail!("bad file extension. Must be YAML or JSON"),
    };
    if !file.id.is_empty() && file.id != id {
        anyhow::bail!("Task id given on command line does not match id in {path}");
    }
    let mut body = Map::new();
    if !file.template_id.is_empty() {
        body.insert("template-id".into(), file.template_id.into());
    }
    if !file.dbrps.is_empty() {
        body.insert("dbrps".into(), serde_json::to_value(file.dbrps)?);
    }
    if !file.vars.is_empty() {
        body.insert("vars".into(), Value::Object(file.vars));
    }
    Ok(body)
}

/// `define <id> [flags]`: creates the task disabled, or updates the fields given; an
/// enabled task is then disabled and enabled again unless `-no-reload`.
pub(crate) fn define(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let Some((id, rest)) = args.split_first().filter(|(id, _)| !id.starts_with('-')) else {
        return Err(Usage::new("Must provide a task ID.", define_usage()).into());
    };
    let parsed = flags::parse(DEFINE_FLAGS, rest)
        .map_err(|e| Usage::flags(&e, DEFINE_USAGE, DEFINE_FLAGS))?;
    let mut body = match parsed.value("file").filter(|f| !f.is_empty()) {
        Some(file) => file_definition(id, file)?,
        None => definition(&parsed)?,
    };
    let path = task_path(id);
    let existing = (api.get(&path, &[]).ok())
        .and_then(|reply| reply.expect::<Task>(&[200]).ok())
        .filter(|task| !task.id.is_empty());
    match &existing {
        None => {
            body.insert("id".into(), id.as_str().into());
            if parsed.value("file").is_none() {
                body.insert("status".into(), "disabled".into());
            }
            let reply = api.send(Method::Post, &format!("{V1}/tasks"), &Value::Object(body))?;
            reply.check(&[200])?;
        }
        Some(_) => set(api, &path, Value::Object(body))?,
    }
    let enabled = existing.is_some_and(|task| task.status == "enabled");
    if enabled && !parsed.flag("no-reload") {
        set(api, &path, json!({"status": "disabled"}))?;
        set(api, &path, json!({"status": "enabled"}))?;
    }
    Ok(())
}

/// `PATCH path` with `body`, expecting 200.
fn set(api: &Api, path: &str, body: Value) -> anyhow::Result<()> {
    api.send(Method::Patch, path, &body)?.check(&[200])?;
    Ok(())
}

/// Sets the status of every task matching each pattern.
fn set_status(api: &Api, patterns: &[String], status: &str, verb: &str) -> anyhow::Result<()> {
    for pattern in patterns {
        let tasks = entries(api, "tasks", pattern, &["link"]).context("listing tasks")?;
        for id in ids(&tasks) {
            set(api, &task_path(&id), json!({ "status": status }))
                .with_context(|| format!("{verb} task {id}"))?;
        }
    }
    Ok(())
}

/// `enable`'s usage.
pub(crate) const ENABLE_USAGE: &str = "Usage: tickflow enable [task ID...]

\tEnable and start a task running from the live data.

For example:

\tYou can enable by specific task ID.

\t\t$ tickflow enable cpu_alert

\tOr, you can enable by glob:

\t\t$ tickflow enable *_alert
";

/// `disable`'s usage.
pub(crate) const DISABLE_USAGE: &str = "Usage: tickflow disable [task ID...]

\tDisable and stop a task running.

For example:

\tYou can disable by specific task ID.

\t\t$ tickflow disable cpu_alert

\tOr, you can disable by glob:

\t\t$ tickflow disable *_alert
";

/// `reload`'s usage.
pub(crate) const RELOAD_USAGE: &str = "Usage: tickflow reload [task ID...]

\tDisable then enable a running task.

For example:

\tYou can reload by specific task ID.

\t\t$ tickflow reload cpu_alert

\tOr, you can reload by glob:

\t\t$ tickflow reload *_alert
";

fn need_ids(args: &[String], usage: &str) -> anyhow::Result<()> {
    if args.is_empty() {
        return Err(Usage::new("Must pass at least one task ID", usage).into());
    }
    Ok(())
}

/// `enable <id-or-glob>…`.
pub(crate) fn enable(api: &Api, args: &[String]) -> anyhow::Result<()> {
    need_ids(args, ENABLE_USAGE)?;
    set_status(api, args, "enabled", "enabling")
}

/// `disable <id-or-glob>…`.
pub(crate) fn disable(api: &Api, args: &[String]) -> anyhow::Result<()> {
    need_ids(args, DISABLE_USAGE)?;
    set_status(api, args, "disabled", "disabling")
}

/// `reload <id-or-glob>…`: disable, then enable.
pub(crate) fn reload(api: &Api, args: &[String]) -> anyhow::Result<()> {
    need_ids(args, RELOAD_USAGE)?;
    set_status(api, args, "disabled", "disabling")?;
    set_status(api, args, "enabled", "enabling")
}

const SHOW_FLAGS: &[Flag] = &[Flag::value(
    "replay",
    "Optional replay ID. If set the task information is in the context of the running replay.",
)];

const SHOW_USAGE: &str = "Usage: tickflow show [-replay] [task ID]

\tShow details about a specific task.

\t(tickflow show FILE, with an existing file or a name ending in .tick, shows a script's
\tpipeline without a server: see tickflow show --help.)
";

/// `show`'s usage with its flags.
pub(crate) fn show_usage() -> String {
    format!("{SHOW_USAGE}\nOptions:\n{}", flags::defaults(SHOW_FLAGS))
}

/// `show [-replay id] <task id>`.
pub(crate) fn show(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let parsed =
        flags::parse(SHOW_FLAGS, args).map_err(|e| Usage::flags(&e, SHOW_USAGE, SHOW_FLAGS))?;
    let [id] = parsed.rest.as_slice() else {
        return Err(Usage::new("Must specify one task ID", show_usage()).into());
    };
    let replay = parsed.string("replay");
    let query: Vec<(&str, &str)> = match replay {
        "" => vec![],
        replay => vec![("replay-id", replay)],
    };
    let task: Task = api.get(&task_path(id), &query)?.expect(&[200])?;
    print!("{}", show_text(&task));
    Ok(())
}

/// What `show` prints for `task`.
fn show_text(task: &Task) -> String {
    let mut text = format!(
        "ID: {}\nError: {}\nTemplate: {}\nType: {}\nStatus: {}\nExecuting: {}\n\
         Created: {}\nModified: {}\nLastEnabled: {}\nDatabases Retention Policies: {}\n\
         TICKscript:\n{}\n",
        task.id,
        task.error,
        task.template_id,
        task.kind,
        task.status,
        task.executing,
        go_fmt::rfc822(&task.created),
        go_fmt::rfc822(&task.modified),
        go_fmt::rfc822(&task.last_enabled),
        go_fmt::dbrps(&task.dbrps),
        task.script,
    );
    if !task.vars.is_empty() {
        text.push_str("Vars:\n");
        text.push_str(&var_row("Name", "Type", "Value"));
        for (name, var) in &task.vars {
            let value = go_fmt::var_value(&var.kind, &var.value);
            text.push_str(&var_row(name, &var.kind, &value));
        }
    }
    text.push_str(&format!("DOT:\n{}\n", task.dot));
    text
}

fn var_row(name: &str, kind: &str, value: &str) -> String {
    format!(
        "{}{}{}\n",
        go_fmt::pad(name, 30),
        go_fmt::pad(kind, 10),
        go_fmt::pad(value, 40)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_lays_a_task_out_as_kapacitor_does() {
        let task: Task = serde_json::from_value(json!({
            "id": "cpu",
            "template-id": "",
            "type": "stream",
            "dbrps": [{"db": "telegraf", "rp": "autogen"}],
            "script": "stream\n    |from()\n",
            "vars": {"crit": {"type": "float", "value": 90.0, "description": ""},
                     "period": {"type": "duration", "value": 60_000_000_000_i64}},
            "dot": "digraph cpu {\nstream0 -> from1;\n}",
            "status": "enabled",
            "executing": true,
            "error": "",
            "created": "2024-01-02T03:04:05.123456789Z",
            "modified": "2024-01-02T03:04:05Z",
            "last-enabled": "0001-01-01T00:00:00Z"
        }))
        .expect("a task");
        expect_test::expect![[r#"
            ID: cpu
            Error: 
            Template: 
            Type: stream
            Status: enabled
            Executing: true
            Created: 02 Jan 24 03:04 UTC
            Modified: 02 Jan 24 03:04 UTC
            LastEnabled: 01 Jan 01 00:00 UTC
            Databases Retention Policies: ["telegraf"."autogen"]
            TICKscript:
            stream
                |from()

            Vars:
            Name                          Type      Value                                   
            crit                          float     90                                      
            period                        duration  1m0s                                    
            DOT:
            digraph cpu {
            stream0 -> from1;
            }
        "#]]
        .assert_eq(&show_text(&task));
    }
}
