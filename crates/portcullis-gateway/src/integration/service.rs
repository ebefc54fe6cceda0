//! Calling an AWS service: the mapped request signed (the one SigV4 signer,
//! `portcullis_lambda::remote::signer`) with the gateway's own credentials,
//! an assumed role's or the IAM caller's, then sent as any HTTP integration
//! request is.

use std::time::{Duration, SystemTime};

use ::http::header::USER_AGENT;
use ::http::response::Parts;
use ::http::{HeaderValue, Request};
use bytes::Bytes;
use http_body_util::Full;
use portcullis_lambda::remote::signer::{self, Credentials};

use crate::error::GatewayError;
use crate::runtime::{AwsSigning, ServicePlan, Signer};
use crate::upstream::UpstreamClient;

/// Signs and sends an HTTP API first-class integration's call; the
/// service's answer, whatever its status.
///
/// # Errors
/// AWS's integration failure when no credentials can be had or the request
/// cannot be signed; the HTTP integration's answers for a service that
/// cannot be reached or is too slow.
pub(super) async fn call(
    upstream: &UpstreamClient,
    plan: &ServicePlan,
    request: Request<Bytes>,
    region: &str,
    caller: Option<&Credentials>,
    request_id: &str,
    trace: Option<HeaderValue>,
) -> Result<(Parts, Bytes), GatewayError> {
    let (service, _) = plan.action.service();
    let request = signed(
        request,
        &plan.signer,
        caller,
        service,
        region,
        request_id,
        trace,
    )
    .await?;
    super::http::send(upstream, request.map(Full::new), plan.timeout, request_id).await
}

/// A REST `aws` integration's mapped request, signed as `signing` says and
/// sent; the service's answer, for its integration responses to map.
///
/// # Errors
/// As [`call`].
pub(super) async fn call_rest(
    upstream: &UpstreamClient,
    signing: &AwsSigning,
    timeout: Duration,
    request: Request<Bytes>,
    caller: Option<&Credentials>,
    request_id: &str,
    trace: Option<HeaderValue>,
) -> Result<(Parts, Bytes), GatewayError> {
    let request = signed(
        request,
        &signing.signer,
        caller,
        &signing.service,
        &signing.region,
        request_id,
        trace,
    )
    .await?;
    super::http::send(upstream, request.map(Full::new), timeout, request_id).await
}

/// Headers left out of the signature because proxies and tracers add,
/// drop or rewrite them on the way (the AWS SDKs leave out the same ones).
const UNSIGNED: [&str; 14] = [
    "baggage",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "traceparent",
    "tracestate",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// `request` signed by `signer` (with `caller`'s keys when it signs as the
/// caller) for `service` in `region`, then given the headers that stay
/// unsigned (proxies rewrite them).
async fn signed(
    mut request: Request<Bytes>,
    signer: &Signer,
    caller: Option<&Credentials>,
    service: &str,
    region: &str,
    request_id: &str,
    trace: Option<HeaderValue>,
) -> Result<Request<Bytes>, GatewayError> {
    let credentials = match signer {
        Signer::Resolved(credentials) => credentials.get().await.map_err(|message| {
            tracing::warn!(request_id, %message, "no AWS credentials to call the service with");
            GatewayError::IntegrationFailure
        })?,
        // The plan signs as the caller only on IAM-authorised routes, whose
        // requests reach here with the caller's identity.
        Signer::Caller => caller.cloned().ok_or_else(|| {
            tracing::warn!(request_id, "no IAM caller to call the service as");
            GatewayError::IntegrationFailure
        })?,
    };
    let mut unsigned = Vec::new();
    for name in UNSIGNED {
        if let http::header::Entry::Occupied(entry) = request.headers_mut().entry(name) {
            unsigned.extend(entry.remove_entry_mult().1.map(|value| (name, value)));
        }
    }
    signer::sign(
        &mut request,
        service,
        region,
        &credentials,
        SystemTime::now(),
    )
    .map_err(|error| {
        tracing::warn!(request_id, %error, "the service request could not be signed");
        GatewayError::IntegrationFailure
    })?;
    let headers = request.headers_mut();
    for (name, value) in unsigned {
        headers.append(name, value);
    }
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("portcullis/", env!("CARGO_PKG_VERSION"))),
    );
    if let Some(trace) = trace {
        headers.insert("x-amzn-trace-id", trace);
    }
    Ok(request)
}
