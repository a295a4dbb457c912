//! Golden files in `testdata/tickscript/`: each `ok/*.tick` parses to the tree listed in
//! its `.ast` and formats stably; each `err/*.tick` fails with the message (and rendering)
//! in its `.err`; each `fmt/*.tick` formats to its `.fmt`.
//! `UPDATE_EXPECT=1 cargo test -p tickflow-tickscript` rewrites the expectations.

use expect_test::expect_file;
use tickflow_tickscript::{check_format, dump, format, parse};

use crate::support::cases;

#[test]
fn ok_scripts_parse_to_their_trees() {
    for case in cases("ok") {
        let src = case.source();
        let program = parse(&src).unwrap_or_else(|err| panic!("{}: {err}", case.name));
        expect_file![case.sibling("ast")].assert_eq(&dump(&program));
        check_format(&program).unwrap_or_else(|err| panic!("{}: {err}", case.name));
    }
}

#[test]
fn err_scripts_fail_with_their_messages() {
    for case in cases("err") {
        let src = case.source();
        let err = match parse(&src) {
            Ok(program) => panic!(
                "{}: parsed, expected an error:\n{}",
                case.name,
                dump(&program)
            ),
            Err(err) => err,
        };
        let expected = format!("{err}\n\n{}", err.render(&src, &case.name));
        expect_file![case.sibling("err")].assert_eq(&expected);
    }
}

#[test]
fn fmt_scripts_format_to_their_layout() {
    for case in cases("fmt") {
        let src = case.source();
        let program = parse(&src).unwrap_or_else(|err| panic!("{}: {err}", case.name));
        expect_file![case.sibling("fmt")].assert_eq(&format(&program));
        check_format(&program).unwrap_or_else(|err| panic!("{}: {err}", case.name));
    }
}
