//! Lambda functions (`aws_proxy`, `aws`): invoke with the mapped payload
//! within the integration timeout.

use bytes::Bytes;
use http::HeaderValue;
use portcullis_lambda::{InvokeError, Outcome};

use super::within;
use crate::error::GatewayError;
use crate::runtime::LambdaPlan;

/// Invokes the plan's function with `payload`, within the request's trace
/// (`trace`, the `X-Amzn-Trace-Id` the function's runtime receives).
///
/// # Errors
/// 504 past the integration timeout; a function that cannot start is the
/// function failing (as an init error is on AWS); any other refused call is
/// AWS's 500.
pub(super) async fn invoke(
    plan: &LambdaPlan,
    payload: Bytes,
    request_id: &str,
    trace: HeaderValue,
) -> Result<Outcome, GatewayError> {
    within(plan.timeout, async {
        plan.function
            .invoke_traced(payload, request_id, Some(trace))
            .await
            .map_err(|error| {
                tracing::warn!(
                    request_id,
                    function = plan.function.name(),
                    %error,
                    "Lambda invocation failed"
                );
                match error {
                    InvokeError::Start { .. } => GatewayError::FunctionFailed,
                    _ => GatewayError::FunctionUnavailable,
                }
            })
    })
    .await
}
