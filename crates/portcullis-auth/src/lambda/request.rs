//! The request as the authorizer sees it, and the identity read from it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::IpAddr;

use http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::percent_decode_str;

use super::config::{IdentitySource, Kind, PayloadFormat};

/// What the gateway knows about a request, borrowed for one call of
/// [`LambdaAuthorizer::authorize`](super::LambdaAuthorizer::authorize).
///
/// The gateway fills in what AWS would send; the fields say which event
/// fields each becomes.
#[derive(Clone, Copy)]
pub struct AuthorizerRequest<'a> {
    /// REST `methodArn` / HTTP API `routeArn`, built by the gateway
    /// (`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`).
    /// The policy is evaluated against it.
    pub method_arn: &'a str,
    /// 1.0 `httpMethod`.
    pub http_method: &'a str,
    /// 1.0 `resource`: the matched resource template or route path.
    pub resource: &'a str,
    /// 1.0 `path`.
    pub path: &'a str,
    /// 2.0 `routeKey` (`GET /pets/{id}`, `$default`).
    pub route_key: &'a str,
    /// 2.0 `rawPath`.
    pub raw_path: &'a str,
    /// The query string as received, without `?`; `None` without one.
    pub raw_query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// Header names as the client spelled them, for 1.0 events (a
    /// [`HeaderMap`] keeps them lower-cased). A name not listed is written
    /// title-cased (`x-api-key` → `X-Api-Key`).
    pub header_names: &'a [&'a str],
    /// Path parameters, as the proxy event of the same API shows them.
    pub path_parameters: &'a [(&'a str, &'a str)],
    /// The stage's variables.
    pub stage_variables: &'a BTreeMap<String, String>,
    /// The event's `requestContext`, built by the gateway (the builder of
    /// its proxy events, without `authorizer`) only when a `REQUEST` event
    /// is sent, never for a cached answer.
    pub request_context: &'a dyn RequestContext,
    /// `$context.NAME` for `context.NAME` identity sources.
    pub context_variable: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// The client's address, for `aws:SourceIp` conditions in policies.
    pub source_ip: Option<IpAddr>,
}

/// The event's `requestContext`, made on demand: a JSON value as it is, or a
/// closure that builds one.
pub trait RequestContext: Sync {
    /// The `requestContext` object.
    fn build(&self) -> serde_json::Value;
}

impl RequestContext for serde_json::Value {
    fn build(&self) -> serde_json::Value {
        self.clone()
    }
}

impl<F: Fn() -> serde_json::Value + Sync> RequestContext for F {
    fn build(&self) -> serde_json::Value {
        self()
    }
}

impl std::fmt::Debug for AuthorizerRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizerRequest")
            .field("method_arn", &self.method_arn)
            .field("route_key", &self.route_key)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The identity values read from a request, in source order.
#[derive(Debug)]
pub(super) struct Identity<'r> {
    pub(super) values: Vec<Cow<'r, str>>,
    /// Whether every value is present and not empty.
    pub(super) complete: bool,
}

impl Identity<'_> {
    /// The result cache key: the one value itself, or each value prefixed by
    /// its length, so that no two lists of values share a key.
    pub(super) fn cache_key(&self) -> Cow<'_, [u8]> {
        match self.values.as_slice() {
            [one] => Cow::Borrowed(one.as_bytes()),
            values => {
                let mut key = Vec::with_capacity(values.iter().map(|v| v.len() + 4).sum());
                for value in values {
                    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
                    key.extend_from_slice(&len.to_le_bytes());
                    key.extend_from_slice(value.as_bytes());
                }
                Cow::Owned(key)
            }
        }
    }
}

/// Reads the identity an authorizer of `kind` needs from `request`.
pub(super) fn identity<'r>(
    kind: &Kind,
    format: PayloadFormat,
    request: &AuthorizerRequest<'r>,
) -> Identity<'r> {
    let joined = matches!(format, PayloadFormat::HttpV2 { .. });
    let values: Vec<Cow<'r, str>> = match kind {
        Kind::Token { header, .. } => vec![header_value(request.headers, header, false)],
        Kind::Request { sources } => sources
            .iter()
            .map(|source| source_value(source, request, joined))
            .collect(),
    };
    let complete = values.iter().all(|v| !v.is_empty());
    Identity { values, complete }
}

fn source_value<'r>(
    source: &IdentitySource,
    request: &AuthorizerRequest<'r>,
    joined: bool,
) -> Cow<'r, str> {
    match source {
        IdentitySource::Header(name) => header_value(request.headers, name, joined),
        IdentitySource::QueryString(name) => {
            // Scanned rather than parsed into a map: this runs on cache hits.
            let mut found: Option<Cow<'r, str>> = None;
            for (n, v) in pairs(request.raw_query) {
                if decode(n) == name.as_str() {
                    let v = decode(v);
                    found = Some(match found {
                        Some(previous) if joined => Cow::Owned(format!("{previous},{v}")),
                        _ => v,
                    });
                }
            }
            found.unwrap_or(Cow::Borrowed(""))
        }
        IdentitySource::StageVariable(name) => request
            .stage_variables
            .get(name)
            .map_or(Cow::Borrowed(""), |v| Cow::Borrowed(v.as_str())),
        IdentitySource::Context(name) => {
            Cow::Owned((request.context_variable)(name).unwrap_or_default())
        }
    }
}

/// A header's value as 1.0 events show it (the last of a repeated header)
/// or as 2.0 events do (all of them, joined with `,`). Empty when absent.
pub(super) fn header_value<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
    joined: bool,
) -> Cow<'h, str> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Cow::Borrowed("");
    };
    let rest: Vec<&HeaderValue> = values.collect();
    match rest.as_slice() {
        [] => value_text(first),
        [.., last] if !joined => value_text(last),
        all => {
            let mut out = value_text(first).into_owned();
            for v in all {
                out.push(',');
                out.push_str(&value_text(v));
            }
            Cow::Owned(out)
        }
    }
}

/// A header value as text: UTF-8 where it is, else each byte as the
/// ISO-8859-1 character HTTP historically gave it.
pub(super) fn value_text(value: &HeaderValue) -> Cow<'_, str> {
    match std::str::from_utf8(value.as_bytes()) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(value.as_bytes().iter().map(|&b| char::from(b)).collect()),
    }
}

/// Decoded query parameters, each name with all its values in request
/// order; names sorted (AWS keeps no order).
pub(super) type Params<'a> = BTreeMap<Cow<'a, str>, Vec<Cow<'a, str>>>;

/// Splits and form-decodes a query string: `+` is a space, `%XX` a byte,
/// malformed escapes are kept as written, bytes that do not form UTF-8
/// become U+FFFD. Empty segments carry nothing; `a` alone is `a=`.
pub(super) fn query(raw: Option<&str>) -> Params<'_> {
    let mut params = Params::new();
    for (name, value) in pairs(raw) {
        params.entry(decode(name)).or_default().push(decode(value));
    }
    params
}

/// The undecoded `name=value` pairs of a query string.
fn pairs(raw: Option<&str>) -> impl Iterator<Item = (&str, &str)> {
    raw.unwrap_or("")
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|segment| segment.split_once('=').unwrap_or((segment, "")))
}

fn decode(text: &str) -> Cow<'_, str> {
    if text.contains('+') {
        let spaced = text.replace('+', " ");
        return Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned());
    }
    percent_decode_str(text).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_as_forms() {
        let params = query(Some("a=1&a=2&b=x+y&c=%2B&&d&e=%zz"));
        assert_eq!(params["a"], ["1", "2"]);
        assert_eq!(params["b"], ["x y"]);
        assert_eq!(params["c"], ["+"]);
        assert_eq!(params["d"], [""]);
        assert_eq!(params["e"], ["%zz"]);
        assert!(query(None).is_empty());
    }

    #[test]
    fn header_values_last_or_joined() {
        let mut headers = HeaderMap::new();
        let name = HeaderName::from_static("x-a");
        headers.append(&name, HeaderValue::from_static("1"));
        headers.append(&name, HeaderValue::from_static("2"));
        headers.append("x-b", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert_eq!(header_value(&headers, &name, false), "2");
        assert_eq!(header_value(&headers, &name, true), "1,2");
        assert_eq!(
            header_value(&headers, &HeaderName::from_static("x-b"), false),
            "café"
        );
        assert_eq!(
            header_value(&headers, &HeaderName::from_static("x-c"), true),
            ""
        );
    }

    #[test]
    fn query_sources_take_the_last_or_all_values() {
        use super::super::config::IdentitySource as Source;
        let (headers, stage, context) =
            (HeaderMap::new(), BTreeMap::new(), serde_json::Value::Null);
        let request = AuthorizerRequest {
            method_arn: "",
            http_method: "GET",
            resource: "/",
            path: "/",
            route_key: "",
            raw_path: "/",
            raw_query: Some("a=1&b=x&a=2+3&%61=4"),
            headers: &headers,
            header_names: &[],
            path_parameters: &[],
            stage_variables: &stage,
            request_context: &context,
            context_variable: &|_| None,
            source_ip: None,
        };
        let kind = Kind::Request {
            sources: vec![
                Source::QueryString("a".into()),
                Source::QueryString("c".into()),
            ],
        };
        let rest = identity(&kind, PayloadFormat::Rest, &request);
        assert_eq!(rest.values, ["4", ""]);
        assert!(!rest.complete);
        let v2 = PayloadFormat::HttpV2 {
            simple_responses: false,
        };
        assert_eq!(identity(&kind, v2, &request).values, ["1,2 3,4", ""]);
    }

    #[test]
    fn cache_keys_do_not_collide() {
        let key = |values: &[&str]| {
            let identity = Identity {
                values: values.iter().map(|v| Cow::Borrowed(*v)).collect(),
                complete: true,
            };
            identity.cache_key().into_owned()
        };
        assert_eq!(key(&["token"]), b"token");
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_ne!(key(&["a,b", ""]), key(&["a", "b"]));
    }
}
