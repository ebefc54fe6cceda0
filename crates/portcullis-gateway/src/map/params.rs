//! Parameter mappings: `requestParameters` applied to the integration request,
//! HTTP API `responseParameters` to the response.

use std::borrow::Cow;

use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::body::ResponseBody;
use crate::config::{MappingOp, MappingTarget, MappingValue, ParameterMapping, ValuePart};
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

/// Evaluates every mapping of an integration against the request.
pub(crate) fn apply(
    mappings: &[ParameterMapping],
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> MappedRequest {
    let ctx = Sources { route, state };
    let mut out = MappedRequest::default();
    let body = BodySource::new(body);
    for mapping in mappings {
        let value = evaluate(&mapping.value, &ctx, &body, None);
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

/// What request-side expressions read: the routed request and its state.
struct Sources<'r, 'a> {
    route: &'r Routed<'a>,
    state: &'r RequestState<'a>,
}

/// What HTTP API response mappings read: the integration response's headers and body.
struct ResponseSources<'a> {
    headers: &'a HeaderMap,
    body: BodySource<'a>,
}

/// Applies HTTP API `responseParameters` for the integration's status to `response`.
pub(crate) fn apply_response(
    mappings: &[ParameterMapping],
    route: &Routed<'_>,
    state: &RequestState<'_>,
    response: &mut http::Response<ResponseBody>,
    backend_body: &[u8],
) {
    let ctx = Sources { route, state };
    let request_body = BodySource::new(&[]);
    let original = response.headers().clone();
    let sources = ResponseSources {
        headers: &original,
        body: BodySource::new(backend_body),
    };
    for mapping in mappings {
        let value = evaluate(&mapping.value, &ctx, &request_body, Some(&sources));
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

/// The value of a mapping expression; `None` when a referenced source is absent.
fn evaluate<'a>(
    value: &'a MappingValue,
    ctx: &'a Sources<'a, 'a>,
    body: &'a BodySource<'a>,
    response: Option<&'a ResponseSources<'a>>,
) -> Option<Cow<'a, str>> {
    if let [single] = value.0.as_slice() {
        return part(single, ctx, body, response);
    }
    let mut out = String::new();
    for piece in &value.0 {
        if let Some(text) = part(piece, ctx, body, response) {
            out.push_str(&text);
        }
    }
    Some(Cow::Owned(out))
}

fn part<'a>(
    piece: &'a ValuePart,
    ctx: &'a Sources<'a, 'a>,
    body: &'a BodySource<'a>,
    response: Option<&'a ResponseSources<'a>>,
) -> Option<Cow<'a, str>> {
    let headers = &ctx.state.parts.headers;
    match piece {
        ValuePart::Literal(text) => Some(Cow::Owned(text.clone())),
        ValuePart::Header(name) => headers.get(name.as_str())?.to_str().ok().map(Cow::Borrowed),
        ValuePart::MultiHeader(name) => {
            let values: Vec<&str> = headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!values.is_empty()).then(|| Cow::Owned(values.join(",")))
        }
        ValuePart::QueryString(name) => query_values(ctx, name).next().map(Cow::Borrowed),
        ValuePart::MultiQueryString(name) => {
            let values: Vec<&str> = query_values(ctx, name).collect();
            (!values.is_empty()).then(|| Cow::Owned(values.join(",")))
        }
        ValuePart::PathParameter(name) => ctx.route.params.get(name).map(Cow::Borrowed),
        ValuePart::WholePath => Some(Cow::Borrowed(ctx.route.api_path)),
        ValuePart::StageVariable(name) => ctx
            .route
            .stage
            .variables
            .get(name)
            .map(|v| Cow::Borrowed(v.as_str())),
        ValuePart::Context(name) => ctx.state.context_variable(name),
        ValuePart::Body(path) => body.value(path.as_deref()),
        ValuePart::ResponseHeader(name) => {
            let values: Vec<&str> = response?
                .headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            // HTTP APIs join several values with commas.
            (!values.is_empty()).then(|| Cow::Owned(values.join(",")))
        }
        ValuePart::ResponseBody(path) => response?.body.value(path.as_deref()),
    }
}

/// Raw values of query parameter `name`, as the client sent them.
fn query_values<'a>(ctx: &'a Sources<'a, 'a>, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    ctx.state
        .query_pairs()
        .filter(move |(key, _)| portcullis_router::percent_decode_query(key) == name)
        .map(|(_, value)| value)
}

/// A request or response body for `body[.JSONPath]` mappings, parsed as JSON at
/// most once, and only when a mapping reads it.
struct BodySource<'b> {
    raw: &'b [u8],
    json: std::cell::OnceCell<Option<serde_json::Value>>,
}

impl<'b> BodySource<'b> {
    fn new(raw: &'b [u8]) -> Self {
        Self {
            raw,
            json: std::cell::OnceCell::new(),
        }
    }

    /// The whole body, or the value at `path` (written without `$.`): strings as
    /// they are, anything else as compact JSON, as AWS maps them.
    fn value(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        let Some(path) = path else {
            return Some(String::from_utf8_lossy(self.raw));
        };
        let json = self
            .json
            .get_or_init(|| serde_json::from_slice(self.raw).ok())
            .as_ref()?;
        let path = portcullis_mapping::jsonpath::JsonPath::parse(&format!("$.{path}")).ok()?;
        match path.select_json(json)? {
            serde_json::Value::String(text) => Some(Cow::Owned(text)),
            serde_json::Value::Null => None,
            other => Some(Cow::Owned(other.to_string())),
        }
    }
}
