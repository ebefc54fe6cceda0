//! Templates as API Gateway runs them: the documented examples, the console's
//! "Method Request passthrough" template, and outputs AWS recorded (LocalStack's
//! AWS-validated snapshots under `tests/aws/services/apigateway/`, restated here).

mod vtl_support;
use portcullis_mapping::input::Input;
use portcullis_mapping::{Scope, Template, Value, json};
use vtl_support::*;

/// The console's "Method Request passthrough" mapping template.
const PASSTHROUGH: &str = r#"##  See https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
##  This template will pass through all parameters including path, querystring, header, stage variables, and context through to the integration endpoint via the body/payload
#set($allParams = $input.params())
{
"body-json" : $input.json('$'),
"params" : {
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
"$type" : {
    #foreach($paramName in $params.keySet())
    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
        #if($foreach.hasNext),#end
    #end
}
    #if($foreach.hasNext),#end
#end
},
"stage-variables" : {
#foreach($key in $stageVariables.keySet())
"$key" : "$util.escapeJavaScript($stageVariables.get($key))"
    #if($foreach.hasNext),#end
#end
},
"context" : {
    "account-id" : "$context.identity.accountId",
    "api-id" : "$context.apiId",
    "api-key" : "$context.identity.apiKey",
    "authorizer-principal-id" : "$context.authorizer.principalId",
    "caller" : "$context.identity.caller",
    "cognito-authentication-provider" : "$context.identity.cognitoAuthenticationProvider",
    "cognito-authentication-type" : "$context.identity.cognitoAuthenticationType",
    "cognito-identity-id" : "$context.identity.cognitoIdentityId",
    "cognito-identity-pool-id" : "$context.identity.cognitoIdentityPoolId",
    "http-method" : "$context.httpMethod",
    "stage" : "$context.stage",
    "source-ip" : "$context.identity.sourceIp",
    "user" : "$context.identity.user",
    "user-agent" : "$context.identity.userAgent",
    "user-arn" : "$context.identity.userArn",
    "request-id" : "$context.requestId",
    "resource-id" : "$context.resourceId",
    "resource-path" : "$context.resourcePath"
    }
}
"#;

const CONTEXT: &str = r#"{"apiId": "a1b2c3", "httpMethod": "POST", "stage": "prod", "requestId": "req-1",
  "resourceId": "res9", "resourcePath": "/pets/{petId}", "accountId": "123456789012",
  "identity": {"sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0", "accountId": null, "apiKey": null,
               "caller": null, "user": null, "userArn": null}, "authorizer": {}}"#;

#[test]
fn method_request_passthrough_on_a_realistic_request() {
    let input = Input::new(
        r#"{"name": "Rex", "tags": ["good", "dog's"], "age": 3}"#,
        params(
            &[("petId", "42")],
            &[("verbose", "true")],
            &[
                ("Content-Type", "application/json"),
                ("X-Quote", "say \"q\" / done"),
            ],
        ),
    );
    let out = try_render(
        PASSTHROUGH,
        &input,
        Some((CONTEXT, r#"{"env": "prod", "table": "pets"}"#)),
    )
    .unwrap();
    let parsed: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(parsed["body-json"]["tags"][1], "dog's");
    assert_eq!(parsed["params"]["path"]["petId"], "42");
    assert_eq!(parsed["params"]["querystring"]["verbose"], "true");
    assert_eq!(parsed["params"]["header"]["X-Quote"], "say \"q\" / done");
    assert_eq!(parsed["stage-variables"]["table"], "pets");
    assert_eq!(parsed["context"]["http-method"], "POST");
    assert_eq!(parsed["context"]["resource-path"], "/pets/{petId}");
    // Null context values print as nothing on AWS (`"caller" : ""`).
    assert_eq!(parsed["context"]["caller"], "");
    assert_eq!(parsed["context"]["authorizer-principal-id"], "");
    // The exact text, to pin Velocity 1.7's whitespace: indentation before
    // `#foreach`/`#if`/`#end` stays, the newline after each directive goes, and the
    // indentation before `#set` goes with it.
    let head = "{\n\"body-json\" : {\"name\":\"Rex\",\"tags\":[\"good\",\"dog's\"],\"age\":3},\n\"params\" : {\n\"path\" : {\n        \"petId\" : \"42\"\n            }\n    ,\"querystring\" : {\n";
    assert!(out.starts_with(head), "{out}");
    assert!(
        out.contains("\"Content-Type\" : \"application\\/json\"\n        ,        \"X-Quote\""),
        "{out}"
    );
}

#[test]
fn passthrough_escapes_single_quotes_as_aws_does() {
    // escapeJavaScript turns ' into \' — not valid JSON, exactly as on AWS.
    let input = Input::new("{}", params(&[], &[("q", "it's")], &[]));
    let out = try_render(PASSTHROUGH, &input, Some((CONTEXT, "{}"))).unwrap();
    assert!(out.contains(r#""q" : "it\'s""#), "{out}");
}

#[test]
fn passthrough_with_empty_body_and_no_parameters() {
    let out = try_render(
        PASSTHROUGH,
        &Input::new("", params(&[], &[], &[])),
        Some((CONTEXT, "{}")),
    )
    .unwrap();
    let parsed: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(parsed["body-json"], serde_json::json!({}));
    assert_eq!(parsed["params"]["path"], serde_json::json!({}));
    assert_eq!(parsed["stage-variables"], serde_json::json!({}));
}

#[test]
fn documented_input_example() {
    // api-gateway-mapping-template-reference.md: POST /things/abc.
    let tpl = "{\n    \"id\" : \"$input.params('id')\",\n    \"count\" : \"$input.path('$.things').size()\",\n    \"things\" : $input.json('$.things')\n}";
    let input = Input::new(
        r#"{"things": {"1": {}, "2": {}, "3": {}}}"#,
        params(&[("id", "abc")], &[], &[]),
    );
    let out = try_render(tpl, &input, None).unwrap();
    assert_eq!(
        out,
        "{\n    \"id\" : \"abc\",\n    \"count\" : \"3\",\n    \"things\" : {\"1\":{},\"2\":{},\"3\":{}}\n}"
    );
}

#[test]
fn documented_grocery_mapping() {
    // models-mappings.md: the produce department's response template and output.
    let body = r#"{"department": "produce", "categories": ["fruit", "vegetables"], "bins": [
      {"category": "fruit", "type": "apples", "price": 1.99, "unit": "pound", "quantity": 232},
      {"category": "fruit", "type": "bananas", "price": 0.19, "unit": "each", "quantity": 112},
      {"category": "vegetables", "type": "carrots", "price": 1.29, "unit": "bag", "quantity": 57}]}"#;
    let tpl = "#set($inputRoot = $input.path('$'))\n{\n  \"choices\": [\n#foreach($elem in $inputRoot.bins)\n    {\n      \"kind\": \"$elem.type\",\n      \"suggestedPrice\": \"$elem.price per $elem.unit\",\n      \"available\": $elem.quantity\n    }#if($foreach.hasNext),#end\n\n#end\n  ]\n}";
    let out = render_body(tpl, body);
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        parsed,
        serde_json::json!({"choices": [
            {"kind": "apples", "suggestedPrice": "1.99 per pound", "available": 232},
            {"kind": "bananas", "suggestedPrice": "0.19 per each", "available": 112},
            {"kind": "carrots", "suggestedPrice": "1.29 per bag", "available": 57}]})
    );
}

#[test]
fn documented_pets_listing() {
    // api-gateway-create-api-step-by-step.md: "Item number 1 is a dog. The asking price is 249.99."
    let body = r#"[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]"#;
    let tpl = "#set($inputRoot = $input.path('$'))\n{\n  \"listings\" : [\n#foreach($elem in $inputRoot)\n    \"Item number $elem.id is a $elem.type. The asking price is $elem.price.\"#if($foreach.hasNext),#end\n\n#end\n  ]\n}";
    let parsed: serde_json::Value = serde_json::from_str(&render_body(tpl, body)).unwrap();
    assert_eq!(
        parsed["listings"][2],
        "Item number 3 is a fish. The asking price is 0.99."
    );
}

#[test]
fn documented_parse_json_example() {
    let body = r#"{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}"#;
    let tpl = "#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n{\n   \"errorMessageObjKey2ArrVal\" : $errorMessageObj.key2.arr[0]\n}";
    assert_eq!(
        render_body(tpl, body),
        "{\n   \"errorMessageObjKey2ArrVal\" : 1\n}"
    );
}

#[test]
fn escape_javascript_then_replace_all_idiom() {
    let input = Input::new("", params(&[], &[("q", "it's")], &[]));
    let tpl = r#""$util.escapeJavaScript($input.params('q'))" "$util.escapeJavaScript($input.params('q')).replaceAll("\\'","'")""#;
    assert_eq!(try_render(tpl, &input, None).unwrap(), r#""it\'s" "it's""#);
    // A missing parameter is "" and a null argument gives null: both print nothing.
    assert_eq!(
        render("[$util.escapeJavaScript($input.params('none'))][$util.escapeJavaScript($nothing)]"),
        "[][]"
    );
}

#[test]
fn recorded_input_path_formatting() {
    // test_apigateway_common.py::test_input_path_template_formatting (AWS-recorded).
    assert_eq!(
        render_body(
            "#set($result = $input.path(\"$\"))$result",
            r#"{"foo": "bar"}"#
        ),
        "{foo=bar}"
    );
    assert_eq!(
        render_body(
            "#set($result = $input.path(\"$\"))$result",
            r#"[{"foo": "bar"}]"#
        ),
        r#"[{"foo":"bar"}]"#
    );
    assert_eq!(
        render_body(
            "#set($result = $input.path(\"$\"))$result.nested",
            r#"{"nested": {"foo": "bar"}}"#
        ),
        "{foo=bar}"
    );
    assert_eq!(
        render_body(
            "#set($result = $input.path(\"$\"))$result[0]",
            r#"[{"foo": "bar"}]"#
        ),
        "{foo=bar}"
    );
    assert_eq!(
        render_body(
            "#set($result = $input.path(\"$\"))$result",
            r#"{"foo": [{"nested": "bar"}]}"#
        ),
        r#"{foo=[{"nested":"bar"}]}"#
    );
    assert_eq!(
        render_body(
            "#set($result = $input.path(\"$\"))$result",
            r#"{"bigger": "dict", "to": "test", "with": "separators"}"#
        ),
        "{bigger=dict, to=test, with=separators}"
    );
    assert_eq!(
        render_body(
            "#set($result = $input.path(\"$\"))$result.toString()",
            r#"{"list": [{"foo": "bar"}]}"#
        ),
        r#"{list=[{"foo":"bar"}]}"#
    );
    let probe = r##"#set($result = $input.path("$.json")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}"##;
    assert_eq!(
        render_body(probe, ""),
        r#"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"#
    );
    assert_eq!(
        render_body(probe, r#"{"json": []}"#),
        r#"{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}"#
    );
    assert_eq!(
        render_body(probe, r#"{"json": null}"#),
        r#"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"#
    );
}

#[test]
fn recorded_input_body_formatting() {
    // test_apigateway_common.py::test_input_body_formatting (AWS-recorded).
    assert_eq!(render_body("#set($result = $input.body)$result", ""), "{}");
    assert_eq!(
        render_body(
            "Action=SendMessage&MessageBody=$input.body",
            "some raw data"
        ),
        "Action=SendMessage&MessageBody=some raw data"
    );
    assert_eq!(
        render_body(
            "#set($result = $input.body.testAccess)$result",
            r#"{"some": "value"}"#
        ),
        ""
    );
    assert_eq!(
        render_body(
            "EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)",
            r#"{"some": "value"}"#
        ),
        "EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess="
    );
}

#[test]
fn recorded_context_overrides_and_map_assignment() {
    // test_integration_mock_with_vtl_map_assignation and
    // test_integration_mock_with_response_override_in_request_template (AWS-recorded).
    let input = Input::new("", params(&[], &[], &[]));
    let request = Template::compile(
        "request",
        "#set($paramName = \"foo\")\n#set($context.requestOverride.querystring[$paramName] = \"bar\")\n#set($paramPutName = \"putfoo\")\n$context.requestOverride.querystring.put($paramPutName, \"putBar\")\n#set($context[\"requestOverride\"].querystring[\"nestedfoo\"] = \"nestedFoo\")\n#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = \"bar\")\n{\"statusCode\": 200}",
    )
    .unwrap();
    let mut scope = Scope::new(&input);
    scope.context = json::parse(r#"{"requestOverride": {"header": {}, "path": {}, "querystring": {}}, "responseOverride": {"header": {}}}"#).unwrap();
    let out = request.render(&scope).unwrap();
    assert_eq!(out, "\n{\"statusCode\": 200}");
    let response = Template::compile(
        "response",
        "{\"value\": \"$context.requestOverride.querystring[\"foo\"]\", \"value2\": \"$context.requestOverride.querystring[\"putfoo\"]\", \"value3\": \"$context.requestOverride.querystring[\"nestedfoo\"]\", \"status\": \"$context.responseOverride.status\", \"foo\": \"$context.responseOverride.header.foo\"}",
    )
    .unwrap();
    assert_eq!(
        response.render(&scope).unwrap(),
        r#"{"value": "bar", "value2": "putBar", "value3": "nestedFoo", "status": "444", "foo": "bar"}"#
    );
    let Value::Map(ctx) = &scope.context else {
        panic!()
    };
    let status = ctx.borrow()["responseOverride"].clone();
    assert_eq!(status.to_string(), "{header={foo=bar}, status=444}");
}

#[test]
fn recorded_mock_branching_on_decoded_path() {
    // test_integration_mock_with_request_overrides_in_response_template (AWS-recorded).
    let tpl = "#set($body = $util.parseJson($util.base64Decode($input.params('testPath'))))\n#set($inputBody = $body.message)\n#if($inputBody == \"path1\")\n{\"response\": \"path was path one\"}\n#elseif($inputBody == \"path2\")\n{\"response\": \"path was path two\"}\n#else\n{\"response\": \"this is the else clause\"}\n#end\n";
    for (message, want) in [
        ("path1", "path was path one"),
        ("path2", "path was path two"),
        ("other", "this is the else clause"),
    ] {
        let encoded =
            portcullis_mapping::util::base64_encode(&format!("{{\"message\": \"{message}\"}}"));
        let input = Input::new("", params(&[("testPath", &encoded)], &[], &[]));
        let out = try_render(tpl, &input, None).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["response"], want);
    }
}

#[test]
fn documented_override_template() {
    // apigateway-override-request-response-parameters.md.
    let tpl = "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#end\n";
    let input = Input::new(
        r#"{"errors": [{"key": "GetPetRequest.petId", "message": "The value is out of range."}]}"#,
        params(&[], &[], &[]),
    );
    let t = Template::compile("t", tpl).unwrap();
    let mut scope = Scope::new(&input);
    scope.context = json::parse(r#"{"responseOverride": {}}"#).unwrap();
    let out = t.render(&scope).unwrap();
    assert!(out.starts_with("{\"errors\":"), "{out}");
    let Value::Map(ctx) = &scope.context else {
        panic!()
    };
    assert_eq!(ctx.borrow()["responseOverride"].to_string(), "{status=400}");
}

#[test]
fn input_params_is_a_nested_java_map() {
    let input = Input::new("", params(&[("id", "7")], &[("q", "x")], &[("H", "v")]));
    assert_eq!(
        try_render("$input.params()", &input, None).unwrap(),
        "{path={id=7}, querystring={q=x}, header={H=v}}"
    );
    assert_eq!(
        try_render(
            "$input.params().header.H $input.params('q') $input.params('id')",
            &input,
            None
        )
        .unwrap(),
        "v x 7"
    );
}

#[test]
fn stage_variables_syntaxes() {
    let out = try_render(
        "$stageVariables.env ${stageVariables.env} $stageVariables['env'] ${stageVariables['env']}",
        &Input::new("", params(&[], &[], &[])),
        Some(("{}", r#"{"env": "dev"}"#)),
    )
    .unwrap();
    assert_eq!(out, "dev dev dev dev");
}

#[test]
fn numbers_print_as_java_prints_them() {
    assert_eq!(
        render_body(
            "$input.path('$.a') $input.path('$.b') $input.path('$.c')",
            r#"{"a": 1.0, "b": 1e21, "c": 10}"#
        ),
        "1.0 1.0E21 10"
    );
    assert_eq!(render("#set($d = 10.0 / 4)$d|#set($i = 10 / 4)$i"), "2.5|2");
}
