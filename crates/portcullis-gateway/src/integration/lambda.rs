//! Lambda integrations: `aws_proxy` builds the proxy event and reads the
//! function's proxy response; custom `aws` sends what the request template
//! makes and answers through integration responses selected by the error message.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, header};
use http_body_util::Full;
use portcullis_lambda::event::{self, Format, HeaderCase, Identity, ProxyRequest};
use portcullis_lambda::{InvokeError, Outcome, response};

use super::{encoding, finish_method_response, mapping};
use crate::config::ApiType;
use crate::context::RequestContext;
use crate::respond::{Body, GatewayError};
use crate::runtime::LambdaPlan;
use crate::upstream::append_forwarded_for;

/// The account id events report: no AWS account owns a self-hosted API.
const ACCOUNT_ID: &str = portcullis_lambda::local::DEFAULT_ACCOUNT_ID;

/// Calls the function of `plan` for this request.
pub async fn call(
    plan: &LambdaPlan,
    ctx: &RequestContext<'_>,
    body: Bytes,
) -> Result<Response<Body>, GatewayError> {
    if plan.proxy {
        proxy(plan, ctx, body).await
    } else {
        custom(plan, ctx, body).await
    }
}

async fn proxy(
    plan: &LambdaPlan,
    ctx: &RequestContext<'_>,
    body: Bytes,
) -> Result<Response<Body>, GatewayError> {
    let payload = proxy_event(plan.event_format, ctx, &body);
    let result = match invoke(plan, ctx, payload).await? {
        Outcome::Returned(result) => result,
        Outcome::Failed(document) => {
            log_function_error(plan, ctx, &document);
            return Err(GatewayError::FunctionFailed);
        }
    };
    let parsed = match plan.event_format {
        Format::Rest | Format::HttpV1 => response::parse_v1(&result),
        Format::HttpV2 => response::parse_v2(&result),
    };
    let parsed = parsed.map_err(|error| {
        tracing::warn!(
            request_id = ctx.ids.request_id(),
            function = plan.function.name(),
            %error,
            "malformed Lambda proxy response"
        );
        GatewayError::FunctionFailed
    })?;
    let body = if parsed.base64_encoded && ctx.api.api_type == ApiType::Rest {
        // REST APIs decode a base64 body only for clients that accept a binary media type.
        let accept = encoding::first_media_type(&ctx.parts.headers, header::ACCEPT);
        if encoding::is_binary(&ctx.api.binary_media_types, accept) {
            parsed.body.clone()
        } else {
            parsed.base64_body()
        }
    } else {
        parsed.body.clone()
    };
    let mut answer = Response::new(Full::new(body.clone()));
    *answer.status_mut() = parsed.status;
    *answer.headers_mut() = parsed.headers;
    if ctx.api.api_type == ApiType::Rest {
        super::remap_reserved(answer.headers_mut());
    }
    if let Some(mapping) = plan
        .response_mappings
        .iter()
        .find(|m| m.status == answer.status().as_u16())
    {
        mapping::apply_response(&mapping.mappings, ctx, &mut answer, &body);
    }
    Ok(answer)
}

async fn custom(
    plan: &LambdaPlan,
    ctx: &RequestContext<'_>,
    body: Bytes,
) -> Result<Response<Body>, GatewayError> {
    let payload = super::request_payload(&plan.request_body, plan.content_handling, ctx, body)?;
    let (selected, result) = match invoke(plan, ctx, payload).await? {
        // Selection patterns match error messages; a result takes the default response.
        Outcome::Returned(result) => (plan.responses.default_response(), result),
        Outcome::Failed(document) => {
            log_function_error(plan, ctx, &document);
            let message = response::error_message(&document).unwrap_or_default();
            (plan.responses.select(&message), document)
        }
    };
    let selected = selected.ok_or_else(|| {
        tracing::warn!(
            request_id = ctx.ids.request_id(),
            function = plan.function.name(),
            "no integration response matches the function's answer and there is no default response"
        );
        GatewayError::ConfigurationError
    })?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    finish_method_response(selected, ctx, Some(&headers), result)
}

/// Invokes the function within the integration timeout.
async fn invoke(
    plan: &LambdaPlan,
    ctx: &RequestContext<'_>,
    payload: Bytes,
) -> Result<Outcome, GatewayError> {
    let call = plan.function.invoke(payload, ctx.ids.request_id());
    match tokio::time::timeout(plan.timeout, call).await {
        Err(_) => Err(GatewayError::IntegrationTimeout),
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(error)) => {
            tracing::warn!(
                request_id = ctx.ids.request_id(),
                function = plan.function.name(),
                %error,
                "Lambda invocation failed"
            );
            Err(match error {
                // A process that cannot start is the function failing, as an init error is on AWS.
                InvokeError::Start { .. } => GatewayError::FunctionFailed,
                _ => GatewayError::FunctionUnavailable,
            })
        }
    }
}

fn log_function_error(plan: &LambdaPlan, ctx: &RequestContext<'_>, document: &[u8]) {
    tracing::warn!(
        request_id = ctx.ids.request_id(),
        function = plan.function.name(),
        error = %String::from_utf8_lossy(&document[..document.len().min(1024)]),
        "Lambda function error"
    );
}

/// The proxy event for this request, in `format`.
fn proxy_event(format: Format, ctx: &RequestContext<'_>, body: &Bytes) -> Bytes {
    let rest = format == Format::Rest;
    let source_ip = ctx.peer.ip().to_string();
    // AWS adds the forwarding headers its load balancers set.
    let mut headers = ctx.parts.headers.clone();
    append_forwarded_for(&mut headers, ctx.peer.ip());
    headers
        .entry("x-forwarded-proto")
        .or_insert(HeaderValue::from_static(ctx.scheme));
    headers
        .entry("x-forwarded-port")
        .or_insert_with(|| HeaderValue::from(ctx.local_port));
    // REST passes path parameters as the client encoded them, HTTP APIs decoded.
    let decoded: Vec<(&str, Cow<'_, str>)> = ctx
        .params
        .iter()
        .map(|(name, value)| {
            let value = if rest {
                Cow::Borrowed(value)
            } else {
                portcullis_router::percent_decode(value)
            };
            (name, value)
        })
        .collect();
    let path_parameters: Vec<(&str, &str)> =
        decoded.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    let content_type = ctx
        .parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let base64_body = if rest {
        encoding::is_binary(&ctx.api.binary_media_types, content_type)
    } else {
        !encoding::is_text(content_type, body)
    };
    let method = ctx.parts.method.as_str();
    let resource_path = ctx
        .plan
        .route_key
        .split_once(' ')
        .map_or(ctx.plan.resource.as_str(), |(_, path)| path);
    let request = ProxyRequest {
        method,
        resource: if rest {
            &ctx.plan.resource
        } else {
            resource_path
        },
        route_key: &ctx.plan.route_key,
        path: if rest {
            ctx.api_path
        } else {
            ctx.parts.uri.path()
        },
        raw_query: ctx.parts.uri.query(),
        headers: &headers,
        header_case: if ctx.parts.version == http::Version::HTTP_2 {
            HeaderCase::Lower
        } else {
            HeaderCase::Title
        },
        path_parameters: &path_parameters,
        stage_variables: &ctx.stage.variables,
        body,
        base64_body,
        context: event::RequestContext {
            request_id: ctx.ids.request_id(),
            extended_request_id: ctx.ids.extended_id(),
            account_id: ACCOUNT_ID,
            api_id: &ctx.api.id,
            stage: &ctx.stage.name,
            domain_name: ctx.host.unwrap_or("localhost"),
            domain_prefix: ctx
                .host
                .unwrap_or("localhost")
                .split('.')
                .next()
                .unwrap_or(""),
            path: ctx.parts.uri.path(),
            protocol: match ctx.parts.version {
                http::Version::HTTP_2 => "HTTP/2.0",
                http::Version::HTTP_10 => "HTTP/1.0",
                _ => "HTTP/1.1",
            },
            request_time_epoch: u64::try_from(ctx.request_time_epoch).unwrap_or(u64::MAX),
            resource_id: None,
            deployment_id: None,
            operation_name: None,
            identity: Identity {
                source_ip: &source_ip,
                ..Identity::default()
            },
            authorizer: None,
        },
    };
    event::build(format, &request)
}
