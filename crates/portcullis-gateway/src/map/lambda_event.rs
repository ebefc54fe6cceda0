//! The proxy event an `aws_proxy` integration sends: the request in Lambda's
//! REST 1.0, HTTP API 1.0 or 2.0 shape, with `requestContext` from the one
//! `$context` builder. Lambda authorizers' events reuse the pieces.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, header};
use portcullis_lambda::event::{self, Format, HeaderCase, ProxyRequest};

use super::encoding;
use crate::request::{RequestState, Routed};
use crate::upstream::append_forwarded_for;

/// The proxy event for this request, in `format`.
pub(crate) fn build(
    format: Format,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &Bytes,
) -> Bytes {
    let rest = format == Format::Rest;
    let parts = state.parts;
    let source_ip = state.connection.peer.ip().to_string();
    // AWS adds the forwarding headers its load balancers set.
    let mut headers = parts.headers.clone();
    append_forwarded_for(&mut headers, state.connection.peer.ip());
    headers
        .entry(crate::upstream::X_FORWARDED_PROTO)
        .or_insert(HeaderValue::from_static(state.connection.scheme()));
    headers
        .entry(crate::upstream::X_FORWARDED_PORT)
        .or_insert_with(|| HeaderValue::from(state.connection.local.port()));
    trace_headers(&mut headers, state);
    let decoded = path_parameters(route, rest);
    let path_parameters: Vec<(&str, &str)> =
        decoded.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let base64_body = if rest {
        encoding::is_binary(&route.api.binary_media_types, content_type)
    } else {
        !encoding::is_text(content_type, body)
    };
    let spelled = spelled_names(state);
    let authorizer = state.authorizer.as_ref().map(|a| a.event_value(format));
    let mut context = state.lambda_context(route, &source_ip);
    context.authorizer = authorizer.as_ref();
    let request = ProxyRequest {
        header_case: match &spelled {
            Some(names) => HeaderCase::Original(names),
            None if parts.version == http::Version::HTTP_2 => HeaderCase::Lower,
            None => HeaderCase::Title,
        },
        path_parameters: &path_parameters,
        body,
        base64_body,
        ..proxy_request(format, route, state, &headers, context)
    };
    event::build(format, &request)
}

/// AWS's trace header, in every proxy event; the W3C ones when the client
/// sent a `traceparent` (as a header AWS would pass on, now naming this trace).
fn trace_headers(headers: &mut HeaderMap, state: &RequestState<'_>) {
    use crate::observe::trace::{TRACEPARENT, TRACESTATE, X_AMZN_TRACE_ID};
    headers.insert(X_AMZN_TRACE_ID, state.trace.xray_header());
    if headers.contains_key(TRACEPARENT) {
        headers.insert(TRACEPARENT, state.trace.traceparent());
        match state.trace.tracestate() {
            Some(value) => headers.insert(TRACESTATE, value.clone()),
            None => headers.remove(TRACESTATE),
        };
    }
}

/// `requestContext` alone, as the event in `format` would carry it (without
/// `authorizer`): what a Lambda authorizer's REQUEST event holds.
pub(crate) fn request_context(
    format: Format,
    route: &Routed<'_>,
    state: &RequestState<'_>,
) -> serde_json::Value {
    let source_ip = state.connection.peer.ip().to_string();
    let context = state.lambda_context(route, &source_ip);
    event::request_context(
        format,
        &proxy_request(format, route, state, &state.parts.headers, context),
    )
}

/// The parts of the proxy request both builders share: method, resource,
/// route key, paths, query, headers and context; no body, no path parameters.
fn proxy_request<'s>(
    format: Format,
    route: &'s Routed<'_>,
    state: &'s RequestState<'_>,
    headers: &'s HeaderMap,
    context: event::RequestContext<'s>,
) -> ProxyRequest<'s> {
    let parts = state.parts;
    let (resource, path) = resource_and_path(format, route, state);
    ProxyRequest {
        method: parts.method.as_str(),
        resource,
        route_key: &route.plan.route_key,
        path,
        raw_query: parts.uri.query(),
        headers,
        header_case: HeaderCase::Lower,
        path_parameters: &[],
        stage_variables: &route.stage.variables,
        body: &[],
        base64_body: false,
        context,
    }
}

/// The event's `resource` and `path`: REST the resource template and the
/// path after the stage; HTTP APIs the route's path and the whole request path.
pub(crate) fn resource_and_path<'s>(
    format: Format,
    route: &'s Routed<'_>,
    state: &'s RequestState<'_>,
) -> (&'s str, &'s str) {
    let plan = route.plan;
    if format == Format::Rest {
        return (&plan.resource, route.api_path);
    }
    let resource = plan
        .route_key
        .split_once(' ')
        .map_or(plan.resource.as_str(), |(_, path)| path);
    (resource, state.parts.uri.path())
}

/// Path parameters as events show them: REST as the client encoded them,
/// HTTP APIs decoded.
pub(crate) fn path_parameters<'r>(
    route: &'r Routed<'_>,
    rest: bool,
) -> Vec<(&'r str, Cow<'r, str>)> {
    route
        .params
        .iter()
        .map(|(name, value)| {
            let value = if rest {
                Cow::Borrowed(value)
            } else {
                portcullis_router::percent_decode(value)
            };
            (name, value)
        })
        .collect()
}

/// Header names as the client spelled them, when the server recorded them
/// (payload 1.0 events use them).
pub(crate) fn spelled_names<'s>(state: &'s RequestState<'_>) -> Option<Vec<&'s str>> {
    state
        .parts
        .extensions
        .get::<crate::server::RawHeaderNames>()
        .map(|names| names.names().collect())
}
