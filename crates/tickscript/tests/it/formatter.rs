//! The formatter: `tickscripts/print_temps.tick` is in canonical layout, and generated
//! scripts in arbitrary layouts format to a stable layout with the same tree.

use std::fs;

use proptest::prelude::*;
use tickflow_tickscript::{check_format, format, parse};

use crate::support::root;

#[test]
fn print_temps_is_canonical() {
    let path = root().join("tickscripts/print_temps.tick");
    let src = fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let program =
        parse(&src).unwrap_or_else(|err| panic!("{}", err.render(&src, "print_temps.tick")));
    assert_eq!(
        format(&program),
        src,
        "print_temps.tick is not in canonical layout"
    );
}

/// Separators between tokens that need no space.
fn gap() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just(" "), Just("\n"), Just("\n\t  ")]
}

/// Separators between tokens that need some whitespace.
fn space() -> impl Strategy<Value = &'static str> {
    prop_oneof![4 => Just(" "), 1 => Just("\n"), 1 => Just("\n        "), 1 => Just(" \t ")]
}

/// Nothing, or a comment line, where an operand may follow.
fn comment() -> impl Strategy<Value = String> {
    prop_oneof![5 => Just(String::new()), 1 => "[a-z ]{0,6}".prop_map(|text| format!("//{text}\n"))]
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-zA-Z0-9_]{0,4}".prop_filter("keyword", |name| !matches!(name.as_str(), "var" | "dbrp"))
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => name(),
        2 => (0u32..100_000).prop_map(|n| n.to_string()),
        1 => "0[0-7]{1,3}",
        2 => "[0-9]{1,3}\\.[0-9]{0,2}|\\.[0-9]{1,2}",
        2 => "[1-9][0-9]{0,2}(u|µ|ms|s|m|h|d|w)",
        2 => "'([a-z \n]|\\\\'|\\\\n){0,5}'",
        1 => "'''[a-z\" \n]{0,4}'?[a-z]'''",
        3 => "\"[a-z .\n]{1,6}\"",
        1 => prop_oneof![Just("TRUE"), Just("FALSE"), Just("(*)")].prop_map(str::to_owned),
        1 => "\\(/[a-z.{}]{1,4}/\\)",
    ]
}

fn operator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("%"),
        Just("=="),
        Just("!="),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("AND"),
        Just("OR"),
    ]
}

/// A lambda expression.
fn expr() -> impl Strategy<Value = String> {
    atom().prop_recursive(4, 40, 3, |inner| {
        prop_oneof![
            4 => (inner.clone(), space(), operator(), space(), comment(), inner.clone())
                .prop_map(|(a, s, op, t, c, b)| format!("{a}{s}{op}{t}{c}{b}")),
            1 => (inner.clone(), prop_oneof![Just("=~"), Just("!~")], space(), "[a-z.]{0,3}")
                .prop_map(|(a, op, s, re)| format!("({a} {op}{s}/{re}/)")),
            1 => (prop_oneof![Just("-"), Just("!")], inner.clone()).prop_map(|(op, a)| format!("{op}{a}")),
            2 => (gap(), comment(), inner.clone(), gap()).prop_map(|(s, c, a, t)| format!("({s}{c}{a}{t})")),
            2 => (name(), prop::collection::vec((gap(), comment(), inner), 0..3))
                .prop_map(|(f, args)| {
                    let args: Vec<_> = args.into_iter().map(|(s, c, a)| format!("{s}{c}{a}")).collect();
                    format!("{f}({})", args.join(","))
                }),
        ]
    })
}

/// A chain or property argument.
fn argument() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => expr(),
        3 => (comment(), space(), expr()).prop_map(|(c, s, e)| format!("{c}lambda:{s}{e}")),
        1 => prop::collection::vec(prop_oneof!["'[a-z]{0,3}'", name(), Just("*".to_owned())], 0..4)
            .prop_map(|items| format!("[{}]", items.join(", "))),
    ]
}

fn chain() -> impl Strategy<Value = String> {
    let link = (
        gap(),
        comment(),
        prop_oneof![Just("|"), Just("."), Just("@")],
        name(),
        prop::option::weighted(0.9, prop::collection::vec((gap(), argument()), 0..3)),
    )
        .prop_map(|(s, c, op, method, args)| {
            let args = match args {
                Some(args) => {
                    let args: Vec<_> = args.into_iter().map(|(s, a)| format!("{s}{a}")).collect();
                    format!("({})", args.join(","))
                }
                None if op == "|" => "()".to_owned(),
                None => String::new(),
            };
            let c = if c.is_empty() { c } else { format!(" {c}") };
            format!("{s}{c}{op}{method}{args}")
        });
    (
        prop_oneof![name(), Just("stream".to_owned())],
        prop::collection::vec(link, 1..5),
    )
        .prop_map(|(start, links)| format!("{start}{}", links.concat()))
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => chain(),
        2 => (comment(), name(), prop_oneof![chain(), argument()])
            .prop_map(|(c, n, value)| format!("{c}var {n} = {value}")),
        1 => (name(), prop_oneof![Just("int"), Just("lambda"), Just("duration")])
            .prop_map(|(n, t)| format!("var {n} {t}")),
        1 => Just("dbrp \"db\".\"rp\"".to_owned()),
        1 => expr(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn formatting_is_stable(statements in prop::collection::vec(statement(), 1..4), end in comment()) {
        let src = format!("{}\n{end}", statements.join("\n"));
        // Adjacent statements can run into each other (`a.b` then `(*)` is a call); such
        // scripts are rare, and skipped.
        let parsed = parse(&src);
        prop_assume!(parsed.is_ok());
        if let Ok(program) = parsed {
            check_format(&program).map_err(|err| TestCaseError::fail(format!("{err}\nsource:\n{src}")))?;
        }
    }
}
