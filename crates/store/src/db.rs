//! [`Store`]: the embedded store (`<data dir>/store.redb`, redb) of what is defined over
//! the API: task records ([`TaskRecord`]), templates ([`TemplateRecord`]), topic
//! handlers (their specs as the alerts API takes them) and alert topic states. Each put is one committed transaction, so after
//! a crash a record is either the old one or the new one, never half of each.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::StoreError;

const TASKS: TableDefinition<&str, &[u8]> = TableDefinition::new("tasks");
const HANDLERS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("topic_handlers");
const TOPICS: TableDefinition<&str, &[u8]> = TableDefinition::new("topics");
const TEMPLATES: TableDefinition<&str, &[u8]> = TableDefinition::new("templates");

/// A template as defined over the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRecord {
    /// The template's id.
    pub id: String,
    /// The TICKscript as given.
    pub script: String,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub task_type: String,
    /// When it was defined, in nanoseconds since the epoch.
    pub created: i64,
    /// When it last changed, in nanoseconds since the epoch.
    pub modified: i64,
}

/// A task as defined over the API: enough to define it again at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// The task's id.
    pub id: String,
    /// The TICKscript as given.
    pub script: String,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub task_type: String,
    /// The dbrps given with the request (not the script's), as `(db, rp)`.
    pub dbrps: Vec<(String, String)>,
    /// The vars, in Kapacitor's typed JSON form.
    pub vars: Value,
    /// `enabled` or `disabled`.
    pub status: String,
    /// The template it was made from; empty when none.
    #[serde(default)]
    pub template_id: String,
    /// The WAL position when it was last enabled: a task with no snapshot replays the
    /// records after it.
    pub since: u64,
}

/// The embedded store.
pub struct Store {
    path: PathBuf,
    db: Database,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (or creates) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let db = Database::create(path).map_err(StoreError::db(path))?;
        let store = Store {
            path: path.to_path_buf(),
            db,
        };
        store.write(|txn| {
            txn.open_table(TASKS)?;
            txn.open_table(HANDLERS)?;
            txn.open_table(TOPICS)?;
            txn.open_table(TEMPLATES)?;
            Ok(())
        })?;
        Ok(store)
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `change` in one write transaction and commits it.
    fn write(
        &self,
        change: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
    ) -> Result<(), StoreError> {
        let commit = || -> Result<(), redb::Error> {
            let txn = self.db.begin_write()?;
            change(&txn)?;
            txn.commit()?;
            Ok(())
        };
        commit().map_err(StoreError::db(&self.path))
    }

    /// Saves (or replaces) a task record.
    pub fn put_task(&self, task: &TaskRecord) -> Result<(), StoreError> {
        let bytes = encode(task);
        self.write(|txn| {
            txn.open_table(TASKS)?
                .insert(task.id.as_str(), bytes.as_slice())?;
            Ok(())
        })
    }

    /// Forgets task `id`.
    pub fn delete_task(&self, id: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            txn.open_table(TASKS)?.remove(id)?;
            Ok(())
        })
    }

    /// Every task record, by id.
    pub fn tasks(&self) -> Result<Vec<TaskRecord>, StoreError> {
        let rows = self.rows(TASKS)?;
        rows.into_iter()
            .map(|(id, bytes)| self.decode("task", id, &bytes))
            .collect()
    }

    /// Saves (or replaces) a template record.
    pub fn put_template(&self, template: &TemplateRecord) -> Result<(), StoreError> {
        let bytes = encode(template);
        self.write(|txn| {
            txn.open_table(TEMPLATES)?
                .insert(template.id.as_str(), bytes.as_slice())?;
            Ok(())
        })
    }

    /// Forgets template `id`.
    pub fn delete_template(&self, id: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            txn.open_table(TEMPLATES)?.remove(id)?;
            Ok(())
        })
    }

    /// Every template record, by id.
    pub fn templates(&self) -> Result<Vec<TemplateRecord>, StoreError> {
        let rows = self.rows(TEMPLATES)?;
        rows.into_iter()
            .map(|(id, bytes)| self.decode("template", id, &bytes))
            .collect()
    }

    /// Saves (or replaces) handler `id` of `topic`.
    pub fn put_handler(&self, topic: &str, id: &str, spec: &Value) -> Result<(), StoreError> {
        let bytes = encode(spec);
        self.write(|txn| {
            txn.open_table(HANDLERS)?
                .insert((topic, id), bytes.as_slice())?;
            Ok(())
        })
    }

    /// Forgets handler `id` of `topic`.
    pub fn delete_handler(&self, topic: &str, id: &str) -> Result<(), StoreError> {
        self.write(|txn| {
            txn.open_table(HANDLERS)?.remove((topic, id))?;
            Ok(())
        })
    }

    /// Every topic handler as `(topic, id, spec)`.
    pub fn handlers(&self) -> Result<Vec<(String, String, Value)>, StoreError> {
        let read = || -> Result<Vec<(String, String, Vec<u8>)>, redb::Error> {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(HANDLERS)?;
            let mut rows = Vec::new();
            for row in table.iter()? {
                let (key, value) = row?;
                let (topic, id) = key.value();
                rows.push((topic.to_string(), id.to_string(), value.value().to_vec()));
            }
            Ok(rows)
        };
        let rows = read().map_err(StoreError::db(&self.path))?;
        rows.into_iter()
            .map(|(topic, id, bytes)| {
                let spec = self.decode("topic handler", format!("{topic}/{id}"), &bytes)?;
                Ok((topic, id, spec))
            })
            .collect()
    }

    /// Replaces every topic's saved state with `topics` (`(topic, state)`).
    pub fn put_topics(&self, topics: &[(String, Value)]) -> Result<(), StoreError> {
        self.write(|txn| {
            let mut table = txn.open_table(TOPICS)?;
            table.retain(|_, _| false)?;
            for (topic, state) in topics {
                table.insert(topic.as_str(), encode(state).as_slice())?;
            }
            Ok(())
        })
    }

    /// Every topic's saved state.
    pub fn topics(&self) -> Result<Vec<(String, Value)>, StoreError> {
        let rows = self.rows(TOPICS)?;
        rows.into_iter()
            .map(|(id, bytes)| Ok((id.clone(), self.decode("topic", id, &bytes)?)))
            .collect()
    }

    fn rows(
        &self,
        table: TableDefinition<&str, &[u8]>,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let read = || -> Result<Vec<(String, Vec<u8>)>, redb::Error> {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(table)?;
            let mut rows = Vec::new();
            for row in table.iter()? {
                let (key, value) = row?;
                rows.push((key.value().to_string(), value.value().to_vec()));
            }
            Ok(rows)
        };
        read().map_err(StoreError::db(&self.path))
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
        key: String,
        bytes: &[u8],
    ) -> Result<T, StoreError> {
        serde_json::from_slice(bytes).map_err(|err| StoreError::Record {
            path: self.path.clone(),
            what,
            key,
            reason: err.to_string(),
        })
    }
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Records are plain data (strings, numbers, JSON values): they always serialize.
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn task(id: &str, status: &str) -> TaskRecord {
        TaskRecord {
            id: id.into(),
            script: "stream|from()".into(),
            task_type: "stream".into(),
            dbrps: vec![("db".into(), "rp".into())],
            vars: json!({"x": {"type": "int", "value": 1}}),
            status: status.into(),
            template_id: String::new(),
            since: 3,
        }
    }

    #[test]
    fn tasks_handlers_and_topics_survive_a_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.redb");
        {
            let store = Store::open(&path).expect("opens");
            store.put_task(&task("a", "enabled")).expect("puts");
            store.put_task(&task("b", "disabled")).expect("puts");
            store.delete_task("b").expect("deletes");
            store
                .put_handler("cpu", "log", &json!({"id": "log", "kind": "log"}))
                .expect("puts");
            store
                .put_topics(&[("cpu".into(), json!({"events": {}}))])
                .expect("puts");
        }
        let store = Store::open(&path).expect("reopens");
        assert_eq!(store.tasks().expect("reads"), [task("a", "enabled")]);
        let handlers = store.handlers().expect("reads");
        assert_eq!(handlers[0].0, "cpu");
        assert_eq!(handlers[0].2["kind"], "log");
        store.delete_handler("cpu", "log").expect("deletes");
        assert!(store.handlers().expect("reads").is_empty());
        assert_eq!(store.topics().expect("reads").len(), 1);
    }

    #[test]
    fn templates_survive_a_reopen_and_go_when_deleted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.redb");
        let template = |id: &str| TemplateRecord {
            id: id.into(),
            script: "var x string\nstream|from().measurement(x)".into(),
            task_type: "stream".into(),
            created: 1,
            modified: 2,
        };
        {
            let store = Store::open(&path).expect("opens");
            store.put_template(&template("t1")).expect("puts");
            store.put_template(&template("t2")).expect("puts");
            store.delete_template("t2").expect("deletes");
        }
        let store = Store::open(&path).expect("reopens");
        assert_eq!(store.templates().expect("reads"), [template("t1")]);
    }
}
