//! A parser reads a line whose keys repeat the last line's by comparing them (the series
//! fast path). Whatever the lines, a parser that has seen earlier lines must read each
//! line exactly as a fresh parser does: the same point or the same error. (No unbalanced
//! quote here: a quoted newline joins two lines into one.)

use proptest::prelude::*;
use tickflow_line_protocol::{Parser, Precision};
use tickflow_model::Time;

/// A field section close to the last one: the same keys most of the time, sometimes
/// reordered, repeated, extended, or with values the fast path does not take.
fn section() -> impl Strategy<Value = String> {
    let key = prop_oneof![4 => "a|bb|c", 1 => "a\\\\ b|a,|x=|é"];
    let value = prop_oneof![
        6 => "-?[0-9]{1,6}(\\.[0-9]{0,6})?",
        2 => "-?[0-9]{1,4}i",
        1 => "t|false|\"s\"|1e5|1\\.2\\.3|-|9{30}|[0-9]{1,3}u",
    ];
    proptest::collection::vec((key, value), 1..4).prop_map(|fields| {
        let fields: Vec<String> = fields
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        fields.join(",")
    })
}

fn line() -> impl Strategy<Value = String> {
    let tags = prop_oneof![3 => Just(String::new()), 1 => Just(",host=a".to_string())];
    let gap = prop_oneof![4 => Just(" "), 1 => Just("  \t"), 1 => Just("\t")];
    let time = prop_oneof![3 => " [0-9]{1,19}", 1 => "", 1 => " -?[0-9]{0,21}x?"];
    (tags, gap, section(), time, "[ ]{0,2}|,")
        .prop_map(|(tags, gap, section, time, end)| format!("cpu{tags}{gap}{section}{time}{end}"))
}

proptest! {
    #[test]
    fn a_series_reads_as_its_lines_do_alone(lines in proptest::collection::vec(line(), 1..8)) {
        let body = lines.join("\n");
        let new = || Parser::new(Precision::Nanosecond, Time::from_nanos(7));
        let together: Vec<_> = new().parse_lines(body.as_bytes()).collect();
        let alone: Vec<_> = lines
            .iter()
            .flat_map(|line| new().parse_lines(line.as_bytes()).collect::<Vec<_>>())
            .map(|result| result.map_err(|error| (error.reason, error.text)))
            .collect();
        let together: Vec<_> = together
            .into_iter()
            .map(|result| result.map_err(|error| (error.reason, error.text)))
            .collect();
        prop_assert_eq!(together, alone);
    }
}
