//! Customised gateway responses (`x-amazon-apigateway-gateway-responses`).
//!
//! Until full mapping templates arrive, a response template may hold literal
//! text and the `$context` error variables AWS's own default template uses
//! (`{"message":$context.error.messageString}`); header values must be quoted
//! literals. Anything else is refused when the config loads, never ignored.

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

use crate::config::GatewayResponse;

/// One customised response, ready to apply.
#[derive(Debug, Clone)]
pub struct CustomResponse {
    /// Status override.
    pub status: Option<StatusCode>,
    /// Headers to set.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    template: Option<Vec<Part>>,
    /// Body computed when the template has no variables.
    pub body: Option<Bytes>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    MessageString,
    Message,
    ResponseType,
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
                let literal = value
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .ok_or_else(|| format!("{response_type}: header value {value} is not a quoted literal; request and context mappings in gateway responses are not supported yet (they arrive with portcullis-mapping)"))?;
                let value = HeaderValue::from_str(literal).map_err(|_| {
                    format!("{response_type}: {literal:?} is not a valid header value")
                })?;
                headers.push((name, value));
            }
            let template = match pick_template(&response.response_templates) {
                Some(text) => {
                    Some(parse_template(text).map_err(|e| format!("{response_type}: {e}"))?)
                }
                None => None,
            };
            let body = template.as_ref().and_then(|parts| match parts.as_slice() {
                [] => Some(Bytes::new()),
                [Part::Literal(text)] => Some(Bytes::from(text.clone())),
                _ => None,
            });
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
    pub fn render_body(&self, message: &str, response_type: &str) -> Option<Bytes> {
        if let Some(body) = &self.body {
            return Some(body.clone());
        }
        let parts = self.template.as_ref()?;
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::MessageString => {
                    out.push_str(&serde_json::Value::String(message.to_owned()).to_string());
                }
                Part::Message => out.push_str(message),
                Part::ResponseType => out.push_str(response_type),
            }
        }
        Some(Bytes::from(out))
    }
}

fn pick_template(templates: &std::collections::BTreeMap<String, String>) -> Option<&str> {
    templates
        .get("application/json")
        .or_else(|| templates.values().next())
        .map(String::as_str)
}

const VARIABLES: [(&str, Part); 3] = [
    ("$context.error.messageString", Part::MessageString),
    ("$context.error.message", Part::Message),
    ("$context.error.responseType", Part::ResponseType),
];

fn parse_template(text: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['$', '#']) {
        let (literal, tail) = rest.split_at(at);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal.to_owned()));
        }
        let Some((name, part)) = VARIABLES.iter().find(|(name, _)| {
            tail.starts_with(name)
                && !tail[name.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        }) else {
            return Err(format!(
                "response template uses {:?}; only literal text and $context.error.message / messageString / responseType are supported until mapping templates arrive (portcullis-mapping)",
                tail.chars().take(32).collect::<String>()
            ));
        };
        parts.push(part.clone());
        rest = &tail[name.len()..];
    }
    if !rest.is_empty() {
        parts.push(Part::Literal(rest.to_owned()));
    }
    Ok(parts)
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
        assert_eq!(custom.headers[0].1, "yes");
        let body = custom
            .render_body(
                "Missing Authentication Token",
                "MISSING_AUTHENTICATION_TOKEN",
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
    fn unsupported_template_and_mapping_are_refused() {
        let mut templates = BTreeMap::new();
        templates.insert("application/json".to_owned(), "$input.body".to_owned());
        let err = responses(&[(
            "DEFAULT_4XX",
            GatewayResponse {
                response_templates: templates,
                ..Default::default()
            },
        )])
        .unwrap_err();
        assert!(err.contains("$input.body"), "{err}");
        let mut params = BTreeMap::new();
        params.insert(
            "gatewayresponse.header.x".to_owned(),
            "method.request.header.y".to_owned(),
        );
        let err = responses(&[(
            "DEFAULT_4XX",
            GatewayResponse {
                response_parameters: params,
                ..Default::default()
            },
        )])
        .unwrap_err();
        assert!(err.contains("not a quoted literal"), "{err}");
    }
}
