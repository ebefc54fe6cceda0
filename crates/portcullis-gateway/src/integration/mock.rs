//! MOCK integrations: the gateway answers from the integration responses.

use bytes::Bytes;
use http::Response;

use super::finish_method_response;
use crate::context::RequestContext;
use crate::respond::{Body, GatewayError};
use crate::runtime::MockPlan;
use crate::templates;

/// Answers a MOCK integration: the request template renders, and the
/// `statusCode` of its JSON output selects the integration response (the
/// default one when there is no template).
///
/// # Errors
/// [`GatewayError::ConfigurationError`] when the template fails, its output has
/// no `statusCode`, or no integration response matches and there is no default.
pub fn respond(
    plan: &MockPlan,
    ctx: &RequestContext<'_>,
    body: &Bytes,
) -> Result<Response<Body>, GatewayError> {
    let status = match &plan.request_template {
        None => String::new(),
        Some(template) => {
            let output = templates::render(template, ctx, body)?;
            status_code(&output).ok_or_else(|| {
                tracing::warn!(
                    request_id = ctx.ids.request_id(),
                    "MOCK request template output has no statusCode"
                );
                GatewayError::ConfigurationError
            })?
        }
    };
    let selected = plan
        .responses
        .select(&status)
        .ok_or(GatewayError::ConfigurationError)?;
    finish_method_response(selected, ctx, None, Bytes::new())
}

/// `statusCode` of a MOCK template's output (`{"statusCode": 200}`), as text.
fn status_code(output: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(output).ok()?;
    match value.get("statusCode")? {
        serde_json::Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        serde_json::Value::String(s) => s.trim().parse::<u16>().ok().map(|n| n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::status_code;

    #[test]
    fn status_from_template_output() {
        assert_eq!(
            status_code(br#"{"statusCode": 201}"#).as_deref(),
            Some("201")
        );
        assert_eq!(
            status_code(br#" {"statusCode": "404"} "#).as_deref(),
            Some("404")
        );
        assert_eq!(status_code(b"{}"), None);
        assert_eq!(status_code(b"not json"), None);
    }
}
