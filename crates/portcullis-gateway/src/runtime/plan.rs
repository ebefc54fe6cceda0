//! Per-route plans: each route's configuration compiled once, at load.

use std::time::Duration;

use http::HeaderValue;

use super::responses::{ResponseSelector, pick};
use super::uri::UriTemplate;
use crate::templates::MappingTemplate;
use portcullis_mapping::validate::{
    self, MethodValidation, Models, RequiredParameter, ValidationConfigError, Validator,
};

use crate::config::{
    ApiType, Authorization, ContentHandling, Integration, IntegrationKind, ParameterLocation,
    ParameterMapping, PassthroughBehavior, PayloadFormat, ResponseMapping, Route, ValuePart,
};

/// Everything the pipeline needs to serve one route, ready to run.
#[derive(Debug)]
pub struct RoutePlan {
    /// Resource path (`/pets/{id}`) or `$default`: `$context.resourcePath`.
    pub resource: String,
    /// `GET /pets/{id}`: `$context.routeKey` and log label.
    pub route_key: String,
    /// Whether the method has authorization enabled: AWS then limits the method ARN to 1,600 bytes.
    pub authorization_enabled: bool,
    /// Request validation, when the route's validator checks something.
    pub validation: Option<MethodValidation>,
    /// How the route reaches its backend.
    pub integration: IntegrationPlan,
}

/// A compiled integration.
#[derive(Debug)]
pub enum IntegrationPlan {
    /// `http_proxy` and `http`.
    Http(HttpPlan),
    /// `mock`.
    Mock(MockPlan),
    /// `aws_proxy` and `aws` with a Lambda function.
    Lambda(LambdaPlan),
}

/// A Lambda integration.
#[derive(Debug)]
pub struct LambdaPlan {
    /// The function called.
    pub function: portcullis_lambda::Function,
    /// `aws_proxy` (true) or custom `aws`.
    pub proxy: bool,
    /// Proxy only: the event shape.
    pub event_format: portcullis_lambda::event::Format,
    /// `timeoutInMillis`: past it the client gets 504, whatever the function does.
    pub timeout: Duration,
    /// Custom only: the request body plan (the payload sent).
    pub request_body: RequestBody,
    /// Custom only: integration responses, selected by the function's error message.
    pub responses: ResponseSelector,
    /// HTTP API `responseParameters`, by the proxy response's status code.
    pub response_mappings: Vec<ResponseMapping>,
    /// Custom only: `contentHandling` of the request.
    pub content_handling: Option<ContentHandling>,
}

/// An HTTP integration.
#[derive(Debug)]
pub struct HttpPlan {
    /// `http_proxy` (true) or non-proxy `http`.
    pub proxy: bool,
    /// The target URI.
    pub uri: UriTemplate,
    /// `httpMethod`, or `None` to forward the client's.
    pub method: Option<http::Method>,
    /// `requestParameters`.
    pub mappings: Vec<ParameterMapping>,
    /// `timeoutInMillis`.
    pub timeout: Duration,
    /// Non-proxy only: the request body plan.
    pub request_body: RequestBody,
    /// Non-proxy only: integration responses.
    pub responses: ResponseSelector,
    /// HTTP API `responseParameters`, by integration status code.
    pub response_mappings: Vec<ResponseMapping>,
    /// Non-proxy only: `contentHandling` of the integration request.
    pub content_handling: Option<ContentHandling>,
}

/// What a non-proxy integration sends as the request body.
#[derive(Debug, Clone)]
pub enum RequestBody {
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
pub struct MockPlan {
    /// The request template, whose output's `statusCode` selects the integration
    /// response; `None` selects the default response.
    pub request_template: Option<MappingTemplate>,
    /// Integration responses.
    pub responses: ResponseSelector,
}

/// Compiles one route.
///
/// # Errors
/// Messages (relative to the route's location) for what cannot be served.
pub(super) fn compile_route(
    route: &Route,
    api_type: ApiType,
    models: &Models,
    functions: &super::Functions,
) -> Result<RoutePlan, Vec<String>> {
    let mut problems = Vec::new();
    match &route.authorization {
        Authorization::None => {}
        Authorization::Iam => problems.push(
            "IAM (SigV4) authorization is not supported yet (it arrives with portcullis-auth); the route would be served without its authorization".to_owned(),
        ),
        Authorization::Authorizer { name, kind } => problems.push(format!(
            "authorizer {name:?} ({kind}) is not supported yet (it arrives with portcullis-auth); the route would be served without its authorization"
        )),
    }
    let validation = match compile_validation(route, models) {
        Ok(validation) => validation,
        Err(error) => {
            problems.push(format!("x-amazon-apigateway-request-validator: {error}"));
            None
        }
    };
    if route.api_key_required {
        problems.push("API keys are not supported yet (they arrive with portcullis-ratelimit); the route would be served without its key check".to_owned());
    }
    let integration = match compile_integration(&route.integration, api_type, functions) {
        Ok(plan) => Some(plan),
        Err(mut errors) => {
            problems.append(&mut errors);
            None
        }
    };
    match integration {
        Some(integration) if problems.is_empty() => Ok(RoutePlan {
            resource: route.path.clone(),
            route_key: if route.path == crate::config::DEFAULT_NAME {
                route.path.clone()
            } else {
                format!("{} {}", route.method, route.path)
            },
            authorization_enabled: route.authorization != Authorization::None,
            validation,
            integration,
        }),
        _ => Err(problems),
    }
}

/// The route's request validation; `None` when its validator checks nothing.
fn compile_validation(
    route: &Route,
    models: &Models,
) -> Result<Option<MethodValidation>, ValidationConfigError> {
    let Some(declared) = route.validation.as_ref().filter(|v| v.body || v.parameters) else {
        return Ok(None);
    };
    let validator = Validator {
        body: declared.body,
        parameters: declared.parameters,
    };
    let required = route
        .request_parameters
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            let location = match p.location {
                ParameterLocation::Path => validate::ParameterLocation::Path,
                ParameterLocation::QueryString => validate::ParameterLocation::QueryString,
                ParameterLocation::Header => validate::ParameterLocation::Header,
            };
            RequiredParameter::new(location, p.name.clone())
        })
        .collect();
    let body_models = route
        .request_models
        .iter()
        .map(|(content_type, model)| (content_type.clone(), model.clone()))
        .collect();
    MethodValidation::new(&validator, required, body_models, models).map(Some)
}

fn compile_integration(
    integration: &Integration,
    api_type: ApiType,
    functions: &super::Functions,
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
                problems.push(format!(
                    "{prefix}.uri: function `{0}` is not configured; add it under `functions:` in the \
                     config file, or pass --function {0}=COMMAND",
                    function.name
                ));
                return Err(problems);
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
pub enum BodyChoice<'a> {
    /// The client's body.
    Passthrough,
    /// The output of this template.
    Render(&'a MappingTemplate),
    /// Nothing matches and passthrough is not allowed: 415.
    Refuse,
}

impl RequestBody {
    /// What to send for a request of `content_type` (AWS treats none as `application/json`).
    pub fn choose(&self, content_type: Option<&HeaderValue>) -> BodyChoice<'_> {
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
