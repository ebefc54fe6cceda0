//! Proxy events: the JSON API Gateway sends a function for a request.
//!
//! Three shapes exist, chosen by the API type and the integration's
//! `payloadFormatVersion`:
//!
//! | function      | API       | format | spec                                      |
//! |---------------|-----------|--------|-------------------------------------------|
//! | [`rest_v1`]   | REST      | 1.0    | `set-up-lambda-proxy-integrations.md`     |
//! | [`http_v1`]   | HTTP      | 1.0    | `http-api-develop-integrations-lambda.md` |
//! | [`http_v2`]   | HTTP      | 2.0    | `http-api-develop-integrations-lambda.md` |
//!
//! The gateway describes the request once, neutrally and borrowed, as a
//! [`ProxyRequest`]; each function serialises straight to JSON bytes without
//! building an intermediate tree. Where the formats differ in what they report
//! (the path with or without the stage, path parameters encoded or decoded),
//! the *gateway* decides and passes what AWS would send: those fields document
//! the rule. Everything derivable from the request itself (parameter maps,
//! cookies, `userAgent`, `requestTime`) is derived here, so the shapes cannot
//! disagree with each other.

mod headers;
mod query;
mod time;
mod v1;
mod v2;

use std::collections::BTreeMap;

use bytes::Bytes;

pub use headers::HeaderCase;
pub use time::format_request_time;

/// A request, as the gateway hands it to [`rest_v1`], [`http_v1`] or [`http_v2`].
#[derive(Debug, Clone, Copy)]
pub struct ProxyRequest<'a> {
    /// The HTTP method (`GET`), as received.
    pub method: &'a str,
    /// 1.0 `resource` and `requestContext.resourcePath`: for REST the matched
    /// resource template (`/pets/{id}`, `/{proxy+}`); for HTTP APIs the matched
    /// route's path (`/pets/{id}` of route `GET /pets/{id}`). Unused by 2.0.
    pub resource: &'a str,
    /// HTTP APIs: the matched route key (`GET /pets/{id}`, `ANY /{proxy+}`,
    /// `$default`): 2.0 `routeKey`, and 1.0 `requestContext.resourceId`
    /// (AWS reports the route key there). Unused by REST.
    pub route_key: &'a str,
    /// The request path, still percent-encoded, as AWS reports it:
    /// REST `path` excludes the stage (`/pets/1`); HTTP APIs (1.0 `path`,
    /// 2.0 `rawPath` and `requestContext.http.path`) include a named stage
    /// (`/prod/pets/1`) but not `$default`. The gateway, which knows the stage
    /// and any custom-domain base path, builds it.
    pub path: &'a str,
    /// The query string as received (without `?`), undecoded; `None` without one.
    pub raw_query: Option<&'a str>,
    /// The request headers (including those the gateway adds, such as
    /// `X-Forwarded-For`, if it wants the function to see them).
    pub headers: &'a http::HeaderMap,
    /// How 1.0 events spell header names (2.0 lower-cases them).
    pub header_case: HeaderCase<'a>,
    /// Path parameters, as AWS passes them: REST as the client encoded them
    /// (`test%2Balias@gmail.com` stays encoded, per AWS-recorded events), HTTP
    /// APIs decoded. A greedy `{proxy+}` is named `proxy`. Empty when the
    /// resource or route has none (1.0 `null`, omitted in 2.0).
    pub path_parameters: &'a [(&'a str, &'a str)],
    /// The stage's variables (1.0 `null` / omitted in 2.0 when empty).
    pub stage_variables: &'a BTreeMap<String, String>,
    /// The request body, as received.
    pub body: &'a [u8],
    /// Send the body base64-encoded with `isBase64Encoded: true`. The gateway
    /// decides: REST when the content type matches the API's binary media
    /// types, HTTP APIs when the body is not text. Ignored for an empty body
    /// (AWS sends no body and `isBase64Encoded: false` then). A body sent as
    /// text that is not UTF-8 has invalid sequences replaced with U+FFFD.
    pub base64_body: bool,
    /// Everything `requestContext` reports beyond the request itself.
    pub context: RequestContext<'a>,
}

/// `requestContext`: the gateway's view of the request.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestContext<'a> {
    /// `requestId` (`$context.requestId`).
    pub request_id: &'a str,
    /// 1.0 `extendedRequestId` (`$context.extendedRequestId`).
    pub extended_request_id: &'a str,
    /// `accountId`: the API owner's account (12 digits).
    pub account_id: &'a str,
    /// `apiId`.
    pub api_id: &'a str,
    /// `stage` (`$default` for an HTTP API's default stage).
    pub stage: &'a str,
    /// `domainName`: the `Host` the request was addressed to.
    pub domain_name: &'a str,
    /// `domainPrefix`: the first label of `domainName`.
    pub domain_prefix: &'a str,
    /// 1.0 `requestContext.path`: the path the client requested, so including
    /// the stage (`/prod/pets/1`) or a custom domain's base path.
    pub path: &'a str,
    /// `protocol` (1.0) / `http.protocol` (2.0): `HTTP/1.1`, `HTTP/2.0`.
    pub protocol: &'a str,
    /// When the request arrived, in milliseconds since the Unix epoch
    /// (`requestTimeEpoch` / `timeEpoch`; `requestTime` / `time` are derived).
    pub request_time_epoch: u64,
    /// REST `resourceId`: the matched resource's id (`null` if `None`).
    pub resource_id: Option<&'a str>,
    /// REST `deploymentId`: the stage's deployment (omitted if `None`).
    pub deployment_id: Option<&'a str>,
    /// REST `operationName`, present only when the method defines one.
    pub operation_name: Option<&'a str>,
    /// Who called: `identity` (1.0) / `http.sourceIp` and `authentication` (2.0).
    pub identity: Identity<'a>,
    /// `authorizer`, verbatim; omitted when the route has no authorizer.
    ///
    /// Its shape depends on the authorizer and format, and the gateway builds
    /// it: REST Lambda authorizers `{"principalId", "integrationLatency",
    /// ...context}`, Cognito `{"claims": {...}}`; HTTP 2.0 `{"jwt": {"claims",
    /// "scopes"}}`, `{"lambda": {...context}}` or `{"iam": {...}}`.
    pub authorizer: Option<&'a serde_json::Value>,
}

/// The caller, as far as the gateway knows it. Everything but `source_ip` is
/// only known with IAM or Cognito authorization; AWS sends `null` otherwise.
/// `userAgent` is not here: it is the request's `User-Agent` header.
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity<'a> {
    /// `sourceIp`: the client's address (no port).
    pub source_ip: &'a str,
    /// `accessKey` (IAM).
    pub access_key: Option<&'a str>,
    /// `accountId` (IAM): the caller's account.
    pub account_id: Option<&'a str>,
    /// `caller` (IAM): the caller's principal id.
    pub caller: Option<&'a str>,
    /// `cognitoAuthenticationProvider`.
    pub cognito_authentication_provider: Option<&'a str>,
    /// `cognitoAuthenticationType`.
    pub cognito_authentication_type: Option<&'a str>,
    /// `cognitoIdentityId`.
    pub cognito_identity_id: Option<&'a str>,
    /// `cognitoIdentityPoolId`.
    pub cognito_identity_pool_id: Option<&'a str>,
    /// `principalOrgId` (IAM).
    pub principal_org_id: Option<&'a str>,
    /// `user` (IAM): the principal's id.
    pub user: Option<&'a str>,
    /// `userArn` (IAM).
    pub user_arn: Option<&'a str>,
    /// REST `apiKey`, sent only when the method requires an API key.
    pub api_key: Option<&'a str>,
    /// REST `apiKeyId`, sent only when the method requires an API key.
    pub api_key_id: Option<&'a str>,
    /// The client certificate of a mutual-TLS connection: 1.0
    /// `identity.clientCert`, 2.0 `authentication.clientCert`.
    pub client_cert: Option<ClientCert<'a>>,
}

/// A mutual-TLS client certificate, as `clientCert` reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientCert<'a> {
    /// `clientCertPem`: the whole certificate, PEM-encoded.
    pub client_cert_pem: &'a str,
    /// `subjectDN`.
    pub subject_dn: &'a str,
    /// `issuerDN`.
    pub issuer_dn: &'a str,
    /// `serialNumber`.
    pub serial_number: &'a str,
    /// `validity.notBefore`, as `May 28 12:30:02 2019 GMT`.
    pub not_before: &'a str,
    /// `validity.notAfter`.
    pub not_after: &'a str,
}

/// Which event shape an integration receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A REST API's Lambda proxy integration (`AWS_PROXY`).
    Rest,
    /// An HTTP API integration with `payloadFormatVersion` `1.0`.
    HttpV1,
    /// An HTTP API integration with `payloadFormatVersion` `2.0`.
    HttpV2,
}

/// The `requestContext` alone of the event for `format`, as JSON (what a
/// Lambda authorizer's REQUEST event carries). Reads the request's method,
/// resource, route key, `User-Agent` header and context; nothing else.
pub fn request_context(format: Format, request: &ProxyRequest<'_>) -> serde_json::Value {
    let value = match format {
        Format::Rest => serde_json::to_value(v1::context(request, v1::Api::Rest)),
        Format::HttpV1 => serde_json::to_value(v1::context(request, v1::Api::Http)),
        Format::HttpV2 => serde_json::to_value(v2::context(request)),
    };
    value.unwrap_or_default()
}

/// The event for `format`.
pub fn build(format: Format, request: &ProxyRequest<'_>) -> Bytes {
    match format {
        Format::Rest => rest_v1(request),
        Format::HttpV1 => http_v1(request),
        Format::HttpV2 => http_v2(request),
    }
}

/// The event a REST API's Lambda proxy integration sends.
pub fn rest_v1(request: &ProxyRequest<'_>) -> Bytes {
    v1::serialise(request, v1::Api::Rest)
}

/// The event an HTTP API sends with payload format 1.0.
pub fn http_v1(request: &ProxyRequest<'_>) -> Bytes {
    v1::serialise(request, v1::Api::Http)
}

/// The event an HTTP API sends with payload format 2.0.
pub fn http_v2(request: &ProxyRequest<'_>) -> Bytes {
    v2::serialise(request)
}

/// The body as the event's `body` string, or `None` when empty.
fn body_text<'a>(request: &ProxyRequest<'a>) -> Option<std::borrow::Cow<'a, str>> {
    use base64::Engine as _;
    use std::borrow::Cow;
    if request.body.is_empty() {
        None
    } else if request.base64_body {
        Some(Cow::Owned(
            base64::engine::general_purpose::STANDARD.encode(request.body),
        ))
    } else {
        Some(String::from_utf8_lossy(request.body))
    }
}

/// Whether the event's `isBase64Encoded` is true.
fn is_base64(request: &ProxyRequest<'_>) -> bool {
    request.base64_body && !request.body.is_empty()
}

/// Serialises an event. Our event types hold only strings, numbers, booleans
/// and `serde_json::Value`s under string keys, which `serde_json` cannot fail
/// to write into a `Vec`.
fn to_bytes(event: &impl serde::Serialize) -> Bytes {
    let mut out = Vec::with_capacity(2048);
    serde_json::to_writer(&mut out, event).expect("an event of strings always serialises");
    Bytes::from(out)
}

/// Path parameters as a JSON object.
struct PathParams<'a>(&'a [(&'a str, &'a str)]);

impl serde::Serialize for PathParams<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (*name, *value)))
    }
}

/// `value` unless its map is `empty`: 1.0 sends `null` and 2.0 omits the
/// field for an empty map.
fn non_empty<T>(empty: bool, value: T) -> Option<T> {
    (!empty).then_some(value)
}

/// A mutual-TLS certificate in AWS's `clientCert` shape.
#[derive(serde::Serialize)]
struct ClientCertJson<'a> {
    #[serde(rename = "clientCertPem")]
    client_cert_pem: &'a str,
    #[serde(rename = "subjectDN")]
    subject_dn: &'a str,
    #[serde(rename = "issuerDN")]
    issuer_dn: &'a str,
    #[serde(rename = "serialNumber")]
    serial_number: &'a str,
    validity: Validity<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Validity<'a> {
    not_before: &'a str,
    not_after: &'a str,
}

impl<'a> From<&ClientCert<'a>> for ClientCertJson<'a> {
    fn from(cert: &ClientCert<'a>) -> Self {
        Self {
            client_cert_pem: cert.client_cert_pem,
            subject_dn: cert.subject_dn,
            issuer_dn: cert.issuer_dn,
            serial_number: cert.serial_number,
            validity: Validity {
                not_before: cert.not_before,
                not_after: cert.not_after,
            },
        }
    }
}
