//! [`tickflow::Engine`] as an embedding program uses it.

use tickflow::{Engine, TaskDefinition, TaskErrorKind};

const WINDOWED: &str = r#"dbrp "printer"."autogen"
stream
    |from().measurement('temperatures')
    |window().period(10s).every(10s)
    |mean('hotend')
    |alert().crit(lambda: "mean" > 250.0).id('hot')
"#;

fn lines(seconds: std::ops::Range<i64>, hotend: f64) -> Vec<u8> {
    seconds
        .map(|s| format!("temperatures hotend={hotend} {s}000000000\n"))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn a_snapshot_holds_the_window_and_the_task_goes_on() {
    let (builder, alerts) = Engine::builder().alert_channel();
    let engine = builder.build().expect("builds");
    engine
        .define(TaskDefinition::new("printer", WINDOWED))
        .expect("defines");
    engine
        .write_lines("printer", "autogen", &lines(0..15, 260.0))
        .expect("writes");
    let states = engine.snapshot("printer").expect("snapshot");
    let window = states
        .iter()
        .find(|(node, _)| node.starts_with("window"))
        .map(|(_, state)| state.to_string())
        .expect("the window keeps state");
    assert!(window.contains("260"), "{window}");
    let stats = engine.stats("printer").expect("running");
    assert_eq!(stats.nodes[0].1.messages_in, 15);

    engine
        .write_lines("printer", "autogen", &lines(15..30, 200.0))
        .expect("writes");
    let shutdown = engine.shutdown();
    assert!(shutdown.tasks.iter().all(|t| t.result.is_ok()));
    let levels: Vec<String> = alerts
        .try_iter()
        .map(|a| format!("{} {}", a.level, a.time.to_rfc3339()))
        .collect();
    assert_eq!(
        levels,
        ["CRITICAL 1970-01-01T00:00:10Z", "OK 1970-01-01T00:00:20Z"]
    );
}

#[test]
fn errors_are_typed_and_name_the_problem() {
    let engine = Engine::builder().build().expect("builds");
    let err = engine
        .define(TaskDefinition::new("bad", "stream|from().peroid(5m)"))
        .expect_err("no such property");
    assert_eq!(err.kind, TaskErrorKind::Invalid);
    assert!(err.message.contains("peroid"), "{err}");
    let err = engine.snapshot("nothing").expect_err("no task");
    assert_eq!(err.to_string(), "task nothing is not executing");
    let err = engine
        .write_lines("printer", "autogen", b"temperatures hotend=1 1\nbad line\n")
        .expect_err("a bad line");
    assert_eq!(
        err.to_string(),
        "unable to parse 'bad line': invalid field format"
    );
}

#[test]
fn disabled_tasks_take_no_points_and_enabling_starts_them_fresh() {
    let engine = Engine::builder().build().expect("builds");
    let mut task = TaskDefinition::new("printer", WINDOWED);
    task.enabled = false;
    engine.define(task).expect("defines");
    assert!(engine.stats("printer").is_none());
    engine.enable("printer").expect("enables");
    engine
        .write_lines("printer", "autogen", &lines(0..3, 1.0))
        .expect("writes");
    // A snapshot returns once every node has taken what was written before it.
    engine.snapshot("printer").expect("snapshot");
    assert_eq!(
        engine.stats("printer").expect("running").nodes[0]
            .1
            .messages_in,
        3
    );
    engine.disable("printer").expect("disables");
    assert!(engine.stats("printer").is_none());
    engine.delete("printer");
    assert_eq!(
        engine.enable("printer").expect_err("deleted").kind,
        TaskErrorKind::NotFound
    );
}
