//! The cache phases (REST stages with a cache): `lookup` after validation
//! answers from the stage's cache or lets the request through to its
//! backend; `keep` stores what the backend answered once mapped.
//!
//! A client's `Cache-Control: max-age=0` refreshes the entry when the
//! method lets it (`requireAuthorizationForCacheControl` off, or the IAM
//! caller may `execute-api:InvalidateCache`); otherwise the method's
//! `unauthorizedCacheControlHeaderStrategy` decides.

use std::ops::ControlFlow;
use std::time::Duration;

use http::{HeaderValue, Response};
use portcullis_auth::policy::Decision;
use portcullis_cache::{
    CacheKey, CachedResponse, Fill, FillingBody, Lookup, control::ResponseDirectives,
};

use super::Step;
use crate::body::ResponseBody;
use crate::config::{CacheKeyParameter, UnauthorizedCacheControl};
use crate::error::{Forbidden, GatewayError};
use crate::request::{Authorized, RequestState, Routed};
use crate::runtime::{AuthorizerPlan, RouteCaching, StageStore};

/// What `Warning` says when a client's `Cache-Control` was ignored
/// (`SUCCEED_WITH_RESPONSE_HEADER`; the wording is Portcullis's).
const IGNORED_WARNING: &str =
    "199 - \"Cache-Control: max-age=0 was ignored: the caller may not invalidate the cache\"";

/// A missed request on its way to the backend: what `keep` needs.
pub(super) struct Pending {
    fill: Fill<StageStore>,
    ttl: Duration,
    backend_cache_control: bool,
    /// Add the `Warning` header to the answer.
    warn: bool,
}

/// Looks the request up in its stage's cache. `Continue(None)`: the route
/// is not cached for this request.
pub(super) async fn lookup(route: &Routed<'_>, state: &RequestState<'_>) -> Step<Option<Pending>> {
    let Some(stage_cache) = &route.stage.cache else {
        return Ok(ControlFlow::Continue(None));
    };
    let Some(caching) = stage_cache.route(route.plan.index, &state.parts.method) else {
        return Ok(ControlFlow::Continue(None));
    };
    let key = key(&stage_cache.partition, route, state);
    let mut warn = false;
    if portcullis_cache::control::requests_refresh(&state.parts.headers) {
        if may_invalidate(caching, route, state) {
            return Ok(ControlFlow::Continue(Some(pending(
                stage_cache.cache.refresh(key),
                caching,
                false,
            ))));
        }
        match caching.settings.unauthorized {
            UnauthorizedCacheControl::FailWith403 => {
                return Err(refused(route, state));
            }
            UnauthorizedCacheControl::SucceedWithResponseHeader => warn = true,
            UnauthorizedCacheControl::SucceedWithoutResponseHeader => {}
        }
    }
    match stage_cache.cache.lookup(key).await {
        Lookup::Hit(entry) => Ok(ControlFlow::Break(answer(&entry, warn))),
        Lookup::Miss(fill) => Ok(ControlFlow::Continue(Some(pending(fill, caching, warn)))),
    }
}

fn pending(fill: Fill<StageStore>, caching: &RouteCaching, warn: bool) -> Pending {
    Pending {
        fill,
        ttl: caching.settings.ttl,
        backend_cache_control: caching.settings.backend_cache_control,
        warn,
    }
}

/// Keeps `response` (when it may be kept) and returns it to be sent; the
/// body streams on while it is recorded.
pub(super) fn keep(pending: Pending, response: Response<ResponseBody>) -> Response<ResponseBody> {
    let warn = pending.warn;
    let mut response = store(pending, response);
    if warn {
        add_warning(&mut response);
    }
    response
}

fn store(pending: Pending, response: Response<ResponseBody>) -> Response<ResponseBody> {
    // A failing backend's answer is never kept (API Gateway keeps it; a
    // gateway serving an outage from its cache for five minutes helps no one).
    // Dropping the fill releases the requests waiting for it.
    if response.status().is_server_error() {
        return response;
    }
    let ttl = if pending.backend_cache_control {
        match ResponseDirectives::from_headers(response.headers()).ttl(pending.ttl) {
            Some(ttl) => ttl,
            None => return response,
        }
    } else {
        pending.ttl
    };
    let (parts, body) = response.into_parts();
    let headers = parts.headers.clone();
    let body = match body.into_buffered() {
        Ok(bytes) => {
            let entry = CachedResponse {
                status: parts.status,
                headers,
                body: bytes.clone(),
            };
            pending.fill.complete(entry, ttl);
            ResponseBody::new(bytes)
        }
        Err(stream) => ResponseBody::stream(FillingBody::new(
            stream,
            pending.fill,
            parts.status,
            headers,
            ttl,
        )),
    };
    Response::from_parts(parts, body)
}

/// The answer from a cache entry: its status, headers and body (shared, not copied).
fn answer(entry: &CachedResponse, warn: bool) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::new(entry.body.clone()));
    *response.status_mut() = entry.status;
    *response.headers_mut() = entry.headers.clone();
    if warn {
        add_warning(&mut response);
    }
    response
}

fn add_warning(response: &mut Response<ResponseBody>) {
    response.headers_mut().append(
        http::header::WARNING,
        HeaderValue::from_static(IGNORED_WARNING),
    );
}

/// The request's key: its stage, HTTP method, namespace (the resource, or
/// `cacheNamespace`) and each cache key parameter's value.
fn key(partition: &str, route: &Routed<'_>, state: &RequestState<'_>) -> CacheKey {
    let plan = &route.plan.cache_key;
    let mut key = CacheKey::builder(partition)
        .text(state.parts.method.as_str())
        .text(&plan.namespace);
    for parameter in &plan.parameters {
        key = match parameter {
            CacheKeyParameter::Path(name) => key.part(route.params.get(name).map(str::as_bytes)),
            CacheKeyParameter::QueryString(name) => {
                // The last value, as `method.request.querystring` maps it.
                key.part(query_values(state, name).last().map(str::as_bytes))
            }
            CacheKeyParameter::MultiValueQueryString(name) => {
                key.values(query_values(state, name).map(str::as_bytes))
            }
            CacheKeyParameter::Header(name) => key.part(
                state
                    .parts
                    .headers
                    .get(name.as_str())
                    .map(HeaderValue::as_bytes),
            ),
            CacheKeyParameter::MultiValueHeader(name) => key.values(
                state
                    .parts
                    .headers
                    .get_all(name.as_str())
                    .iter()
                    .map(HeaderValue::as_bytes),
            ),
        };
    }
    key.build()
}

fn query_values<'a>(state: &RequestState<'a>, name: &'a str) -> impl Iterator<Item = &'a str> {
    state
        .query_pairs()
        .filter(move |(key, _)| portcullis_router::percent_decode_query(key) == name)
        .map(|(_, value)| value)
}

/// Whether the caller may invalidate: always when the method does not
/// require it; otherwise only an IAM caller whose policies allow
/// `execute-api:InvalidateCache` on the method.
fn may_invalidate(caching: &RouteCaching, route: &Routed<'_>, state: &RequestState<'_>) -> bool {
    if !caching.settings.require_authorization {
        return true;
    }
    let Some(Authorized::Iam { access_key, .. }) = &state.authorizer else {
        return false;
    };
    let Some(AuthorizerPlan::Iam(iam)) =
        route.plan.authorize.as_ref().map(|a| a.authorizer.as_ref())
    else {
        return false;
    };
    let Some(identity) = iam.identity(access_key) else {
        return false;
    };
    let method_arn = route.method_arn(state.parts.method.as_str());
    identity.decide("execute-api:InvalidateCache", &method_arn) == Decision::Allow
}

/// `FAIL_WITH_403`: API Gateway's access-denied answer.
fn refused(route: &Routed<'_>, state: &RequestState<'_>) -> GatewayError {
    let who = match &state.authorizer {
        Some(Authorized::Iam { principal_arn, .. }) => principal_arn.as_str(),
        _ => "anonymous",
    };
    let method_arn = route.method_arn(state.parts.method.as_str());
    GatewayError::Forbidden(Box::new(Forbidden {
        response_type: "ACCESS_DENIED",
        error_type: "AccessDeniedException",
        message: format!(
            "User: {who} is not authorized to perform: execute-api:InvalidateCache on resource: {method_arn}"
        ),
        message_key: "message",
    }))
}
