//! Integration responses of non-proxy integrations (`http`, `mock`): pick one
//! by `selectionPattern`, then build the method response.

use http::{HeaderName, HeaderValue, StatusCode};
use portcullis_mapping::JavaPattern;
use portcullis_mapping::jsonpath::JsonPath;

use super::template::MappingTemplate;

use crate::config::{ContentHandling, IntegrationResponse};

/// Where a method response header's value comes from.
#[derive(Debug, Clone)]
pub(crate) enum HeaderSource {
    /// A quoted literal.
    Literal(HeaderValue),
    /// `integration.response.header.NAME`.
    IntegrationHeader(HeaderName),
    /// `integration.response.body` (the whole body) or `integration.response.body.JSONPath`.
    IntegrationBody(Option<JsonPath>),
    /// `integration.response.multivalueheader.NAME`: every value, comma-joined.
    IntegrationMultiHeader(HeaderName),
    /// `stageVariables.NAME`.
    StageVariable(String),
    /// `context.NAME`.
    Context(String),
}

/// One compiled integration response.
#[derive(Debug, Clone)]
pub(crate) struct MethodResponse {
    /// Status code sent to the client.
    pub(crate) status: StatusCode,
    /// Headers to set.
    pub(crate) headers: Vec<(HeaderName, HeaderSource)>,
    /// The response template with its content type; `None` passes the body through.
    pub(crate) body: Option<(HeaderValue, MappingTemplate)>,
    /// `contentHandling` of the integration response.
    pub(crate) content_handling: Option<ContentHandling>,
}

/// The integration responses of one integration.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseSelector {
    patterns: Vec<(JavaPattern, MethodResponse)>,
    default: Option<MethodResponse>,
}

impl ResponseSelector {
    /// Compiles `responses`.
    ///
    /// # Errors
    /// A message naming the response key and what cannot be served.
    pub(crate) fn compile(responses: &[IntegrationResponse]) -> Result<Self, String> {
        let mut selector = Self::default();
        for response in responses {
            let compiled = compile_response(response)
                .map_err(|e| format!("responses.{}: {e}", response.key))?;
            match &response.selection_pattern {
                None => selector.default = Some(compiled),
                Some(pattern) => {
                    // selectionPattern is a Java regex matching the whole subject.
                    let pattern = JavaPattern::whole(pattern)
                        .map_err(|e| format!("responses.{}: selectionPattern {e}", response.key))?;
                    selector.patterns.push((pattern, compiled));
                }
            }
        }
        Ok(selector)
    }

    /// The default response (`None` when there is none): what a Lambda function
    /// that returned without error gets, patterns matching only error messages.
    pub(crate) fn default_response(&self) -> Option<&MethodResponse> {
        self.default.as_ref()
    }

    /// The response whose pattern matches `subject` (a status code for HTTP and MOCK
    /// integrations), else the default; `None` is AWS's API configuration error.
    pub(crate) fn select(&self, subject: &str) -> Option<&MethodResponse> {
        self.patterns
            .iter()
            .find(|(pattern, _)| pattern.matches(subject))
            .map(|(_, response)| response)
            .or(self.default.as_ref())
    }
}

fn compile_response(response: &IntegrationResponse) -> Result<MethodResponse, String> {
    let status = StatusCode::from_u16(response.status_code).map_err(|_| {
        format!(
            "statusCode {} is not a valid HTTP status",
            response.status_code
        )
    })?;
    let mut headers = Vec::new();
    for (key, value) in &response.response_parameters {
        let name = key.strip_prefix("method.response.header.").ok_or_else(|| {
            format!("responseParameters key {key:?} must be method.response.header.NAME")
        })?;
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{name:?} is not a valid header name"))?;
        let source = if let Some(literal) =
            value.strip_prefix('\'').and_then(|v| v.strip_suffix('\''))
        {
            HeaderSource::Literal(
                HeaderValue::from_str(literal)
                    .map_err(|_| format!("{literal:?} is not a valid header value"))?,
            )
        } else if let Some(from) = value.strip_prefix("integration.response.header.") {
            HeaderSource::IntegrationHeader(
                HeaderName::from_bytes(from.as_bytes())
                    .map_err(|_| format!("{from:?} is not a valid header name"))?,
            )
        } else if let Some(from) = value.strip_prefix("integration.response.multivalueheader.") {
            HeaderSource::IntegrationMultiHeader(
                HeaderName::from_bytes(from.as_bytes())
                    .map_err(|_| format!("{from:?} is not a valid header name"))?,
            )
        } else if let Some(name) = value.strip_prefix("stageVariables.") {
            HeaderSource::StageVariable(name.to_owned())
        } else if let Some(name) = value.strip_prefix("context.") {
            HeaderSource::Context(name.to_owned())
        } else if value == "integration.response.body" {
            HeaderSource::IntegrationBody(None)
        } else if let Some(path) = value.strip_prefix("integration.response.body.") {
            let path = JsonPath::parse(&format!("$.{path}")).map_err(|e| e.to_string())?;
            HeaderSource::IntegrationBody(Some(path))
        } else {
            return Err(format!(
                "response parameter value {value:?} is not supported: use a 'literal', integration.response.header.NAME, integration.response.multivalueheader.NAME, integration.response.body[.JSONPath], stageVariables.NAME or context.NAME"
            ));
        };
        headers.push((name, source));
    }
    let body = match pick(&response.response_templates) {
        Some((content_type, text)) => {
            let value = HeaderValue::from_str(content_type)
                .map_err(|_| format!("{content_type:?} is not a valid content type"))?;
            let name = format!(
                "responses.{}.responseTemplates.{content_type}",
                response.key
            );
            Some((value, MappingTemplate::compile(&name, text)?))
        }
        None => None,
    };
    Ok(MethodResponse {
        status,
        headers,
        body,
        content_handling: response.content_handling,
    })
}

/// The template AWS uses when the client states no preference: `application/json`, else the only one.
pub(super) fn pick(templates: &std::collections::BTreeMap<String, String>) -> Option<(&str, &str)> {
    templates
        .get_key_value("application/json")
        .or_else(|| templates.iter().next())
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn response(key: &str, pattern: Option<&str>, status: u16) -> IntegrationResponse {
        IntegrationResponse {
            key: key.to_owned(),
            selection_pattern: pattern.map(str::to_owned),
            status_code: status,
            response_parameters: BTreeMap::new(),
            response_templates: BTreeMap::new(),
            content_handling: None,
        }
    }

    #[test]
    fn pattern_must_match_whole_subject() {
        let selector = ResponseSelector::compile(&[
            response("4\\d{2}", Some("4\\d{2}"), 400),
            response("default", None, 200),
        ])
        .unwrap();
        assert_eq!(
            selector.select("404").unwrap().status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(selector.select("4040").unwrap().status, StatusCode::OK);
        assert_eq!(selector.select("200").unwrap().status, StatusCode::OK);
    }

    #[test]
    fn no_default_means_configuration_error() {
        let selector = ResponseSelector::compile(&[response("5..", Some("5.."), 500)]).unwrap();
        assert!(selector.select("200").is_none());
    }
}
