//! The printer guide's `tickscripts/print_temps.tick` builds with the t-test UDF; its DAG
//! is pinned in `testdata/pipeline/print_temps.dag`.

use std::collections::BTreeMap;
use std::fs;

use expect_test::expect_file;
use tickflow_pipeline::{build, BuildOptions, NodeKind, OptionValue};
use tickflow_tickscript::parse;

use crate::support::{root, t_test};

#[test]
fn print_temps_builds_with_the_t_test_udf() {
    let path = root().join("tickscripts/print_temps.tick");
    let src = fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let program =
        parse(&src).unwrap_or_else(|err| panic!("{}", err.render(&src, "print_temps.tick")));
    let options = BuildOptions {
        udfs: BTreeMap::from([("tTest".to_string(), t_test())]),
        ..BuildOptions::default()
    };
    let pipeline = build(&program, &options)
        .unwrap_or_else(|err| panic!("{}", err.render(&src, "print_temps.tick")));

    let listing = format!(
        "{}\n{}\n",
        pipeline.to_text(),
        pipeline.to_dot("print_temps")
    );
    expect_file![root().join("testdata/pipeline/print_temps.dag")].assert_eq(&listing);

    let udfs: Vec<_> = pipeline
        .nodes
        .iter()
        .filter_map(|node| match &node.kind {
            NodeKind::Udf(udf) => Some(udf),
            _ => None,
        })
        .collect();
    assert_eq!(udfs.len(), 3);
    let fields: Vec<&OptionValue> = udfs.iter().map(|udf| &udf.options[0].values[0]).collect();
    assert_eq!(
        fields,
        [
            &OptionValue::String("hotend".into()),
            &OptionValue::String("bed".into()),
            &OptionValue::String("air".into())
        ]
    );
    assert_eq!(udfs[0].options[2].values, [OptionValue::Double(0.001)]);
}

#[test]
fn print_temps_needs_the_udf() {
    let src = fs::read_to_string(root().join("tickscripts/print_temps.tick")).unwrap_or_default();
    let program = parse(&src).unwrap_or_else(|err| panic!("{err}"));
    let err = build(&program, &BuildOptions::default()).expect_err("tTest is unknown");
    assert_eq!(err.message(&src), "line 19 char 6: unknown UDF @tTest");
}
