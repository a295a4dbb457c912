//! [`TemplateData`], what alert templates see as `.`: Kapacitor's `idInfo` (id),
//! `messageInfo` (message, embedding `idInfo`) and `detailsInfo` (details, embedding
//! `messageInfo`).

use tickflow_model::{Duration, Fields, Tags, Time};

use crate::data::Level;

use super::value::{MapRef, StructRef, Value};
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

/// The data of an alert template (kapacitor-compat.md, nodes §8.2). The `Option` members are `None` where the
/// template does not receive them: the id template sees only name, task name, group, tags
/// and server info (`kapacitor.idInfo`); the message template adds id, fields, level, time
/// and duration (`kapacitor.messageInfo`); the details template adds the message
/// (`kapacitor.detailsInfo`). Which struct the data is follows from the members set: a
/// message makes it `detailsInfo`, an id `messageInfo`. Using a field the struct does not
/// have is a render error, as in Go.
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

/// Which of Kapacitor's template structs a [`TemplateData`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Info {
    /// `kapacitor.idInfo`.
    Id,
    /// `kapacitor.messageInfo`.
    Message,
    /// `kapacitor.detailsInfo`.
    Details,
}

impl Info {
    /// The struct this one embeds: its field name and struct.
    fn embedded(self) -> Option<(&'static str, Info)> {
        match self {
            Info::Id => None,
            Info::Message => Some(("idInfo", Info::Id)),
            Info::Details => Some(("messageInfo", Info::Message)),
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Info::Id => "kapacitor.idInfo",
            Info::Message => "kapacitor.messageInfo",
            Info::Details => "kapacitor.detailsInfo",
        }
    }
}

/// The fields of Kapacitor's template structs, in declaration (and JSON) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Name,
    TaskName,
    Group,
    Tags,
    ServerInfo,
    Id,
    Fields,
    Level,
    Time,
    Duration,
    Message,
}

impl Field {
    /// Every field, in order.
    pub(super) const ALL: [Field; 11] = [
        Field::Name,
        Field::TaskName,
        Field::Group,
        Field::Tags,
        Field::ServerInfo,
        Field::Id,
        Field::Fields,
        Field::Level,
        Field::Time,
        Field::Duration,
        Field::Message,
    ];

    /// The field's Go name.
    pub(super) fn name(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::TaskName => "TaskName",
            Field::Group => "Group",
            Field::Tags => "Tags",
            Field::ServerInfo => "ServerInfo",
            Field::Id => "ID",
            Field::Fields => "Fields",
            Field::Level => "Level",
            Field::Time => "Time",
            Field::Duration => "Duration",
            Field::Message => "Message",
        }
    }

    /// The struct that declares the field.
    fn declared_in(self) -> Info {
        match self {
            Field::Name | Field::TaskName | Field::Group | Field::Tags | Field::ServerInfo => {
                Info::Id
            }
            Field::Message => Info::Details,
            _ => Info::Message,
        }
    }
}

impl TemplateData {
    /// The struct this data stands for.
    pub(super) fn info(&self) -> Info {
        if self.message.is_some() {
            Info::Details
        } else if self.id.is_some() {
            Info::Message
        } else {
            Info::Id
        }
    }

    /// The value of promoted field `name` of the data viewed as `info`.
    pub(super) fn field<'a>(&'a self, info: Info, name: &str) -> Result<Value<'a>, ErrorKind> {
        if info
            .embedded()
            .is_some_and(|(embedded, _)| embedded == name)
        {
            return Err(ErrorKind::Unexported {
                field: name.to_owned(),
                ty: info.type_name(),
            });
        }
        Field::ALL
            .into_iter()
            .find(|f| f.name() == name && f.declared_in() <= info)
            .map(|f| self.value(f))
            .ok_or_else(|| ErrorKind::UnknownField {
                field: name.to_owned(),
                ty: info.type_name(),
            })
    }

    /// The value of `field`.
    pub(super) fn value(&self, field: Field) -> Value<'_> {
        match field {
            Field::Name => Value::from(self.name.as_str()),
            Field::TaskName => Value::from(self.task_name.as_str()),
            Field::Group => Value::from(self.group.as_str()),
            Field::Tags => Value::Map(MapRef::Tags(&self.tags)),
            Field::ServerInfo => Value::Struct(StructRef::ServerInfo(&self.server_info)),
            Field::Id => Value::from(self.id.as_deref().unwrap_or_default()),
            Field::Fields => self
                .fields
                .as_ref()
                .map_or(Value::Nil, |fields| Value::Map(MapRef::Fields(fields))),
            Field::Level => Value::from(self.level.map_or("", Level::as_str)),
            Field::Time => Value::Time(self.time.unwrap_or(Time::from_nanos(0))),
            Field::Duration => Value::Duration(self.duration.map_or(0, Duration::nanos)),
            Field::Message => Value::from(self.message.as_deref().unwrap_or_default()),
        }
    }

    /// The promoted fields of the struct `info`, in JSON order.
    pub(super) fn promoted(info: Info) -> impl Iterator<Item = Field> {
        Field::ALL
            .into_iter()
            .filter(move |f| f.declared_in() <= info)
    }

    /// The fields of the struct `info` in declaration order, the embedded struct first
    /// under its type's name.
    pub(super) fn fields(&self, info: Info) -> Vec<(&'static str, Value<'_>)> {
        info.embedded()
            .map(|(name, inner)| (name, Value::Struct(StructRef::Data(self, inner))))
            .into_iter()
            .chain(
                Field::ALL
                    .into_iter()
                    .filter(|f| f.declared_in() == info)
                    .map(|f| (f.name(), self.value(f))),
            )
            .collect()
    }

    /// The Go type name of the struct `info`.
    pub(super) fn type_name(info: Info) -> &'static str {
        info.type_name()
    }
}
