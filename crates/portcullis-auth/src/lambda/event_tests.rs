//! The events, field by field, against the developer guide's examples
//! (`api-gateway-lambda-authorizer-input.md`, `http-api-lambda-authorizer.md`).

use std::collections::BTreeMap;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::config::{self, AuthorizerKind, IdentitySource, LambdaAuthorizerConfig, PayloadFormat};
use super::event;
use super::request::{self, AuthorizerRequest};

/// The guide's REST `REQUEST` example's `requestContext`.
fn rest_context() -> Value {
    json!({
        "path": "/request", "accountId": "123456789012", "resourceId": "05c7jb",
        "stage": "test", "requestId": "...",
        "identity": {"apiKey": "...", "sourceIp": "..."},
        "resourcePath": "/request", "httpMethod": "GET", "apiId": "abcdef123"
    })
}

const GUIDE_HEADERS: &[(&str, &str)] = &[
    ("X-AMZ-Date", "20170718T062915Z"),
    ("Accept", "*/*"),
    ("HeaderAuth1", "headerValue1"),
    ("CloudFront-Viewer-Country", "US"),
    ("User-Agent", "..."),
];

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

fn event_of(config: LambdaAuthorizerConfig, request: &AuthorizerRequest<'_>) -> Value {
    let checked = config::check(config).unwrap();
    let identity = request::identity(&checked.kind, checked.format, request);
    let bytes = event::build(&checked.kind, checked.format, request, &identity);
    serde_json::from_slice(&bytes).unwrap()
}

fn request_kind(sources: &[&str], http: bool) -> AuthorizerKind {
    AuthorizerKind::Request {
        identity_sources: sources
            .iter()
            .map(|s| IdentitySource::parse(s, http).unwrap())
            .collect(),
    }
}

#[test]
fn token_event() {
    let headers = headers(&[("authorizationToken", "allow")]);
    let (stage, context) = (BTreeMap::new(), Value::Null);
    let request = AuthorizerRequest {
        method_arn: "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/",
        http_method: "GET",
        resource: "/",
        path: "/",
        route_key: "",
        raw_path: "/",
        raw_query: None,
        headers: &headers,
        header_names: &[],
        path_parameters: &[],
        stage_variables: &stage,
        request_context: &context,
        context_variable: &|_| None,
        source_ip: None,
    };
    let kind = AuthorizerKind::Token {
        header: HeaderName::from_static("authorizationtoken"),
        validation: None,
    };
    let event = event_of(
        LambdaAuthorizerConfig::new("f", kind, PayloadFormat::Rest),
        &request,
    );
    assert_eq!(
        event,
        json!({"type": "TOKEN", "authorizationToken": "allow",
               "methodArn": "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"})
    );
}

fn guide_request<'a>(
    headers: &'a HeaderMap,
    names: &'a [&'a str],
    stage: &'a BTreeMap<String, String>,
    context: &'a Value,
) -> AuthorizerRequest<'a> {
    AuthorizerRequest {
        method_arn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request",
        http_method: "GET",
        resource: "/request",
        path: "/request",
        route_key: "GET /request",
        raw_path: "/request",
        raw_query: Some("QueryString1=queryValue1"),
        headers,
        header_names: names,
        path_parameters: &[],
        stage_variables: stage,
        request_context: context,
        context_variable: &|_| None,
        source_ip: None,
    }
}

#[test]
fn rest_request_event() {
    let headers = headers(GUIDE_HEADERS);
    let names: Vec<&str> = GUIDE_HEADERS.iter().map(|(n, _)| *n).collect();
    let stage = BTreeMap::from([("StageVar1".to_owned(), "stageValue1".to_owned())]);
    let context = rest_context();
    let request = guide_request(&headers, &names, &stage, &context);
    let kind = request_kind(
        &[
            "method.request.header.HeaderAuth1",
            "method.request.querystring.QueryString1",
        ],
        false,
    );
    let event = event_of(
        LambdaAuthorizerConfig::new("f", kind, PayloadFormat::Rest),
        &request,
    );
    let expected = json!({
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request",
        "resource": "/request",
        "path": "/request",
        "httpMethod": "GET",
        "headers": {
            "X-AMZ-Date": "20170718T062915Z", "Accept": "*/*", "HeaderAuth1": "headerValue1",
            "CloudFront-Viewer-Country": "US", "User-Agent": "..."
        },
        "multiValueHeaders": {
            "X-AMZ-Date": ["20170718T062915Z"], "Accept": ["*/*"], "HeaderAuth1": ["headerValue1"],
            "CloudFront-Viewer-Country": ["US"], "User-Agent": ["..."]
        },
        "queryStringParameters": {"QueryString1": "queryValue1"},
        "multiValueQueryStringParameters": {"QueryString1": ["queryValue1"]},
        "pathParameters": {},
        "stageVariables": {"StageVar1": "stageValue1"},
        "requestContext": rest_context()
    });
    assert_eq!(event, expected);
}

#[test]
fn http_v1_event() {
    let headers = headers(GUIDE_HEADERS);
    let stage = BTreeMap::from([("StageVar1".to_owned(), "stageValue1".to_owned())]);
    let context = rest_context();
    let lookup = |name: &str| match name {
        "userId" => Some("user1".to_owned()),
        "accountSuffix" => Some("123".to_owned()),
        _ => None,
    };
    let request = AuthorizerRequest {
        context_variable: &lookup,
        ..guide_request(&headers, &[], &stage, &context)
    };
    let kind = request_kind(&["$context.userId", "$context.accountSuffix"], true);
    let event = event_of(
        LambdaAuthorizerConfig::new("f", kind, PayloadFormat::HttpV1),
        &request,
    );
    assert_eq!(event["version"], "1.0");
    assert_eq!(event["type"], "REQUEST");
    assert_eq!(event["identitySource"], "user1,123");
    assert_eq!(event["authorizationToken"], "user1,123");
    assert_eq!(event["methodArn"], request.method_arn);
    assert_eq!(event["resource"], "/request");
    assert_eq!(event["httpMethod"], "GET");
    // Without the client's spellings, names are title-cased.
    assert_eq!(event["headers"]["X-Amz-Date"], "20170718T062915Z");
    assert_eq!(event["headers"]["Headerauth1"], "headerValue1");
    assert_eq!(
        event["queryStringParameters"],
        json!({"QueryString1": "queryValue1"})
    );
    assert_eq!(event["pathParameters"], json!({}));
    assert_eq!(event["stageVariables"], json!({"StageVar1": "stageValue1"}));
    assert_eq!(event["requestContext"], rest_context());
}

#[test]
fn http_v2_event() {
    let headers = headers(&[
        ("Header1", "value1"),
        ("Header2", "value2"),
        ("Header2", "value3"),
        ("Cookie", "cookie1; cookie2"),
    ]);
    let stage = BTreeMap::from([
        ("stageVariable1".to_owned(), "value1".to_owned()),
        ("stageVariable2".to_owned(), "value2".to_owned()),
    ]);
    let context = json!({"accountId": "123456789012", "apiId": "api-id", "routeKey": "$default"});
    let lookup = |name: &str| (name == "userId").then(|| "user1".to_owned());
    let request = AuthorizerRequest {
        method_arn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request",
        http_method: "POST",
        resource: "",
        path: "",
        route_key: "$default",
        raw_path: "/my/path",
        raw_query: Some("parameter1=value1&parameter1=value2&parameter2=value"),
        headers: &headers,
        header_names: &[],
        path_parameters: &[("parameter1", "value1")],
        stage_variables: &stage,
        request_context: &context,
        context_variable: &lookup,
        source_ip: None,
    };
    let kind = request_kind(
        &["$context.userId", "$request.querystring.parameter1"],
        true,
    );
    let format = PayloadFormat::HttpV2 {
        simple_responses: true,
    };
    let event = event_of(LambdaAuthorizerConfig::new("f", kind, format), &request);
    let expected = json!({
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request",
        "identitySource": ["user1", "value1,value2"],
        "routeKey": "$default",
        "rawPath": "/my/path",
        "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
        "cookies": ["cookie1", "cookie2"],
        "headers": {"header1": "value1", "header2": "value2,value3"},
        "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
        "requestContext": context,
        "pathParameters": {"parameter1": "value1"},
        "stageVariables": {"stageVariable1": "value1", "stageVariable2": "value2"}
    });
    assert_eq!(event, expected);
}

#[test]
fn empty_parts() {
    let headers = HeaderMap::new();
    let (stage, context) = (BTreeMap::new(), json!({}));
    let request = AuthorizerRequest {
        raw_query: None,
        ..guide_request(&headers, &[], &stage, &context)
    };
    let kind = request_kind(&[], true);
    let ttl0 = |format| {
        LambdaAuthorizerConfig::new("f", kind.clone(), format).ttl(std::time::Duration::ZERO)
    };
    let v2 = event_of(
        ttl0(PayloadFormat::HttpV2 {
            simple_responses: false,
        }),
        &request,
    );
    let object = v2.as_object().unwrap();
    for absent in [
        "identitySource",
        "cookies",
        "queryStringParameters",
        "pathParameters",
        "stageVariables",
    ] {
        assert!(!object.contains_key(absent), "{absent} in {v2}");
    }
    assert_eq!(v2["rawQueryString"], "");
    assert_eq!(v2["headers"], json!({}));
    let v1 = event_of(ttl0(PayloadFormat::HttpV1), &request);
    assert!(v1.get("identitySource").is_none() && v1.get("authorizationToken").is_none());
    for empty in [
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
    ] {
        assert_eq!(v1[empty], json!({}), "{empty}");
    }
}
