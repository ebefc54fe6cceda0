//! Selection tests: the AWS guide's pets document, Jayway's result shapes.

use serde_json::json;

use super::JsonPath;
use crate::json::{from_json, is_json_list, to_json_text};
use crate::value::Value;

fn pets() -> serde_json::Value {
    // The `$input.path('$.pets')` example of the AWS mapping template reference.
    json!({
        "limit": 125,
        "pets": [
            { "id": 1, "type": "dog", "price": 249.99 },
            { "id": 2, "type": "cat", "price": 124.99 },
            { "id": 3, "type": "fish", "price": 0.99 }
        ]
    })
}

/// Selects from both document kinds, checks they agree, returns JSON text.
fn sel(doc: &serde_json::Value, path: &str) -> Option<String> {
    let p = JsonPath::parse(path).unwrap_or_else(|e| panic!("{e}"));
    let from_serde = p.select_json(doc).map(|v| from_json(&v));
    let from_value = p.select(&from_json(doc));
    assert_eq!(
        from_serde.as_ref().map(to_json_text),
        from_value.as_ref().map(to_json_text),
        "{path}"
    );
    from_value.map(|v| to_json_text(&v))
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn definite_paths_select_one_value_or_nothing() {
    let doc = pets();
    assert_eq!(sel(&doc, "$.pets[0].type"), some(r#""dog""#));
    assert_eq!(sel(&doc, "$['pets'][1]['type']"), some(r#""cat""#));
    assert_eq!(sel(&doc, "$.pets[-1].id"), some("3"));
    assert_eq!(sel(&doc, "$.pets[2].price"), some("0.99"));
    assert_eq!(sel(&doc, "pets[0].id"), some("1"));
    assert_eq!(sel(&doc, "$.limit"), some("125"));
    assert_eq!(sel(&json!({"a'b": 1, "é": 2}), r"$['a\'b']"), some("1"));
    assert_eq!(sel(&json!({"a'b": 1, "é": 2}), r"$['\u00e9']"), some("2"));
    assert_eq!(sel(&doc, "$.missing"), None);
    assert_eq!(sel(&doc, "$.missing.deeper"), None);
    assert_eq!(sel(&doc, "$.pets[3]"), None);
    assert_eq!(sel(&doc, "$.pets[-4]"), None);
    // No implicit mapping over arrays: `$.pets.type` is not `$.pets[*].type`.
    assert_eq!(sel(&doc, "$.pets.type"), None);
    assert_eq!(sel(&doc, "$.limit.x"), None);
    assert_eq!(sel(&json!({"a": null}), "$.a"), some("null"));
}

#[test]
fn root_selects_the_document() {
    let doc = json!({"a": [1, 2.5, "x"]});
    assert_eq!(sel(&doc, "$"), some(r#"{"a":[1,2.5,"x"]}"#));
    assert_eq!(sel(&json!("text"), "$"), some(r#""text""#));
    assert_eq!(sel(&json!("text"), "$.message"), None);
}

#[test]
fn indefinite_paths_select_lists() {
    let doc = pets();
    assert_eq!(sel(&doc, "$.pets[*].type"), some(r#"["dog","cat","fish"]"#));
    assert_eq!(sel(&doc, "$.pets[*].missing"), some("[]"));
    assert_eq!(sel(&doc, "$..price"), some("[249.99,124.99,0.99]"));
    assert_eq!(sel(&doc, "$.pets[0,2].id"), some("[1,3]"));
    assert_eq!(sel(&doc, "$.pets[1:].id"), some("[2,3]"));
    assert_eq!(sel(&doc, "$.pets[:1].id"), some("[1]"));
    assert_eq!(sel(&doc, "$.pets[-2:].id"), some("[2,3]"));
    assert_eq!(sel(&doc, "$.pets[5:9]"), some("[]"));
    assert_eq!(sel(&doc, "$.pets[-1:2].id"), some("[3,1,2]"));
    assert_eq!(sel(&doc, "$.pets[0].*"), some(r#"[1,"dog",249.99]"#));
    assert_eq!(sel(&doc, "$.nothing[*]"), some("[]"));
    // A single match of an indefinite path is still a list.
    assert_eq!(sel(&doc, "$.pets[?(@.id == 2)].type"), some(r#"["cat"]"#));
}

#[test]
fn name_lists_merge_at_the_end_and_fan_out_before() {
    let doc = pets();
    assert_eq!(
        sel(&doc, "$.pets[0]['id','type']"),
        some(r#"{"id":1,"type":"dog"}"#)
    );
    assert_eq!(sel(&doc, "$.pets[0]['id','nope']"), some(r#"{"id":1}"#));
    let doc = json!({"a": {"x": 1}, "b": {"x": 2}});
    assert_eq!(sel(&doc, "$['a','b'].x"), some("[1,2]"));
}

#[test]
fn deep_scan_is_pre_order() {
    let doc = json!({"a": {"a": 1}, "b": [{"a": 2}, {"c": {"a": 3}}]});
    assert_eq!(sel(&doc, "$..a"), some(r#"[{"a":1},1,2,3]"#));
    let doc = json!({"a": {"b": 1}, "c": 2});
    assert_eq!(sel(&doc, "$..*"), some(r#"[{"b":1},2,1]"#));
    let doc = json!({"x": [[1, 2], [3]]});
    assert_eq!(sel(&doc, "$..[0]"), some("[[1,2],1,3]"));
}

#[test]
fn filters_compare_like_jayway() {
    let doc = pets();
    let cases = [
        ("$.pets[?(@.price < 10)].type", r#"["fish"]"#),
        ("$.pets[?(@.price <= 124.99)].id", "[2,3]"),
        ("$.pets[?(@.type == 'cat')].id", "[2]"),
        ("$.pets[?(@.type == \"cat\")].id", "[2]"),
        ("$.pets[?(@.type != 'cat')].id", "[1,3]"),
        (
            "$.pets[?(@.id > 1 && @.price < 200)].type",
            r#"["cat","fish"]"#,
        ),
        (
            "$.pets[?(@.id == 1 || @.id == 3)].type",
            r#"["dog","fish"]"#,
        ),
        ("$.pets[?(!(@.id == 1))].id", "[2,3]"),
        ("$.pets[?(@.price)].id", "[1,2,3]"),
        ("$.pets[?(!@.price)].id", "[]"),
        ("$.pets[?(@.owner)].id", "[]"),
        ("$.pets[?(@.type =~ /c.t/)].id", "[2]"),
        ("$.pets[?(@.type =~ /C.T/i)].id", "[2]"),
        ("$.pets[?(@.type =~ /c/)].id", "[]"),
        ("$.pets[?(@.type in ['cat', 'fish'])].id", "[2,3]"),
        ("$.pets[?(@.type nin ['cat', 'fish'])].id", "[1]"),
        ("$.pets[?(@.price < $.limit)].id", "[2,3]"),
        ("$.pets[?(@.type size 3)].id", "[1,2]"),
        ("$.pets[?(@.id == '2')].id", "[2]"),
        ("$.pets[?(@.id === '2')].id", "[]"),
        ("$.pets[?(@.type > 'd')].type", r#"["dog","fish"]"#),
    ];
    for (path, want) in cases {
        assert_eq!(sel(&doc, path), some(want), "{path}");
    }
    let doc = json!({"items": [
        {"tags": ["a", "b"], "name": ""},
        {"tags": [], "name": "x"},
        {"tags": ["c"]}
    ]});
    let cases = [
        ("$.items[?(@.tags contains 'a')].name", r#"[""]"#),
        ("$.items[?(@.tags empty true)].name", r#"["x"]"#),
        ("$.items[?(@.name empty true)].name", r#"[""]"#),
        (
            "$.items[?(@.tags subsetof ['a','b','c'])].name",
            r#"["","x"]"#,
        ),
        ("$.items[?(@.tags anyof ['c','z'])].tags", r#"[["c"]]"#),
        ("$.items[?(@.tags noneof ['a'])].tags", r#"[[],["c"]]"#),
        ("$.items[?(@.tags == ['a','b'])].name", r#"[""]"#),
        ("$.items[?(@.tags size 1)].tags", r#"[["c"]]"#),
    ];
    for (path, want) in cases {
        assert_eq!(sel(&doc, path), some(want), "{path}");
    }
}

#[test]
fn filters_on_objects_test_the_object_and_scans_test_objects_only() {
    let doc = json!({"obj": {"x": 1}, "list": [{"price": 1}, {"price": 20}, {"no": 0}]});
    assert_eq!(sel(&doc, "$.obj[?(@.x == 1)]"), some(r#"[{"x":1}]"#));
    assert_eq!(sel(&doc, "$.obj[?(@.x == 2)]"), some("[]"));
    assert_eq!(
        sel(&doc, "$..[?(@.price)]"),
        some(r#"[{"price":1},{"price":20}]"#)
    );
    assert_eq!(sel(&doc, "$..[?(@.price > 5)].price"), some("[20]"));
}

#[test]
fn value_results_share_the_document() {
    let root = from_json(&pets());
    let first = JsonPath::parse("$.pets[0]").unwrap().select(&root).unwrap();
    if let Value::Map(m) = &first {
        m.borrow_mut().insert("name".into(), Value::string("Rex"));
    }
    let name = JsonPath::parse("$.pets[0].name").unwrap().select(&root);
    assert_eq!(name.map(|v| v.to_string()), Some("Rex".to_string()));
    // Indefinite results are JSON lists and print as JSON.
    let types = JsonPath::parse("$.pets[*].type")
        .unwrap()
        .select(&root)
        .unwrap();
    assert!(is_json_list(&types));
    assert_eq!(types.to_string(), r#"["dog","cat","fish"]"#);
    // A merged map is a Java map.
    let merged = JsonPath::parse("$.pets[1]['id','type']")
        .unwrap()
        .select(&root)
        .unwrap();
    assert_eq!(merged.to_string(), "{id=2, type=cat}");
}

#[test]
fn self_referencing_values_terminate() {
    let root = from_json(&json!({"a": {"x": 1}}));
    if let Value::Map(m) = &root {
        m.borrow_mut().insert("me".into(), root.clone());
    }
    let found = JsonPath::parse("$..x").unwrap().select(&root).unwrap();
    assert!(matches!(found, Value::List(_)));
    let filtered = JsonPath::parse("$..[?(@..x)]").unwrap().select(&root);
    assert!(filtered.is_some());
    if let Value::Map(m) = &root {
        m.borrow_mut().clear();
    }
}

#[test]
fn error_display_is_actionable() {
    let e = JsonPath::parse("$.pets[?(@.price <)]").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid JSONPath \"$.pets[?(@.price <)]\" at character 18")
    );
    assert!(e.reason.contains("expected a value"));
    let e = JsonPath::parse("  $.a[x]").unwrap_err();
    assert_eq!(e.position, 6);
    let p: JsonPath = " $.a ".parse().unwrap();
    assert_eq!(p.to_string(), " $.a ");
    assert!(p.is_definite());
    assert!(!JsonPath::parse("$..a").unwrap().is_definite());
    assert!(JsonPath::parse("$['a','b']").unwrap().is_definite());
    assert!(!JsonPath::parse("$['a','b'].c").unwrap().is_definite());
}

// Syntax: what parses, and where errors point.
fn err(path: &str) -> (usize, String) {
    let e = JsonPath::parse(path).expect_err(path);
    (e.position, e.reason)
}

#[test]
fn accepts_aws_documented_and_jayway_forms() {
    for p in [
        "$",
        "$.pets",
        "$.things",
        "$.errorMessage",
        "$.a.b.c",
        "$['a']",
        "$[\"a\"]",
        "$['a b']['c.d']",
        "$.a[0]",
        "$.a[-1]",
        "$.a[0,2]",
        "$.a[1:3]",
        "$.a[:2]",
        "$.a[-2:]",
        "$.a[*]",
        "$.a.*",
        "$..a",
        "$..*",
        "$..[0]",
        "$.a[?(@.price < 10)]",
        "$.a[?(@.isbn)]",
        "$.a[?(!@.isbn)]",
        "$.a[?(@.c == 'x' && (@.p > 1 || @.q))]",
        "$.a[?(@.n =~ /ab.*/i)]",
        "$.a[?(@.t in ['x', 'y'])]",
        "$.records[0]",
        "id",
        "petstore.pets[0].name",
        "@.a",
        "  $.a  ",
        "$.a-b.c_d.$e",
        "$.[0]",
    ] {
        JsonPath::parse(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    }
}

#[test]
fn rejects_with_positions() {
    assert_eq!(err("").1, "JSONPath must not be empty");
    assert_eq!(err("$.").0, 1);
    assert!(err("$.").1.contains("must not end with '.'"));
    assert!(err("$..").1.contains("must not end with '..'"));
    assert_eq!(err("$.a[").0, 3);
    assert!(err("$.a[").1.contains("unclosed '['"));
    assert_eq!(err("$.a[x]").0, 4);
    assert!(err("$.a[x]").1.contains("must be quoted"));
    assert_eq!(err("$.a b").0, 3);
    assert!(err("$.a b").1.contains("bracket notation"));
    assert!(err("$.a.length()").1.contains("functions"));
    assert!(err("$.a[::2]").1.contains("step"));
    assert!(err("$['a'").1.contains("unclosed"));
    assert!(err("$['a]").1.contains("unterminated"));
    assert!(err("$a").1.contains("expected '.' or '['"));
    assert!(err("$.a[99999999999999999999]").1.contains("out of range"));
    assert!(err("$.a[2147483648]").1.contains("out of range"));
    JsonPath::parse("$.a[-2147483648:2147483647]").unwrap();
    assert!(err("$.a[?(@.b ==)]").1.contains("expected a value"));
    assert!(err("$.a[?(@.b").1.contains("expected ')'"));
    // Positions count characters of what the user wrote, not the `$.` we prepend.
    assert_eq!(err("a b").0, 1);
    let long = format!("${}", ".a".repeat(300));
    assert!(err(&long).1.contains("path segments"));
    let nested = format!("$.a{}", "[?(@.b".repeat(40));
    assert!(err(&nested).1.contains("nested"));
}

#[test]
fn error_messages_name_the_path() {
    let e = JsonPath::parse("$.a[").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid JSONPath \"$.a[\" at character 3: unclosed '['"
    );
}
