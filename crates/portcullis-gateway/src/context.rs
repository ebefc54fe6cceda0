//! The per-request context that travels through the phases.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use http::request::Parts;
use portcullis_router::Params;

use crate::respond::RequestIds;
use crate::runtime::{CompiledApi, CompiledStage, RoutePlan};

/// What the phases know about one request once it is routed.
#[derive(Debug)]
pub struct RequestContext<'a> {
    /// Request ids.
    pub ids: &'a RequestIds,
    /// The request head.
    pub parts: &'a Parts,
    /// The API serving it.
    pub api: &'a CompiledApi,
    /// Its stage.
    pub stage: &'a CompiledStage,
    /// The route's plan.
    pub plan: &'a Arc<RoutePlan>,
    /// Path parameters, undecoded, as the client sent them.
    pub params: &'a Params<'a, 'a>,
    /// The path the API routed (after base path and stage).
    pub api_path: &'a str,
    /// The host the client asked for, without port.
    pub host: Option<&'a str>,
    /// The client's address.
    pub peer: SocketAddr,
    /// `https` or `http`.
    pub scheme: &'static str,
    /// The local port the request arrived on.
    pub local_port: u16,
    /// Milliseconds since the epoch when the request arrived.
    pub request_time_epoch: u128,
}

impl RequestContext<'_> {
    /// The query string's `(name, value)` pairs, undecoded, as the client sent them.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        query_pairs(self.parts.uri.query())
    }

    /// A `$context` variable, by name (without the `context.` prefix).
    pub fn variable(&self, name: &str) -> Option<Cow<'_, str>> {
        Some(match name {
            "requestId" => Cow::Borrowed(self.ids.request_id()),
            "extendedRequestId" => Cow::Borrowed(self.ids.extended_id()),
            "apiId" => Cow::Borrowed(self.api.id.as_str()),
            "stage" => Cow::Borrowed(self.stage.name.as_str()),
            "resourcePath" => Cow::Borrowed(self.plan.resource.as_str()),
            "routeKey" => Cow::Borrowed(self.plan.route_key.as_str()),
            "httpMethod" => Cow::Borrowed(self.parts.method.as_str()),
            "path" => Cow::Borrowed(self.parts.uri.path()),
            "protocol" => Cow::Borrowed(match self.parts.version {
                http::Version::HTTP_2 => "HTTP/2.0",
                http::Version::HTTP_10 => "HTTP/1.0",
                _ => "HTTP/1.1",
            }),
            "domainName" => Cow::Borrowed(self.host.unwrap_or("localhost")),
            "domainPrefix" => Cow::Borrowed(
                self.host
                    .unwrap_or("localhost")
                    .split('.')
                    .next()
                    .unwrap_or(""),
            ),
            "identity.sourceIp" => Cow::Owned(self.peer.ip().to_string()),
            "identity.userAgent" => Cow::Borrowed(
                self.parts
                    .headers
                    .get(http::header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            ),
            "requestTimeEpoch" => Cow::Owned(self.request_time_epoch.to_string()),
            _ => return None,
        })
    }
}

/// `(name, value)` pairs of a raw query string, undecoded; empty pairs skipped.
pub fn query_pairs(query: Option<&str>) -> impl Iterator<Item = (&str, &str)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}
