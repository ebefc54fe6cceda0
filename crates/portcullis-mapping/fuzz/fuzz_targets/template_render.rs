//! Any template that compiles renders to output or an error, never a panic, a stack
//! overflow or unbounded memory. The input is `template \0 body`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_mapping::input::{Input, RequestParams};
use portcullis_mapping::{Scope, Template, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (src, body) = text.split_once('\0').unwrap_or((text, r#"{"a": [1, "x", {"b": null}], "s": "it's"}"#));
    let Ok(template) = Template::compile("fuzz", src) else { return };
    let mut params = RequestParams::default();
    params.path.insert("id".into(), "42".into());
    params.querystring.insert("q".into(), "a b".into());
    params.header.insert("Accept".into(), "*/*".into());
    let input = Input::new(body, params);
    let mut scope = Scope::new(&input);
    scope.context = json::parse(r#"{"stage": "dev", "identity": {"sourceIp": "1.2.3.4"}, "requestOverride": {"header": {}}}"#)
        .unwrap_or_default();
    if let Ok(out) = template.render(&scope) {
        assert!(out.len() <= portcullis_mapping::template::limits::MAX_OUTPUT_BYTES);
    }
});
