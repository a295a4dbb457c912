//! Where a script's alerts go: each alert node's handlers as the user would look for
//! them (a log file, a URL, an address, a program), for replay's summary, and the log
//! files `replay --fresh-logs` truncates.

use std::path::Path;

use tickflow::pipeline::nodes::alert::Handler;
use tickflow::pipeline::nodes::NodeKind;
use tickflow::pipeline::Pipeline;

/// Each alert node's name and where its handlers send events, in pipeline order.
pub(crate) fn of(pipeline: &Pipeline) -> Vec<(String, Vec<String>)> {
    pipeline
        .nodes
        .iter()
        .filter_map(|node| match &node.kind {
            NodeKind::Alert(alert) => Some((
                node.name.clone(),
                alert.handlers.iter().map(describe).collect(),
            )),
            _ => None,
        })
        .collect()
}

/// The files the script's `.log()` handlers append to.
pub(crate) fn log_files(pipeline: &Pipeline) -> Vec<&str> {
    pipeline
        .nodes
        .iter()
        .filter_map(|node| match &node.kind {
            NodeKind::Alert(alert) => Some(&alert.handlers),
            _ => None,
        })
        .flatten()
        .filter_map(|handler| match handler {
            Handler::Log(log) => Some(log.path.as_str()),
            _ => None,
        })
        .collect()
}

/// Empties each existing file of `paths` (log handlers append across runs, as
/// Kapacitor's do); a file that does not exist is left for the handler to create.
pub(crate) fn truncate(paths: &[&str]) -> std::io::Result<()> {
    for path in paths {
        if Path::new(path).exists() {
            std::fs::File::create(path)?;
        }
    }
    Ok(())
}

/// One handler: `log /tmp/a.log`, `post http://host/x`, `tcp host:9`, `exec prog arg`,
/// `slack`.
fn describe(handler: &Handler) -> String {
    let target = match handler {
        Handler::Log(log) => log.path.clone(),
        Handler::Post(post) => match &post.endpoint {
            Some(endpoint) => format!("endpoint {endpoint}"),
            None => post.urls.join(" "),
        },
        Handler::Tcp(tcp) => tcp.address.clone(),
        Handler::Exec(exec) => exec.command.join(" "),
        Handler::Service(_) => String::new(),
    };
    format!("{} {target}", handler.method())
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tickflow::pipeline::{build, BuildOptions};

    fn pipeline(script: &str) -> Pipeline {
        let program = tickflow::tickscript::parse(script).expect("parses");
        build(&program, &BuildOptions::default()).expect("builds")
    }

    #[test]
    fn each_alert_node_names_its_handlers_targets() {
        let pipeline = pipeline(
            "stream|from()|alert().crit(lambda: TRUE).log('/tmp/a.log')\
             .post('http://h/x').tcp('h:9').exec('/bin/prog', 'arg').slack()",
        );
        assert_eq!(
            of(&pipeline),
            vec![(
                "alert2".to_string(),
                vec![
                    "log /tmp/a.log".to_string(),
                    "post http://h/x".into(),
                    "tcp h:9".into(),
                    "exec /bin/prog arg".into(),
                    "slack".into()
                ]
            )]
        );
        assert_eq!(log_files(&pipeline), vec!["/tmp/a.log"]);
    }
}
