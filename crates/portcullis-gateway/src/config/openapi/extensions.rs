//! The document-level `x-amazon-apigateway-*` extensions.
//!
//! Each is read into the model, rejected as not supported yet, rejected as a
//! REST-only feature in an HTTP API, or ignored because it cannot change a
//! response (documentation, endpoint configuration, tags).
//! docs/configuration.md lists the decisions.

use std::collections::BTreeMap;

use super::context::Ctx;
use super::responses;
use super::tree::Node;
use crate::config::model::{ApiKeySource, GatewayResponse, RequestValidation};
use crate::config::problems::{child, item};

/// What the document level contributes to the API and its operations.
#[derive(Debug, Default)]
pub(crate) struct TopLevel {
    /// `x-amazon-apigateway-binary-media-types`.
    pub(crate) binary_media_types: Vec<String>,
    /// `x-amazon-apigateway-gateway-responses`.
    pub(crate) gateway_responses: BTreeMap<String, GatewayResponse>,
    /// `x-amazon-apigateway-request-validators`, by name.
    pub(crate) validators: BTreeMap<String, RequestValidation>,
    /// The document's `x-amazon-apigateway-request-validator`: applies to
    /// every operation without its own.
    pub(crate) validator: Option<RequestValidation>,
    /// `x-amazon-apigateway-policy`, as written (checked once the API's id,
    /// region and account are known).
    pub(crate) resource_policy: Option<serde_json::Value>,
    /// `x-amazon-apigateway-api-key-source`.
    pub(crate) api_key_source: ApiKeySource,
    /// `x-amazon-apigateway-cors` (HTTP APIs).
    pub(crate) cors: Option<crate::config::Cors>,
    /// `x-amazon-apigateway-minimum-compression-size` (REST APIs).
    pub(crate) minimum_compression_size: Option<u32>,
}

/// Extensions accepted and ignored because they cannot change a response.
const IGNORED: &[&str] = &[
    "x-amazon-apigateway-documentation",
    "x-amazon-apigateway-endpoint-configuration",
    "x-amazon-apigateway-tag-value",
];

/// Reads every document-level extension.
pub(crate) fn top_level(ctx: &mut Ctx<'_>) -> TopLevel {
    let mut top = TopLevel::default();
    let root = ctx.root;
    for (key, value) in root.as_map().unwrap_or_default() {
        if !key.starts_with("x-amazon-apigateway-") || IGNORED.contains(&key.as_str()) {
            continue;
        }
        let at = key.as_str();
        match at {
            "x-amazon-apigateway-importexport-version" => {
                if value.to_string() != "1.0" {
                    ctx.problem(at, format!("import/export version `{value}` is not supported; the only version is 1.0"));
                }
            }
            "x-amazon-apigateway-binary-media-types" => top.binary_media_types = media_types(ctx, value, at),
            "x-amazon-apigateway-gateway-responses" if ctx.is_http() => ctx.rest_only(at, "gateway responses"),
            "x-amazon-apigateway-gateway-responses" => top.gateway_responses = responses::gateway_responses(ctx, value, at),
            "x-amazon-apigateway-api-key-source" if ctx.is_http() => ctx.rest_only(at, "API keys"),
            "x-amazon-apigateway-api-key-source" => top.api_key_source = api_key_source(ctx, value, at),
            "x-amazon-apigateway-policy" if ctx.is_http() => ctx.rest_only(at, "resource policies"),
            "x-amazon-apigateway-policy" => {
                // A JSON document, or (as some exports write it) JSON text.
                top.resource_policy = match value {
                    Node::Str(text) => match serde_json::from_str(text) {
                        Ok(json) => Some(json),
                        Err(error) => {
                            ctx.problem(at, format!("the resource policy is not JSON: {error}"));
                            None
                        }
                    },
                    other => Some(other.to_json()),
                };
            }
            "x-amazon-apigateway-request-validators" if ctx.is_http() => ctx.rest_only(at, "request validators"),
            "x-amazon-apigateway-request-validators" => top.validators = validators(ctx, value, at),
            "x-amazon-apigateway-request-validator" => {}
            "x-amazon-apigateway-cors" if ctx.is_http() => top.cors = super::cors::read(ctx, value, at),
            "x-amazon-apigateway-cors" => ctx.warn(
                at,
                "x-amazon-apigateway-cors configures HTTP APIs only: ignored, as AWS ignores it on a REST API \
                 (REST APIs answer CORS with OPTIONS methods and gateway responses)",
            ),
            "x-amazon-apigateway-minimum-compression-size" if ctx.is_http() => {
                ctx.rest_only(at, "payload compression settings");
            }
            "x-amazon-apigateway-minimum-compression-size" => {
                top.minimum_compression_size = minimum_compression_size(ctx, value, at);
            }
            other => unknown_extension(ctx, other, "the document"),
        }
    }
    // Read after the validators so a reference can be checked.
    if let Some(value) = root.get("x-amazon-apigateway-request-validator") {
        top.validator =
            request_validator(ctx, &top, value, "x-amazon-apigateway-request-validator");
    }
    top
}

/// Notes an `x-amazon-apigateway-*` key this importer does not know at
/// `level`: skipped with a warning, unless it may decide who can call (an
/// error, as is anything unknown in a security scheme).
pub(crate) fn unknown_extension(ctx: &mut Ctx<'_>, location: &str, level: &str) {
    let name = location.rsplit('.').next().unwrap_or(location);
    if level == "a security scheme" || super::context::decides_access(name) {
        ctx.problem(
            location,
            format!(
                "`{name}` is not an API Gateway extension known at {level}; it may decide who can call, \
                 so it is not skipped"
            ),
        );
    } else {
        ctx.warn(
            location,
            format!("`{name}` is not an API Gateway extension known at {level}: skipped"),
        );
    }
}

fn media_types(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, entry) in ctx.seq(node, at).unwrap_or_default().iter().enumerate() {
        let entry_at = item(at, i);
        let Some(text) = ctx.str(entry, &entry_at) else {
            continue;
        };
        let valid = text.split_once('/').is_some_and(|(t, s)| {
            !t.is_empty()
                && !s.is_empty()
                && !s.contains('/')
                && !text.contains(char::is_whitespace)
        });
        if valid {
            out.push(text.to_owned());
        } else {
            ctx.problem(
                &entry_at,
                format!("`{text}` is not a media type (type/subtype, `*` allowed)"),
            );
        }
    }
    out
}

/// The largest `minimumCompressionSize` API Gateway accepts (10 MiB).
pub(crate) const MAX_MINIMUM_COMPRESSION_SIZE: u32 = 10_485_760;

/// `x-amazon-apigateway-minimum-compression-size`: a whole number of bytes from
/// 0 to 10,485,760; `null` leaves compression off, as on AWS.
fn minimum_compression_size(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<u32> {
    match node {
        Node::Null => None,
        Node::Int(size) => match u32::try_from(*size) {
            Ok(size) if size <= MAX_MINIMUM_COMPRESSION_SIZE => Some(size),
            _ => {
                ctx.problem(
                    at,
                    format!(
                        "the minimum compression size {size} is out of range: API Gateway accepts \
                         0 to {MAX_MINIMUM_COMPRESSION_SIZE} bytes (omit it or write null to leave compression off)"
                    ),
                );
                None
            }
        },
        other => {
            ctx.wrong_type(
                at,
                &format!("a whole number of bytes from 0 to {MAX_MINIMUM_COMPRESSION_SIZE}"),
                other,
            );
            None
        }
    }
}

fn api_key_source(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> ApiKeySource {
    match ctx.str(node, at).map(str::to_ascii_uppercase).as_deref() {
        Some("HEADER") | None => ApiKeySource::Header,
        Some("AUTHORIZER") => ApiKeySource::Authorizer,
        Some(_) => {
            ctx.problem(
                at,
                format!("`{node}` is not an API key source; expected HEADER or AUTHORIZER"),
            );
            ApiKeySource::Header
        }
    }
}

fn validators(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> BTreeMap<String, RequestValidation> {
    let mut out = BTreeMap::new();
    for (name, rules) in ctx.map(node, at).unwrap_or_default() {
        let rules_at = child(at, name);
        let Some(entries) = ctx.map(rules, &rules_at) else {
            continue;
        };
        let mut validator = RequestValidation {
            name: name.clone(),
            body: false,
            parameters: false,
        };
        for (key, value) in entries {
            let key_at = child(&rules_at, key);
            let flag = match key.as_str() {
                "validateRequestBody" => &mut validator.body,
                "validateRequestParameters" => &mut validator.parameters,
                _ => {
                    ctx.unknown_property(&key_at, key, "request validator");
                    continue;
                }
            };
            *flag = ctx.bool(value, &key_at).unwrap_or(false);
        }
        out.insert(name.clone(), validator);
    }
    out
}

/// Resolves an `x-amazon-apigateway-request-validator` reference, at the
/// document or an operation, against the document's validators. The name must
/// be defined there: API Gateway has no built-in validators (exports define the
/// console's `Validate body` and the like in the map too). HTTP APIs have no
/// request validation.
pub(crate) fn request_validator(
    ctx: &mut Ctx<'_>,
    top: &TopLevel,
    node: &Node,
    at: &str,
) -> Option<RequestValidation> {
    if ctx.is_http() {
        ctx.rest_only(at, "request validators");
        return None;
    }
    let name = ctx.str(node, at)?;
    let validator = top.validators.get(name).cloned();
    if validator.is_none() {
        ctx.problem(
            at,
            format!("request validator `{name}` is not defined in x-amazon-apigateway-request-validators"),
        );
    }
    validator
}
