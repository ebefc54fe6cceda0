//! The map-response phase: the integration's raw answer becomes the method
//! response. Proxy answers pass through (hop-by-hop headers dropped, REST's
//! reserved headers remapped, HTTP API `responseParameters` applied); non-proxy
//! answers select an integration response and apply it.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, header};
use portcullis_lambda::event::Format;
use portcullis_lambda::{Outcome, response as lambda_response};

use super::{encoding, method_response, params};
use crate::body::ResponseBody;
use crate::config::{ApiType, ResponseMapping};
use crate::error::{ConfigurationFault, GatewayError};
use crate::integration::IntegrationResponse;
use crate::request::{RequestState, Routed};
use crate::runtime::{HttpPlan, LambdaPlan, MethodResponse, ServicePlan};
use crate::upstream::strip_hop_by_hop;

/// Maps the integration's answer back into the response the client gets.
///
/// # Errors
/// AWS's answers for a failed or malformed function result, and for an answer
/// no integration response matches.
pub(crate) fn build(
    answer: IntegrationResponse<'_>,
    route: &Routed<'_>,
    state: &RequestState<'_>,
) -> Result<Response<ResponseBody>, GatewayError> {
    match answer {
        IntegrationResponse::Http(plan, head, body) if plan.proxy => {
            Ok(http_proxy(plan, route, state, head, body))
        }
        IntegrationResponse::HttpStream(head, body) => Ok(streamed(head, body)),
        IntegrationResponse::Http(plan, head, body) => {
            let selected = plan
                .responses
                .select(head.status.as_str())
                .ok_or(ConfigurationFault::NoIntegrationResponse)?;
            method_response::build(selected, route, state, Some(&head.headers), body)
        }
        IntegrationResponse::Lambda(plan, outcome) if plan.proxy => {
            lambda_proxy(plan, route, state, outcome)
        }
        IntegrationResponse::Lambda(plan, outcome) => lambda_custom(plan, route, state, outcome),
        IntegrationResponse::Service(plan, head, body) => {
            Ok(service(plan, route, state, head, body))
        }
        IntegrationResponse::Mock(plan, status) => {
            let selected = plan
                .responses
                .select(&status)
                .ok_or(ConfigurationFault::NoIntegrationResponse)?;
            method_response::build(selected, route, state, None, Bytes::new())
        }
    }
}

/// `http_proxy`: the backend's answer as it is, less what a proxy must not pass on.
fn http_proxy(
    plan: &HttpPlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    head: http::response::Parts,
    body: Bytes,
) -> Response<ResponseBody> {
    let mut response = Response::from_parts(head, ResponseBody::new(body.clone()));
    strip_hop_by_hop(response.headers_mut());
    response.headers_mut().remove(header::CONTENT_LENGTH);
    if route.api.api_type == ApiType::Rest {
        method_response::remap_reserved(response.headers_mut());
    } else {
        apply_response_mappings(&plan.response_mappings, route, state, &mut response, &body);
    }
    response
}

/// An AWS service's answer, passed on as API Gateway passes it: its
/// status, content type and body (the service's refusals included), then
/// the route's `responseParameters`.
fn service(
    plan: &ServicePlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    head: http::response::Parts,
    body: Bytes,
) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::new(body.clone()));
    *response.status_mut() = head.status;
    if let Some(content_type) = head.headers.get(header::CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    apply_response_mappings(&plan.response_mappings, route, state, &mut response, &body);
    response
}

/// `http_proxy` with `STREAM` (REST only): the head as a proxy passes it on,
/// the body frame by frame as it arrives. AWS maps nothing in this mode.
fn streamed(
    head: http::response::Parts,
    body: crate::upstream::UpstreamResponseBody,
) -> Response<ResponseBody> {
    // A backend's Content-Length stays: the body is passed on unchanged.
    let mut response = Response::from_parts(head, ResponseBody::stream(body));
    strip_hop_by_hop(response.headers_mut());
    method_response::remap_reserved(response.headers_mut());
    response
}

/// `aws_proxy`: the function's proxy result read as AWS reads it.
fn lambda_proxy(
    plan: &LambdaPlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    outcome: Outcome,
) -> Result<Response<ResponseBody>, GatewayError> {
    let result = match outcome {
        Outcome::Returned(result) => result,
        Outcome::Failed(document) => {
            log_function_error(plan, state, &document);
            return Err(GatewayError::FunctionFailed);
        }
    };
    let parsed = match plan.event_format {
        Format::Rest | Format::HttpV1 => lambda_response::parse_v1(&result),
        Format::HttpV2 => lambda_response::parse_v2(&result),
    };
    let parsed = parsed.map_err(|error| {
        tracing::warn!(
            request_id = state.ids.request_id(),
            function = plan.function.name(),
            %error,
            "malformed Lambda proxy response"
        );
        GatewayError::FunctionFailed
    })?;
    let rest = route.api.api_type == ApiType::Rest;
    let body = if parsed.base64_encoded && rest {
        // REST APIs decode a base64 body only for clients that accept a binary media type.
        let accept = encoding::first_media_type(&state.parts.headers, header::ACCEPT);
        if encoding::is_binary(&route.api.binary_media_types, accept) {
            parsed.body.clone()
        } else {
            parsed.base64_body()
        }
    } else {
        parsed.body.clone()
    };
    let mut response = Response::new(ResponseBody::new(body.clone()));
    *response.status_mut() = parsed.status;
    *response.headers_mut() = parsed.headers;
    if rest {
        method_response::remap_reserved(response.headers_mut());
    }
    apply_response_mappings(&plan.response_mappings, route, state, &mut response, &body);
    Ok(response)
}

/// `aws`: selection patterns match the error message of a failed call; a
/// returned result takes the default response.
fn lambda_custom(
    plan: &LambdaPlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    outcome: Outcome,
) -> Result<Response<ResponseBody>, GatewayError> {
    let (selected, result): (Option<&MethodResponse>, Bytes) = match outcome {
        Outcome::Returned(result) => (plan.responses.default_response(), result),
        Outcome::Failed(document) => {
            log_function_error(plan, state, &document);
            let message = lambda_response::error_message(&document).unwrap_or_default();
            (plan.responses.select(&message), document)
        }
    };
    let selected = selected.ok_or_else(|| {
        tracing::warn!(
            request_id = state.ids.request_id(),
            function = plan.function.name(),
            "no integration response matches the function's answer and there is no default response"
        );
        GatewayError::from(ConfigurationFault::NoIntegrationResponse)
    })?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    method_response::build(selected, route, state, Some(&headers), result)
}

/// HTTP API `responseParameters` for the answer's status, if any.
fn apply_response_mappings(
    mappings: &[ResponseMapping],
    route: &Routed<'_>,
    state: &RequestState<'_>,
    response: &mut Response<ResponseBody>,
    body: &[u8],
) {
    let status = response.status().as_u16();
    if let Some(mapping) = mappings.iter().find(|m| m.status == status) {
        params::apply_response(&mapping.mappings, route, state, response, body);
    }
}

fn log_function_error(plan: &LambdaPlan, state: &RequestState<'_>, document: &[u8]) {
    tracing::warn!(
        request_id = state.ids.request_id(),
        function = plan.function.name(),
        error = %String::from_utf8_lossy(&document[..document.len().min(1024)]),
        "Lambda function error"
    );
}
