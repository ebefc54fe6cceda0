//! Customised gateway responses (`x-amazon-apigateway-gateway-responses`).
//!
//! Response templates are mapping templates (VTL) with `$context.error.message`,
//! `messageString`, `responseType` and `$context.requestId`; a template without
//! VTL is served as it is, without rendering
//! (`{"message":$context.error.messageString}`); header values must be quoted
//! literals. Anything else is refused when the config loads, never ignored.

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

use indexmap::IndexMap;
use portcullis_mapping::input::RequestParams;
use portcullis_mapping::{Input, Scope, Template, Value};

use crate::config::GatewayResponse;

/// One customised response, ready to apply.
#[derive(Debug, Clone)]
pub struct CustomResponse {
    /// Status override.
    pub status: Option<StatusCode>,
    /// Headers to set.
    pub headers: Vec<(HeaderName, HeaderSource)>,
    template: Option<Template>,
    /// Body computed when the template has no variables.
    pub body: Option<Bytes>,
}

/// Where a gateway response header's value comes from.
#[derive(Debug, Clone)]
pub enum HeaderSource {
    /// `'literal'`.
    Literal(HeaderValue),
    /// `method.request.header.NAME`.
    RequestHeader(HeaderName),
    /// `method.request.querystring.NAME` (as sent).
    QueryString(String),
    /// `method.request.path.NAME` (as sent), when the request matched a route.
    PathParameter(String),
    /// `stageVariables.NAME`.
    StageVariable(String),
    /// `context.requestId` / `context.extendedRequestId`.
    RequestId(bool),
}

impl HeaderSource {
    fn parse(value: &str) -> Result<Self, String> {
        if let Some(literal) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            return HeaderValue::from_str(literal)
                .map(Self::Literal)
                .map_err(|_| format!("{literal:?} is not a valid header value"));
        }
        if let Some(name) = value.strip_prefix("method.request.header.") {
            return HeaderName::from_bytes(name.as_bytes())
                .map(Self::RequestHeader)
                .map_err(|_| format!("{name:?} is not a valid header name"));
        }
        if let Some(name) = value.strip_prefix("method.request.querystring.") {
            return Ok(Self::QueryString(name.to_owned()));
        }
        if let Some(name) = value.strip_prefix("method.request.path.") {
            return Ok(Self::PathParameter(name.to_owned()));
        }
        if let Some(name) = value.strip_prefix("stageVariables.") {
            return Ok(Self::StageVariable(name.to_owned()));
        }
        match value {
            "context.requestId" => Ok(Self::RequestId(false)),
            "context.extendedRequestId" => Ok(Self::RequestId(true)),
            _ => Err(format!(
                "header value {value} is not supported; use a 'literal', method.request.header.NAME, \
                 method.request.querystring.NAME, method.request.path.NAME, stageVariables.NAME \
                 or context.requestId"
            )),
        }
    }

    /// The value for one error answer; `None` when the source is absent.
    pub fn value(&self, request: &ErrorRequest<'_>) -> Option<HeaderValue> {
        match self {
            Self::Literal(value) => Some(value.clone()),
            Self::RequestHeader(name) => request.parts?.headers.get(name).cloned(),
            Self::QueryString(name) => crate::context::query_pairs(request.parts?.uri.query())
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| HeaderValue::from_str(v).ok()),
            Self::PathParameter(name) => {
                HeaderValue::from_str(request.path_params?.get(name)?).ok()
            }
            Self::StageVariable(name) => {
                HeaderValue::from_str(request.stage_variables?.get(name)?).ok()
            }
            Self::RequestId(extended) => HeaderValue::from_str(if *extended {
                request.ids.extended_id()
            } else {
                request.ids.request_id()
            })
            .ok(),
        }
    }
}

/// What a gateway response can read of the request it answers.
#[derive(Debug, Clone, Copy)]
pub struct ErrorRequest<'a> {
    /// The request head, when the error happened after it was read.
    pub parts: Option<&'a http::request::Parts>,
    /// The matched route's path parameters, when the request matched one.
    pub path_params: Option<&'a portcullis_router::Params<'a, 'a>>,
    /// The stage's variables, when a stage was selected.
    pub stage_variables: Option<&'a std::collections::BTreeMap<String, String>>,
    /// The request ids.
    pub ids: &'a super::RequestIds,
}

/// An API's customised gateway responses, keyed by response type.
#[derive(Debug, Clone, Default)]
pub struct GatewayResponses {
    by_type: HashMap<String, CustomResponse>,
}

impl GatewayResponses {
    /// Compiles the API's gateway responses.
    ///
    /// # Errors
    /// A message naming the response type and what cannot be served.
    pub fn compile(
        source: &std::collections::BTreeMap<String, GatewayResponse>,
    ) -> Result<Self, String> {
        let mut by_type = HashMap::new();
        for (response_type, response) in source {
            let status = match response.status_code {
                Some(code) => Some(StatusCode::from_u16(code).map_err(|_| {
                    format!("{response_type}: status code {code} is not a valid HTTP status")
                })?),
                None => None,
            };
            let mut headers = Vec::new();
            for (key, value) in &response.response_parameters {
                let name = key
                    .strip_prefix("gatewayresponse.header.")
                    .ok_or_else(|| format!("{response_type}: responseParameters key {key:?} must be gatewayresponse.header.NAME"))?;
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("{response_type}: {name:?} is not a valid header name"))?;
                let source =
                    HeaderSource::parse(value).map_err(|e| format!("{response_type}: {e}"))?;
                headers.push((name, source));
            }
            let (template, body) = match pick_template(&response.response_templates) {
                // A template without VTL is its own output.
                Some(text) if !text.contains(['$', '#']) => {
                    (None, Some(Bytes::from(text.to_owned())))
                }
                Some(text) => {
                    let name = format!(
                        "x-amazon-apigateway-gateway-responses.{response_type}.responseTemplates"
                    );
                    (
                        Some(Template::compile(&name, text).map_err(|e| e.to_string())?),
                        None,
                    )
                }
                None => (None, None),
            };
            by_type.insert(
                response_type.clone(),
                CustomResponse {
                    status,
                    headers,
                    template,
                    body,
                },
            );
        }
        Ok(Self { by_type })
    }

    /// The customisation for `response_type`, falling back to `DEFAULT_4XX` / `DEFAULT_5XX`
    /// by the default status class, as AWS does.
    pub fn find(&self, response_type: &str, default_status: StatusCode) -> Option<&CustomResponse> {
        if self.by_type.is_empty() {
            return None;
        }
        self.by_type.get(response_type).or_else(|| {
            let fallback = if default_status.is_server_error() {
                "DEFAULT_5XX"
            } else {
                "DEFAULT_4XX"
            };
            self.by_type.get(fallback)
        })
    }
}

impl CustomResponse {
    /// The body for an error with `message` of `response_type`; `None` keeps the default body.
    pub fn render_body(
        &self,
        message: &str,
        response_type: &str,
        request_id: &str,
    ) -> Option<Bytes> {
        if let Some(body) = &self.body {
            return Some(body.clone());
        }
        let template = self.template.as_ref()?;
        let input = Input::new("", RequestParams::default());
        let mut scope = Scope::new(&input);
        scope.context = error_context(message, response_type, request_id);
        match template.render(&scope) {
            Ok(text) => Some(Bytes::from(text)),
            Err(error) => {
                tracing::warn!(request_id, %error, "gateway response template failed; default body sent");
                None
            }
        }
    }
}

/// `$context` of a gateway response template.
fn error_context(message: &str, response_type: &str, request_id: &str) -> Value {
    let quoted = serde_json::Value::String(message.to_owned()).to_string();
    let mut error = IndexMap::new();
    error.insert("message".to_owned(), Value::string(message));
    error.insert("messageString".to_owned(), Value::string(quoted));
    error.insert("responseType".to_owned(), Value::string(response_type));
    let mut context = IndexMap::new();
    context.insert("requestId".to_owned(), Value::string(request_id));
    context.insert("error".to_owned(), Value::map(error));
    Value::map(context)
}

fn pick_template(templates: &std::collections::BTreeMap<String, String>) -> Option<&str> {
    templates
        .get("application/json")
        .or_else(|| templates.values().next())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn responses(entries: &[(&str, GatewayResponse)]) -> Result<GatewayResponses, String> {
        let map: BTreeMap<String, GatewayResponse> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        GatewayResponses::compile(&map)
    }

    #[test]
    fn aws_default_template_renders_message_string() {
        let mut templates = BTreeMap::new();
        templates.insert(
            "application/json".to_owned(),
            r#"{"message":$context.error.messageString,"type":"$context.error.responseType"}"#
                .to_owned(),
        );
        let mut params = BTreeMap::new();
        params.insert(
            "gatewayresponse.header.x-custom".to_owned(),
            "'yes'".to_owned(),
        );
        let compiled = responses(&[(
            "DEFAULT_4XX",
            GatewayResponse {
                status_code: Some(418),
                response_parameters: params,
                response_templates: templates,
            },
        )])
        .unwrap();
        let custom = compiled
            .find("MISSING_AUTHENTICATION_TOKEN", StatusCode::FORBIDDEN)
            .expect("DEFAULT_4XX applies to 4xx types");
        assert_eq!(custom.status, Some(StatusCode::IM_A_TEAPOT));
        let ids = crate::respond::RequestIds::generate(None);
        let request = ErrorRequest {
            parts: None,
            path_params: None,
            stage_variables: None,
            ids: &ids,
        };
        assert_eq!(custom.headers[0].1.value(&request).unwrap(), "yes");
        let body = custom
            .render_body(
                "Missing Authentication Token",
                "MISSING_AUTHENTICATION_TOKEN",
                "req-1",
            )
            .unwrap();
        assert_eq!(
            &body[..],
            br#"{"message":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN"}"#
        );
        assert!(
            compiled
                .find("INTEGRATION_FAILURE", StatusCode::GATEWAY_TIMEOUT)
                .is_none()
        );
    }

    #[test]
    fn specific_type_beats_default() {
        let compiled = responses(&[
            (
                "DEFAULT_5XX",
                GatewayResponse {
                    status_code: Some(500),
                    ..Default::default()
                },
            ),
            (
                "INTEGRATION_TIMEOUT",
                GatewayResponse {
                    status_code: Some(503),
                    ..Default::default()
                },
            ),
        ])
        .unwrap();
        let timeout = compiled
            .find("INTEGRATION_TIMEOUT", StatusCode::GATEWAY_TIMEOUT)
            .unwrap();
        assert_eq!(timeout.status, Some(StatusCode::SERVICE_UNAVAILABLE));
    }

    #[test]
    fn broken_template_and_unsupported_mapping_are_refused() {
        let mut templates = BTreeMap::new();
        templates.insert("application/json".to_owned(), "#if($x".to_owned());
        let err = responses(&[(
            "DEFAULT_4XX",
            GatewayResponse {
                response_templates: templates,
                ..Default::default()
            },
        )])
        .unwrap_err();
        assert!(err.contains("DEFAULT_4XX"), "{err}");
        let mut params = BTreeMap::new();
        params.insert(
            "gatewayresponse.header.x".to_owned(),
            "method.request.body.y".to_owned(),
        );
        let err = responses(&[(
            "DEFAULT_4XX",
            GatewayResponse {
                response_parameters: params,
                ..Default::default()
            },
        )])
        .unwrap_err();
        assert!(err.contains("is not supported"), "{err}");
    }
}
