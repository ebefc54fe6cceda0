//! The Portcullis gateway: configuration, OpenAPI import, the request pipeline,
//! the server and its integrations.
//!
//! [`config::load`] reads AWS definitions (or the native file) into a checked
//! configuration; [`Gateway::compile`](runtime::Gateway::compile) compiles every
//! route once into a plan; a [`Pipeline`](pipeline::Pipeline) serves requests
//! through named phases (select → limits → route → body → validate → map request
//! → integrate → map response → respond) over one per-request state, and every
//! failure becomes AWS's answer in one place. [`server`] puts it on sockets.
//!
//! The binary wraps [`app::serve`]; embedders can drive the [`pipeline::Pipeline`]
//! directly, with any `http` request, no socket needed:
//!
//! ```
//! use std::sync::Arc;
//! use arc_swap::ArcSwap;
//! use bytes::Bytes;
//! use http_body_util::{BodyExt, Full};
//! use portcullis_gateway::config::{self, Overrides, Source, UpstreamSettings};
//! use portcullis_gateway::pipeline::{Connection, Pipeline};
//! use portcullis_gateway::runtime::Gateway;
//! use portcullis_gateway::upstream::UpstreamClient;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // An AWS export: a REST API with one MOCK method.
//! let export = r#"
//! openapi: "3.0.1"
//! info: { title: "hello", version: "1" }
//! paths:
//!   /hello:
//!     get:
//!       x-amazon-apigateway-integration:
//!         type: "mock"
//!         requestTemplates: { application/json: '{"statusCode": 200}' }
//!         responses:
//!           default:
//!             statusCode: "200"
//!             responseTemplates: { application/json: '{"hello": "world"}' }
//! "#;
//! let dir = tempfile::tempdir().unwrap();
//! let file = dir.path().join("hello.yaml");
//! std::fs::write(&file, export).unwrap();
//!
//! let config = config::load(&Source::OpenApi(vec![file]), &Overrides::default()).unwrap();
//! let gateway = Arc::new(ArcSwap::from_pointee(Gateway::compile(&config).unwrap()));
//! let pipeline = Pipeline::new(gateway, UpstreamClient::new(&UpstreamSettings::default()).unwrap());
//!
//! let connection = Connection {
//!     peer: "127.0.0.1:50000".parse().unwrap(),
//!     local: "127.0.0.1:3000".parse().unwrap(),
//!     tls: false,
//! };
//! // An HTTP/1.1 request needs its one Host header, as on the wire (RFC 9112).
//! let request = http::Request::get("/hello").header("host", "localhost");
//! let request = request.body(Full::new(Bytes::new())).unwrap();
//! let response = pipeline.handle(request, connection).await;
//! assert_eq!(response.status(), 200);
//! assert!(response.headers().contains_key("x-amzn-requestid"));
//! let body = response.into_body().collect().await.unwrap().to_bytes();
//! assert_eq!(&body[..], br#"{"hello": "world"}"#);
//!
//! // Unknown routes get AWS's answer.
//! let request = http::Request::get("/nope").header("host", "localhost");
//! let request = request.body(Full::new(Bytes::new())).unwrap();
//! assert_eq!(pipeline.handle(request, connection).await.status(), 403);
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod app;
mod body;
pub mod clock;
pub mod coding;
pub mod config;
mod error;
mod integration;
mod map;
pub mod observe;
pub mod pipeline;
pub mod reload;
mod request;
mod respond;
pub mod runtime;
pub mod server;
pub mod tls;
pub mod upstream;

pub use body::{BoxError, ResponseBody};

/// Keeps the log writer (and the span exporter, when there is one) running;
/// logs are flushed and buffered spans exported when it is dropped.
#[derive(Debug)]
pub struct LogGuard {
    _writer: tracing_appender::non_blocking::WorkerGuard,
    #[cfg(feature = "otlp")]
    _exporter: Option<observe::trace::otlp::Exporter>,
}

/// A layer of the process's subscriber.
type BoxedLayer = Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>;

/// Installs the `tracing` subscriber: `RUST_LOG` filtering (default `info`), text or
/// JSON lines on stderr. Lines are written by a background thread, so a slow
/// terminal or pipe never blocks the runtime; keep the guard alive while serving.
pub fn init_logging(json: bool) -> LogGuard {
    LogGuard {
        _writer: install_subscriber(json, None),
        #[cfg(feature = "otlp")]
        _exporter: None,
    }
}

/// Installs the `tracing` subscriber as [`init_logging`] does, plus OTLP
/// export of the pipeline's spans (`tracing.otlp`): they are exported
/// whatever `RUST_LOG` says. Call within the Tokio runtime that serves:
/// exports run on it, through `upstream`.
///
/// # Errors
/// When the exporter refuses its settings.
#[cfg(feature = "otlp")]
pub fn init_logging_with_otlp(
    json: bool,
    settings: &config::OtlpSettings,
    upstream: upstream::UpstreamClient,
) -> Result<LogGuard, observe::trace::otlp::OtlpError> {
    use tracing_subscriber::Layer as _;
    let (layer, exporter) = observe::trace::otlp::layer(settings, upstream)?;
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target(observe::trace::spans::TARGET, tracing::Level::TRACE);
    let layer = layer.with_filter(targets).boxed();
    Ok(LogGuard {
        _writer: install_subscriber(json, Some(layer)),
        _exporter: Some(exporter),
    })
}

fn install_subscriber(
    json: bool,
    spans: Option<BoxedLayer>,
) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::prelude::*;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(ansi);
    // Each layer filters for itself: log lines follow `RUST_LOG`, span export its own target.
    let lines: BoxedLayer = if json {
        lines.json().with_filter(filter).boxed()
    } else {
        lines.with_filter(filter).boxed()
    };
    let layers: Vec<BoxedLayer> = std::iter::once(lines).chain(spans).collect();
    let _ = tracing_subscriber::registry().with(layers).try_init();
    guard
}
