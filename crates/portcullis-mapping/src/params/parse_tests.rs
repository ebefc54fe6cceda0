use super::*;

fn lit(s: &str) -> ValuePart {
    ValuePart::Literal(s.to_owned())
}

#[test]
fn rest_targets_and_sources() {
    let m = parse_rest(
        "integration.request.header.x-userid",
        "method.request.header.x-user-id",
    )
    .unwrap();
    assert_eq!(
        m.target,
        MappingTarget::Header {
            name: "x-userid".into(),
            op: MappingOp::Overwrite
        }
    );
    assert_eq!(
        m.value,
        MappingValue(vec![ValuePart::Header("x-user-id".into())])
    );
    assert_eq!(m.key, "integration.request.header.x-userid");

    let m = parse_rest(
        "integration.request.querystring.stage",
        "method.request.multivaluequerystring.v",
    )
    .unwrap();
    assert_eq!(
        m.target,
        MappingTarget::QueryString {
            name: "stage".into(),
            op: MappingOp::Overwrite
        }
    );
    assert_eq!(m.value.0, [ValuePart::MultiQueryString("v".into())]);

    let m = parse_rest(
        "integration.request.path.proxy",
        "method.request.path.proxy",
    )
    .unwrap();
    assert_eq!(
        m.target,
        MappingTarget::PathParameter {
            name: "proxy".into()
        }
    );

    let cases = [
        (
            "method.request.querystring.q",
            ValuePart::QueryString("q".into()),
        ),
        (
            "method.request.multivalueheader.h",
            ValuePart::MultiHeader("h".into()),
        ),
        ("method.request.body", ValuePart::Body(None)),
        (
            "method.request.body.petstore.pets[0].name",
            ValuePart::Body(Some("petstore.pets[0].name".into())),
        ),
        (
            "stageVariables.backend",
            ValuePart::StageVariable("backend".into()),
        ),
        (
            "$stageVariables.backend",
            ValuePart::StageVariable("backend".into()),
        ),
        (
            "context.identity.sourceIp",
            ValuePart::Context("identity.sourceIp".into()),
        ),
        ("$context.requestId", ValuePart::Context("requestId".into())),
        ("'application/json'", lit("application/json")),
        ("''", lit("")),
    ];
    for (source, expected) in cases {
        assert_eq!(parse_rest_value(source).unwrap(), expected, "{source}");
    }
}

#[test]
fn rest_mistakes_are_explained() {
    let err = |k: &str, v: &str| parse_rest(k, v).unwrap_err();
    assert!(err("overwrite:header.x", "'a'").contains("HTTP API mapping key"));
    assert!(
        err("integration.request.body.x", "'a'")
            .contains("`body` is not an integration request parameter type")
    );
    assert!(
        err("integration.request.header.bad header", "'a'").contains("not a valid header name")
    );
    assert!(err("integration.request.path.", "'a'").contains("not a valid path parameter name"));
    assert!(err("integration.request.header.x", "'unclosed").contains("single quotes"));
    assert!(
        err("integration.request.header.x", "application/json")
            .contains("not a mapping expression")
    );
    assert!(
        err("integration.request.header.x", "method.request.cookie.c")
            .contains("`cookie` is not a method request")
    );
    assert!(
        err("integration.request.header.x", "method.request.header.")
            .contains("not a valid method request")
    );
    assert!(
        err("integration.request.header.x", "stageVariables.a-b")
            .contains("not a stage variable name")
    );
    assert!(err("integration.request.header.x", "context..x").contains("not a context variable"));
}

#[test]
fn http_targets() {
    let target = |k: &str| parse_http(k, "x").unwrap().target;
    assert_eq!(
        target("append:header.h1"),
        MappingTarget::Header {
            name: "h1".into(),
            op: MappingOp::Append
        }
    );
    assert_eq!(
        target("remove:querystring.q"),
        MappingTarget::QueryString {
            name: "q".into(),
            op: MappingOp::Remove
        }
    );
    assert_eq!(target("overwrite:path"), MappingTarget::Path);
}

#[test]
fn http_target_mistakes() {
    let err = |k: &str| parse_http(k, "x").unwrap_err();
    assert!(err("append:path").contains("only be overwritten"));
    assert!(err("replace:header.x").contains("`replace` is not a mapping operation"));
    assert!(err("integration.request.header.x").contains("REST API mapping key"));
    assert!(err("header.x").contains("not a mapping key"));
    assert!(err("overwrite:cookie.x").contains("not a mapping target"));
    assert!(err("overwrite:querystring.").contains("empty"));
    for reserved in [
        "Authorization",
        "x-amz-date",
        "X-Amzn-Trace-Id",
        "access-control-allow-origin",
    ] {
        assert!(
            err(&format!("overwrite:header.{reserved}")).contains("reserved"),
            "{reserved}"
        );
    }
    assert!(parse_http("overwrite:header.x-custom", "v").is_ok());
}

#[test]
fn http_values_mix_text_and_expressions() {
    let value = |v: &str| parse_http_value(v).unwrap().0;
    assert_eq!(value(""), []);
    assert_eq!(value("static"), [lit("static")]);
    assert_eq!(
        value("$request.header.x-user"),
        [ValuePart::Header("x-user".into())]
    );
    assert_eq!(
        value("id=${request.path.id}&q=$request.querystring.q."),
        [
            lit("id="),
            ValuePart::PathParameter("id".into()),
            lit("&q="),
            ValuePart::QueryString("q".into()),
            lit("."),
        ]
    );
    assert_eq!(
        value("/v2$request.path"),
        [lit("/v2"), ValuePart::WholePath]
    );
    assert_eq!(value("${request.body}"), [ValuePart::Body(None)]);
    assert_eq!(
        value("$request.body.items[0].name"),
        [ValuePart::Body(Some("items[0].name".into()))]
    );
    assert_eq!(
        value("$context.requestId"),
        [ValuePart::Context("requestId".into())]
    );
    assert_eq!(
        value("${stageVariables.env}-x"),
        [ValuePart::StageVariable("env".into()), lit("-x")]
    );
    assert_eq!(value("costs $5 $"), [lit("costs $5 $")]);
    assert_eq!(value("$requests"), [lit("$requests")]);
}

#[test]
fn http_value_mistakes() {
    let err = |v: &str| parse_http_value(v).unwrap_err();
    assert!(err("${request.header.x").contains("not closed"));
    assert!(err("$request.cookie.c").contains("`cookie` is not a request value"));
    assert!(err("$request").contains("names no request value"));
    assert!(err("${request.header}").contains("names no header"));
    assert!(err("${request.body..x}").contains("recursive descent"));
    assert!(err("${foo.bar}").contains("not a mapping expression"));
    assert!(err("${stageVariables.a.b}").contains("not a stage variable name"));
}

#[test]
fn reserved_headers_match_case_insensitively() {
    assert!(is_reserved_header("Content-Length"));
    assert!(is_reserved_header("APIGW-Requestid"));
    assert!(!is_reserved_header("content-type"));
    assert!(!is_reserved_header("x-am"));
}
