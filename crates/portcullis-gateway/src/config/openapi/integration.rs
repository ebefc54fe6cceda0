//! `x-amazon-apigateway-integration`: how a route reaches its backend.

use std::time::Duration;

use super::context::Ctx;
use super::responses;
use super::service;
use super::tree::Node;
use crate::config::model::{
    AwsRestTarget, CacheKeyParameter, Integration, IntegrationCredentials, IntegrationKind,
    ParameterMapping, PassthroughBehavior, PayloadFormat, PrivateLink, ResponseMapping,
};
use crate::config::problems::{child, item};
use crate::config::stage;
use portcullis_mapping::params;

use crate::config::lambda_uri;

/// The extension's name, also its key in an operation.
pub(crate) const KEY: &str = "x-amazon-apigateway-integration";

/// Integration timeout bounds and default in milliseconds: REST APIs 50 ms to
/// 29 s (limits: "Integration timeout"), HTTP APIs up to 30 s (limits:
/// "Maximum integration timeout").
fn timeout_bounds(http_api: bool) -> (u64, u64) {
    if http_api { (50, 30_000) } else { (50, 29_000) }
}

/// Reads the integration of the operation at `operation_at`. Returns it with
/// the location it was read from (a `$ref` target for shared HTTP API integrations).
pub(crate) fn integration<'a>(
    ctx: &mut Ctx<'a>,
    node: Option<&'a Node>,
    operation_at: &str,
) -> Option<(Integration, String)> {
    let at = child(operation_at, KEY);
    let Some(node) = node else {
        ctx.problem(
            operation_at,
            format!("no {KEY}: API Gateway cannot deploy a method without an integration"),
        );
        return None;
    };
    let (node, at) = if node.get("$ref").is_some() {
        if !ctx.is_http() {
            ctx.problem(
                &child(&at, "$ref"),
                "integrations shared through $ref (x-amazon-apigateway-integrations) are an HTTP API feature; \
                 write the integration inline for a REST API",
            );
            return None;
        }
        ctx.resolve(node, &at)?
    } else {
        (node, at)
    };
    read(ctx, node, &at).map(|integration| (integration, at))
}

fn read(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<Integration> {
    let entries = ctx.map(node, at)?;
    let type_at = child(at, "type");
    let Some(kind) = node.get("type") else {
        ctx.problem(
            &type_at,
            "the integration `type` is required (http_proxy, http, mock, aws_proxy or aws)",
        );
        return None;
    };
    let kind = ctx.str(kind, &type_at)?.to_ascii_lowercase();
    let mut usable = true;
    // Set when AWS would deploy the integration but it cannot be called here.
    let mut unserved: Option<String> = None;
    match kind.as_str() {
        "http_proxy" => {}
        "http" | "mock" | "aws" if ctx.is_http() => {
            let reason = format!(
                "a `{kind}` integration in an HTTP API, which supports only proxy integrations \
                 (http_proxy, aws_proxy; http-api-open-api)"
            );
            ctx.warn(
                &type_at,
                format!("{reason}: AWS imports it with a warning; the route answers 500 Internal Server Error"),
            );
            unserved = Some(reason);
        }
        "http" | "mock" | "aws_proxy" | "aws" => {}
        other => {
            ctx.problem(&type_at, format!("`{other}` is not an integration type; expected http_proxy, http, mock, aws_proxy or aws"));
            return None;
        }
    }
    // AWS service integrations name their action's parameters in requestParameters.
    let subtype = node.get("integrationSubtype").is_some();
    let lambda = kind.starts_with("aws");
    let http_backend = kind.starts_with("http");
    let mut payload_format = None;
    let (min, max) = timeout_bounds(ctx.is_http());
    let mut integration = Integration {
        kind: IntegrationKind::Mock,
        timeout: Duration::from_millis(max),
        request_parameters: Vec::new(),
        request_templates: Default::default(),
        passthrough: PassthroughBehavior::default(),
        responses: Vec::new(),
        content_handling: None,
        response_mappings: Vec::new(),
        private_link: None,
        stream_response: false,
        cache_key: Default::default(),
        credentials: None,
    };
    let mut uri = None;
    let mut method = None;
    let mut has_method = false;
    let mut private = false;
    let mut connection_id = None;
    let mut stream_at = None;
    let mut served = None;
    for (key, value) in entries {
        let key_at = child(at, key);
        match key.as_str() {
            // `integrationTarget` (REST VPC links v2) names the load balancer behind the link.
            "type" | "integrationTarget" => {}
            "credentials" => integration.credentials = credentials(ctx, value, &key_at),
            "connectionId" => connection_id = ctx.str(value, &key_at).map(str::to_owned),
            "uri" => uri = ctx.str(value, &key_at).map(str::to_owned),
            "responseTransferMode" => {
                match ctx
                    .str(value, &key_at)
                    .map(str::to_ascii_uppercase)
                    .as_deref()
                {
                    Some("BUFFERED") | None => {}
                    Some("STREAM") => stream_at = Some(key_at.clone()),
                    Some(other) => ctx.problem(
                        &key_at,
                        format!(
                            "`{other}` is not a response transfer mode; expected BUFFERED or STREAM"
                        ),
                    ),
                }
            }
            "httpMethod" => {
                has_method = true;
                method = http_method(ctx, value, &key_at);
            }
            "timeoutInMillis" => {
                if let Some(ms) = ctx.integer(value, &key_at) {
                    match u64::try_from(ms) {
                        Ok(ms) if (min..=max).contains(&ms) => {
                            integration.timeout = Duration::from_millis(ms)
                        }
                        _ => ctx.problem(
                            &key_at,
                            format!("timeoutInMillis is {ms}; it must be between {min} and {max}"),
                        ),
                    }
                }
            }
            "requestParameters" if subtype => {}
            "requestParameters" => {
                integration.request_parameters = request_parameters(ctx, value, &key_at)
            }
            "requestTemplates" if ctx.is_http() => {
                ctx.rest_only(&key_at, "body mapping templates (requestTemplates)")
            }
            "requestTemplates" => {
                integration.request_templates = responses::templates(ctx, value, &key_at)
            }
            "passthroughBehavior" => {
                if let Some(p) = passthrough(ctx, value, &key_at) {
                    integration.passthrough = p;
                }
            }
            "contentHandling" if ctx.is_http() => {
                ctx.rest_only(&key_at, "payload conversions (contentHandling)")
            }
            "contentHandling" => {
                integration.content_handling = responses::content_handling(ctx, value, &key_at)
            }
            "responses" if ctx.is_http() => http_api_responses(ctx, value, &key_at),
            "responses" => {
                integration.responses = responses::integration_responses(ctx, value, &key_at)
            }
            "payloadFormatVersion" => {
                payload_format = payload_format_version(ctx, value, &key_at, lambda)
            }
            "connectionType" => private = connection_type(ctx, value, &key_at),
            "tlsConfig" => tls_config(ctx, value, &key_at),
            "cacheKeyParameters" | "cacheNamespace" if ctx.is_http() => {
                cache_setting(ctx, value, &key_at)
            }
            "cacheNamespace" => {
                integration.cache_key.namespace = cache_namespace(ctx, value, &key_at)
            }
            "cacheKeyParameters" => {
                integration.cache_key.parameters = cache_key_parameters(ctx, value, &key_at)
            }
            "integrationSubtype" => match service::parse(
                ctx,
                value,
                &key_at,
                node.get("requestParameters"),
                &child(at, "requestParameters"),
            ) {
                service::Parsed::Served(action) => served = Some(action),
                service::Parsed::Invalid => usable = false,
            },
            "responseParameters" if ctx.is_http() => {
                integration.response_mappings = response_mappings(ctx, value, &key_at);
            }
            _ => ctx.unknown_property(&key_at, key, "integration"),
        }
    }
    if let Some(at) = stream_at {
        match kind.as_str() {
            // AWS streams REST HTTP_PROXY and AWS_PROXY responses only.
            "http_proxy" if !ctx.is_http() => integration.stream_response = true,
            "aws_proxy" if !ctx.is_http() => ctx.warn(
                &at,
                "responseTransferMode STREAM is not served for Lambda yet: the function's response is \
                 buffered, at most 10 MB",
            ),
            _ => ctx.warn(
                &at,
                "responseTransferMode STREAM applies to REST http_proxy and aws_proxy integrations only: \
                 ignored, the response is buffered",
            ),
        }
    }
    if private {
        let Some(id) = connection_id.clone() else {
            ctx.problem(at, "a private integration (connectionType VPC_LINK) needs `connectionId`: the VPC link's id or a stage variable");
            return None;
        };
        if !http_backend {
            ctx.problem(&child(at, "connectionType"), format!("private integrations (VPC_LINK) are http or http_proxy integrations, not {kind}"));
            return None;
        }
        // HTTP APIs name the load balancer or Cloud Map service by ARN; REST APIs give a URL.
        let by_arn = uri.as_deref().is_some_and(|u| u.starts_with("arn:"));
        integration.private_link = Some(PrivateLink {
            connection_id: id,
            resolved: None,
            forwards_full_path: ctx.is_http() && by_arn,
            host_header: None,
        });
    }
    if let Some(reason) = unserved {
        integration.kind = IntegrationKind::Unserved { reason };
        return usable.then_some(integration);
    }
    if let Some(action) = served {
        integration.kind = IntegrationKind::AwsService(action);
        return usable.then_some(integration);
    }
    if http_backend
        && let Some(text) = &uri
        && !(private && text.starts_with("arn:"))
        && let Err(message) = stage::check_http_uri(text, None)
    {
        ctx.problem(&child(at, "uri"), message);
        usable = false;
    }
    if http_backend {
        match uri.take() {
            Some(uri) => {
                let method = method.take();
                integration.kind = if kind == "http" {
                    IntegrationKind::Http { uri, method }
                } else {
                    IntegrationKind::HttpProxy { uri, method }
                };
            }
            None => {
                ctx.problem(
                    at,
                    format!("`uri` is required for {kind} integrations: the backend URL"),
                );
                usable = false;
            }
        }
        if !has_method {
            ctx.problem(at, format!("`httpMethod` is required for {kind} integrations (ANY forwards the client's method)"));
            usable = false;
        }
    }
    if lambda {
        let proxy = kind == "aws_proxy";
        if !proxy
            && !ctx.is_http()
            && let Some(target) = uri.as_deref().and_then(|u| service_uri(u, method.clone()))
        {
            integration.kind = IntegrationKind::AwsRest(target);
            return usable.then_some(integration);
        }
        let function = match uri.as_deref().map(lambda_uri::parse) {
            Some(Ok(target)) => Some(target),
            Some(Err(lambda_uri::UriError::Unserved(reason))) => {
                ctx.warn(
                    &child(at, "uri"),
                    format!("{reason}: the route answers 500 Internal Server Error"),
                );
                integration.kind = IntegrationKind::Unserved { reason };
                return usable.then_some(integration);
            }
            Some(Err(lambda_uri::UriError::Invalid(message))) => {
                ctx.problem(&child(at, "uri"), message);
                None
            }
            None => {
                ctx.problem(at, format!("`uri` is required for {kind} integrations: the Lambda function's invocation URI"));
                None
            }
        };
        let payload_format = match (ctx.is_http(), payload_format) {
            (false, Some(PayloadFormat::V2)) => {
                ctx.problem(
                    &child(at, "payloadFormatVersion"),
                    "REST APIs send payload format 1.0; 2.0 is an HTTP API format",
                );
                None
            }
            (false, _) => Some(PayloadFormat::V1),
            (true, Some(format)) => Some(format),
            (true, None) => {
                ctx.problem(at, "`payloadFormatVersion` is required for HTTP API Lambda integrations (1.0 or 2.0), as AWS requires it");
                None
            }
        };
        match (function, payload_format) {
            (Some(function), Some(payload_format)) => {
                integration.kind = IntegrationKind::Lambda {
                    function,
                    proxy,
                    payload_format,
                };
            }
            _ => usable = false,
        }
    }
    usable.then_some(integration)
}

fn http_method(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<http::Method> {
    let name = ctx.str(node, at)?.to_ascii_uppercase();
    match name.as_str() {
        "ANY" => None,
        "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" => {
            http::Method::from_bytes(name.as_bytes()).ok()
        }
        _ => {
            ctx.problem(at, format!("`{name}` is not an integration method; expected GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or ANY"));
            None
        }
    }
}

fn request_parameters(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Vec<ParameterMapping> {
    let mut out = Vec::new();
    for (key, value) in ctx.map(node, at).unwrap_or_default() {
        let key_at = child(at, key);
        let Some(value) = ctx.str(value, &key_at) else {
            continue;
        };
        let parsed = if ctx.is_http() {
            params::parse_http(key, value)
        } else {
            params::parse_rest(key, value)
        };
        match parsed {
            Ok(mapping) => out.push(mapping),
            Err(message) => ctx.problem(&key_at, message),
        }
    }
    out
}

/// HTTP API `responseParameters`: status code → mappings.
fn response_mappings(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Vec<ResponseMapping> {
    let mut out = Vec::new();
    for (status, entries) in ctx.map(node, at).unwrap_or_default() {
        let status_at = child(at, status);
        let Some(code) = status
            .parse::<u16>()
            .ok()
            .filter(|c| (100..=599).contains(c))
        else {
            ctx.problem(&status_at, format!("`{status}` is not a status code; response parameters are keyed by the integration's status code"));
            continue;
        };
        let mut mappings = Vec::new();
        for (key, value) in ctx.map(entries, &status_at).unwrap_or_default() {
            let key_at = child(&status_at, key);
            let Some(value) = ctx.str(value, &key_at) else {
                continue;
            };
            match params::parse_http_response(key, value) {
                Ok(mapping) => mappings.push(mapping),
                Err(message) => ctx.problem(&key_at, message),
            }
        }
        out.push(ResponseMapping {
            status: code,
            mappings,
        });
    }
    out
}

fn passthrough(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<PassthroughBehavior> {
    match ctx.str(node, at)?.to_ascii_lowercase().as_str() {
        "when_no_match" => Some(PassthroughBehavior::WhenNoMatch),
        "when_no_templates" => Some(PassthroughBehavior::WhenNoTemplates),
        "never" => Some(PassthroughBehavior::Never),
        _ => {
            ctx.problem(at, format!("`{node}` is not a passthrough behavior; expected when_no_match, when_no_templates or never"));
            None
        }
    }
}

/// HTTP APIs have no integration responses; a bare `statusCode` entry (left by
/// a REST export) changes nothing for a proxy integration, anything more would.
fn http_api_responses(ctx: &mut Ctx<'_>, node: &Node, at: &str) {
    for (key, response) in ctx.map(node, at).unwrap_or_default() {
        let bare = response
            .as_map()
            .is_some_and(|fields| fields.iter().all(|(f, _)| f == "statusCode"));
        if !bare {
            ctx.rest_only(&child(at, key), "integration responses");
        }
    }
}

fn payload_format_version(
    ctx: &mut Ctx<'_>,
    node: &Node,
    at: &str,
    lambda: bool,
) -> Option<PayloadFormat> {
    match node.to_string().as_str() {
        "1.0" | "1" => Some(PayloadFormat::V1),
        "2.0" | "2" if lambda => Some(PayloadFormat::V2),
        "2.0" | "2" => {
            ctx.problem(at, "payload format version 2.0 is for Lambda proxy integrations; HTTP integrations use 1.0");
            None
        }
        other => {
            let expected = if lambda { "1.0 or 2.0" } else { "1.0" };
            ctx.problem(
                at,
                format!("`{other}` is not a payload format version; expected {expected}"),
            );
            None
        }
    }
}

/// Whether the connection type is `VPC_LINK`.
fn connection_type(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> bool {
    match ctx.str(node, at).map(str::to_ascii_uppercase).as_deref() {
        Some("INTERNET") | None => false,
        Some("VPC_LINK") => true,
        Some(other) => {
            ctx.problem(
                at,
                format!("`{other}` is not a connection type; expected INTERNET or VPC_LINK"),
            );
            false
        }
    }
}

fn tls_config(ctx: &mut Ctx<'_>, node: &Node, at: &str) {
    for (key, value) in ctx.map(node, at).unwrap_or_default() {
        let key_at = child(at, key);
        match key.as_str() {
            "insecureSkipVerification" => {
                if ctx.bool(value, &key_at) == Some(true) {
                    ctx.warn(
                        &key_at,
                        "backend certificates are verified anyway: skipping verification is not offered; \
                         trust the backend's CA with `upstream.ca_files` in the config file",
                    );
                }
            }
            "serverNameToVerify" => {
                ctx.str(value, &key_at);
                ctx.warn(&key_at, "serverNameToVerify is not applied: the certificate is checked against the host the request is sent to");
            }
            _ => ctx.unknown_property(&key_at, key, "tlsConfig"),
        }
    }
}

/// REST caching settings only matter with a stage cache, which no stage has;
/// in an HTTP API, non-empty ones ask for a REST-only feature.
/// `cacheNamespace`: a string; empty or absent means the method's own resource.
fn cache_namespace(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<String> {
    match node {
        Node::Null => None,
        _ => ctx
            .str(node, at)
            .filter(|text| !text.is_empty())
            .map(str::to_owned),
    }
}

/// `cacheKeyParameters`: `method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.NAME`.
/// Anything else is an error, as API Gateway refuses it ("Invalid cache key
/// parameter specified"): a key missing a value the author meant to be in
/// it would serve one caller's response to another.
fn cache_key_parameters(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Vec<CacheKeyParameter> {
    let Node::Seq(items) = node else {
        if !matches!(node, Node::Null) {
            ctx.wrong_type(at, "a list of strings", node);
        }
        return Vec::new();
    };
    let mut parameters = Vec::with_capacity(items.len());
    for (i, entry) in items.iter().enumerate() {
        let entry_at = item(at, i);
        let Some(text) = ctx.str(entry, &entry_at) else {
            continue;
        };
        match cache_key_parameter(text) {
            Some(parameter) => parameters.push(parameter),
            None => ctx.problem(
                &entry_at,
                format!("`{text}` is not a cache key parameter; write method.request.path.NAME, method.request.querystring.NAME, method.request.multivaluequerystring.NAME, method.request.header.NAME or method.request.multivalueheader.NAME"),
            ),
        }
    }
    parameters
}

fn cache_key_parameter(text: &str) -> Option<CacheKeyParameter> {
    let rest = text.strip_prefix("method.request.")?;
    let (source, name) = rest.split_once('.')?;
    if name.is_empty() {
        return None;
    }
    let header = |name: &str| {
        http::HeaderName::from_bytes(name.as_bytes())
            .ok()
            .map(|n| n.as_str().to_owned())
    };
    Some(match source {
        "path" => CacheKeyParameter::Path(name.to_owned()),
        "querystring" => CacheKeyParameter::QueryString(name.to_owned()),
        "multivaluequerystring" => CacheKeyParameter::MultiValueQueryString(name.to_owned()),
        "header" => CacheKeyParameter::Header(header(name)?),
        "multivalueheader" => CacheKeyParameter::MultiValueHeader(header(name)?),
        _ => return None,
    })
}

fn cache_setting(ctx: &mut Ctx<'_>, node: &Node, at: &str) {
    let non_empty = match node {
        Node::Seq(items) => {
            for (i, entry) in items.iter().enumerate() {
                ctx.str(entry, &item(at, i));
            }
            !items.is_empty()
        }
        Node::Str(text) => !text.is_empty(),
        Node::Null => false,
        other => {
            ctx.wrong_type(at, "a string or a list of strings", other);
            false
        }
    };
    if non_empty && ctx.is_http() {
        ctx.rest_only(at, "caching settings (cacheKeyParameters, cacheNamespace)");
    }
}

/// `credentials`: an IAM role's ARN, or `arn:aws:iam::*:user/*` for the
/// caller's own identity. Anything else is refused, as API Gateway refuses it.
fn credentials(ctx: &mut Ctx<'_>, value: &Node, at: &str) -> Option<IntegrationCredentials> {
    let text = ctx.str(value, at)?;
    let Some(rest) = text.strip_prefix("arn:") else {
        ctx.problem(
            at,
            format!("`{text}` is not an IAM ARN: give a role's ARN (arn:aws:iam::ACCOUNT:role/NAME) or arn:aws:iam::*:user/* for the caller's own identity"),
        );
        return None;
    };
    let caller = rest
        .split_once(':')
        .is_some_and(|(partition, rest)| partition.starts_with("aws") && rest == "iam::*:user/*");
    Some(if caller {
        IntegrationCredentials::Caller
    } else {
        IntegrationCredentials::Role(text.to_owned())
    })
}

/// Services whose REST `aws` integrations are served: JSON-protocol services
/// by `action/`, query-protocol ones by `action/` and `path/`, S3 by `path/`.
const REST_SERVICES: [&str; 7] = [
    "dynamodb", "kinesis", "states", "events", "sqs", "sns", "s3",
];

/// A REST `aws` integration URI naming a served service call:
/// `arn:aws:apigateway:{region}:{subdomain.}{service}:action/{Action}` or
/// `...:path/{path}` (`path/` for SQS, SNS and S3 only). `None` for anything
/// else, which the Lambda URI reader then judges.
fn service_uri(uri: &str, method: Option<http::Method>) -> Option<AwsRestTarget> {
    let rest = uri.strip_prefix("arn:aws:apigateway:")?;
    let (region, rest) = rest.split_once(':')?;
    let (service, target) = rest.split_once(':')?;
    // `{subdomain}.{service}`: the subdomain picks an endpoint (for S3, the
    // bucket), not the service.
    let (subdomain, service) = match service.rsplit_once('.') {
        Some((subdomain, service)) => (Some(subdomain.to_owned()), service),
        None => (None, service),
    };
    let service = service.to_ascii_lowercase();
    if !REST_SERVICES.contains(&service.as_str()) || region.contains('$') {
        return None;
    }
    let (action, path) = if let Some(action) = target.strip_prefix("action/") {
        (Some(action.to_owned()), None)
    } else if let Some(path) = target.strip_prefix("path/") {
        if !matches!(service.as_str(), "sqs" | "sns" | "s3") {
            return None;
        }
        (None, Some(path.to_owned()))
    } else {
        return None;
    };
    if action
        .as_deref()
        .is_some_and(|a| a.is_empty() || !a.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return None;
    }
    Some(AwsRestTarget {
        service,
        subdomain,
        region: region.to_owned(),
        action,
        path,
        method,
        uri: uri.to_owned(),
    })
}
