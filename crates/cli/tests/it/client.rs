//! Kapacitor's client verbs (`define`, `enable`, `list`, `show`…) run as a user's script
//! runs them: the real binary, with Go-style flags, against a `tickflow serve` on a
//! loopback port, output compared with Kapacitor's layout.

use std::path::{Path, PathBuf};
use std::process::Command;

use expect_test::expect;

use crate::replay::write;
use crate::scratch_dir;
use crate::server::{post, request, Running};

/// A `tickflow serve` and a scratch directory for the files the verbs read.
struct Server {
    running: Running,
    dir: PathBuf,
}

/// What one command did.
#[derive(Debug)]
struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

impl Server {
    fn start(test: &str) -> Server {
        Server {
            running: Running::start(&["serve"]),
            dir: scratch_dir(&format!("client-{test}")),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.running.address)
    }

    /// `tickflow -url <server> <args>`, in the scratch directory.
    fn run(&self, args: &[&str]) -> Run {
        let url = self.url();
        let mut full = vec!["-url", url.as_str()];
        full.extend_from_slice(args);
        run_in(&self.dir, &full, None)
    }

    /// Runs `args`, which must succeed, and returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, Some(0), "{args:?}: {run:?}");
        run.stdout
    }

    fn file(&self, name: &str, text: &str) -> String {
        write(&self.dir, name, text)
    }

    /// `GET path` of the API as JSON.
    fn get(&self, path: &str) -> serde_json::Value {
        let (status, body) = request(self.running.address, "GET", path, b"");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("JSON")
    }

    /// Defines `id` from `script` (a stream task on telegraf.autogen).
    fn define(&self, id: &str, script: &str) {
        let tick = self.file(&format!("{id}.tick"), script);
        self.ok(&["define", id, "-tick", &tick, "-dbrp", "telegraf.autogen"]);
    }
}

fn run_in(dir: &Path, args: &[&str], url_env: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tickflow"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("KAPACITOR_URL");
    if let Some(url) = url_env {
        command.env("KAPACITOR_URL", url);
    }
    let out = command.output().expect("tickflow runs");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

const CPU: &str = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage\" > 90)\n        .topic('cpu')\n";

#[test]
fn define_creates_a_disabled_task_and_updates_only_what_is_given() {
    let server = Server::start("define");
    server.define("cpu_alert", CPU);
    expect![[r#"
        ID        Type      Status    Executing Databases and Retention Policies
        cpu_alert stream    disabled  false     ["telegraf"."autogen"]
    "#]]
    .assert_eq(&server.ok(&["list", "tasks"]));
    server.ok(&[
        "define",
        "cpu_alert",
        "-dbrp",
        "\"tele.graf\".\"autogen\"",
        "-dbrp",
        "other.rp",
    ]);
    let task = server.get("/kapacitor/v1/tasks/cpu_alert");
    assert_eq!(
        task["dbrps"],
        serde_json::json!([{"db": "tele.graf", "rp": "autogen"}, {"db": "other", "rp": "rp"}])
    );
    assert!(task["script"].as_str().is_some_and(|s| s.contains("'cpu'")));
    let bad = server.run(&["define", "cpu_alert", "-dbrp", "nodot"]);
    assert_eq!(bad.code, Some(2), "{bad:?}");
    assert!(
        bad.stderr.starts_with(
            "invalid value \"nodot\" for flag -dbrp: does not contain a '.', it must be in the form \"dbname\".\"rpname\" where the quotes are optional.\nUsage: tickflow define <task ID> [options]"
        ),
        "{bad:?}"
    );
    let no_id = server.run(&["define", "-tick", "x.tick"]);
    assert_eq!(no_id.code, Some(2));
    assert!(
        no_id.stderr.starts_with("Must provide a task ID.\n"),
        "{no_id:?}"
    );
    let refused = server.run(&[
        "define",
        "broken",
        "-tick",
        &server.file("b.tick", "stream|nope()\n"),
        "-dbrp",
        "a.b",
    ]);
    assert_eq!(refused.code, Some(3), "{refused:?}");
    assert!(
        refused.stderr.starts_with("invalid TICKscript: "),
        "{refused:?}"
    );
}

#[test]
fn define_reloads_an_enabled_task_unless_told_not_to() {
    let server = Server::start("reload");
    server.define("cpu_alert", CPU);
    server.ok(&["enable", "cpu_alert"]);
    let enabled_at = |server: &Server| {
        let task = server.get("/kapacitor/v1/tasks/cpu_alert");
        let text = task["last-enabled"].as_str().expect("last-enabled");
        chrono::DateTime::parse_from_rfc3339(text).expect("an RFC 3339 time")
    };
    let first = enabled_at(&server);
    let tick = server.file("cpu2.tick", &CPU.replace("90", "80"));
    server.ok(&["define", "cpu_alert", "-tick", &tick, "-no-reload"]);
    assert_eq!(
        enabled_at(&server),
        first,
        "-no-reload keeps the running task"
    );
    server.ok(&["define", "cpu_alert", "-tick", &tick]);
    let second = enabled_at(&server);
    assert!(second > first, "{first} then {second}");
    server.ok(&["reload", "cpu_*"]);
    assert!(enabled_at(&server) > second);
    let task = server.get("/kapacitor/v1/tasks/cpu_alert");
    assert_eq!(task["status"], "enabled");
    assert_eq!(task["executing"], true);
}

#[test]
fn enable_and_disable_take_ids_and_globs() {
    let server = Server::start("enable");
    for id in ["a_alert", "b_alert", "other"] {
        server.define(id, CPU);
    }
    server.ok(&["enable", "*_alert"]);
    expect![[r#"
        ID      Type      Status    Executing Databases and Retention Policies
        a_alert stream    enabled   true      ["telegraf"."autogen"]
        b_alert stream    enabled   true      ["telegraf"."autogen"]
        other   stream    disabled  false     ["telegraf"."autogen"]
    "#]]
    .assert_eq(&server.ok(&["list", "tasks"]));
    server.ok(&["disable", "a_alert", "nothing*"]);
    expect![[r#"
        ID      Type      Status    Executing Databases and Retention Policies
        a_alert stream    disabled  false     ["telegraf"."autogen"]
        b_alert stream    enabled   true      ["telegraf"."autogen"]
    "#]]
    .assert_eq(&server.ok(&["list", "tasks", "?_alert"]));
    let none = server.run(&["enable"]);
    assert_eq!(none.code, Some(2));
    assert!(none
        .stderr
        .starts_with("Must pass at least one task ID\nUsage: tickflow enable"));
}

#[test]
fn show_prints_a_task_as_kapacitor_does() {
    let server = Server::start("show");
    server.define("cpu_alert", CPU);
    let shown = server.ok(&["show", "cpu_alert"]);
    let mut lines = shown.lines();
    let head: Vec<&str> = lines.by_ref().take(10).collect();
    assert_eq!(
        head[..6],
        [
            "ID: cpu_alert",
            "Error: ",
            "Template: ",
            "Type: stream",
            "Status: disabled",
            "Executing: false"
        ]
    );
    for (line, label) in head[6..9]
        .iter()
        .zip(["Created: ", "Modified: ", "LastEnabled: "])
    {
        let date = line.strip_prefix(label).expect(label);
        assert_eq!(date.len(), "08 Dec 26 03:34 UTC".len(), "{line}");
    }
    assert_eq!(head[8], "LastEnabled: 01 Jan 01 00:00 UTC");
    assert_eq!(
        head[9],
        "Databases Retention Policies: [\"telegraf\".\"autogen\"]"
    );
    let rest: String = lines.map(|l| format!("{l}\n")).collect();
    expect![[r#"
        TICKscript:
        stream
            |from()
                .measurement('cpu')
            |alert()
                .crit(lambda: "usage" > 90)
                .topic('cpu')

        DOT:
        digraph cpu_alert {
        stream0 -> from1;
        from1 -> alert2;
        }
    "#]]
    .assert_eq(&rest);
    let missing = server.run(&["show", "nope"]);
    assert_eq!(
        (missing.code, missing.stderr.as_str()),
        (Some(3), "no task exists\n")
    );
}

#[test]
fn show_of_a_script_file_still_shows_its_pipeline_offline() {
    let dir = scratch_dir("client-show-offline");
    let tick = write(&dir, "cpu.tick", CPU);
    let run = run_in(&dir, &["show", &tick], None);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("alert2"), "{run:?}");
    let relative = run_in(&dir, &["show", "cpu.tick", "--dot"], None);
    assert!(relative.stdout.starts_with("digraph cpu {"), "{relative:?}");
}

#[test]
fn the_server_comes_from_kapacitor_url_and_failures_exit_3() {
    let server = Server::start("url");
    server.define("cpu_alert", CPU);
    let run = run_in(&server.dir, &["list", "tasks", "cpu*"], Some(&server.url()));
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("cpu_alert"), "{run:?}");
    let down = run_in(
        &server.dir,
        &["-url", "http://127.0.0.1:1", "list", "tasks"],
        None,
    );
    assert_eq!(down.code, Some(3), "{down:?}");
    assert!(
        down.stderr
            .starts_with("Get \"http://127.0.0.1:1/kapacitor/v1/tasks\": "),
        "{down:?}"
    );
    let unknown = server.run(&["list", "things"]);
    assert_eq!(unknown.code, Some(3));
    assert_eq!(
        unknown.stderr,
        "cannot list 'things' did you mean 'tasks', 'recordings', 'replays', 'topics', 'topic-handlers' or 'service-tests'?\n"
    );
    let nothing = server.run(&["list"]);
    assert_eq!(nothing.code, Some(2));
    let no_verb = server.run(&[]);
    assert_eq!(no_verb.code, Some(1));
    assert!(
        no_verb.stderr.starts_with("Error: Must pass a command.\n"),
        "{no_verb:?}"
    );
    let unknown_verb = server.run(&["push"]);
    assert_eq!(unknown_verb.code, Some(1));
    assert!(unknown_verb.stderr.starts_with("Unknown command push\n"));
    let bad_flag = server.run(&["show", "-dot", "cpu_alert"]);
    assert_eq!(bad_flag.code, Some(2));
    assert!(bad_flag
        .stderr
        .starts_with("flag provided but not defined: -dot\n"));
}

#[test]
fn delete_removes_tasks_by_id_and_glob() {
    let server = Server::start("delete");
    for id in ["a_alert", "b_alert", "keep"] {
        server.define(id, CPU);
    }
    server.ok(&["enable", "a_alert"]);
    server.ok(&["delete", "tasks", "*_alert", "missing"]);
    expect![[r#"
        ID   Type      Status    Executing Databases and Retention Policies
        keep stream    disabled  false     ["telegraf"."autogen"]
    "#]]
    .assert_eq(&server.ok(&["list", "tasks"]));
    let run = server.run(&["delete", "tasks"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.starts_with("Must pass at least one ID\n"));
}

/// A server with `cpu_alert` enabled and one critical point written.
fn alerting(test: &str) -> Server {
    let server = Server::start(test);
    server.define("cpu_alert", CPU);
    server.ok(&["enable", "cpu_alert"]);
    let (status, body) = post(
        server.running.address,
        "/write?db=telegraf&rp=autogen",
        b"cpu,host=a usage=95",
    );
    assert_eq!(status, 204, "{body}");
    for _ in 0..200 {
        if server.ok(&["list", "topics"]).contains("CRITICAL") {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the alert never reached topic cpu");
}

#[test]
fn topics_list_show_and_delete() {
    let server = alerting("topics");
    expect![[r#"
        ID  Level     Collected
        cpu CRITICAL          0
    "#]]
    .assert_eq(&server.ok(&["list", "topics"]));
    let shown = server.ok(&["show-topic", "cpu"]);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "ID: cpu",
            "Level: CRITICAL",
            "Collected: 0",
            "Handlers: []",
            "Events:",
            "Event   Level    Message             Date                   "
        ]
    );
    assert!(
        lines[6].starts_with("cpu:nil CRITICAL cpu:nil is CRITICAL "),
        "{shown}"
    );
    server.ok(&["delete", "topics", "c*"]);
    expect![[r#"
        ID Level     Collected
    "#]]
    .assert_eq(&server.ok(&["list", "topics"]));
}

#[test]
fn topic_handlers_are_defined_from_yaml_or_json_listed_shown_and_deleted() {
    let server = alerting("handlers");
    let log = server.dir.join("alerts.log");
    let yaml = server.file(
        "log.yaml",
        &format!(
            "topic: cpu\nid: logger\nkind: log\noptions:\n  path: {}\n",
            log.display()
        ),
    );
    server.ok(&["define-topic-handler", &yaml]);
    let json = server.file(
        "post.json",
        r#"{"topic": "cpu", "id": "poster", "kind": "post", "options": {"url": "http://127.0.0.1:1/?a=1&b=<2>"}}"#,
    );
    server.ok(&["define-topic-handler", &json]);
    server.ok(&["define-topic-handler", &json]);
    expect![[r#"
        Topic      ID         Kind       
        cpu        logger     log        
        cpu        poster     post       
    "#]]
    .assert_eq(&server.ok(&["list", "topic-handlers"]));
    expect![[r#"
        Topic      ID         Kind       
        cpu        poster     post       
    "#]]
    .assert_eq(&server.ok(&["list", "topic-handlers", "c*", "p*"]));
    expect![[r#"
        ID: poster
        Topic: cpu
        Kind: post
        Match: 
        Options: {"url":"http://127.0.0.1:1/?a=1\u0026b=\u003c2\u003e"}
    "#]]
    .assert_eq(&server.ok(&["show-topic-handler", "cpu", "poster"]));
    assert!(server
        .ok(&["show-topic", "cpu"])
        .contains("Handlers: [logger, poster]\n"));
    server.ok(&["delete", "topic-handlers", "cpu", "log*"]);
    expect![[r#"
        Topic      ID         Kind       
        cpu        poster     post       
    "#]]
    .assert_eq(&server.ok(&["list", "topic-handlers", "cpu"]));
    let bad = server.file("h.txt", "topic: cpu\n");
    let run = server.run(&["define-topic-handler", &bad]);
    assert_eq!(run.code, Some(3), "{run:?}");
}

#[test]
fn service_tests_are_listed_and_run_by_name_or_glob() {
    let server = Server::start("service-tests");
    let listed = server.ok(&["list", "service-tests"]);
    assert!(listed.starts_with("Service Name\n"), "{listed}");
    assert!(listed.lines().any(|l| l == "victorops"), "{listed}");
    expect![[r#"
        Service Name
        victorops
    "#]]
    .assert_eq(&server.ok(&["list", "service-tests", "victor*"]));
    expect![[r#"
        Service             Success   Message
        victorops           false     victorops: service is not enabled
    "#]]
    .assert_eq(&server.ok(&["service-tests", "victorops"]));
}

#[test]
fn help_names_the_client_verbs_and_their_usage() {
    let dir = scratch_dir("client-help");
    let help = run_in(&dir, &["--help"], None);
    assert!(help.stdout.contains("define-topic-handler"), "{help:?}");
    assert!(
        help.stdout.contains("`show TASK_ID` asks the server"),
        "{help:?}"
    );
    let usage = run_in(&dir, &["help", "define"], None);
    assert_eq!(usage.code, Some(0));
    assert!(usage
        .stderr
        .starts_with("Usage: tickflow define <task ID> [options]"));
    assert!(usage.stderr.contains("  -no-reload\n"), "{usage:?}");
}

#[test]
fn define_reads_vars_and_task_files_and_show_lists_the_vars() {
    let server = Server::start("vars");
    let tick = server.file(
        "v.tick",
        "var crit = 90\nvar period = 1m\nstream\n    |from()\n        .measurement('cpu')\n    |window()\n        .period(period)\n    |alert()\n        .crit(lambda: \"usage\" > crit)\n",
    );
    let vars = server.file(
        "v.json",
        r#"{"crit": {"type": "int", "value": 80}, "period": {"type": "duration", "value": "5m"}}"#,
    );
    server.ok(&[
        "define", "vt", "-tick", &tick, "-dbrp", "db.rp", "-vars", &vars,
    ]);
    let shown = server.ok(&["show", "vt"]);
    let table =
        &shown[shown.find("Vars:").expect("a vars table")..shown.find("DOT:").expect("DOT")];
    expect![[r#"
        Vars:
        Name                          Type      Value                                   
        crit                          int       80                                      
        period                        duration  5m0s                                    
    "#]]
    .assert_eq(table);
    let file = server.file(
        "vt.yaml",
        "id: vt\ndbrps:\n  - db: other\n    rp: autogen\nvars:\n  crit:\n    type: int\n    value: 70\n",
    );
    server.ok(&["define", "vt", "-file", &file]);
    let task = server.get("/kapacitor/v1/tasks/vt");
    assert_eq!(
        task["dbrps"],
        serde_json::json!([{"db": "other", "rp": "autogen"}])
    );
    assert_eq!(task["vars"]["crit"]["value"], 70);
    let other = server.run(&["define", "other_id", "-file", &file]);
    assert_eq!(other.code, Some(3));
    assert_eq!(
        other.stderr,
        format!("Task id given on command line does not match id in {file}\n")
    );
    let broken = server.file("broken.json", "{");
    let run = server.run(&["define", "vt", "-vars", &broken]);
    assert_eq!(run.code, Some(3));
    assert!(
        run.stderr
            .starts_with(&format!("invalid JSON in file {broken}: ")),
        "{run:?}"
    );
}
