//! Third-party services against [`Receiver`]: each handler, built from a topic handler's
//! options and the service's section as the server builds it, sends Kapacitor's URL,
//! headers and JSON body; an unconfigured, disabled or failing service is an error per
//! event naming the service.

use std::time::Duration;

use serde_json::{json, Value};
use tickflow_alert::services::{
    AlertaConfig, BigPandaConfig, DiscordConfig, HipChatConfig, OpsGenie2Config, OpsGenieConfig,
    PagerDuty2Config, PagerDutyConfig, PushoverConfig, SensuConfig, ServiceConfigs,
    ServiceNowConfig, SlackConfig, TalkConfig, TeamsConfig, TelegramConfig, VictorOpsConfig,
    ZenossConfig,
};
use tickflow_alert::topic::HandlerSpec;
use tickflow_alert::{Handler, Services};

use crate::https::Receiver;
use crate::{event, temp_dir};

/// A CRITICAL `cpu` event from host `serverA` in the `dc` `east`, at 2014-11-12T11:45:26.371Z.
fn tagged_event() -> tickflow_alert::AlertData {
    let mut event = event("cpu:host=serverA", 95.0);
    event.time = tickflow_model::Time::from_nanos(1_415_792_726_371_000_000);
    event.data[0].tags = tickflow_model::Tags::from_pairs([("dc", "east"), ("host", "serverA")]);
    event.details = "cpu is high".into();
    event
}

/// The data of [`tagged_event`] as Kapacitor's `models.Result` JSON.
fn tagged_data() -> Value {
    json!({"series": [{
        "name": "cpu",
        "tags": {"dc": "east", "host": "serverA"},
        "columns": ["time", "value"],
        "values": [["1970-01-01T00:00:00Z", 95]],
    }]})
}

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

/// The handler of the last alert node's only handler in `script`, built as a task
/// builds it; `_receiver` keeps the receiver borrowed while the handler lives.
pub(crate) fn script_handler(
    script: &str,
    services: &Services,
    _receiver: &Receiver,
) -> Box<dyn Handler> {
    let program = tickflow_tickscript::parse(script).expect("the script parses");
    let pipeline = tickflow_pipeline::build(&program, &Default::default()).expect("builds");
    let settings = (pipeline.nodes.iter())
        .find_map(|node| match &node.kind {
            tickflow_pipeline::NodeKind::Alert(alert) => alert.handlers.first().cloned(),
            _ => None,
        })
        .expect("an alert node with a handler");
    tickflow_alert::handlers::build(&settings, services).expect("the handler builds")
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

#[test]
fn pagerduty_triggers_and_resolves_an_incident() {
    let receiver = Receiver::start_plain(200);
    let external = ServiceConfigs {
        pagerduty: PagerDutyConfig {
            enabled: true,
            url: format!("{}/generic/2010-04-15/create_event.json", receiver.url),
            service_key: "default-key".into(),
        },
        ..ServiceConfigs::default()
    };
    let handler = handler("pagerduty", json!({"service-key": "svc"}), external);
    handler.handle(&tagged_event()).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/generic/2010-04-15/create_event.json");
    assert_eq!(
        request.json(),
        json!({
            "service_key": "svc",
            "event_type": "trigger",
            "description": "cpu:host=serverA is CRITICAL",
            "incident_key": "cpu:host=serverA",
            "client": "kapacitor",
            "client_url": "http://localhost:9092/kapacitor/v1",
            "details": "cpu is high",
        })
    );
    let mut info = tagged_event();
    info.level = tickflow_alert::Level::Info;
    let refused = handler.handle(&info).expect_err("info is ignored");
    assert_eq!(
        refused.to_string(),
        "pagerduty: AlertLevel 'info' is currently ignored by the PagerDuty service"
    );
    let mut ok = tagged_event();
    ok.level = tickflow_alert::Level::Ok;
    handler.handle(&ok).expect("delivered");
    assert_eq!(receiver.next().json()["event_type"], json!("resolve"));
}

#[test]
fn pagerduty2_sends_the_common_event_format_and_links() {
    let receiver = Receiver::start_plain(202);
    let external = ServiceConfigs {
        pagerduty2: PagerDuty2Config {
            enabled: true,
            url: format!("{}/v2/enqueue", receiver.url),
            routing_key: "rk".into(),
        },
        ..ServiceConfigs::default()
    };
    let services = Services {
        external,
        ..Services::default()
    };
    let script = "stream|from().measurement('cpu')|alert().crit(lambda: TRUE)\
        .pagerDuty2().routingKey('route').link('https://a/1', 'one').link('https://b/2')";
    let handler = script_handler(script, &services, &receiver);
    handler.handle(&tagged_event()).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/v2/enqueue");
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.pagerduty+json;version=2")
    );
    assert_eq!(
        request.json(),
        json!({
            "routing_key": "route",
            "event_action": "trigger",
            "dedup_key": "cpu:host=serverA",
            "payload": {
                "summary": "cpu:host=serverA is CRITICAL",
                "source": "serverA",
                "severity": "critical",
                "timestamp": "2014-11-12T11:45:26.371000000Z",
                "class": "",
                "component": "",
                "group": "",
                "custom_details": {"result": tagged_data()},
            },
            "images": null,
            "links": [
                {"href": "https://a/1", "text": "one"},
                {"href": "https://b/2", "text": "https://b/2"},
            ],
            "client": "kapacitor",
            "client_url": "http://localhost:9092/kapacitor/v1",
        })
    );
    let mut ok = tagged_event();
    ok.level = tickflow_alert::Level::Ok;
    handler.handle(&ok).expect("delivered");
    assert_eq!(
        receiver.next().json(),
        json!({"routing_key": "route", "dedup_key": "cpu:host=serverA", "event_action": "resolve"})
    );
}

#[test]
fn opsgenie2_creates_alerts_and_notes_recoveries_by_alias() {
    let receiver = Receiver::start_plain(202);
    let external = ServiceConfigs {
        opsgenie2: OpsGenie2Config {
            enabled: true,
            api_key: "genie".into(),
            url: format!("{}/v2/alerts", receiver.url),
            recipients: vec!["default-user".into()],
            ..OpsGenie2Config::default()
        },
        ..ServiceConfigs::default()
    };
    let options = json!({"teams-list": ["ops", "db"]});
    let handler = handler("opsgenie2", options, external);
    handler.handle(&tagged_event()).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/v2/alerts");
    assert_eq!(request.header("authorization"), Some("GenieKey genie"));
    assert_eq!(
        request.json(),
        json!({
            "entity": "cpu:host=serverA",
            "alias": "Y3B1Omhvc3Q9c2VydmVyQQ==",
            "message": "cpu:host=serverA is CRITICAL",
            "note": "",
            "priority": "P1",
            "description": concat!(
                r#"{"series":[{"name":"cpu","tags":{"dc":"east","host":"serverA"},"#,
                r#""columns":["time","value"],"values":[["1970-01-01T00:00:00Z",95]]}]}"#,
            ),
            "details": {
                "Monitoring Tool": "Kapacitor",
                "Level": "CRITICAL",
                "dc": "east",
                "host": "serverA",
                "Kapacitor Task Name": "cpu",
            },
            "responders": [
                {"name": "ops", "type": "team"},
                {"name": "db", "type": "team"},
                {"username": "default-user", "type": "user"},
            ],
        })
    );
    let mut ok = tagged_event();
    ok.level = tickflow_alert::Level::Ok;
    handler.handle(&ok).expect("delivered");
    let request = receiver.next();
    assert_eq!(
        request.target,
        "/v2/alerts/Y3B1Omhvc3Q9c2VydmVyQQ==/notes?identifierType=alias"
    );
    assert_eq!(
        request.json(),
        json!({"note": "cpu:host=serverA is CRITICAL"})
    );
}

#[test]
fn alerta_renders_its_templates_and_sends_the_alert() {
    let receiver = Receiver::start(&temp_dir("alerta"), 201, Duration::ZERO);
    let external = ServiceConfigs {
        alerta: AlertaConfig {
            enabled: true,
            url: format!("{}/api", receiver.url),
            token: "secret".into(),
            environment: "production".into(),
            insecure_skip_verify: true,
            ..AlertaConfig::default()
        },
        ..ServiceConfigs::default()
    };
    let services = Services {
        external,
        ..Services::default()
    };
    let script = "stream|from().measurement('cpu')|alert().crit(lambda: TRUE)\
        .alerta().resource('{{ index .Tags \"host\" }}').event('{{ .Name }}-high')\
        .value('{{ .Level }}').services('web', 'db').timeout(1h)";
    let handler = script_handler(script, &services, &receiver);
    handler.handle(&tagged_event()).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/api/alert");
    assert_eq!(request.header("authorization"), Some("Bearer secret"));
    assert_eq!(
        request.json(),
        json!({
            "resource": "serverA",
            "event": "cpu-high",
            "environment": "production",
            "severity": "critical",
            "group": "dc=east,host=serverA",
            "value": "CRITICAL",
            "text": "cpu:host=serverA is CRITICAL",
            "origin": "kapacitor",
            "rawData": tagged_data(),
            "service": ["web", "db"],
            "correlate": ["cpu"],
            "timeout": 3600,
            "tags": ["dc=east", "host=serverA"],
        })
    );
}

#[test]
fn teams_posts_a_message_card_to_the_channel() {
    let receiver = Receiver::start_plain(200);
    let external = ServiceConfigs {
        teams: TeamsConfig {
            enabled: true,
            channel_url: format!("{}/default", receiver.url),
        },
        ..ServiceConfigs::default()
    };
    let options = json!({"channel-url": format!("{}/webhook/ops", receiver.url)});
    let handler = handler("teams", options, external);
    let mut event = tagged_event();
    event.message = "the cpu of serverA has been above ninety percent for ten minutes".into();
    handler.handle(&event).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/webhook/ops");
    assert_eq!(
        request.json(),
        json!({
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "title": "CRITICAL: [cpu:host=serverA]",
            "text": "the cpu of serverA has been above ninety percent for ten minutes",
            "summary": "CRITICAL: [cpu:host=serverA] - the cpu of serverA has been above ninet...",
            "themeColor": "CC4A31",
        })
    );
}

#[test]
fn discord_posts_an_embed_to_the_named_workspace() {
    let receiver = Receiver::start(&temp_dir("discord"), 200, Duration::ZERO);
    let workspace = |name: &str, path: &str| DiscordConfig {
        enabled: true,
        workspace: name.into(),
        url: format!("{}/{path}", receiver.url),
        timestamp: true,
        embed_title: "Kapacitor Alert".into(),
        ssl_ca: receiver.ca.display().to_string(),
        ..DiscordConfig::default()
    };
    let external = ServiceConfigs {
        discord: vec![workspace("one", "hooks/1"), workspace("two", "hooks/2")],
        ..ServiceConfigs::default()
    };
    let options = json!({"workspace": "two", "username": "kap", "avatar-url": "https://a/x.png"});
    let handler = handler("discord", options, external);
    let mut event = tagged_event();
    event.level = tickflow_alert::Level::Warning;
    handler.handle(&event).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/hooks/2");
    assert_eq!(
        request.json(),
        json!({
            "username": "kap",
            "avatar_url": "https://a/x.png",
            "embeds": [{
                "color": 0xF48D38,
                "title": "Kapacitor Alert",
                "description": "cpu:host=serverA is CRITICAL",
                "timestamp": "2014-11-12T11:45:26Z",
            }],
        })
    );
}

#[test]
fn bigpanda_sends_the_tags_as_attributes() {
    let receiver = Receiver::start_plain(201);
    let external = ServiceConfigs {
        bigpanda: BigPandaConfig {
            enabled: true,
            url: format!("{}/data/v2/alerts", receiver.url),
            token: "tok".into(),
            app_key: "app".into(),
            ..BigPandaConfig::default()
        },
        ..ServiceConfigs::default()
    };
    let options = json!({"primary-property": "host"});
    let handler = handler("bigpanda", options, external);
    handler.handle(&tagged_event()).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.header("authorization"), Some("Bearer tok"));
    assert_eq!(
        request.json(),
        json!({
            "check": "cpu:host=serverA is CRITICAL",
            "timestamp": "2014-11-12T11:45:26.371000000Z",
            "status": "critical",
            "app_key": "app",
            "dc": "east",
            "host": "serverA",
            "primary_property": "host",
        })
    );
}

#[test]
fn pushover_posts_a_sorted_form() {
    let receiver = Receiver::start_plain(200);
    let external = ServiceConfigs {
        pushover: PushoverConfig {
            enabled: true,
            token: "app-token".into(),
            user_key: "user-key".into(),
            url: format!("{}/1/messages.json", receiver.url),
        },
        ..ServiceConfigs::default()
    };
    let options = json!({"title": "CPU", "url": "https://x/y?a=1", "sound": "siren"});
    let handler = handler("pushover", options, external);
    handler.handle(&tagged_event()).expect("delivered");
    let request = receiver.next();
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.body,
        "message=cpu%3Ahost%3DserverA+is+CRITICAL&priority=1&sound=siren&title=CPU\
         &token=app-token&url=https%3A%2F%2Fx%2Fy%3Fa%3D1&user=user-key"
    );
}

#[test]
fn opsgenie_v1_posts_alerts_and_recoveries_to_their_urls() {
    let receiver = Receiver::start_plain(200);
    let external = ServiceConfigs {
        opsgenie: OpsGenieConfig {
            enabled: true,
            api_key: "key".into(),
            url: format!("{}/v1/json/alert", receiver.url),
            recovery_url: format!("{}/v1/json/alert/note", receiver.url),
            teams: vec!["ops".into()],
            ..OpsGenieConfig::default()
        },
        ..ServiceConfigs::default()
    };
    let handler = handler("opsgenie", json!({"recipients-list": ["ann"]}), external);
    handler.handle(&tagged_event()).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/v1/json/alert/");
    let mut body = request.json();
    assert!(body["description"]
        .as_str()
        .is_some_and(|d| d.starts_with("{\"series\"")));
    body["description"] = json!("");
    assert_eq!(
        body,
        json!({
            "apiKey": "key",
            "entity": "cpu:host=serverA",
            "alias": "cpu:host=serverA",
            "message": "cpu:host=serverA is CRITICAL",
            "note": "",
            "monitoring_tool": "kapacitor",
            "details": {"Level": "CRITICAL", "Monitoring Tool": "Kapacitor"},
            "description": "",
            "teams": ["ops"],
            "recipients": ["ann"],
        })
    );
    let mut ok = tagged_event();
    ok.level = tickflow_alert::Level::Ok;
    handler.handle(&ok).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/v1/json/alert/note/");
    let body = request.json();
    assert_eq!(
        (body["note"].clone(), body["details"]["Level"].clone()),
        (json!("cpu:host=serverA is CRITICAL"), json!("RECOVERY"))
    );
}

#[test]
fn talk_and_hipchat_post_their_messages() {
    let receiver = Receiver::start_plain(200);
    let external = ServiceConfigs {
        talk: TalkConfig {
            enabled: true,
            url: format!("{}/v1/services/webhook/abc", receiver.url),
            author_name: "Kapacitor".into(),
        },
        hipchat: HipChatConfig {
            enabled: true,
            url: format!("{}/v2/room", receiver.url),
            room: "ops".into(),
            token: "t0k".into(),
        },
        ..ServiceConfigs::default()
    };
    handler("talk", json!({}), external.clone())
        .handle(&tagged_event())
        .expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/v1/services/webhook/abc");
    assert_eq!(
        request.json(),
        json!({
            "title": "cpu:host=serverA",
            "text": "cpu:host=serverA is CRITICAL",
            "authorName": "Kapacitor",
        })
    );
    handler("hipchat", json!({"room": "db"}), external)
        .handle(&tagged_event())
        .expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/v2/room/db/notification?auth_token=t0k");
    assert_eq!(
        request.json(),
        json!({
            "from": "kapacitor",
            "color": "red",
            "message": "cpu:host=serverA is CRITICAL",
            "notify": true,
        })
    );
}

#[test]
fn servicenow_renders_its_templates_with_basic_auth() {
    let receiver = Receiver::start_plain(201);
    let external = ServiceConfigs {
        servicenow: ServiceNowConfig {
            enabled: true,
            url: format!("{}/api/global/em/jsonv2", receiver.url),
            username: "admin".into(),
            password: "secret".into(),
            ..ServiceNowConfig::default()
        },
        ..ServiceConfigs::default()
    };
    let options = json!({
        "node": "{{ index .Tags \"host\" }}",
        "type": "CPU",
        "resource": "{{ .Name }}",
        "metric-name": "usage",
    });
    handler("servicenow", options, external)
        .handle(&tagged_event())
        .expect("delivered");
    let request = receiver.next();
    assert_eq!(request.target, "/api/global/em/jsonv2");
    assert_eq!(
        request.header("authorization"),
        Some("Basic YWRtaW46c2VjcmV0")
    );
    assert_eq!(
        request.json(),
        json!({
            "source": "Kapacitor",
            "node": "serverA",
            "type": "CPU",
            "resource": "cpu",
            "metric_name": "usage",
            "message_key": "cpu:host=serverA",
            "severity": "1",
            "description": "cpu:host=serverA is CRITICAL",
        })
    );
}

#[test]
fn zenoss_sends_a_router_call_with_the_mapped_severity() {
    let receiver = Receiver::start_plain(200);
    let external = ServiceConfigs {
        zenoss: ZenossConfig {
            enabled: true,
            url: format!("{}/zport/dmd/evconsole_router", receiver.url),
            ..ZenossConfig::default()
        },
        ..ServiceConfigs::default()
    };
    let options = json!({"device": "{{ index .Tags \"host\" }}", "evclass": "/App", "tid": 7});
    let handler = handler("zenoss", options, external);
    let mut event = tagged_event();
    event.level = tickflow_alert::Level::Warning;
    handler.handle(&event).expect("delivered");
    let request = receiver.next();
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.json(),
        json!({
            "action": "EventsRouter",
            "method": "add_event",
            "data": [{
                "summary": "cpu:host=serverA is CRITICAL",
                "device": "serverA",
                "component": "",
                "severity": "Warning",
                "evclasskey": "",
                "evclass": "/App",
                "collector": "Kapacitor",
            }],
            "type": "rpc",
            "tid": 7,
        })
    );
}

/// A Sensu client socket on loopback that reads one check result per connection and
/// answers `answer`.
fn sensu_socket(answer: &'static str) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = std::io::BufReader::new(stream.try_clone().expect("clone"));
            if reader.read_line(&mut line).is_ok() {
                let _ = stream.write_all(answer.as_bytes());
                let _ = tx.send(line);
            }
        }
    });
    (addr, rx)
}

#[test]
fn sensu_writes_a_check_result_to_the_client_socket() {
    let (addr, lines) = sensu_socket("ok");
    let external = ServiceConfigs {
        sensu: SensuConfig {
            enabled: true,
            addr,
            handlers: vec!["default".into()],
            ..SensuConfig::default()
        },
        ..ServiceConfigs::default()
    };
    let services = Services {
        external,
        ..Services::default()
    };
    let script = "stream|from().measurement('cpu')|alert().id('cpu.{{ index .Tags \"host\" }}')\
        .crit(lambda: TRUE).sensu().source('{{ index .Tags \"host\" }}').handlers('pager', 'mail')\
        .metadata('runbook', 'http://wiki/cpu').metadata('tier', 2)";
    let receiver = Receiver::start_plain(200);
    let handler = script_handler(script, &services, &receiver);
    let mut event = tagged_event();
    event.id = "cpu.serverA".into();
    handler.handle(&event).expect("delivered");
    let line = lines
        .recv_timeout(Duration::from_secs(5))
        .expect("a check result");
    assert!(line.ends_with('\n'));
    assert_eq!(
        serde_json::from_str::<Value>(&line).expect("json"),
        json!({
            "name": "cpu.serverA",
            "source": "serverA",
            "output": "cpu:host=serverA is CRITICAL",
            "status": 2,
            "handlers": ["pager", "mail"],
            "runbook": "http://wiki/cpu",
            "tier": 2,
        })
    );
    let invalid = handler
        .handle(&tagged_event())
        .expect_err("a ':' in the name");
    assert_eq!(
        invalid.to_string(),
        "sensu: invalid name \"cpu:host=serverA\" for sensu alert. Must match ^[\\w\\.-]+$"
    );
}

#[test]
fn every_service_property_chain_builds_from_a_tickscript() {
    let external = ServiceConfigs {
        slack: vec![SlackConfig {
            enabled: true,
            ..SlackConfig::default()
        }],
        discord: vec![DiscordConfig {
            enabled: true,
            url: "https://discord.example/hook".into(),
            ..DiscordConfig::default()
        }],
        telegram: TelegramConfig {
            enabled: true,
            ..TelegramConfig::default()
        },
        victorops: VictorOpsConfig {
            enabled: true,
            ..VictorOpsConfig::default()
        },
        pagerduty: PagerDutyConfig {
            enabled: true,
            ..PagerDutyConfig::default()
        },
        pagerduty2: PagerDuty2Config {
            enabled: true,
            ..PagerDuty2Config::default()
        },
        opsgenie: OpsGenieConfig {
            enabled: true,
            ..OpsGenieConfig::default()
        },
        opsgenie2: OpsGenie2Config {
            enabled: true,
            ..OpsGenie2Config::default()
        },
        alerta: AlertaConfig {
            enabled: true,
            url: "https://alerta.example/api".into(),
            ..AlertaConfig::default()
        },
        teams: TeamsConfig {
            enabled: true,
            channel_url: "https://teams.example/hook".into(),
        },
        bigpanda: BigPandaConfig {
            enabled: true,
            ..BigPandaConfig::default()
        },
        pushover: PushoverConfig {
            enabled: true,
            ..PushoverConfig::default()
        },
        talk: TalkConfig {
            enabled: true,
            url: "https://talk.example/hook".into(),
            ..TalkConfig::default()
        },
        hipchat: HipChatConfig {
            enabled: true,
            url: "https://hipchat.example/v2/room".into(),
            ..HipChatConfig::default()
        },
        servicenow: ServiceNowConfig {
            enabled: true,
            ..ServiceNowConfig::default()
        },
        zenoss: ZenossConfig {
            enabled: true,
            ..ZenossConfig::default()
        },
        sensu: SensuConfig {
            enabled: true,
            ..SensuConfig::default()
        },
        snmptrap: tickflow_alert::services::SnmpTrapConfig {
            enabled: true,
            ..Default::default()
        },
        ..ServiceConfigs::default()
    };
    let services = Services {
        external,
        ..Services::default()
    };
    let chains = [
        (".slack().workspace('').channel('#a').username('u').iconEmoji(':x:')", "slack \"#a\""),
        (".discord().username('u').avatarURL('https://a/x.png').embedTitle('t')", "discord"),
        (".telegram().chatId('1').parseMode('HTML').disableWebPagePreview().disableNotification()", "telegram \"1\""),
        (".victorOps().routingKey('rk')", "victorops"),
        (".pagerDuty().serviceKey('k')", "pagerduty"),
        (".pagerDuty2().routingKey('x').link('https://a', 'a')", "pagerduty2"),
        (".opsGenie().teams('a', 'b').recipients('c')", "opsgenie"),
        (".opsGenie2().teams('a', 'b').recipients('c')", "opsgenie2"),
        (".alerta().resource('r').event('e').environment('env').group('g').value('v').origin('o').services('s').correlated('c').timeout(10m)", "alerta"),
        (".teams().channelURL('https://teams.example/other')", "teams"),
        (".bigPanda().appKey('k').primaryProperty('host').secondaryProperty('dc')", "bigpanda"),
        (".pushover().userKey('u').device('d').title('t').uRL('https://u').uRLTitle('ut').sound('s')", "pushover"),
        (".talk()", "talk"),
        (".hipChat().room('r').token('t')", "hipchat \"r\""),
        (".serviceNow().source('s').node('n').type('t').resource('r').metricName('m').messageKey('k')", "servicenow"),
        (".zenoss().action('a').method('m').type('t').tid(2).summary('s').device('d').component('c').eventClassKey('k').eventClass('e').collector('c').message('m')", "zenoss"),
        (".sensu().source('s').handlers('a', 'b').metadata('k', 'v')", "sensu \"sensu-client:3030\""),
        (".snmpTrap('1.1.1.1').data('1.1.1.1.2', 's', '{{ .Message }}')", "snmptrap \"localhost:162\""),
    ];
    let receiver = Receiver::start_plain(200);
    for (chain, described) in chains {
        let script = format!("stream|from().measurement('cpu')|alert().crit(lambda: TRUE){chain}");
        let handler = script_handler(&script, &services, &receiver);
        assert_eq!(handler.describe(), described, "{chain}");
    }
}

#[test]
fn idempotent_services_retry_a_5xx_and_the_others_do_not() {
    let receiver = Receiver::start_plain_answering(&[503, 502, 200]);
    let external = ServiceConfigs {
        pagerduty2: PagerDuty2Config {
            enabled: true,
            url: format!("{}/v2/enqueue", receiver.url),
            routing_key: "rk".into(),
        },
        teams: TeamsConfig {
            enabled: true,
            channel_url: format!("{}/teams", receiver.url),
        },
        ..ServiceConfigs::default()
    };
    handler("pagerduty2", json!({}), external.clone())
        .handle(&tagged_event())
        .expect("delivered on the third attempt");
    let targets: Vec<String> = (0..3).map(|_| receiver.next().target).collect();
    assert_eq!(targets, ["/v2/enqueue", "/v2/enqueue", "/v2/enqueue"]);
    let failing = Receiver::start_plain_answering(&[503, 200]);
    let teams = ServiceConfigs {
        teams: TeamsConfig {
            enabled: true,
            channel_url: format!("{}/teams", failing.url),
        },
        ..external
    };
    let error = handler("teams", json!({}), teams)
        .handle(&tagged_event())
        .expect_err("not retried");
    assert!(error.to_string().contains("status code 503"), "{error}");
    assert_eq!(failing.next().target, "/teams");
    assert!(
        failing.requests_pending().is_none(),
        "a second request would deliver twice"
    );
}
