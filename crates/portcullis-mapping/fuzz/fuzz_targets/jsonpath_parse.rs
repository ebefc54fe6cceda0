//! Parses arbitrary JSONPath and selects with it. Input: the first line is
//! the path; the rest, if any, is a request body. Nothing may panic; an error
//! points inside the path; both document kinds give the same selection.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_mapping::input::{Input, RequestParams};
use portcullis_mapping::json::{from_json, to_json_text};
use portcullis_mapping::jsonpath::JsonPath;

const DOCUMENT: &str = r#"{"store": {"book": [
  {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
  {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99,
   "tags": ["a", "b"], "isbn": "0-553-21311-3"}],
  "bicycle": {"color": "red", "price": 19.95}}, "n": [1, 2.5, -3, null, true, "x"], "e": {}}"#;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (path_text, body) = text.split_once('\n').unwrap_or((&text, ""));
    let path = match JsonPath::parse(path_text) {
        Ok(path) => path,
        Err(e) => {
            assert!(e.position <= path_text.chars().count() + 2, "{e}");
            assert!(!e.reason.is_empty());
            return;
        }
    };
    // Compiling what was accepted again gives the same path.
    let again = JsonPath::parse(path.as_str()).expect("an accepted path parses again");
    assert_eq!(again.is_definite(), path.is_definite());

    let documents: Vec<serde_json::Value> = [DOCUMENT, body]
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    for doc in &documents {
        let from_serde = path.select_json(doc);
        let from_value = path.select(&from_json(doc));
        if path.is_definite() {
            assert_eq!(from_serde.is_some(), from_value.is_some());
        } else {
            assert!(from_serde.as_ref().is_some_and(serde_json::Value::is_array));
        }
        assert_eq!(
            from_serde.map(|v| to_json_text(&from_json(&v))),
            from_value.map(|v| to_json_text(&v)),
        );
    }
    let input = Input::new(body, RequestParams::default());
    let _ = input.path(path_text).expect("accepted above").to_string();
    let _ = input.json(path_text).expect("accepted above");
});
