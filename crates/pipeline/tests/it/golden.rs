//! Golden files in `testdata/pipeline/`: each `ok/*.tick` builds to the DAG listed in its
//! `.dag` (the text listing, then the DOT graph), each `err/*.tick` fails with the message
//! and rendering in its `.err`. `UPDATE_EXPECT=1 cargo test -p tickflow-pipeline`
//! rewrites the expectations.
//!
//! A script's leading comment may set build options, one per line: `// task: batch`,
//! `// template`, `// supply: var name = <value>` (a template variable's value, written
//! as a TICKscript `var`). Every case sees the UDFs of [`golden_options`].

use expect_test::expect_file;
use tickflow_pipeline::{build, BuildOptions, TaskType, VarValue};
use tickflow_tickscript::{parse, Expr, LitValue, Statement, VarInit};

use crate::support::{cases, golden_options, Case};

#[test]
fn ok_scripts_build_to_their_dags() {
    for case in cases("ok") {
        let src = case.source();
        let program = parse(&src).unwrap_or_else(|err| panic!("{}", err.render(&src, &case.name)));
        let pipeline = build(&program, &options(&case, &src))
            .unwrap_or_else(|err| panic!("{}", err.render(&src, &case.name)));
        let task = case
            .path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let listing = format!("{}\n{}\n", pipeline.to_text(), pipeline.to_dot(&task));
        expect_file![case.sibling("dag")].assert_eq(&listing);
    }
}

#[test]
fn err_scripts_fail_with_their_messages() {
    for case in cases("err") {
        let src = case.source();
        let program = parse(&src).unwrap_or_else(|err| panic!("{}", err.render(&src, &case.name)));
        let err = match build(&program, &options(&case, &src)) {
            Ok(pipeline) => panic!(
                "{}: built, expected an error:\n{}",
                case.name,
                pipeline.to_text()
            ),
            Err(err) => err,
        };
        let expected = format!("{}\n\n{}", err.message(&src), err.render(&src, &case.name));
        expect_file![case.sibling("err")].assert_eq(&expected);
    }
}

/// The build options the script's leading comment asks for.
fn options(case: &Case, src: &str) -> BuildOptions {
    let mut options = golden_options();
    for line in src.lines().map_while(|line| line.strip_prefix("// ")) {
        match line {
            "task: batch" => options.task_type = TaskType::Batch,
            "template" => options.template = true,
            _ => {
                if let Some(var) = line.strip_prefix("supply: ") {
                    let (name, value) = supplied(var)
                        .unwrap_or_else(|| panic!("{}: bad supply {var:?}", case.name));
                    options.vars.insert(name, value);
                }
            }
        }
    }
    options
}

/// `var name = <literal or lambda>` as a supplied variable value.
fn supplied(var: &str) -> Option<(String, VarValue)> {
    let program = parse(var).ok()?;
    let Some(Statement::Var(decl)) = program.statements.first() else {
        return None;
    };
    let VarInit::Value(expr) = &decl.init else {
        return None;
    };
    Some((decl.name.name.clone(), var_value(expr)?))
}

fn var_value(expr: &Expr) -> Option<VarValue> {
    Some(match expr {
        Expr::Literal(lit) => match &lit.value {
            LitValue::Int { value, .. } => VarValue::Int(*value),
            LitValue::Float(v) => VarValue::Float(*v),
            LitValue::Bool(v) => VarValue::Bool(*v),
            LitValue::String { value, .. } => VarValue::String(value.clone()),
            LitValue::Duration { nanos, .. } => {
                VarValue::Duration(tickflow_model::Duration::from_nanos(*nanos))
            }
            LitValue::Regex { source, .. } => VarValue::regex(source).ok()?,
            LitValue::Star => VarValue::Star,
        },
        Expr::Lambda(lambda) => VarValue::Lambda((*lambda.body).clone()),
        Expr::List(list) => {
            VarValue::List(list.items.iter().map(var_value).collect::<Option<_>>()?)
        }
        _ => return None,
    })
}
