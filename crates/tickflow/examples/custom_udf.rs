//! A native UDF of the program's own: `@fahrenheit().field('temp')` adds `temp_f` to
//! each point, and the script alerts on it. Native UDFs run in the node's thread with
//! the lifecycle of Kapacitor's UDF agents (options checked against their Info, state
//! snapshotted and restored) and no protocol in between.
//!
//! `cargo run --example custom_udf`

use std::collections::{BTreeMap, BTreeSet};

use tickflow::model::{GroupId, Message, Point};
use tickflow::pipeline::nodes::udf::{OptionType, OptionValue, UdfInfo, UdfOption};
use tickflow::pipeline::EdgeType;
use tickflow::{Builtin, Engine, FieldValue, InitError, NativeUdf, TaskDefinition, UdfError};

/// Stream in, stream out; one option, the field to convert.
fn info() -> UdfInfo {
    UdfInfo {
        wants: EdgeType::Stream,
        provides: EdgeType::Stream,
        options: BTreeMap::from([("field".to_string(), vec![OptionType::String])]),
        variadic: BTreeSet::new(),
    }
}

/// A running `@fahrenheit()`: it keeps no state.
struct Fahrenheit {
    field: String,
}

fn init(options: &[UdfOption]) -> Result<Box<dyn NativeUdf>, InitError> {
    match options {
        [UdfOption { name, values }] if name == "field" => match values.as_slice() {
            [OptionValue::String(field)] => Ok(Box::new(Fahrenheit {
                field: field.clone(),
            })),
            _ => Err(InitError::new("field takes one string")),
        },
        _ => Err(InitError::new("must supply field")),
    }
}

impl NativeUdf for Fahrenheit {
    fn point(&mut self, mut point: Point, out: &mut Vec<Message>) -> Result<(), UdfError> {
        let celsius = match point.fields.get(self.field.as_str()) {
            Some(FieldValue::Float(c)) => *c,
            Some(FieldValue::Integer(c)) => *c as f64,
            _ => return Err(UdfError::new(format!("no numeric field {:?}", self.field))),
        };
        let name = format!("{}_f", self.field);
        point.fields.insert(
            name.as_str().into(),
            FieldValue::Float(celsius * 9.0 / 5.0 + 32.0),
        );
        out.push(Message::Point(point));
        Ok(())
    }

    /// Nothing to forget: the conversion keeps no state per group.
    fn delete_group(&mut self, _group: &GroupId) {}

    fn snapshot(&self) -> Result<serde_json::Value, UdfError> {
        Ok(serde_json::Value::Null)
    }

    fn restore(&mut self, _state: &serde_json::Value) -> Result<(), UdfError> {
        Ok(())
    }
}

const SCRIPT: &str = r#"dbrp "printer"."autogen"
stream
    |from().measurement('temperatures')
    @fahrenheit().field('hotend')
    |alert()
        .id('hotend')
        .message('{{ .Level }}: hotend at {{ index .Fields "hotend_f" }} F')
        .crit(lambda: "hotend_f" > 480.0)
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (builder, alerts) = Engine::builder()
        .udf(Builtin {
            name: "fahrenheit",
            info,
            init,
        })
        .alert_channel();
    let engine = builder.build()?;
    engine.define(TaskDefinition::new("fahrenheit", SCRIPT))?;
    engine.write_lines(
        "printer",
        "autogen",
        b"temperatures hotend=220.0 1\ntemperatures hotend=251.0 2\ntemperatures hotend=230.0 3\n",
    )?;
    engine.shutdown();
    for alert in alerts.try_iter() {
        println!("{}", alert.message);
    }
    Ok(())
}
