//! [`TaskStore`]: the defined tasks' records (script, vars, status, dates, last error)
//! over the engine's [`TaskMaster`], which holds the definitions and runs the tasks,
//! with Kapacitor's tasks API semantics (create, update, rename, enable, disable,
//! delete; kapacitor-compat.md, http-api §3) and its messages. Tasks made from templates
//! ([`super::templates`]) keep their template's id.
//!
//! Every operation takes the store's lock for its whole length, so requests apply one
//! after the other; writes never take it. On a durable engine each change is saved in
//! the data dir before the request returns, and [`TaskStore::load`] defines the saved
//! tasks again at start, restoring enabled ones from their snapshots. Operations may block (enabling starts threads,
//! disabling drains a task), so an async caller runs them off its runtime.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Deserialize;
use tickflow_engine::{MasterError, TaskMaster};
use tickflow_model::{Dbrp, Time};
use tickflow_pipeline::{BuildOptions, VarValue};

use tickflow_store::TaskRecord;

use super::definition::{define, Action, Definition};
use super::object::{self as task_json, DbrpJson, DotView, Link, TaskObject};
use super::templates::Template;
use super::vars::{self, Var};
use crate::durable::Durable;

/// What kind of failure a [`TaskError`] is (the HTTP API's 400, 404 and 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskErrorKind {
    /// The request is invalid: a bad id, script, var or dbrp.
    Invalid,
    /// No task has the id.
    NotFound,
    /// The task is defined but could not start.
    Failed,
}

/// Why a task operation failed, with Kapacitor's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TaskError {
    /// What kind of failure.
    pub kind: TaskErrorKind,
    /// The message.
    pub message: String,
}

impl TaskError {
    /// An invalid request.
    pub fn invalid(message: impl ToString) -> Self {
        TaskError {
            kind: TaskErrorKind::Invalid,
            message: message.to_string(),
        }
    }

    /// A missing task.
    pub fn not_found(message: impl ToString) -> Self {
        TaskError {
            kind: TaskErrorKind::NotFound,
            message: message.to_string(),
        }
    }

    pub(crate) fn failed(message: impl ToString) -> Self {
        TaskError {
            kind: TaskErrorKind::Failed,
            message: message.to_string(),
        }
    }
}

/// The body of a create or update request; absent keys are `None`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskBody {
    /// The task id.
    pub id: Option<String>,
    /// A template to create the task from.
    #[serde(rename = "template-id")]
    pub template_id: Option<String>,
    /// Ignored: the type is derived from the script.
    #[serde(rename = "type")]
    pub task_type: Option<String>,
    /// Explicit dbrps.
    pub dbrps: Option<Vec<DbrpBody>>,
    /// The TICKscript.
    pub script: Option<String>,
    /// `enabled` or `disabled`.
    pub status: Option<String>,
    /// Values for the script's vars.
    pub vars: Option<BTreeMap<String, Var>>,
}

/// `{"db": …, "rp": …}` in a request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DbrpBody {
    /// The database.
    #[serde(default)]
    pub db: String,
    /// The retention policy.
    #[serde(default)]
    pub rp: String,
}

/// Whether the `script` of a task object is formatted or as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptFormat {
    /// Re-printed by the formatter (the default).
    Formatted,
    /// As defined.
    Raw,
}

/// One stored task.
pub(super) struct Record {
    pub(super) definition: Definition,
    pub(super) script: String,
    /// The template it was made from; empty for a task defined from its own script.
    pub(super) template_id: String,
    /// Whether that template was deleted: the task keeps its script and `template-id`,
    /// and a later template of the same id does not take it back (as in Kapacitor).
    pub(super) orphaned: bool,
    pub(super) explicit_dbrps: Vec<Dbrp>,
    vars: BTreeMap<String, Var>,
    pub(super) var_values: BTreeMap<String, VarValue>,
    enabled: bool,
    error: String,
    created: Time,
    pub(super) modified: Time,
    last_enabled: Option<Time>,
    /// The WAL position when it was last started afresh (durable engines).
    since: u64,
}

/// The tasks (and the templates they are made from) defined over the API, or by
/// `tickflow run`.
pub struct TaskStore {
    master: Arc<TaskMaster>,
    pub(super) options: BuildOptions,
    records: Mutex<BTreeMap<String, Record>>,
    templates: Mutex<BTreeMap<String, Template>>,
    /// Where records are saved, on a durable engine.
    durable: Option<Arc<Durable>>,
}

impl TaskStore {
    /// An empty store over `master`; scripts are built with `options` (the UDFs).
    pub fn new(master: Arc<TaskMaster>, options: BuildOptions) -> Self {
        TaskStore {
            master,
            options,
            records: Mutex::new(BTreeMap::new()),
            templates: Mutex::new(BTreeMap::new()),
            durable: None,
        }
    }

    /// A store whose records are saved in `durable`'s data dir as they change.
    pub(crate) fn durable(
        master: Arc<TaskMaster>,
        options: BuildOptions,
        durable: Arc<Durable>,
    ) -> Self {
        TaskStore {
            durable: Some(durable),
            ..TaskStore::new(master, options)
        }
    }

    /// The data dir records are saved in, on a durable engine.
    pub(super) fn data_dir(&self) -> Option<&Durable> {
        self.durable.as_deref()
    }

    /// Saves `record` of task `id`; a store that cannot is the request's error.
    pub(super) fn persist(&self, id: &str, record: &Record) -> Result<(), TaskError> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        let saved = TaskRecord {
            id: id.to_string(),
            script: record.script.clone(),
            task_type: record.definition.task_type.to_string(),
            dbrps: (record.explicit_dbrps.iter())
                .map(|d| (d.database.to_string(), d.retention_policy.to_string()))
                .collect(),
            vars: serde_json::to_value(&record.vars).unwrap_or_default(),
            status: if record.enabled {
                "enabled"
            } else {
                "disabled"
            }
            .into(),
            template_id: record.template_id.clone(),
            since: record.since,
        };
        durable.save_task(&saved).map_err(TaskError::failed)
    }

    /// Defines the task of a saved record and, when it was enabled, starts it from
    /// `saved` (its snapshot, `None`: empty state) without forgetting what its alerts
    /// delivered; returns the WAL position its state covers when it started. A snapshot
    /// that could not be read is `saved`'s error: the task is defined, not started, and
    /// shows the error.
    pub(crate) fn load(
        &self,
        stored: TaskRecord,
        saved: Result<Option<tickflow_store::Snapshot>, tickflow_store::StoreError>,
    ) -> Result<Option<u64>, TaskError> {
        let vars: BTreeMap<String, Var> =
            serde_json::from_value(stored.vars.clone()).map_err(TaskError::invalid)?;
        let dbrps = (stored.dbrps.iter())
            .map(|(db, rp)| DbrpBody {
                db: db.clone(),
                rp: rp.clone(),
            })
            .collect();
        let body = TaskBody {
            id: Some(stored.id.clone()),
            script: Some(stored.script.clone()),
            vars: Some(vars),
            dbrps: Some(dbrps),
            status: Some("disabled".into()),
            ..TaskBody::default()
        };
        let id = self.create_record(body)?;
        let mut records = self.lock();
        let Some(record) = records.get_mut(&id) else {
            return Err(TaskError::not_found("no task exists"));
        };
        record.since = stored.since;
        if !stored.template_id.is_empty() {
            // Lock order: the task records, then the templates.
            record.orphaned = !self.lock_templates().contains_key(&stored.template_id);
            record.template_id = stored.template_id.clone();
        }
        if stored.status != "enabled" {
            return Ok(None);
        }
        record.enabled = true;
        record.last_enabled = Some(Time::now());
        let (states, position) = match saved {
            Ok(Some(snapshot)) => (snapshot.nodes, snapshot.wal_position),
            Ok(None) => (Vec::new(), stored.since),
            Err(err) => {
                record.error = err.to_string();
                return Err(TaskError::failed(&record.error));
            }
        };
        match self.master.enable_restored(&id, states) {
            Ok(()) => Ok(Some(position)),
            Err(err) => {
                record.error = start_error(&err);
                Err(TaskError::failed(&record.error))
            }
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Record>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The templates; taken after the records when both are needed.
    pub(super) fn lock_templates(&self) -> MutexGuard<'_, BTreeMap<String, Template>> {
        self.templates.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Gives task `id` a new definition, restarting it when it executes.
    pub(super) fn install(
        &self,
        id: &str,
        record: &mut Record,
        definition: Definition,
    ) -> Result<(), TaskError> {
        self.master
            .define(id, definition.pipeline.clone())
            .map_err(TaskError::failed)?;
        record.definition = definition;
        if self.master.is_running(id) {
            self.stop(id);
            self.start(id, record)?;
        }
        Ok(())
    }

    /// Creates a task (kapacitor-compat.md, http-api §3.3) and returns its id. When it is to be
    /// enabled and cannot start, it stays stored with its error and the error is a 500.
    pub fn create(&self, body: TaskBody) -> Result<String, TaskError> {
        let id = self.create_record(body)?;
        let records = self.lock();
        if let Some(record) = records.get(&id) {
            self.persist(&id, record)?;
        }
        Ok(id)
    }

    /// Creates the record (and starts it when asked), without saving it.
    fn create_record(&self, body: TaskBody) -> Result<String, TaskError> {
        let mut records = self.lock();
        let id = match body.id.as_deref() {
            None | Some("") => uuid::Uuid::new_v4().to_string(),
            Some(id) => id.to_string(),
        };
        check_id(&id)?;
        if records.contains_key(&id) {
            return Err(TaskError::invalid(format!("task {id} already exists")));
        }
        let template_id = body.template_id.clone().unwrap_or_default();
        let mut explicit_dbrps = dbrps(body.dbrps.unwrap_or_default());
        let script = match template_id.as_str() {
            "" => body.script.unwrap_or_default(),
            template => {
                let (script, named) = self.template_script(template)?;
                // The dbrps the template names, repeated by the task (as the load
                // directory's documented example does), are the template's.
                if explicit_dbrps == named {
                    explicit_dbrps.clear();
                }
                script
            }
        };
        if script.is_empty() {
            return Err(TaskError::invalid("must provide TICKscript"));
        }
        let vars::Converted {
            values: var_values,
            shown: vars,
        } = vars::convert(&body.vars.unwrap_or_default()).map_err(TaskError::invalid)?;
        let definition = define(
            &script,
            &var_values,
            &explicit_dbrps,
            &self.options,
            Action::Create,
        )
        .map_err(TaskError::invalid)?;
        self.master
            .define(&id, definition.pipeline.clone())
            .map_err(TaskError::failed)?;
        let now = Time::now();
        let record = records.entry(id.clone()).or_insert(Record {
            definition,
            script,
            template_id,
            orphaned: false,
            explicit_dbrps,
            vars,
            var_values,
            enabled: false,
            error: String::new(),
            created: now,
            modified: now,
            last_enabled: None,
            since: 0,
        });
        if body.status.as_deref() == Some("enabled") {
            self.start(&id, record)?;
        }
        Ok(id)
    }

    /// Updates a task (kapacitor-compat.md, http-api §3.6) and returns its (possibly new) id.
    pub fn update(&self, id: &str, body: TaskBody) -> Result<String, TaskError> {
        let mut records = self.lock();
        let Some(mut record) = records.remove(id) else {
            return Err(TaskError::not_found("task does not exist, cannot update"));
        };
        let result = self.apply(id, &mut record, body, &records);
        let new_id = result.as_ref().map_or(id, String::as_str).to_string();
        let saved = self.persist(&new_id, &record);
        records.insert(new_id, record);
        saved?;
        result
    }

    /// Applies an update to a record taken out of the store; returns its id afterwards.
    fn apply(
        &self,
        id: &str,
        record: &mut Record,
        body: TaskBody,
        others: &BTreeMap<String, Record>,
    ) -> Result<String, TaskError> {
        let new_id = body.id.clone().filter(|n| !n.is_empty() && n != id);
        if let Some(new_id) = &new_id {
            check_id(new_id)?;
            if others.contains_key(new_id) {
                return Err(TaskError::invalid(format!("task {new_id} already exists")));
            }
        }
        let template_id = body.template_id.clone().filter(|t| !t.is_empty());
        let redefine = body.script.is_some()
            || body.dbrps.is_some()
            || body.vars.is_some()
            || template_id.is_some();
        if redefine {
            // A new template-id takes that template's script.
            let script = match &template_id {
                Some(template) => self.template_script(template)?.0,
                None => body.script.clone().unwrap_or_else(|| record.script.clone()),
            };
            let vars::Converted {
                values: var_values,
                shown: vars,
            } = match body.vars.as_ref().filter(|v| !v.is_empty()) {
                Some(v) => vars::convert(v).map_err(TaskError::invalid)?,
                None => vars::Converted {
                    values: record.var_values.clone(),
                    shown: record.vars.clone(),
                },
            };
            let explicit = match body.dbrps.clone().filter(|d| !d.is_empty()) {
                Some(d) => dbrps(d),
                None => record.explicit_dbrps.clone(),
            };
            let definition = define(
                &script,
                &var_values,
                &explicit,
                &self.options,
                Action::Update,
            )
            .map_err(TaskError::invalid)?;
            // The running instance keeps its old definition until it is restarted.
            self.master
                .define(id, definition.pipeline.clone())
                .map_err(TaskError::failed)?;
            record.definition = definition;
            record.script = script;
            if let Some(template) = template_id {
                record.template_id = template;
                record.orphaned = false;
            }
            record.explicit_dbrps = explicit;
            record.vars = vars;
            record.var_values = var_values;
        }
        let id = match new_id {
            Some(new_id) => {
                self.rename(id, &new_id, record)?;
                new_id
            }
            None => id.to_string(),
        };
        match body.status.as_deref() {
            Some("enabled") if !self.master.is_running(&id) => self.start(&id, record)?,
            Some("disabled") => {
                record.enabled = false;
                self.stop(&id);
            }
            _ => {}
        }
        record.modified = Time::now();
        Ok(id)
    }

    /// Moves the master's definition and running instance from `old` to `new`.
    fn rename(&self, old: &str, new: &str, record: &mut Record) -> Result<(), TaskError> {
        let was_running = self.master.delete(old).is_some();
        if let Some(durable) = &self.durable {
            durable.forget_task(old).map_err(TaskError::failed)?;
        }
        self.master
            .define(new, record.definition.pipeline.clone())
            .map_err(TaskError::failed)?;
        if was_running && record.enabled {
            self.start(new, record)?;
        }
        Ok(())
    }

    /// Deletes a task, stopping it first; deleting an unknown task is not an error.
    pub fn delete(&self, id: &str) {
        let mut records = self.lock();
        records.remove(id);
        if let Some(stopped) = self.master.delete(id) {
            report(&stopped);
        }
        if let Some(durable) = &self.durable {
            if let Err(err) = durable.forget_task(id) {
                eprintln!("task {id}: {err}");
            }
        }
    }

    /// Marks the record enabled and starts it; a start failure is kept as its error.
    fn start(&self, id: &str, record: &mut Record) -> Result<(), TaskError> {
        record.enabled = true;
        record.last_enabled = Some(Time::now());
        if let Some(durable) = &self.durable {
            if !self.master.is_running(id) {
                record.since = durable.fresh_start(id).map_err(TaskError::failed)?;
            }
        }
        match self.master.enable(id) {
            Ok(()) => {
                record.error.clear();
                Ok(())
            }
            Err(MasterError::AlreadyRunning { .. }) => Ok(()),
            Err(err) => {
                record.error = start_error(&err);
                Err(TaskError::failed(&record.error))
            }
        }
    }

    fn stop(&self, id: &str) {
        if let Some(stopped) = self.master.disable(id) {
            report(&stopped);
        }
        if let Some(durable) = &self.durable {
            durable.stopped(id);
        }
    }

    /// One line about task `id`: its status, type, dbrps and DAG edges, e.g.
    /// `task cpu: enabled stream task on "db"."rp": stream0 -> from1, from1 -> log2`.
    pub fn describe(&self, id: &str) -> Option<String> {
        let records = self.lock();
        let record = records.get(id)?;
        let pipeline = &record.definition.pipeline;
        let dbrps: Vec<String> = pipeline.dbrps.iter().map(ToString::to_string).collect();
        let dot = pipeline.to_dot(id);
        let edges: Vec<&str> = dot
            .lines()
            .filter_map(|line| line.strip_suffix(';'))
            .collect();
        let status = if self.master.is_running(id) {
            "executing"
        } else {
            "disabled"
        };
        Some(format!(
            "task {id}: {status} {} task on {}: {}",
            record.definition.task_type,
            dbrps.join(", "),
            edges.join(", ")
        ))
    }

    /// The pipeline task `id` runs (or would run once enabled).
    pub fn pipeline(&self, id: &str) -> Option<tickflow_pipeline::Pipeline> {
        Some(self.lock().get(id)?.definition.pipeline.clone())
    }

    /// Task `id` as the API shows it.
    pub fn get(
        &self,
        id: &str,
        format: ScriptFormat,
        view: DotView,
    ) -> Result<TaskObject, TaskError> {
        let records = self.lock();
        let record = records
            .get(id)
            .ok_or_else(|| TaskError::not_found("no task exists"))?;
        Ok(self.object(id, record, format, view))
    }

    /// Every task whose id matches `pattern`, sorted by id, from `offset`, at most `limit`.
    pub fn list(
        &self,
        pattern: &str,
        offset: usize,
        limit: usize,
        format: ScriptFormat,
        view: DotView,
    ) -> Vec<TaskObject> {
        let records = self.lock();
        records
            .iter()
            .filter(|(id, _)| pattern.is_empty() || super::glob::matches(pattern, id))
            .skip(offset)
            .take(limit)
            .map(|(id, record)| self.object(id, record, format, view))
            .collect()
    }

    fn object(&self, id: &str, record: &Record, format: ScriptFormat, view: DotView) -> TaskObject {
        let pipeline = &record.definition.pipeline;
        let health = self.master.health(id).unwrap_or_default();
        // A task whose node has failed is not executing, even before it is drained.
        let stats = self.master.stats(id).filter(|_| !health.failing);
        let dot = match &stats {
            Some(stats) => task_json::running_dot(id, pipeline, stats, view),
            None => pipeline.to_dot(id),
        };
        TaskObject {
            link: Link {
                rel: "self",
                href: format!("/kapacitor/v1/tasks/{id}"),
            },
            id: id.to_string(),
            template_id: record.template_id.clone(),
            task_type: record.definition.task_type.to_string(),
            dbrps: pipeline.dbrps.iter().map(DbrpJson::from).collect(),
            script: match format {
                ScriptFormat::Formatted => record.definition.formatted.clone(),
                ScriptFormat::Raw => record.script.clone(),
            },
            vars: record.vars.clone(),
            dot,
            status: if record.enabled {
                "enabled"
            } else {
                "disabled"
            },
            executing: stats.is_some(),
            error: match health.failing {
                true => health.error.clone(),
                false => record.error.clone(),
            },
            failures: health.failures,
            restarts: health.restarts,
            dropped_points: health.dropped_points,
            stats: stats
                .as_ref()
                .map_or_else(|| serde_json::json!({}), task_json::stats),
            created: task_json::time(Some(record.created)),
            modified: task_json::time(Some(record.modified)),
            last_enabled: task_json::time(record.last_enabled),
        }
    }
}

/// A start error as the task's `error` shows it.
fn start_error(err: &MasterError) -> String {
    match err {
        MasterError::Build { source, .. } => source.to_string(),
        MasterError::Start { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// Writes how a drained task ended to stderr when it ended with an error.
fn report(stopped: &tickflow_engine::master::Stopped) {
    if let Err(err) = &stopped.result {
        eprintln!("task {}: {err}", stopped.id);
    }
}

fn dbrps(body: Vec<DbrpBody>) -> Vec<Dbrp> {
    body.into_iter()
        .map(|d| Dbrp::new(d.db.as_str(), d.rp.as_str()))
        .collect()
}

/// Kapacitor's id rule: letters, digits, `-`, `.` and `_`.
pub(super) fn valid_id(id: &str) -> bool {
    let valid = id
        .chars()
        .all(|c| c.is_alphabetic() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_'));
    valid && !id.is_empty()
}

/// Kapacitor's task id rule.
fn check_id(id: &str) -> Result<(), TaskError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(TaskError::invalid(format!(
            "task ID must contain only letters, numbers, '-', '.' and '_'. {id:?}"
        )))
    }
}
