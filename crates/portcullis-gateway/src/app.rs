//! The `portcullis` commands: `serve`, `validate` and `routes`.

use std::fmt::Write as _;
use std::sync::Arc;

use arc_swap::ArcSwap;
use portcullis_ratelimit::redis::RedisStore;
use portcullis_ratelimit::{Limiter, MemoryStore, OnFailure};

use crate::clock::SystemClock;
use crate::config::{self, ApiType, ConfigError, Overrides, Source};
use crate::observe::metrics::Metrics;
use crate::pipeline::{LimiterClock, Pipeline};
use crate::reload::Reloader;
use crate::runtime::Gateway;
use crate::server::admin::Admin;
use crate::server::{self, BoundListener, ServerError, Threading};
use crate::upstream::{UpstreamBuildError, UpstreamClient};

/// Why `serve` could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration is invalid.
    #[error("invalid configuration:\n{0}")]
    Config(#[from] ConfigError),
    /// A listener could not start.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// The upstream client could not be built (bad CA file).
    #[error(transparent)]
    Upstream(#[from] UpstreamBuildError),
    /// The file watcher could not start.
    #[error("cannot watch the configuration files: {0}")]
    Watch(#[from] notify::Error),
    /// A signal handler could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signal(std::io::Error),
    /// The Redis store could not be set up (a bad URL; an unreachable
    /// server is not an error: limits follow `redis.on_failure` until it answers).
    #[error("cannot use Redis for limits: {0}")]
    Redis(String),
    /// The OTLP exporter could not be set up.
    #[cfg(feature = "otlp")]
    #[error(transparent)]
    Otlp(#[from] crate::observe::trace::otlp::OtlpError),
    /// The admin listener could not start.
    #[error("cannot start the admin listener on {address}: {source}")]
    Admin {
        /// The address.
        address: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Loads and compiles the configuration: what `validate` checks.
///
/// # Errors
/// Every problem found, each naming its file and location.
pub fn check(
    source: &Source,
    overrides: &Overrides,
) -> Result<(config::GatewayConfig, Gateway), ConfigError> {
    let config = config::load(source, overrides)?;
    // Shared cache stores (Redis) are made on a runtime; `validate` and
    // `routes` run without one, so they get one to make them on.
    let spare = match tokio::runtime::Handle::try_current() {
        Ok(_) => None,
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok(),
    };
    let _entered = spare.as_ref().map(tokio::runtime::Runtime::enter);
    let gateway = Gateway::compile(&config)?;
    Ok((config, gateway))
}

/// What `validate` prints: errors and warnings in two lists, each line
/// naming its file and place, then a summary line.
pub fn validation_report(
    outcome: &Result<(config::GatewayConfig, Gateway), ConfigError>,
) -> String {
    let (errors, warnings, summary) = match outcome {
        Ok((config, _)) => {
            let routes: usize = config.apis.iter().map(|a| a.routes.len()).sum();
            let summary = format!(
                "ok: {} API(s), {routes} route(s), {} warning(s)",
                config.apis.len(),
                config.warnings.len()
            );
            (&[][..], &config.warnings[..], summary)
        }
        Err(error) => {
            let summary = format!(
                "invalid: {} error(s), {} warning(s)",
                error.problems.len(),
                error.warnings.len()
            );
            (&error.problems[..], &error.warnings[..], summary)
        }
    };
    let mut out = String::new();
    for (title, list) in [("errors", errors), ("warnings", warnings)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for problem in list {
            let _ = writeln!(out, "  {problem}");
        }
    }
    let _ = writeln!(out, "{summary}");
    out
}

/// Logs each warning of a configuration once.
pub(crate) fn log_warnings(warnings: &[config::Problem]) {
    for warning in warnings {
        tracing::warn!("{warning}");
    }
}

/// The route table, one line per route: API id, type, stage prefixes, method, path, integration.
pub fn route_table(config: &config::GatewayConfig) -> String {
    let mut out = String::new();
    for api in &config.apis {
        let kind = match api.api_type {
            ApiType::Rest => "REST API",
            ApiType::Http => "HTTP API",
        };
        let stages: Vec<String> = api
            .stages
            .iter()
            .map(|s| {
                if s.name == config::DEFAULT_NAME {
                    "/ ($default)".to_owned()
                } else {
                    format!("/{}", s.name)
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "{} ({kind}, {:?}) from {}  stages: {}",
            api.id,
            api.name,
            api.source.display(),
            stages.join(", ")
        );
        for route in &api.routes {
            let target = match &route.integration.kind {
                config::IntegrationKind::HttpProxy { uri, .. } => format!("http_proxy {uri}"),
                config::IntegrationKind::Http { uri, .. } => format!("http {uri}"),
                config::IntegrationKind::Mock => "mock".to_owned(),
                config::IntegrationKind::Unserved { reason } => format!("not served: {reason}"),
                config::IntegrationKind::AwsService(action) => format!("aws {}", action.subtype),
                config::IntegrationKind::AwsRest(target) => format!("aws {}", target.uri),
                config::IntegrationKind::Lambda {
                    function, proxy, ..
                } => format!(
                    "{} function {}",
                    if *proxy { "aws_proxy" } else { "aws" },
                    function.name
                ),
            };
            let label = if route.path == config::DEFAULT_NAME {
                format!("{:<7} {}", "", route.path)
            } else {
                format!("{:<7} {}", route.method.as_str(), route.path)
            };
            let _ = writeln!(out, "  {label:<40} -> {target}");
        }
    }
    out
}

/// Whether `serve` installs the process's `tracing` subscriber.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logging {
    /// The caller installed one (or wants none); spans are not exported.
    Caller,
    /// Text lines on stderr; spans exported as the configuration's `tracing:` says.
    Text,
    /// JSON lines on stderr; spans exported as the configuration's `tracing:` says.
    Json,
}

/// Installs the subscriber `logging` asks for, once the configuration is known.
fn install_logging(
    logging: Logging,
    config: &config::GatewayConfig,
    upstream: &UpstreamClient,
) -> Result<Option<crate::LogGuard>, RunError> {
    let json = match logging {
        Logging::Caller => return Ok(None),
        Logging::Text => false,
        Logging::Json => true,
    };
    let Some(otlp) = &config.tracing.otlp else {
        return Ok(Some(crate::init_logging(json)));
    };
    #[cfg(feature = "otlp")]
    {
        let guard = crate::init_logging_with_otlp(json, otlp, upstream.clone())?;
        tracing::info!(endpoint = %otlp.endpoint, sample_ratio = otlp.sample_ratio, "exporting spans over OTLP");
        Ok(Some(guard))
    }
    #[cfg(not(feature = "otlp"))]
    {
        let _ = upstream;
        let guard = crate::init_logging(json);
        tracing::warn!(
            endpoint = %otlp.endpoint,
            "tracing.otlp is set but this build has no OTLP support (feature `otlp`): spans are not exported"
        );
        Ok(Some(guard))
    }
}

/// Serves until SIGTERM or SIGINT, reloading on SIGHUP (and file changes when
/// enabled); installs logging (and span export) as `logging` says once the
/// configuration has loaded, and flushes both before returning. Connections
/// are spread over threads as `threading` says (per core: the calling runtime
/// must be a current-thread one, and is the first core).
///
/// # Errors
/// When the configuration is invalid or a listener cannot start.
pub async fn serve(
    source: Source,
    overrides: Overrides,
    logging: Logging,
    threading: Threading,
) -> Result<(), RunError> {
    let (config, gateway) = {
        let (source, overrides) = (source.clone(), overrides.clone());
        tokio::task::spawn_blocking(move || check(&source, &overrides))
            .await
            .expect("config loading does not panic")?
    };
    // Signal handlers first: a signal that arrives once we listen must find them.
    let signals = Signals::install()?;
    let upstream = UpstreamClient::new(&config.upstream)?;
    let log = install_logging(logging, &config, &upstream)?;
    let gateway = Arc::new(ArcSwap::from_pointee(gateway));
    let mut listeners = Vec::with_capacity(config.listeners.len());
    for listener in &config.listeners {
        let reuse_port = matches!(threading, Threading::PerCore { cores } if cores.get() > 1);
        listeners.push(BoundListener::bind_as(listener, reuse_port)?);
    }
    for line in route_table(&config).lines() {
        tracing::info!("{line}");
    }
    log_warnings(&config.warnings);
    for bound in &listeners {
        let scheme = if bound.is_tls() { "https" } else { "http" };
        tracing::info!("listening on {scheme}://{}", bound.local_addr());
    }
    let reloader = Reloader::new(source, overrides, gateway.clone(), config.warnings.clone());
    #[cfg(unix)]
    tokio::spawn(reloader.clone().on_sighup(signals.hangup));
    let _watch = if config.reload.watch {
        Some(
            reloader
                .clone()
                .watch(config.files.clone(), config.reload.debounce)?,
        )
    } else {
        None
    };
    let limiter = limiter(&config).await?;
    let metrics = Arc::new(Metrics::new());
    metrics.observe_limiter(limiter.clone());
    metrics.counter_fn(
        "portcullis_access_log_dropped_total",
        "Access-log lines dropped because their writer fell behind.",
        crate::observe::access_log::dropped_lines,
    );
    if let Some(admin) = config.admin {
        let address = admin.address;
        match Admin::bind(address).await {
            Ok(listener) => {
                tracing::info!(
                    "admin endpoints on http://{}",
                    listener.local_addr().unwrap_or(address)
                );
                let endpoints = Admin::new(gateway.clone(), limiter.clone())
                    .with_metrics(metrics.clone())
                    .with_reloader(reloader.clone());
                tokio::spawn(endpoints.serve(listener));
            }
            // The default address is a convenience: taken, it only warns.
            Err(source) if admin.defaulted => tracing::warn!(
                "the admin listener is off: cannot listen on its default address {address} ({source}); set admin.address or --admin, or --no-admin"
            ),
            Err(source) => return Err(RunError::Admin { address, source }),
        }
    }
    let pipeline = Pipeline::new(gateway.clone(), upstream)
        .with_limiter(limiter)
        .with_metrics(metrics);
    let lingering = server::serve_threaded(
        threading,
        listeners,
        pipeline,
        signals.shutdown.wait(),
        config.shutdown_grace,
    )
    .await?;
    // In-flight requests are done: stop the function processes before exiting.
    gateway.load().functions().shutdown().await;
    // Access-log lines of the last requests reach their files before exit.
    let _ = tokio::task::spawn_blocking(|| {
        crate::observe::access_log::flush_all(std::time::Duration::from_secs(5));
    })
    .await;
    // Exporting the last spans waits on this runtime: flush off its workers.
    let _ = tokio::task::spawn_blocking(move || drop(log)).await;
    lingering.release().await;
    Ok(())
}

/// Where throttles and quotas keep state: Redis when configured, else memory.
/// Kept for the life of the process (reloads keep counting).
async fn limiter(config: &config::GatewayConfig) -> Result<Arc<Limiter>, RunError> {
    let clock = Arc::new(LimiterClock(Arc::new(SystemClock)));
    let Some(redis) = &config.redis else {
        return Ok(Arc::new(Limiter::new(MemoryStore::new()).with_clock(clock)));
    };
    let store = RedisStore::connect(&redis.url)
        .await
        .and_then(|store| store.timeout(redis.timeout).prefix(&redis.prefix))
        .map_err(|error| RunError::Redis(error.to_string()))?;
    let mut limiter = Limiter::new(store)
        .with_clock(clock)
        .on_failure(redis.on_failure);
    if redis.on_failure == OnFailure::Fallback {
        limiter = limiter.with_fallback(Arc::new(MemoryStore::new()));
    }
    tracing::info!(on_failure = ?redis.on_failure, "limits and quotas are shared through Redis");
    Ok(Arc::new(limiter))
}

/// The process signals `serve` handles, registered before it listens.
struct Signals {
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
    shutdown: Shutdown,
}

/// SIGTERM and SIGINT.
struct Shutdown {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> Result<Self, RunError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                hangup: signal(SignalKind::hangup()).map_err(RunError::Signal)?,
                shutdown: Shutdown {
                    terminate: signal(SignalKind::terminate()).map_err(RunError::Signal)?,
                    interrupt: signal(SignalKind::interrupt()).map_err(RunError::Signal)?,
                },
            })
        }
        #[cfg(not(unix))]
        Ok(Self {
            shutdown: Shutdown {},
        })
    }
}

impl Shutdown {
    /// Resolves on SIGTERM or SIGINT.
    async fn wait(self) {
        #[cfg(unix)]
        {
            let (mut term, mut int) = (self.terminate, self.interrupt);
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
