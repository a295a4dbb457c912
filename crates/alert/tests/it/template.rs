//! The alert template engine (nodes.md §8.2, alert-data.md §4): syntax, functions, Go value
//! formatting, HTML escaping, the default details of the spec example and the errors.

use tickflow_alert::template::{
    ErrorKind, Kind, ServerInfo, Template, TemplateData, TemplateError,
};
use tickflow_alert::Level;
use tickflow_model::{Duration, FieldValue, Fields, Tags, Time};

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
        time: Some(Time::from_nanos(1_704_067_210_000_000_000)),
        duration: Some(Duration::ZERO),
        message: Some("cpu:host=serverA is CRITICAL".into()),
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

fn render_with(kind: Kind, text: &str, data: &TemplateData) -> Result<String, TemplateError> {
    Template::parse(text, kind)?.render(data)
}

/// Renders a text template against the details data.
fn text(template: &str) -> String {
    render_with(Kind::Text, template, &details_data()).expect("renders")
}

/// Renders an HTML template against the details data.
fn html(template: &str) -> String {
    render_with(Kind::Html, template, &details_data()).expect("renders")
}

/// Renders a text template with `fields`.
fn with_fields(template: &str, fields: Fields) -> String {
    let data = TemplateData {
        fields: Some(fields),
        ..details_data()
    };
    render_with(Kind::Text, template, &data).expect("renders")
}

fn parse_error(template: &str, kind: Kind) -> TemplateError {
    Template::parse(template, kind).expect_err("must not parse")
}

fn render_error(template: &str, data: &TemplateData) -> TemplateError {
    render_with(Kind::Text, template, data).expect_err("must fail")
}

#[test]
fn default_details_equal_the_golden_log() {
    let golden = include_str!("../../../../testdata/alert/log_default_details.jsonl");
    let first = golden.lines().next().expect("a line");
    let event: serde_json::Value = serde_json::from_str(first).expect("json");
    let details = event["details"].as_str().expect("details string");
    assert_eq!(html("{{ json . }}"), details);
}

#[test]
fn json_compact_has_no_newline_and_json_encodes_any_value() {
    assert_eq!(
        html("{{ jsonCompact .Tags }}|{{ json .Fields }}|{{ jsonCompact .Duration }}"),
        "{&#34;host&#34;:&#34;serverA&#34;}|{&#34;value&#34;:95.5}\n|0"
    );
    let message_data = TemplateData {
        message: None,
        ..details_data()
    };
    let json = render_with(Kind::Html, "{{ jsonCompact . }}", &message_data).expect("renders");
    assert!(json.ends_with("&#34;Duration&#34;:0}"), "{json}");
    let bad = TemplateData {
        fields: Some(Fields::from_pairs([("v", f64::NAN)])),
        ..details_data()
    };
    let err = render_with(Kind::Html, "{{ json .Fields }}", &bad).expect_err("NaN");
    assert_eq!(
        err.to_string(),
        "template \"{{ json .Fields }}\": 1:4: error calling json: json: unsupported value: NaN"
    );
}

#[test]
fn html_escapes_interpolated_values_but_not_literal_text() {
    let data = TemplateData {
        message: Some("a\"b'c&d<e>f+g\0h".into()),
        ..details_data()
    };
    assert_eq!(
        render_with(Kind::Html, "<b>{{ .Message }}</b>", &data).expect("renders"),
        "<b>a&#34;b&#39;c&amp;d&lt;e&gt;f&#43;g\u{fffd}h</b>"
    );
    // Text templates print as is.
    assert_eq!(
        render_with(Kind::Text, "<b>{{ .Message }}</b>", &data).expect("renders"),
        "<b>a\"b'c&d<e>f+g\0h</b>"
    );
}

#[test]
fn missing_map_entries() {
    assert_eq!(text(r#"[{{ index .Tags "missing" }}]"#), "[]");
    assert_eq!(text(r#"[{{ index .Fields "missing" }}]"#), "[<no value>]");
    assert_eq!(text("[{{ .Tags.missing }}]"), "[<no value>]");
    // html/template prints nothing for a missing value.
    assert_eq!(html(r#"[{{ index .Fields "missing" }}]"#), "[]");
}

#[test]
fn fields_and_field_chains() {
    assert_eq!(
        text("{{.Name}} {{.TaskName}} {{.Group}} {{.ID}} {{.Level}} {{.Message}}"),
        "cpu cpu_alert host=serverA cpu:host=serverA CRITICAL cpu:host=serverA is CRITICAL"
    );
    assert_eq!(
        text("{{ .ServerInfo.Hostname }}/{{ .ServerInfo.ClusterID }}/{{ .ServerInfo.ServerID }}"),
        "localhost/f4c77777-a43d-439a-ba56-b08cbb0993fe/af80a060-3226-41e2-b1cd-548a1467b491"
    );
    assert_eq!(text("{{ .Tags.host }} {{ .Fields.value }}"), "serverA 95.5");
    assert_eq!(
        text("{{ .ServerInfo }}"),
        "{localhost f4c77777-a43d-439a-ba56-b08cbb0993fe af80a060-3226-41e2-b1cd-548a1467b491}"
    );
}

#[test]
fn go_value_formatting() {
    assert_eq!(text("{{ .Time }}"), "2024-01-01 00:00:10 +0000 UTC");
    let data = TemplateData {
        time: Some(Time::from_nanos(1_704_067_210_500_000_000)),
        ..details_data()
    };
    assert_eq!(
        render_with(Kind::Text, "{{ .Time }}", &data).expect("renders"),
        "2024-01-01 00:00:10.5 +0000 UTC"
    );
    let fields = Fields::from_pairs([
        ("value", FieldValue::Float(95.5)),
        ("n", FieldValue::Integer(3)),
        ("u", FieldValue::Unsigned(7)),
        ("ok", FieldValue::Boolean(true)),
        ("s", FieldValue::from("x y")),
    ]);
    assert_eq!(
        with_fields("{{ .Fields }}", fields),
        "map[n:3 ok:true s:x y u:7 value:95.5]"
    );
    assert_eq!(text("{{ .Tags }}"), "map[host:serverA]");
    assert_eq!(text("{{ 3 }} {{ true }} {{ \"s\" }}"), "3 true s");
}

#[test]
fn durations_print_like_go() {
    let cases = [
        (0, "0s"),
        (1_500_000_000, "1.5s"),
        (60_000_000_000, "1m0s"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (3_723_000_000_000, "1h2m3s"),
        (1_500_000, "1.5ms"),
        (2_000, "2µs"),
        (-3, "-3ns"),
    ];
    for (nanos, want) in cases {
        let data = TemplateData {
            duration: Some(Duration::from_nanos(nanos)),
            ..details_data()
        };
        assert_eq!(
            render_with(Kind::Text, "{{ .Duration }}", &data).expect("renders"),
            want
        );
    }
}

#[test]
fn floats_print_like_go_percent_v() {
    let cases = [
        (1_000_000.0, "1e+06"),
        (100.0, "100"),
        (100_000.0, "100000"),
        (123_456_789.0, "1.23456789e+08"),
        (95.5, "95.5"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.5, "-2.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (0.0, "0"),
        (f64::INFINITY, "+Inf"),
        (f64::NAN, "NaN"),
    ];
    for (x, want) in cases {
        let got = with_fields("{{ .Fields.v }}", Fields::from_pairs([("v", x)]));
        assert_eq!(got, want, "{x}");
    }
    assert_eq!(text("{{ 1.5 }} {{ 1e3 }}"), "1.5 1000");
}

#[test]
fn printf_verbs() {
    let fields = Fields::from_pairs([
        ("f", FieldValue::Float(95.12345)),
        ("i", FieldValue::Integer(-42)),
    ]);
    let cases = [
        (r#"{{ printf "%0.3f" .Fields.f }}"#, "95.123"),
        (
            r#"{{ printf "%.2f|%f" .Fields.f .Fields.f }}"#,
            "95.12|95.123450",
        ),
        (
            r#"{{ printf "%8.2f|%-8.1f|%08.2f|%f" .Fields.f .Fields.f -42.0 .Fields.i }}"#,
            "   95.12|95.1    |-0042.00|%!f(int64=-42)",
        ),
        (
            r#"{{ printf "%d|%5d|%-5d|%05d|%+d" .Fields.i .Fields.i .Fields.i .Fields.i 7 }}"#,
            "-42|  -42|-42  |-0042|+7",
        ),
        (
            r#"{{ printf "%v %s %q" .Name .Name .Name }}"#,
            "cpu cpu \"cpu\"",
        ),
        (
            r#"{{ printf "%g|%.3g|%e|%.2e" .Fields.f 1234.5 1234.5 0.000123 }}"#,
            "95.12345|1.23e+03|1.234500e+03|1.23e-04",
        ),
        (r#"{{ printf "%t %v %%" true .Level }}"#, "true CRITICAL %"),
        (
            r#"{{ printf "%5s|%-5s|%.2s" "ab" "ab" "abc" }}"#,
            "   ab|ab   |ab",
        ),
        (
            r#"{{ printf "%v %s" .Duration .Time }}"#,
            "0s 2024-01-01 00:00:10 +0000 UTC",
        ),
        (r#"{{ printf "%q" "a\"b\n" }}"#, r#""a\"b\n""#),
    ];
    for (template, want) in cases {
        assert_eq!(with_fields(template, fields.clone()), want, "{template}");
    }
}

#[test]
fn printf_mismatches_print_like_go() {
    assert_eq!(
        text(r#"{{ printf "%d|%s|%f" "x" 3 true }}"#),
        "%!d(string=x)|%!s(int=3)|%!f(bool=true)"
    );
    assert_eq!(text(r#"{{ printf "%d %d" 1 }}"#), "1 %!d(MISSING)");
    assert_eq!(text(r#"{{ printf "%d" 1 "x" }}"#), "1%!(EXTRA string=x)");
    let err = render_error(r#"{{ printf "%x" 1 }}"#, &details_data());
    assert_eq!(
        err.kind,
        ErrorKind::BadArgument {
            func: "printf",
            reason: "verb %x is not supported".into()
        }
    );
}

#[test]
fn print_spaces_operands_that_are_not_strings() {
    assert_eq!(text(r#"{{ print 1 2 "a" "b" 3 }}"#), "1 2ab3");
    assert_eq!(text(r#"{{ .Name | print "x" }}"#), "xcpu");
}

#[test]
fn pipelines_pass_the_value_as_last_argument() {
    assert_eq!(text(r#"{{ .Fields.value | printf "%.0f" }}"#), "96");
    assert_eq!(text(r#"{{ "CRITICAL" | eq .Level }}"#), "true");
    assert_eq!(text(r#"{{ printf "%d" (len .Tags) }}"#), "1");
}

#[test]
fn comparisons() {
    let cases = [
        (r#"{{ eq .Level "CRITICAL" }}"#, "true"),
        (r#"{{ eq .Level "OK" "CRITICAL" }}"#, "true"),
        (r#"{{ ne .Level "OK" }}"#, "true"),
        (r#"{{ gt .Fields.value 90.0 }}"#, "true"),
        (r#"{{ lt .Fields.value 90.0 }}"#, "false"),
        (r#"{{ le 3 3 }} {{ ge 2 3 }}"#, "true false"),
        (r#"{{ lt "a" "b" }}"#, "true"),
        (r#"{{ eq .Duration 0 }}"#, "true"),
        (r#"{{ eq (index .Fields "missing") nil }}"#, "true"),
    ];
    for (template, want) in cases {
        assert_eq!(text(template), want, "{template}");
    }
    let err = render_error(r#"{{ gt .Fields.value 90 }}"#, &details_data());
    assert_eq!(
        err.to_string(),
        "template \"{{ gt .Fields.value 90 }}\": 1:4: error calling gt: incompatible types for comparison"
    );
    let err = render_error(r#"{{ lt true false }}"#, &details_data());
    assert!(
        err.to_string().ends_with("invalid type for comparison"),
        "{err}"
    );
}

#[test]
fn logic_functions_and_truthiness() {
    let cases = [
        (r#"{{ and 1 "x" }}"#, "x"),
        (r#"{{ and 0 "x" }}"#, "0"),
        (r#"{{ or "" 2 }}"#, "2"),
        (r#"{{ or "" 0 }}"#, "0"),
        (r#"{{ not .Tags }}"#, "false"),
        (r#"{{ not "" }}"#, "true"),
        (r#"{{ len .Name }} {{ len .Fields }}"#, "3 1"),
        // Short-circuit: the unavailable field is never evaluated.
        (r#"{{ or true .Nope }}"#, "true"),
    ];
    for (template, want) in cases {
        assert_eq!(text(template), want, "{template}");
    }
}

#[test]
fn if_else_chains() {
    let template =
        r#"{{ if eq .Level "OK" }}ok{{ else if gt .Fields.value 90.0 }}hot{{ else }}warm{{ end }}"#;
    assert_eq!(text(template), "hot");
    assert_eq!(text("{{ if .Tags }}tags{{ end }}"), "tags");
    assert_eq!(
        text(r#"{{ if index .Fields "missing" }}x{{ else }}none{{ end }}"#),
        "none"
    );
    assert_eq!(
        text("{{ if 0.0 }}x{{ else }}{{ if .Time }}t{{ end }}{{ end }}"),
        "t"
    );
    assert_eq!(
        text(r#"{{ if and (eq .Level "CRITICAL") (not (eq .Name "mem")) }}yes{{ end }}"#),
        "yes"
    );
}

#[test]
fn trim_markers_and_comments() {
    assert_eq!(text("a  {{- .Name -}}  \n b"), "acpub");
    assert_eq!(text("a {{/* note */}} b"), "a  b");
    assert_eq!(text("a {{- /* note */ -}} b"), "ab");
    assert_eq!(text("{{ -1 }} {{ 3 -}} x"), "-1 3x");
}

#[test]
fn string_literals() {
    assert_eq!(text(r#"{{ "a\tb\x41\u00e9\101\"" }}"#), "a\tbAéA\"");
    assert_eq!(text(r#"{{ `raw\n` }}"#), "raw\\n");
    assert_eq!(text(r#"{{ "}}" }}"#), "}}");
}

#[test]
fn unavailable_and_unknown_fields_fail_at_render() {
    for field in ["Level", "ID", "Fields", "Time", "Duration", "Message"] {
        let template = format!("{{{{ .{field} }}}}");
        let err = render_error(&template, &id_data());
        assert_eq!(err.kind, ErrorKind::UnavailableField(field_name(field)));
    }
    let err = render_error("x\n  {{ .Nope }}", &id_data());
    assert_eq!(
        err.to_string(),
        "template \"x\\n  {{ .Nope }}\": 2:6: can't evaluate field Nope in type alert.detailsInfo"
    );
    let err = render_error("{{ .Name.X }}", &id_data());
    assert!(
        err.to_string()
            .ends_with("can't evaluate field X in type string"),
        "{err}"
    );
    assert_eq!(
        render_with(Kind::Text, "{{ .Name }}:{{ .Tags.host }}", &id_data()).expect("id"),
        "cpu:serverA"
    );
}

fn field_name(field: &str) -> &'static str {
    ["Level", "ID", "Fields", "Time", "Duration", "Message"]
        .into_iter()
        .find(|f| *f == field)
        .expect("known")
}

#[test]
fn function_errors() {
    let data = details_data();
    let message = |t: &str| render_error(t, &data).to_string();
    assert!(message("{{ len 3 }}").ends_with("error calling len: len of type int"));
    assert!(message("{{ index .Name \"x\" }}").ends_with("can't index item of type string"));
    assert!(message("{{ index nil \"x\" }}").ends_with("index of untyped nil"));
    assert!(message("{{ not }}").ends_with("wrong number of args for not: want 1 got 0"));
    assert!(message("{{ eq 1 }}").ends_with("wrong number of args for eq: want at least 2 got 1"));
    assert!(message("{{ printf 3 }}").ends_with("format of type int, want string"));
    assert!(
        message("{{ . }}").ends_with("can't print the template data; print its fields or use json")
    );
}

#[test]
fn parse_errors_name_the_construct_and_position() {
    let cases = [
        (
            "{{ range .Tags }}x",
            "1:19: missing {{ end }} for {{ range }}",
        ),
        (
            "{{ with .Tags }}{{ end }}",
            "1:4: \"with\" is not supported",
        ),
        (
            "{{ define \"x\" }}{{ end }}",
            "1:4: \"define\" is not supported",
        ),
        ("{{ template \"x\" }}", "1:4: \"template\" is not supported"),
        (
            "{{ block \"x\" . }}{{ end }}",
            "1:4: \"block\" is not supported",
        ),
        ("a\n{{ $x := 1 }}", "2:4: variables is not supported"),
        ("{{ .Name", "1:1: unclosed action"),
        ("{{ /* x }}", "1:1: unclosed comment"),
        ("{{ if .Name }}x", "1:16: missing {{ end }} for {{ if }}"),
        (
            "x{{ end }}",
            "1:2: unexpected {{ end }} in template without {{ if }}",
        ),
        (
            "{{ else }}",
            "1:1: unexpected {{ else }} in template without {{ if }}",
        ),
        ("{{ foo 1 }}", "1:4: function \"foo\" not defined"),
        ("{{ json . }}", "1:4: function \"json\" not defined"),
        ("{{ \"abc }}", "1:4: bad literal unterminated string"),
        ("{{ \"\\q\" }}", "1:4: bad literal escape sequence \\q"),
        ("{{ 0x1g }}", "1:4: bad literal number syntax: \"0x1g\""),
        (
            "{{ .Name 1 }}",
            "1:10: unexpected argument in command that is not a function",
        ),
        (
            "{{ .Name | .Tags }}",
            "1:1: unexpected non-function in pipeline stage after \"|\"",
        ),
        ("{{ }}", "1:1: unexpected end of action in command"),
        (
            "{{ (len .Tags }}",
            "1:4: unexpected unclosed \"(\" in pipeline",
        ),
        ("{{ nil }}", "1:4: unexpected nil in command position"),
        ("{{ 'a' }}", "1:4: character constants is not supported"),
        (
            "{{ if 1 }}{{ else }}{{ else }}{{ end }}",
            "1:21: unexpected {{ else }} in {{ else }} branch",
        ),
        ("{{ end 1 }}", "1:8: unexpected <1> in {{ end }}"),
        ("{{ ) }}", "1:4: unexpected \")\" in command"),
    ];
    for (template, want) in cases {
        let err = parse_error(template, Kind::Text);
        assert_eq!(err.template, template);
        assert_eq!(
            err.to_string(),
            format!("template {template:?}: {want}"),
            "{template}"
        );
    }
}

/// A `cpu` point of the httpPost recording at `secs` after 1971-01-01.
fn http_post_row(secs: i64, value: f64) -> tickflow_alert::Row {
    const BASE: i64 = 31_536_000;
    let mut point = tickflow_model::Point::new(
        "cpu",
        tickflow_model::Time::from_nanos((BASE + secs) * 1_000_000_000),
    );
    point.tags = Tags::from_pairs([("host", "serverA"), ("type", "idle")]);
    point.fields = tickflow_model::Fields::from_pairs([("value", value)]);
    tickflow_alert::Row::from_point(&point)
}

#[test]
fn row_templates_range_over_values_as_maps() {
    // The row_template of the TestStream_HttpPostEndpoint_CustomBody conformance case.
    let template = Template::parse(
        "{{.Name}} host={{index .Tags \"host\"}} type={{index .Tags \"type\"}}\
         {{range .Values}} {{index . \"time\"}} {{index . \"value\"}}{{end}}",
        Kind::Text,
    )
    .expect("parses");
    assert_eq!(
        template.render_row(&http_post_row(0, 97.1)).as_deref(),
        Ok("cpu host=serverA type=idle 1971-01-01 00:00:00 +0000 UTC 97.1")
    );
    let url = Template::parse(
        "http://h/{{ .Name }}/?host={{ index .Tags \"host\"}}&cpu={{ index .Tags \"cpu\" }}",
        Kind::Text,
    )
    .expect("parses");
    assert_eq!(
        url.render_row(&http_post_row(1, 1.0)).as_deref(),
        Ok("http://h/cpu/?host=serverA&cpu=")
    );
}

#[test]
fn range_visits_maps_in_key_order_and_runs_else_when_empty() {
    let row = http_post_row(5, 2.5);
    let render = |text: &str| {
        Template::parse(text, Kind::Text)
            .expect("parses")
            .render_row(&row)
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        render("{{ range .Tags }}[{{ . }}]{{ end }}").as_deref(),
        Ok("[serverA][idle]")
    );
    assert_eq!(
        render("{{ range .Values }}{{ .value }} {{ . }}{{ end }}").as_deref(),
        Ok("2.5 map[time:1971-01-01 00:00:05 +0000 UTC value:2.5]")
    );
    assert_eq!(
        render("{{ index (index .Values 0) \"value\" }}").as_deref(),
        Ok("2.5")
    );
    let empty =
        Template::parse("{{ range .Values }}x{{ else }}none{{ end }}", Kind::Text).expect("parses");
    assert_eq!(empty.render_row(&row).as_deref(), Ok("x"));
    assert_eq!(
        empty.render_row(&tickflow_alert::Row::default()).as_deref(),
        Ok("none")
    );
    assert_eq!(
        render("{{ range .Name }}x{{ end }}"),
        Err(
            "template \"{{ range .Name }}x{{ end }}\": 1:1: range can't iterate over string".into()
        )
    );
    assert_eq!(
        render("{{ .Level }}"),
        Err(
            "template \"{{ .Level }}\": 1:4: can't evaluate field Level in type httppost.mappedRow"
                .into()
        )
    );
}
