//! Customised gateway responses (`x-amazon-apigateway-gateway-responses`),
//! compiled: status overrides, header sources and templates, by response type.
//!
//! Response templates are mapping templates (VTL) that see `$context` with
//! `$context.error.*`; a template without VTL is served as it is, without
//! rendering. Header values are quoted literals or request values (see
//! [`HeaderSource`]). Anything else is refused when the config loads, never ignored.

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

use portcullis_mapping::Template;

use crate::config::GatewayResponse;

/// One customised response, ready to apply.
#[derive(Debug, Clone)]
pub(crate) struct CustomResponse {
    /// Status override.
    pub(crate) status: Option<StatusCode>,
    /// Headers to set.
    pub(crate) headers: Vec<(HeaderName, HeaderSource)>,
    /// The body template, when it has VTL.
    pub(crate) template: Option<Template>,
    /// The body, when the template has no VTL.
    pub(crate) body: Option<Bytes>,
}

/// Where a gateway response header's value comes from.
#[derive(Debug, Clone)]
pub(crate) enum HeaderSource {
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
}

/// An API's customised gateway responses, keyed by response type.
#[derive(Debug, Clone, Default)]
pub(crate) struct GatewayResponses {
    by_type: HashMap<String, CustomResponse>,
}

impl GatewayResponses {
    /// Compiles the API's gateway responses.
    ///
    /// # Errors
    /// A message naming the response type and what cannot be served.
    pub(crate) fn compile(
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
    pub(crate) fn find(
        &self,
        response_type: &str,
        default_status: StatusCode,
    ) -> Option<&CustomResponse> {
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
