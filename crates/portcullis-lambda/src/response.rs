//! Reading a function's proxy result back into an HTTP response.
//!
//! - [`parse_v1`]: REST APIs and HTTP APIs with payload format 1.0.
//! - [`parse_v2`]: HTTP APIs with payload format 2.0, including AWS's
//!   inference of a response from results that are not in the proxy format.
//! - [`error_message`]: the text a custom (non-proxy) Lambda integration
//!   matches `selectionPattern`s against.
//!
//! A result API Gateway cannot use is a [`MalformedResponse`]; AWS answers
//! the client `502 Bad Gateway` on REST APIs and `500 Internal Server Error`
//! on HTTP APIs, and logs why (`$context.integrationErrorMessage`). Our error
//! messages say precisely what was wrong so the function's author can fix it.
//!
//! All entry points take the raw payload bytes and never panic, so a fuzz
//! target can call them directly.
//!
//! What AWS accepts, and where we know it from (REST facts are from
//! LocalStack's AWS-validated recordings of `test_aws_proxy_response_payload_format_validation`):
//!
//! - the result must be a JSON object (a bare string is a 502);
//! - every field is optional: `{"headers": {...}}` alone is a 200 with an
//!   empty body; `statusCode` may be a number or a numeric string (`"201"`),
//!   but not other text (`"test"` is a 502);
//! - REST rejects unknown top-level fields (`{"statusCode": 200,
//!   "wrongValue": ...}` is a 502), and so does our 1.0 parser for HTTP APIs
//!   (AWS documents one format for both);
//! - `headers` values may be booleans (sent as `true`); each
//!   `multiValueHeaders` entry must be an array (a string there is a 502);
//! - `headers` and `multiValueHeaders` merge: a name in both keeps the
//!   multi-value values first, then the single value, unless that exact
//!   value is already among them (the guide's "only the values from
//!   multiValueHeaders"); names compare case-insensitively;
//! - `body` must be a string; `isBase64Encoded: true` makes it base64 to decode.
//!
//! Numbers in `headers` are accepted as their JSON text. AWS parses results
//! with Java, whose usual JSON mapping coerces scalars to strings; we follow
//! that for numbers as for the recorded booleans, and reject objects and
//! arrays, which no mapping turns into a header value.

use base64::Engine as _;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, SET_COOKIE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Map, Value};

/// A function's result as the HTTP response the gateway sends.
///
/// The gateway still owns what AWS adds around it: a default `Content-Type`
/// (REST sends `application/json` when the function sets none, per AWS
/// recordings), `Content-Length`, and the remapping of headers it reserves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyResponse {
    /// `statusCode` (200 when absent).
    pub status: StatusCode,
    /// `headers`, `multiValueHeaders` and (2.0) `cookies`, merged.
    pub headers: HeaderMap,
    /// `body`, base64-decoded when the function set `isBase64Encoded`.
    pub body: Bytes,
    /// The function set `isBase64Encoded: true`.
    ///
    /// REST APIs decode the body only when the client's `Accept` matches the
    /// API's binary media types; otherwise the client receives the base64
    /// text. Such a gateway re-encodes [`ProxyResponse::body`] with
    /// [`ProxyResponse::base64_body`].
    pub base64_encoded: bool,
}

impl ProxyResponse {
    /// The body base64-encoded (standard alphabet, padded): what a REST API
    /// sends when the function returned binary but the client did not accept it.
    pub fn base64_body(&self) -> Bytes {
        Bytes::from(base64::engine::general_purpose::STANDARD.encode(&self.body))
    }
}

/// Why a function's result is not a usable proxy response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MalformedResponse {
    /// The payload is not JSON at all.
    #[error(
        "the function's result is not valid JSON ({0}); a proxy integration needs a JSON object like {{\"statusCode\": 200, \"body\": \"...\"}}"
    )]
    NotJson(String),
    /// The payload is JSON, but not an object.
    #[error(
        "the function returned a JSON {0}, but a proxy integration needs a JSON object like {{\"statusCode\": 200, \"body\": \"...\"}}"
    )]
    NotAnObject(&'static str),
    /// A top-level field the format does not have.
    #[error(
        "unexpected field {0:?} in the function's result: only statusCode, headers, multiValueHeaders, body and isBase64Encoded are allowed"
    )]
    UnknownField(String),
    /// `statusCode` is not an HTTP status.
    #[error(
        "statusCode must be an integer from 100 to 599 (a number or a string of digits), but is {0}"
    )]
    StatusCode(String),
    /// `headers`, `multiValueHeaders` or `cookies` is not the right container.
    #[error("{field} must be {expected} or null, but is a JSON {found}")]
    Container {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A header value (or cookie) of a type that has no text form.
    #[error("{field}.{name} must be {expected}, but is a JSON {found}")]
    HeaderValueType {
        /// `headers`, `multiValueHeaders` or `cookies`.
        field: &'static str,
        /// The header name (or cookie index).
        name: String,
        /// What it must be.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A header name HTTP does not allow.
    #[error(
        "{field} has an invalid header name {name:?}: names must be non-empty HTTP tokens (letters, digits and !#$%&'*+-.^_`|~)"
    )]
    HeaderName {
        /// `headers` or `multiValueHeaders`.
        field: &'static str,
        /// The name.
        name: String,
    },
    /// A header value HTTP does not allow.
    #[error(
        "{field}.{name} has an invalid value {value:?}: header values cannot contain control characters such as CR, LF or NUL"
    )]
    HeaderValue {
        /// `headers`, `multiValueHeaders` or `cookies`.
        field: &'static str,
        /// The header name.
        name: String,
        /// The value.
        value: String,
    },
    /// `body` is not a string.
    #[error(
        "body must be a string or null, but is a JSON {0}; serialise structured bodies first (JSON.stringify, json.dumps)"
    )]
    Body(&'static str),
    /// `isBase64Encoded` is not a boolean.
    #[error("isBase64Encoded must be true or false, but is {0}")]
    IsBase64Encoded(String),
    /// `isBase64Encoded` is true but `body` is not base64.
    #[error("isBase64Encoded is true but body is not valid base64 ({0})")]
    Base64(String),
}

/// Parses a payload format 1.0 result (REST APIs, and HTTP APIs on 1.0).
pub fn parse_v1(payload: &[u8]) -> Result<ProxyResponse, MalformedResponse> {
    let value = parse_json(payload)?;
    let Value::Object(object) = value else {
        return Err(MalformedResponse::NotAnObject(type_name(&value)));
    };
    if let Some(field) = object.keys().find(|key| !V1_FIELDS.contains(&key.as_str())) {
        return Err(MalformedResponse::UnknownField(field.clone()));
    }
    structured(&object, false)
}

/// Parses a payload format 2.0 result (HTTP APIs).
///
/// A JSON object with a `statusCode` key is read as a proxy response
/// (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`; other keys
/// are ignored). Any other valid JSON is *inferred*, as AWS documents: status
/// 200, `content-type: application/json`, and the body is the returned JSON
/// text as is (a JSON string's body is its contents, per AWS's example of
/// `"Hello from Lambda!"` becoming the body `Hello from Lambda!`).
pub fn parse_v2(payload: &[u8]) -> Result<ProxyResponse, MalformedResponse> {
    let value = parse_json(payload)?;
    match value {
        Value::Object(object) if object.contains_key("statusCode") => structured(&object, true),
        Value::String(text) => Ok(inferred(Bytes::from(text))),
        _ => Ok(inferred(Bytes::copy_from_slice(payload))),
    }
}

/// The `errorMessage` of a Lambda error document, for matching a custom
/// integration's `selectionPattern`s.
///
/// AWS matches patterns against the `errorMessage` of the function's error
/// (`handle-errors-in-lambda-integration.md`). `None` means the payload has
/// none (a successful result, or not a JSON object): AWS then matches against
/// nothing, so only the default response (no pattern) or a pattern that
/// matches the empty string, such as `.*`, applies. LocalStack's AWS-validated
/// recording confirms a successful result is not matched: `"Pass"` returned
/// by a function is answered by the default 200, not by a `.+` pattern. The
/// gateway therefore matches `error_message(payload).unwrap_or_default()`.
///
/// A non-string `errorMessage` (never produced by Lambda's runtimes, but a
/// function can return one) is matched as its JSON text.
pub fn error_message(payload: &[u8]) -> Option<String> {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(payload) else {
        return None;
    };
    match object.remove("errorMessage")? {
        Value::Null => None,
        Value::String(message) => Some(message),
        other => Some(other.to_string()),
    }
}

/// The top-level fields payload format 1.0 allows.
const V1_FIELDS: [&str; 5] = [
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
];

fn parse_json(payload: &[u8]) -> Result<Value, MalformedResponse> {
    serde_json::from_slice(payload).map_err(|err| MalformedResponse::NotJson(err.to_string()))
}

fn inferred(body: Bytes) -> ProxyResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    ProxyResponse {
        status: StatusCode::OK,
        headers,
        body,
        base64_encoded: false,
    }
}

/// Reads the proxy-format fields of `object`; `cookies` only for 2.0.
fn structured(object: &Map<String, Value>, v2: bool) -> Result<ProxyResponse, MalformedResponse> {
    let status = status_code(object.get("statusCode"))?;
    let mut headers = HeaderMap::new();
    // 2.0 has no multiValueHeaders: like any unknown key there, it is ignored.
    if !v2 && let Some(multi) = container(object, "multiValueHeaders", "an object of arrays")? {
        append_multi(multi, &mut headers)?;
    }
    let single = container(object, "headers", "an object")?;
    if let Some(single) = single {
        for (name, value) in single {
            let Some(text) = scalar_text("headers", name, value)? else {
                continue;
            };
            let header = header_name("headers", name)?;
            let value = header_value("headers", name, &text)?;
            // The same name and value from multiValueHeaders appears once.
            if !headers
                .get_all(&header)
                .iter()
                .any(|existing| *existing == value)
            {
                headers.append(header, value);
            }
        }
    }
    if v2 {
        append_cookies(object, &mut headers)?;
    }
    let base64_encoded = is_base64_encoded(object.get("isBase64Encoded"))?;
    let body = match object.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text)) if base64_encoded => Bytes::from(
            BASE64
                .decode(text)
                .map_err(|err| MalformedResponse::Base64(err.to_string()))?,
        ),
        Some(Value::String(text)) => Bytes::copy_from_slice(text.as_bytes()),
        Some(other) => return Err(MalformedResponse::Body(type_name(other))),
    };
    Ok(ProxyResponse {
        status,
        headers,
        body,
        base64_encoded,
    })
}

/// Base64 as Java's `Base64.getDecoder()` reads it: standard alphabet,
/// padding optional, no whitespace.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

fn status_code(value: Option<&Value>) -> Result<StatusCode, MalformedResponse> {
    let code = match value {
        None | Some(Value::Null) => return Ok(StatusCode::OK),
        Some(Value::Number(number)) => number.as_u64().or_else(|| {
            // 200.0 is still an integer.
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1000.0)
                .map(|f| f as u64)
        }),
        Some(Value::String(text))
            if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) =>
        {
            text.parse::<u64>().ok()
        }
        Some(_) => None,
    };
    code.filter(|code| (100..=599).contains(code))
        .and_then(|code| StatusCode::from_u16(u16::try_from(code).ok()?).ok())
        .ok_or_else(|| {
            MalformedResponse::StatusCode(value.map_or_else(String::new, Value::to_string))
        })
}

/// `multiValueHeaders`: every value of every name, in order.
fn append_multi(
    multi: &Map<String, Value>,
    headers: &mut HeaderMap,
) -> Result<(), MalformedResponse> {
    const FIELD: &str = "multiValueHeaders";
    for (name, values) in multi {
        let values = match values {
            Value::Null => continue,
            Value::Array(values) => values,
            other => {
                return Err(MalformedResponse::HeaderValueType {
                    field: FIELD,
                    name: name.clone(),
                    expected: "an array of strings",
                    found: type_name(other),
                });
            }
        };
        let header = header_name(FIELD, name)?;
        for value in values {
            if let Some(text) = scalar_text(FIELD, name, value)? {
                headers.append(&header, header_value(FIELD, name, &text)?);
            }
        }
    }
    Ok(())
}

fn container<'v>(
    object: &'v Map<String, Value>,
    field: &'static str,
    expected: &'static str,
) -> Result<Option<&'v Map<String, Value>>, MalformedResponse> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(MalformedResponse::Container {
            field,
            expected,
            found: type_name(other),
        }),
    }
}

/// A header value as text: strings as they are, numbers and booleans as
/// their JSON text, `null` as no value.
fn scalar_text(
    field: &'static str,
    name: &str,
    value: &Value,
) -> Result<Option<String>, MalformedResponse> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Bool(_) | Value::Number(_) => Ok(Some(value.to_string())),
        Value::Array(_) | Value::Object(_) => Err(MalformedResponse::HeaderValueType {
            field,
            name: name.to_owned(),
            expected: "a string, number or boolean",
            found: type_name(value),
        }),
    }
}

fn header_name(field: &'static str, name: &str) -> Result<HeaderName, MalformedResponse> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| MalformedResponse::HeaderName {
        field,
        name: name.to_owned(),
    })
}

fn header_value(
    field: &'static str,
    name: &str,
    text: &str,
) -> Result<HeaderValue, MalformedResponse> {
    HeaderValue::from_bytes(text.as_bytes()).map_err(|_| MalformedResponse::HeaderValue {
        field,
        name: name.to_owned(),
        value: text.to_owned(),
    })
}

/// 2.0 `cookies`: each string becomes its own `Set-Cookie` header.
fn append_cookies(
    object: &Map<String, Value>,
    headers: &mut HeaderMap,
) -> Result<(), MalformedResponse> {
    let cookies = match object.get("cookies") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(cookies)) => cookies,
        Some(other) => {
            return Err(MalformedResponse::Container {
                field: "cookies",
                expected: "an array of strings",
                found: type_name(other),
            });
        }
    };
    for (index, cookie) in cookies.iter().enumerate() {
        let Value::String(cookie) = cookie else {
            return Err(MalformedResponse::HeaderValueType {
                field: "cookies",
                name: index.to_string(),
                expected: "a string",
                found: type_name(cookie),
            });
        };
        headers.append(
            SET_COOKIE,
            header_value("cookies", &index.to_string(), cookie)?,
        );
    }
    Ok(())
}

fn is_base64_encoded(value: Option<&Value>) -> Result<bool, MalformedResponse> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(flag)) => Ok(*flag),
        // Java's JSON mapping reads these strings as booleans too.
        Some(Value::String(text)) if text == "true" => Ok(true),
        Some(Value::String(text)) if text == "false" => Ok(false),
        Some(other) => Err(MalformedResponse::IsBase64Encoded(other.to_string())),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes() {
        assert_eq!(status_code(None), Ok(StatusCode::OK));
        assert_eq!(status_code(Some(&Value::Null)), Ok(StatusCode::OK));
        assert_eq!(
            status_code(Some(&serde_json::json!(201))),
            Ok(StatusCode::CREATED)
        );
        assert_eq!(
            status_code(Some(&serde_json::json!("201"))),
            Ok(StatusCode::CREATED)
        );
        assert_eq!(
            status_code(Some(&serde_json::json!(404.0))),
            Ok(StatusCode::NOT_FOUND)
        );
        for bad in [
            serde_json::json!("test"),
            serde_json::json!(""),
            serde_json::json!(" 201"),
            serde_json::json!("+201"),
            serde_json::json!(99),
            serde_json::json!(600),
            serde_json::json!(-200),
            serde_json::json!(200.5),
            serde_json::json!(1e300),
            serde_json::json!(true),
            serde_json::json!([200]),
        ] {
            assert!(status_code(Some(&bad)).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn base64_padding_is_optional_but_alphabet_strict() {
        assert_eq!(BASE64.decode("dGVzdA==").unwrap(), b"test");
        assert_eq!(BASE64.decode("dGVzdA").unwrap(), b"test");
        assert!(BASE64.decode("dGVz dA==").is_err());
        assert!(BASE64.decode("dGVzdA-_").is_err());
    }
}
