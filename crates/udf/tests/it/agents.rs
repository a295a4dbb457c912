//! External agents through the registry: the Rust test agent (`tests/agent/main.rs`)
//! in every edge combination, over a pipe and a Unix socket, and every way of failing.

use std::time::Duration;

use tickflow_model::{
    Batch, BatchPoint, Dimensions, FieldValue, Fields, GroupId, GroupInfo, Message, Point, Tags,
    Time,
};
use tickflow_pipeline::nodes::udf::{OptionValue, UdfOption};
use tickflow_pipeline::EdgeType;
use tickflow_udf::config::Config;
use tickflow_udf::convert;
use tickflow_udf::external::{ExternalUdf, Failure};
use tickflow_udf::framing::frame;
use tickflow_udf::{Instance, InstanceError, Registry, RegistryError};

const AGENT: &str = env!("CARGO_BIN_EXE_udf-test-agent");

/// A config running the test agent in `mode` as UDF `name`.
fn config(name: &str, mode: &[&str], timeout: &str) -> Config {
    config_with(name, mode, &format!("timeout = {timeout:?}"))
}

/// A config running the test agent in `mode` as UDF `name`, with more keys.
fn config_with(name: &str, mode: &[&str], keys: &str) -> Config {
    let args: Vec<String> = mode.iter().map(|a| format!("{a:?}")).collect();
    Config::parse(&format!(
        "[udf.functions.{name}]\nprog = {AGENT:?}\nargs = [{}]\n{keys}\n",
        args.join(", ")
    ))
    .expect("valid config")
}

fn registry(mode: &[&str]) -> Registry {
    Registry::from_config(&config("agent", mode, "10s")).expect("the probe succeeds")
}

fn start(registry: &Registry, options: &[UdfOption]) -> Result<ExternalUdf, InstanceError> {
    match registry.instance("agent", "task", "agent1", options)? {
        Instance::External(udf) => Ok(*udf),
        Instance::Native(_) => panic!("expected an external UDF"),
    }
}

fn string_option(name: &str, value: &str) -> UdfOption {
    UdfOption {
        name: name.into(),
        values: vec![OptionValue::String(value.into())],
    }
}

/// A `cpu` point of host `host` grouped by host, with field `value`.
fn point(secs: i64, host: &str, value: f64) -> Message {
    let mut p = Point::new("cpu", Time::from_nanos(secs * 1_000_000_000));
    p.database = "db".into();
    p.retention_policy = "rp".into();
    p.tags = Tags::from_pairs([("host", host), ("dc", "eu")]);
    p.fields = Fields::from_pairs([("value", value)]);
    p.set_dimensions(Dimensions::by_tags(["host"]));
    Message::Point(p)
}

fn batch(host: &str, values: &[f64], tmax: i64) -> Message {
    let tags = Tags::from_pairs([("host", host)]);
    let dimensions = Dimensions::by_tags(["host"]);
    let info = GroupInfo {
        id: GroupId::new("cpu", &tags, &dimensions),
        tags: tags.clone(),
        dimensions,
    };
    let mut batch = Batch::new("cpu".into(), info, Time::from_nanos(tmax));
    batch.points = values
        .iter()
        .enumerate()
        .map(|(i, v)| BatchPoint {
            fields: Fields::from_pairs([("value", *v)]),
            tags: tags.clone(),
            time: Time::from_nanos(i as i64),
        })
        .collect();
    Message::Batch(batch)
}

/// Sends every message, then finishes, and returns all output.
fn run(udf: &mut ExternalUdf, messages: &[Message]) -> Vec<Message> {
    let mut out = Vec::new();
    for message in messages {
        udf.send(message, &mut out)
            .expect("the agent takes the message");
    }
    udf.finish(&mut out).expect("the agent finishes cleanly");
    out
}

fn field(message: &Message, name: &str) -> Option<FieldValue> {
    match message {
        Message::Point(p) => p.fields.get(name).cloned(),
        _ => None,
    }
}

#[test]
fn the_probe_reads_edges_and_options() {
    let infos = registry(&["stream-batch"]).infos();
    let info = &infos["agent"];
    assert_eq!(
        (info.wants, info.provides),
        (EdgeType::Stream, EdgeType::Batch)
    );
    assert_eq!(
        info.options.keys().collect::<Vec<_>>(),
        ["as", "field", "size"]
    );
    assert!(infos.contains_key("tTest"), "built-ins stay available");
}

#[test]
fn a_failing_probe_names_the_udf_and_quotes_its_stderr() {
    let err = Registry::from_config(&config("ttest", &["info-fails"], "10s"))
        .expect_err("the probe fails");
    assert!(matches!(err, RegistryError::Probe(_)));
    assert_eq!(
        err.to_string(),
        "failed to load process info: UDF ttest: process exited unexpectedly: exit status 1\n  \
         stderr: Traceback (most recent call last):\n  stderr: ImportError: No module named \
         kapacitor"
    );
}

#[test]
fn a_missing_program_is_a_clear_error() {
    let config =
        Config::parse("[udf.functions.gone]\nprog = \"/nonexistent/agent\"\ntimeout = \"1s\"\n")
            .expect("valid config");
    let err = Registry::from_config(&config).expect_err("cannot start");
    assert!(
        err.to_string().starts_with(
            "failed to load process info: UDF gone: cannot start \"/nonexistent/agent\": "
        ),
        "{err}"
    );
}

#[test]
fn stream_in_stream_out_keeps_points_in_order_with_their_groups() {
    let registry = registry(&["stream-stream"]);
    let mut udf = start(&registry, &[string_option("as", "twice")]).expect("starts");
    let out = run(
        &mut udf,
        &[point(1, "a", 1.5), point(2, "b", 2.0), point(3, "a", 4.0)],
    );
    assert_eq!(out.len(), 3);
    let twice: Vec<Option<FieldValue>> = out.iter().map(|m| field(m, "twice")).collect();
    assert_eq!(
        twice,
        [Some(3.0), Some(4.0), Some(8.0)].map(|v| v.map(FieldValue::Float))
    );
    let Message::Point(first) = &out[0] else {
        panic!("expected a point")
    };
    assert_eq!(first.group.as_str(), "host=a");
    assert_eq!(&*first.database, "db");
    assert_eq!(first.time, Time::from_nanos(1_000_000_000));
    assert_eq!(field(&out[2], "count"), Some(FieldValue::Integer(3)));
}

#[test]
fn stream_in_batch_out_builds_batches_from_end_tags() {
    let registry = registry(&["stream-batch"]);
    let size = UdfOption {
        name: "size".into(),
        values: vec![OptionValue::Int(2)],
    };
    let mut udf = start(&registry, &[size]).expect("starts");
    let out = run(
        &mut udf,
        &[point(1, "a", 1.0), point(2, "b", 2.0), point(3, "a", 3.0)],
    );
    assert_eq!(out.len(), 1, "only group a filled a batch");
    let Message::Batch(batch) = &out[0] else {
        panic!("expected a batch")
    };
    assert_eq!(batch.group.as_str(), "host=a");
    assert_eq!(batch.dimensions, Dimensions::by_tags(["host"]));
    assert_eq!(batch.tmax, Time::from_nanos(3_000_000_000));
    assert_eq!(batch.points.len(), 2);
}

#[test]
fn batch_in_stream_out_regroups_from_the_points_dimensions() {
    let registry = registry(&["batch-stream"]);
    let mut udf = start(&registry, &[]).expect("starts");
    let out = run(
        &mut udf,
        &[batch("a", &[1.0, 2.0, 3.0], 10), batch("b", &[4.0], 20)],
    );
    assert_eq!(out.len(), 2);
    let Message::Point(p) = &out[1] else {
        panic!("expected a point")
    };
    assert_eq!(p.group.as_str(), "host=b");
    assert_eq!(p.time, Time::from_nanos(20));
    assert_eq!(field(&out[0], "count"), Some(FieldValue::Integer(3)));
}

#[test]
fn batch_in_batch_out_echoes_each_batch() {
    let registry = registry(&["batch-batch"]);
    let mut udf = start(&registry, &[string_option("field", "value")]).expect("starts");
    let out = run(&mut udf, &[batch("a", &[1.0, 2.0], 10)]);
    let [Message::Batch(b)] = &out[..] else {
        panic!("expected one batch, got {out:?}")
    };
    assert_eq!(b.group.as_str(), "host=a");
    assert_eq!(b.tmax, Time::from_nanos(10));
    let values: Vec<Option<&FieldValue>> = b.points.iter().map(|p| p.fields.get("value")).collect();
    assert_eq!(
        values,
        [Some(&FieldValue::Float(2.0)), Some(&FieldValue::Float(4.0))]
    );
}

#[test]
fn options_are_type_checked_before_the_agent_starts() {
    let registry = registry(&["stream-stream"]);
    let bad = UdfOption {
        name: "size".into(),
        values: vec![OptionValue::Double(2.0)],
    };
    let err = start(&registry, &[bad]).err().expect("refused");
    assert_eq!(
        err.to_string(),
        "UDF agent: unexpected arg to size, got DOUBLE expected INT"
    );
}

#[test]
fn an_init_refusal_is_the_agents_reason() {
    let registry = registry(&["reject-init"]);
    let err = start(&registry, &[]).err().expect("refused");
    assert_eq!(
        err.to_string(),
        "UDF agent: failed to initialize processes field is required\n  stderr: init task agent1"
    );
}

#[test]
fn a_crash_mid_stream_names_the_exit_and_quotes_the_agent() {
    let registry = registry(&["crash-after", "2"]);
    let mut udf = start(&registry, &[]).expect("starts");
    let mut out = Vec::new();
    udf.send(&point(1, "a", 1.0), &mut out).expect("first");
    udf.send(&point(2, "a", 1.0), &mut out).expect("second");
    // The death shows on a later write or poll; keep sending (bounded) until it does.
    let err = (3..500)
        .find_map(|i| {
            std::thread::sleep(Duration::from_millis(10));
            udf.send(&point(i, "a", 1.0), &mut out).err()
        })
        .expect("the agent dies after two points");
    assert_eq!(err.failure, Failure::Exited("exit status 3".into()));
    assert!(
        err.stderr.contains(&"crashing after 2 points".to_string()),
        "{err}"
    );
    assert!(udf.is_dead());
}

/// Sends every message, restarting the agent whenever it fails (a failed message is
/// not sent again: the restart replays it), then finishes; returns all output and the
/// number of restarts.
fn run_restarting(udf: &mut ExternalUdf, messages: &[Message]) -> (Vec<Message>, usize) {
    let mut out = Vec::new();
    let mut restarts = 0;
    for message in messages {
        if udf.send(message, &mut out).is_err() {
            restarts += 1;
            udf.restart().expect("restarts");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    while let Err(err) = udf.finish(&mut out) {
        assert!(restarts < messages.len(), "keeps failing: {err}");
        restarts += 1;
        udf.restart().expect("restarts");
    }
    (out, restarts)
}

fn stream_input() -> Vec<Message> {
    (0..60)
        .map(|i| point(i, ["a", "b", "c"][(i % 3) as usize], i as f64))
        .collect()
}

fn batch_input() -> Vec<Message> {
    (0..30)
        .map(|i| batch(["a", "b"][(i % 2) as usize], &[i as f64, 1.0, 2.0], i))
        .collect()
}

/// The output of `mode` over `input` without failures, and with the agent crashing
/// after every `crash_every` requests. A journal bound of one byte makes a snapshot come
/// before every message, so the journal holds the message sent since and the one whose
/// send found the crash, and a restarted agent gets through its replay when that is
/// fewer requests than `crash_every` (a time schedule would make it depend on the
/// machine's speed).
fn with_and_without_crashes(
    mode: &str,
    options: &[UdfOption],
    input: &[Message],
    crash_every: &str,
) -> [(Vec<Message>, usize); 2] {
    let keys = "timeout = \"10s\"\nsnapshot-interval = \"1h\"";
    let clean = Registry::from_config(&config_with("agent", &[mode], keys)).expect("probe");
    let crashing = Registry::from_config(&config_with(
        "agent",
        &[mode, "--crash-every", crash_every],
        keys,
    ))
    .expect("probe");
    [clean, crashing].map(|registry| {
        let mut udf = start(&registry, options).expect("starts");
        udf.set_journal_limit(1);
        run_restarting(&mut udf, input)
    })
}

#[test]
fn a_run_with_crashes_gives_the_output_of_a_run_without_stream_to_stream() {
    let [(clean, none), (crashed, restarts)] =
        with_and_without_crashes("stream-stream", &[], &stream_input(), "7");
    assert_eq!(none, 0);
    assert!(restarts >= 3, "the agent crashed {restarts} times");
    assert_eq!(clean.len(), 60);
    assert_eq!(
        crashed, clean,
        "nothing lost, nothing twice, counts restored"
    );
}

#[test]
fn a_run_with_crashes_gives_the_output_of_a_run_without_stream_to_batch() {
    let size = UdfOption {
        name: "size".into(),
        values: vec![OptionValue::Int(4)],
    };
    let [(clean, _), (crashed, restarts)] =
        with_and_without_crashes("stream-batch", &[size], &stream_input(), "7");
    assert!(restarts >= 3, "the agent crashed {restarts} times");
    assert_eq!(clean.len(), 15);
    assert_eq!(
        crashed, clean,
        "buffered groups come back from the snapshot"
    );
}

#[test]
fn a_run_with_crashes_gives_the_output_of_a_run_without_batch_to_batch() {
    let [(clean, _), (crashed, restarts)] = with_and_without_crashes(
        "batch-batch",
        &[string_option("field", "value")],
        &batch_input(),
        "12",
    );
    assert!(restarts >= 3, "the agent crashed {restarts} times");
    assert_eq!(clean.len(), 30);
    assert_eq!(crashed, clean);
}

#[test]
fn a_full_journal_asks_for_a_snapshot() {
    let registry = Registry::from_config(&config_with(
        "agent",
        &["stream-stream"],
        "timeout = \"10s\"\nsnapshot-interval = \"1h\"",
    ))
    .expect("probe");
    let mut udf = start(&registry, &[]).expect("starts");
    udf.set_journal_limit(200);
    let mut out = Vec::new();
    for message in &stream_input()[..10] {
        udf.send(message, &mut out).expect("sent");
    }
    let state = udf.state();
    assert!(state.snapshot.is_some(), "a snapshot was taken");
    assert!(
        state.journal.len() <= 200 + 100,
        "the journal was emptied: {} bytes",
        state.journal.len()
    );
}

#[test]
fn snapshots_are_asked_on_the_interval_and_never_with_zero() {
    let state_after = |interval: &str| {
        let registry = Registry::from_config(&config_with(
            "agent",
            &["stream-stream"],
            &format!("timeout = \"10s\"\nsnapshot-interval = {interval:?}"),
        ))
        .expect("probe");
        let mut udf = start(&registry, &[]).expect("starts");
        let mut out = Vec::new();
        for message in &stream_input()[..20] {
            udf.send(message, &mut out).expect("sent");
            std::thread::sleep(Duration::from_millis(5));
        }
        udf.state()
    };
    let scheduled = state_after("20ms");
    assert!(scheduled.snapshot.is_some());
    assert!(
        scheduled.emitted < 20,
        "the journal starts at the last snapshot: {scheduled:?}"
    );
    let never = state_after("0");
    assert_eq!(never.snapshot, None);
    let everything: usize = stream_input()[..20]
        .iter()
        .map(|m| match m {
            Message::Point(p) => frame(&convert::stream_point(p)).len(),
            _ => 0,
        })
        .sum();
    assert_eq!(
        never.journal.len(),
        everything,
        "everything since the start is journaled"
    );
}

#[test]
fn a_restart_of_tickflow_restores_the_agent_from_its_state() {
    let registry = registry(&["stream-stream"]);
    let input = stream_input();
    let mut first = start(&registry, &[]).expect("starts");
    let mut out = Vec::new();
    for message in &input[..20] {
        first.send(message, &mut out).expect("sent");
    }
    first.snapshot().expect("snapshot");
    for message in &input[20..30] {
        first.send(message, &mut out).expect("sent");
    }
    // Let the outputs of the journaled requests arrive, then save the state.
    std::thread::sleep(Duration::from_millis(100));
    first.send(&input[30], &mut out).expect("sent");
    let state = first.state();
    let emitted_before = out.len();
    drop(first);

    let mut second = start(&registry, &[]).expect("starts again");
    second.restore(state).expect("restores");
    let rest = run(&mut second, &input[31..]);
    out.extend(rest);
    let clean = run(&mut start(&registry, &[]).expect("starts"), &input);
    assert!(
        emitted_before >= 20,
        "the outputs before the snapshot came first"
    );
    assert_eq!(
        out, clean,
        "the second run continues exactly where the first was"
    );
}

#[test]
fn a_hung_agent_times_out_and_is_killed() {
    let registry =
        Registry::from_config(&config("agent", &["hang-after", "1"], "300ms")).expect("probe");
    let mut udf = start(&registry, &[]).expect("starts");
    let mut out = Vec::new();
    udf.send(&point(1, "a", 1.0), &mut out).expect("first");
    udf.send(&point(2, "a", 1.0), &mut out)
        .expect("written before the hang is seen");
    let err = udf.finish(&mut out).expect_err("times out");
    assert_eq!(
        err.failure,
        Failure::KeepaliveTimeout(Duration::from_millis(300))
    );
    assert!(err.to_string().contains("stderr: hanging"), "{err}");
}

#[test]
fn garbage_from_the_agent_is_a_read_error() {
    let registry = registry(&["garbage-after", "1"]);
    let mut udf = start(&registry, &[]).expect("starts");
    let mut out = Vec::new();
    udf.send(&point(1, "a", 1.0), &mut out).expect("first");
    // The garbage shows on the second send or at the latest when finishing.
    let err = udf
        .send(&point(2, "a", 1.0), &mut out)
        .err()
        .or_else(|| udf.finish(&mut out).err())
        .expect("garbage");
    assert!(
        matches!(&err.failure, Failure::Read(text) if text.contains("invalid message")),
        "{err}"
    );
}

#[test]
fn a_snapshot_error_is_a_warning_and_the_agent_keeps_running() {
    let registry = registry(&["no-snapshot"]);
    let mut udf = start(&registry, &[]).expect("starts");
    let mut out = Vec::new();
    udf.send(&point(1, "a", 1.0), &mut out).expect("first");
    assert_eq!(udf.snapshot().expect("a warning, not an error"), None);
    assert!(!udf.is_dead());
    assert_eq!(udf.snapshot().expect("not asked again"), None);
    udf.send(&point(2, "a", 1.0), &mut out)
        .expect("still running");
    udf.finish(&mut out).expect("finishes");
    let counts: Vec<Option<FieldValue>> = out.iter().map(|m| field(m, "count")).collect();
    assert_eq!(
        counts,
        [1, 2].map(|c| Some(FieldValue::Integer(c))),
        "the restarted agent got the first point again, its output was not repeated"
    );
}

#[test]
fn a_socket_agent_speaks_the_same_protocol() {
    let dir = std::env::temp_dir().join(format!("tickflow-udf-socket-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join("agent.sock");
    let mut server = std::process::Command::new(AGENT)
        .args(["--socket", &path.display().to_string(), "stream-stream"])
        .spawn()
        .expect("server starts");
    let config = Config::parse(&format!(
        "[udf.functions.agent]\nsocket = {:?}\ntimeout = \"10s\"\n",
        path.display().to_string()
    ))
    .expect("valid config");
    let result = Registry::from_config(&config).map(|registry| {
        let mut udf = start(&registry, &[]).expect("starts");
        run(&mut udf, &[point(1, "a", 1.0), point(2, "b", 2.0)])
    });
    server.kill().expect("server stops");
    server.wait().expect("server reaped");
    std::fs::remove_dir_all(&dir).expect("remove temporary directory");
    let out = result.expect("the probe over the socket succeeds");
    assert_eq!(out.len(), 2);
    assert_eq!(field(&out[1], "double"), Some(FieldValue::Float(4.0)));
}
