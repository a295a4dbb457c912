//! The build options and the pipeline's metadata: template variables (supplied values,
//! their type checks, zero values), task types, spans, and the UDF catalogue.

use std::collections::BTreeMap;

use tickflow_model::Duration;
use tickflow_pipeline::{
    build, BuildErrorKind, BuildOptions, NodeKind, Pipeline, TaskType, VarValue,
};
use tickflow_tickscript::{parse, VarType};

use crate::support::golden_options;

fn build_with(src: &str, options: &BuildOptions) -> Result<Pipeline, String> {
    let program = parse(src).map_err(|err| err.to_string())?;
    build(&program, options).map_err(|err| err.message(src))
}

fn with_vars(vars: &[(&str, VarValue)]) -> BuildOptions {
    let vars = vars
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    BuildOptions {
        vars,
        ..BuildOptions::default()
    }
}

const THRESHOLD: &str =
    "// Alert above this.\nvar crit = 90.0\nstream|from()|alert().crit(lambda: \"value\" > crit)";

fn crit_text(pipeline: &Pipeline) -> String {
    match &pipeline.nodes[2].kind {
        NodeKind::Alert(alert) => alert
            .crit
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        other => panic!("not an alert: {other:?}"),
    }
}

#[test]
fn supplied_values_replace_defaults() {
    let pipeline =
        build_with(THRESHOLD, &with_vars(&[("crit", VarValue::Float(95.5))])).expect("builds");
    assert_eq!(crit_text(&pipeline), "lambda: \"value\" > 95.5");
    let var = &pipeline.vars[0];
    assert_eq!(
        (var.name.as_str(), var.ty, var.description.as_str()),
        ("crit", VarType::Float, "Alert above this.")
    );
    assert_eq!(var.default, Some(VarValue::Float(90.0)));
}

#[test]
fn supplied_values_must_have_the_declared_type() {
    let cases = [
        (
            VarValue::Int(95),
            "invalid type supplied for crit, got int exp float",
        ),
        (
            VarValue::Bool(true),
            "invalid type supplied for crit, got boolean exp float",
        ),
        (
            VarValue::Duration(Duration::SECOND),
            "invalid type supplied for crit, got duration exp float",
        ),
        (
            VarValue::Star,
            "invalid type supplied for crit, got star exp float",
        ),
    ];
    for (value, message) in cases {
        assert_eq!(
            build_with(THRESHOLD, &with_vars(&[("crit", value)]))
                .err()
                .as_deref(),
            Some(message)
        );
    }
}

#[test]
fn a_node_variable_has_no_template_type() {
    let src = "var data = stream|from()";
    let err = build_with(src, &with_vars(&[("data", VarValue::Int(1))])).err();
    assert_eq!(
        err.as_deref(),
        Some("invalid type supplied for data, got int exp invalid type")
    );
    assert!(build_with(src, &BuildOptions::default())
        .expect("builds")
        .vars
        .is_empty());
}

#[test]
fn typed_declarations_need_a_value_unless_defining_a_template() {
    let src = "var crit float\nvar window duration\nstream|from()|window().period(window)|alert().crit(lambda: \"v\" > crit)";
    assert_eq!(
        build_with(src, &BuildOptions::default()).err().as_deref(),
        Some("missing value for var \"crit\".")
    );
    let template = BuildOptions {
        template: true,
        ..BuildOptions::default()
    };
    // The zero duration is no period: a template's window is only checked once a task
    // supplies one.
    assert_eq!(
        build_with(src, &template).err().as_deref(),
        Some("window node must have either a non zero period or non zero period count")
    );
    let supplied = with_vars(&[
        ("crit", VarValue::Float(1.5)),
        ("window", VarValue::Duration(Duration::MINUTE)),
    ]);
    let pipeline = build_with(src, &supplied).expect("builds");
    assert_eq!(
        pipeline
            .vars
            .iter()
            .map(|var| var.default.is_none())
            .collect::<Vec<_>>(),
        [true, true]
    );
}

#[test]
fn lambda_regex_and_list_values() {
    let src = "var cond lambda\nvar hosts regex\nvar tags list\n\
               stream|from().where(lambda: cond AND \"host\" =~ hosts).groupBy(tags)";
    let options = with_vars(&[
        ("cond", VarValue::lambda("\"up\" == TRUE").expect("parses")),
        ("hosts", VarValue::regex("^web/\\d+$").expect("compiles")),
        (
            "tags",
            VarValue::List(vec![
                VarValue::String("host".into()),
                VarValue::String("dc".into()),
            ]),
        ),
    ]);
    let pipeline = build_with(src, &options).expect("builds");
    let NodeKind::From(from) = &pipeline.nodes[1].kind else {
        panic!("not a from node")
    };
    assert_eq!(
        from.predicate.as_ref().map(ToString::to_string).as_deref(),
        Some("lambda: \"up\" == TRUE AND \"host\" =~ /^web\\/\\d+$/")
    );
    assert_eq!(from.dimensions.to_string(), "'host', 'dc'");
}

#[test]
fn batch_tasks_start_from_batch() {
    let batch = BuildOptions {
        task_type: TaskType::Batch,
        ..BuildOptions::default()
    };
    let src = "batch|query('SELECT 1').every(1m)|httpOut('x')";
    let pipeline = build_with(src, &batch).expect("builds");
    assert_eq!(pipeline.to_dot("b"), "digraph b {\nquery1 -> http_out2;\n}");
    assert_eq!(
        build_with("stream|from()", &batch).err().as_deref(),
        Some("name \"stream\" is undefined. Names in scope: batch,time")
    );
}

#[test]
fn nodes_and_properties_keep_their_spans() {
    let src = "stream\n    |from()\n        .measurement('cpu')\n    |window().period(1m)";
    let pipeline = build_with(src, &BuildOptions::default()).expect("builds");
    let from = &pipeline.nodes[1];
    assert_eq!(&src[from.span.range()], "|from()");
    assert_eq!(&src[from.properties[0].span.range()], ".measurement('cpu')");
    let window = &pipeline.nodes[2];
    assert_eq!(&src[window.properties[0].span.range()], ".period(1m)");
}

#[test]
fn udf_errors_name_the_udf() {
    let options = golden_options();
    let err = build_with("stream|from()@tTst()", &options).err();
    assert_eq!(
        err.as_deref(),
        Some("line 1 char 15: unknown UDF @tTst; did you mean @tTest?")
    );
    let program = parse("stream|from()@movingAvg().fild('x')").expect("parses");
    let err = build(&program, &options).expect_err("unknown option");
    assert_eq!(
        err.kind,
        BuildErrorKind::UnknownProperty {
            name: "fild".into(),
            on: "@movingAvg".into(),
            suggestion: Some("field".into())
        }
    );
}

#[test]
fn kapacitor_prefixes_only_method_call_errors() {
    let src = "var x = 1\nvar x = 2";
    let program = parse(src).expect("parses");
    let err = build(&program, &BuildOptions::default()).expect_err("redefined");
    assert!(!err.has_kapacitor_position());
    assert_eq!(
        err.message(src),
        "attempted to redefine x, vars are immutable"
    );
    assert_eq!(
        err.render(src, "x.tick"),
        "x.tick:2:5: attempted to redefine x, vars are immutable\n  |\n2 | var x = 2\n  |     ^\n"
    );
}

#[test]
fn no_udfs_means_every_at_call_is_unknown() {
    let options = BuildOptions {
        udfs: BTreeMap::new(),
        ..BuildOptions::default()
    };
    assert_eq!(
        build_with("stream|from()@x()", &options).err().as_deref(),
        Some("line 1 char 15: unknown UDF @x")
    );
}
