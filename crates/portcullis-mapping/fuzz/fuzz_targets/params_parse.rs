//! Parses arbitrary parameter mappings as REST and HTTP API definitions write
//! them, and evaluates what was accepted against a request. Input: the first
//! line is the key, the second the value, the rest a request body. Nothing may
//! panic; errors say something.
#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use portcullis_mapping::params::{
    BodyValue, ParameterSource, evaluate, parse_http, parse_http_response, parse_rest,
};

/// A request with one of everything, and the fuzzed body.
struct Request<'b> {
    body: BodyValue<'b>,
}

impl ParameterSource for Request<'_> {
    fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        (name.len() % 2 == 0).then(|| Cow::Owned(format!("h-{name}")))
    }
    fn query(&self, name: &str) -> Option<Cow<'_, str>> {
        (!name.is_empty()).then_some(Cow::Borrowed("a%20b"))
    }
    fn path_parameter(&self, _: &str) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed("p"))
    }
    fn path(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed("/pets/p"))
    }
    fn context(&self, name: &str) -> Option<Cow<'_, str>> {
        (name == "requestId").then_some(Cow::Borrowed("id"))
    }
    fn body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        self.body.get(path)
    }
    fn response_body(&self, path: Option<&str>) -> Option<Cow<'_, str>> {
        self.body.get(path)
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let key = lines.next().unwrap_or_default();
    let value = lines.next().unwrap_or_default();
    let body = lines.next().unwrap_or_default();
    let request = Request {
        body: BodyValue::new(body.as_bytes()),
    };
    for parsed in [
        parse_rest(key, value),
        parse_http(key, value),
        parse_http_response(key, value),
    ] {
        match parsed {
            Ok(mapping) => {
                let _ = evaluate(&mapping.value, &request).map(|v| v.len());
            }
            Err(message) => assert!(!message.is_empty(), "an empty error for {key:?}"),
        }
    }
});
