//! [`TemplateData`], what alert templates see as `.`, and its Go JSON encoding.

use tickflow_model::{Duration, Fields, Tags, Time};

use crate::data::Level;
use crate::json::{EncodeError, JsonWriter};
use crate::row::write_field_value;

use super::format::Value;
use super::ErrorKind;

/// The server identity templates see as `.ServerInfo`; by default hostname `localhost`
/// and empty ids (the server fills in its UUIDs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `.ServerInfo.Hostname`: the configured hostname (default `localhost`).
    pub hostname: String,
    /// `.ServerInfo.ClusterID`: the cluster's UUID.
    pub cluster_id: String,
    /// `.ServerInfo.ServerID`: the server's UUID.
    pub server_id: String,
}

impl Default for ServerInfo {
    fn default() -> Self {
        ServerInfo {
            hostname: "localhost".into(),
            cluster_id: String::new(),
            server_id: String::new(),
        }
    }
}

/// The data of an alert template (nodes.md §8.2). The `Option` members are `None` where the
/// template does not receive them: the id template sees only name, task name, group, tags
/// and server info; the message template adds id, fields, level, time and duration; the
/// details template adds the message. Using a `None` member is a render error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateData {
    /// `.Name`: the measurement name.
    pub name: String,
    /// `.TaskName`: the task id.
    pub task_name: String,
    /// `.Group`: the group id, `nil` for the nil group.
    pub group: String,
    /// `.Tags`.
    pub tags: Tags,
    /// `.ServerInfo`.
    pub server_info: ServerInfo,
    /// `.ID`: the rendered id.
    pub id: Option<String>,
    /// `.Fields`.
    pub fields: Option<Fields>,
    /// `.Level`.
    pub level: Option<Level>,
    /// `.Time`.
    pub time: Option<Time>,
    /// `.Duration`.
    pub duration: Option<Duration>,
    /// `.Message`: the rendered message.
    pub message: Option<String>,
}

/// Go type names used in messages.
pub(super) const DATA_TYPE: &str = "alert.detailsInfo";
pub(super) const SERVER_INFO_TYPE: &str = "alert.serverInfo";

impl TemplateData {
    /// The value of field `name` of the data.
    pub(super) fn field(&self, name: &str) -> Result<Value<'_>, ErrorKind> {
        fn available<T>(value: Option<T>, name: &'static str) -> Result<T, ErrorKind> {
            value.ok_or(ErrorKind::UnavailableField(name))
        }
        Ok(match name {
            "Name" => Value::from(self.name.as_str()),
            "TaskName" => Value::from(self.task_name.as_str()),
            "Group" => Value::from(self.group.as_str()),
            "Tags" => Value::Tags(&self.tags),
            "ServerInfo" => Value::ServerInfo(&self.server_info),
            "ID" => Value::from(available(self.id.as_deref(), "ID")?),
            "Fields" => Value::Fields(available(self.fields.as_ref(), "Fields")?),
            "Level" => Value::from(available(self.level, "Level")?.as_str()),
            "Time" => Value::Time(available(self.time, "Time")?),
            "Duration" => Value::Duration(available(self.duration, "Duration")?),
            "Message" => Value::from(available(self.message.as_deref(), "Message")?),
            _ => {
                return Err(ErrorKind::UnknownField {
                    field: name.to_owned(),
                    ty: DATA_TYPE,
                })
            }
        })
    }
}

impl ServerInfo {
    /// The value of field `name`.
    pub(super) fn field(&self, name: &str) -> Result<Value<'_>, ErrorKind> {
        Ok(Value::from(match name {
            "Hostname" => self.hostname.as_str(),
            "ClusterID" => self.cluster_id.as_str(),
            "ServerID" => self.server_id.as_str(),
            _ => {
                return Err(ErrorKind::UnknownField {
                    field: name.to_owned(),
                    ty: SERVER_INFO_TYPE,
                })
            }
        }))
    }
}

/// Writes `value` as Go's `encoding/json` would; template data keys in Kapacitor's
/// struct order (alert-data.md §4), unavailable members left out.
pub(super) fn write_json(w: &mut JsonWriter, value: &Value<'_>) -> Result<(), EncodeError> {
    match value {
        Value::Nil => {
            w.null();
        }
        Value::Bool(b) => {
            w.bool(*b);
        }
        Value::Int(n) | Value::Int64(n) => {
            w.int(*n);
        }
        Value::Uint64(n) => {
            w.uint(*n);
        }
        Value::Float(x) => {
            w.float(*x)?;
        }
        Value::Str(s) => {
            w.string(s);
        }
        Value::Time(t) => {
            w.string(&t.to_rfc3339());
        }
        Value::Duration(d) => {
            w.int(d.nanos());
        }
        Value::Tags(tags) => {
            w.begin_object();
            for (k, v) in tags.iter() {
                w.key(k).string(v);
            }
            w.end_object();
        }
        Value::Fields(fields) => {
            w.begin_object();
            for (k, v) in fields.iter() {
                w.key(k);
                write_field_value(w, v)?;
            }
            w.end_object();
        }
        Value::ServerInfo(info) => {
            w.begin_object()
                .key("Hostname")
                .string(&info.hostname)
                .key("ClusterID")
                .string(&info.cluster_id)
                .key("ServerID")
                .string(&info.server_id)
                .end_object();
        }
        Value::Row(row) => {
            w.begin_object().key("Name").string(&row.name).key("Tags");
            write_json(w, &Value::Tags(&row.tags))?;
            w.key("Values");
            write_json(w, &Value::RowValues(row))?;
            w.end_object();
        }
        Value::RowValues(row) => {
            w.begin_array();
            for index in 0..row.values.len() {
                write_json(w, &Value::RowEntry(row, index))?;
            }
            w.end_array();
        }
        Value::RowEntry(row, index) => {
            w.begin_object();
            for (column, value) in super::row::entries(row, *index) {
                w.key(column);
                write_json(w, &value)?;
            }
            w.end_object();
        }
        Value::Data(data) => {
            const KEYS: [&str; 11] = [
                "Name",
                "TaskName",
                "Group",
                "Tags",
                "ServerInfo",
                "ID",
                "Fields",
                "Level",
                "Time",
                "Duration",
                "Message",
            ];
            w.begin_object();
            for key in KEYS {
                if let Ok(member) = data.field(key) {
                    w.key(key);
                    write_json(w, &member)?;
                }
            }
            w.end_object();
        }
    }
    Ok(())
}
