//! [`Subscriptions`]: what makes InfluxDB 1.x send its writes to the server, as
//! Kapacitor's `[[influxdb]]` subscriptions do. For each enabled cluster with
//! subscriptions on, a thread creates the server's subscription
//! (`CREATE SUBSCRIPTION "tickflow-<host>-<port>" ON "db"."rp" DESTINATIONS ALL
//! 'http://<host>:<port>'`) on every database and retention policy the configuration
//! selects (`subscriptions`, else all, less `excluded-subscriptions`), at start and then
//! every minute for new databases. Unlike Kapacitor, which leaves stale subscriptions
//! behind, it drops its own subscriptions that are no longer selected, and when the
//! server stops it drops every subscription it created. Failures are reported through
//! the server's diagnostics and retried at the next sync; they never stop the server.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};

use super::config::InfluxDbConfig;
use crate::diagnostics::Diagnostics;
use crate::nodes::query::client::QueryClient;
use crate::nodes::query::results::series;

/// How often the subscriptions are brought in line with the databases.
pub(crate) const SYNC_INTERVAL: Duration = Duration::from_secs(60);

/// A database and retention policy.
type DbRp = (String, String);

/// A failed subscription call.
#[derive(Debug, thiserror::Error)]
#[error("cluster {cluster:?}: {statement}: {reason}")]
pub(crate) struct SubscriptionError {
    /// The cluster's name.
    pub cluster: String,
    /// The statement that failed.
    pub statement: String,
    /// Why.
    pub reason: String,
}

/// The subscription threads of a server; [`Subscriptions::close`] drops what they
/// created.
pub struct Subscriptions {
    stop: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

/// Where InfluxDB sends writes: the server's address as InfluxDB should reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Destination {
    /// The host name (`kapacitor-hostname`, else `localhost`).
    pub host: String,
    /// The port (`http-port`, else the server's).
    pub port: u16,
}

impl Subscriptions {
    /// Starts a sync thread for every cluster that wants subscriptions, the server
    /// listening on `server_port`; failures go to `diagnostics`.
    pub fn start(
        clusters: &[InfluxDbConfig],
        server_port: u16,
        diagnostics: Arc<dyn Diagnostics>,
    ) -> Subscriptions {
        let (stop, stopped) = bounded::<()>(0);
        let mut threads = Vec::new();
        for cluster in clusters
            .iter()
            .filter(|c| c.enabled && !c.disable_subscriptions)
        {
            let destination = Destination {
                host: match cluster.kapacitor_hostname.as_str() {
                    "" => "localhost".to_string(),
                    host => host.to_string(),
                },
                port: if cluster.http_port == 0 {
                    server_port
                } else {
                    cluster.http_port
                },
            };
            let sync = match ClusterSync::new(cluster, destination) {
                Ok(sync) => sync,
                Err(err) => {
                    diagnostics.node_error("subscriptions", &err);
                    continue;
                }
            };
            let (stopped, reporter) = (stopped.clone(), Arc::clone(&diagnostics));
            let thread = std::thread::Builder::new()
                .name(format!("subscriptions-{}", cluster.name))
                .spawn(move || keep_in_sync(sync, &stopped, &*reporter));
            match thread {
                Ok(thread) => threads.push(thread),
                Err(err) => diagnostics.node_error("subscriptions", &err),
            }
        }
        Subscriptions {
            stop: Some(stop),
            threads,
        }
    }

    /// Stops syncing and drops every subscription this server created.
    pub fn close(mut self) {
        self.stop = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Syncs every [`SYNC_INTERVAL`] until `stopped` closes, then drops what was created.
fn keep_in_sync(mut sync: ClusterSync, stopped: &Receiver<()>, diagnostics: &dyn Diagnostics) {
    loop {
        for err in sync.sync() {
            diagnostics.node_error("subscriptions", &err);
        }
        if stopped.recv_timeout(SYNC_INTERVAL) != Err(RecvTimeoutError::Timeout) {
            break;
        }
    }
    for err in sync.drop_created() {
        diagnostics.node_error("subscriptions", &err);
    }
}

/// One cluster's subscription state.
pub(crate) struct ClusterSync {
    cluster: InfluxDbConfig,
    client: QueryClient,
    name: String,
    destination: String,
    created: BTreeSet<DbRp>,
}

impl ClusterSync {
    /// The sync of `cluster` for a server reached at `destination`.
    pub(crate) fn new(
        cluster: &InfluxDbConfig,
        destination: Destination,
    ) -> Result<ClusterSync, SubscriptionError> {
        let client = QueryClient::new(cluster, None).map_err(|e| SubscriptionError {
            cluster: cluster.name.clone(),
            statement: String::new(),
            reason: e.to_string(),
        })?;
        let scheme = match cluster.subscription_protocol.as_str() {
            "https" => "https",
            _ => "http",
        };
        Ok(ClusterSync {
            cluster: cluster.clone(),
            client,
            name: format!("tickflow-{}-{}", destination.host, destination.port),
            destination: format!("{scheme}://{}:{}", destination.host, destination.port),
            created: BTreeSet::new(),
        })
    }

    /// Creates the subscription where it is wanted and missing, and drops ours where it
    /// is no longer wanted; the failures.
    pub(crate) fn sync(&mut self) -> Vec<SubscriptionError> {
        let mut errors = Vec::new();
        if self.cluster.subscription_protocol == "udp" {
            errors.push(self.error("", "udp subscriptions are not supported; use http".into()));
            return errors;
        }
        let wanted = match self.wanted() {
            Ok(wanted) => wanted,
            Err(err) => return vec![err],
        };
        let existing = match self.existing() {
            Ok(existing) => existing,
            Err(err) => return vec![err],
        };
        for (db, rp) in wanted.difference(&existing) {
            let statement = format!(
                "CREATE SUBSCRIPTION {} ON {}.{} DESTINATIONS ALL '{}'",
                quote(&self.name),
                quote(db),
                quote(rp),
                self.destination.replace('\'', "\\'")
            );
            match self.run(&statement) {
                Ok(()) => {
                    self.created.insert((db.clone(), rp.clone()));
                }
                Err(err) => errors.push(err),
            }
        }
        for dbrp in existing.difference(&wanted) {
            if let Err(err) = self.drop_one(dbrp) {
                errors.push(err);
            }
        }
        errors
    }

    /// Drops every subscription this sync created; the failures.
    pub(crate) fn drop_created(&mut self) -> Vec<SubscriptionError> {
        let created = std::mem::take(&mut self.created);
        created
            .iter()
            .filter_map(|dbrp| self.drop_one(dbrp).err())
            .collect()
    }

    fn drop_one(&mut self, (db, rp): &DbRp) -> Result<(), SubscriptionError> {
        let statement = format!(
            "DROP SUBSCRIPTION {} ON {}.{}",
            quote(&self.name),
            quote(db),
            quote(rp)
        );
        self.run(&statement)?;
        self.created.remove(&(db.clone(), rp.clone()));
        Ok(())
    }

    /// The databases and retention policies the configuration selects.
    fn wanted(&self) -> Result<BTreeSet<DbRp>, SubscriptionError> {
        let mut wanted = BTreeSet::new();
        for db in self
            .column("SHOW DATABASES", "name")?
            .into_iter()
            .map(|(_, v)| v)
        {
            let rps = self.column(
                &format!("SHOW RETENTION POLICIES ON {}", quote(&db)),
                "name",
            )?;
            for (_, rp) in rps {
                if selected(&self.cluster, &db, &rp) {
                    wanted.insert((db.clone(), rp));
                }
            }
        }
        Ok(wanted)
    }

    /// The databases and retention policies that have our subscription.
    fn existing(&self) -> Result<BTreeSet<DbRp>, SubscriptionError> {
        let body = self.read("SHOW SUBSCRIPTIONS")?;
        let mut existing = BTreeSet::new();
        for s in body {
            let rp = s.columns.iter().position(|c| c == "retention_policy");
            let name = s.columns.iter().position(|c| c == "name");
            let (Some(rp), Some(name)) = (rp, name) else {
                continue;
            };
            for row in &s.values {
                let text = |i: usize| row.get(i).and_then(|v| v.as_str());
                if text(name) == Some(self.name.as_str()) {
                    existing.insert((s.name.clone(), text(rp).unwrap_or_default().to_string()));
                }
            }
        }
        Ok(existing)
    }

    /// The values of `column` of a `SHOW` statement's rows, with their series' names.
    fn column(
        &self,
        statement: &str,
        column: &str,
    ) -> Result<Vec<(String, String)>, SubscriptionError> {
        let mut values = Vec::new();
        for s in self.read(statement)? {
            let Some(i) = s.columns.iter().position(|c| c == column) else {
                continue;
            };
            for row in &s.values {
                if let Some(value) = row.get(i).and_then(|v| v.as_str()) {
                    values.push((s.name.clone(), value.to_string()));
                }
            }
        }
        Ok(values)
    }

    fn read(
        &self,
        statement: &str,
    ) -> Result<Vec<crate::nodes::query::results::Series>, SubscriptionError> {
        let body = self
            .client
            .query(statement)
            .map_err(|e| self.error(statement, e.to_string()))?;
        series(&body).map_err(|e| self.error(statement, e.to_string()))
    }

    fn run(&self, statement: &str) -> Result<(), SubscriptionError> {
        let body = self
            .client
            .execute(statement)
            .map_err(|e| self.error(statement, e.to_string()))?;
        series(&body)
            .map(drop)
            .map_err(|e| self.error(statement, e.to_string()))
    }

    fn error(&self, statement: &str, reason: String) -> SubscriptionError {
        SubscriptionError {
            cluster: self.cluster.name.clone(),
            statement: statement.to_string(),
            reason,
        }
    }
}

/// Whether the configuration subscribes to `db`.`rp`: listed in `subscriptions` (all when
/// it is empty), not in `excluded-subscriptions`.
fn selected(cluster: &InfluxDbConfig, db: &str, rp: &str) -> bool {
    let listed = |map: &std::collections::BTreeMap<String, Vec<String>>| {
        map.get(db).is_some_and(|rps| rps.iter().any(|r| r == rp))
    };
    (cluster.subscriptions.is_empty() || listed(&cluster.subscriptions))
        && !listed(&cluster.excluded_subscriptions)
}

/// An InfluxQL identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_selects_and_excludes() {
        let mut cluster = InfluxDbConfig::default();
        assert!(selected(&cluster, "telegraf", "autogen"));
        cluster
            .excluded_subscriptions
            .insert("_internal".into(), vec!["monitor".into()]);
        assert!(!selected(&cluster, "_internal", "monitor"));
        cluster
            .subscriptions
            .insert("telegraf".into(), vec!["autogen".into()]);
        assert!(selected(&cluster, "telegraf", "autogen"));
        assert!(!selected(&cluster, "telegraf", "weekly"));
        assert!(!selected(&cluster, "printer", "autogen"));
    }
}
