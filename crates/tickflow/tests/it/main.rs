//! The front door end to end: an engine built in code, tasks defined from TICKscript
//! text, line protocol written to it, alerts, stats, snapshots and shutdown.

mod durable;
mod engine;
