//! The Go template engine (kapacitor-compat.md, nodes §8.2, kapacitor-compat.md, alert-data §4) against the table of cases
//! with Go's output in `testdata/alert/go_templates.txt`, plus the default details of the
//! spec example, JSON failures and every kind of template data.

use tickflow_alert::template::{Kind, ServerInfo, Template, TemplateData, TemplateError};
use tickflow_alert::{AlertData, Level, Row};
use tickflow_model::{Duration, FieldValue, Fields, Point, Tags, Time};

const TABLE: &str = include_str!("../../../../testdata/alert/go_templates.txt");

/// 2024-01-01T00:00:10Z, the spec example's event time.
const EXAMPLE_TIME: i64 = 1_704_067_210_000_000_000;

/// The first event of the spec example, as the details template sees it.
fn details_data() -> TemplateData {
    TemplateData {
        name: "cpu".into(),
        task_name: "cpu_alert".into(),
        group: "host=serverA".into(),
        tags: Tags::from_pairs([("host", "serverA")]),
        server_info: ServerInfo {
            hostname: "localhost".into(),
            cluster_id: "f4c77777-a43d-439a-ba56-b08cbb0993fe".into(),
            server_id: "af80a060-3226-41e2-b1cd-548a1467b491".into(),
        },
        id: Some("cpu:host=serverA".into()),
        fields: Some(Fields::from_pairs([("value", 95.5)])),
        level: Some(Level::Critical),
        time: Some(Time::from_nanos(EXAMPLE_TIME)),
        duration: Some(Duration::ZERO),
        message: Some("cpu:host=serverA is CRITICAL".into()),
    }
}

/// What the message template sees.
fn message_data() -> TemplateData {
    TemplateData {
        message: None,
        ..details_data()
    }
}

/// What the id template sees.
fn id_data() -> TemplateData {
    TemplateData {
        id: None,
        fields: None,
        level: None,
        time: None,
        duration: None,
        message: None,
        ..details_data()
    }
}

/// Details data with every field type, two tags, a time with nanoseconds
/// (2024-02-29T13:04:05.123456789Z, a Thursday) and a 90.5 s duration.
fn rich_data() -> TemplateData {
    TemplateData {
        name: "cpu".into(),
        task_name: "t".into(),
        group: "dc=eu west,host=serverA".into(),
        tags: Tags::from_pairs([("dc", "eu west"), ("host", "serverA")]),
        server_info: ServerInfo::default(),
        id: Some("cpu:dc=eu west,host=serverA".into()),
        fields: Some(Fields::from_pairs([
            ("count", FieldValue::Integer(3)),
            ("note", FieldValue::from("a<b & 'c'")),
            ("ok", FieldValue::Boolean(true)),
            ("u", FieldValue::Unsigned(7)),
            ("value", FieldValue::Float(95.5)),
        ])),
        level: Some(Level::Warning),
        time: Some(Time::from_nanos(1_709_211_845_123_456_789)),
        duration: Some(Duration::from_nanos(90_500_000_000)),
        message: Some("hot".into()),
    }
}

/// The spec example's first event, as a handler template sees it, ten seconds in.
fn alert_data() -> AlertData {
    let mut point = Point::new("cpu", Time::from_nanos(EXAMPLE_TIME));
    point.tags = Tags::from_pairs([("host", "serverA")]);
    point.fields = Fields::from_pairs([("value", 95.5)]);
    AlertData {
        id: "cpu:host=serverA".into(),
        message: "cpu:host=serverA is CRITICAL".into(),
        details: String::new(),
        time: point.time,
        duration: Duration::from_nanos(10_000_000_000),
        level: Level::Critical,
        data: vec![Row::from_point(&point)],
        previous_level: Level::Ok,
        recoverable: true,
    }
}

/// A `cpu` point of the httpPost recording at 1971-01-01.
fn http_post_row() -> Row {
    let mut point = Point::new("cpu", Time::from_nanos(31_536_000_000_000_000));
    point.tags = Tags::from_pairs([("host", "serverA"), ("type", "idle")]);
    point.fields = Fields::from_pairs([("value", 97.1)]);
    Row::from_point(&point)
}

/// One case of the table.
#[derive(Debug, Default)]
struct Case {
    name: String,
    data: String,
    kind: String,
    template: String,
    want: Option<String>,
    error: Option<String>,
}

/// The value of a `key: value` or `key.json: "value"` line.
fn value(key: &str, rest: &str, case: &str) -> String {
    if key.ends_with(".json") {
        return serde_json::from_str(rest)
            .unwrap_or_else(|e| panic!("{case}: {key} is not a JSON string: {e}"));
    }
    rest.to_owned()
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in TABLE.lines() {
        if let Some(name) = line.strip_prefix("### ") {
            cases.push(Case {
                name: name.to_owned(),
                ..Case::default()
            });
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let case = cases.last_mut().expect("a case header first");
        let (key, rest) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{}: bad line {line:?}", case.name));
        let text = value(key, rest, &case.name);
        match key.trim_end_matches(".json") {
            "data" => case.data = text,
            "kind" => case.kind = text,
            "template" => case.template = text,
            "want" => case.want = Some(text),
            "error" => case.error = Some(text),
            other => panic!("{}: unknown key {other:?}", case.name),
        }
    }
    cases
}

/// Renders a case's template against its fixture.
fn run(case: &Case) -> Result<String, TemplateError> {
    let kind = match case.kind.as_str() {
        "" | "text" => Kind::Text,
        "html" => Kind::Html,
        other => panic!("{}: unknown kind {other:?}", case.name),
    };
    let template = Template::parse(".message()", &case.template, kind)?;
    match case.data.as_str() {
        "" | "details" => template.render(&details_data()),
        "message" => template.render(&message_data()),
        "id" => template.render(&id_data()),
        "rich" => template.render(&rich_data()),
        "alert" => template.render_alert(&alert_data()),
        "row" => template.render_row(&http_post_row()),
        "tags" => template.render_tags(&Tags::from_pairs([("host", "serverA"), ("cpu", "cpu0")])),
        other => panic!("{}: unknown data {other:?}", case.name),
    }
}

#[test]
fn every_case_of_the_table_gives_gos_output() {
    let cases = cases();
    assert!(cases.len() > 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = run(case).map_err(|e| e.to_string());
        let want = match (&case.want, &case.error) {
            (Some(want), None) => Ok(want.clone()),
            (None, Some(error)) => Err(error.clone()),
            _ => panic!("{}: needs exactly one of want and error", case.name),
        };
        if got != want {
            failures.push(format!(
                "{}\n  template: {:?}\n  want:     {want:?}\n  got:      {got:?}",
                case.name, case.template
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn html(template: &str, data: &TemplateData) -> Result<String, TemplateError> {
    Template::parse(".details()", template, Kind::Html)?.render(data)
}

#[test]
fn default_details_equal_the_golden_log() {
    let golden = include_str!("../../../../testdata/alert/log_default_details.jsonl");
    let first = golden.lines().next().expect("a line");
    let event: serde_json::Value = serde_json::from_str(first).expect("json");
    let details = event["details"].as_str().expect("details string");
    assert_eq!(
        html("{{ json . }}", &details_data()).as_deref(),
        Ok(details)
    );
}

#[test]
fn json_of_message_data_leaves_out_the_message_and_nan_fails() {
    let json = html("{{ jsonCompact . }}", &message_data()).expect("renders");
    assert!(json.ends_with("&#34;Duration&#34;:0}"), "{json}");
    let bad = TemplateData {
        fields: Some(Fields::from_pairs([("v", f64::NAN)])),
        ..details_data()
    };
    let err = html("{{ json .Fields }}", &bad).expect_err("NaN");
    assert_eq!(
        err.to_string(),
        ".details() template \"{{ json .Fields }}\": 1:4: error calling json: json: unsupported value: NaN"
    );
}

#[test]
fn json_of_handler_data_is_the_alert_document() {
    let alert = alert_data();
    let template =
        Template::parse("alert-template", "{{ jsonCompact . }}", Kind::Html).expect("parses");
    let mut escaped = String::new();
    for c in alert.to_json().expect("encodes").chars() {
        match c {
            '"' => escaped.push_str("&#34;"),
            '+' => escaped.push_str("&#43;"),
            c => escaped.push(c),
        }
    }
    assert_eq!(template.render_alert(&alert), Ok(escaped));
}

#[test]
fn errors_keep_the_property_template_and_position() {
    let err =
        Template::parse("httpPost url", "http://h/{{ .Nope", Kind::Text).expect_err("unclosed");
    assert_eq!(err.property, "httpPost url");
    assert_eq!((err.line, err.column), (1, 10));
    assert_eq!(
        err.to_string(),
        "httpPost url template \"http://h/{{ .Nope\": 1:10: unclosed action"
    );
}

#[test]
fn a_template_renders_many_times_without_reparsing() {
    let template =
        Template::parse(".message()", "{{ .ID }} {{ .Time.Unix }}", Kind::Text).expect("parses");
    for secs in 0..3 {
        let data = TemplateData {
            time: Some(Time::from_nanos(secs * 1_000_000_000)),
            ..message_data()
        };
        assert_eq!(
            template.render(&data),
            Ok(format!("cpu:host=serverA {secs}"))
        );
    }
    assert_eq!(template.source(), "{{ .ID }} {{ .Time.Unix }}");
    assert_eq!(template.property(), ".message()");
}

#[test]
fn recursion_stops_at_the_depth_limit() {
    let err = Template::parse(
        ".message()",
        "{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}",
        Kind::Text,
    )
    .expect("parses")
    .render(&details_data())
    .expect_err("too deep");
    assert!(
        err.to_string()
            .ends_with("exceeded maximum template depth (200)"),
        "{err}"
    );
}

#[test]
fn nesting_is_bounded_when_parsing() {
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(200), ")".repeat(200));
    let err = Template::parse(".message()", &deep, Kind::Text).expect_err("too deep");
    assert!(
        err.to_string()
            .ends_with("exceeded maximum template depth (100)"),
        "{err}"
    );
    let ifs = "{{ if 1 }}".repeat(200) + &"{{ end }}".repeat(200);
    let err = Template::parse(".message()", &ifs, Kind::Text).expect_err("too deep");
    assert!(
        err.to_string()
            .ends_with("exceeded maximum template depth (100)"),
        "{err}"
    );
    let fine = format!("{{{{ {}1{} }}}}", "(".repeat(50), ")".repeat(50));
    assert_eq!(
        Template::parse(".message()", &fine, Kind::Text)
            .expect("parses")
            .render(&details_data()),
        Ok("1".into())
    );
}

/// Pieces random templates are made of: delimiters, keywords, operands and the odd
/// character that must be refused cleanly.
const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    " ",
    ".",
    ".Name",
    ".Time",
    ".Format",
    ".Tags",
    ".host",
    ".Fields",
    ".Values",
    ".Data",
    ".Series",
    "\"2006-01-02\"",
    "\"%5.2f|%[2]*d%\"",
    "$x",
    "$",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "printf",
    "index",
    "slice",
    "len",
    "eq",
    "lt",
    "and",
    "or",
    "not",
    "print",
    "html",
    "urlquery",
    "1",
    "-2",
    "0x1F",
    "1e3",
    "'a'",
    "nil",
    "true",
    "/*",
    "*/",
    "é",
    "\\",
    "`",
    ",",
    "\"",
    "'",
    "@",
    "\n",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Any text either parses or is refused with an error, and a parsed template renders
    /// or fails cleanly against every kind of data: nothing panics.
    #[test]
    fn random_templates_never_panic(
        picks in proptest::collection::vec(0..PIECES.len(), 0..24),
        html in proptest::bool::ANY,
    ) {
        let text: String = picks.iter().map(|&i| PIECES[i]).collect();
        let kind = if html { Kind::Html } else { Kind::Text };
        if let Ok(template) = Template::parse(".message()", &text, kind) {
            let _ = template.render(&rich_data());
            let _ = template.render(&id_data());
            let _ = template.render_alert(&alert_data());
            let _ = template.render_row(&http_post_row());
            let _ = template.render_tags(&Tags::from_pairs([("host", "a")]));
        }
    }
}

#[test]
fn range_over_a_large_integer_does_not_collect_it() {
    let template = Template::parse(
        ".message()",
        "{{ range $i := 4000000000 }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $i }}{{ end }}",
        Kind::Text,
    )
    .expect("parses");
    assert_eq!(template.render(&details_data()), Ok("012".into()));
}
