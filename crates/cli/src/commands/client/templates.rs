//! `define-template <id> [-tick file] [-type stream|batch]` and `show-template <id>`,
//! over Kapacitor's `/kapacitor/v1/templates` API.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::api::{segment, Api, Method, V1};
use super::flags::{self, Flag};
use super::go_fmt::{self, pad};
use super::tasks::Var;
use super::{read_file, Usage};

const DEFINE_FLAGS: &[Flag] = &[
    Flag::value("tick", "Path to the TICKscript"),
    Flag::value("type", "The template type (stream|batch)"),
];

const DEFINE_USAGE: &str = "Usage: tickflow define-template <template ID> [options]

\tCreate or update a template.

\tA template is defined via a TICKscript that defines the data processing pipeline of the template.

\tIf an option is absent it will be left unmodified.

\tNOTE: Updating a template will reload all associated tasks.

For example:

\tYou must define a template for the first time with all the flags.

\t\t$ tickflow define-template my_template -tick path/to/TICKscript -type stream

\tLater you can change a single property of the template by referencing its name
\tand only providing the single option you wish to modify.

\t\t$ tickflow define-template my_template -tick path/to/TICKscript

\tor

\t\t$ tickflow define-template my_template -type batch
";

/// `define-template`'s usage with its flags.
pub(crate) fn define_usage() -> String {
    format!(
        "{DEFINE_USAGE}\nOptions:\n{}",
        flags::defaults(DEFINE_FLAGS)
    )
}

/// A template as `GET /templates/<id>` gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Template {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    script: String,
    vars: BTreeMap<String, Var>,
    dot: String,
    error: String,
    created: String,
    modified: String,
}

fn template_path(id: &str) -> String {
    format!("{V1}/templates/{}", segment(id))
}

/// `define-template <id> [flags]`: creates the template, or updates what is given (the
/// server then reloads the tasks made from it).
pub(crate) fn define(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let Some((id, rest)) = args.split_first().filter(|(id, _)| !id.starts_with('-')) else {
        return Err(Usage::new("Must provide a template ID.", define_usage()).into());
    };
    let parsed = flags::parse(DEFINE_FLAGS, rest)
        .map_err(|e| Usage::flags(&e, DEFINE_USAGE, DEFINE_FLAGS))?;
    let mut body = Map::new();
    if let Some(path) = parsed.value("tick").filter(|p| !p.is_empty()) {
        body.insert("script".into(), read_file(path)?.into());
    }
    if let kind @ ("stream" | "batch") = parsed.string("type") {
        body.insert("type".into(), kind.into());
    }
    let path = template_path(id);
    let exists = (api.get(&path, &[]).ok())
        .and_then(|reply| reply.expect::<Template>(&[200]).ok())
        .is_some_and(|t| !t.id.is_empty());
    let reply = if exists {
        api.send(Method::Patch, &path, &Value::Object(body))?
    } else {
        body.insert("id".into(), id.as_str().into());
        api.send(
            Method::Post,
            &format!("{V1}/templates"),
            &Value::Object(body),
        )?
    };
    reply.check(&[200])?;
    Ok(())
}

/// `show-template`'s usage.
pub(crate) const SHOW_USAGE: &str = "Usage: tickflow show-template [template ID]

\tShow details about a specific template.
";

/// `show-template <id>`.
pub(crate) fn show(api: &Api, args: &[String]) -> anyhow::Result<()> {
    let [id] = args else {
        return Err(Usage::new("Must specify one template ID", SHOW_USAGE).into());
    };
    let template: Template = api.get(&template_path(id), &[])?.expect(&[200])?;
    print!("{}", show_text(&template));
    Ok(())
}

/// What `show-template` prints.
fn show_text(template: &Template) -> String {
    let mut text = format!(
        "ID: {}\nError: {}\nType: {}\nCreated: {}\nModified: {}\nTICKscript:\n{}\nVars:\n",
        template.id,
        template.error,
        template.kind,
        go_fmt::rfc822(&template.created),
        go_fmt::rfc822(&template.modified),
        template.script,
    );
    let row = |a: &str, b: &str, c: &str, d: &str| {
        format!("{}{}{}{}\n", pad(a, 30), pad(b, 10), pad(c, 40), pad(d, 40))
    };
    text.push_str(&row("Name", "Type", "Default Value", "Description"));
    for (name, var) in &template.vars {
        let value = match var.value {
            Value::Null => "<required>".to_string(),
            ref value => go_fmt::var_value(&var.kind, value),
        };
        text.push_str(&row(name, &var.kind, &value, &var.description));
    }
    text.push_str(&format!("DOT:\n{}\n", template.dot));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_template_marks_vars_without_defaults_required() {
        let template: Template = serde_json::from_value(serde_json::json!({
            "id": "generic_mean_alert",
            "type": "stream",
            "script": "var measurement string\n",
            "vars": {
                "measurement": {"type": "string", "value": null, "description": "Which measurement to consume"},
                "groups": {"type": "list", "value": [{"type": "star", "value": ""}], "description": "Optional list of group by dimensions"}
            },
            "dot": "digraph generic_mean_alert {\n}",
            "error": "",
            "created": "2017-01-27T22:16:00Z",
            "modified": "2017-01-27T22:16:00Z"
        }))
        .expect("a template");
        expect_test::expect![[r#"
            ID: generic_mean_alert
            Error: 
            Type: stream
            Created: 27 Jan 17 22:16 UTC
            Modified: 27 Jan 17 22:16 UTC
            TICKscript:
            var measurement string

            Vars:
            Name                          Type      Default Value                           Description                             
            groups                        list      [*]                                     Optional list of group by dimensions    
            measurement                   string    <required>                              Which measurement to consume            
            DOT:
            digraph generic_mean_alert {
            }
        "#]]
        .assert_eq(&show_text(&template));
    }
}
