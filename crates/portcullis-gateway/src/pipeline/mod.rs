//! The request pipeline: select API and stage → route → check limits → read the
//! body → integrate → respond. Every failure becomes an AWS answer in
//! [`crate::respond::render`].
//!
//! Seams for the later phases (auth, throttle, validate, cache, mapping) sit
//! between routing and integration, on the compiled [`RoutePlan`](crate::runtime::RoutePlan).

mod limits;
mod validation;

pub use crate::context::RequestContext;
pub use limits::{MAX_HEADER_BYTES, MAX_METHOD_ARN, MAX_URL_LENGTH};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};

use crate::config::ApiType;
use crate::integration::{self, MAX_PAYLOAD};
use crate::respond::{self, Body, GatewayError, RequestIds};
use crate::runtime::{Gateway, IntegrationPlan, Selection};
use crate::upstream::UpstreamClient;

static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Where a connection came from and arrived.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    /// The client's address.
    pub peer: SocketAddr,
    /// The local address the connection arrived on.
    pub local: SocketAddr,
    /// Whether the connection is TLS.
    pub tls: bool,
}

/// How long a client may take to send a request body, by default.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves requests against the current [`Gateway`]; cheap to clone.
#[derive(Clone)]
pub struct Pipeline {
    gateway: Arc<ArcSwap<Gateway>>,
    upstream: UpstreamClient,
    body_timeout: Duration,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline").finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline serving whatever `gateway` holds at the time each request arrives.
    pub fn new(gateway: Arc<ArcSwap<Gateway>>, upstream: UpstreamClient) -> Self {
        Self {
            gateway,
            upstream,
            body_timeout: BODY_READ_TIMEOUT,
        }
    }

    /// Sets how long a client may take to send its body before it gets 408
    /// (a bound on trickled bodies; default [`BODY_READ_TIMEOUT`]).
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Serves one request. Never fails: errors are AWS responses.
    pub async fn handle<B>(&self, request: Request<B>, connection: Connection) -> Response<Body>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let started = Instant::now();
        // A request keeps the config it started with, even across a reload.
        let gateway = self.gateway.load_full();
        let (parts, body) = request.into_parts();
        let ids = RequestIds::generate(parts.headers.get("x-amzn-requestid"));
        let host = host_of(&parts);
        let selection = gateway.select(host, parts.uri.path());
        let stage_variables = match &selection {
            Selection::Api { stage, .. } => Some(&stage.variables),
            _ => None,
        };
        let (api_type, custom) = match &selection {
            Selection::Api { api, .. } | Selection::Miss(Some(api)) => {
                (api.api_type, Some(&api.gateway_responses))
            }
            _ => (ApiType::Rest, None),
        };
        let head = limits::check_head(&parts);
        // The match outlives the route's work so that an error answer can read its path parameters.
        let matched = match (&head, &selection) {
            (Ok(()), Selection::Api { api, path, .. }) => api.route(parts.method.as_str(), path),
            _ => None,
        };
        let outcome = match head {
            Err(error) => Err(error),
            Ok(()) => match (&selection, &matched) {
                (Selection::HealthCheck, _) => Ok(health()),
                (Selection::Miss(_), _) => Err(GatewayError::NoApi),
                (Selection::Api { api, .. }, None) if api.api_type == ApiType::Http => {
                    Err(GatewayError::RouteNotFound)
                }
                (Selection::Api { .. }, None) => Err(GatewayError::MissingAuthenticationToken),
                (Selection::Api { api, stage, path }, Some(matched)) => {
                    let ctx = RequestContext {
                        ids: &ids,
                        parts: &parts,
                        api,
                        stage,
                        plan: matched.value,
                        params: &matched.params,
                        api_path: path,
                        host,
                        peer: connection.peer,
                        scheme: if connection.tls { "https" } else { "http" },
                        local_port: connection.local.port(),
                        request_time_epoch: SystemTime::now()
                            .duration_since(UNIX_EPOCH)
                            .map_or(0, |d| d.as_millis()),
                    };
                    self.serve_route(&ctx, body).await
                }
            },
        };
        let mut response = match outcome {
            Ok(response) => response,
            Err(error) => {
                let request = respond::ErrorRequest {
                    parts: Some(&parts),
                    path_params: matched.as_ref().map(|m| &m.params),
                    stage_variables,
                    ids: &ids,
                };
                respond::render(error, api_type, custom, &request)
            }
        };
        finish(&mut response, api_type, &ids);
        tracing::info!(
            target: "portcullis::access",
            request_id = ids.request_id(),
            method = %parts.method,
            path = parts.uri.path(),
            status = response.status().as_u16(),
            latency_us = started.elapsed().as_micros() as u64,
            "request"
        );
        response
    }

    async fn serve_route<B>(
        &self,
        ctx: &RequestContext<'_>,
        body: B,
    ) -> Result<Response<Body>, GatewayError>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        if ctx.plan.authorization_enabled
            && limits::method_arn_len(
                &ctx.api.id,
                &ctx.stage.name,
                ctx.parts.method.as_str(),
                ctx.api_path,
            ) > MAX_METHOD_ARN
        {
            return Err(GatewayError::UriTooLong);
        }
        // Phase seams: authorize and throttle plug in here; cache after validation.
        let body = tokio::time::timeout(self.body_timeout, read_body(&ctx.parts.headers, body))
            .await
            .map_err(|_| GatewayError::RequestTimeout)??;
        if let Some(validation) = &ctx.plan.validation {
            validation::check(validation, ctx, &body)?;
        }
        match &ctx.plan.integration {
            IntegrationPlan::Mock(plan) => integration::respond_mock(plan, ctx, &body),
            IntegrationPlan::Http(plan) => {
                integration::call_http(plan, ctx, body, &self.upstream).await
            }
            IntegrationPlan::Lambda(plan) => integration::call_lambda(plan, ctx, body).await,
        }
    }
}

/// Reads the whole body, refusing more than AWS's 10 MB before reading it when the length is declared.
async fn read_body<B>(headers: &http::HeaderMap, body: B) -> Result<Bytes, GatewayError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_PAYLOAD as u64) {
        return Err(GatewayError::RequestTooLarge);
    }
    match Limited::new(body, MAX_PAYLOAD).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(GatewayError::RequestTooLarge),
        // The client broke the body off (reset, bad chunking): a client error, never a 5xx.
        Err(_) => Err(GatewayError::BadRequest),
    }
}

/// The host the client asked for, without port.
fn host_of(parts: &http::request::Parts) -> Option<&str> {
    let host = parts.uri.host().or_else(|| {
        parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
    })?;
    if host.starts_with('[') {
        // An IPv6 literal: keep up to the closing bracket.
        return host.find(']').map(|end| &host[..=end]);
    }
    Some(match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    })
}

/// The answer on a custom domain's reserved health-check paths.
fn health() -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"{\"status\":\"healthy\"}")));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, APPLICATION_JSON.clone());
    response
}

/// Headers every response carries.
fn finish(response: &mut Response<Body>, api_type: ApiType, ids: &RequestIds) {
    let no_content = response.status() == StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    // AWS includes a Content-Type on every integration response: application/json by default.
    if !no_content && !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(header::CONTENT_TYPE, APPLICATION_JSON.clone());
    }
    ids.stamp(api_type, response.headers_mut());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, host: Option<&str>) -> http::request::Parts {
        let mut builder = Request::builder().uri(uri);
        if let Some(host) = host {
            builder = builder.header("host", host);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn host_without_port() {
        assert_eq!(
            host_of(&parts("/", Some("abc.execute-api.localhost:3000"))),
            Some("abc.execute-api.localhost")
        );
        assert_eq!(
            host_of(&parts("/", Some("example.test"))),
            Some("example.test")
        );
        assert_eq!(
            host_of(&parts("http://h.test:8080/x", None)),
            Some("h.test")
        );
        assert_eq!(host_of(&parts("/", None)), None);
        assert_eq!(host_of(&parts("/", Some("[::1]:3000"))), Some("[::1]"));
    }
}
