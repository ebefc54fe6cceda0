//! The proxy event an `aws_proxy` integration sends: the request in Lambda's
//! REST 1.0, HTTP API 1.0 or 2.0 shape, with `requestContext` from the one
//! `$context` builder.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderValue, header};
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
        .entry("x-forwarded-proto")
        .or_insert(HeaderValue::from_static(state.connection.scheme()));
    headers
        .entry("x-forwarded-port")
        .or_insert_with(|| HeaderValue::from(state.connection.local.port()));
    // REST passes path parameters as the client encoded them, HTTP APIs decoded.
    let decoded: Vec<(&str, Cow<'_, str>)> = route
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
        .collect();
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
    // Payload 1.0 spells names as the client did, when the server recorded them.
    let spelled: Option<Vec<&str>> = parts
        .extensions
        .get::<crate::server::RawHeaderNames>()
        .map(|names| names.names().collect());
    let plan = route.plan;
    let http_resource = plan
        .route_key
        .split_once(' ')
        .map_or(plan.resource.as_str(), |(_, path)| path);
    let authorizer = state.authorizer.as_ref().map(|a| a.event_value(format));
    let mut context = state.lambda_context(route, &source_ip);
    context.authorizer = authorizer.as_ref();
    let request = ProxyRequest {
        method: parts.method.as_str(),
        resource: if rest { &plan.resource } else { http_resource },
        route_key: &plan.route_key,
        path: if rest {
            route.api_path
        } else {
            parts.uri.path()
        },
        raw_query: parts.uri.query(),
        headers: &headers,
        header_case: match &spelled {
            Some(names) => HeaderCase::Original(names),
            None if parts.version == http::Version::HTTP_2 => HeaderCase::Lower,
            None => HeaderCase::Title,
        },
        path_parameters: &path_parameters,
        stage_variables: &route.stage.variables,
        body,
        base64_body,
        context,
    };
    event::build(format, &request)
}
