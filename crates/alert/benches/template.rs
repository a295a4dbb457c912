//! What rendering the alert templates costs per event: Kapacitor's default id, message
//! and details templates, and a message with a time layout, `printf` and a `range` over
//! the tags; and what compiling that message once at task start costs. Reported in
//! renders/s (parses/s).

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tickflow_alert::template::{Kind, ServerInfo, Template, TemplateData};
use tickflow_alert::Level;
use tickflow_model::{Duration, Fields, Tags, Time};

/// A message like those of real scripts: a time layout, a formatted field and the tags.
const RICH_MESSAGE: &str = r#"{{ .ID }} at {{ .Time.Local.Format "2006-01-02T15:04:05Z07:00" }}: {{ printf "%.2f" .Fields.value }}{{ range $k, $v := .Tags }} {{ $k }}={{ $v }}{{ end }}{{ if gt .Duration.Seconds 60.0 }} for {{ .Duration }}{{ end }}"#;

/// The details data of a stream alert with three tags and three fields.
fn data() -> TemplateData {
    TemplateData {
        name: "temperature".into(),
        task_name: "printer_alert".into(),
        group: "printer=p1".into(),
        tags: Tags::from_pairs([("printer", "p1"), ("sensor", "nozzle"), ("site", "lab")]),
        server_info: ServerInfo::default(),
        id: Some("temperature:printer=p1".into()),
        fields: Some(Fields::from_pairs([
            ("t", 3.25),
            ("pvalue", 0.0012),
            ("value", 215.5),
        ])),
        level: Some(Level::Critical),
        time: Some(Time::from_nanos(1_704_067_210_123_456_789)),
        duration: Some(Duration::from_nanos(90_000_000_000)),
        message: Some("temperature:printer=p1 is CRITICAL".into()),
    }
}

fn parse(text: &str, kind: Kind) -> Template {
    Template::parse(".message()", text, kind).expect("the bench's templates parse")
}

fn render(c: &mut Criterion) {
    let data = data();
    let mut group = c.benchmark_group("template");
    group.throughput(Throughput::Elements(1));
    let cases = [
        (
            "render_default_id",
            parse("{{ .Name }}:{{ .Group }}", Kind::Text),
        ),
        (
            "render_default_message",
            parse("{{ .ID }} is {{ .Level }}", Kind::Text),
        ),
        ("render_default_details", parse("{{ json . }}", Kind::Html)),
        ("render_rich_message", parse(RICH_MESSAGE, Kind::Text)),
    ];
    for (name, template) in &cases {
        group.bench_function(*name, |b| b.iter(|| template.render(&data)));
    }
    group.bench_function("parse_rich_message", |b| {
        b.iter(|| Template::parse(".message()", RICH_MESSAGE, Kind::Text))
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
