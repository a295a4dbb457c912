//! The server verbs: `stats general|ingress` and `vars` (from `/debug/vars`), `level`
//! (the log level), `backup <file>` (the task store) and `service-tests <name-or-glob>…`.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Context;
use serde::Deserialize;
use serde_json::{json, Value};

use super::api::{segment, Api, Method, Reply, V1};
use super::go_fmt::pad;
use super::list::service_tests;
use super::Usage;

/// `stats`' usage.
pub(crate) const STATS_USAGE: &str = "Usage: tickflow stats <general|ingress>

\tPrint stats about a certain aspect of Kapacitor.

\tgeneral - Display summary stats about Kapacitor.
\tingress - Display stats about the data Kapacitor is receiving by database, retention policy and measurement.
";

/// One statistic of `/debug/vars`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Stat {
    name: String,
    tags: BTreeMap<String, String>,
    values: BTreeMap<String, Value>,
}

/// What `stats` reads of `/debug/vars`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DebugVars {
    cluster_id: String,
    server_id: String,
    host: String,
    #[serde(rename = "kapacitor")]
    stats: BTreeMap<String, Stat>,
    num_enabled_tasks: i64,
    num_subscriptions: i64,
    num_tasks: i64,
    version: String,
    platform: String,
}

/// `stats general|ingress`.
pub(crate) fn stats(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let [category] = args else {
        eprintln!("{STATS_USAGE}");
        anyhow::bail!("must provide a stats category");
    };
    let vars: DebugVars = api.get(&format!("{V1}/debug/vars"), &[])?.expect(&[200])?;
    match category.as_str() {
        "general" => print!("{}", general(&vars)),
        "ingress" => print!("{}", ingress(&vars)),
        _ => {}
    }
    Ok(())
}

fn general(vars: &DebugVars) -> String {
    let row = |name: &str, value: &str| format!("{}{}\n", pad(name, 30), pad(value, 30));
    [
        row("ClusterID:", &vars.cluster_id),
        row("ServerID:", &vars.server_id),
        row("Host:", &vars.host),
        row("Tasks:", &vars.num_tasks.to_string()),
        row("Enabled Tasks:", &vars.num_enabled_tasks.to_string()),
        row("Subscriptions:", &vars.num_subscriptions.to_string()),
        row("Platform:", &vars.platform),
        row("Version:", &vars.version),
    ]
    .concat()
}

fn ingress(vars: &DebugVars) -> String {
    let tag = |stat: &Stat, key: &str| stat.tags.get(key).cloned().unwrap_or_default();
    let mut rows: Vec<(String, String, String, i64)> = (vars.stats.values())
        .filter(|s| s.name == "ingress" && tag(s, "task_master") == "main")
        .map(|s| {
            let points = s.values.get("points_received").and_then(Value::as_f64);
            (
                tag(s, "database"),
                tag(s, "retention_policy"),
                tag(s, "measurement"),
                points.unwrap_or(0.0) as i64,
            )
        })
        .collect();
    rows.sort();
    let db = rows.iter().map(|r| r.0.chars().count()).fold(8, usize::max) + 1;
    let rp = rows
        .iter()
        .map(|r| r.1.chars().count())
        .fold(16, usize::max)
        + 1;
    let m = rows
        .iter()
        .map(|r| r.2.chars().count())
        .fold(11, usize::max)
        + 1;
    let mut text = format!(
        "{}{}{}Points Received\n",
        pad("Database", db),
        pad("Retention Policy", rp),
        pad("Measurement", m)
    );
    for (d, r, measurement, points) in &rows {
        text.push_str(&format!(
            "{}{}{}{points:>15}\n",
            pad(d, db),
            pad(r, rp),
            pad(measurement, m)
        ));
    }
    text
}

/// `vars`' usage.
pub(crate) const VARS_USAGE: &str = "Usage: tickflow vars

\tPrint debug vars in JSON format.
";

/// `vars`: the body of `/debug/vars` as the server sent it.
pub(crate) fn vars(api: &Api, _args: &[String]) -> anyhow::Result<()> {
    let reply = api.get(&format!("{V1}/debug/vars"), &[])?;
    print!("{}", reply.body);
    Ok(())
}

/// `level`'s usage.
pub(crate) const LEVEL_USAGE: &str = "Usage: tickflow level (debug|info|error)

\tSets the logging level on the kapacitord server.
";

/// `level <level>`.
pub(crate) fn level(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let Some(level) = args.first() else {
        return Err(Usage::new("Must pass a log level", LEVEL_USAGE).into());
    };
    let reply = api.send(
        Method::Post,
        &format!("{V1}/loglevel"),
        &json!({ "level": level }),
    )?;
    reply.check(&[204])?;
    Ok(())
}

/// `backup`'s usage.
pub(crate) const BACKUP_USAGE: &str = "Usage: tickflow backup <output file>

\tPerform a backup of the Kapacitor database.

\tTo restore a database first stop Kapacitor, then replace the existing kapacitor.db file with the backup file.
";

/// `backup <file>`: the server's `/storage/backup` into `file`.
pub(crate) fn backup(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let [path] = args else {
        anyhow::bail!("must provide file path for backup.");
    };
    let mut file = std::fs::File::create(path).context("failed to create backup file")?;
    let (status, mut body) = api
        .stream(&format!("{V1}/storage/backup"), &[])
        .context("failed to perform backup")?;
    if status != 200 {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut body, &mut text)?;
        Reply { status, body: text }
            .check(&[200])
            .context("failed to perform backup")?;
    }
    std::io::copy(&mut body, &mut file).context("failed to save backup")?;
    file.flush().context("failed to save backup")?;
    Ok(())
}

/// `service-tests`' usage.
pub(crate) const SERVICE_TESTS_USAGE: &str = "Usage: tickflow service-tests <service name...>

\tPerform the service test using defaults.
\tThe service name can be a glob style pattern.
";

/// `service-tests <name-or-glob>…`: runs each matching service's test with its defaults.
pub(crate) fn service_tests_run(api: &Api, args: &[String]) -> anyhow::Result<()> {
    if args.is_empty() {
        anyhow::bail!("must provide at least one service name or pattern.");
    }
    let mut names = Vec::new();
    for pattern in args {
        names.extend(service_tests(api, pattern)?);
    }
    #[derive(Deserialize)]
    struct Outcome {
        success: bool,
        message: String,
    }
    let mut results = Vec::new();
    for name in &names {
        let path = format!("{V1}/service-tests/{}", segment(name));
        let reply = api.send(Method::Post, &path, &json!({}))?;
        results.push(reply.expect::<Outcome>(&[200])?);
    }
    let row = |a: &str, b: &str, c: &str| format!("{}{}{c}\n", pad(a, 20), pad(b, 10));
    let mut text = row("Service", "Success", "Message");
    for (name, outcome) in names.iter().zip(&results) {
        text.push_str(&row(name, &outcome.success.to_string(), &outcome.message));
    }
    print!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_lay_out_general_and_ingress_as_kapacitor_does() {
        let vars: DebugVars = serde_json::from_value(json!({
            "cluster_id": "c1", "server_id": "s1", "host": "h",
            "num_tasks": 2, "num_enabled_tasks": 1, "num_subscriptions": 0,
            "platform": "tickflow", "version": "1.8.0",
            "kapacitor": {
                "a": {"name": "ingress", "tags": {"task_master": "main", "database": "telegraf", "retention_policy": "autogen", "measurement": "cpu"}, "values": {"points_received": 42.0}},
                "b": {"name": "ingress", "tags": {"task_master": "other", "database": "x", "retention_policy": "y", "measurement": "z"}, "values": {"points_received": 1.0}},
                "c": {"name": "edges", "tags": {}, "values": {}}
            }
        }))
        .expect("vars");
        expect_test::expect![[r#"
            ClusterID:                    c1                            
            ServerID:                     s1                            
            Host:                         h                             
            Tasks:                        2                             
            Enabled Tasks:                1                             
            Subscriptions:                0                             
            Platform:                     tickflow                      
            Version:                      1.8.0                         
        "#]]
        .assert_eq(&general(&vars));
        expect_test::expect![[r#"
            Database Retention Policy Measurement Points Received
            telegraf autogen          cpu                      42
        "#]]
        .assert_eq(&ingress(&vars));
    }
}
