//! MOCK integrations: the gateway answers from the integration responses.

use bytes::Bytes;
use http::Response;

use super::finish_method_response;
use crate::respond::{Body, GatewayError};
use crate::runtime::MockPlan;

/// Answers a MOCK integration: the request template's `statusCode` selects the
/// integration response (the default one when the template sets none).
///
/// # Errors
/// [`GatewayError::ConfigurationError`] when no integration response matches and there is no default.
pub fn respond(plan: &MockPlan) -> Result<Response<Body>, GatewayError> {
    let selected = plan
        .responses
        .select(plan.status_text.as_deref().unwrap_or(""))
        .ok_or(GatewayError::ConfigurationError)?;
    Ok(finish_method_response(selected, None, Bytes::new()))
}
