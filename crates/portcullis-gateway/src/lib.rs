//! The Portcullis gateway: configuration, OpenAPI import, the request pipeline,
//! the server and its integrations.
//!
//! A request flows through named phases, each compiled once per route into a
//! [`runtime::RoutePlan`]: select API and stage → route → limits → integrate →
//! respond. Failures become AWS responses in one place, [`respond::render`].

pub mod app;
pub mod config;
pub mod integration;
pub mod pipeline;
pub mod reload;
pub mod respond;
pub mod runtime;
pub mod server;
pub mod tls;
pub mod upstream;

/// Installs the `tracing` subscriber: `RUST_LOG` filtering (default `info`), text or JSON lines.
pub fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
