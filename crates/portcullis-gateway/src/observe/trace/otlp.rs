//! OTLP export of the pipeline's spans (feature `otlp`): a
//! `tracing-opentelemetry` layer over an OpenTelemetry SDK tracer whose batch
//! processor POSTs protobuf to the collector through the gateway's own
//! pooled hyper client ([`UpstreamClient`]: the same TLS roots and CA files
//! as integrations, no second HTTP stack).
//!
//! Each `request` span joins the request's trace ([`adopt`]): its parent is
//! the caller's span (X-Ray `Parent`, W3C parent-id) and its trace id the
//! request's; when the caller named no parent, the trace id the SDK
//! generates is the request's ([`RequestIds`]). So the exported trace id is
//! the one integrations and the client see in `X-Amzn-Trace-Id` and
//! `traceparent`.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId, TraceState,
    TracerProvider as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_http::{HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{
    IdGenerator, Sampler, SamplingDecision, SamplingResult, SdkTracer, SdkTracerProvider,
    ShouldSample,
};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::{Sampling, TraceContext, new_span_id};
use crate::config::OtlpSettings;
use crate::upstream::UpstreamClient;

/// The largest collector answer read (OTLP answers are tiny).
const MAX_ANSWER: usize = 64 * 1024;

/// Why the exporter could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    /// The OTLP exporter refused its settings.
    #[error("cannot set up OTLP export to {endpoint}: {message}")]
    Exporter {
        /// The traces URL.
        endpoint: String,
        /// What the exporter said.
        message: String,
    },
}

/// The ratio new traces are sampled at, once an exporter is installed.
static RATIO: OnceLock<f64> = OnceLock::new();

thread_local! {
    /// The trace id and decision the next root span takes: set by [`adopt`]
    /// just before it starts a request span without a parent.
    static NEXT_ROOT: Cell<Option<(u128, bool)>> = const { Cell::new(None) };
}

/// A running exporter: flushes and stops on [`shutdown`](Self::shutdown) (or drop).
#[derive(Debug)]
pub struct Exporter {
    provider: SdkTracerProvider,
}

impl Exporter {
    /// Exports what is buffered and stops the exporter's thread.
    pub fn shutdown(&self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!(%error, "flushing spans to the OTLP collector failed");
        }
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        // A second shutdown only reports that the first happened.
        let _ = self.provider.shutdown();
    }
}

/// Builds the exporter and the `tracing` layer feeding it. Call within a
/// Tokio runtime: exports run on it, through `upstream`.
///
/// # Errors
/// [`OtlpError`] when the exporter refuses the settings.
pub fn layer<S>(
    settings: &OtlpSettings,
    upstream: UpstreamClient,
) -> Result<
    (
        tracing_opentelemetry::OpenTelemetryLayer<S, SdkTracer>,
        Exporter,
    ),
    OtlpError,
>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let failed = |message: String| OtlpError::Exporter {
        endpoint: settings.endpoint.clone(),
        message,
    };
    let client = Client {
        upstream,
        runtime: tokio::runtime::Handle::try_current()
            .map_err(|_| failed("no Tokio runtime to export on".to_owned()))?,
        timeout: settings.timeout,
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(settings.endpoint.clone())
        .with_timeout(settings.timeout)
        .with_headers(settings.headers.clone().into_iter().collect())
        .build()
        .map_err(|error| failed(error.to_string()))?;
    let _ = RATIO.set(settings.sample_ratio);
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(Sampler::ParentBased(Box::new(RootSampler {
            ratio: Sampler::TraceIdRatioBased(settings.sample_ratio),
        })))
        .with_id_generator(RequestIds)
        .with_resource(
            Resource::builder()
                .with_service_name(settings.service_name.clone())
                .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                .build(),
        )
        .build();
    let tracer = provider.tracer("portcullis");
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_tracked_inactivity(false);
    Ok((layer, Exporter { provider }))
}

/// Makes `span` (a `request` span nobody has entered yet) part of the
/// request's trace, and tells `trace` whether the exporter records it and
/// under which span id. Does nothing when no exporter is installed.
pub(crate) fn adopt(span: &Span, trace: &mut TraceContext) {
    let Some(&ratio) = RATIO.get() else {
        return;
    };
    let trace_id = TraceId::from(trace.trace_id());
    let sampled = match trace.sampling() {
        Sampling::Sampled => true,
        Sampling::NotSampled => false,
        Sampling::Unsaid | Sampling::Requested => ratio_says(ratio, trace_id),
    };
    match trace.parent() {
        Some(parent) => {
            let flags = if sampled {
                TraceFlags::SAMPLED
            } else {
                TraceFlags::default()
            };
            let remote = SpanContext::new(
                trace_id,
                SpanId::from(parent),
                flags,
                true,
                TraceState::default(),
            );
            if span
                .set_parent(Context::new().with_remote_span_context(remote))
                .is_err()
            {
                return;
            }
        }
        None => NEXT_ROOT.with(|next| next.set(Some((trace.trace_id(), sampled)))),
    }
    // Starts the span now, with the ids and decision set above.
    let context = span.context();
    NEXT_ROOT.with(|next| next.set(None));
    let started = context.span().span_context().clone();
    if started.is_valid() && started.trace_id() == trace_id {
        trace.set_recorded(
            u64::from_be_bytes(started.span_id().to_bytes()),
            started.is_sampled(),
        );
    }
}

/// What the ratio sampler decides for `trace_id`.
fn ratio_says(ratio: f64, trace_id: TraceId) -> bool {
    let result = Sampler::TraceIdRatioBased(ratio).should_sample(
        None,
        trace_id,
        "request",
        &SpanKind::Server,
        &[],
        &[],
    );
    result.decision == SamplingDecision::RecordAndSample
}

/// Ids of new spans: random; a request span without a parent takes the
/// request's trace id.
#[derive(Debug)]
struct RequestIds;

impl IdGenerator for RequestIds {
    fn new_trace_id(&self) -> TraceId {
        match NEXT_ROOT.with(Cell::get) {
            Some((trace_id, _)) => TraceId::from(trace_id),
            None => TraceId::from(TraceContext::new(0).trace_id()),
        }
    }

    fn new_span_id(&self) -> SpanId {
        SpanId::from(new_span_id())
    }
}

/// Decides for spans without a parent: a request span follows the decision
/// [`adopt`] made (the caller's, else the ratio's); anything else, the ratio.
#[derive(Debug, Clone)]
struct RootSampler {
    ratio: Sampler,
}

impl ShouldSample for RootSampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        span_kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[opentelemetry::trace::Link],
    ) -> SamplingResult {
        match NEXT_ROOT.with(Cell::get) {
            Some((preset, sampled)) if TraceId::from(preset) == trace_id => SamplingResult {
                decision: if sampled {
                    SamplingDecision::RecordAndSample
                } else {
                    SamplingDecision::Drop
                },
                attributes: Vec::new(),
                trace_state: TraceState::default(),
            },
            _ => self.ratio.should_sample(
                parent_context,
                trace_id,
                name,
                span_kind,
                attributes,
                links,
            ),
        }
    }
}

/// The exporter's HTTP client: the gateway's pooled client, driven on the
/// gateway's runtime (the SDK's batch processor runs on a thread of its own).
#[derive(Debug)]
struct Client {
    upstream: UpstreamClient,
    runtime: tokio::runtime::Handle,
    timeout: Duration,
}

#[async_trait]
impl HttpClient for Client {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let upstream = self.upstream.clone();
        let timeout = self.timeout;
        let exchange = async move {
            let response = upstream.send(request.map(Full::new), timeout).await?;
            let (head, body) = response.into_parts();
            let body = tokio::time::timeout(timeout, Limited::new(body, MAX_ANSWER).collect())
                .await
                .map_err(|_| -> HttpError { "the collector's answer timed out".into() })??
                .to_bytes();
            Ok::<_, HttpError>(Response::from_parts(head, body))
        };
        self.runtime.spawn(exchange).await?
    }
}
