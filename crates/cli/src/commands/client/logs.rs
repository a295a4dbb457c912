//! `watch <task> [key=value…]` and `logs [key=value…]`: the server's log records, as it
//! streams them from `/kapacitor/v1preview/logs` (one JSON object a line), until the
//! stream ends or the user interrupts.

use std::io::{Read, Write};

use anyhow::Context;

use super::api::{Api, Reply};

/// `watch`'s usage.
pub(crate) const WATCH_USAGE: &str = "Usage: tickflow watch <task id> [<tags> ...]

\tWatch logs associated with a task.

\tExamples:

\t\t$ tickflow watch mytask
\t\t$ tickflow watch mytask node=log5
";

/// `logs`' usage.
pub(crate) const LOGS_USAGE: &str = "Usage: tickflow logs [<tags> ...]

\tWatch arbitrary kapacitor logs.

\t\t$ tickflow logs service=http lvl=error
\t\t$ tickflow logs service=http lvl=info+
";

/// `watch <task> [key=value…]`: the logs of one task.
pub(crate) fn watch(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let Some((task, tags)) = args.split_first() else {
        anyhow::bail!("must provide task ID.");
    };
    let mut query = vec![("task".to_string(), task.clone())];
    query.extend(pairs(tags)?);
    tail(api, &query)
}

/// `logs [key=value…]`.
pub(crate) fn logs(api: &Api, args: &[String]) -> anyhow::Result<()> {
    tail(api, &pairs(args)?)
}

/// `key=value` arguments as query pairs.
fn pairs(args: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    (args.iter())
        .map(|arg| match arg.split('=').collect::<Vec<_>>()[..] {
            [key, value] => Ok((key.to_string(), value.to_string())),
            _ => anyhow::bail!("bad keyvalue pair: '{arg}'"),
        })
        .collect()
}

/// Copies the log stream to stdout as it arrives.
fn tail(api: &Api, query: &[(String, String)]) -> anyhow::Result<()> {
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, mut body) = api
        .stream("/kapacitor/v1preview/logs", &query)
        .context("failed to retrieve logs")?;
    if status != 200 {
        let mut text = String::new();
        body.read_to_string(&mut text)?;
        Reply { status, body: text }
            .check(&[200])
            .context("failed to retrieve logs")?;
    }
    let mut stdout = std::io::stdout().lock();
    let mut buffer = [0u8; 8192];
    loop {
        let n = body.read(&mut buffer).context("failed to retrieve logs")?;
        if n == 0 {
            return Ok(());
        }
        stdout.write_all(&buffer[..n])?;
        stdout.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_key_value_pairs() {
        let args = ["node=log5".to_string(), "lvl=info+".to_string()];
        assert_eq!(
            pairs(&args).expect("pairs"),
            [
                ("node".into(), "log5".into()),
                ("lvl".into(), "info+".into())
            ]
        );
        let err = pairs(&["a=b=c".to_string()]).expect_err("bad pair");
        assert_eq!(err.to_string(), "bad keyvalue pair: 'a=b=c'");
    }
}
