//! `$context.requestOverride` and `$context.responseOverride`: what mapping
//! templates set to change the integration request (headers, query string,
//! path parameters) and the method response (status, headers).
//!
//! API Gateway gives every template the two maps (`requestOverride` with
//! `header`, `path` and `querystring`; `responseOverride` with `header`).
//! What a request template sets is kept for the rest of the request: the
//! response template sees it, and a `responseOverride.status` set in a MOCK's
//! request template decides the status even without a response template.
//! Kept as JSON, not template values, so the request state stays `Send`.

use http::{HeaderName, HeaderValue, StatusCode};
use portcullis_mapping::Value;
use portcullis_mapping::json::{from_json, to_serde};
use portcullis_mapping::value::Entries;
use serde_json::{Map, Value as Json};

/// The two override maps after a template ran.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Overrides {
    request: Map<String, Json>,
    response: Map<String, Json>,
}

const REQUEST_OVERRIDE: &str = "requestOverride";
const RESPONSE_OVERRIDE: &str = "responseOverride";

impl Overrides {
    /// Adds `requestOverride` and `responseOverride` to a template's
    /// `$context` entries: `kept` ones when a template set them earlier in the
    /// request, else empty maps of the shape API Gateway gives.
    pub(crate) fn add_to(kept: Option<&Overrides>, context: &mut Entries) {
        let (request, response) = match kept {
            Some(kept) => (
                from_json(&Json::Object(kept.request.clone())),
                from_json(&Json::Object(kept.response.clone())),
            ),
            None => (Value::empty_map(), Value::empty_map()),
        };
        for (group, value, parts) in [
            (
                REQUEST_OVERRIDE,
                request,
                &["header", "path", "querystring"][..],
            ),
            (RESPONSE_OVERRIDE, response, &["header"][..]),
        ] {
            if let Value::Map(map) = &value {
                let mut map = map.borrow_mut();
                for part in parts {
                    if !map.contains_key(part) {
                        map.insert_str(part, Value::empty_map());
                    }
                }
            }
            context.insert_str(group, value);
        }
    }

    /// The overrides in `context` after a template ran; `None` when it set
    /// nothing (the common case costs no allocation afterwards).
    pub(crate) fn read(context: &Value) -> Option<Overrides> {
        let Value::Map(map) = context else {
            return None;
        };
        let map = map.borrow();
        let json = |key: &str| match map.get(key).map(to_serde) {
            Some(Json::Object(object)) => object,
            _ => Map::new(),
        };
        let overrides = Overrides {
            request: json(REQUEST_OVERRIDE),
            response: json(RESPONSE_OVERRIDE),
        };
        (!overrides.is_empty()).then_some(overrides)
    }

    fn is_empty(&self) -> bool {
        let blank = |map: &Map<String, Json>| {
            map.values()
                .all(|v| matches!(v, Json::Object(o) if o.is_empty()))
        };
        blank(&self.request) && blank(&self.response)
    }

    /// `requestOverride.header`, `.querystring` or `.path` entries whose
    /// values are text (numbers and booleans written as text).
    pub(crate) fn request(&self, part: &str) -> Vec<(String, String)> {
        entries(self.request.get(part))
    }

    /// Applies `responseOverride.status` and `responseOverride.header.*` to
    /// a method response: the status when it is a valid code, each header
    /// whose name and value are valid.
    pub(crate) fn apply_to_response<B>(&self, response: &mut http::Response<B>) {
        let code = match self.response.get("status") {
            Some(Json::Number(n)) => n.as_u64(),
            Some(Json::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(code) = code.and_then(|c| u16::try_from(c).ok())
            && let Ok(code) = StatusCode::from_u16(code)
        {
            *response.status_mut() = code;
        }
        let headers = response.headers_mut();
        for (name, value) in entries(self.response.get("header")) {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.insert(name, value);
            }
        }
    }
}

fn entries(map: Option<&Json>) -> Vec<(String, String)> {
    let Some(Json::Object(map)) = map else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            let text = match v {
                Json::String(s) => s.clone(),
                Json::Number(n) => n.to_string(),
                Json::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_mapping::input::RequestParams;
    use portcullis_mapping::{Input, Scope, Template};

    fn run(template: &str, kept: Option<&Overrides>) -> (String, Option<Overrides>) {
        let template = Template::compile("t", template).unwrap();
        let input = Input::new("", RequestParams::default());
        let mut scope = Scope::new(&input);
        let mut entries = Entries::new();
        Overrides::add_to(kept, &mut entries);
        scope.context = Value::from_entries(entries);
        let out = template.render(&scope).unwrap();
        (out, Overrides::read(&scope.context))
    }

    #[test]
    fn templates_see_empty_maps_and_set_into_them() {
        let (out, overrides) = run(
            "[$context.requestOverride.header][$context.responseOverride]",
            None,
        );
        assert_eq!(out, "[{}][{header={}}]");
        assert_eq!(overrides, None, "nothing set, nothing kept");
        let (_, overrides) = run(
            "#set($context.requestOverride.header.x = 'a')#set($context.requestOverride.querystring['q'] = 1)\
             $context.requestOverride.path.put('id', 'p')#set($context.responseOverride.status = 444)\
             #set($context.responseOverride.header.foo = 'bar')",
            None,
        );
        let overrides = overrides.unwrap();
        assert_eq!(
            overrides.request("header"),
            [("x".to_owned(), "a".to_owned())]
        );
        assert_eq!(
            overrides.request("querystring"),
            [("q".to_owned(), "1".to_owned())]
        );
        assert_eq!(
            overrides.request("path"),
            [("id".to_owned(), "p".to_owned())]
        );
        let mut response = http::Response::new(());
        overrides.apply_to_response(&mut response);
        let (status, headers) = (response.status(), response.headers());
        assert_eq!(status, 444);
        assert_eq!(headers["foo"], "bar");
    }

    #[test]
    fn kept_overrides_are_seen_by_later_templates() {
        let (_, kept) = run(
            "#set($context.requestOverride.path.body = 'b')#set($context.responseOverride.custom = 'c')",
            None,
        );
        let (out, again) = run(
            "$context.requestOverride.path.body $context.responseOverride.custom $context.responseOverride.header",
            kept.as_ref(),
        );
        assert_eq!(out, "b c {}");
        assert_eq!(again, kept);
    }

    #[test]
    fn bad_statuses_and_headers_are_ignored() {
        for status in ["'abc'", "99", "1000", "[1]"] {
            let (_, overrides) = run(
                &format!(
                    "#set($context.responseOverride.status = {status})#set($context.responseOverride.header['bad name'] = 'x')"
                ),
                None,
            );
            let mut response = http::Response::new(());
            overrides.unwrap().apply_to_response(&mut response);
            let (code, headers) = (response.status(), response.headers());
            assert_eq!(code, StatusCode::OK, "{status}");
            assert!(headers.is_empty());
        }
    }
}
