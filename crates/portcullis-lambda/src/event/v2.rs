//! Payload format 2.0 (HTTP APIs).
//!
//! Differences from 1.0, per the developer guide and events AWS generated:
//! header names are lower-case and repeated headers are joined with `,`;
//! repeated query parameters are joined with `,` too; there are no
//! multi-value maps; `Cookie` headers become the `cookies` array (each
//! header split on `"; "`) and are not repeated in `headers`; absent
//! `cookies`, `queryStringParameters`, `pathParameters`, `stageVariables` and
//! `body` are omitted rather than `null`; `rawQueryString` is always present
//! (`""` without a query).

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderMap, header};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::headers;
use super::query::{self, Params};
use super::{ClientCertJson, PathParams, ProxyRequest, non_empty};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    version: &'static str,
    route_key: &'a str,
    raw_path: &'a str,
    raw_query_string: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cookies: Vec<Cow<'a, str>>,
    headers: JoinedHeaders<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_string_parameters: Option<JoinedParams<'a, 'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_parameters: Option<PathParams<'a>>,
    request_context: Context<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage_variables: Option<&'a BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Cow<'a, str>>,
    is_base64_encoded: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Context<'a> {
    account_id: &'a str,
    api_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authentication: Option<Authentication<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorizer: Option<&'a serde_json::Value>,
    domain_name: &'a str,
    domain_prefix: &'a str,
    http: Http<'a>,
    request_id: &'a str,
    route_key: &'a str,
    stage: &'a str,
    time: String,
    time_epoch: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Authentication<'a> {
    client_cert: ClientCertJson<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Http<'a> {
    method: &'a str,
    path: &'a str,
    protocol: &'a str,
    source_ip: &'a str,
    user_agent: Cow<'a, str>,
}

/// Builds and serialises the 2.0 event.
pub(super) fn serialise(request: &ProxyRequest<'_>) -> Bytes {
    let params = query::parse(request.raw_query);
    let event = Event {
        version: "2.0",
        route_key: request.route_key,
        raw_path: request.path,
        raw_query_string: request.raw_query.unwrap_or(""),
        cookies: cookies(request.headers),
        headers: JoinedHeaders(request.headers),
        query_string_parameters: non_empty(params.is_empty(), JoinedParams(&params)),
        path_parameters: non_empty(
            request.path_parameters.is_empty(),
            PathParams(request.path_parameters),
        ),
        request_context: context(request),
        stage_variables: non_empty(request.stage_variables.is_empty(), request.stage_variables),
        body: super::body_text(request),
        is_base64_encoded: super::is_base64(request),
    };
    super::to_bytes(&event)
}

/// `requestContext` of the 2.0 event.
pub(super) fn context<'a>(request: &ProxyRequest<'a>) -> Context<'a> {
    let ctx = &request.context;
    Context {
        account_id: ctx.account_id,
        api_id: ctx.api_id,
        authentication: ctx
            .identity
            .client_cert
            .as_ref()
            .map(|cert| Authentication {
                client_cert: cert.into(),
            }),
        authorizer: ctx.authorizer,
        domain_name: ctx.domain_name,
        domain_prefix: ctx.domain_prefix,
        http: Http {
            method: request.method,
            path: request.path,
            protocol: ctx.protocol,
            source_ip: ctx.identity.source_ip,
            user_agent: headers::first(request.headers, &header::USER_AGENT)
                .unwrap_or(Cow::Borrowed("")),
        },
        request_id: ctx.request_id,
        route_key: request.route_key,
        stage: ctx.stage,
        time: super::format_request_time(ctx.request_time_epoch),
        time_epoch: ctx.request_time_epoch,
    }
}

/// Every cookie of every `Cookie` header, each header split on `"; "` (the
/// separator RFC 6265 has clients write; a bare `;` is not split, matching
/// API Gateway according to emulators that compared).
fn cookies(map: &HeaderMap) -> Vec<Cow<'_, str>> {
    let mut out = Vec::new();
    for value in map.get_all(header::COOKIE) {
        match headers::value_text(value) {
            Cow::Borrowed(text) => {
                out.extend(
                    text.split("; ")
                        .filter(|c| !c.is_empty())
                        .map(Cow::Borrowed),
                );
            }
            Cow::Owned(text) => out.extend(
                text.split("; ")
                    .filter(|c| !c.is_empty())
                    .map(|c| Cow::Owned(c.to_owned())),
            ),
        }
    }
    out
}

/// `headers`: lower-case names, repeated values joined with `,`, without
/// `Cookie` (which `cookies` carries).
struct JoinedHeaders<'a>(&'a HeaderMap);

impl Serialize for JoinedHeaders<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(None)?;
        for name in self.0.keys().filter(|name| *name != header::COOKIE) {
            let mut values = self.0.get_all(name).iter().map(headers::value_text);
            let first = values.next().unwrap_or(Cow::Borrowed(""));
            let joined = values.fold(first, |mut acc, next| {
                let text = acc.to_mut();
                text.push(',');
                text.push_str(&next);
                acc
            });
            out.serialize_entry(name.as_str(), &joined)?;
        }
        out.end()
    }
}

/// `queryStringParameters`: repeated values joined with `,`.
struct JoinedParams<'p, 'a>(&'p Params<'a>);

impl Serialize for JoinedParams<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, values)| (name, values.join(","))))
    }
}
