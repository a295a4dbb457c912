//! A batch task's queries over a past range, against a real InfluxDB (Kapacitor's
//! `replay-live batch --past`): every run each query node's schedule would have made
//! between the start and the stop (not past now), in time order across the nodes, each
//! query's batches fed to its node at once, in event time, as fast as InfluxDB answers.
//! A failed query is reported on its node and the replay goes on.

use std::sync::Arc;
use std::time::Instant;

use tickflow_model::{Message, Time};

use super::{Feeder, Progress, ReplayError, Summary};
use crate::diagnostics::Diagnostics;
use crate::nodes::influxdb_out::config::InfluxDbConfig;
use crate::task::Task;

/// Runs batch `task`'s queries for `[start, stop)` against `clusters`, reporting
/// progress in runs done.
pub fn replay_past(
    task: Task,
    clusters: &[InfluxDbConfig],
    (start, stop): (Time, Time),
    diagnostics: Arc<dyn Diagnostics>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, ReplayError> {
    let sources = task.batching.clients(clusters, &task.dbrps)?;
    let targets = task.batch_sources.clone();
    let id = task.id.clone();
    let stop = stop.min(Time::now());
    let mut runs: Vec<(Time, usize)> = (sources.iter().enumerate())
        .flat_map(|(i, (_, plan, _))| plan.runs(start, stop).into_iter().map(move |t| (t, i)))
        .collect();
    runs.sort();
    let mut feeder = Feeder::new(task, Arc::clone(&diagnostics), Instant::now());
    for (done, &(at, i)) in runs.iter().enumerate() {
        let (node, plan, client) = &sources[i];
        match plan.fetch(client, &id, at) {
            Ok(batches) => {
                let points: usize = batches.iter().map(|b| b.points.len()).sum();
                feeder.points_read += points;
                feeder.points_fed += points;
                let mut chunk = feeder.inline.spare_chunk();
                chunk.extend(batches.into_iter().map(Message::Batch));
                feeder.inline.push_into(targets[i], chunk)?;
            }
            Err(err) => diagnostics.node_error(node, &err),
        }
        progress(Progress {
            bytes_done: done + 1,
            bytes_total: runs.len(),
            points: feeder.points_fed,
        });
    }
    feeder.finish()
}
