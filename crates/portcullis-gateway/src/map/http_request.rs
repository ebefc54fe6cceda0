//! The integration request of HTTP integrations: its URL (the URI template,
//! mapped path and query) and its headers (forwarded or mapped).

use http::{HeaderMap, HeaderName, HeaderValue, Uri, header};

use super::params::MappedRequest;
use crate::config::{ApiType, MappingOp};
use crate::request::{RequestState, Routed};
use crate::runtime::HttpPlan;
use crate::upstream::{
    X_FORWARDED_PORT, X_FORWARDED_PROTO, append_forwarded_for, strip_hop_by_hop,
};

/// The integration URL: the URI template filled in, plus the path and query the API type forwards.
pub(super) fn target_uri(
    plan: &HttpPlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    mapped: &MappedRequest,
) -> Option<Uri> {
    let mut target = String::with_capacity(128);
    let rest = route.api.api_type == ApiType::Rest;
    plan.uri.render(
        &mut target,
        |name| route.stage.variables.get(name).map(String::as_str),
        |name| {
            mapped
                .path_parameters
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                // HTTP APIs fill placeholders from the route; REST needs a mapping, but an
                // unmapped placeholder named like a path parameter is filled the same way.
                .or_else(|| route.params.get(name))
        },
    );
    if let Some(path) = &mapped.path {
        replace_path(&mut target, path);
    } else if plan.forwards_full_path {
        // AWS sends private integrations the path as requested, stage included.
        replace_path(&mut target, state.parts.uri.path());
    } else if !rest && plan.uri.bare_origin {
        // HTTP APIs forward the request path to a bare origin.
        let trimmed = target.trim_end_matches('/').len();
        target.truncate(trimmed);
        target.push_str(route.api_path);
    }
    let mut query: Vec<(String, String)> = Vec::new();
    if plan.proxy {
        query.extend(
            state
                .query_pairs()
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
    }
    for (name, value, op) in &mapped.query {
        match op {
            MappingOp::Remove => query.retain(|(k, _)| k != name),
            MappingOp::Overwrite => {
                query.retain(|(k, _)| k != name);
                query.push((name.clone(), value.clone()));
            }
            MappingOp::Append => query.push((name.clone(), value.clone())),
        }
    }
    if !query.is_empty() {
        target.push(if target.contains('?') { '&' } else { '?' });
        for (i, (k, v)) in query.iter().enumerate() {
            if i > 0 {
                target.push('&');
            }
            target.push_str(k);
            if !v.is_empty() {
                target.push('=');
                target.push_str(v);
            }
        }
    }
    // The string becomes the URI's bytes: no copy.
    Uri::try_from(target).ok()
}

fn replace_path(target: &mut String, path: &str) {
    let authority_start = target.find("://").map_or(0, |i| i + 3);
    let path_start = target[authority_start..]
        .find('/')
        .map_or(target.len(), |i| authority_start + i);
    target.truncate(path_start);
    if !path.starts_with('/') {
        target.push('/');
    }
    target.push_str(path);
}

/// The API id API Gateway sends non-proxy HTTP integrations.
const X_AMZN_APIGATEWAY_API_ID: HeaderName = HeaderName::from_static("x-amzn-apigateway-api-id");

/// Headers a proxied request gains: `X-Forwarded-For`, `-Proto`, `-Port`,
/// `X-Amzn-Trace-Id`, `traceparent`, `tracestate`.
const ADDED_HEADERS: usize = 6;

/// The integration request's headers: a proxy forwards the client's (less
/// hop-by-hop ones, plus `X-Forwarded-*`); a non-proxy integration sends only
/// what API Gateway adds (`Content-Type`, `Accept: application/json`,
/// `User-Agent: AmazonAPIGateway_{apiId}`, `x-amzn-apigateway-api-id`). Both
/// carry the trace headers (`X-Amzn-Trace-Id`, `traceparent`, `tracestate`).
/// Mapped headers apply last.
pub(super) fn outgoing_headers(
    proxy: bool,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    mapped: MappedRequest,
) -> HeaderMap {
    let mut headers = if proxy {
        let mut headers = state.parts.headers.clone();
        // Room for what is added below (forwarding and trace headers), grown once.
        headers.reserve(ADDED_HEADERS);
        strip_hop_by_hop(&mut headers);
        headers.remove(header::HOST);
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::EXPECT);
        if state.body_decoded {
            // The body goes out decoded: its coding no longer applies.
            headers.remove(header::CONTENT_ENCODING);
        }
        append_forwarded_for(&mut headers, state.connection.peer.ip());
        headers.insert(
            X_FORWARDED_PROTO,
            HeaderValue::from_static(state.connection.scheme()),
        );
        headers.insert(
            X_FORWARDED_PORT,
            HeaderValue::from(state.connection.local.port()),
        );
        headers
    } else {
        let mut headers = HeaderMap::new();
        if let Some(ct) = state.parts.headers.get(header::CONTENT_TYPE) {
            headers.insert(header::CONTENT_TYPE, ct.clone());
        }
        let added = &route.api.integration_headers;
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(header::USER_AGENT, added.user_agent.clone());
        headers.insert(X_AMZN_APIGATEWAY_API_ID, added.api_id.clone());
        headers
    };
    // AWS adds its trace header to every integration request; W3C's go along.
    state.trace.inject(&mut headers);
    for name in &mapped.removed_headers {
        headers.remove(name);
    }
    let mut last: Option<HeaderName> = None;
    for (name, value) in mapped.headers {
        // `HeaderMap::into_iter` yields the name only for the first of several values.
        let name = match name {
            Some(name) => {
                headers.remove(&name);
                last = Some(name.clone());
                name
            }
            None => match &last {
                Some(name) => name.clone(),
                None => continue,
            },
        };
        headers.append(name, value);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overwrite_path_keeps_origin() {
        let mut target = "http://127.0.0.1:9/a/b?x=1".to_owned();
        replace_path(&mut target, "/c");
        assert_eq!(target, "http://127.0.0.1:9/c");
        let mut bare = "http://h".to_owned();
        replace_path(&mut bare, "d");
        assert_eq!(bare, "http://h/d");
    }
}
