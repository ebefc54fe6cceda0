//! Tests of JSON reading, writing and list marks.

use indexmap::IndexMap;

use super::*;

fn json(text: &str) -> Value {
    parse(text).expect("valid JSON")
}

#[test]
fn numbers_keep_java_types() {
    let v = json(r#"{"i":1,"d":1.0,"p":249.99,"e":1e21,"E":1E2,"neg":-7,"big":123456789012}"#);
    assert_eq!(
        v.to_string(),
        "{i=1, d=1.0, p=249.99, e=1.0E21, E=100.0, neg=-7, big=123456789012}"
    );
    assert_eq!(
        to_json_text(&v),
        r#"{"i":1,"d":1.0,"p":249.99,"e":1.0E21,"E":100.0,"neg":-7,"big":123456789012}"#
    );
    // Beyond i64: the nearest double (AWS keeps every digit of a BigInteger).
    assert!(matches!(json("18446744073709551616"), Value::Float(_)));
}

#[test]
fn objects_keep_document_order_and_print_as_java_maps() {
    let v = json(r#"{"bigger": "dict", "to": "test", "with": "separators"}"#);
    // AWS-recorded: `{bigger=dict, to=test, with=separators}`.
    assert_eq!(v.to_string(), "{bigger=dict, to=test, with=separators}");
}

#[test]
fn arrays_print_as_json_inside_java_maps() {
    // AWS-recorded outputs of `$input.path("$.json")` (test_input_path_template_formatting).
    assert_eq!(json(r#"[{"foo":"bar"}]"#).to_string(), r#"[{"foo":"bar"}]"#);
    assert_eq!(
        json(r#"{"foo": [{"nested": "bar"}]}"#).to_string(),
        r#"{foo=[{"nested":"bar"}]}"#
    );
    assert_eq!(
        json(r#"{"list": [{"foo": "bar"}]}"#).to_string(),
        r#"{list=[{"foo":"bar"}]}"#
    );
    assert_eq!(json("[]").to_string(), "[]");
    assert_eq!(
        json(r#"[1, 2.5, "a", null, true]"#).to_string(),
        r#"[1,2.5,"a",null,true]"#
    );
    // A Java list is not a JSON list.
    assert_eq!(
        Value::list(vec![Value::Int(1), Value::string("a")]).to_string(),
        "[1, a]"
    );
    assert!(is_json_list(&json("[1]")));
    assert!(!is_json_list(&Value::list(vec![])));
    assert!(!is_json_list(&Value::Null));
}

#[test]
fn json_list_mark_survives_sharing_and_changes() {
    let a = json("[1,2]");
    let shared = a.clone();
    assert!(is_json_list(&shared));
    if let Value::List(l) = &shared {
        l.borrow_mut().push(Value::list(vec![Value::Int(3)]));
    }
    assert!(is_json_list(&a));
    assert_eq!(a.to_string(), "[1,2,[3]]");
    drop(a);
    drop(shared);
    // Fresh Java lists are never taken for JSON lists.
    for _ in 0..1000 {
        let j = new_json_list(vec![]);
        drop(j);
        let l = Value::list(vec![]);
        assert!(!is_json_list(&l));
    }
}

#[test]
fn direct_parse_matches_serde_conversion() {
    let cases = [
        r#"{"a": [1, -2, 3.5, -0, 18446744073709551615, 9223372036854775807], "b": {"c": null, "d": true}}"#,
        r#"{"k": 1, "k": 2, "j": [], "k": [3]}"#,
        r#"[[], {}, "x\u00e9\n", -0.0, 1E2, 12345678901234567890123]"#,
        "\"str\"",
        "  7  ",
        "null",
        "[1e400]",
    ];
    for text in cases {
        let Ok(serde) = serde_json::from_str::<serde_json::Value>(text) else {
            assert!(parse(text).is_none(), "{text}");
            continue;
        };
        let direct = json(text);
        let via_serde = from_json(&serde);
        assert_eq!(to_json_text(&direct), to_json_text(&via_serde), "{text}");
        assert_eq!(direct.to_string(), via_serde.to_string(), "{text}");
    }
    for bad in ["", "{", "[1,]", "{\"a\" 1}", "1 2", "nope"] {
        assert!(parse(bad).is_none(), "{bad}");
        assert!(serde_json::from_str::<serde_json::Value>(bad).is_err());
    }
    // As deep as serde_json reads, and the same error past that.
    let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
    assert_eq!(to_json_text(&json(&deep)), deep);
    let deeper = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let direct = read(&deeper).unwrap_err().to_string();
    let serde = serde_json::from_str::<serde_json::Value>(&deeper)
        .unwrap_err()
        .to_string();
    assert_eq!(direct, serde);
}

#[test]
fn strings_are_escaped_as_json_smart_does() {
    let cases = [
        ("plain", r#""plain""#),
        ("a\"b", r#""a\"b""#),
        ("back\\slash", r#""back\\slash""#),
        ("http://x/y", r#""http:\/\/x\/y""#),
        ("tab\tnl\ncr\rbs\u{8}ff\u{c}", r#""tab\tnl\ncr\rbs\bff\f""#),
        ("\u{1}\u{1f}\u{7f}\u{9f}", r#""\u0001\u001F\u007F\u009F""#),
        ("€ – ’", r#""\u20AC \u2013 \u2019""#),
        ("é 日本 😀 '", "\"é 日本 😀 '\""),
    ];
    for (input, want) in cases {
        assert_eq!(to_json_text(&Value::string(input)), want, "{input:?}");
    }
}

#[test]
fn scalars_and_specials_as_json() {
    assert_eq!(to_json_text(&Value::Null), "null");
    assert_eq!(to_json_text(&Value::Bool(false)), "false");
    assert_eq!(to_json_text(&Value::Float(f64::INFINITY)), "null");
    assert_eq!(to_json_text(&Value::Float(f64::NAN)), "NaN");
    assert_eq!(to_json_text(&Value::Float(0.5)), "0.5");
    // Java lists and maps made by templates serialize as JSON too.
    let mut m = IndexMap::new();
    m.insert("k/1".to_string(), Value::list(vec![Value::Int(1)]));
    assert_eq!(to_json_text(&Value::map(m)), r#"{"k\/1":[1]}"#);
}

#[test]
fn cycles_terminate() {
    let a = Value::list(vec![]);
    if let Value::List(l) = &a {
        l.borrow_mut().push(a.clone());
    }
    let text = to_json_text(&a);
    assert_eq!(
        text,
        format!("{}null{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH))
    );
    if let Value::List(l) = &a {
        l.borrow_mut().clear();
    }
}

#[test]
fn deep_serde_values_do_not_overflow() {
    let mut v = serde_json::Value::Null;
    for _ in 0..10_000 {
        v = serde_json::Value::Array(vec![v]);
    }
    let converted = from_json(&v);
    assert!(to_json_text(&converted).len() < 2 * MAX_DEPTH + 10);
    // Dropping a 10,000-deep serde_json value recurses; unwind it iteratively.
    let mut v = v;
    while let serde_json::Value::Array(mut items) = v {
        v = items.pop().unwrap_or(serde_json::Value::Null);
    }
}

#[test]
fn reformat_matches_reading_then_writing() {
    let many_names = format!(
        "{{{}}}",
        (0..300)
            .map(|i| format!("\"k{i}\": {i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let cases = [
        r#"{"a": [1, -2, 3.5, -0, 18446744073709551615, 9223372036854775807, 1e21, 1E-4, 0.001]}"#,
        r#"{"s": "x/y \"q\" \\ \u0001 \u007f \u0085 \u2013 é 日 😀 '", "e": {}, "l": [], "n": null}"#,
        r#"  [ true , false , null , [ [ ] ] , { "a" : { "b" : [ 1 ] } } ]  "#,
        r#"{"k": 1, "j": 2, "k": 3}"#,
        r#"{"o": {"k": 1}, "p": {"k": 2}}"#,
        r#"{"a\/b": 1, "a/b": 2}"#,
        r#""just a string""#,
        "12345678901234567890123",
        "-0.0",
        "null",
        "[1e400]",
        "",
        "  ",
        "{",
        "[1,]",
        "1 2",
        many_names.as_str(),
    ];
    for text in cases {
        let read_then_written = parse(text).map(|v| to_json_text(&v));
        match reformat(text) {
            Some(direct) => assert_eq!(Some(direct), read_then_written, "{text}"),
            // Only repeated or very many names, or text that is not JSON, are left to reading.
            None => assert!(
                read_then_written.is_none()
                    || text.contains("\"k\"")
                    || text.contains("a/b")
                    || text.len() > 1000,
                "{text}"
            ),
        }
    }
    assert!(reformat(r#"{"k": 1, "j": 2, "k": 3}"#).is_none());
    assert!(reformat(r#"{"a\/b": 1, "a/b": 2}"#).is_none());
    assert!(reformat(r#"{"o": {"k": 1}, "p": {"k": 2}}"#).is_some());
    let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
    assert_eq!(reformat(&deep), Some(deep.clone()));
    let deeper = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(reformat(&deeper), None);
}

/// Texts built from JSON pieces, valid and not, by a fixed pseudo-random walk.
fn json_like_texts(count: usize) -> Vec<String> {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\t",
        "\r",
        "\u{c}",
        "\"a\"",
        "\"k\"",
        "\"sku\"",
        "\"\"",
        "\"x/y\"",
        "\"\\u00e9\\n\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud800\"",
        "\"\\udc00x\"",
        "\"\\q\"",
        "\"tab\there\"",
        "\"é日😀\"",
        "\"\\\"\"",
        "\"\\\\\"",
        "\"a\\/b\"",
        "\"a/b\"",
        "\"unterminated",
        "0",
        "-0",
        "01",
        "-01",
        "1",
        "-1",
        "7",
        "42",
        "1.",
        "1.5",
        "-0.0",
        ".5",
        "1e5",
        "1E+2",
        "1e-7",
        "1e",
        "1e+",
        "2.50",
        "1e400",
        "-1e400",
        "123456789012345678",
        "-123456789012345678",
        "1234567890123456789",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "12345678901234567890123",
        "+1",
        "-",
        "true",
        "false",
        "null",
        "nul",
        "tru",
        "nulll",
        "NaN",
        "x",
        "\u{0}",
        "\u{2013}",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 24) as usize;
            (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect()
        })
        .collect()
}

/// Well-formed documents: objects with repeated and escaped names, nested lists.
fn json_documents() -> Vec<String> {
    let mut docs = vec![
        r#"{"a": [1, -2, 3.5, -0, 18446744073709551615, 9223372036854775807], "b": {"c": null, "d": true}}"#.to_string(),
        r#"{"k": 1, "k": 2, "j": [], "k": [3]}"#.to_string(),
        r#"{"a\/b": 1, "a/b": 2, "\u0061": 3, "a": 4}"#.to_string(),
        r#"[{"sku": "S-1", "qty": 1}, {"sku": "S-2", "qty": 2, "sku": "S-3"}, {"qty": 3}]"#.to_string(),
        format!("{}{}", "[".repeat(127), "]".repeat(127)),
        format!("{}{}", "[".repeat(128), "]".repeat(128)),
        format!("{}1{}", "{\"a\":".repeat(126), "}".repeat(126)),
        format!("{}1{}", "{\"a\":".repeat(127), "}".repeat(127)),
        format!("{{{}}}", (0..300).map(|i| format!("\"k{i}\": {i}")).collect::<Vec<_>>().join(",")),
        format!("{{{}}}", (0..40).map(|i| format!("\"k{}\": {i}", i % 23)).collect::<Vec<_>>().join(",")),
    ];
    for text in json_like_texts(200) {
        docs.push(format!("[{text}]"));
    }
    // Generated documents, and each with one piece inserted or one character taken out.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const SCALARS: &[&str] = &[
        "0",
        "-0",
        "1",
        "-17",
        "2.50",
        "1e21",
        "1E-4",
        "0.001",
        "-0.0",
        "123456789012345678",
        "1234567890123456789",
        "18446744073709551616",
        "true",
        "false",
        "null",
        "\"\"",
        "\"sku\"",
        "\"a/b\"",
        "\"\\u00e9\"",
        "\"\\ud800\"",
        "\"é\"",
        "\"\\n\"",
        "\"\u{7f}\"",
        "\"\u{85}\u{2013}\"",
    ];
    const NAMES: &[&str] = &["a", "k", "sku", "title", "a/b", "a\\/b", "\\u0061", "é", ""];
    const SPACE: &[&str] = &["", "", "", " ", "\n", "\t", "\r\n "];
    fn generate(next: &mut impl FnMut() -> u64, depth: u32, out: &mut String) {
        let pick = |next: &mut dyn FnMut() -> u64, from: &[&'static str]| {
            from[(next() % from.len() as u64) as usize]
        };
        out.push_str(pick(next, SPACE));
        match next() % if depth > 4 { 1 } else { 4 } {
            0 => out.push_str(pick(next, SCALARS)),
            1 => {
                out.push('[');
                for i in 0..next() % 5 {
                    if i > 0 {
                        out.push(',');
                    }
                    generate(next, depth + 1, out);
                }
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..next() % 6 {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(pick(next, SPACE));
                    out.push('"');
                    out.push_str(pick(next, NAMES));
                    out.push('"');
                    out.push_str(pick(next, SPACE));
                    out.push(':');
                    generate(next, depth + 1, out);
                }
                out.push('}');
            }
        }
        out.push_str(pick(next, SPACE));
    }
    let pieces = json_like_texts(500);
    for i in 0..3000 {
        let mut doc = String::new();
        generate(&mut next, 0, &mut doc);
        let at = (next() as usize) % (doc.len() + 1);
        let at = (0..=at)
            .rev()
            .find(|&i| doc.is_char_boundary(i))
            .unwrap_or(0);
        match i % 3 {
            0 => {}
            1 => doc.insert_str(
                at,
                &pieces[i % pieces.len()].chars().take(3).collect::<String>(),
            ),
            _ => {
                if at < doc.len() {
                    doc.remove(at);
                }
            }
        }
        docs.push(doc);
    }
    docs
}

#[test]
fn fast_reader_agrees_with_serde_json() {
    let mut texts = json_like_texts(20_000);
    texts.extend(json_documents());
    let mut valid = 0;
    for text in &texts {
        let fast = fast::read(text).ok();
        let serde = serde_read(text).ok();
        match (&fast, &serde) {
            (Some(f), Some(s)) => {
                valid += 1;
                assert_eq!(to_json_text(f), to_json_text(s), "{text:?}");
                assert_eq!(f.to_string(), s.to_string(), "{text:?}");
            }
            (None, None) => {}
            _ => panic!("fast {fast:?} / serde {serde:?}: {text:?}"),
        }
        let fast = fast::reformat(text).ok();
        let serde = serde_reformat(text);
        match (&fast, &serde) {
            (Some(f), Some(s)) => assert_eq!(f, s, "{text:?}"),
            (None, None) => {}
            // Only a repeated or very many names in an object are left to serde_json.
            (None, Some(_)) => panic!("fast reformat refused {text:?}"),
            (Some(f), None) => panic!("fast reformat {f:?} where serde_json has none: {text:?}"),
        }
        assert_eq!(reformat(text), serde);
        assert_eq!(
            read(text)
                .map(|v| to_json_text(&v))
                .map_err(|e| e.to_string()),
            serde_read(text)
                .map(|v| to_json_text(&v))
                .map_err(|e| e.to_string())
        );
    }
    assert!(valid > 1000, "{valid} valid texts");
}

#[test]
fn repeated_names_are_shared_strings() {
    let Some(Value::List(items)) = parse(r#"[{"sku": 1, "qty": 2}, {"sku": 3, "qty": 4}]"#) else {
        panic!("list")
    };
    let items = items.borrow();
    let (Value::Map(a), Value::Map(b)) = (&items[0], &items[1]) else {
        panic!("maps")
    };
    let (a, b) = (a.borrow(), b.borrow());
    for (x, y) in a.keys().zip(b.keys()) {
        assert!(Rc::ptr_eq(x, y), "{x}");
    }
}

#[test]
fn fast_decimals_read_exactly_as_serde_json_reads_them() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut tokens: Vec<String> = [
        "0.1",
        "-0.0",
        "0.0",
        "0.30000000000000004",
        "0.000000000000001",
        "0.00000000000001",
        "123456789012345.6",
        "12345678901234.5",
        "999999999999999.9",
        "99999999999999.9",
        "9007199254740.993",
        "1.7976931348623157",
        "5.99",
        "-105.99",
        "2.50",
        "1.5e3",
        "1.0E-2",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    for _ in 0..20_000 {
        let int_digits = 1 + next() % 12;
        let frac_digits = 1 + next() % 17;
        let mut t = String::new();
        if next() % 3 == 0 {
            t.push('-');
        }
        for i in 0..int_digits {
            let d = next() % 10;
            // No leading zeros (not JSON).
            let d = if i == 0 && int_digits > 1 {
                1 + d % 9
            } else {
                d
            };
            t.push(char::from(b'0' + d as u8));
        }
        t.push('.');
        for _ in 0..frac_digits {
            t.push(char::from(b'0' + (next() % 10) as u8));
        }
        tokens.push(t);
    }
    for t in &tokens {
        let text = format!("[{t}, {{\"n\": {t}}}]");
        let (Ok(fast), Ok(serde)) = (fast::read(&text), serde_read(&text)) else {
            panic!("{text}")
        };
        let first = |v: &Value| match v {
            Value::List(l) => match l.borrow()[0] {
                Value::Float(f) => f.to_bits(),
                ref other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(first(&fast), first(&serde), "{t}");
        assert_eq!(to_json_text(&fast), to_json_text(&serde), "{t}");
        assert_eq!(fast::reformat(&text).ok(), serde_reformat(&text), "{t}");
    }
}

#[test]
fn strings_scanned_in_chunks_read_and_reformat_as_serde_json_does() {
    let specials = [
        "\\\"",
        "\\\\",
        "\\n",
        "\\u00e9",
        "/",
        "\\/",
        "\u{7f}",
        "é",
        "\u{85}",
        "\u{2013}",
        "\u{e000}",
        "\u{1f600}",
        "\t",
        "\u{1}",
        "'",
    ];
    for len in [0, 1, 7, 8, 9, 15, 16, 17, 30] {
        for at in 0..=len {
            for special in specials {
                let s = format!("{}{special}{}", "x".repeat(at), "y".repeat(len - at));
                for text in [
                    format!("\"{s}\""),
                    format!("{{\"{s}\": [\"{s}\", 1]}}"),
                    format!("\"{s}"),
                ] {
                    let fast = fast::read(&text).ok().map(|v| to_json_text(&v));
                    let serde = serde_read(&text).ok().map(|v| to_json_text(&v));
                    assert_eq!(fast, serde, "{text:?}");
                    assert_eq!(
                        fast::reformat(&text).ok(),
                        serde_reformat(&text),
                        "{text:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn repeated_short_string_values_are_shared_and_long_ones_not() {
    let long = "a string value longer than sixteen bytes";
    let text = format!(r#"[["a", "b", "a", "{long}"], ["a", "", "b", "{long}"]]"#);
    let Some(Value::List(lists)) = parse(&text) else {
        panic!("list")
    };
    let lists = lists.borrow();
    let (Value::List(x), Value::List(y)) = (&lists[0], &lists[1]) else {
        panic!("lists")
    };
    let strings = |l: &crate::value::List| -> Vec<Rc<str>> {
        l.borrow()
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let (x, y) = (strings(x), strings(y));
    assert!(Rc::ptr_eq(&x[0], &x[2]) && Rc::ptr_eq(&x[0], &y[0]));
    assert!(Rc::ptr_eq(&x[1], &y[2]));
    assert!(!Rc::ptr_eq(&x[3], &y[3]));
    assert_eq!((&*x[3], &*y[1]), (long, ""));
}
