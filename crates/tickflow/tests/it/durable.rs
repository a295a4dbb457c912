//! A durable engine in a program: a crash (the engine dropped without a shutdown) after
//! a snapshot round, and a new engine on the same data dir that restores the task,
//! replays the writes after the snapshot and does not deliver their alerts again.

use tickflow::{Engine, TaskDefinition};

const SCRIPT: &str = r#"dbrp "printer"."autogen"
stream
    |from().measurement('temperatures')
    |alert().crit(lambda: "hotend" > 250.0).message('{{ .Level }} {{ index .Fields "hotend" }}')"#;

#[test]
fn a_restart_after_a_crash_replays_without_delivering_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (builder, alerts) = Engine::builder().data_dir(dir.path()).alert_channel();
    let engine = builder.build().expect("engine");
    engine
        .define(TaskDefinition::new("hot", SCRIPT))
        .expect("defined");
    let write = |engine: &Engine, line: &str| {
        engine
            .write_lines("printer", "autogen", line.as_bytes())
            .expect("written");
    };
    write(
        &engine,
        "temperatures hotend=220.0 1\ntemperatures hotend=260.5 2\n",
    );
    let durable = engine.durable().expect("durable").clone();
    let round = durable
        .snapshot_round(engine.master(), engine.topics())
        .expect("round");
    assert_eq!((round.position, round.tasks), (1, 1));
    write(&engine, "temperatures hotend=221.0 3\n");
    // A crash after every alert was handed on: the tasks stop, nothing is saved.
    engine.master().shutdown();
    drop((engine, durable));
    let first: Vec<String> = alerts.try_iter().map(|a| a.message).collect();
    assert_eq!(first, ["CRITICAL 260.5", "OK 221"]);

    let (builder, alerts) = Engine::builder().data_dir(dir.path()).alert_channel();
    let engine = builder.build().expect("restarted");
    let recovery = engine.recovery().expect("durable");
    assert_eq!(
        (
            recovery.started,
            recovery.replayed_writes,
            recovery.replayed_points
        ),
        (1, 1, 1)
    );
    assert!(
        Engine::builder().data_dir(dir.path()).build().is_err(),
        "the data dir is locked"
    );
    write(&engine, "temperatures hotend=270.0 4\n");
    engine.shutdown();
    let second: Vec<(String, String)> = alerts
        .try_iter()
        .map(|a| (a.message, a.previous_level.to_string()))
        .collect();
    assert_eq!(second, [("CRITICAL 270".to_string(), "OK".to_string())]);
}
