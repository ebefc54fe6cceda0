//! Payload format 1.0: REST APIs and HTTP APIs configured for `1.0`.
//!
//! The two differ only in small ways, each seen in events AWS generated:
//! HTTP APIs add `"version": "1.0"`, report the route key as
//! `requestContext.resourceId`, add `identity.cognitoAmr: null`, send
//! `userAgent: ""` rather than `null` without a `User-Agent`, and have no
//! `deploymentId`.
//!
//! Absent maps are `null`, never `{}`: `headers`, `multiValueHeaders`,
//! `queryStringParameters`, `multiValueQueryStringParameters`,
//! `pathParameters`, `stageVariables`, and `body` for an empty body.
//! Single-value maps hold the *last* value of a repeated name (AWS-recorded:
//! `price=10&price=20&price=30` gives `"price": "30"`); multi-value maps hold
//! all values in request order.

use std::borrow::Cow;
use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderMap, header};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::headers::{self, HeaderCase};
use super::query::{self, Params};
use super::{ClientCertJson, PathParams, ProxyRequest, non_empty};

/// Which API sends the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Rest,
    Http,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    resource: &'a str,
    path: &'a str,
    http_method: &'a str,
    headers: Option<LastHeaders<'a>>,
    multi_value_headers: Option<AllHeaders<'a>>,
    query_string_parameters: Option<LastParams<'a, 'a>>,
    multi_value_query_string_parameters: Option<&'a Params<'a>>,
    path_parameters: Option<PathParams<'a>>,
    stage_variables: Option<&'a BTreeMap<String, String>>,
    request_context: Context<'a>,
    body: Option<Cow<'a, str>>,
    is_base64_encoded: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Context<'a> {
    account_id: &'a str,
    api_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorizer: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deployment_id: Option<&'a str>,
    domain_name: &'a str,
    domain_prefix: &'a str,
    extended_request_id: &'a str,
    http_method: &'a str,
    identity: Identity<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation_name: Option<&'a str>,
    path: &'a str,
    protocol: &'a str,
    request_id: &'a str,
    request_time: String,
    request_time_epoch: u64,
    resource_id: Option<&'a str>,
    resource_path: &'a str,
    stage: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identity<'a> {
    access_key: Option<&'a str>,
    account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key_id: Option<&'a str>,
    caller: Option<&'a str>,
    /// HTTP APIs send `"cognitoAmr": null`; REST omits the key. `Some(None)`
    /// writes the `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    cognito_amr: Option<Option<()>>,
    cognito_authentication_provider: Option<&'a str>,
    cognito_authentication_type: Option<&'a str>,
    cognito_identity_id: Option<&'a str>,
    cognito_identity_pool_id: Option<&'a str>,
    principal_org_id: Option<&'a str>,
    source_ip: &'a str,
    user: Option<&'a str>,
    user_agent: Option<Cow<'a, str>>,
    user_arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_cert: Option<ClientCertJson<'a>>,
}

/// Builds and serialises the 1.0 event.
pub(super) fn serialise(request: &ProxyRequest<'_>, api: Api) -> Bytes {
    let params = query::parse(request.raw_query);
    let event = Event {
        version: (api == Api::Http).then_some("1.0"),
        resource: request.resource,
        path: request.path,
        http_method: request.method,
        headers: non_empty(
            request.headers.is_empty(),
            LastHeaders {
                map: request.headers,
                case: request.header_case,
            },
        ),
        multi_value_headers: non_empty(
            request.headers.is_empty(),
            AllHeaders {
                map: request.headers,
                case: request.header_case,
            },
        ),
        query_string_parameters: non_empty(params.is_empty(), LastParams(&params)),
        multi_value_query_string_parameters: non_empty(params.is_empty(), &params),
        path_parameters: non_empty(
            request.path_parameters.is_empty(),
            PathParams(request.path_parameters),
        ),
        stage_variables: non_empty(request.stage_variables.is_empty(), request.stage_variables),
        request_context: context(request, api),
        body: super::body_text(request),
        is_base64_encoded: super::is_base64(request),
    };
    super::to_bytes(&event)
}

/// `requestContext` of the 1.0 event.
pub(super) fn context<'a>(request: &ProxyRequest<'a>, api: Api) -> Context<'a> {
    let ctx = &request.context;
    let id = &ctx.identity;
    let user_agent = headers::first(request.headers, &header::USER_AGENT);
    Context {
        account_id: ctx.account_id,
        api_id: ctx.api_id,
        authorizer: ctx.authorizer,
        deployment_id: if api == Api::Rest {
            ctx.deployment_id
        } else {
            None
        },
        domain_name: ctx.domain_name,
        domain_prefix: ctx.domain_prefix,
        extended_request_id: ctx.extended_request_id,
        http_method: request.method,
        identity: Identity {
            access_key: id.access_key,
            account_id: id.account_id,
            api_key: id.api_key,
            api_key_id: id.api_key_id,
            caller: id.caller,
            cognito_amr: (api == Api::Http).then_some(None),
            cognito_authentication_provider: id.cognito_authentication_provider,
            cognito_authentication_type: id.cognito_authentication_type,
            cognito_identity_id: id.cognito_identity_id,
            cognito_identity_pool_id: id.cognito_identity_pool_id,
            principal_org_id: id.principal_org_id,
            source_ip: id.source_ip,
            user: id.user,
            user_agent: match api {
                Api::Rest => user_agent,
                Api::Http => Some(user_agent.unwrap_or(Cow::Borrowed(""))),
            },
            user_arn: id.user_arn,
            client_cert: id.client_cert.as_ref().map(ClientCertJson::from),
        },
        operation_name: if api == Api::Rest {
            ctx.operation_name
        } else {
            None
        },
        path: ctx.path,
        protocol: ctx.protocol,
        request_id: ctx.request_id,
        request_time: super::format_request_time(ctx.request_time_epoch),
        request_time_epoch: ctx.request_time_epoch,
        resource_id: match api {
            Api::Rest => ctx.resource_id,
            Api::Http => Some(request.route_key),
        },
        resource_path: request.resource,
        stage: ctx.stage,
    }
}

/// `headers`: each name with its last value.
struct LastHeaders<'a> {
    map: &'a HeaderMap,
    case: HeaderCase<'a>,
}

impl Serialize for LastHeaders<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(self.map.keys_len()))?;
        for name in self.map.keys() {
            if let Some(last) = self.map.get_all(name).iter().next_back() {
                out.serialize_entry(&self.case.spell(name), &headers::value_text(last))?;
            }
        }
        out.end()
    }
}

/// `multiValueHeaders`: each name with all its values.
struct AllHeaders<'a> {
    map: &'a HeaderMap,
    case: HeaderCase<'a>,
}

impl Serialize for AllHeaders<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(self.map.keys_len()))?;
        for name in self.map.keys() {
            let values: Vec<_> = self
                .map
                .get_all(name)
                .iter()
                .map(headers::value_text)
                .collect();
            out.serialize_entry(&self.case.spell(name), &values)?;
        }
        out.end()
    }
}

/// `queryStringParameters`: each name with its last value.
struct LastParams<'p, 'a>(&'p Params<'a>);

impl Serialize for LastParams<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .filter_map(|(name, values)| Some((name, values.last()?))),
        )
    }
}
