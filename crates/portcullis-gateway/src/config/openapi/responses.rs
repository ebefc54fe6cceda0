//! Integration responses (`x-amazon-apigateway-integration.responses`) and
//! gateway responses (`x-amazon-apigateway-gateway-responses`).

use std::collections::BTreeMap;

use super::context::Ctx;
use super::tree::Node;
use crate::config::model::{ContentHandling, GatewayResponse, IntegrationResponse};
use crate::config::problems::{child, excerpt};

/// The response types of supported-gateway-response-types.
pub(crate) const GATEWAY_RESPONSE_TYPES: &[&str] = &[
    "ACCESS_DENIED",
    "API_CONFIGURATION_ERROR",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "AUTHORIZER_FAILURE",
    "BAD_REQUEST_PARAMETERS",
    "BAD_REQUEST_BODY",
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "EXPIRED_TOKEN",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "INVALID_API_KEY",
    "INVALID_SIGNATURE",
    "MISSING_AUTHENTICATION_TOKEN",
    "QUOTA_EXCEEDED",
    "REQUEST_TOO_LARGE",
    "RESOURCE_NOT_FOUND",
    "THROTTLED",
    "UNAUTHORIZED",
    "UNSUPPORTED_MEDIA_TYPE",
    "WAF_FILTERED",
];

/// Largest mapping template AWS accepts (api-gateway-known-issues: 300 KB).
pub(crate) const MAX_TEMPLATE_BYTES: usize = 300 * 1024;

/// Reads mapping templates keyed by content type, checking their size.
pub(crate) fn templates(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> BTreeMap<String, String> {
    let templates = ctx.string_map(node, at);
    for (content_type, template) in &templates {
        if template.len() > MAX_TEMPLATE_BYTES {
            ctx.problem(
                &child(at, content_type),
                "mapping templates are at most 300 KB (api-gateway-known-issues)",
            );
        }
    }
    templates
}

/// An HTTP status code written as a string or a number.
pub(crate) fn status_code(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<u16> {
    let code = ctx.integer(node, at)?;
    match u16::try_from(code) {
        Ok(code) if (100..=599).contains(&code) => Some(code),
        _ => {
            ctx.problem(at, format!("`{node}` is not an HTTP status code (100-599)"));
            None
        }
    }
}

/// `contentHandling`: `CONVERT_TO_TEXT` or `CONVERT_TO_BINARY` (any case).
pub(crate) fn content_handling(
    ctx: &mut Ctx<'_>,
    node: &Node,
    at: &str,
) -> Option<ContentHandling> {
    match ctx.str(node, at)?.to_ascii_uppercase().as_str() {
        "CONVERT_TO_TEXT" => Some(ContentHandling::ConvertToText),
        "CONVERT_TO_BINARY" => Some(ContentHandling::ConvertToBinary),
        _ => {
            ctx.problem(at, format!("`{node}` is not a content handling; expected CONVERT_TO_TEXT or CONVERT_TO_BINARY"));
            None
        }
    }
}

/// Reads REST integration responses, in definition order.
pub(crate) fn integration_responses(
    ctx: &mut Ctx<'_>,
    node: &Node,
    at: &str,
) -> Vec<IntegrationResponse> {
    let mut out = Vec::new();
    for (key, response) in ctx.map(node, at).unwrap_or_default() {
        let response_at = child(at, key);
        let selection_pattern = (key != "default").then(|| key.clone());
        if let Some(pattern) = &selection_pattern {
            check_selection_pattern(ctx, pattern, &response_at);
        }
        let Some(entries) = ctx.map(response, &response_at) else {
            continue;
        };
        let mut status = None;
        let mut response_parameters = BTreeMap::new();
        let mut response_templates = BTreeMap::new();
        let mut handling = None;
        for (field, value) in entries {
            let field_at = child(&response_at, field);
            match field.as_str() {
                "statusCode" => status = status_code(ctx, value, &field_at),
                "responseParameters" => {
                    response_parameters = method_response_parameters(ctx, value, &field_at)
                }
                "responseTemplates" => response_templates = templates(ctx, value, &field_at),
                "contentHandling" => handling = content_handling(ctx, value, &field_at),
                _ => ctx.unknown_property(&field_at, field, "integration response"),
            }
        }
        if entries.iter().all(|(field, _)| field != "statusCode") {
            ctx.problem(
                &response_at,
                "`statusCode` is required: it names the method response to return",
            );
        }
        if let Some(status_code) = status {
            out.push(IntegrationResponse {
                key: key.clone(),
                selection_pattern,
                status_code,
                response_parameters,
                response_templates,
                content_handling: handling,
            });
        }
    }
    out
}

/// A selection pattern is a Java regular expression matched against the whole
/// status code (or Lambda error message); it must compile here too.
fn check_selection_pattern(ctx: &mut Ctx<'_>, pattern: &str, at: &str) {
    if let Err(error) = portcullis_mapping::JavaPattern::whole(pattern) {
        ctx.problem(
            at,
            format!(
                "selection pattern `{}` is not a Java regular expression this gateway can run: {}",
                excerpt(pattern, 80),
                error.reason.lines().next().unwrap_or_default()
            ),
        );
    }
}

/// `method.response.header.NAME` → integration response header/body, stage or
/// context variable, or a `'static value'` (request-response-data-mappings).
fn method_response_parameters(
    ctx: &mut Ctx<'_>,
    node: &Node,
    at: &str,
) -> BTreeMap<String, String> {
    let parameters = ctx.string_map(node, at);
    for (key, value) in &parameters {
        let key_at = child(at, key);
        match key.strip_prefix("method.response.header.") {
            Some(name) if http::HeaderName::from_bytes(name.as_bytes()).is_ok() => {}
            _ => ctx.problem(
                &key_at,
                format!(
                    "`{key}` is not a method response header; expected method.response.header.NAME"
                ),
            ),
        }
        let sources = [
            "integration.response.header.",
            "integration.response.multivalueheader.",
            "integration.response.body.",
            "stageVariables.",
            "context.",
        ];
        let valid = value == "integration.response.body"
            || (value.len() >= 2 && value.starts_with('\'') && value.ends_with('\''))
            || sources
                .iter()
                .any(|p| value.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
        if !valid {
            ctx.problem(
                &key_at,
                format!(
                    "`{value}` is not a response mapping expression; expected integration.response.header.NAME, \
                     integration.response.body[.JSONPATH], stageVariables.NAME, context.NAME or a 'static value'"
                ),
            );
        }
    }
    parameters
}

/// Reads `x-amazon-apigateway-gateway-responses`.
pub(crate) fn gateway_responses(
    ctx: &mut Ctx<'_>,
    node: &Node,
    at: &str,
) -> BTreeMap<String, GatewayResponse> {
    let mut out = BTreeMap::new();
    for (kind, response) in ctx.map(node, at).unwrap_or_default() {
        let response_at = child(at, kind);
        if !GATEWAY_RESPONSE_TYPES.contains(&kind.as_str()) {
            ctx.problem(
                &response_at,
                format!(
                    "`{kind}` is not a gateway response type (supported-gateway-response-types)"
                ),
            );
            continue;
        }
        let Some(entries) = ctx.map(response, &response_at) else {
            continue;
        };
        let mut gateway_response = GatewayResponse::default();
        for (field, value) in entries {
            let field_at = child(&response_at, field);
            match field.as_str() {
                "statusCode" => gateway_response.status_code = status_code(ctx, value, &field_at),
                "responseParameters" => {
                    let mut parameters = ctx.string_map(value, &field_at);
                    parameters.retain(|key, _| {
                        // AWS takes path and query string parameters too (SAM
                        // writes them), though a response has neither.
                        if key.starts_with("gatewayresponse.path.")
                            || key.starts_with("gatewayresponse.querystring.")
                        {
                            ctx.warn(&child(&field_at, key), "a response has no path or query string: not applied, as on AWS");
                            return false;
                        }
                        let valid = key
                            .strip_prefix("gatewayresponse.header.")
                            .is_some_and(|name| http::HeaderName::from_bytes(name.as_bytes()).is_ok());
                        if !valid {
                            ctx.problem(&child(&field_at, key), format!("`{key}` is not a gateway response header; expected gatewayresponse.header.NAME"));
                        }
                        true
                    });
                    gateway_response.response_parameters = parameters;
                }
                "responseTemplates" => {
                    gateway_response.response_templates = templates(ctx, value, &field_at)
                }
                _ => ctx.unknown_property(&field_at, field, "gateway response"),
            }
        }
        out.insert(kind.clone(), gateway_response);
    }
    out
}
