//! Hot reload: rebuild the whole config from its sources and swap it in
//! atomically; an invalid config is logged and the old one keeps serving.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::config::{self, ConfigError, GatewayConfig, Overrides, Problem, Source};
use crate::runtime::Gateway;

/// Reloads the gateway from the sources the process was started with.
#[derive(Debug, Clone)]
pub struct Reloader {
    source: Source,
    overrides: Overrides,
    gateway: Arc<ArcSwap<Gateway>>,
    /// The running config's warnings: a reload prints only new ones.
    warnings: Arc<Mutex<Vec<Problem>>>,
}

impl Reloader {
    /// A reloader writing into `gateway`, whose config was loaded with `warnings`.
    pub fn new(
        source: Source,
        overrides: Overrides,
        gateway: Arc<ArcSwap<Gateway>>,
        warnings: Vec<Problem>,
    ) -> Self {
        Self {
            source,
            overrides,
            gateway,
            warnings: Arc::new(Mutex::new(warnings)),
        }
    }

    /// Loads and compiles the sources again and swaps the result in.
    ///
    /// # Errors
    /// The problems of the new config; the old config keeps serving.
    pub fn reload(&self) -> Result<GatewayConfig, ConfigError> {
        let config = config::load(&self.source, &self.overrides)?;
        // Functions whose settings did not change keep their warm processes.
        let gateway = Gateway::compile_reusing(&config, Some(&self.gateway.load()))?;
        self.gateway.store(Arc::new(gateway));
        // Warnings the running config already had were printed then.
        let mut printed = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        let new: Vec<_> = config
            .warnings
            .iter()
            .filter(|w| !printed.contains(w))
            .cloned()
            .collect();
        crate::app::log_warnings(&new);
        printed.clone_from(&config.warnings);
        Ok(config)
    }

    /// Reloads, logging the outcome.
    pub fn reload_and_log(&self, why: &str) -> Option<GatewayConfig> {
        match self.reload() {
            Ok(config) => {
                tracing::info!(
                    trigger = why,
                    apis = config.apis.len(),
                    "configuration reloaded"
                );
                Some(config)
            }
            Err(error) => {
                tracing::error!(
                    trigger = why,
                    "reload rejected; the previous configuration keeps serving:\n{error}"
                );
                None
            }
        }
    }

    /// Reloads on every SIGHUP received on `hangups`, forever. The stream is
    /// made by the caller before it starts listening, so that an early SIGHUP
    /// reloads instead of killing the process (the default action).
    #[cfg(unix)]
    pub async fn on_sighup(self, mut hangups: tokio::signal::unix::Signal) {
        while hangups.recv().await.is_some() {
            let this = self.clone();
            // Loading reads files: keep it off the async workers.
            let _ = tokio::task::spawn_blocking(move || this.reload_and_log("SIGHUP")).await;
        }
    }

    /// Reloads when one of `files` changes, after `debounce` of quiet.
    ///
    /// # Errors
    /// When the file watcher cannot start.
    pub fn watch(
        self,
        files: Vec<PathBuf>,
        debounce: Duration,
    ) -> Result<WatchGuard, notify::Error> {
        use notify::{RecursiveMode, Watcher};
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let watched: Vec<PathBuf> = files
            .iter()
            .filter_map(|f| std::fs::canonicalize(f).ok())
            .collect();
        let interesting = watched.clone();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event
                    && event
                        .paths
                        .iter()
                        .any(|p| interesting.iter().any(|w| w == p))
                {
                    let _ = tx.send(());
                }
            })?;
        // Watch directories: editors replace files by renaming, which a file watch loses.
        let mut dirs: Vec<PathBuf> = watched
            .iter()
            .filter_map(|f| f.parent().map(PathBuf::from))
            .collect();
        dirs.sort();
        dirs.dedup();
        for dir in &dirs {
            watcher.watch(dir, RecursiveMode::NonRecursive)?;
        }
        let task = tokio::spawn(async move {
            while rx.recv().await.is_some() {
                // Debounce: wait until changes stop arriving.
                while let Ok(Some(())) = tokio::time::timeout(debounce, rx.recv()).await {}
                let this = self.clone();
                let _ =
                    tokio::task::spawn_blocking(move || this.reload_and_log("file change")).await;
            }
        });
        Ok(WatchGuard {
            _watcher: watcher,
            task,
        })
    }
}

/// Keeps a file watch alive; dropping it stops watching.
#[derive(Debug)]
pub struct WatchGuard {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.task.abort();
    }
}
