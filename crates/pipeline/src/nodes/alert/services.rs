//! The third-party services an alert handler property (`.slack()`, `.email(…)`,
//! `.mqtt(topic)`, …) can add, each with its Go type, its arguments and the options a
//! [`ServiceHandler`] of it accepts with their parameter types: the table the pipeline
//! checks service handler calls against.

use crate::args::{decode_dynamic, GoType, Kind};
use crate::nodes::alert::ServiceHandler;
use crate::nodes::udf::OptionValue;
use crate::property::{self, PropertyError};
use crate::value::Value;
use Kind::{Field, Method};

/// A third-party service: its Go type, arguments and options.
pub(super) struct Service {
    /// The property that adds it (`slack`).
    pub(super) method: &'static str,
    /// Its Go type, for messages (`*pipeline.SlackHandler`).
    pub(super) go_type: &'static str,
    /// The property's arguments.
    pub(super) args: Signature,
    /// Its options: name, how it is applied, arguments.
    pub(super) options: &'static [(&'static str, Kind, Signature)],
}

/// Parameter types: fixed ones, then a variadic one.
#[derive(Clone, Copy)]
pub(super) struct Signature(&'static [GoType], Option<GoType>);

pub(super) const NONE: Signature = Signature(&[], None);
const STRING: Signature = Signature(&[GoType::String], None);
const STRINGS: Signature = Signature(&[], Some(GoType::String));
const INT: Signature = Signature(&[GoType::Int64], None);
const BOOL: Signature = Signature(&[GoType::Bool], None);
const DURATION: Signature = Signature(&[GoType::Duration], None);

/// The services Kapacitor's alert node can send to, with their settings.
const SERVICES: &[Service] = &[
    Service {
        method: "email",
        go_type: "*pipeline.EmailHandler",
        args: STRINGS,
        options: &[("to", Method, STRINGS)],
    },
    Service {
        method: "victorOps",
        go_type: "*pipeline.VictorOpsHandler",
        args: NONE,
        options: &[("routingKey", Field, STRING)],
    },
    Service {
        method: "pagerDuty",
        go_type: "*pipeline.PagerDutyHandler",
        args: NONE,
        options: &[("serviceKey", Field, STRING)],
    },
    Service {
        method: "pagerDuty2",
        go_type: "*pipeline.PagerDuty2Handler",
        args: NONE,
        options: &[
            ("routingKey", Field, STRING),
            (
                "link",
                Method,
                Signature(&[GoType::String], Some(GoType::String)),
            ),
        ],
    },
    Service {
        method: "pushover",
        go_type: "*pipeline.PushoverHandler",
        args: NONE,
        options: &[
            ("userKey", Field, STRING),
            ("device", Field, STRING),
            ("title", Field, STRING),
            ("uRL", Field, STRING),
            ("uRLTitle", Field, STRING),
            ("sound", Field, STRING),
            ("priority", Field, INT),
        ],
    },
    Service {
        method: "sensu",
        go_type: "*pipeline.SensuHandler",
        args: NONE,
        options: &[
            ("source", Field, STRING),
            ("handlers", Method, STRINGS),
            (
                "metadata",
                Method,
                Signature(&[GoType::String, GoType::Interface], None),
            ),
        ],
    },
    Service {
        method: "slack",
        go_type: "*pipeline.SlackHandler",
        args: NONE,
        options: &[
            ("workspace", Field, STRING),
            ("channel", Field, STRING),
            ("username", Field, STRING),
            ("iconEmoji", Field, STRING),
        ],
    },
    Service {
        method: "telegram",
        go_type: "*pipeline.TelegramHandler",
        args: NONE,
        options: &[
            ("chatId", Field, STRING),
            ("parseMode", Field, STRING),
            ("disableWebPagePreview", Method, NONE),
            ("disableNotification", Method, NONE),
        ],
    },
    Service {
        method: "hipChat",
        go_type: "*pipeline.HipChatHandler",
        args: NONE,
        options: &[("room", Field, STRING), ("token", Field, STRING)],
    },
    Service {
        method: "kafka",
        go_type: "*pipeline.KafkaHandler",
        args: NONE,
        options: &[
            ("cluster", Field, STRING),
            ("kafkaTopic", Field, STRING),
            ("template", Field, STRING),
            ("disablePartitionById", Method, NONE),
            ("partitionHashAlgorithm", Field, STRING),
        ],
    },
    Service {
        method: "alerta",
        go_type: "*pipeline.AlertaHandler",
        args: NONE,
        options: &[
            ("token", Field, STRING),
            ("resource", Field, STRING),
            ("event", Field, STRING),
            ("environment", Field, STRING),
            ("group", Field, STRING),
            ("value", Field, STRING),
            ("origin", Field, STRING),
            ("services", Method, STRINGS),
            ("correlated", Method, STRINGS),
            ("timeout", Field, DURATION),
        ],
    },
    Service {
        method: "opsGenie",
        go_type: "*pipeline.OpsGenieHandler",
        args: NONE,
        options: &[("teams", Method, STRINGS), ("recipients", Method, STRINGS)],
    },
    Service {
        method: "opsGenie2",
        go_type: "*pipeline.OpsGenie2Handler",
        args: NONE,
        options: &[("teams", Method, STRINGS), ("recipients", Method, STRINGS)],
    },
    Service {
        method: "talk",
        go_type: "*pipeline.TalkHandler",
        args: NONE,
        options: &[],
    },
    Service {
        method: "mqtt",
        go_type: "*pipeline.MQTTHandler",
        args: STRING,
        options: &[
            ("brokerName", Field, STRING),
            ("qos", Field, INT),
            ("retained", Field, BOOL),
        ],
    },
    Service {
        method: "snmpTrap",
        go_type: "*pipeline.SNMPTrapHandler",
        args: STRING,
        options: &[(
            "data",
            Method,
            Signature(&[GoType::String, GoType::String, GoType::String], None),
        )],
    },
    Service {
        method: "teams",
        go_type: "*pipeline.TeamsHandler",
        args: NONE,
        options: &[("channelURL", Field, STRING)],
    },
    Service {
        method: "discord",
        go_type: "*pipeline.DiscordHandler",
        args: NONE,
        options: &[
            ("workspace", Field, STRING),
            ("username", Field, STRING),
            ("avatarURL", Field, STRING),
            ("embedTitle", Field, STRING),
        ],
    },
    Service {
        method: "bigPanda",
        go_type: "*pipeline.BigPandaHandler",
        args: NONE,
        options: &[
            ("appKey", Field, STRING),
            ("primaryProperty", Field, STRING),
            ("secondaryProperty", Field, STRING),
            ("topic", Field, STRING),
        ],
    },
    Service {
        method: "serviceNow",
        go_type: "*pipeline.ServiceNowHandler",
        args: NONE,
        options: &[
            ("source", Field, STRING),
            ("node", Field, STRING),
            ("type", Field, STRING),
            ("resource", Field, STRING),
            ("metricName", Field, STRING),
            ("messageKey", Field, STRING),
        ],
    },
    Service {
        method: "zenoss",
        go_type: "*pipeline.ZenossHandler",
        args: NONE,
        options: &[
            ("action", Field, STRING),
            ("method", Field, STRING),
            ("type", Field, STRING),
            ("tid", Field, INT),
            ("summary", Field, STRING),
            ("device", Field, STRING),
            ("component", Field, STRING),
            ("eventClassKey", Field, STRING),
            ("eventClass", Field, STRING),
            ("collector", Field, STRING),
            ("message", Field, STRING),
        ],
    },
];

/// The service a property adds, if it adds one.
pub(super) fn service(method: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|service| service.method == method)
}

/// The arguments of a service call as option values.
pub(super) fn option_values(
    signature: Signature,
    args: Vec<Value>,
) -> Result<Vec<OptionValue>, PropertyError> {
    let values = decode_dynamic(signature.0, signature.1, args).map_err(PropertyError::Args)?;
    values
        .iter()
        .map(|value| {
            OptionValue::from_value(value).ok_or(PropertyError::Args(
                crate::args::ArgError::Mismatch {
                    got: value.go_type(),
                    want: GoType::Interface,
                    variadic: false,
                },
            ))
        })
        .collect()
}

impl ServiceHandler {
    /// The service the handler sends to.
    pub(super) fn service(&self) -> Option<&'static Service> {
        service(self.service)
    }

    /// The service's option `name`, compared as Kapacitor compares property names.
    pub(super) fn option(&self, name: &str) -> Option<&'static (&'static str, Kind, Signature)> {
        let options = self.service().map_or(&[][..], |service| service.options);
        options
            .iter()
            .find(|(option, _, _)| property::same_name(name, option))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::alert::AlertNode;
    use crate::nodes::NodeSpec;

    #[test]
    fn every_service_has_its_property() {
        for service in SERVICES {
            assert!(
                property::find(AlertNode::PROPERTIES, service.method).is_some(),
                "{}",
                service.method
            );
        }
    }
}
