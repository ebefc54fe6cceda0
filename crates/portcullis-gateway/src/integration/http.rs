//! HTTP integrations: `http_proxy` forwards the request and returns the
//! backend's answer; non-proxy `http` sends only what is mapped and answers
//! through integration responses.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, Uri, header};
use http_body_util::{BodyExt, Full, Limited};

use super::mapping::{self, MappedRequest};
use super::{MAX_PAYLOAD, finish_method_response};
use crate::config::{ApiType, MappingOp};
use crate::context::RequestContext;
use crate::respond::{Body, GatewayError};
use crate::runtime::HttpPlan;
use crate::upstream::{UpstreamClient, append_forwarded_for, strip_hop_by_hop};

/// Calls the backend of `plan`.
pub async fn call(
    plan: &HttpPlan,
    ctx: &RequestContext<'_>,
    body: Bytes,
    upstream: &UpstreamClient,
) -> Result<Response<Body>, GatewayError> {
    let mapped = mapping::apply(&plan.mappings, ctx, &body);
    let uri = target_uri(plan, ctx, &mapped).ok_or(GatewayError::IntegrationFailure)?;
    let body = if plan.proxy {
        body
    } else {
        super::request_payload(&plan.request_body, plan.content_handling, ctx, body)?
    };
    let method = plan
        .method
        .clone()
        .unwrap_or_else(|| ctx.parts.method.clone());
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Full::new(body))
        .map_err(|_| GatewayError::IntegrationFailure)?;
    *request.headers_mut() = outgoing_headers(plan.proxy, ctx, mapped);

    let exchange = async {
        let response = upstream.send(request, plan.timeout).await.map_err(|e| {
            tracing::warn!(request_id = ctx.ids.request_id(), error = %e, "integration request failed");
            if e.is_timeout() { GatewayError::IntegrationTimeout } else { GatewayError::IntegrationFailure }
        })?;
        let (head, incoming) = response.into_parts();
        let body = Limited::new(incoming, MAX_PAYLOAD)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    GatewayError::IntegrationResponseTooLarge
                } else {
                    GatewayError::IntegrationFailure
                }
            })?
            .to_bytes();
        Ok::<_, GatewayError>((head, body))
    };
    let (head, backend_body) = tokio::time::timeout(plan.timeout, exchange)
        .await
        .map_err(|_| GatewayError::IntegrationTimeout)??;

    if plan.proxy {
        let mut response = Response::from_parts(head, Full::new(backend_body.clone()));
        strip_hop_by_hop(response.headers_mut());
        response.headers_mut().remove(header::CONTENT_LENGTH);
        if ctx.api.api_type == ApiType::Rest {
            super::remap_reserved(response.headers_mut());
        } else if let Some(mapping) = plan
            .response_mappings
            .iter()
            .find(|m| m.status == response.status().as_u16())
        {
            mapping::apply_response(&mapping.mappings, ctx, &mut response, &backend_body);
        }
        return Ok(response);
    }
    let status = head.status.as_str().to_owned();
    let selected = plan
        .responses
        .select(&status)
        .ok_or(GatewayError::ConfigurationError)?;
    finish_method_response(selected, ctx, Some(&head.headers), backend_body)
}

/// The integration URL: the URI template filled in, plus the path and query the API type forwards.
fn target_uri(plan: &HttpPlan, ctx: &RequestContext<'_>, mapped: &MappedRequest) -> Option<Uri> {
    let mut target = String::with_capacity(128);
    let rest = ctx.api.api_type == ApiType::Rest;
    plan.uri.render(
        &mut target,
        |name| ctx.stage.variables.get(name).map(String::as_str),
        |name| {
            mapped
                .path_parameters
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                // HTTP APIs fill placeholders from the route; REST needs a mapping, but an
                // unmapped placeholder named like a path parameter is filled the same way.
                .or_else(|| ctx.params.get(name))
        },
    );
    if let Some(path) = &mapped.path {
        replace_path(&mut target, path);
    } else if !rest && plan.uri.bare_origin {
        // HTTP APIs forward the request path to a bare origin.
        let trimmed = target.trim_end_matches('/').len();
        target.truncate(trimmed);
        target.push_str(ctx.api_path);
    }
    let mut query: Vec<(String, String)> = Vec::new();
    if plan.proxy {
        query.extend(ctx.query_pairs().map(|(k, v)| (k.to_owned(), v.to_owned())));
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
    target.parse().ok()
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

fn outgoing_headers(proxy: bool, ctx: &RequestContext<'_>, mapped: MappedRequest) -> HeaderMap {
    let mut headers = if proxy {
        let mut headers = ctx.parts.headers.clone();
        strip_hop_by_hop(&mut headers);
        headers.remove(header::HOST);
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::EXPECT);
        append_forwarded_for(&mut headers, ctx.peer.ip());
        headers.insert("x-forwarded-proto", HeaderValue::from_static(ctx.scheme));
        headers.insert("x-forwarded-port", HeaderValue::from(ctx.local_port));
        headers
    } else {
        let mut headers = HeaderMap::new();
        if let Some(ct) = ctx.parts.headers.get(header::CONTENT_TYPE) {
            headers.insert(header::CONTENT_TYPE, ct.clone());
        }
        headers
    };
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
