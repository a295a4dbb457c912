//! The JSON form of what stateful nodes hold, for [`Node::snapshot`](crate::Node::snapshot)
//! and [`Node::restore`](crate::Node::restore): groups, tags, fields and buffered points.
//!
//! Field values keep their type through a round trip (`{"f": 1.0}`, `{"i": 1}`,
//! `{"u": 1}`, `{"s": "x"}`, `{"b": true}`; floats that are not finite as `"NaN"`,
//! `"+Inf"`, `"-Inf"`), and times are integer nanoseconds, so a restored node is exactly
//! the node that was saved. The evaluators of a node's lambdas save the state of their
//! stateful functions ([`evaluators_json`]). Decoding names the member it could not read.

use serde_json::{json, Map, Value};
use tickflow_alert::{EventState, Level};
use tickflow_expr::snapshot::{float_from, float_json};
use tickflow_expr::{Evaluator, Lambda, RestoreError};
use tickflow_model::{
    BatchPoint, Dimensions, Duration, FieldValue, Fields, GroupId, GroupInfo, Point, Str, Tags,
    Time,
};

/// A snapshot that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid snapshot: {0}")]
pub struct StateError(String);

impl StateError {
    /// An error about `what`.
    pub fn new(what: impl Into<String>) -> Self {
        StateError(what.into())
    }
}

impl From<RestoreError> for StateError {
    fn from(err: RestoreError) -> Self {
        StateError(err.to_string())
    }
}

impl From<StateError> for crate::NodeError {
    fn from(err: StateError) -> Self {
        crate::NodeError::new(err.to_string())
    }
}

/// `value[key]`, or an error naming it.
pub fn member<'a>(value: &'a Value, key: &str) -> Result<&'a Value, StateError> {
    value
        .get(key)
        .ok_or_else(|| StateError::new(format!("missing {key:?}")))
}

/// `value[key]` as an i64.
pub fn int(value: &Value, key: &str) -> Result<i64, StateError> {
    member(value, key)?
        .as_i64()
        .ok_or_else(|| StateError::new(format!("{key:?} is not an integer")))
}

/// `value[key]` as a string.
pub fn string<'a>(value: &'a Value, key: &str) -> Result<&'a str, StateError> {
    member(value, key)?
        .as_str()
        .ok_or_else(|| StateError::new(format!("{key:?} is not a string")))
}

/// `value[key]` as an array.
pub fn array<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], StateError> {
    member(value, key)?
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| StateError::new(format!("{key:?} is not an array")))
}

/// Tags as an object of strings.
pub fn tags_json(tags: &Tags) -> Value {
    Value::Object(
        tags.iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect(),
    )
}

/// Tags from [`tags_json`].
pub fn tags_from(value: &Value) -> Result<Tags, StateError> {
    let object = object(value, "tags")?;
    let pairs = object
        .iter()
        .map(|(k, v)| match v.as_str() {
            Some(v) => Ok((Str::from(k.as_str()), Str::from(v))),
            None => Err(StateError::new(format!("tag {k:?} is not a string"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Tags::from_unsorted(pairs))
}

/// A field value with its type.
pub fn field_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Float(v) => json!({ "f": float_json(*v) }),
        FieldValue::Integer(v) => json!({ "i": v }),
        FieldValue::Unsigned(v) => json!({ "u": v }),
        FieldValue::String(v) => json!({ "s": v.as_str() }),
        FieldValue::Boolean(v) => json!({ "b": v }),
    }
}

/// A field value from [`field_json`].
pub fn field_from(value: &Value) -> Result<FieldValue, StateError> {
    let bad = || StateError::new(format!("bad field value {value}"));
    let (kind, v) = value
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or_else(bad)?;
    Ok(match kind.as_str() {
        "f" => FieldValue::Float(float_from(v).ok_or_else(bad)?),
        "i" => FieldValue::Integer(v.as_i64().ok_or_else(bad)?),
        "u" => FieldValue::Unsigned(v.as_u64().ok_or_else(bad)?),
        "s" => FieldValue::string(v.as_str().ok_or_else(bad)?),
        "b" => FieldValue::Boolean(v.as_bool().ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

/// The state of one evaluator per lambda, in the lambdas' order.
pub fn evaluators_json(evaluators: &[Evaluator]) -> Value {
    evaluators.iter().map(Evaluator::snapshot).collect()
}

/// Evaluators of `lambdas` going on from [`evaluators_json`].
pub fn evaluators_from(lambdas: &[Lambda], value: &Value) -> Result<Vec<Evaluator>, StateError> {
    let states = value
        .as_array()
        .filter(|states| states.len() == lambdas.len())
        .ok_or_else(|| {
            StateError::new(format!(
                "lambda states {value} are not an array of {}",
                lambdas.len()
            ))
        })?;
    Ok(lambdas
        .iter()
        .zip(states)
        .map(|(lambda, state)| lambda.restored_evaluator(state))
        .collect::<Result<_, _>>()?)
}

/// Fields as an object of typed values.
pub fn fields_json(fields: &Fields) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), field_json(v)))
            .collect(),
    )
}

/// Fields from [`fields_json`].
pub fn fields_from(value: &Value) -> Result<Fields, StateError> {
    let pairs = object(value, "fields")?
        .iter()
        .map(|(k, v)| Ok((Str::from(k.as_str()), field_from(v)?)))
        .collect::<Result<Vec<_>, StateError>>()?;
    Ok(Fields::from_unsorted(pairs))
}

/// A batch point: time, tags and fields.
pub fn batch_point_json(point: &BatchPoint) -> Value {
    json!({
        "time": point.time.nanos(),
        "tags": tags_json(&point.tags),
        "fields": fields_json(&point.fields),
    })
}

/// A batch point from [`batch_point_json`].
pub fn batch_point_from(value: &Value) -> Result<BatchPoint, StateError> {
    Ok(BatchPoint {
        time: Time::from_nanos(int(value, "time")?),
        tags: tags_from(member(value, "tags")?)?,
        fields: fields_from(member(value, "fields")?)?,
    })
}

/// A group: its name, tags and dimensions (the id is derived again on restore).
pub fn group_json(name: &str, info: &GroupInfo) -> Value {
    json!({
        "name": name,
        "tags": tags_json(&info.tags),
        "dimensions": info.dimensions.tag_names().iter().map(|d| &**d).collect::<Vec<_>>(),
        "by_name": info.dimensions.by_name,
    })
}

/// A group's name and info from [`group_json`].
pub fn group_from(value: &Value) -> Result<(Str, GroupInfo), StateError> {
    let name = Str::from(string(value, "name")?);
    let tags = tags_from(member(value, "tags")?)?;
    let dimensions = dimensions_from(value)?;
    let id = GroupId::new(&name, &tags, &dimensions);
    Ok((
        name,
        GroupInfo {
            id,
            tags,
            dimensions,
        },
    ))
}

/// A stream point with its database, retention policy and group.
pub fn point_json(point: &Point) -> Value {
    json!({
        "name": &*point.name,
        "database": &*point.database,
        "retention_policy": &*point.retention_policy,
        "time": point.time.nanos(),
        "tags": tags_json(&point.tags),
        "fields": fields_json(&point.fields),
        "dimensions": point.dimensions.tag_names().iter().map(|d| &**d).collect::<Vec<_>>(),
        "by_name": point.dimensions.by_name,
    })
}

/// A point from [`point_json`].
pub fn point_from(value: &Value) -> Result<Point, StateError> {
    let mut point = Point::new(
        string(value, "name")?,
        Time::from_nanos(int(value, "time")?),
    );
    point.database = Str::from(string(value, "database")?);
    point.retention_policy = Str::from(string(value, "retention_policy")?);
    point.tags = tags_from(member(value, "tags")?)?;
    point.fields = fields_from(member(value, "fields")?)?;
    point.dimensions = dimensions_from(value)?;
    point.group = GroupId::new(&point.name, &point.tags, &point.dimensions);
    Ok(point)
}

/// The `dimensions` and `by_name` members.
fn dimensions_from(value: &Value) -> Result<Dimensions, StateError> {
    let names = array(value, "dimensions")?
        .iter()
        .map(|d| d.as_str().map(Str::from))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| StateError::new("a dimension is not a string"))?;
    let by_name = member(value, "by_name")?.as_bool().unwrap_or(false);
    Ok(Dimensions::by_tags(names).with_by_name(by_name))
}

/// A topic's event states as JSON: `[{"id": …, "level": "CRITICAL", "message": …,
/// "details": …, "time": ns, "duration": ns}]`.
pub fn topic_events_json(events: &[(String, EventState)]) -> Value {
    events
        .iter()
        .map(|(id, state)| {
            json!({
                "id": id,
                "level": state.level.as_str(),
                "message": state.message,
                "details": state.details,
                "time": state.time.nanos(),
                "duration": state.duration.nanos(),
            })
        })
        .collect()
}

/// A topic's event states from [`topic_events_json`].
pub fn topic_events_from(value: &Value) -> Result<Vec<(String, EventState)>, StateError> {
    let entries = value
        .as_array()
        .ok_or_else(|| StateError::new(format!("topic events {value} are not an array")))?;
    entries
        .iter()
        .map(|entry| {
            let level = string(entry, "level")?;
            let level = Level::from_name(level)
                .ok_or_else(|| StateError::new(format!("unknown level {level:?}")))?;
            let event = EventState {
                message: string(entry, "message")?.to_owned(),
                details: string(entry, "details")?.to_owned(),
                time: Time::from_nanos(int(entry, "time")?),
                duration: Duration::from_nanos(int(entry, "duration")?),
                level,
            };
            Ok((string(entry, "id")?.to_owned(), event))
        })
        .collect()
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, StateError> {
    value
        .as_object()
        .ok_or_else(|| StateError::new(format!("{what} is not an object")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_keep_their_types() {
        for value in [
            FieldValue::Float(1.0),
            FieldValue::Float(f64::NEG_INFINITY),
            FieldValue::Integer(-1),
            FieldValue::Unsigned(u64::MAX),
            FieldValue::string("x"),
            FieldValue::Boolean(true),
        ] {
            assert_eq!(field_from(&field_json(&value)), Ok(value));
        }
        assert_eq!(
            field_from(&json!({"x": 1})),
            Err(StateError::new("bad field value {\"x\":1}"))
        );
    }

    #[test]
    fn topic_events_round_trip() {
        let events = vec![(
            "cpu:host=a".to_string(),
            EventState {
                message: "hot".into(),
                details: String::new(),
                time: Time::from_nanos(7),
                duration: Duration::from_nanos(3),
                level: Level::Critical,
            },
        )];
        assert_eq!(topic_events_from(&topic_events_json(&events)), Ok(events));
        let bad = json!([{"id": "x", "level": "HOT"}]);
        assert_eq!(
            topic_events_from(&bad),
            Err(StateError::new("unknown level \"HOT\""))
        );
    }

    #[test]
    fn groups_and_points_round_trip() {
        let tags = Tags::from_pairs([("host", "a"), ("dc", "eu")]);
        let dimensions = Dimensions::by_tags(["host"]);
        let info = GroupInfo {
            id: GroupId::new("cpu", &tags, &dimensions),
            tags: dimensions.group_tags(&tags),
            dimensions,
        };
        let (name, back) = group_from(&group_json("cpu", &info)).expect("decodes");
        assert_eq!((&*name, back), ("cpu", info));
        let point = BatchPoint {
            time: Time::from_nanos(5),
            tags,
            fields: Fields::from_pairs([("v", FieldValue::Float(2.5))]),
        };
        assert_eq!(
            batch_point_from(&batch_point_json(&point)),
            Ok(point.clone())
        );
        let mut stream = Point::new("cpu", point.time);
        stream.database = "db".into();
        stream.tags = point.tags;
        stream.fields = point.fields;
        stream.dimensions = Dimensions::by_tags(["dc"]).with_by_name(true);
        stream.group = GroupId::new("cpu", &stream.tags, &stream.dimensions);
        assert_eq!(point_from(&point_json(&stream)), Ok(stream));
    }
}
