//! Parameter mappings: `requestParameters` applied to the integration request,
//! HTTP API `responseParameters` to the response.

use std::borrow::Cow;

use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::body::ResponseBody;
use portcullis_mapping::params::{self, BodyValue, ParameterSource};

use crate::config::{MappingOp, MappingTarget, ParameterMapping};
use crate::request::{RequestState, Routed};

/// Characters escaped when a mapped value is written into a URI. `%` is kept:
/// values read from the request URI are already encoded as the client sent them.
const URI_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'&')
    .add(b'+');

/// The parts of the integration request that mappings write.
#[derive(Debug, Default)]
pub(crate) struct MappedRequest {
    /// Headers to set on the integration request.
    pub(crate) headers: HeaderMap,
    /// Headers to remove (HTTP API `remove:header.X`).
    pub(crate) removed_headers: Vec<HeaderName>,
    /// Query parameters to write, already URI-safe (name, value, append?).
    pub(crate) query: Vec<(String, String, MappingOp)>,
    /// Integration path parameters (`integration.request.path.X`).
    pub(crate) path_parameters: Vec<(String, String)>,
    /// HTTP API `overwrite:path`.
    pub(crate) path: Option<String>,
}

impl MappedRequest {
    /// Applies a request template's `$context.requestOverride`: each header,
    /// query string parameter and path parameter set there replaces what the
    /// mappings wrote (API Gateway applies overrides last).
    pub(crate) fn apply_overrides(&mut self, overrides: &super::overrides::Overrides) {
        for (name, value) in overrides.request("header") {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                self.headers.insert(name, value);
            }
        }
        for (name, value) in overrides.request("querystring") {
            let name = utf8_percent_encode(&name, URI_UNSAFE).to_string();
            let value = utf8_percent_encode(&value, URI_UNSAFE).to_string();
            self.query.push((name, value, MappingOp::Overwrite));
        }
        for (name, value) in overrides.request("path") {
            self.path_parameters.retain(|(n, _)| *n != name);
            self.path_parameters.push((name, value));
        }
    }
}

/// Evaluates every mapping of an integration against the request.
pub(crate) fn apply(
    mappings: &[ParameterMapping],
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> MappedRequest {
    let sources = Sources {
        route,
        state,
        body: BodyValue::new(body),
        response: None,
    };
    let mut out = MappedRequest::default();
    for mapping in mappings {
        let value = params::evaluate(&mapping.value, &sources);
        match &mapping.target {
            MappingTarget::Header { name, op } => {
                let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
                    continue;
                };
                match op {
                    MappingOp::Remove => out.removed_headers.push(name),
                    _ => {
                        // An absent source maps to nothing, as on AWS.
                        let Some(value) = value else { continue };
                        let Ok(value) = HeaderValue::from_str(&value) else {
                            continue;
                        };
                        if *op == MappingOp::Append {
                            out.headers.append(name, value);
                        } else {
                            out.headers.insert(name, value);
                        }
                    }
                }
            }
            MappingTarget::QueryString { name, op } => {
                let value = value
                    .map(|v| utf8_percent_encode(&v, URI_UNSAFE).to_string())
                    .unwrap_or_default();
                if *op == MappingOp::Remove || !value.is_empty() {
                    out.query.push((
                        utf8_percent_encode(name, URI_UNSAFE).to_string(),
                        value,
                        *op,
                    ));
                }
            }
            MappingTarget::PathParameter { name } => {
                if let Some(value) = value {
                    out.path_parameters.push((name.clone(), value.into_owned()));
                }
            }
            MappingTarget::Path => {
                if let Some(value) = value {
                    out.path = Some(value.into_owned());
                }
            }
            // Response-only: refused in requestParameters at load.
            MappingTarget::StatusCode => {}
        }
    }
    out
}

/// Applies HTTP API `responseParameters` for the integration's status to `response`.
pub(crate) fn apply_response(
    mappings: &[ParameterMapping],
    route: &Routed<'_>,
    state: &RequestState<'_>,
    response: &mut http::Response<ResponseBody>,
    backend_body: &[u8],
) {
    let original = response.headers().clone();
    let sources = Sources {
        route,
        state,
        body: BodyValue::new(&[]),
        response: Some((&original, BodyValue::new(backend_body))),
    };
    for mapping in mappings {
        let value = params::evaluate(&mapping.value, &sources);
        match &mapping.target {
            MappingTarget::StatusCode => {
                if let Some(status) = value
                    .and_then(|v| v.trim().parse::<u16>().ok())
                    .and_then(|c| http::StatusCode::from_u16(c).ok())
                {
                    *response.status_mut() = status;
                }
            }
            MappingTarget::Header { name, op } => {
                let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
                    continue;
                };
                let headers = response.headers_mut();
                match op {
                    MappingOp::Remove => {
                        headers.remove(&name);
                    }
                    MappingOp::Overwrite | MappingOp::Append => {
                        let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) else {
                            continue;
                        };
                        if *op == MappingOp::Append {
                            headers.append(name, value);
                        } else {
                            headers.insert(name, value);
                        }
                    }
                }
            }
            MappingTarget::QueryString { .. }
            | MappingTarget::PathParameter { .. }
            | MappingTarget::Path => {}
        }
    }
}

/// Evaluates one value against the request (an AWS service action's
/// `Region`); `None` when its source is absent.
pub(crate) fn evaluate_value(
    value: &crate::config::MappingValue,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> Option<String> {
    let sources = Sources {
        route,
        state,
        body: BodyValue::new(body),
        response: None,
    };
    params::evaluate(value, &sources).map(std::borrow::Cow::into_owned)
}

/// Evaluates named values (an AWS service action's parameters) against the
/// request; a value whose source is absent is left out, as AWS leaves it.
pub(crate) fn evaluate_named<'v>(
    values: &'v std::collections::BTreeMap<String, crate::config::MappingValue>,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> Vec<(&'v str, String)> {
    let sources = Sources {
        route,
        state,
        body: BodyValue::new(body),
        response: None,
    };
    values
        .iter()
        .filter_map(|(name, value)| {
            params::evaluate(value, &sources).map(|v| (name.as_str(), v.into_owned()))
        })
        .collect()
}

/// What mapping expressions read: the routed request, its state and body,
/// and for response mappings the integration's headers and body.
struct Sources<'r, 'a> {
    route: &'r Routed<'a>,
    state: &'r RequestState<'a>,
    body: BodyValue<'r>,
    response: Option<(&'r HeaderMap, BodyValue<'r>)>,
}

impl ParameterSource for Sources<'_, '_> {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        let value = self.state.parts.headers.get(name)?;
        value.to_str().ok().map(Cow::Borrowed)
    }

    fn header_values(&self, name: &str) -> Option<Cow<'_, str>> {
        joined(&self.state.parts.headers, name)
    }

    fn query(&self, name: &str) -> Option<Cow<'_, str>> {
        self.query_raw(name).next().map(Cow::Borrowed)
    }

    fn query_values(&self, name: &str) -> Option<Cow<'_, str>> {
        let values: Vec<&str> = self.query_raw(name).collect();
        (!values.is_empty()).then(|| Cow::Owned(values.join(",")))
    }

    fn path_parameter(&self, name: &str) -> Option<Cow<'_, str>> {
        self.route.params.get(name).map(Cow::Borrowed)
    }

    fn path(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self.route.api_path))
    }

    fn stage_variable(&self, name: &str) -> Option<Cow<'_, str>> {
        let value = self.route.stage.variables.get(name)?;
        Some(Cow::Borrowed(value.as_str()))
    }

    fn context(&self, name: &str) -> Option<Cow<'_, str>> {
        self.state.context_variable(name)
    }

    fn body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        self.body.get(path)
    }

    fn response_header(&self, name: &str) -> Option<Cow<'_, str>> {
        // HTTP APIs join several values with commas.
        joined(self.response.as_ref()?.0, name)
    }

    fn response_body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        self.response.as_ref()?.1.get(path)
    }
}

impl<'a> Sources<'_, 'a> {
    /// Raw values of query parameter `name`, as the client sent them.
    fn query_raw<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.state
            .query_pairs()
            .filter(move |(key, _)| portcullis_router::percent_decode_query(key) == name)
            .map(|(_, value)| value)
    }
}

/// Every value of header `name`, comma-joined; `None` when there is none.
fn joined<'h>(headers: &'h HeaderMap, name: &str) -> Option<Cow<'h, str>> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| Cow::Owned(values.join(",")))
}
