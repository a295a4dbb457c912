//! The load service: `[load] dir` holds definitions the engine loads when it starts,
//! as Kapacitor's load service does:
//!
//! * `templates/<id>.tick`: templates, their type taken from the script;
//! * `tasks/<id>.tick`: tasks, with `dbrp` statements, enabled;
//! * `tasks/<id>.yaml|yml|json`: tasks made from a template (`template-id`, `vars`,
//!   `dbrps` unless the template names them; an `id` key overrides the file name),
//!   enabled;
//! * `handlers/<name>.yaml|yml|json`: topic handlers (`id`, `topic`, `kind`, `match`,
//!   `options`).
//!
//! Templates load first, then tasks, then handlers; files in name order. A definition
//! that already exists (restored from storage, or loaded before: the server loads the
//! directory again on SIGHUP, as Kapacitor does) is replaced when its file says
//! something else, and left as it is (a task keeps running, with its state) when not.
//! Definitions whose files were removed stay. The first file that does not load stops
//! the load with an error naming it.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};
use tickflow_alert::topic::{Define, HandlerSpec};

use crate::tasks::object::DotView;
use crate::tasks::templates::TemplateBody;
use crate::tasks::{DbrpBody, ScriptFormat, TaskBody};
use crate::Engine;

/// A definition file that did not load.
#[derive(Debug, thiserror::Error)]
#[error("load {}: {reason}", .path.display())]
pub struct LoadError {
    /// The file (or directory).
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// Template ids.
    pub templates: Vec<String>,
    /// Task ids.
    pub tasks: Vec<String>,
    /// `topic/handler` pairs.
    pub handlers: Vec<String>,
}

/// A task file made from a template.
#[derive(Debug, Deserialize)]
struct TemplatedTask {
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "template-id")]
    template_id: String,
    #[serde(default)]
    dbrps: Vec<DbrpBody>,
    #[serde(default)]
    vars: std::collections::BTreeMap<String, crate::tasks::vars::Var>,
}

/// A handler file.
#[derive(Debug, Deserialize)]
struct HandlerFile {
    id: String,
    topic: String,
    kind: String,
    #[serde(default, rename = "match")]
    match_expr: String,
    #[serde(default)]
    options: Map<String, Value>,
}

/// Loads `dir` into `engine`.
pub fn load(engine: &Engine, dir: &Path) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    for path in files(&dir.join("templates"), &["tick"])? {
        loaded.templates.push(template(engine, &path)?);
    }
    for path in files(&dir.join("tasks"), &["tick", "yaml", "yml", "json"])? {
        loaded.tasks.push(task(engine, &path)?);
    }
    for path in files(&dir.join("handlers"), &["yaml", "yml", "json"])? {
        loaded.handlers.push(handler(engine, &path)?);
    }
    Ok(loaded)
}

/// The files of `dir` with one of `extensions`, by name; none when it does not exist.
fn files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, LoadError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(failed(dir, err)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| {
            let extension = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            path.is_file() && extensions.contains(&extension)
        })
        .collect();
    files.sort();
    Ok(files)
}

fn failed(path: &Path, reason: impl ToString) -> LoadError {
    LoadError {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|e| failed(path, e))
}

/// The file name without its extension.
fn stem(path: &Path) -> String {
    (path.file_stem()).map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// A YAML or JSON file's contents as `T` (JSON is YAML).
fn parse<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, LoadError> {
    serde_yaml_ng::from_str(&read(path)?).map_err(|e| failed(path, e))
}

fn template(engine: &Engine, path: &Path) -> Result<String, LoadError> {
    let id = stem(path);
    let body = TemplateBody {
        id: Some(id.clone()),
        template_type: None,
        script: Some(read(path)?),
    };
    let store = engine.tasks();
    let result = match store.template(&id, ScriptFormat::Raw) {
        Ok(existing) if Some(&existing.script) == body.script.as_ref() => Ok(id),
        Ok(_) => store.update_template(&id, body),
        Err(_) => store.define_template(body),
    };
    result.map_err(|e| failed(path, e))
}

fn task(engine: &Engine, path: &Path) -> Result<String, LoadError> {
    let body = match path.extension().and_then(|e| e.to_str()) {
        Some("tick") => TaskBody {
            id: Some(stem(path)),
            script: Some(read(path)?),
            status: Some("enabled".into()),
            ..TaskBody::default()
        },
        _ => {
            let file: TemplatedTask = parse(path)?;
            TaskBody {
                id: Some(file.id.unwrap_or_else(|| stem(path))),
                template_id: Some(file.template_id),
                dbrps: Some(file.dbrps),
                vars: Some(file.vars),
                status: Some("enabled".into()),
                ..TaskBody::default()
            }
        }
    };
    let store = engine.tasks();
    let id = body.id.clone().unwrap_or_default();
    if unchanged(engine, &id, &body) {
        return Ok(id);
    }
    // A task defined otherwise before is replaced by the file's definition.
    store.delete(&id);
    store.create(body).map_err(|e| failed(path, e))
}

/// Whether task `id` exists, executes, and is what `body` defines.
fn unchanged(engine: &Engine, id: &str, body: &TaskBody) -> bool {
    let Ok(task) = engine
        .tasks()
        .get(id, ScriptFormat::Raw, DotView::Attributes)
    else {
        return false;
    };
    let same = match body.template_id.as_deref() {
        None => task.template_id.is_empty() && body.script.as_ref() == Some(&task.script),
        Some(template) => {
            let vars = body.vars.as_ref().map(crate::tasks::vars::convert);
            let dbrps: Vec<(&str, &str)> = (body.dbrps.iter().flatten())
                .map(|d| (d.db.as_str(), d.rp.as_str()))
                .collect();
            let running: Vec<(&str, &str)> = (task.dbrps.iter())
                .map(|d| (d.db.as_str(), d.rp.as_str()))
                .collect();
            template == task.template_id
                && matches!(vars, Some(Ok(converted)) if converted.shown == task.vars)
                && (dbrps.is_empty() || dbrps == running)
        }
    };
    same && task.executing
}

fn handler(engine: &Engine, path: &Path) -> Result<String, LoadError> {
    let file: HandlerFile = parse(path)?;
    let spec = HandlerSpec {
        id: file.id.clone(),
        kind: file.kind,
        options: file.options,
        match_expr: file.match_expr,
    };
    let services = &engine.master().environment().services;
    (services.topics)
        .define(&file.topic, spec, services, Define::Upsert)
        .map_err(|e| failed(path, e))?;
    Ok(format!("{}/{}", file.topic, file.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, LoadSection};

    /// The files of Kapacitor's "Load directory service" guide.
    const MY_TASK: &str = "dbrp \"telegraf\".\"autogen\"

stream
    |from()
        .measurement('cpu')
        .groupBy(*)
    |alert()
        .warn(lambda: \"usage_idle\" < 20)
        .crit(lambda: \"usage_idle\" < 10)
        // Send alerts to the `cpu` topic
        .topic('cpu')
";

    const MY_TEMPLATE: &str = "dbrp \"telegraf\".\"autogen\"

var measurement string
var where_filter = lambda: TRUE
var groups = [*]
var field string
var warn lambda
var crit lambda
var window = 5m
var slack_channel = '#alerts'

stream
    |from()
        .measurement(measurement)
        .where(where_filter)
        .groupBy(groups)
    |window()
        .period(window)
        .every(window)
    |mean(field)
    |alert()
         .warn(warn)
         .crit(crit)
         .slack()
         .channel(slack_channel)
";

    const MY_TEMPLATED_TASK: &str = "dbrps:
  - { db: \"telegraf\", rp: \"autogen\"}
template-id: my_template
vars:
  measurement:
   type: string
   value: cpu
  where_filter:
   type: lambda
   value: \"\\\"cpu\\\" == 'cpu-total'\"
  groups:
   type: list
   value:
       - type: string
         value: host
       - type: string
         value: dc
  field:
   type: string
   value : usage_idle
  warn:
   type: lambda
   value: \"\\\"mean\\\" < 30.0\"
  crit:
   type: lambda
   value: \"\\\"mean\\\" < 10.0\"
  window:
   type: duration
   value : 1m
  slack_channel:
   type: string
   value: \"#alerts_testing\"
";

    const JSON_TASK: &str = r##"{
  "dbrps": [{"db": "telegraf", "rp": "autogen"}],
  "template-id": "my_template",
  "vars": {
    "measurement": {"type" : "string", "value" : "cpu" },
    "field": {"type" : "string", "value" : "usage_idle" },
    "warn": {"type" : "lambda", "value" : "\"mean\" < 30.0" },
    "crit": {"type" : "lambda", "value" : "\"mean\" < 10.0" }
  }
}"##;

    const HANDLER: &str =
        "id: handler-id\ntopic: cpu\nkind: log\noptions:\n  path: '/tmp/tickflow-load-test.log'\n";

    fn directory(files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tickflow-load-{}", uuid::Uuid::new_v4()));
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    fn engine(dir: &Path) -> Result<Engine, crate::Error> {
        let config = Config {
            load: LoadSection {
                enabled: true,
                dir: dir.display().to_string(),
            },
            ..Config::default()
        };
        Engine::builder().config(config).build()
    }

    #[test]
    fn the_guides_directory_loads_at_start() {
        let dir = directory(&[
            ("tasks/my_task.tick", MY_TASK),
            ("templates/my_template.tick", MY_TEMPLATE),
            ("tasks/my_templated_task.yaml", MY_TEMPLATED_TASK),
            ("tasks/from_json.json", JSON_TASK),
            ("tasks/notes.txt", "not a definition"),
            ("handlers/cpu.yaml", HANDLER),
        ]);
        let engine = engine(&dir).expect("loads");
        let tasks = engine.tasks();
        for id in ["my_task", "my_templated_task", "from_json"] {
            let task = (tasks.get(id, ScriptFormat::Raw, DotView::Attributes)).expect(id);
            assert!(task.executing, "{id}");
        }
        let templated = (tasks.get("my_templated_task", ScriptFormat::Raw, DotView::Attributes))
            .expect("templated");
        assert_eq!(templated.template_id, "my_template");
        assert_eq!(
            (
                templated.dbrps[0].db.as_str(),
                templated.dbrps[0].rp.as_str()
            ),
            ("telegraf", "autogen")
        );
        assert!(engine.topics().handler("cpu", "handler-id").is_some());
        engine.shutdown();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn loading_again_replaces_only_what_changed() {
        let dir = directory(&[
            ("templates/my_template.tick", MY_TEMPLATE),
            ("tasks/my_task.tick", MY_TASK),
            ("tasks/my_templated_task.yaml", MY_TEMPLATED_TASK),
        ]);
        let engine = engine(&dir).expect("loads");
        let created = |id: &str| {
            let task = engine
                .tasks()
                .get(id, ScriptFormat::Raw, DotView::Attributes);
            task.expect(id).created
        };
        let before = [created("my_task"), created("my_templated_task")];
        let changed = MY_TASK.replace("< 20", "< 25");
        std::fs::write(dir.join("tasks/my_task.tick"), &changed).expect("write");
        std::fs::write(dir.join("tasks/new.tick"), MY_TASK).expect("write");
        let loaded = load(&engine, &dir).expect("loads again");
        assert_eq!(loaded.tasks, ["my_task", "my_templated_task", "new"]);
        let task = (engine
            .tasks()
            .get("my_task", ScriptFormat::Raw, DotView::Attributes))
        .expect("task");
        assert_eq!(
            (task.script.as_str(), task.executing),
            (changed.as_str(), true)
        );
        assert_ne!(task.created, before[0]);
        assert_eq!(created("my_templated_task"), before[1]);
        let new = (engine
            .tasks()
            .get("new", ScriptFormat::Raw, DotView::Attributes))
        .expect("new");
        assert!(new.executing);
        engine.shutdown();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_file_that_does_not_load_names_itself() {
        let dir = directory(&[("tasks/broken.tick", "stream|from().peroid(1m)")]);
        let err = engine(&dir).err().expect("refused");
        let text = err.to_string();
        assert!(
            text.starts_with("load ") && text.contains("broken.tick: "),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
