//! Integration plans: how a route reaches its backend, compiled once.

use std::time::Duration;

use http::HeaderValue;

use super::responses::{ResponseSelector, pick};
use super::template::MappingTemplate;
use super::uri::UriTemplate;
use crate::config::{
    ApiType, ContentHandling, Integration, IntegrationKind, ParameterMapping, PassthroughBehavior,
    PayloadFormat, ResponseMapping, ValuePart,
};

/// A compiled integration.
#[derive(Debug)]
pub(crate) enum IntegrationPlan {
    /// `http_proxy` and `http`.
    Http(HttpPlan),
    /// `mock`.
    Mock(MockPlan),
    /// `aws_proxy` and `aws` with a Lambda function.
    Lambda(LambdaPlan),
    /// An AWS service action (HTTP API `integrationSubtype`).
    Service(super::service::ServicePlan),
    /// An integration that cannot be called here: every request gets `error`.
    Unserved(UnservedPlan),
}

/// An integration the load warned about: what it is, and AWS's answer for it.
#[derive(Debug)]
pub(crate) struct UnservedPlan {
    /// What the integration is, why it is not served and how to serve it;
    /// logged with every request it refuses.
    pub(crate) reason: String,
    /// The answer: AWS's 500 for a function it cannot invoke or an
    /// integration it cannot call.
    pub(crate) error: crate::error::GatewayError,
}

/// A Lambda integration.
#[derive(Debug)]
pub(crate) struct LambdaPlan {
    /// The function called.
    pub(crate) function: portcullis_lambda::Function,
    /// `aws_proxy` (true) or custom `aws`.
    pub(crate) proxy: bool,
    /// Proxy only: the event shape.
    pub(crate) event_format: portcullis_lambda::event::Format,
    /// `timeoutInMillis`: past it the client gets 504, whatever the function does.
    pub(crate) timeout: Duration,
    /// Custom only: the request body plan (the payload sent).
    pub(crate) request_body: RequestBody,
    /// Custom only: integration responses, selected by the function's error message.
    pub(crate) responses: ResponseSelector,
    /// HTTP API `responseParameters`, by the proxy response's status code.
    pub(crate) response_mappings: Vec<ResponseMapping>,
    /// Custom only: `contentHandling` of the request.
    pub(crate) content_handling: Option<ContentHandling>,
}

/// An HTTP integration.
#[derive(Debug)]
pub(crate) struct HttpPlan {
    /// `http_proxy` (true) or non-proxy `http`.
    pub(crate) proxy: bool,
    /// The target URI.
    pub(crate) uri: UriTemplate,
    /// `httpMethod`, or `None` to forward the client's.
    pub(crate) method: Option<http::Method>,
    /// `requestParameters`.
    pub(crate) mappings: Vec<ParameterMapping>,
    /// `timeoutInMillis`.
    pub(crate) timeout: Duration,
    /// Non-proxy only: the request body plan.
    pub(crate) request_body: RequestBody,
    /// Non-proxy only: integration responses.
    pub(crate) responses: ResponseSelector,
    /// HTTP API `responseParameters`, by integration status code.
    pub(crate) response_mappings: Vec<ResponseMapping>,
    /// Non-proxy only: `contentHandling` of the integration request.
    pub(crate) content_handling: Option<ContentHandling>,
    /// An HTTP API private integration: the request's whole path, stage
    /// included, is sent to the VPC link's URL.
    pub(crate) forwards_full_path: bool,
    /// A REST private integration sent to a VPC link's URL: the `Host` of
    /// its `uri` as written.
    pub(crate) host_header: Option<HeaderValue>,
    /// `responseTransferMode: STREAM` (REST `http_proxy`): the body is passed
    /// on as it arrives, unbounded; the timeout covers the response head.
    pub(crate) stream_response: bool,
    /// A REST `aws` service integration: how the request is signed.
    pub(crate) aws: Option<Box<super::service::AwsSigning>>,
}

/// What a non-proxy integration sends as the request body.
#[derive(Debug, Clone)]
pub(crate) enum RequestBody {
    /// The client's body as is.
    Passthrough,
    /// Templates by content type, with the passthrough behaviour for the rest.
    Templates {
        /// Content type (lower case) → template.
        by_content_type: Vec<(String, MappingTemplate)>,
        /// Whether an unmatched content type passes through (`WHEN_NO_MATCH`) or gets 415.
        pass_unmatched: bool,
    },
    /// `NEVER` without templates: every request is refused with 415.
    Refuse,
}

/// A MOCK integration.
#[derive(Debug)]
pub(crate) struct MockPlan {
    /// The request template, whose output's `statusCode` selects the integration
    /// response; `None` selects the default response.
    pub(crate) request_template: Option<MappingTemplate>,
    /// Integration responses.
    pub(crate) responses: ResponseSelector,
}

pub(super) fn compile_integration(
    integration: &Integration,
    api_type: ApiType,
    functions: &super::Functions,
    services: super::service::Services<'_>,
) -> Result<IntegrationPlan, Vec<String>> {
    let mut problems = Vec::new();
    let prefix = "x-amazon-apigateway-integration";
    let responses = ResponseSelector::compile(&integration.responses)
        .map_err(|e| problems.push(format!("{prefix}.{e}")))
        .unwrap_or_default();
    for mapping in &integration.request_parameters {
        // Body JSONPaths are checked here so a bad one fails the load, not a request.
        for part in &mapping.value.0 {
            if let ValuePart::Body(Some(path)) = part
                && let Err(error) =
                    portcullis_mapping::jsonpath::JsonPath::parse(&format!("$.{path}"))
            {
                problems.push(format!(
                    "{prefix}.requestParameters.{}: {error}",
                    mapping.key
                ));
            }
        }
    }
    let plan = match &integration.kind {
        IntegrationKind::Lambda {
            function,
            proxy,
            payload_format,
        } => {
            let Some(handle) = functions.get(&function.name) else {
                // The load warned; the route answers as AWS does when it cannot invoke.
                return Ok(IntegrationPlan::Unserved(UnservedPlan {
                    reason: format!(
                        "function `{0}` is not configured; add it under `functions:` in the config \
                         file, or pass --function {0}=COMMAND",
                        function.name
                    ),
                    error: crate::error::GatewayError::FunctionUnavailable,
                }));
            };
            let request_body = if *proxy {
                if !integration.request_templates.is_empty() {
                    problems.push(format!(
                        "{prefix}.requestTemplates: proxy integrations take no templates"
                    ));
                }
                RequestBody::Passthrough
            } else {
                request_body(integration, &mut problems)
            };
            let event_format = match (api_type, payload_format) {
                (ApiType::Rest, _) => portcullis_lambda::event::Format::Rest,
                (ApiType::Http, PayloadFormat::V1) => portcullis_lambda::event::Format::HttpV1,
                (ApiType::Http, PayloadFormat::V2) => portcullis_lambda::event::Format::HttpV2,
            };
            IntegrationPlan::Lambda(LambdaPlan {
                function: handle.clone(),
                proxy: *proxy,
                event_format,
                timeout: integration.timeout,
                request_body,
                responses,
                response_mappings: integration.response_mappings.clone(),
                content_handling: integration.content_handling,
            })
        }
        IntegrationKind::AwsService(action) => {
            match super::service::compile(
                action,
                integration.credentials.as_ref(),
                services,
                integration.timeout,
                &integration.response_mappings,
            ) {
                Ok(plan) => IntegrationPlan::Service(plan),
                Err(message) => {
                    problems.push(format!("{prefix}: {message}"));
                    return Err(problems);
                }
            }
        }
        IntegrationKind::Unserved { reason } => IntegrationPlan::Unserved(UnservedPlan {
            reason: format!("the integration is {reason}"),
            error: crate::error::GatewayError::ConfigurationError(
                crate::error::ConfigurationFault::IntegrationNotServed,
            ),
        }),
        IntegrationKind::Mock => {
            let request_template = match pick(&integration.request_templates) {
                None => None,
                Some((content_type, text)) => {
                    let name = format!("{prefix}.requestTemplates.{content_type}");
                    MappingTemplate::compile(&name, text)
                        .map_err(|e| problems.push(e))
                        .ok()
                }
            };
            IntegrationPlan::Mock(MockPlan {
                request_template,
                responses,
            })
        }
        IntegrationKind::HttpProxy { uri, method } | IntegrationKind::Http { uri, method } => {
            let proxy = matches!(integration.kind, IntegrationKind::HttpProxy { .. });
            let uri = UriTemplate::parse(uri).unwrap_or_else(|e| {
                problems.push(format!("{prefix}.uri: {e}"));
                UriTemplate::parse("").expect("empty template parses")
            });
            let request_body = if proxy {
                RequestBody::Passthrough
            } else {
                request_body(integration, &mut problems)
            };
            if proxy && !integration.request_templates.is_empty() {
                problems.push(format!(
                    "{prefix}.requestTemplates: proxy integrations take no templates"
                ));
            }
            IntegrationPlan::Http(HttpPlan {
                proxy,
                uri,
                method: method.clone(),
                mappings: integration.request_parameters.clone(),
                timeout: integration.timeout,
                request_body,
                responses,
                response_mappings: integration.response_mappings.clone(),
                content_handling: integration.content_handling,
                forwards_full_path: integration
                    .private_link
                    .as_ref()
                    .is_some_and(|link| link.forwards_full_path),
                host_header: integration
                    .private_link
                    .as_ref()
                    .and_then(|link| link.host_header.as_deref())
                    .and_then(|host| HeaderValue::from_str(host).ok()),
                stream_response: proxy && integration.stream_response,
                aws: None,
            })
        }
        IntegrationKind::AwsRest(target) => {
            let (template, signing) = match super::service::rest_target(
                target,
                integration.credentials.as_ref(),
                services,
            ) {
                Ok(compiled) => compiled,
                Err(message) => {
                    problems.push(format!("{prefix}.uri: {message}"));
                    return Err(problems);
                }
            };
            let uri = UriTemplate::parse(&template).unwrap_or_else(|e| {
                problems.push(format!("{prefix}.uri: {e}"));
                UriTemplate::parse("").expect("empty template parses")
            });
            IntegrationPlan::Http(HttpPlan {
                proxy: false,
                uri,
                // `ANY` (no method) sends the client's, as an S3 proxy does.
                method: target.method.clone(),
                mappings: integration.request_parameters.clone(),
                timeout: integration.timeout,
                request_body: request_body(integration, &mut problems),
                responses,
                response_mappings: Vec::new(),
                content_handling: integration.content_handling,
                forwards_full_path: false,
                host_header: Some(signing.host.clone()),
                stream_response: false,
                aws: Some(Box::new(signing)),
            })
        }
    };
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

fn request_body(integration: &Integration, problems: &mut Vec<String>) -> RequestBody {
    let templates = &integration.request_templates;
    if templates.is_empty() {
        return match integration.passthrough {
            PassthroughBehavior::Never => RequestBody::Refuse,
            _ => RequestBody::Passthrough,
        };
    }
    let mut by_content_type = Vec::new();
    for (content_type, text) in templates {
        let name = format!("x-amazon-apigateway-integration.requestTemplates.{content_type}");
        match MappingTemplate::compile(&name, text) {
            Ok(template) => by_content_type.push((content_type.to_ascii_lowercase(), template)),
            Err(e) => problems.push(e),
        }
    }
    RequestBody::Templates {
        by_content_type,
        pass_unmatched: integration.passthrough == PassthroughBehavior::WhenNoMatch,
    }
}

/// What a non-proxy integration sends for one request.
#[derive(Debug)]
pub(crate) enum BodyChoice<'a> {
    /// The client's body.
    Passthrough,
    /// The output of this template.
    Render(&'a MappingTemplate),
    /// Nothing matches and passthrough is not allowed: 415.
    Refuse,
}

impl RequestBody {
    /// What to send for a request of `content_type` (AWS treats none as `application/json`).
    pub(crate) fn choose(&self, content_type: Option<&HeaderValue>) -> BodyChoice<'_> {
        match self {
            RequestBody::Passthrough => BodyChoice::Passthrough,
            RequestBody::Refuse => BodyChoice::Refuse,
            RequestBody::Templates {
                by_content_type,
                pass_unmatched,
            } => {
                let wanted = content_type
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.split(';').next().unwrap_or("").trim())
                    .unwrap_or("application/json");
                match by_content_type
                    .iter()
                    .find(|(ct, _)| ct.eq_ignore_ascii_case(wanted))
                {
                    Some((_, template)) => BodyChoice::Render(template),
                    None if *pass_unmatched => BodyChoice::Passthrough,
                    None => BodyChoice::Refuse,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_selection_follows_passthrough() {
        let template = MappingTemplate::compile("t", "T").unwrap();
        let strict = RequestBody::Templates {
            by_content_type: vec![("application/json".into(), template.clone())],
            pass_unmatched: false,
        };
        assert!(matches!(strict.choose(None), BodyChoice::Render(_)));
        let xml = HeaderValue::from_static("application/xml");
        assert!(matches!(strict.choose(Some(&xml)), BodyChoice::Refuse));
        let lenient = RequestBody::Templates {
            by_content_type: vec![("application/json".into(), template)],
            pass_unmatched: true,
        };
        assert!(matches!(
            lenient.choose(Some(&xml)),
            BodyChoice::Passthrough
        ));
        assert!(matches!(
            RequestBody::Refuse.choose(None),
            BodyChoice::Refuse
        ));
    }
}
