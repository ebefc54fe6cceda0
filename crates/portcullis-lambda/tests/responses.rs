//! Proxy results read back into responses: AWS's recorded cases first
//! (LocalStack's AWS-validated `test_aws_proxy_response_payload_format_validation`
//! against a REST API), then each rule and failure mode.

use http::StatusCode;
use http::header::{CONTENT_TYPE, SET_COOKIE};
use portcullis_lambda::response::{
    MalformedResponse, ProxyResponse, error_message, parse_v1, parse_v2,
};

fn v1(payload: &str) -> ProxyResponse {
    parse_v1(payload.as_bytes()).unwrap_or_else(|err| panic!("{payload}: {err}"))
}

fn v1_err(payload: &str) -> MalformedResponse {
    parse_v1(payload.as_bytes()).expect_err(payload)
}

fn v2(payload: &str) -> ProxyResponse {
    parse_v2(payload.as_bytes()).unwrap_or_else(|err| panic!("{payload}: {err}"))
}

fn values(response: &ProxyResponse, name: &str) -> Vec<String> {
    response
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

// ---- The AWS-recorded REST cases -------------------------------------------

#[test]
fn recorded_status_only_is_an_empty_200() {
    let response = v1(r#"{"statusCode": 200}"#);
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.body.is_empty());
    assert!(response.headers.is_empty());
}

#[test]
fn recorded_boolean_header_values_are_sent_as_text() {
    let response =
        v1(r#"{"statusCode": 200, "headers": {"test-header": "value", "header-bool": true}}"#);
    assert_eq!(values(&response, "test-header"), ["value"]);
    assert_eq!(values(&response, "header-bool"), ["true"]);
}

#[test]
fn recorded_null_headers_are_no_headers() {
    assert!(
        v1(r#"{"statusCode": 200, "headers": null}"#)
            .headers
            .is_empty()
    );
}

#[test]
fn recorded_unknown_top_level_field_is_malformed() {
    let err = v1_err(r#"{"statusCode": 200, "wrongValue": "value"}"#);
    assert_eq!(err, MalformedResponse::UnknownField("wrongValue".into()));
    assert!(err.to_string().contains("\"wrongValue\""));
    assert!(
        err.to_string()
            .contains("statusCode, headers, multiValueHeaders, body and isBase64Encoded")
    );
}

#[test]
fn recorded_base64_body_is_decoded_only_when_flagged() {
    let flagged = v1(r#"{"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true}"#);
    assert_eq!(flagged.body, "test-data");
    assert!(flagged.base64_encoded);
    // What a REST API sends a client whose Accept is not a binary media type.
    assert_eq!(flagged.base64_body(), "dGVzdC1kYXRh");
    let plain = v1(r#"{"statusCode": 200, "body": "dGVzdC1kYXRh"}"#);
    assert_eq!(plain.body, "dGVzdC1kYXRh");
    assert!(!plain.base64_encoded);
}

#[test]
fn recorded_multi_value_headers() {
    let response =
        v1(r#"{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value1", "value2"]}}"#);
    assert_eq!(values(&response, "test-multi"), ["value1", "value2"]);
}

#[test]
fn recorded_merge_puts_multi_values_first_whatever_the_casing() {
    let response = v1(
        r#"{"statusCode": 200, "multiValueHeaders": {"test-multi": ["value-multi"]},
            "headers": {"test-multi": "value-solo"}}"#,
    );
    assert_eq!(
        values(&response, "test-multi"),
        ["value-multi", "value-solo"]
    );
    let response = v1(
        r#"{"statusCode": 200, "multiValueHeaders": {"tesT-Multi": ["value-multi"]},
            "headers": {"test-multi": "value-solo"}}"#,
    );
    assert_eq!(
        values(&response, "test-multi"),
        ["value-multi", "value-solo"]
    );
}

#[test]
fn recorded_multi_value_header_must_be_an_array() {
    let err =
        v1_err(r#"{"statusCode": 200, "multiValueHeaders": {"test-multi-invalid": "value1"}}"#);
    assert!(matches!(
        &err,
        MalformedResponse::HeaderValueType { field: "multiValueHeaders", name, found: "string", .. }
            if name == "test-multi-invalid"
    ));
    assert_eq!(
        err.to_string(),
        "multiValueHeaders.test-multi-invalid must be an array of strings, but is a JSON string"
    );
}

#[test]
fn recorded_status_codes() {
    assert!(
        matches!(v1_err(r#"{"statusCode": "test"}"#), MalformedResponse::StatusCode(found) if found == "\"test\"")
    );
    assert_eq!(v1(r#"{"statusCode": "201"}"#).status, StatusCode::CREATED);
}

#[test]
fn recorded_bare_string_is_malformed_for_1_0() {
    assert_eq!(
        v1_err(r#""justAString""#),
        MalformedResponse::NotAnObject("string")
    );
}

#[test]
fn recorded_missing_status_code_is_200() {
    let response = v1(r#"{"headers": {"test-header": "value"}}"#);
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(values(&response, "test-header"), ["value"]);
    assert_eq!(v1("{}").status, StatusCode::OK);
}

// ---- Further 1.0 rules ----------------------------------------------------------

#[test]
fn same_pair_in_both_maps_appears_once() {
    let response = v1(
        r#"{"statusCode": 200, "multiValueHeaders": {"Vary": ["Accept", "Origin"]},
            "headers": {"vary": "Origin", "X-Only": "single"}}"#,
    );
    assert_eq!(values(&response, "vary"), ["Accept", "Origin"]);
    assert_eq!(values(&response, "x-only"), ["single"]);
}

#[test]
fn numbers_are_header_text_nulls_are_skipped_containers_are_not() {
    let response = v1(
        r#"{"headers": {"X-Count": 3, "X-Ratio": 0.5, "X-Null": null},
            "multiValueHeaders": {"X-List": [1, true, null, "x"], "X-None": null}}"#,
    );
    assert_eq!(values(&response, "x-count"), ["3"]);
    assert_eq!(values(&response, "x-ratio"), ["0.5"]);
    assert_eq!(values(&response, "x-list"), ["1", "true", "x"]);
    assert!(response.headers.get("x-null").is_none());
    assert!(response.headers.get("x-none").is_none());

    let err = v1_err(r#"{"headers": {"X-Obj": {"a": 1}}}"#);
    assert_eq!(
        err.to_string(),
        "headers.X-Obj must be a string, number or boolean, but is a JSON object"
    );
    assert!(matches!(
        v1_err(r#"{"multiValueHeaders": {"X-Nested": [["a"]]}}"#),
        MalformedResponse::HeaderValueType { found: "array", .. }
    ));
}

#[test]
fn header_maps_must_be_objects() {
    assert_eq!(
        v1_err(r#"{"headers": ["a"]}"#).to_string(),
        "headers must be an object or null, but is a JSON array"
    );
    assert!(matches!(
        v1_err(r#"{"multiValueHeaders": "x"}"#),
        MalformedResponse::Container {
            field: "multiValueHeaders",
            found: "string",
            ..
        }
    ));
}

#[test]
fn invalid_header_names_and_values_are_malformed_not_panics() {
    for name in ["", "bad name", "bad:name", "caf\u{e9}", "x\ny"] {
        let payload = serde_json::json!({"headers": {name: "v"}}).to_string();
        assert!(
            matches!(
                parse_v1(payload.as_bytes()),
                Err(MalformedResponse::HeaderName { .. })
            ),
            "{name:?}"
        );
    }
    for value in ["a\r\nInjected: yes", "nul\0", "bell\u{7}"] {
        let payload = serde_json::json!({"headers": {"x-a": value}}).to_string();
        let err = parse_v1(payload.as_bytes()).unwrap_err();
        assert!(
            matches!(err, MalformedResponse::HeaderValue { .. }),
            "{value:?}"
        );
        assert!(err.to_string().contains("control characters"));
    }
    // Non-ASCII text is a valid (opaque) header value.
    assert_eq!(
        v1(r#"{"headers": {"x-name": "café"}}"#).headers["x-name"].as_bytes(),
        "café".as_bytes()
    );
}

#[test]
fn body_must_be_a_string() {
    assert_eq!(v1(r#"{"body": "text"}"#).body, "text");
    assert!(v1(r#"{"body": null}"#).body.is_empty());
    let err = v1_err(r#"{"statusCode": 200, "body": {"message": "hi"}}"#);
    assert_eq!(err, MalformedResponse::Body("object"));
    assert!(err.to_string().contains("JSON.stringify"));
    assert_eq!(v1_err(r#"{"body": 42}"#), MalformedResponse::Body("number"));
}

#[test]
fn is_base64_encoded_values() {
    assert!(v1(r#"{"body": "YQ==", "isBase64Encoded": "true"}"#).base64_encoded);
    assert_eq!(v1(r#"{"body": "YQ", "isBase64Encoded": true}"#).body, "a");
    assert!(!v1(r#"{"body": "YQ==", "isBase64Encoded": null}"#).base64_encoded);
    assert!(
        matches!(v1_err(r#"{"isBase64Encoded": 1}"#), MalformedResponse::IsBase64Encoded(v) if v == "1")
    );
    let err = v1_err(r#"{"body": "not base64!", "isBase64Encoded": true}"#);
    assert!(matches!(err, MalformedResponse::Base64(_)));
    assert!(
        err.to_string()
            .starts_with("isBase64Encoded is true but body is not valid base64")
    );
    // An empty flagged body is simply empty.
    assert!(
        v1(r#"{"body": "", "isBase64Encoded": true}"#)
            .body
            .is_empty()
    );
}

#[test]
fn not_json_or_not_an_object() {
    for (payload, found) in [
        ("null", "null"),
        ("[]", "array"),
        ("42", "number"),
        ("true", "boolean"),
    ] {
        assert_eq!(v1_err(payload), MalformedResponse::NotAnObject(found));
    }
    for payload in ["", "{", "statusCode: 200", "\u{feff}{}"] {
        assert!(
            matches!(v1_err(payload), MalformedResponse::NotJson(_)),
            "{payload:?}"
        );
    }
    assert!(
        v1_err("")
            .to_string()
            .starts_with("the function's result is not valid JSON")
    );
}

#[test]
fn v1_ignores_cookies_as_an_unknown_field() {
    assert_eq!(
        v1_err(r#"{"cookies": ["a=1"]}"#),
        MalformedResponse::UnknownField("cookies".into())
    );
}

// ---- 2.0 ----------------------------------------------------------------------------

#[test]
fn v2_infers_from_objects_without_status_code() {
    // The guide's example: the JSON text, exactly as returned, is the body.
    let payload = r#"{ "message": "Hello from Lambda!" }"#;
    let response = v2(payload);
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers[CONTENT_TYPE], "application/json");
    assert_eq!(response.headers.len(), 1);
    assert_eq!(response.body, payload);
    assert!(!response.base64_encoded);
    // Even when it looks like a proxy response missing only statusCode.
    let payload = r#"{"body": "x", "headers": {"a": "b"}}"#;
    assert_eq!(v2(payload).body, payload);
}

#[test]
fn v2_infers_a_bare_string_as_its_contents() {
    let response = v2(r#""Hello from Lambda!""#);
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "Hello from Lambda!");
    assert_eq!(response.headers[CONTENT_TYPE], "application/json");
}

#[test]
fn v2_infers_other_json_values_as_their_text() {
    for payload in ["42", "[1,2]", "true", "null"] {
        let response = v2(payload);
        assert_eq!(response.body, payload);
        assert_eq!(response.status, StatusCode::OK);
    }
}

#[test]
fn v2_structured_with_cookies() {
    let response = v2(
        r#"{"statusCode": 201, "cookies": ["a=1; Path=/", "b=2; Expires=Wed, 09 Jun 2021 10:18:14 GMT"],
            "headers": {"content-type": "text/plain", "x-n": 7}, "body": "made"}"#,
    );
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(
        values(&response, "set-cookie"),
        ["a=1; Path=/", "b=2; Expires=Wed, 09 Jun 2021 10:18:14 GMT"]
    );
    assert_eq!(response.headers[CONTENT_TYPE], "text/plain");
    assert_eq!(values(&response, "x-n"), ["7"]);
    assert_eq!(response.body, "made");
    // A structured response gets no inferred content type.
    assert!(
        v2(r#"{"statusCode": 204}"#)
            .headers
            .get(CONTENT_TYPE)
            .is_none()
    );
}

#[test]
fn v2_cookies_join_set_cookie_headers() {
    let response =
        v2(r#"{"statusCode": 200, "headers": {"Set-Cookie": "h=0"}, "cookies": ["c=1"]}"#);
    assert_eq!(values(&response, "set-cookie"), ["h=0", "c=1"]);
    assert_eq!(response.headers.get_all(SET_COOKIE).iter().count(), 2);
}

#[test]
fn v2_rejects_what_it_cannot_send() {
    assert!(matches!(
        parse_v2(br#"{"statusCode": 200, "cookies": "a=1"}"#),
        Err(MalformedResponse::Container {
            field: "cookies",
            ..
        })
    ));
    let err = parse_v2(br#"{"statusCode": 200, "cookies": [1]}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cookies.0 must be a string, but is a JSON number"
    );
    assert!(matches!(
        parse_v2(br#"{"statusCode": 200, "cookies": ["a=1\r\nx: y"]}"#),
        Err(MalformedResponse::HeaderValue {
            field: "cookies",
            ..
        })
    ));
    assert!(matches!(
        parse_v2(br#"{"statusCode": 700}"#),
        Err(MalformedResponse::StatusCode(_))
    ));
    assert!(matches!(
        parse_v2(br#"{"statusCode": 200, "body": {"a": 1}}"#),
        Err(MalformedResponse::Body("object"))
    ));
    assert!(matches!(
        parse_v2(b"not json"),
        Err(MalformedResponse::NotJson(_))
    ));
    assert!(matches!(parse_v2(b""), Err(MalformedResponse::NotJson(_))));
}

#[test]
fn v2_ignores_unknown_fields_and_multi_value_headers() {
    let response = v2(r#"{"statusCode": 200, "extra": 1, "multiValueHeaders": {"x": ["1"]}}"#);
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.headers.is_empty());
    // A null statusCode still marks a structured response.
    assert_eq!(v2(r#"{"statusCode": null, "body": "b"}"#).body, "b");
}

#[test]
fn v2_base64() {
    let response = v2(r#"{"statusCode": 200, "body": "iVBORw0KGgo=", "isBase64Encoded": true}"#);
    assert_eq!(&response.body[..], b"\x89PNG\r\n\x1a\n");
    assert!(matches!(
        parse_v2(br#"{"statusCode": 200, "body": "%%%", "isBase64Encoded": true}"#),
        Err(MalformedResponse::Base64(_))
    ));
}

// ---- error_message ------------------------------------------------------------------

#[test]
fn error_message_of_lambda_error_documents() {
    let python = br#"{"errorMessage": "Malformed input ...", "errorType": "Exception",
        "stackTrace": [["/var/task/lambda_function.py", 3, "lambda_handler", "raise Exception('Malformed input ...')"]]}"#;
    assert_eq!(
        error_message(python).as_deref(),
        Some("Malformed input ...")
    );
    // A custom error: the function's JSON string, as the errorMessage text.
    let custom =
        br#"{"errorMessage": "{\"errorType\":\"InternalServerError\",\"httpStatus\":500}"}"#;
    assert_eq!(
        error_message(custom).as_deref(),
        Some(r#"{"errorType":"InternalServerError","httpStatus":500}"#)
    );
    assert_eq!(
        error_message(br#"{"errorMessage": 404}"#).as_deref(),
        Some("404")
    );
}

#[test]
fn error_message_is_none_without_one() {
    for payload in [
        &br#""Pass""#[..],
        b"{}",
        br#"{"errorMessage": null}"#,
        b"[]",
        b"",
        b"garbage",
    ] {
        assert_eq!(error_message(payload), None);
    }
}

// ---- Robustness ---------------------------------------------------------------------

/// Mutated proxy results never panic any parser (a poor man's fuzz run; a
/// real fuzz target calls the same three functions).
#[test]
fn arbitrary_payloads_never_panic() {
    let seeds: [&[u8]; 4] = [
        br#"{"statusCode": 200, "headers": {"a": "b"}, "multiValueHeaders": {"c": ["d"]}, "body": "e", "isBase64Encoded": false}"#,
        br#"{"statusCode": "201", "cookies": ["a=1"], "body": "YQ==", "isBase64Encoded": true}"#,
        br#"{"errorMessage": "boom", "errorType": "Error"}"#,
        br#""text""#,
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"{}[]\":,\\ 0123456789abcdefnulltrue\r\n\x00\xff";
    for _ in 0..20_000 {
        let seed = seeds[(next() % 4) as usize];
        let mut payload = seed.to_vec();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() as usize) % payload.len();
            payload[at] = alphabet[(next() as usize) % alphabet.len()];
        }
        let _ = parse_v1(&payload);
        let _ = parse_v2(&payload);
        let _ = error_message(&payload);
    }
    // Deep nesting is an error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_v1(deep.as_bytes()).is_err());
    assert!(parse_v2(deep.as_bytes()).is_err());
    assert_eq!(error_message(deep.as_bytes()), None);
}
