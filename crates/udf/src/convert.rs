//! Between tickflow's messages and the protocol's: what Kapacitor puts in the data
//! messages it sends (spec §3.2, §3.3), how it rebuilds points and batches from what an
//! agent sends back ([`Assembler`], §3.4), and options and Info in protocol form.

use std::collections::BTreeMap;

use tickflow_model::{
    Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupId, GroupInfo, Message, Point, Str,
    Tags, Time,
};
use tickflow_pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow_pipeline::EdgeType;

use crate::proto::{self, option_value, request, response, Request};

/// The typed field maps of a protocol point.
#[derive(Default)]
struct FieldMaps {
    double: BTreeMap<String, f64>,
    int: BTreeMap<String, i64>,
    string: BTreeMap<String, String>,
    boolean: BTreeMap<String, bool>,
}

/// Splits fields by type. Unsigned integers cannot come from Kapacitor's parser; ours
/// go as ints when they fit and as doubles otherwise.
fn field_maps(fields: &Fields) -> FieldMaps {
    let mut maps = FieldMaps::default();
    for (name, value) in fields.iter() {
        let name = name.to_string();
        match value {
            FieldValue::Float(v) => {
                maps.double.insert(name, *v);
            }
            FieldValue::Integer(v) => {
                maps.int.insert(name, *v);
            }
            FieldValue::Unsigned(v) => match i64::try_from(*v) {
                Ok(v) => {
                    maps.int.insert(name, v);
                }
                Err(_) => {
                    maps.double.insert(name, *v as f64);
                }
            },
            FieldValue::String(v) => {
                maps.string.insert(name, v.to_string());
            }
            FieldValue::Boolean(v) => {
                maps.boolean.insert(name, *v);
            }
        }
    }
    maps
}

fn tag_map(tags: &Tags) -> BTreeMap<String, String> {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A point of a stream edge, fully populated (§3.2).
pub fn stream_point(point: &Point) -> Request {
    let fields = field_maps(&point.fields);
    let message = proto::Point {
        time: point.time.nanos(),
        name: point.name.to_string(),
        database: point.database.to_string(),
        retention_policy: point.retention_policy.to_string(),
        group: point.group.as_str().to_string(),
        dimensions: point
            .dimensions
            .tag_names()
            .iter()
            .map(|d| d.to_string())
            .collect(),
        tags: tag_map(&point.tags),
        fields_double: fields.double,
        fields_int: fields.int,
        fields_string: fields.string,
        by_name: point.dimensions.by_name,
        fields_bool: fields.boolean,
    };
    wrap(request::Message::Point(message))
}

/// A batch of a batch edge as `begin`, one `point` per point (time, group, tags and
/// fields only) and `end` without `byName` (§3.3).
pub fn batch(batch: &Batch) -> Vec<Request> {
    let group = batch.group.as_str().to_string();
    let tags = tag_map(&batch.tags);
    let mut out = Vec::with_capacity(batch.points.len() + 2);
    out.push(wrap(request::Message::Begin(proto::BeginBatch {
        name: batch.name.to_string(),
        group: group.clone(),
        tags: tags.clone(),
        size: batch.points.len() as i64,
        by_name: batch.dimensions.by_name,
    })));
    for point in &batch.points {
        let fields = field_maps(&point.fields);
        out.push(wrap(request::Message::Point(proto::Point {
            time: point.time.nanos(),
            group: group.clone(),
            tags: tag_map(&point.tags),
            fields_double: fields.double,
            fields_int: fields.int,
            fields_string: fields.string,
            fields_bool: fields.boolean,
            ..proto::Point::default()
        })));
    }
    out.push(wrap(request::Message::End(proto::EndBatch {
        name: batch.name.to_string(),
        group,
        tmax: batch.tmax.nanos(),
        tags,
        by_name: false,
    })));
    out
}

/// A request around `message`.
pub fn wrap(message: request::Message) -> Request {
    Request {
        message: Some(message),
    }
}

/// A node's options as the Init request carries them.
pub fn options(options: &[UdfOption]) -> Vec<proto::Option> {
    options
        .iter()
        .map(|option| proto::Option {
            name: option.name.clone(),
            values: option.values.iter().map(option_value).collect(),
        })
        .collect()
}

fn option_value(value: &OptionValue) -> proto::OptionValue {
    let (r#type, value) = match value {
        OptionValue::Bool(v) => (proto::ValueType::Bool, option_value::Value::BoolValue(*v)),
        OptionValue::Int(v) => (proto::ValueType::Int, option_value::Value::IntValue(*v)),
        OptionValue::Double(v) => (
            proto::ValueType::Double,
            option_value::Value::DoubleValue(*v),
        ),
        OptionValue::String(v) => (
            proto::ValueType::String,
            option_value::Value::StringValue(v.clone()),
        ),
        OptionValue::Duration(v) => (
            proto::ValueType::Duration,
            option_value::Value::DurationValue(v.nanos()),
        ),
    };
    proto::OptionValue {
        r#type: r#type as i32,
        value: Some(value),
    }
}

/// An Info response that does not describe a UDF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InfoError {
    /// `wants` or `provides` is not an edge type.
    #[error("unknown edge type {0}")]
    EdgeType(i32),
    /// An option argument type is not a value type.
    #[error("option {option:?} has unknown value type {value}")]
    ValueType {
        /// The option.
        option: String,
        /// The number sent.
        value: i32,
    },
}

/// What an Info response declares.
pub fn info(response: &proto::InfoResponse) -> Result<UdfInfo, InfoError> {
    let edge = |value: i32| match proto::EdgeType::try_from(value) {
        Ok(proto::EdgeType::Stream) => Ok(EdgeType::Stream),
        Ok(proto::EdgeType::Batch) => Ok(EdgeType::Batch),
        Err(_) => Err(InfoError::EdgeType(value)),
    };
    let options = response
        .options
        .iter()
        .map(|(name, info)| {
            let types = info
                .value_types
                .iter()
                .map(|&value| {
                    option_type(value).ok_or_else(|| InfoError::ValueType {
                        option: name.clone(),
                        value,
                    })
                })
                .collect::<Result<_, _>>()?;
            Ok((name.clone(), types))
        })
        .collect::<Result<_, InfoError>>()?;
    Ok(UdfInfo {
        wants: edge(response.wants)?,
        provides: edge(response.provides)?,
        options,
        variadic: Default::default(),
    })
}

fn option_type(value: i32) -> Option<OptionType> {
    Some(match proto::ValueType::try_from(value).ok()? {
        proto::ValueType::Bool => OptionType::Bool,
        proto::ValueType::Int => OptionType::Int,
        proto::ValueType::Double => OptionType::Double,
        proto::ValueType::String => OptionType::String,
        proto::ValueType::Duration => OptionType::Duration,
    })
}

/// Data from an agent that Kapacitor could not use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// `end` with no `begin` before it (Kapacitor would crash).
    #[error("received end of batch {0:?} without a begin")]
    EndWithoutBegin(String),
}

/// The batch an agent has begun.
struct OpenBatch {
    by_name: bool,
    points: Vec<BatchPoint>,
}

/// Rebuilds points and batches from an agent's data responses, as Kapacitor does
/// (§3.4): the agent's `group` strings are ignored and groups recomputed.
#[derive(Default)]
pub struct Assembler {
    open: Option<OpenBatch>,
}

impl Assembler {
    /// Takes one data response; a finished point or batch goes to `out`.
    pub fn take(
        &mut self,
        data: response::Message,
        out: &mut Vec<Message>,
    ) -> Result<(), OutputError> {
        match data {
            response::Message::Begin(begin) => {
                self.open = Some(OpenBatch {
                    by_name: begin.by_name,
                    points: Vec::with_capacity(usize::try_from(begin.size).unwrap_or(0).min(4096)),
                });
            }
            response::Message::Point(point) => match &mut self.open {
                Some(open) => open.points.push(batch_point(point)),
                None => out.push(Message::Point(stream_output(point))),
            },
            response::Message::End(end) => {
                let open = self
                    .open
                    .take()
                    .ok_or_else(|| OutputError::EndWithoutBegin(end.name.clone()))?;
                out.push(Message::Batch(batch_output(end, open)));
            }
            _ => {}
        }
        Ok(())
    }
}

/// Fields merged in Kapacitor's order: strings, ints, doubles, bools (later wins).
fn merged_fields(point: &mut proto::Point) -> Fields {
    let mut pairs: BTreeMap<String, FieldValue> = BTreeMap::new();
    for (k, v) in std::mem::take(&mut point.fields_string) {
        pairs.insert(k, FieldValue::string(v));
    }
    for (k, v) in std::mem::take(&mut point.fields_int) {
        pairs.insert(k, FieldValue::Integer(v));
    }
    for (k, v) in std::mem::take(&mut point.fields_double) {
        pairs.insert(k, FieldValue::Float(v));
    }
    for (k, v) in std::mem::take(&mut point.fields_bool) {
        pairs.insert(k, FieldValue::Boolean(v));
    }
    Fields::from_sorted(pairs.into_iter().map(|(k, v)| (Str::from(k), v)))
}

fn tags_of(map: BTreeMap<String, String>) -> Tags {
    Tags::from_sorted(map.into_iter().map(|(k, v)| (Str::from(k), Str::from(v))))
}

fn stream_output(mut point: proto::Point) -> Point {
    let fields = merged_fields(&mut point);
    let mut out = Point::new(point.name, Time::from_nanos(point.time));
    out.database = point.database.into();
    out.retention_policy = point.retention_policy.into();
    out.tags = tags_of(point.tags);
    out.fields = fields;
    out.set_dimensions(Dimensions::by_tags(point.dimensions).with_by_name(point.by_name));
    out
}

fn batch_point(mut point: proto::Point) -> BatchPoint {
    BatchPoint {
        fields: merged_fields(&mut point),
        tags: tags_of(point.tags),
        time: Time::from_nanos(point.time),
    }
}

fn batch_output(end: proto::EndBatch, open: OpenBatch) -> Batch {
    let tags = tags_of(end.tags);
    let dimensions = Dimensions::by_tags(tags.keys().cloned()).with_by_name(open.by_name);
    let group = GroupInfo {
        id: GroupId::new(&end.name, &tags, &dimensions),
        tags,
        dimensions,
    };
    let mut batch = Batch::new(end.name.into(), group, Time::from_nanos(end.tmax));
    batch.points = open.points.into();
    batch
}
