//! Templates: TICKscripts whose vars tasks fill in (Kapacitor's templates API,
//! kapacitor-compat.md, http-api §3.8). A [`Template`] is the stored record; the
//! [`TaskStore`] methods here define, show, list, update and delete them.
//!
//! A template checks as a task does, except that a `var x type` without a value takes
//! its type's zero value and no dbrp is required. A task made from one
//! (`template-id` and `vars` in the create body) runs the template's script with its
//! own vars; updating the template redefines every such task and restarts those that
//! execute, all or none: when one of them no longer builds, nothing changes. Deleting a
//! template leaves its tasks as they are (orphans that keep their script and their
//! `template-id`), as Kapacitor does.
//!
//! Lock order: the task records, then the templates; template reads take only the
//! templates' lock.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tickflow_model::Time;
use tickflow_pipeline::{BuildOptions, Pipeline, TaskType};

use super::definition::{define, Action, Definition};
use super::object::{self as task_json, Link};
use super::store::{valid_id, Record, ScriptFormat, TaskError, TaskStore};
use super::vars::{self, Var};
use tickflow_store::TemplateRecord;

/// The body of a template create or update request; absent keys are `None`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TemplateBody {
    /// The template id (on update: a new id).
    pub id: Option<String>,
    /// `stream` or `batch`; the script's own type when absent.
    #[serde(rename = "type")]
    pub template_type: Option<String>,
    /// The TICKscript.
    pub script: Option<String>,
}

/// One stored template.
#[derive(Debug, Clone)]
pub struct Template {
    /// The TICKscript as defined.
    pub script: String,
    /// Stream or batch.
    pub task_type: TaskType,
    /// When it was defined.
    pub created: Time,
    /// When it last changed.
    pub modified: Time,
    checked: Checked,
}

impl Template {
    /// The record a durable engine saves of template `id`.
    fn record(&self, id: &str) -> TemplateRecord {
        TemplateRecord {
            id: id.to_string(),
            script: self.script.clone(),
            task_type: self.task_type.to_string(),
            created: self.created.nanos(),
            modified: self.modified.nanos(),
        }
    }
}

/// A template script that builds: its pipeline (vars without values at their zero
/// values) and the formatter's text.
#[derive(Debug, Clone)]
struct Checked {
    pipeline: Pipeline,
    formatted: String,
}

/// A template as `GET /kapacitor/v1/templates/<id>` shows it, keys in Kapacitor's order.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateObject {
    /// The self link.
    pub link: Link,
    /// The id.
    pub id: String,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub template_type: String,
    /// The script, formatted or raw.
    pub script: String,
    /// The vars it declares: type, default (`null` when a task must supply it) and the
    /// comment above the declaration.
    pub vars: BTreeMap<String, Var>,
    /// The GraphViz graph.
    pub dot: String,
    /// Always empty: a stored template builds.
    pub error: String,
    /// When it was defined.
    pub created: String,
    /// When it last changed.
    pub modified: String,
}

/// The fields a template list shows when none are asked for (`vars` only on request).
const DEFAULT_FIELDS: [&str; 8] = [
    "link", "id", "type", "script", "dot", "error", "created", "modified",
];

/// Every field a template list may ask for.
pub const TEMPLATE_FIELDS: [&str; 9] = [
    "link", "id", "type", "script", "vars", "dot", "error", "created", "modified",
];

impl TemplateObject {
    /// The object as `GET /kapacitor/v1/templates` lists it: the asked-for `fields`
    /// (all but `vars` when none), `id` and `link` always.
    pub fn listed(&self, fields: &[String]) -> BTreeMap<String, Value> {
        let Value::Object(object) = serde_json::json!(self) else {
            return BTreeMap::new();
        };
        let keep = |key: &str| match fields.is_empty() {
            true => DEFAULT_FIELDS.contains(&key),
            false => key == "id" || key == "link" || fields.iter().any(|f| f == key),
        };
        object.into_iter().filter(|(k, _)| keep(k)).collect()
    }
}

impl Template {
    fn object(&self, id: &str, format: ScriptFormat) -> TemplateObject {
        let pipeline = &self.checked.pipeline;
        TemplateObject {
            link: Link {
                rel: "self",
                href: format!("/kapacitor/v1/templates/{id}"),
            },
            id: id.to_string(),
            template_type: self.task_type.to_string(),
            script: match format {
                ScriptFormat::Formatted => self.checked.formatted.clone(),
                ScriptFormat::Raw => self.script.clone(),
            },
            vars: (pipeline.vars.iter())
                .map(|var| (var.name.clone(), vars::declared(var)))
                .collect(),
            dot: pipeline.to_dot(id),
            error: String::new(),
            created: task_json::time(Some(self.created)),
            modified: task_json::time(Some(self.modified)),
        }
    }
}

/// A task's definition under an updated template.
struct Redefined {
    task: String,
    definition: Definition,
    explicit: Vec<tickflow_model::Dbrp>,
}

/// `stream` or `batch`, Kapacitor's `unknown type "<t>"` otherwise.
fn parse_type(text: &str) -> Result<TaskType, TaskError> {
    match text {
        "stream" => Ok(TaskType::Stream),
        "batch" => Ok(TaskType::Batch),
        other => Err(TaskError::invalid(format!("unknown type {other:?}"))),
    }
}

/// Parses and builds a template script of type `declared` (`stream` or `batch`; the
/// script's own type when absent, as `kapacitor define-template` without `-type` does).
fn checked(
    script: &str,
    declared: Option<&str>,
    options: &BuildOptions,
) -> Result<(TaskType, Checked), TaskError> {
    let declared = declared
        .filter(|t| !t.is_empty())
        .map(parse_type)
        .transpose()?;
    let invalid = |message: String| TaskError::invalid(format!("invalid TICKscript: {message}"));
    let program = tickflow_tickscript::parse(script).map_err(|e| invalid(e.to_string()))?;
    let found = tickflow_pipeline::task_type(&program).map_err(|e| invalid(e.to_string()))?;
    let declared = declared.unwrap_or(found);
    if found != declared {
        return Err(invalid(format!(
            "the script is a {found} script, not a {declared} template"
        )));
    }
    let options = BuildOptions {
        task_type: declared,
        template: true,
        vars: BTreeMap::new(),
        ..options.clone()
    };
    let pipeline =
        tickflow_pipeline::build(&program, &options).map_err(|e| invalid(e.to_string()))?;
    let checked = Checked {
        pipeline,
        formatted: tickflow_tickscript::format(&program),
    };
    Ok((declared, checked))
}

/// Kapacitor's template id rule (the task id rule).
fn check_id(id: &str) -> Result<(), TaskError> {
    match valid_id(id) {
        true => Ok(()),
        false => Err(TaskError::invalid(format!(
            "template ID must contain only letters, numbers, '-', '.' and '_'. {id:?}"
        ))),
    }
}

impl TaskStore {
    /// Defines a template (`POST /kapacitor/v1/templates`) and returns its id.
    pub fn define_template(&self, body: TemplateBody) -> Result<String, TaskError> {
        let id = match body.id.as_deref() {
            None | Some("") => uuid::Uuid::new_v4().to_string(),
            Some(id) => id.to_string(),
        };
        check_id(&id)?;
        let mut templates = self.lock_templates();
        if templates.contains_key(&id) {
            return Err(TaskError::invalid(format!("template {id} already exists")));
        }
        let script = body.script.unwrap_or_default();
        if script.is_empty() {
            return Err(TaskError::invalid("must provide TICKscript"));
        }
        let (task_type, checked) = checked(&script, body.template_type.as_deref(), &self.options)?;
        let now = Time::now();
        let template = Template {
            script,
            task_type,
            created: now,
            modified: now,
            checked,
        };
        self.save_template(&id, &template)?;
        templates.insert(id.clone(), template);
        Ok(id)
    }

    /// Saves template `id` on a durable engine; a store that cannot is the request's
    /// error.
    fn save_template(&self, id: &str, template: &Template) -> Result<(), TaskError> {
        match self.data_dir() {
            Some(durable) => {
                (durable.save_template(&template.record(id))).map_err(TaskError::failed)
            }
            None => Ok(()),
        }
    }

    /// Forgets template `id` on a durable engine.
    fn forget_template(&self, id: &str) -> Result<(), TaskError> {
        match self.data_dir() {
            Some(durable) => durable.forget_template(id).map_err(TaskError::failed),
            None => Ok(()),
        }
    }

    /// Puts back a template saved by a durable engine, with its times (at start-up,
    /// before the tasks made from it).
    pub(crate) fn restore_template(&self, saved: TemplateRecord) -> Result<(), TaskError> {
        let (task_type, checked) = checked(&saved.script, Some(&saved.task_type), &self.options)?;
        let template = Template {
            script: saved.script,
            task_type,
            created: Time::from_nanos(saved.created),
            modified: Time::from_nanos(saved.modified),
            checked,
        };
        self.lock_templates().insert(saved.id, template);
        Ok(())
    }

    /// Template `id` as the API shows it.
    pub fn template(&self, id: &str, format: ScriptFormat) -> Result<TemplateObject, TaskError> {
        let templates = self.lock_templates();
        let template = templates
            .get(id)
            .ok_or_else(|| TaskError::not_found("no template exists"))?;
        Ok(template.object(id, format))
    }

    /// Every template whose id matches `pattern`, sorted by id, from `offset`, at most
    /// `limit`.
    pub fn list_templates(
        &self,
        pattern: &str,
        offset: usize,
        limit: usize,
        format: ScriptFormat,
    ) -> Vec<TemplateObject> {
        let templates = self.lock_templates();
        templates
            .iter()
            .filter(|(id, _)| pattern.is_empty() || super::glob::matches(pattern, id))
            .skip(offset)
            .take(limit)
            .map(|(id, template)| template.object(id, format))
            .collect()
    }

    /// Updates template `id` (`PATCH`: a new id, type or script) and every task made
    /// from it, restarting those that execute; returns the template's id afterwards.
    pub fn update_template(&self, id: &str, body: TemplateBody) -> Result<String, TaskError> {
        let mut records = self.lock();
        let mut templates = self.lock_templates();
        let not_found = || TaskError::not_found("template does not exist, cannot update");
        let (original_type, original_script) = (templates.get(id))
            .map(|t| (t.task_type, t.script.clone()))
            .ok_or_else(not_found)?;
        let new_id = body.id.clone().filter(|n| !n.is_empty() && n != id);
        if let Some(new_id) = &new_id {
            check_id(new_id)?;
            if templates.contains_key(new_id) {
                return Err(TaskError::invalid(format!(
                    "template {new_id} already exists"
                )));
            }
        }
        let script = (body.script.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or(original_script);
        let declared = (body.template_type.as_deref())
            .filter(|t| !t.is_empty())
            .unwrap_or(match original_type {
                TaskType::Stream => "stream",
                TaskType::Batch => "batch",
            });
        let (task_type, checked) = checked(&script, Some(declared), &self.options)?;
        let redefined = self.redefine_tasks(id, &script, &checked, &records)?;
        let mut template = templates.remove(id).ok_or_else(not_found)?;
        let new_id = new_id.unwrap_or_else(|| id.to_string());
        template.script = script.clone();
        template.task_type = task_type;
        template.checked = checked;
        template.modified = Time::now();
        if new_id != id {
            self.forget_template(id)?;
        }
        self.save_template(&new_id, &template)?;
        templates.insert(new_id.clone(), template);
        drop(templates);
        self.reload_tasks(&mut records, redefined, &script, &new_id)?;
        Ok(new_id)
    }

    /// Deletes template `id`; its tasks go on as they are, orphans. An unknown id is not
    /// an error; a durable engine that cannot forget it is.
    pub fn delete_template(&self, id: &str) -> Result<(), TaskError> {
        let mut records = self.lock();
        if self.lock_templates().remove(id).is_some() {
            (records.values_mut())
                .filter(|r| r.template_id == id)
                .for_each(|r| r.orphaned = true);
            self.forget_template(id)?;
        }
        Ok(())
    }

    /// The script of template `id` and the dbrps it names, for a task made from it.
    pub(super) fn template_script(
        &self,
        id: &str,
    ) -> Result<(String, Vec<tickflow_model::Dbrp>), TaskError> {
        let templates = self.lock_templates();
        match templates.get(id) {
            Some(t) => Ok((t.script.clone(), t.checked.pipeline.dbrps.clone())),
            None => Err(TaskError::invalid(format!(
                "unknown template {id}: err: no template exists"
            ))),
        }
    }

    /// The new definition of every task made from template `id`, or the first task
    /// that no longer builds.
    fn redefine_tasks(
        &self,
        id: &str,
        script: &str,
        checked: &Checked,
        records: &BTreeMap<String, Record>,
    ) -> Result<Vec<Redefined>, TaskError> {
        let from_template = (records.iter()).filter(|(_, r)| r.template_id == id && !r.orphaned);
        from_template
            .map(|(task, record)| {
                // The template's dbrp statements replace a task's explicit dbrps.
                let explicit = match checked.pipeline.dbrps.is_empty() {
                    true => record.explicit_dbrps.clone(),
                    false => Vec::new(),
                };
                let definition = define(
                    script,
                    &record.var_values,
                    &explicit,
                    &self.options,
                    Action::Update,
                )
                .map_err(|err| {
                    TaskError::invalid(format!("error updating associated task {task}: {err}"))
                })?;
                Ok(Redefined {
                    task: task.clone(),
                    definition,
                    explicit,
                })
            })
            .collect()
    }

    /// Installs the new definitions and restarts the tasks that execute.
    fn reload_tasks(
        &self,
        records: &mut BTreeMap<String, Record>,
        redefined: Vec<Redefined>,
        script: &str,
        template_id: &str,
    ) -> Result<(), TaskError> {
        let mut first_error = Ok(());
        for Redefined {
            task,
            definition,
            explicit,
        } in redefined
        {
            let Some(record) = records.get_mut(&task) else {
                continue;
            };
            record.explicit_dbrps = explicit;
            record.script = script.to_string();
            record.template_id = template_id.to_string();
            record.modified = Time::now();
            let result = (self.install(&task, record, definition))
                .and_then(|()| self.persist(&task, record));
            if first_error.is_ok() {
                first_error = result.map_err(|err| {
                    TaskError::failed(format!("error reloading associated task {task}: {err}"))
                });
            }
        }
        first_error
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;
    use tickflow_engine::diagnostics::Collect;
    use tickflow_engine::{MasterConfig, TaskMaster};

    use super::*;
    use crate::tasks::object::DotView;
    use crate::tasks::TaskBody;

    /// The template of Kapacitor's "Template tasks" guide.
    const GENERIC_MEAN_ALERT: &str =
        include_str!("../../../../testdata/templates/generic_mean_alert.tick");

    fn store() -> TaskStore {
        let master = TaskMaster::new(MasterConfig::default(), Arc::new(Collect::default()));
        TaskStore::new(Arc::new(master), BuildOptions::default())
    }

    fn template_body(id: &str, script: &str) -> TemplateBody {
        TemplateBody {
            id: Some(id.into()),
            template_type: Some("stream".into()),
            script: Some(script.into()),
        }
    }

    fn task_from(template: &str, vars: Value) -> TaskBody {
        TaskBody {
            id: Some("cpu_alert".into()),
            template_id: Some(template.into()),
            dbrps: Some(vec![crate::tasks::DbrpBody {
                db: "telegraf".into(),
                rp: "autogen".into(),
            }]),
            vars: Some(serde_json::from_value(vars).expect("vars")),
            status: Some("enabled".into()),
            ..TaskBody::default()
        }
    }

    #[test]
    fn a_template_shows_the_vars_it_declares() {
        let store = store();
        let id = (store.define_template(template_body("generic_mean_alert", GENERIC_MEAN_ALERT)))
            .expect("defines");
        let template = store.template(&id, ScriptFormat::Raw).expect("exists");
        assert_eq!(template.template_type, "stream");
        let vars = json!(template.vars);
        assert_eq!(
            vars["measurement"],
            json!({"type": "string", "value": null, "description": "Which measurement to consume"})
        );
        assert_eq!(vars["window"]["value"], json!(300_000_000_000_i64));
        assert_eq!(vars["where_filter"]["value"], json!("TRUE"));
        assert_eq!(
            vars["groups"]["value"],
            json!([{"type": "star", "value": null}])
        );
        assert_eq!(vars["slack_channel"]["value"], json!("#alerts"));
        assert!(template.dot.starts_with("digraph generic_mean_alert {"));
    }

    #[test]
    fn a_template_needs_its_type_and_a_script_that_builds() {
        let store = store();
        let mut body = template_body("t", GENERIC_MEAN_ALERT);
        body.template_type = Some("table".into());
        let err = store.define_template(body).expect_err("bad type");
        assert_eq!(err.message, "unknown type \"table\"");
        let mut body = template_body("t", GENERIC_MEAN_ALERT);
        body.template_type = Some("batch".into());
        let err = store.define_template(body).expect_err("wrong type");
        assert!(err.message.ends_with("not a batch template"), "{err}");
        let err = (store.define_template(template_body("t", "stream|from().peroid(1m)")))
            .expect_err("bad property");
        assert!(err.message.starts_with("invalid TICKscript: "), "{err}");
        let err =
            (store.define_template(template_body("a b", GENERIC_MEAN_ALERT))).expect_err("bad id");
        assert_eq!(
            err.message,
            "template ID must contain only letters, numbers, '-', '.' and '_'. \"a b\""
        );
    }

    #[test]
    fn tasks_are_made_from_templates_and_reloaded_when_it_changes() {
        let store = store();
        store
            .define_template(template_body("generic_mean_alert", GENERIC_MEAN_ALERT))
            .expect("defines");
        let vars = json!({
            "measurement": {"type": "string", "value": "cpu"},
            "field": {"type": "string", "value": "usage_idle"},
            "warn": {"type": "lambda", "value": "\"mean\" < 30.0"},
            "crit": {"type": "lambda", "value": "\"mean\" < 10.0"},
        });
        let err =
            (store.create(task_from("generic_mean_alert", json!({})))).expect_err("vars missing");
        assert!(err.message.contains("missing value for var"), "{err}");
        let err = store
            .create(task_from("nope", vars.clone()))
            .expect_err("unknown");
        assert_eq!(
            err.message,
            "unknown template nope: err: no template exists"
        );

        let id = (store.create(task_from("generic_mean_alert", vars))).expect("task");
        let task = (store.get(&id, ScriptFormat::Raw, DotView::Attributes)).expect("task");
        assert_eq!(
            (task.template_id.as_str(), task.executing),
            ("generic_mean_alert", true)
        );

        let changed = GENERIC_MEAN_ALERT.replace("var window = 5m", "var window = 1m");
        let update = TemplateBody {
            script: Some(changed.clone()),
            ..TemplateBody::default()
        };
        store
            .update_template("generic_mean_alert", update)
            .expect("updates");
        let task = (store.get(&id, ScriptFormat::Raw, DotView::Attributes)).expect("task");
        assert_eq!(
            (task.script.as_str(), task.executing),
            (changed.as_str(), true)
        );

        let broken = TemplateBody {
            script: Some(
                GENERIC_MEAN_ALERT.replace("var field string", "var field string\nvar extra float"),
            ),
            ..TemplateBody::default()
        };
        let err = (store.update_template("generic_mean_alert", broken)).expect_err("task breaks");
        assert!(
            err.message
                .starts_with("error updating associated task cpu_alert: "),
            "{err}"
        );
        let task = (store.get(&id, ScriptFormat::Raw, DotView::Attributes)).expect("task");
        assert_eq!(task.script, changed);

        // A task moves to another template with its vars.
        store
            .define_template(template_body(
                "other",
                &changed.replace("|mean(field)", "|max(field)"),
            ))
            .expect("defines");
        let moved = TaskBody {
            template_id: Some("other".into()),
            ..TaskBody::default()
        };
        store.update(&id, moved).expect("moves");
        let task = (store.get(&id, ScriptFormat::Raw, DotView::Attributes)).expect("task");
        assert_eq!(task.template_id, "other");
        assert!(task.script.contains("|max(field)"), "{}", task.script);

        store.delete_template("other").expect("deletes");
        let task = (store.get(&id, ScriptFormat::Raw, DotView::Attributes)).expect("orphan");
        assert!(task.executing);
        // A new template of the same id does not take the orphan back.
        store
            .define_template(template_body("other", GENERIC_MEAN_ALERT))
            .expect("defines");
        let update = TemplateBody {
            script: Some(changed.clone()),
            ..TemplateBody::default()
        };
        store.update_template("other", update).expect("updates");
        let task = (store.get(&id, ScriptFormat::Raw, DotView::Attributes)).expect("orphan");
        assert!(task.script.contains("|max(field)"), "{}", task.script);
        store.delete(&id);
    }
}
