//! Calling an AWS service: the mapped request signed with the gateway's own
//! credentials (the one SigV4 signer, `portcullis_lambda::remote::signer`),
//! then sent as any HTTP integration request is.

use std::time::SystemTime;

use ::http::header::USER_AGENT;
use ::http::response::Parts;
use ::http::{HeaderValue, Request};
use bytes::Bytes;
use http_body_util::Full;
use portcullis_lambda::remote::signer;

use crate::error::GatewayError;
use crate::runtime::ServicePlan;
use crate::upstream::UpstreamClient;

/// Signs and sends `request`; the service's answer, whatever its status.
///
/// # Errors
/// AWS's integration failure when no credentials can be had or the request
/// cannot be signed; the HTTP integration's answers for a service that
/// cannot be reached or is too slow.
pub(super) async fn call(
    upstream: &UpstreamClient,
    plan: &ServicePlan,
    mut request: Request<Bytes>,
    request_id: &str,
    trace: Option<HeaderValue>,
) -> Result<(Parts, Bytes), GatewayError> {
    let credentials = plan.credentials.get().await.map_err(|message| {
        tracing::warn!(request_id, %message, "no AWS credentials to call the service with");
        GatewayError::IntegrationFailure
    })?;
    let (service, _) = plan.action.service();
    signer::sign(
        &mut request,
        service,
        &plan.region,
        &credentials,
        SystemTime::now(),
    )
    .map_err(|error| {
        tracing::warn!(request_id, %error, "the service request could not be signed");
        GatewayError::IntegrationFailure
    })?;
    // Not signed: proxies rewrite them.
    let headers = request.headers_mut();
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("portcullis/", env!("CARGO_PKG_VERSION"))),
    );
    if let Some(trace) = trace {
        headers.insert("x-amzn-trace-id", trace);
    }
    super::http::send(upstream, request.map(Full::new), plan.timeout, request_id).await
}
