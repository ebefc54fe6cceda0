//! Whole proxy events for realistic requests, compared with what AWS sends.
//!
//! The expected events restate, for the same requests, events AWS generated:
//! LocalStack's AWS-validated recordings of a REST API (`{proxy+}` and a
//! literal resource), an HTTP API 1.0 event and 2.0 events captured from
//! AWS, and the shapes in the developer guide. Each event is also
//! deserialised into the `aws_lambda_events` types Rust handlers use.

use std::collections::BTreeMap;

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayV2httpRequest};
use http::{HeaderMap, HeaderName, HeaderValue};
use portcullis_lambda::event::{
    self, ClientCert, Format, HeaderCase, Identity, ProxyRequest, RequestContext,
};
use serde_json::{Value, json};

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

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("events are JSON")
}

/// Compares field by field first, so a failure names the field.
fn assert_event(actual: &Value, expected: &Value) {
    let (Value::Object(a), Value::Object(e)) = (actual, expected) else {
        panic!("not objects");
    };
    for (key, value) in e {
        assert_eq!(a.get(key), Some(value), "field {key}");
    }
    for key in a.keys() {
        assert!(e.contains_key(key), "unexpected field {key}: {}", a[key]);
    }
}

const NO_VARIABLES: &BTreeMap<String, String> = &BTreeMap::new();

fn rest_context<'a>(path: &'a str, source_ip: &'a str) -> RequestContext<'a> {
    RequestContext {
        request_id: "0d9f6f9d-1d0a-4ef5-bb5f-64a14e4c3d7b",
        extended_request_id: "ZIQ1Gg_joAMEVpQ=",
        account_id: "111111111111",
        api_id: "a1b2c3d4e5",
        stage: "stage",
        domain_name: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        domain_prefix: "a1b2c3d4e5",
        path,
        protocol: "HTTP/1.1",
        request_time_epoch: 1_664_298_630_836,
        resource_id: Some("x3o5ih"),
        deployment_id: Some("d3pl0y"),
        operation_name: None,
        identity: Identity {
            source_ip,
            ..Identity::default()
        },
        authorizer: None,
    }
}

fn rest_identity(user_agent: Value) -> Value {
    json!({
        "accessKey": null, "accountId": null, "caller": null,
        "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
        "cognitoIdentityId": null, "cognitoIdentityPoolId": null, "principalOrgId": null,
        "sourceIp": "203.0.113.7", "user": null, "userAgent": user_agent, "userArn": null
    })
}

/// LocalStack's recording "invocation-payload-with-params-encoding-multi":
/// `POST /stage/proxy-value?category=electronics&category=books&price=10&price=20&price=30`
/// on `ANY /{proxy+}`, with a client-cased `aUThorization` header.
#[test]
fn rest_proxy_resource_with_repeated_query_parameters() {
    let original = [
        "Content-Type",
        "aUThorization",
        "User-Agent",
        "Accept",
        "Host",
    ];
    let map = headers(&[
        ("host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"),
        ("user-agent", "python-requests/testing"),
        ("accept", "*/*"),
        ("content-type", "application/json;charset=utf-8"),
        ("authorization", "Bearer token123;API key456"),
    ]);
    let body = br#"{"message": "hello world"}"#;
    let request = ProxyRequest {
        method: "POST",
        resource: "/{proxy+}",
        route_key: "",
        path: "/proxy-value",
        raw_query: Some("category=electronics&category=books&price=10&price=20&price=30"),
        headers: &map,
        header_case: HeaderCase::Original(&original),
        path_parameters: &[("proxy", "proxy-value")],
        stage_variables: NO_VARIABLES,
        body,
        base64_body: false,
        context: rest_context("/stage/proxy-value", "203.0.113.7"),
    };
    let bytes = event::rest_v1(&request);
    let expected = json!({
        "resource": "/{proxy+}",
        "path": "/proxy-value",
        "httpMethod": "POST",
        "headers": {
            "Host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "User-Agent": "python-requests/testing",
            "Accept": "*/*",
            "Content-Type": "application/json;charset=utf-8",
            "aUThorization": "Bearer token123;API key456"
        },
        "multiValueHeaders": {
            "Host": ["a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"],
            "User-Agent": ["python-requests/testing"],
            "Accept": ["*/*"],
            "Content-Type": ["application/json;charset=utf-8"],
            "aUThorization": ["Bearer token123;API key456"]
        },
        "queryStringParameters": {"category": "books", "price": "30"},
        "multiValueQueryStringParameters": {
            "category": ["electronics", "books"],
            "price": ["10", "20", "30"]
        },
        "pathParameters": {"proxy": "proxy-value"},
        "stageVariables": null,
        "requestContext": {
            "accountId": "111111111111",
            "apiId": "a1b2c3d4e5",
            "deploymentId": "d3pl0y",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "extendedRequestId": "ZIQ1Gg_joAMEVpQ=",
            "httpMethod": "POST",
            "identity": rest_identity(json!("python-requests/testing")),
            "path": "/stage/proxy-value",
            "protocol": "HTTP/1.1",
            "requestId": "0d9f6f9d-1d0a-4ef5-bb5f-64a14e4c3d7b",
            "requestTime": "27/Sep/2022:17:10:30 +0000",
            "requestTimeEpoch": 1_664_298_630_836_u64,
            "resourceId": "x3o5ih",
            "resourcePath": "/{proxy+}",
            "stage": "stage"
        },
        "body": "{\"message\": \"hello world\"}",
        "isBase64Encoded": false
    });
    assert_event(&parse(&bytes), &expected);

    let typed: ApiGatewayProxyRequest = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(typed.http_method, http::Method::POST);
    assert_eq!(typed.resource.as_deref(), Some("/{proxy+}"));
    assert_eq!(typed.query_string_parameters.first("price"), Some("30"));
    assert_eq!(
        typed.multi_value_query_string_parameters.all("category"),
        Some(vec!["electronics", "books"])
    );
    assert_eq!(typed.path_parameters["proxy"], "proxy-value");
    assert_eq!(typed.headers["authorization"], "Bearer token123;API key456");
    assert_eq!(typed.request_context.request_time_epoch, 1_664_298_630_836);
    assert_eq!(
        typed.request_context.identity.source_ip.as_deref(),
        Some("203.0.113.7")
    );
    assert_eq!(typed.body.as_deref(), Some(r#"{"message": "hello world"}"#));
}

/// LocalStack's recordings "invocation-payload-with-params-encoding" and
/// "...-with-path-encoded-email": `+` is a space and `%2B` a plus in query
/// values, while the path and path parameters stay as the client encoded them.
#[test]
fn rest_query_decoding_and_encoded_path() {
    let map = headers(&[("user-agent", "python-requests/testing")]);
    let path = "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com";
    let request = ProxyRequest {
        method: "GET",
        resource: "/{proxy+}",
        route_key: "",
        path,
        raw_query: Some(
            "dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com\
             &plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/",
        ),
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[("proxy", &path[1..])],
        stage_variables: NO_VARIABLES,
        body: b"",
        base64_body: false,
        context: rest_context("/stage/proxy-value/api", "203.0.113.7"),
    };
    let event = parse(&event::rest_v1(&request));
    assert_eq!(
        event["queryStringParameters"],
        json!({
            "dateTimeOffset": "2023-06-12T18:05:10.123456 00:00",
            "email": "test+alias@gmail.com",
            "plus": "test alias@gmail.com",
            "url": "https://www.google.com/",
            "whitespace": "foo bar",
            "zhash": "abort/"
        })
    );
    assert_eq!(
        event["multiValueQueryStringParameters"]["plus"],
        json!(["test alias@gmail.com"])
    );
    assert_eq!(event["path"], path);
    assert_eq!(
        event["pathParameters"]["proxy"],
        "proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"
    );
    assert_eq!(event["body"], Value::Null);
    assert_eq!(event["isBase64Encoded"], false);
}

/// LocalStack's recording "invocation-hardcoded": a literal resource has
/// `pathParameters: null`, and without a query both query maps are `null`.
#[test]
fn rest_literal_resource_nulls() {
    let map = headers(&[("accept", "*/*")]);
    let request = ProxyRequest {
        method: "GET",
        resource: "/hardcoded",
        route_key: "",
        path: "/hardcoded",
        raw_query: None,
        headers: &map,
        header_case: HeaderCase::Lower,
        path_parameters: &[],
        stage_variables: NO_VARIABLES,
        body: b"",
        base64_body: false,
        context: rest_context("/stage/hardcoded", "203.0.113.7"),
    };
    let bytes = event::rest_v1(&request);
    let event = parse(&bytes);
    for null in [
        "pathParameters",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "stageVariables",
        "body",
    ] {
        assert_eq!(event[null], Value::Null, "{null}");
    }
    assert!(
        event.get("version").is_none(),
        "REST events have no version"
    );
    assert_eq!(event["headers"], json!({"accept": "*/*"}));
    // Without a User-Agent header, REST reports null.
    assert_eq!(
        event["requestContext"]["identity"],
        rest_identity(Value::Null)
    );
    let typed: ApiGatewayProxyRequest = serde_json::from_slice(&bytes).unwrap();
    assert!(typed.path_parameters.is_empty());
    assert!(typed.body.is_none());
}

/// An HTTP API 1.0 event captured from AWS: `POST /handler/` on route
/// `ANY /handler/{proxy+}` of the `$default` stage, by curl, without a body.
#[test]
fn http_v1_matches_a_captured_event() {
    let map = headers(&[
        ("content-length", "0"),
        ("host", "9pyofn5yi9.execute-api.eu-central-1.amazonaws.com"),
        ("user-agent", "curl/7.77.0"),
        (
            "x-amzn-trace-id",
            "Root=1-61fff17e-5b8496e96e81bed7494730a7",
        ),
        ("x-forwarded-for", "93.136.72.29"),
        ("x-forwarded-port", "443"),
        ("x-forwarded-proto", "https"),
        ("accept", "*/*"),
    ]);
    let received = ["accept"];
    let request = ProxyRequest {
        method: "POST",
        resource: "/handler/{proxy+}",
        route_key: "ANY /handler/{proxy+}",
        path: "/handler/",
        raw_query: None,
        headers: &map,
        header_case: HeaderCase::Original(&received),
        path_parameters: &[("proxy", "")],
        stage_variables: NO_VARIABLES,
        body: b"",
        base64_body: false,
        context: RequestContext {
            request_id: "NIKr1jmIFiAEJmw=",
            extended_request_id: "NIKr1jmIFiAEJmw=",
            account_id: "052548195718",
            api_id: "9pyofn5yi9",
            stage: "$default",
            domain_name: "9pyofn5yi9.execute-api.eu-central-1.amazonaws.com",
            domain_prefix: "9pyofn5yi9",
            path: "/handler/",
            protocol: "HTTP/1.1",
            request_time_epoch: 1_644_163_454_741,
            // REST-only fields are ignored for HTTP APIs.
            resource_id: Some("ignored"),
            deployment_id: Some("ignored"),
            operation_name: Some("ignored"),
            identity: Identity {
                source_ip: "93.136.72.29",
                ..Identity::default()
            },
            authorizer: None,
        },
    };
    let bytes = event::http_v1(&request);
    let single = |pairs: &[(&str, &str)]| {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect(),
        )
    };
    let multi = |pairs: &[(&str, &str)]| {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!([v])))
                .collect(),
        )
    };
    let captured_headers = [
        ("Content-Length", "0"),
        ("Host", "9pyofn5yi9.execute-api.eu-central-1.amazonaws.com"),
        ("User-Agent", "curl/7.77.0"),
        (
            "X-Amzn-Trace-Id",
            "Root=1-61fff17e-5b8496e96e81bed7494730a7",
        ),
        ("X-Forwarded-For", "93.136.72.29"),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
        ("accept", "*/*"),
    ];
    let expected = json!({
        "version": "1.0",
        "resource": "/handler/{proxy+}",
        "path": "/handler/",
        "httpMethod": "POST",
        "headers": single(&captured_headers),
        "multiValueHeaders": multi(&captured_headers),
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": {"proxy": ""},
        "stageVariables": null,
        "requestContext": {
            "accountId": "052548195718",
            "apiId": "9pyofn5yi9",
            "domainName": "9pyofn5yi9.execute-api.eu-central-1.amazonaws.com",
            "domainPrefix": "9pyofn5yi9",
            "extendedRequestId": "NIKr1jmIFiAEJmw=",
            "httpMethod": "POST",
            "identity": {
                "accessKey": null, "accountId": null, "caller": null, "cognitoAmr": null,
                "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
                "cognitoIdentityId": null, "cognitoIdentityPoolId": null,
                "principalOrgId": null, "sourceIp": "93.136.72.29", "user": null,
                "userAgent": "curl/7.77.0", "userArn": null
            },
            "path": "/handler/",
            "protocol": "HTTP/1.1",
            "requestId": "NIKr1jmIFiAEJmw=",
            "requestTime": "06/Feb/2022:16:04:14 +0000",
            "requestTimeEpoch": 1_644_163_454_741_u64,
            "resourceId": "ANY /handler/{proxy+}",
            "resourcePath": "/handler/{proxy+}",
            "stage": "$default"
        },
        "body": null,
        "isBase64Encoded": false
    });
    assert_event(&parse(&bytes), &expected);

    let typed: ApiGatewayProxyRequest = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        typed.request_context.resource_id.as_deref(),
        Some("ANY /handler/{proxy+}")
    );
    assert_eq!(typed.path_parameters["proxy"], "");
}

/// HTTP APIs report a missing `User-Agent` as `""` (seen in a captured 1.0
/// event of a webhook without one) and name a named stage in `path`.
#[test]
fn http_v1_named_stage_and_missing_user_agent() {
    let map = headers(&[("content-type", "application/json")]);
    let request = ProxyRequest {
        method: "POST",
        resource: "/kobuleti_weather",
        route_key: "ANY /kobuleti_weather",
        path: "/default/kobuleti_weather",
        raw_query: Some("a=1&a=2"),
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[],
        stage_variables: NO_VARIABLES,
        body: br#"{"update_id":124257435}"#,
        base64_body: false,
        context: RequestContext {
            stage: "default",
            path: "/default/kobuleti_weather",
            identity: Identity {
                source_ip: "91.108.6.97",
                ..Identity::default()
            },
            ..RequestContext::default()
        },
    };
    let event = parse(&event::http_v1(&request));
    assert_eq!(event["requestContext"]["identity"]["userAgent"], "");
    assert_eq!(event["path"], "/default/kobuleti_weather");
    assert_eq!(event["pathParameters"], Value::Null);
    assert_eq!(event["queryStringParameters"], json!({"a": "2"}));
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"a": ["1", "2"]})
    );
    assert_eq!(
        event["headers"],
        json!({"Content-Type": "application/json"})
    );
    assert_eq!(event["body"], r#"{"update_id":124257435}"#);
    assert!(event["requestContext"].get("deploymentId").is_none());
    assert!(event["requestContext"].get("authorizer").is_none());
}

fn v2_context<'a>(stage: &'a str, source_ip: &'a str) -> RequestContext<'a> {
    RequestContext {
        request_id: "LV7fzho-PHcEJPw=",
        extended_request_id: "LV7fzho-PHcEJPw=",
        account_id: "123456789012",
        api_id: "aaaaaaaaaa",
        stage,
        domain_name: "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com",
        domain_prefix: "aaaaaaaaaa",
        path: "",
        protocol: "HTTP/1.1",
        request_time_epoch: 1_587_481_701_067,
        resource_id: None,
        deployment_id: None,
        operation_name: None,
        identity: Identity {
            source_ip,
            ..Identity::default()
        },
        authorizer: None,
    }
}

/// AWS's own 2.0 sample of `curl https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/`
/// (the `aws_lambda_events` fixture `example-apigw-v2-request-no-authorizer`,
/// less its mutual-TLS section): nothing optional is present.
#[test]
fn http_v2_minimal_request_matches_aws_sample() {
    let map = headers(&[
        ("accept", "*/*"),
        ("content-length", "0"),
        ("host", "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com"),
        ("user-agent", "curl/7.58.0"),
        (
            "x-amzn-trace-id",
            "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
        ),
        ("x-forwarded-for", "1.2.3.4"),
        ("x-forwarded-port", "443"),
        ("x-forwarded-proto", "https"),
    ]);
    let request = ProxyRequest {
        method: "GET",
        resource: "",
        route_key: "$default",
        path: "/",
        raw_query: None,
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[],
        stage_variables: NO_VARIABLES,
        body: b"",
        base64_body: false,
        context: v2_context("$default", "1.2.3.4"),
    };
    let bytes = event::http_v2(&request);
    let expected = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {
            "accept": "*/*",
            "content-length": "0",
            "host": "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com",
            "user-agent": "curl/7.58.0",
            "x-amzn-trace-id": "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
            "x-forwarded-for": "1.2.3.4",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "aaaaaaaaaa",
            "domainName": "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com",
            "domainPrefix": "aaaaaaaaaa",
            "http": {
                "method": "GET",
                "path": "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "1.2.3.4",
                "userAgent": "curl/7.58.0"
            },
            "requestId": "LV7fzho-PHcEJPw=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "21/Apr/2020:15:08:21 +0000",
            "timeEpoch": 1_587_481_701_067_u64
        },
        "isBase64Encoded": false
    });
    assert_event(&parse(&bytes), &expected);

    let typed: ApiGatewayV2httpRequest = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(typed.raw_path.as_deref(), Some("/"));
    assert_eq!(typed.request_context.http.method, http::Method::GET);
    assert_eq!(typed.request_context.time_epoch, 1_587_481_701_067);
    assert!(typed.cookies.is_none());
    assert!(typed.body.is_none());
}

/// The guide's 2.0 shape with everything present: a named stage in the path,
/// repeated headers and query values joined with commas, cookies split out
/// of `headers`, decoded path parameters, stage variables, a JWT authorizer
/// and a mutual-TLS certificate.
#[test]
fn http_v2_full_request() {
    let map = headers(&[
        ("host", "id.execute-api.us-east-1.amazonaws.com"),
        ("header1", "value1"),
        ("header2", "value1"),
        ("header2", "value2"),
        ("cookie", "cookie1=a; cookie2=b"),
        ("cookie", "cookie3=c"),
        ("user-agent", "agent"),
    ]);
    let variables: BTreeMap<String, String> =
        [("stageVariable1".to_owned(), "value1".to_owned())].into();
    let authorizer = json!({"jwt": {"claims": {"sub": "user-1"}, "scopes": ["read"]}});
    let mut context = v2_context("prod", "192.0.2.1");
    context.authorizer = Some(&authorizer);
    context.identity.client_cert = Some(ClientCert {
        client_cert_pem: "CERT_CONTENT",
        subject_dn: "www.example.com",
        issuer_dn: "Example issuer",
        serial_number: "a1:a1",
        not_before: "May 28 12:30:02 2019 GMT",
        not_after: "Aug  5 09:36:04 2021 GMT",
    });
    let request = ProxyRequest {
        method: "POST",
        resource: "/pets/{name}",
        route_key: "POST /pets/{name}",
        path: "/prod/pets/caf%C3%A9",
        raw_query: Some("parameter1=value1&parameter1=value2&parameter2=a+b%2B"),
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[("name", "café")],
        stage_variables: &variables,
        body: b"Hello from Lambda",
        base64_body: false,
        context,
    };
    let bytes = event::http_v2(&request);
    let event = parse(&bytes);
    assert_eq!(event["rawPath"], "/prod/pets/caf%C3%A9");
    assert_eq!(
        event["requestContext"]["http"]["path"],
        "/prod/pets/caf%C3%A9"
    );
    assert_eq!(
        event["rawQueryString"],
        "parameter1=value1&parameter1=value2&parameter2=a+b%2B"
    );
    assert_eq!(
        event["queryStringParameters"],
        json!({"parameter1": "value1,value2", "parameter2": "a b+"})
    );
    assert_eq!(
        event["cookies"],
        json!(["cookie1=a", "cookie2=b", "cookie3=c"])
    );
    assert_eq!(
        event["headers"],
        json!({
            "host": "id.execute-api.us-east-1.amazonaws.com",
            "header1": "value1",
            "header2": "value1,value2",
            "user-agent": "agent"
        })
    );
    assert_eq!(event["pathParameters"], json!({"name": "café"}));
    assert_eq!(event["stageVariables"], json!({"stageVariable1": "value1"}));
    assert_eq!(event["body"], "Hello from Lambda");
    assert_eq!(event["requestContext"]["routeKey"], "POST /pets/{name}");
    assert_eq!(event["requestContext"]["stage"], "prod");
    assert_eq!(event["requestContext"]["authorizer"], authorizer);
    assert_eq!(
        event["requestContext"]["authentication"],
        json!({"clientCert": {
            "clientCertPem": "CERT_CONTENT",
            "subjectDN": "www.example.com",
            "issuerDN": "Example issuer",
            "serialNumber": "a1:a1",
            "validity": {"notBefore": "May 28 12:30:02 2019 GMT", "notAfter": "Aug  5 09:36:04 2021 GMT"}
        }})
    );

    let typed: ApiGatewayV2httpRequest = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(typed.cookies.as_deref().map(<[String]>::len), Some(3));
    assert_eq!(typed.headers["header2"], "value1,value2");
    assert_eq!(
        typed.query_string_parameters.first("parameter2"),
        Some("a b+")
    );
    let jwt = typed.request_context.authorizer.unwrap().jwt.unwrap();
    assert_eq!(jwt.claims["sub"], "user-1");
    let cert = typed
        .request_context
        .authentication
        .unwrap()
        .client_cert
        .unwrap();
    assert_eq!(cert.subject_dn.as_deref(), Some("www.example.com"));
}

#[test]
fn binary_bodies_are_base64_in_every_format() {
    let map = headers(&[("content-type", "image/png")]);
    let png = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0xff];
    let mut request = ProxyRequest {
        method: "PUT",
        resource: "/images",
        route_key: "PUT /images",
        path: "/images",
        raw_query: None,
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[],
        stage_variables: NO_VARIABLES,
        body: &png,
        base64_body: true,
        context: RequestContext::default(),
    };
    for format in [Format::Rest, Format::HttpV1, Format::HttpV2] {
        let event = parse(&event::build(format, &request));
        assert_eq!(event["body"], "iVBORw0KGgr/", "{format:?}");
        assert_eq!(event["isBase64Encoded"], true, "{format:?}");
    }
    // Not flagged binary: sent as text, invalid UTF-8 replaced.
    request.base64_body = false;
    let event = parse(&event::rest_v1(&request));
    assert_eq!(event["isBase64Encoded"], false);
    assert!(event["body"].as_str().unwrap().contains('\u{FFFD}'));
    // An empty body is absent and never flagged, whatever was asked.
    request.body = b"";
    request.base64_body = true;
    assert_eq!(parse(&event::rest_v1(&request))["isBase64Encoded"], false);
    let v2 = parse(&event::http_v2(&request));
    assert!(v2.get("body").is_none());
    assert_eq!(v2["isBase64Encoded"], false);
}

#[test]
fn rest_extras_appear_only_when_known() {
    let map = headers(&[("user-agent", "agent")]);
    let authorizer = json!({"principalId": "user-1", "integrationLatency": 12, "tier": "gold"});
    let mut context = rest_context("/stage/orders", "203.0.113.7");
    context.authorizer = Some(&authorizer);
    context.operation_name = Some("ListOrders");
    context.identity.api_key = Some("key-value");
    context.identity.api_key_id = Some("key-id");
    context.identity.user_arn = Some("arn:aws:iam::111111111111:user/alice");
    let variables: BTreeMap<String, String> = [("env".to_owned(), "prod".to_owned())].into();
    let request = ProxyRequest {
        method: "GET",
        resource: "/orders",
        route_key: "",
        path: "/orders",
        raw_query: Some(""),
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[],
        stage_variables: &variables,
        body: b"",
        base64_body: false,
        context,
    };
    let bytes = event::rest_v1(&request);
    let event = parse(&bytes);
    let ctx = &event["requestContext"];
    assert_eq!(ctx["authorizer"], authorizer);
    assert_eq!(ctx["operationName"], "ListOrders");
    assert_eq!(ctx["identity"]["apiKey"], "key-value");
    assert_eq!(ctx["identity"]["apiKeyId"], "key-id");
    assert_eq!(
        ctx["identity"]["userArn"],
        "arn:aws:iam::111111111111:user/alice"
    );
    assert!(ctx["identity"].get("cognitoAmr").is_none());
    assert!(ctx["identity"].get("clientCert").is_none());
    assert_eq!(event["stageVariables"], json!({"env": "prod"}));
    // `?` alone is no query at all.
    assert_eq!(event["queryStringParameters"], Value::Null);

    let typed: ApiGatewayProxyRequest = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(typed.stage_variables["env"], "prod");
    assert_eq!(
        typed.request_context.authorizer.fields["principalId"],
        "user-1"
    );
    assert_eq!(
        typed.request_context.identity.api_key.as_deref(),
        Some("key-value")
    );
    assert_eq!(
        typed.request_context.operation_name.as_deref(),
        Some("ListOrders")
    );
}

#[test]
fn repeated_headers_last_value_in_v1_joined_in_v2() {
    let map = headers(&[
        ("x-multi", "one"),
        ("x-multi", "two"),
        ("cookie", "a=1; b=2"),
    ]);
    let request = ProxyRequest {
        method: "GET",
        resource: "/",
        route_key: "GET /",
        path: "/",
        raw_query: None,
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[],
        stage_variables: NO_VARIABLES,
        body: b"",
        base64_body: false,
        context: RequestContext::default(),
    };
    let v1 = parse(&event::rest_v1(&request));
    assert_eq!(v1["headers"]["X-Multi"], "two");
    assert_eq!(v1["multiValueHeaders"]["X-Multi"], json!(["one", "two"]));
    // 1.0 leaves cookies in the headers.
    assert_eq!(v1["headers"]["Cookie"], "a=1; b=2");
    let v2 = parse(&event::http_v2(&request));
    assert_eq!(v2["headers"], json!({"x-multi": "one,two"}));
    assert_eq!(v2["cookies"], json!(["a=1", "b=2"]));
}

#[test]
fn no_headers_at_all() {
    let map = HeaderMap::new();
    let request = ProxyRequest {
        method: "GET",
        resource: "/",
        route_key: "GET /",
        path: "/",
        raw_query: None,
        headers: &map,
        header_case: HeaderCase::Title,
        path_parameters: &[],
        stage_variables: NO_VARIABLES,
        body: b"",
        base64_body: false,
        context: RequestContext::default(),
    };
    let v1 = parse(&event::http_v1(&request));
    assert_eq!(v1["headers"], Value::Null);
    assert_eq!(v1["multiValueHeaders"], Value::Null);
    let v2 = parse(&event::http_v2(&request));
    assert_eq!(v2["headers"], json!({}));
    assert_eq!(v2["requestContext"]["http"]["userAgent"], "");
    let _: ApiGatewayProxyRequest = serde_json::from_slice(&event::http_v1(&request)).unwrap();
    let _: ApiGatewayV2httpRequest = serde_json::from_slice(&event::http_v2(&request)).unwrap();
}
