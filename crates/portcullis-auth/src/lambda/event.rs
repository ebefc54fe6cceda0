//! The events a Lambda authorizer function receives, one shape per
//! authorizer type and payload format, serialised straight from the
//! borrowed request.
//!
//! Maps of the 1.0 shapes (REST `REQUEST`, HTTP API 1.0) are always objects,
//! `{}` when empty, as the developer guide's examples show
//! (`"pathParameters": {}`); single-value maps hold the last value of a
//! repeated name, multi-value maps all of them. The 2.0 shape lower-cases
//! header names, joins repeated headers and parameters with `,`, moves
//! `Cookie` headers to `cookies`, and leaves out `cookies`,
//! `queryStringParameters`, `pathParameters` and `stageVariables` when they
//! would be empty, as 2.0 proxy events do. `identitySource` (and 1.0's copy
//! `authorizationToken`) is left out when the authorizer has no identity
//! sources.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, header};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::config::{Kind, PayloadFormat};
use super::request::{AuthorizerRequest, Identity, Params, header_value, query, value_text};

/// The event for an authorizer of `kind` and `format`, given the identity
/// already read from `request`.
pub(super) fn build(
    kind: &Kind,
    format: PayloadFormat,
    request: &AuthorizerRequest<'_>,
    identity: &Identity<'_>,
) -> Bytes {
    match (kind, format) {
        (Kind::Token { .. }, _) => to_bytes(&TokenEvent {
            kind: "TOKEN",
            authorization_token: identity.values.first().map_or("", |v| v.as_ref()),
            method_arn: request.method_arn,
        }),
        (Kind::Request { sources }, PayloadFormat::Rest | PayloadFormat::HttpV1) => {
            let http = format == PayloadFormat::HttpV1;
            let joined = (http && !sources.is_empty()).then(|| identity.values.join(","));
            let params = query(request.raw_query);
            let context = request.request_context.build();
            to_bytes(&RequestV1 {
                version: http.then_some("1.0"),
                kind: "REQUEST",
                method_arn: request.method_arn,
                identity_source: joined.as_deref(),
                authorization_token: joined.as_deref(),
                resource: request.resource,
                path: request.path,
                http_method: request.http_method,
                headers: Headers1 {
                    request,
                    all: false,
                },
                multi_value_headers: Headers1 { request, all: true },
                query_string_parameters: Last(&params),
                multi_value_query_string_parameters: &params,
                path_parameters: PathParams(request.path_parameters),
                stage_variables: request.stage_variables,
                request_context: &context,
            })
        }
        (Kind::Request { sources }, PayloadFormat::HttpV2 { .. }) => {
            let params = query(request.raw_query);
            let context = request.request_context.build();
            to_bytes(&RequestV2 {
                version: "2.0",
                kind: "REQUEST",
                route_arn: request.method_arn,
                identity_source: (!sources.is_empty()).then_some(&identity.values),
                route_key: request.route_key,
                raw_path: request.raw_path,
                raw_query_string: request.raw_query.unwrap_or(""),
                cookies: cookies(request.headers),
                headers: Headers2(request.headers),
                query_string_parameters: (!params.is_empty()).then_some(Joined(&params)),
                request_context: &context,
                path_parameters: (!request.path_parameters.is_empty())
                    .then_some(PathParams(request.path_parameters)),
                stage_variables: (!request.stage_variables.is_empty())
                    .then_some(request.stage_variables),
            })
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenEvent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    authorization_token: &'a str,
    method_arn: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestV1<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    #[serde(rename = "type")]
    kind: &'static str,
    method_arn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity_source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization_token: Option<&'a str>,
    resource: &'a str,
    path: &'a str,
    http_method: &'a str,
    headers: Headers1<'a>,
    multi_value_headers: Headers1<'a>,
    query_string_parameters: Last<'a>,
    multi_value_query_string_parameters: &'a Params<'a>,
    path_parameters: PathParams<'a>,
    stage_variables: &'a BTreeMap<String, String>,
    request_context: &'a serde_json::Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestV2<'a> {
    version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    route_arn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity_source: Option<&'a Vec<Cow<'a, str>>>,
    route_key: &'a str,
    raw_path: &'a str,
    raw_query_string: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cookies: Vec<&'a str>,
    headers: Headers2<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_string_parameters: Option<Joined<'a>>,
    request_context: &'a serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_parameters: Option<PathParams<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage_variables: Option<&'a BTreeMap<String, String>>,
}

/// 1.0 headers, spelled as the client did: the last value of each, or all.
struct Headers1<'a> {
    request: &'a AuthorizerRequest<'a>,
    all: bool,
}

impl Serialize for Headers1<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let headers = self.request.headers;
        let mut map = serializer.serialize_map(Some(headers.keys_len()))?;
        for name in headers.keys() {
            let spelled = spell(name, self.request.header_names);
            if self.all {
                let values: Vec<Cow<'_, str>> =
                    headers.get_all(name).iter().map(value_text).collect();
                map.serialize_entry(&spelled, &values)?;
            } else {
                map.serialize_entry(&spelled, &header_value(headers, name, false))?;
            }
        }
        map.end()
    }
}

/// 2.0 headers: lower-case names, repeated values joined, cookies apart.
struct Headers2<'a>(&'a HeaderMap);

impl Serialize for Headers2<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for name in self.0.keys().filter(|n| *n != header::COOKIE) {
            map.serialize_entry(name.as_str(), &header_value(self.0, name, true))?;
        }
        map.end()
    }
}

/// Each `Cookie` header split on `"; "`, as 2.0 events list cookies.
fn cookies(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split("; "))
        .filter(|c| !c.is_empty())
        .collect()
}

/// The spelling of `name` in a 1.0 event: as the client wrote it, else
/// title-cased.
fn spell<'a>(name: &'a HeaderName, original: &[&'a str]) -> Cow<'a, str> {
    if let Some(found) = original
        .iter()
        .find(|o| o.eq_ignore_ascii_case(name.as_str()))
    {
        return Cow::Borrowed(found);
    }
    let mut out = String::with_capacity(name.as_str().len());
    let mut word_start = true;
    for c in name.as_str().chars() {
        out.push(if word_start {
            c.to_ascii_uppercase()
        } else {
            c
        });
        word_start = c == '-';
    }
    Cow::Owned(out)
}

/// Query parameters with the last value of each name.
struct Last<'a>(&'a Params<'a>);

impl Serialize for Last<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .filter_map(|(name, values)| Some((name, values.last()?))),
        )
    }
}

/// Query parameters with each name's values joined with `,`.
struct Joined<'a>(&'a Params<'a>);

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, values)| (name, values.join(","))))
    }
}

struct PathParams<'a>(&'a [(&'a str, &'a str)]);

impl Serialize for PathParams<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (*name, *value)))
    }
}

/// Serialises an event of strings and borrowed JSON values, which cannot
/// fail to write into a `Vec`; should it ever, the event is `{}` and the
/// function sees that.
fn to_bytes(event: &impl Serialize) -> Bytes {
    let mut out = Vec::with_capacity(1024);
    match serde_json::to_writer(&mut out, event) {
        Ok(()) => Bytes::from(out),
        Err(_) => Bytes::from_static(b"{}"),
    }
}
