//! `$input`: the payload and parameters a mapping template reads.
//!
//! What AWS does, and what this does:
//!
//! - `$input.body` is the raw payload; an empty payload reads as `{}` (AWS
//!   recorded `$input.body` of an empty request and of an empty integration
//!   response as `{}`).
//! - The payload is parsed as JSON once, on first use. An empty payload is the
//!   document `{}` (`"body-json" : $input.json('$')` gives `{}` for a GET).
//!   A payload that is not JSON has no document: `$input.path(x)` is null and
//!   `$input.json(x)` is `""` for every `x`.
//! - `$input.path(x)` gives the selected value itself, shared with the
//!   document: `#set($b = $input.path('$'))#set($b.url = "...")` changes what
//!   `$input.json('$')` prints afterwards. A missing path gives null.
//! - `$input.json(x)` gives the selection as JSON text; a missing path gives
//!   `""` (an empty JSON string), as AWS does.
//! - `$input.params()` is `{path={...}, querystring={...}, header={...}}`, in
//!   that order (the order of AWS's map); `$input.params(x)` searches path,
//!   then query string, then headers (header names ignore case), and gives
//!   `""` when nothing matches (AWS recorded `"petId": ""` for
//!   `"$input.params('petId')"` without the parameter).

use std::cell::OnceCell;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::json;
use crate::jsonpath::JsonPath;
use crate::value::{Entries, Value};

/// A request's (or integration response's) parameters, as `$input.params()`
/// exposes them. For a parameter given several times, `querystring` and
/// `header` hold the last value (as AWS's single-value maps do) and the
/// `multivalue_*` maps hold them all (for `method.request.multivalue*`
/// parameter mappings; templates do not see them).
#[derive(Debug, Clone, Default)]
pub struct RequestParams {
    /// Path parameters, by name.
    pub path: IndexMap<String, String>,
    /// Query string parameters, by name (last value).
    pub querystring: IndexMap<String, String>,
    /// Headers, by name as received (last value).
    pub header: IndexMap<String, String>,
    /// Query string parameters with all their values.
    pub multivalue_querystring: IndexMap<String, Vec<String>>,
    /// Headers with all their values.
    pub multivalue_header: IndexMap<String, Vec<String>>,
}

impl RequestParams {
    /// `$input.params(name)`: path, then query string, then header (any case).
    pub fn find(&self, name: &str) -> Option<&str> {
        self.path
            .get(name)
            .or_else(|| self.querystring.get(name))
            .or_else(|| self.header.get(name))
            .or_else(|| {
                self.header
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .map(String::as_str)
    }
}

/// `$input` for one template render. The body is parsed at most once.
#[derive(Debug)]
pub struct Input {
    body: Rc<str>,
    params: RequestParams,
    document: OnceCell<Value>,
    params_value: OnceCell<Value>,
}

impl Input {
    /// `$input` over a payload and its parameters.
    pub fn new(body: &str, params: RequestParams) -> Self {
        Input {
            body: Rc::from(if body.is_empty() { "{}" } else { body }),
            params,
            document: OnceCell::new(),
            params_value: OnceCell::new(),
        }
    }

    /// `$input.body`: the payload as a string (`{}` when empty).
    pub fn body(&self) -> Value {
        Value::String(self.body.clone())
    }

    /// The parameters given to [`Input::new`].
    pub fn request_params(&self) -> &RequestParams {
        &self.params
    }

    /// The parsed payload (null when it is not JSON), shared with every
    /// `$input.path` result.
    pub fn document(&self) -> &Value {
        self.document.get_or_init(|| {
            if self.body.trim().is_empty() {
                return Value::empty_map();
            }
            json::parse(&self.body).unwrap_or(Value::Null)
        })
    }

    fn has_document(&self) -> bool {
        !self.document().is_null() || self.body.trim() == "null"
    }

    /// `$input.json(path)`: the selection as JSON text, `""` when nothing is
    /// selected or the payload is not JSON. Errs when `path` is not JSONPath.
    pub fn json(&self, path: &str) -> Result<Value, String> {
        let path = JsonPath::parse(path).map_err(|e| e.to_string())?;
        Ok(self.json_compiled(&path))
    }

    /// [`Input::json`] with a path compiled beforehand.
    pub fn json_compiled(&self, path: &JsonPath) -> Value {
        let mut text = String::new();
        self.json_compiled_into(path, &mut text);
        Value::string(text)
    }

    /// The text of [`Input::json_compiled`], appended to `out`.
    pub(crate) fn json_compiled_into(&self, path: &JsonPath, out: &mut String) {
        if path.is_root() && self.document.get().is_none() {
            // The whole payload, not read yet (so not changed by the template):
            // reformat the text as it is read, without building the document.
            if json::reformat_into(&self.body, out) {
                return;
            }
        }
        match self.select(path) {
            // Writing into a String cannot fail.
            Some(found) => {
                let _ = json::write_json(&found, out);
            }
            None => out.push_str("\"\""),
        }
    }

    /// `$input.path(path)`: the selected value (shared with the document),
    /// null when nothing is selected or the payload is not JSON. Errs when
    /// `path` is not JSONPath.
    pub fn path(&self, path: &str) -> Result<Value, String> {
        let path = JsonPath::parse(path).map_err(|e| e.to_string())?;
        Ok(self.path_compiled(&path))
    }

    /// [`Input::path`] with a path compiled beforehand.
    pub fn path_compiled(&self, path: &JsonPath) -> Value {
        self.select(path).unwrap_or(Value::Null)
    }

    fn select(&self, path: &JsonPath) -> Option<Value> {
        if !self.has_document() {
            return None;
        }
        path.select(self.document())
    }

    /// `$input.params()`: `{path={...}, querystring={...}, header={...}}`.
    /// The same map on every call, so changes a template makes stay.
    pub fn params(&self) -> Value {
        self.params_value
            .get_or_init(|| {
                let section = |entries: &IndexMap<String, String>| {
                    Value::from_entries(
                        entries
                            .iter()
                            .map(|(k, v)| (k.as_str(), Value::string(v.as_str())))
                            .collect(),
                    )
                };
                let mut all = Entries::with_capacity(3);
                all.insert_str("path", section(&self.params.path));
                all.insert_str("querystring", section(&self.params.querystring));
                all.insert_str("header", section(&self.params.header));
                Value::from_entries(all)
            })
            .clone()
    }

    /// `$input.params(name)`: the path, query string or header parameter
    /// `name` (searched in that order; header names ignore case), or `""`.
    pub fn param(&self, name: &str) -> Value {
        Value::string(self.params.find(name).unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::escape_javascript;

    fn params(
        path: &[(&str, &str)],
        qs: &[(&str, &str)],
        header: &[(&str, &str)],
    ) -> RequestParams {
        let map = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<IndexMap<_, _>>()
        };
        RequestParams {
            path: map(path),
            querystring: map(qs),
            header: map(header),
            ..RequestParams::default()
        }
    }

    fn text(v: Value) -> String {
        v.to_string()
    }

    #[test]
    fn empty_body_reads_as_an_empty_object() {
        let input = Input::new("", RequestParams::default());
        assert_eq!(text(input.body()), "{}");
        assert_eq!(text(input.json("$").unwrap()), "{}");
        assert_eq!(text(input.path("$").unwrap()), "{}");
        assert!(input.path("$.nonExisting").unwrap().is_null());
        assert_eq!(text(input.json("$.nonExisting").unwrap()), "\"\"");
        let blank = Input::new("  \n", RequestParams::default());
        assert_eq!(text(blank.body()), "  \n");
        assert_eq!(text(blank.json("$").unwrap()), "{}");
    }

    #[test]
    fn non_json_bodies_select_nothing() {
        for body in ["not json", "{\"a\":", "some raw data"] {
            let input = Input::new(body, RequestParams::default());
            assert_eq!(text(input.body()), body);
            assert!(input.path("$").unwrap().is_null(), "{body}");
            assert!(input.path("$.myVar").unwrap().is_null(), "{body}");
            assert_eq!(text(input.json("$.message").unwrap()), "\"\"", "{body}");
            assert_eq!(text(input.json("$").unwrap()), "\"\"", "{body}");
        }
        // A JSON string body has a document, but no properties.
        let input = Input::new("\"#foobar123\"", RequestParams::default());
        assert_eq!(text(input.json("$.message").unwrap()), "\"\"");
        assert_eq!(
            escape_javascript(&text(input.json("$.message").unwrap())),
            "\\\"\\\""
        );
        assert_eq!(text(input.json("$").unwrap()), "\"#foobar123\"");
        let null = Input::new("null", RequestParams::default());
        assert_eq!(text(null.json("$").unwrap()), "null");
    }

    #[test]
    fn body_is_raw_and_json_is_compact() {
        let input = Input::new(
            r#"{"some": "value", "n": 1.0, "url": "a/b"}"#,
            RequestParams::default(),
        );
        assert_eq!(
            text(input.body()),
            r#"{"some": "value", "n": 1.0, "url": "a/b"}"#
        );
        assert_eq!(
            text(input.json("$").unwrap()),
            r#"{"some":"value","n":1.0,"url":"a\/b"}"#
        );
        assert_eq!(text(input.json("$.some").unwrap()), r#""value""#);
        assert_eq!(text(input.path("$.some").unwrap()), "value");
        assert_eq!(text(input.path("$.n").unwrap()), "1.0");
    }

    #[test]
    fn path_results_share_the_parsed_body() {
        let input = Input::new(r#"{"id": 7}"#, RequestParams::default());
        let root = input.path("$").unwrap();
        let again = input.path("$").unwrap();
        let (Value::Map(a), Value::Map(b)) = (&root, &again) else {
            panic!("maps")
        };
        assert!(Rc::ptr_eq(a, b), "the body is parsed once");
        a.borrow_mut()
            .insert("url".into(), Value::string("https://example.tld/thingy/7"));
        assert_eq!(
            text(input.json("$").unwrap()),
            r#"{"id":7,"url":"https:\/\/example.tld\/thingy\/7"}"#
        );
    }

    #[test]
    fn whole_body_json_before_and_after_reading_the_document() {
        let body = r#"{"b": [1, 2.50, {"c": "x/y"}], "a": {"k": 1, "k": 2}, "e": 1e2}"#;
        let want = r#"{"b":[1,2.5,{"c":"x\/y"}],"a":{"k":2},"e":100.0}"#;
        let input = Input::new(body, RequestParams::default());
        assert_eq!(text(input.json("$").unwrap()), want);
        assert_eq!(text(input.json(" $ ").unwrap()), want);
        let unique = Input::new(r#"{"b": [1, 2.50], "e": 1e2}"#, RequestParams::default());
        assert_eq!(
            text(unique.json("$").unwrap()),
            r#"{"b":[1,2.5],"e":100.0}"#
        );
        // Once read (and changed), the document is what prints.
        if let Value::Map(m) = unique.path("$").unwrap() {
            m.borrow_mut().insert("z".into(), Value::Int(1));
        }
        assert_eq!(
            text(unique.json("$").unwrap()),
            r#"{"b":[1,2.5],"e":100.0,"z":1}"#
        );
    }

    #[test]
    fn params_map_has_aws_shape_and_persists() {
        let input = Input::new(
            "",
            params(&[("id", "abc")], &[("name", "me")], &[("Accept", "*/*")]),
        );
        assert_eq!(
            text(input.params()),
            "{path={id=abc}, querystring={name=me}, header={Accept=*/*}}"
        );
        if let Value::Map(all) = input.params() {
            let qs = all.borrow().get("querystring").cloned();
            if let Some(Value::Map(qs)) = qs {
                qs.borrow_mut().insert("added".into(), Value::string("1"));
            }
        }
        assert!(text(input.params()).contains("added=1"));
        let empty = Input::new("", RequestParams::default());
        assert_eq!(text(empty.params()), "{path={}, querystring={}, header={}}");
    }

    #[test]
    fn param_searches_path_then_querystring_then_header() {
        let input = Input::new(
            "",
            params(
                &[("id", "from-path")],
                &[("id", "from-qs"), ("q", "query")],
                &[("id", "from-header"), ("X-Trace", "t1"), ("q", "hq")],
            ),
        );
        assert_eq!(text(input.param("id")), "from-path");
        assert_eq!(text(input.param("q")), "query");
        assert_eq!(text(input.param("X-Trace")), "t1");
        assert_eq!(text(input.param("x-trace")), "t1");
        assert_eq!(text(input.param("missing")), "");
    }

    #[test]
    fn body_lists_stay_json_lists_when_changed() {
        let body = format!("{{\"a\": [{}[]]}}", "[1],".repeat(5000));
        let input = Input::new(&body, RequestParams::default());
        assert_eq!(text(input.json("$.a[0]").unwrap()), "[1]");
        let a = input.path("$.a").unwrap();
        assert!(json::is_json_list(&a));
        let Value::List(list) = &a else {
            panic!("list")
        };
        list.borrow_mut().push(Value::string("x"));
        list.borrow_mut().remove(0);
        // Still the document's list, still marked, still printed as JSON.
        let again = input.path("$.a").unwrap();
        assert!(json::is_json_list(&again));
        let Value::List(same) = &again else {
            panic!("list")
        };
        assert!(Rc::ptr_eq(list, same));
        assert!(text(input.path("$").unwrap()).ends_with(r#"[],"x"]}"#));
        // A list the template makes from it is a Java list.
        assert!(!json::is_json_list(&Value::list(list.borrow().clone())));
    }

    #[test]
    fn bad_paths_are_errors_with_positions() {
        let input = Input::new("{}", RequestParams::default());
        let err = input.path("$.a[").unwrap_err();
        assert!(err.contains("at character 3"), "{err}");
        let err = input.json("").unwrap_err();
        assert!(err.contains("must not be empty"), "{err}");
        // Also on bodies that are not JSON: the template is wrong either way.
        let other = Input::new("plain", RequestParams::default());
        assert!(other.json("$[").is_err());
    }
}
