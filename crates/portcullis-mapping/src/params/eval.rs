//! Evaluating a mapping value against one request (and, for HTTP API
//! response mappings, the integration's response).

use std::borrow::Cow;
use std::cell::OnceCell;

use super::{MappingValue, ValuePart};
use crate::jsonpath::JsonPath;

/// Where a mapping expression reads its values. Methods default to "absent"
/// (the all-values ones to the single value), so a source implements only
/// what it has.
///
/// Values are returned as the gateway passes them on: path parameters and
/// query values as the client sent them (undecoded), several values of one
/// name joined with commas.
pub trait ParameterSource {
    /// The first value of request header `name` (`method.request.header.NAME`, `$request.header.NAME`).
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        let _ = name;
        None
    }
    /// Every value of request header `name`, comma-joined (`method.request.multivalueheader.NAME`).
    fn header_values(&self, name: &str) -> Option<Cow<'_, str>> {
        self.header(name)
    }
    /// The first value of query parameter `name`, as sent (`method.request.querystring.NAME`).
    fn query(&self, name: &str) -> Option<Cow<'_, str>> {
        let _ = name;
        None
    }
    /// Every value of query parameter `name`, comma-joined (`method.request.multivaluequerystring.NAME`).
    fn query_values(&self, name: &str) -> Option<Cow<'_, str>> {
        self.query(name)
    }
    /// Path parameter `name`, as sent (`method.request.path.NAME`).
    fn path_parameter(&self, name: &str) -> Option<Cow<'_, str>> {
        let _ = name;
        None
    }
    /// The whole request path the API routed (`$request.path`).
    fn path(&self) -> Option<Cow<'_, str>> {
        None
    }
    /// Stage variable `name`.
    fn stage_variable(&self, name: &str) -> Option<Cow<'_, str>> {
        let _ = name;
        None
    }
    /// Context variable `name` (without `context.`).
    fn context(&self, name: &str) -> Option<Cow<'_, str>> {
        let _ = name;
        None
    }
    /// The request body, or the value at `path` in it (see [`BodyValue::get`]).
    fn body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        let _ = path;
        None
    }
    /// Every value of integration response header `name`, comma-joined (`$response.header.NAME`).
    fn response_header(&self, name: &str) -> Option<Cow<'_, str>> {
        let _ = name;
        None
    }
    /// The integration response body, or the value at `path` in it (`$response.body[.PATH]`).
    fn response_body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        let _ = path;
        None
    }
}

/// The value of a mapping: a single expression's value (`None` when its
/// source is absent, and then AWS maps nothing), or several parts
/// concatenated, absent parts read as empty.
pub fn evaluate<'a, S: ParameterSource + ?Sized>(
    value: &'a MappingValue,
    source: &'a S,
) -> Option<Cow<'a, str>> {
    if let [single] = value.0.as_slice() {
        return part(single, source);
    }
    let mut out = String::new();
    for piece in &value.0 {
        if let Some(text) = part(piece, source) {
            out.push_str(&text);
        }
    }
    Some(Cow::Owned(out))
}

fn part<'a, S: ParameterSource + ?Sized>(
    piece: &'a ValuePart,
    source: &'a S,
) -> Option<Cow<'a, str>> {
    match piece {
        ValuePart::Literal(text) => Some(Cow::Borrowed(text)),
        ValuePart::Header(name) => source.header(name),
        ValuePart::MultiHeader(name) => source.header_values(name),
        ValuePart::QueryString(name) => source.query(name),
        ValuePart::MultiQueryString(name) => source.query_values(name),
        ValuePart::PathParameter(name) => source.path_parameter(name),
        ValuePart::WholePath => source.path(),
        ValuePart::StageVariable(name) => source.stage_variable(name),
        ValuePart::Context(name) => source.context(name),
        ValuePart::Body(path) => source.body(path.as_deref()),
        ValuePart::ResponseHeader(name) => source.response_header(name),
        ValuePart::ResponseBody(path) => source.response_body(path.as_deref()),
    }
}

/// A request or response body as mappings read it: parsed as JSON at most
/// once, and only when a mapping reads into it.
#[derive(Debug)]
pub struct BodyValue<'b> {
    raw: &'b [u8],
    json: OnceCell<Option<serde_json::Value>>,
}

impl<'b> BodyValue<'b> {
    /// A body of `raw` bytes.
    pub fn new(raw: &'b [u8]) -> Self {
        Self {
            raw,
            json: OnceCell::new(),
        }
    }

    /// The whole body (lossy UTF-8), or the value at `path` (a JSONPath
    /// written without `$.`): strings as they are, anything else as compact
    /// JSON; `None` for null, a missing value or a body that is not JSON.
    pub fn get(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        let Some(path) = path else {
            return Some(String::from_utf8_lossy(self.raw));
        };
        let json = self
            .json
            .get_or_init(|| serde_json::from_slice(self.raw).ok())
            .as_ref()?;
        let path = JsonPath::parse(&format!("$.{path}")).ok()?;
        match path.select_json(json)? {
            serde_json::Value::String(text) => Some(Cow::Owned(text)),
            serde_json::Value::Null => None,
            other => Some(Cow::Owned(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{parse_http, parse_http_response, parse_rest_value};

    struct Fake<'b> {
        body: BodyValue<'b>,
        response: BodyValue<'b>,
    }

    impl ParameterSource for Fake<'_> {
        fn header(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "x-a").then_some(Cow::Borrowed("1"))
        }
        fn header_values(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "x-a").then_some(Cow::Borrowed("1,2"))
        }
        fn query(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "q").then_some(Cow::Borrowed("a%20b"))
        }
        fn query_values(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "q").then_some(Cow::Borrowed("a%20b,c"))
        }
        fn path_parameter(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "id").then_some(Cow::Borrowed("42"))
        }
        fn path(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed("/pets/42"))
        }
        fn stage_variable(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "env").then_some(Cow::Borrowed("prod"))
        }
        fn context(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "requestId").then_some(Cow::Borrowed("r-1"))
        }
        fn body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
            self.body.get(path)
        }
        fn response_header(&self, name: &str) -> Option<Cow<'_, str>> {
            (name == "etag").then_some(Cow::Borrowed("v1,v2"))
        }
        fn response_body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
            self.response.get(path)
        }
    }

    fn fake() -> Fake<'static> {
        Fake {
            body: BodyValue::new(br#"{"user": {"name": "ann", "tags": [1, 2]}, "none": null}"#),
            response: BodyValue::new(br#"{"code": "E1"}"#),
        }
    }

    fn rest(expression: &str) -> Option<String> {
        let value = MappingValue(vec![parse_rest_value(expression).unwrap()]);
        evaluate(&value, &fake()).map(Cow::into_owned)
    }

    #[test]
    fn each_rest_source() {
        assert_eq!(rest("'lit'").as_deref(), Some("lit"));
        assert_eq!(rest("method.request.header.x-a").as_deref(), Some("1"));
        assert_eq!(
            rest("method.request.multivalueheader.x-a").as_deref(),
            Some("1,2")
        );
        assert_eq!(
            rest("method.request.querystring.q").as_deref(),
            Some("a%20b")
        );
        assert_eq!(
            rest("method.request.multivaluequerystring.q").as_deref(),
            Some("a%20b,c")
        );
        assert_eq!(rest("method.request.path.id").as_deref(), Some("42"));
        assert_eq!(rest("stageVariables.env").as_deref(), Some("prod"));
        assert_eq!(rest("context.requestId").as_deref(), Some("r-1"));
        assert_eq!(
            rest("method.request.body.user.name").as_deref(),
            Some("ann")
        );
        assert_eq!(
            rest("method.request.body.user.tags").as_deref(),
            Some("[1,2]")
        );
        assert_eq!(rest("method.request.body.none"), None);
        assert_eq!(rest("method.request.header.x-absent"), None);
        assert!(
            rest("method.request.body")
                .unwrap()
                .starts_with(r#"{"user""#)
        );
    }

    #[test]
    fn http_values_concatenate_and_skip_absent_parts() {
        let mapping = parse_http(
            "overwrite:header.x-out",
            "$request.path|${request.header.x-absent}|$request.path.id|$stageVariables.env",
        )
        .unwrap();
        assert_eq!(
            evaluate(&mapping.value, &fake()).as_deref(),
            Some("/pets/42||42|prod")
        );
    }

    #[test]
    fn default_source_has_nothing_but_literals() {
        struct Empty;
        impl ParameterSource for Empty {}
        let mapping = parse_http_response(
            "overwrite:header.x-e",
            "$context.requestId|${response.header.etag}|x",
        )
        .unwrap();
        assert_eq!(evaluate(&mapping.value, &Empty).as_deref(), Some("||x"));
        for expression in [
            "method.request.header.h",
            "method.request.multivalueheader.h",
            "method.request.querystring.q",
            "method.request.multivaluequerystring.q",
            "method.request.path.p",
            "stageVariables.s",
            "context.requestId",
            "method.request.body",
        ] {
            let value = MappingValue(vec![parse_rest_value(expression).unwrap()]);
            assert_eq!(evaluate(&value, &Empty), None, "{expression}");
        }
    }

    #[test]
    fn all_values_default_to_the_single_value() {
        struct One;
        impl ParameterSource for One {
            fn header(&self, _: &str) -> Option<Cow<'_, str>> {
                Some(Cow::Borrowed("h"))
            }
            fn query(&self, _: &str) -> Option<Cow<'_, str>> {
                Some(Cow::Borrowed("q"))
            }
        }
        let value = MappingValue(vec![
            ValuePart::MultiHeader("a".into()),
            ValuePart::MultiQueryString("b".into()),
        ]);
        assert_eq!(evaluate(&value, &One).as_deref(), Some("hq"));
    }

    #[test]
    fn body_values_of_text_and_missing_paths() {
        let text = BodyValue::new(b"not json");
        assert_eq!(text.get(None).as_deref(), Some("not json"));
        assert_eq!(text.get(Some("a")), None);
        let json = BodyValue::new(br#"{"a": {"b": true}}"#);
        assert_eq!(json.get(Some("a.b")).as_deref(), Some("true"));
        assert_eq!(json.get(Some("a")).as_deref(), Some(r#"{"b":true}"#));
        assert_eq!(json.get(Some("missing")), None);
        assert_eq!(
            BodyValue::new(b"\xff").get(None).as_deref(),
            Some("\u{fffd}")
        );
    }

    #[test]
    fn response_values() {
        let mapping = parse_http_response(
            "overwrite:header.x-e",
            "${response.header.etag}/$response.body.code",
        )
        .unwrap();
        assert_eq!(
            evaluate(&mapping.value, &fake()).as_deref(),
            Some("v1,v2/E1")
        );
    }
}
