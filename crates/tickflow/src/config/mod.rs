//! [`Config`]: tickflow's one configuration, a Kapacitor-style TOML file read once into
//! typed sections.
//!
//! Every section tickflow reads is listed here, each typed by the crate that uses it:
//! `[http]` ([`HttpSection`], this crate's, for the server and ingest), `[auth]`
//! ([`AuthSection`]: the API's users), `[load]` ([`LoadSection`]), `[task]`
//! ([`TaskSection`], this crate's: restarts of failed tasks), `[storage]`
//! ([`StorageSection`], this crate's: the data dir, WAL and snapshots), `[udf]`
//! (`tickflow_udf`), `[[influxdb]]` (`tickflow_engine`), `[[udp]]` ([`UdpSection`],
//! listened on by the server), `[[httppost]]`, `[[mqtt]]`, `[[slack]]` (or one
//! `[slack]`), `[telegram]`, `[victorops]`, `[[discord]]`, `[pagerduty]`, `[pagerduty2]`,
//! `[opsgenie]`, `[opsgenie2]`, `[alerta]`, `[teams]`, `[bigpanda]`, `[pushover]`, `[talk]`,
//! `[hipchat]`, `[servicenow]`, `[zenoss]`, `[sensu]`, `[smtp]`, `[snmptrap]`, `[[kafka]]` and tickflow's `[[topic-handler]]`
//! (`tickflow_alert`). Reading it ([`Config::parse`]):
//!
//! 1. the text is parsed as TOML (a syntax error names its line);
//! 2. Kapacitor's environment overrides apply ([`env`]): `KAPACITOR_HTTP_BIND_ADDRESS`,
//!    `KAPACITOR_INFLUXDB_0_URLS_0`, ..., and the same names with `TICKFLOW_` instead,
//!    which win;
//! 3. the sections are read, and every key no section has becomes a [`Warning`] with
//!    its line ([`known`]): a Kapacitor key tickflow does not use yet, or an unknown one
//!    (a typo), never an error, so a whole `kapacitor.conf` loads.
//!
//! The sections are checked when their users ask for them ([`Config::http`],
//! [`Config::udfs`], [`Config::services`]), each error naming its section.
//! [`Config::to_toml`] prints the effective configuration with secrets redacted
//! (`tickflow config`); [`Config::api_section`] shows a section as Kapacitor's config API
//! does.
//!
//! ```
//! use tickflow::config::Config;
//!
//! let loaded = Config::parse("[http]\nbind-adress = \":9999\"\n", [
//!     ("KAPACITOR_HTTP_BIND_ADDRESS".to_string(), "127.0.0.1:9093".to_string()),
//! ]).expect("valid");
//! assert_eq!(loaded.config.http.bind_address, "127.0.0.1:9093");
//! assert_eq!(loaded.warnings[0].to_string(), "line 2: unknown key http.bind-adress");
//! ```

pub mod api;
mod auth;
pub mod env;
mod http;
pub mod known;
mod load;
mod show;
mod storage;
mod task;
mod udp;

use std::path::Path;

use serde::{Deserialize, Serialize};
use tickflow_alert::sections::{
    HttpPostSection, MqttSection, SectionError, Sections, TopicHandlerSection,
};
use tickflow_alert::services::{
    one_or_many, AlertaConfig, BigPandaConfig, DiscordConfig, HipChatConfig, KafkaConfig,
    OpsGenie2Config, OpsGenieConfig, PagerDuty2Config, PagerDutyConfig, PushoverConfig,
    SensuConfig, ServiceConfigs, ServiceNowConfig, SlackConfig, SmtpConfig, SnmpTrapConfig,
    TalkConfig, TeamsConfig, TelegramConfig, VictorOpsConfig, ZenossConfig,
};
use tickflow_alert::Services;
use tickflow_engine::Environment;
use tickflow_engine::InfluxDbConfig;
use tickflow_udf::config::Section as UdfSection;
use tickflow_udf::Registry;

pub use auth::{AuthSection, UserSection};
pub use http::{HttpConfig, HttpError, HttpSection};
pub use known::Warning;
pub use load::LoadSection;
pub use storage::{StorageConfig, StorageSection, StorageSectionError};
pub use task::{TaskSection, TaskSectionError};
pub use udp::UdpSection;

/// Every section of the file, as written (with Kapacitor's defaults where absent).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Config {
    /// The server's name in alert templates (`.ServerInfo.Hostname`).
    pub hostname: String,
    /// The retention policy of a write that names none.
    pub default_retention_policy: String,
    /// `[http]`.
    pub http: HttpSection,
    /// `[task]`: restarts of failed tasks.
    pub task: TaskSection,
    /// `[auth]`: the HTTP API's users.
    pub auth: AuthSection,
    /// `[load]`: tasks, templates and handlers loaded from a directory at start.
    pub load: LoadSection,
    /// `[storage]`: the data dir, its WAL and snapshots.
    pub storage: StorageSection,
    /// `[udf]`: `[udf.functions.NAME]` tables.
    pub udf: UdfSection,
    /// `[[influxdb]]`: the InfluxDB servers.
    pub influxdb: Vec<InfluxDbConfig>,
    /// `[[udp]]`: line protocol listeners.
    pub udp: Vec<UdpSection>,
    /// `[[httppost]]`: named endpoints.
    pub httppost: Vec<HttpPostSection>,
    /// `[[mqtt]]`: brokers.
    pub mqtt: Vec<MqttSection>,
    /// `[[topic-handler]]`: handlers of alert topics (tickflow's).
    pub topic_handler: Vec<TopicHandlerSection>,
    /// `[[slack]]`: Slack workspaces (one `[slack]` table is read as one workspace).
    #[serde(deserialize_with = "one_or_many::deserialize")]
    pub slack: Vec<SlackConfig>,
    /// `[telegram]`.
    pub telegram: TelegramConfig,
    /// `[victorops]`.
    pub victorops: VictorOpsConfig,
    /// `[[discord]]`: Discord workspaces (one `[discord]` table is read as one).
    #[serde(deserialize_with = "one_or_many::deserialize")]
    pub discord: Vec<DiscordConfig>,
    /// `[pagerduty]`.
    pub pagerduty: PagerDutyConfig,
    /// `[pagerduty2]`.
    pub pagerduty2: PagerDuty2Config,
    /// `[opsgenie]`.
    pub opsgenie: OpsGenieConfig,
    /// `[opsgenie2]`.
    pub opsgenie2: OpsGenie2Config,
    /// `[alerta]`.
    pub alerta: AlertaConfig,
    /// `[teams]`.
    pub teams: TeamsConfig,
    /// `[bigpanda]`.
    pub bigpanda: BigPandaConfig,
    /// `[pushover]`.
    pub pushover: PushoverConfig,
    /// `[talk]`.
    pub talk: TalkConfig,
    /// `[hipchat]`.
    pub hipchat: HipChatConfig,
    /// `[servicenow]`.
    pub servicenow: ServiceNowConfig,
    /// `[zenoss]`.
    pub zenoss: ZenossConfig,
    /// `[sensu]`.
    pub sensu: SensuConfig,
    /// `[smtp]`: email.
    pub smtp: SmtpConfig,
    /// `[snmptrap]`.
    pub snmptrap: SnmpTrapConfig,
    /// `[[kafka]]`: Kafka clusters (one `[kafka]` table is read as one).
    #[serde(deserialize_with = "one_or_many::deserialize")]
    pub kafka: Vec<KafkaConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            hostname: "localhost".into(),
            default_retention_policy: String::new(),
            http: HttpSection::default(),
            task: TaskSection::default(),
            auth: AuthSection::default(),
            load: LoadSection::default(),
            storage: StorageSection::default(),
            udf: UdfSection::default(),
            influxdb: Vec::new(),
            udp: Vec::new(),
            httppost: Vec::new(),
            mqtt: Vec::new(),
            topic_handler: Vec::new(),
            slack: Vec::new(),
            telegram: TelegramConfig::default(),
            victorops: VictorOpsConfig::default(),
            discord: Vec::new(),
            pagerduty: PagerDutyConfig::default(),
            pagerduty2: PagerDuty2Config::default(),
            opsgenie: OpsGenieConfig::default(),
            opsgenie2: OpsGenie2Config::default(),
            alerta: AlertaConfig::default(),
            teams: TeamsConfig::default(),
            bigpanda: BigPandaConfig::default(),
            pushover: PushoverConfig::default(),
            talk: TalkConfig::default(),
            hipchat: HipChatConfig::default(),
            servicenow: ServiceNowConfig::default(),
            zenoss: ZenossConfig::default(),
            sensu: SensuConfig::default(),
            smtp: SmtpConfig::default(),
            snmptrap: SnmpTrapConfig::default(),
            kafka: Vec::new(),
        }
    }
}

/// The default element of each `[[section]]`, for the environment overrides: its keys
/// and their types.
fn array_defaults() -> Vec<(&'static str, toml::Table)> {
    vec![
        ("influxdb", env::table_of(&InfluxDbConfig::default())),
        ("httppost", env::table_of(&HttpPostSection::default())),
        ("mqtt", env::table_of(&MqttSection::default())),
        ("udp", env::table_of(&UdpSection::default())),
        ("slack", env::table_of(&SlackConfig::default())),
        ("discord", env::table_of(&DiscordConfig::default())),
    ]
}

/// A configuration and what reading it noticed.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The sections.
    pub config: Config,
    /// Keys no section reads, with their lines.
    pub warnings: Vec<Warning>,
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not TOML, or a key has a value of the wrong type.
    #[error("invalid config: {0}")]
    Toml(String),
    /// An environment override cannot apply.
    #[error(transparent)]
    Env(#[from] env::EnvError),
    /// `[http]` is invalid.
    #[error("[http]: {0}")]
    Http(#[from] HttpError),
    /// `[task]` is invalid.
    #[error("[task]: {0}")]
    Task(#[from] TaskSectionError),
    /// `[storage]` is invalid.
    #[error("[storage]: {0}")]
    Storage(#[from] StorageSectionError),
    /// A `[udf.functions.NAME]` table is invalid.
    #[error(transparent)]
    Udf(#[from] tickflow_udf::config::ConfigError),
    /// An alert service section is invalid.
    #[error(transparent)]
    Services(#[from] SectionError),
}

impl Config {
    /// Reads the file at `path` with the process's environment overrides; the defaults
    /// (and the overrides) without a file.
    pub fn load(path: Option<&Path>) -> Result<Loaded, ConfigError> {
        let text = match path {
            Some(path) => std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?,
            None => String::new(),
        };
        Config::parse(&text, std::env::vars())
    }

    /// Reads a configuration text with the environment variables `vars` (only those
    /// starting `KAPACITOR_` or `TICKFLOW_` are looked at).
    pub fn parse(
        text: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loaded, ConfigError> {
        // Read from the text first, so that a syntax or type error names its line.
        let _: Config = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        env::apply(&mut table, vars)?;
        let mut ignored = Vec::new();
        let config = serde_ignored::deserialize(toml::Value::Table(table), |path| {
            ignored.push(known::key_path(&path))
        })
        .map_err(|e: toml::de::Error| ConfigError::Toml(e.to_string()))?;
        let warnings = known::warnings(ignored, text);
        Ok(Loaded { config, warnings })
    }

    /// The `[http]` settings, checked.
    pub fn http(&self) -> Result<HttpConfig, ConfigError> {
        Ok(self.http.check(&self.default_retention_policy)?)
    }

    /// When failed tasks restart (`[task]`), checked.
    pub fn restart_policy(&self) -> Result<tickflow_engine::RestartPolicy, ConfigError> {
        Ok(self.task.restart_policy()?)
    }

    /// The `[storage]` settings, checked.
    pub fn storage(&self) -> Result<StorageConfig, ConfigError> {
        Ok(self.storage.check()?)
    }

    /// The `[udf.functions.NAME]` tables, checked.
    pub fn udfs(&self) -> Result<tickflow_udf::config::Config, ConfigError> {
        Ok(tickflow_udf::config::Config::from_section(
            self.udf.clone(),
        )?)
    }

    /// The alert services: endpoints, brokers, topic handlers (started) and the
    /// server's hostname.
    pub fn services(&self) -> Result<Services, ConfigError> {
        let sections = Sections {
            httppost: self.httppost.clone(),
            mqtt: self.mqtt.clone(),
            topic_handlers: self.topic_handler.clone(),
            external: ServiceConfigs {
                slack: self.slack.clone(),
                telegram: self.telegram.clone(),
                victorops: self.victorops.clone(),
                discord: self.discord.clone(),
                pagerduty: self.pagerduty.clone(),
                pagerduty2: self.pagerduty2.clone(),
                opsgenie: self.opsgenie.clone(),
                opsgenie2: self.opsgenie2.clone(),
                alerta: self.alerta.clone(),
                teams: self.teams.clone(),
                bigpanda: self.bigpanda.clone(),
                pushover: self.pushover.clone(),
                talk: self.talk.clone(),
                hipchat: self.hipchat.clone(),
                servicenow: self.servicenow.clone(),
                zenoss: self.zenoss.clone(),
                sensu: self.sensu.clone(),
                smtp: self.smtp.clone(),
                snmptrap: self.snmptrap.clone(),
                kafka: self.kafka.clone(),
            },
        };
        let mut services = sections.services()?;
        services.server.hostname = self.hostname.clone();
        services.client_url = self.client_url();
        Ok(services)
    }

    /// The server's API URL as handlers report it (Kapacitor's `http://HOSTNAME:PORT/kapacitor/v1`,
    /// the port from `[http] bind-address`).
    fn client_url(&self) -> String {
        let port = (self.http.bind_address.rsplit_once(':')).map_or("9092", |(_, port)| port);
        format!("http://{}:{port}/kapacitor/v1", self.hostname)
    }

    /// What tasks run with: the UDFs (each external one asked for its Info now), the
    /// InfluxDB servers and the alert services.
    pub fn environment(&self) -> Result<Environment, crate::Error> {
        Ok(Environment {
            udfs: Registry::from_config(&self.udfs()?)?,
            influxdb: self.influxdb.clone(),
            services: self.services()?,
            deliveries: None,
            limits: self.task.group_limits().map_err(ConfigError::from)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Loaded {
        Config::parse(text, []).expect("valid")
    }

    #[test]
    fn every_section_is_read_once() {
        let loaded = parse(
            "hostname = \"printer-host\"\ndefault-retention-policy = \"autogen\"\n\
             [http]\nbind-address = \"127.0.0.1:9999\"\nmax-body-size = 1000\n\
             write-timeout = \"250ms\"\n\
             [udf.functions.tTest]\nbuiltin = \"ttest\"\n\
             [[influxdb]]\nname = \"local\"\nurls = [\"http://127.0.0.1:8086\"]\n\
             [[httppost]]\nendpoint = \"hook\"\nurl = \"http://h/\"\n",
        );
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let config = loaded.config;
        let http = config.http().expect("valid http");
        assert_eq!(http.bind_address, "127.0.0.1:9999");
        assert_eq!(http.default_retention_policy, "autogen");
        assert_eq!(
            http.write_timeout,
            Some(std::time::Duration::from_millis(250))
        );
        assert!(config
            .udfs()
            .expect("valid udfs")
            .functions
            .contains_key("tTest"));
        assert_eq!(config.influxdb[0].name, "local");
        let services = config.services().expect("valid services");
        assert_eq!(services.server.hostname, "printer-host");
        assert_eq!(services.client_url, "http://printer-host:9999/kapacitor/v1");
        assert!(services.endpoint("hook").is_ok());
    }

    #[test]
    fn slack_is_one_table_or_many_and_unread_keys_are_warned_about() {
        let loaded = parse(
            "[slack]\nenabled = true\nchannel = \"#ops\"\nglobal = true\n\
             [telegram]\nenabled = true\ntoken = \"t\"\n",
        );
        let config = &loaded.config;
        assert_eq!(config.slack.len(), 1);
        assert_eq!(
            (
                config.slack[0].channel.as_str(),
                config.slack[0].url.as_str()
            ),
            ("#ops", "https://slack.com/api/chat.postMessage")
        );
        assert_eq!(
            (
                config.telegram.token.as_str(),
                config.telegram.parse_mode.as_str()
            ),
            ("t", "Markdown")
        );
        let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            ["line 4: slack.global is a Kapacitor setting tickflow does not use yet"]
        );
        let many = parse("[[slack]]\nworkspace = \"a\"\n[[slack]]\nworkspace = \"b\"\n");
        assert_eq!(many.config.slack.len(), 2);
        let services = many.config.services().expect("valid services");
        assert_eq!(services.external.slack[1].workspace, "b");
    }

    #[test]
    fn an_empty_file_gives_kapacitors_defaults() {
        let loaded = parse("");
        assert_eq!(loaded.config, Config::default());
        assert_eq!(loaded.config.http().expect("valid"), HttpConfig::default());
    }

    #[test]
    fn syntax_and_type_errors_name_the_line() {
        let err = Config::parse("[http]\nbind-address = \n", []).expect_err("no value");
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = Config::parse("[http]\nmax-body-size = \"big\"\n", []).expect_err("a string");
        assert!(err.to_string().starts_with("invalid config: "), "{err}");
        assert!(err.to_string().contains("max-body-size"), "{err}");
    }

    #[test]
    fn section_errors_name_the_section() {
        let config = parse("[http]\nwrite-timeout = \"soon\"\n").config;
        assert_eq!(
            config.http().expect_err("bad").to_string(),
            "[http]: invalid write-timeout \"soon\": expected a duration such as \"10s\" or \"500ms\""
        );
        let config = parse("[udf.functions.a]\ntimeout = \"1s\"\n").config;
        assert_eq!(
            config.udfs().expect_err("bad").to_string(),
            "UDF a: must set either prog or socket"
        );
        let config = parse("[[mqtt]]\nname = \"x\"\nurl = \"ssl://h\"\n").config;
        assert_eq!(
            config.services().expect_err("bad").to_string(),
            "mqtt \"x\": unsupported mqtt url \"ssl://h\": only tcp://host:port is supported"
        );
    }
}
