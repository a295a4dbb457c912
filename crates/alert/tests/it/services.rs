//! Third-party services against [`Receiver`]: each handler, built from a topic handler's
//! options and the service's section as the server builds it, sends Kapacitor's URL,
//! headers and JSON body; an unconfigured, disabled or failing service is an error per
//! event naming the service.

use std::time::Duration;

use serde_json::{json, Value};
use tickflow_alert::services::{ServiceConfigs, SlackConfig, TelegramConfig, VictorOpsConfig};
use tickflow_alert::topic::HandlerSpec;
use tickflow_alert::{Handler, Services};

use crate::https::Receiver;
use crate::{event, temp_dir};

fn handler(kind: &str, options: Value, external: ServiceConfigs) -> Box<dyn Handler> {
    let spec = HandlerSpec {
        id: "h".into(),
        kind: kind.into(),
        options: options.as_object().cloned().expect("an object"),
        match_expr: String::new(),
    };
    let services = Services {
        external,
        ..Services::default()
    };
    spec.build(&services).expect("the handler builds")
}

fn slack(receiver: &Receiver, workspace: &str) -> SlackConfig {
    SlackConfig {
        enabled: true,
        workspace: workspace.into(),
        url: format!("{}/api/chat.postMessage", receiver.url),
        token: "xoxb-token".into(),
        channel: "#alerts".into(),
        ssl_ca: receiver.ca.display().to_string(),
        ..SlackConfig::default()
    }
}

#[test]
fn slack_posts_an_attachment_coloured_by_level() {
    let receiver = Receiver::start(&temp_dir("slack"), 200, Duration::ZERO);
    let external = ServiceConfigs {
        slack: vec![slack(&receiver, "ops")],
        ..ServiceConfigs::default()
    };
    let handler = handler("slack", json!({"icon-emoji": ":fire:"}), external);
    handler.handle(&event("cpu", 1.0)).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/api/chat.postMessage");
    assert_eq!(request.header("authorization"), Some("Bearer xoxb-token"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({
            "as_user": false,
            "channel": "#alerts",
            "username": "kapacitor",
            "text": "",
            "icon_emoji": ":fire:",
            "attachments": [{
                "fallback": "cpu is CRITICAL",
                "color": "danger",
                "text": "cpu is CRITICAL",
                "mrkdwn_in": ["text"],
            }],
        })
    );
}

#[test]
fn slack_picks_the_named_workspace_and_its_channel_override() {
    let (one, two) = (
        Receiver::start(&temp_dir("slack-one"), 200, Duration::ZERO),
        Receiver::start(&temp_dir("slack-two"), 200, Duration::ZERO),
    );
    let external = ServiceConfigs {
        slack: vec![slack(&one, "one"), slack(&two, "two")],
        ..ServiceConfigs::default()
    };
    let options = json!({"workspace": "two", "channel": "#db", "username": "bot"});
    let handler = handler("slack", options, external);
    handler.handle(&event("cpu", 1.0)).expect("delivered");
    let body = two.next().json();
    assert_eq!(
        (body["channel"].clone(), body["username"].clone()),
        (json!("#db"), json!("bot"))
    );
}

#[test]
fn telegram_sends_the_message_to_the_bot_api() {
    let receiver = Receiver::start_plain(200);
    let external = ServiceConfigs {
        telegram: TelegramConfig {
            enabled: true,
            url: format!("{}/bot", receiver.url),
            token: "123:abc".into(),
            chat_id: "-100".into(),
            parse_mode: "HTML".into(),
            ..TelegramConfig::default()
        },
        ..ServiceConfigs::default()
    };
    let options = json!({"disable-notification": true});
    let handler = handler("telegram", options, external);
    handler.handle(&event("cpu", 1.0)).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/bot123:abc/sendMessage");
    assert_eq!(
        request.json(),
        json!({
            "chat_id": "-100",
            "text": "cpu is CRITICAL",
            "parse_mode": "HTML",
            "disable_notification": true,
        })
    );
}

#[test]
fn victorops_posts_to_the_keys_path_with_the_data_as_text() {
    let receiver = Receiver::start_plain(200);
    let config = VictorOpsConfig {
        enabled: true,
        api_key: "api".into(),
        routing_key: "default".into(),
        url: format!("{}/integrations/generic/20131114/alert", receiver.url),
        ..VictorOpsConfig::default()
    };
    let external = |json_data| ServiceConfigs {
        victorops: VictorOpsConfig {
            json_data,
            ..config.clone()
        },
        ..ServiceConfigs::default()
    };
    let data = r#"{"series":[{"name":"cpu","columns":["time","value"],"values":[["1970-01-01T00:00:00Z",1]]}]}"#;
    let routed = handler("victorops", json!({"routing-key": "ops"}), external(false));
    routed.handle(&event("cpu", 1.0)).expect("delivered");
    let request = receiver.next();
    assert_eq!(
        request.target,
        "/integrations/generic/20131114/alert/api/ops"
    );
    assert_eq!(
        request.json(),
        json!({
            "message_type": "CRITICAL",
            "entity_id": "cpu",
            "state_message": "cpu is CRITICAL",
            "timestamp": 0,
            "monitoring_tool": "kapacitor",
            "data": data,
        })
    );
    let default_key = handler("victorops", json!({}), external(true));
    let mut recovery = event("cpu", 1.0);
    recovery.level = tickflow_alert::Level::Ok;
    default_key.handle(&recovery).expect("delivered");
    let request = receiver.next();
    assert_eq!(
        request.target,
        "/integrations/generic/20131114/alert/api/default"
    );
    let body = request.json();
    assert_eq!(body["message_type"], json!("RECOVERY"));
    assert_eq!(
        body["data"],
        serde_json::from_str::<Value>(data).expect("json")
    );
}

#[test]
fn unconfigured_and_disabled_services_fail_each_event() {
    let error = |kind: &str, external: ServiceConfigs| {
        handler(kind, json!({}), external)
            .handle(&event("cpu", 1.0))
            .expect_err("unavailable")
            .to_string()
    };
    assert_eq!(
        error("slack", ServiceConfigs::default()),
        "slack: no [[slack]] section for workspace \"\""
    );
    let disabled = ServiceConfigs {
        slack: vec![SlackConfig::default()],
        ..ServiceConfigs::default()
    };
    assert_eq!(error("slack", disabled), "slack: service is not enabled");
    assert_eq!(
        error("telegram", ServiceConfigs::default()),
        "telegram: service is not enabled"
    );
    assert_eq!(
        error("victorops", ServiceConfigs::default()),
        "victorops: service is not enabled"
    );
}

#[test]
fn a_failing_service_names_the_status_and_the_response() {
    let receiver = Receiver::start(&temp_dir("slack-500"), 500, Duration::ZERO);
    let external = ServiceConfigs {
        slack: vec![slack(&receiver, "")],
        ..ServiceConfigs::default()
    };
    let message = handler("slack", json!({}), external)
        .handle(&event("cpu", 1.0))
        .expect_err("500")
        .to_string();
    assert_eq!(
        message,
        format!(
            "slack: request to \"{}/api/chat.postMessage\" failed: status code 500, response \"ok\"",
            receiver.url
        )
    );
}
