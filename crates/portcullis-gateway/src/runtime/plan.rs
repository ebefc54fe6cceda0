//! Per-route plans: each route's configuration compiled once, at load.

use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;

use super::responses::{ResponseSelector, pick, static_template};
use super::uri::UriTemplate;
use portcullis_mapping::validate::{
    self, MethodValidation, Models, RequiredParameter, ValidationConfigError, Validator,
};

use crate::config::{
    ApiType, Authorization, Integration, IntegrationKind, ParameterLocation, ParameterMapping,
    PassthroughBehavior, Route, ValuePart,
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
}

/// What a non-proxy integration sends as the request body.
#[derive(Debug, Clone)]
pub enum RequestBody {
    /// The client's body as is.
    Passthrough,
    /// Static templates by content type, with the passthrough behaviour for the rest.
    Templates {
        /// Content type → body.
        by_content_type: Vec<(String, Bytes)>,
        /// Whether an unmatched content type passes through (`WHEN_NO_MATCH`) or gets 415.
        pass_unmatched: bool,
    },
    /// `NEVER` without templates: every request is refused with 415.
    Refuse,
}

/// A MOCK integration.
#[derive(Debug)]
pub struct MockPlan {
    /// `statusCode` from the request template, as text for pattern matching;
    /// `None` selects the default response.
    pub status_text: Option<String>,
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
    let integration = match compile_integration(&route.integration, api_type) {
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
) -> Result<IntegrationPlan, Vec<String>> {
    let mut problems = Vec::new();
    let prefix = "x-amazon-apigateway-integration";
    let responses = ResponseSelector::compile(&integration.responses)
        .map_err(|e| problems.push(format!("{prefix}.{e}")))
        .unwrap_or_default();
    if integration.content_handling.is_some() {
        problems.push(format!(
            "{prefix}.contentHandling is not supported yet (arrives with portcullis-mapping)"
        ));
    }
    for mapping in &integration.request_parameters {
        if mapping
            .value
            .0
            .iter()
            .any(|p| matches!(p, ValuePart::Body(_)))
        {
            problems.push(format!(
                "{prefix}.requestParameters.{}: body mappings are not supported yet (arrive with portcullis-mapping)",
                mapping.key
            ));
        }
    }
    let plan = match &integration.kind {
        IntegrationKind::Mock => {
            let status = match pick(&integration.request_templates) {
                None => None,
                Some((content_type, text)) => match mock_status(text) {
                    Ok(status) => Some(status),
                    Err(e) => {
                        problems.push(format!("{prefix}.requestTemplates.{content_type}: {e}"));
                        None
                    }
                },
            };
            IntegrationPlan::Mock(MockPlan {
                status_text: status.map(|s| s.to_string()),
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
            })
        }
    };
    let _ = api_type;
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
        match static_template(text) {
            Ok(body) => by_content_type.push((content_type.to_ascii_lowercase(), body)),
            Err(e) => problems.push(format!(
                "x-amazon-apigateway-integration.requestTemplates.{content_type}: {e}"
            )),
        }
    }
    RequestBody::Templates {
        by_content_type,
        pass_unmatched: integration.passthrough == PassthroughBehavior::WhenNoMatch,
    }
}

/// The `statusCode` of a MOCK request template such as `{"statusCode": 200}`.
fn mock_status(text: &str) -> Result<u16, String> {
    let body = static_template(text)?;
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| format!("MOCK request template is not JSON: {e}"))?;
    value
        .get("statusCode")
        .and_then(serde_json::Value::as_u64)
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (100..=599).contains(code))
        .ok_or_else(|| "MOCK request template must set \"statusCode\" to an HTTP status (e.g. {\"statusCode\": 200})".to_owned())
}

impl RequestBody {
    /// The body to send for a request of `content_type`; `None` means 415 Unsupported Media Type.
    pub fn choose(&self, content_type: Option<&HeaderValue>, body: &Bytes) -> Option<Bytes> {
        match self {
            RequestBody::Passthrough => Some(body.clone()),
            RequestBody::Refuse => None,
            RequestBody::Templates {
                by_content_type,
                pass_unmatched,
            } => {
                // AWS treats a request without Content-Type as application/json.
                let wanted = content_type
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.split(';').next().unwrap_or("").trim())
                    .unwrap_or("application/json");
                match by_content_type
                    .iter()
                    .find(|(ct, _)| ct.eq_ignore_ascii_case(wanted))
                {
                    Some((_, template)) => Some(template.clone()),
                    None if *pass_unmatched => Some(body.clone()),
                    None => None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_status_from_template() {
        assert_eq!(mock_status("{\"statusCode\": 201}"), Ok(201));
        assert!(mock_status("{\"statusCode\": \"x\"}").is_err());
        assert!(
            mock_status("#if(1) {\"statusCode\": 200} #end")
                .unwrap_err()
                .contains("portcullis-mapping")
        );
    }

    #[test]
    fn request_body_selection_follows_passthrough() {
        let templates = RequestBody::Templates {
            by_content_type: vec![("application/json".into(), Bytes::from_static(b"T"))],
            pass_unmatched: false,
        };
        let body = Bytes::from_static(b"B");
        assert_eq!(templates.choose(None, &body).unwrap(), "T");
        let xml = HeaderValue::from_static("application/xml");
        assert!(templates.choose(Some(&xml), &body).is_none());
        let lenient = RequestBody::Templates {
            by_content_type: vec![("application/json".into(), Bytes::from_static(b"T"))],
            pass_unmatched: true,
        };
        assert_eq!(lenient.choose(Some(&xml), &body).unwrap(), "B");
        assert!(RequestBody::Refuse.choose(None, &body).is_none());
    }
}
