//! SIGHUP loads `[load] dir` again (Kapacitor's load service does the same): changed
//! and new definitions apply, unchanged tasks keep running ([`tickflow::load`]). What
//! was loaded, or the file that did not load, goes to stderr.

use std::sync::Arc;

use tickflow::Engine;

/// Loads the directory again on every SIGHUP, until the task is aborted. Installed only
/// when `[load]` is enabled, so SIGHUP otherwise keeps its usual meaning.
#[cfg(unix)]
pub(crate) async fn reload_on_hangup(engine: Arc<Engine>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        eprintln!("tickflow: cannot listen for SIGHUP; [load] dir is read at start only");
        return;
    };
    while hangups.recv().await.is_some() {
        let engine = Arc::clone(&engine);
        let loaded = tokio::task::spawn_blocking(move || {
            let dir = std::path::PathBuf::from(&engine.config().load.dir);
            tickflow::load::load(&engine, &dir)
        })
        .await;
        match loaded {
            Ok(Ok(loaded)) => eprintln!(
                "tickflow: SIGHUP: loaded {} templates, {} tasks, {} handlers",
                loaded.templates.len(),
                loaded.tasks.len(),
                loaded.handlers.len()
            ),
            Ok(Err(err)) => eprintln!("tickflow: SIGHUP: {err}"),
            Err(join) => eprintln!("tickflow: SIGHUP: {join}"),
        }
    }
}

/// Elsewhere than Unix there is no SIGHUP: the directory is read at start only.
#[cfg(not(unix))]
pub(crate) async fn reload_on_hangup(_engine: Arc<Engine>) {}
