//! Request validation against the AWS guide's own examples and AWS-recorded answers.

use indexmap::IndexMap;
use portcullis_mapping::validate::{
    MethodValidation, Models, ParameterLocation, Rejection, RequestView, RequiredParameter,
    ValidationConfigError, Validator,
};
use serde_json::{Value, json};

const ALL: Validator = Validator {
    body: true,
    parameters: true,
};
const PARAMS_ONLY: Validator = Validator {
    body: false,
    parameters: true,
};
const JSON: &str = "application/json";

fn models(pairs: &[(&str, Value)]) -> Models {
    try_models(pairs).expect("models compile")
}

fn try_models(pairs: &[(&str, Value)]) -> Result<Models, ValidationConfigError> {
    let map: IndexMap<String, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    Models::compile(&map)
}

/// A method validating bodies of `application/json` against `model`.
fn body_method(models: &Models, model: &str) -> MethodValidation {
    MethodValidation::new(&ALL, vec![], vec![(JSON.into(), model.into())], models).unwrap()
}

fn check_body(method: &MethodValidation, body: &str) -> Result<(), Rejection> {
    method.check(&RequestView::new(body.as_bytes()))
}

fn details(result: Result<(), Rejection>) -> String {
    match result {
        Err(Rejection::InvalidBody { details }) => details,
        other => panic!("expected an invalid body, got {other:?}"),
    }
}

/// `definitions` of the guide's "ReqValidators Sample" (api-gateway-request-validation-sample-api-swagger.md).
fn sample_models() -> Models {
    models(&[
        (
            "RequestBodyModel",
            json!({
                "type": "object",
                "properties": {
                    "id":    { "type": "integer" },
                    "type":  { "type": "string", "enum": ["dog", "cat", "fish"] },
                    "name":  { "type": "string" },
                    "price": { "type": "number", "minimum": 25, "maximum": 500 }
                },
                "required": ["type", "name", "price"]
            }),
        ),
        ("Error", json!({"type": "object", "properties": {}})),
    ])
}

/// The sample's `POST /validation`: validator `all`, header `h1` required, body `RequestBodyModel`.
fn sample_post(validator: &Validator) -> MethodValidation {
    let h1 = RequiredParameter::from_method_request_key("method.request.header.h1").unwrap();
    let models = vec![(JSON.to_owned(), "RequestBodyModel".to_owned())];
    MethodValidation::new(validator, vec![h1], models, &sample_models()).unwrap()
}

const MARCO: &str = r#"{"name": "Marco", "type": "dog", "price": 260}"#;

#[test]
fn guide_get_requires_a_non_blank_query_parameter() {
    let q1 = RequiredParameter::new(ParameterLocation::QueryString, "q1");
    let get = MethodValidation::new(&PARAMS_ONLY, vec![q1], vec![], &sample_models()).unwrap();
    let cat = [("q1", "cat")];
    assert_eq!(get.check(&RequestView::new(b"").query_params(&cat)), Ok(()));
    let expected = Err(Rejection::MissingParameters(vec!["q1".into()]));
    assert_eq!(get.check(&RequestView::new(b"")), expected);
    let blank = [("q1", "")];
    assert_eq!(
        get.check(&RequestView::new(b"").query_params(&blank)),
        expected
    );
    let message = get.check(&RequestView::new(b"")).unwrap_err().message();
    assert_eq!(message, "Missing required request parameters: [q1]");
}

#[test]
fn guide_post_checks_header_then_body() {
    let post = sample_post(&ALL);
    let h1 = [("h1", "v1")];
    assert_eq!(
        post.check(&RequestView::new(MARCO.as_bytes()).headers(&h1)),
        Ok(())
    );

    for headers in [&[][..], &[("h1", "")][..], &[("h1", "  ")][..]] {
        let rejection = post
            .check(&RequestView::new(MARCO.as_bytes()).headers(&headers))
            .unwrap_err();
        assert_eq!(
            rejection.message(),
            "Missing required request parameters: [h1]"
        );
        assert_eq!(rejection.response_type(), "BAD_REQUEST_PARAMETERS");
    }
    // Parameters come first: a bad body without h1 is still a parameters failure.
    let bird = r#"{"name": "Molly", "type": "bird", "price": 269}"#;
    let rejection = post.check(&RequestView::new(bird.as_bytes())).unwrap_err();
    assert_eq!(rejection.response_type(), "BAD_REQUEST_PARAMETERS");

    let rejection = post
        .check(&RequestView::new(bird.as_bytes()).headers(&h1))
        .unwrap_err();
    assert_eq!(rejection.message(), "Invalid request body");
    assert_eq!(rejection.response_type(), "BAD_REQUEST_BODY");
    assert_eq!(
        rejection.validation_error_string(),
        r#"[instance value ("bird") not found in enum (possible values: ["dog","cat","fish"])]"#
    );
    let expensive = r#"{"name": "Molly", "type": "cat", "price": 501}"#;
    let rejection = post
        .check(&RequestView::new(expensive.as_bytes()).headers(&h1))
        .unwrap_err();
    assert_eq!(
        rejection.validation_error_string(),
        "[numeric instance is greater than the required maximum (maximum: 500, found: 501)]"
    );
}

#[test]
fn headers_match_without_case() {
    let post = sample_post(&ALL);
    let headers = vec![("H1".to_owned(), "v1".to_owned())];
    assert_eq!(
        post.check(&RequestView::new(MARCO.as_bytes()).headers(&headers)),
        Ok(())
    );
}

#[test]
fn a_params_only_validator_ignores_the_body_and_a_body_only_one_the_parameters() {
    let bird = br#"{"type": "bird"}"#;
    assert_eq!(
        sample_post(&PARAMS_ONLY).check(&RequestView::new(bird).headers(&[("h1", "v")])),
        Ok(())
    );
    let body_only = Validator {
        body: true,
        parameters: false,
    };
    assert_eq!(
        sample_post(&body_only).check(&RequestView::new(MARCO.as_bytes())),
        Ok(())
    );
}

#[test]
fn several_missing_parameters_in_aws_order() {
    // As configured in an AWS-validated LocalStack test (path, query, header), AWS answered
    // `[x-header-param, issuer, qs1]`: headers, then path, then query string.
    let required = [
        "method.request.path.issuer",
        "method.request.querystring.qs1",
        "method.request.header.x-header-param",
    ]
    .map(|k| RequiredParameter::from_method_request_key(k).unwrap())
    .to_vec();
    let method = MethodValidation::new(&ALL, required, vec![], &sample_models()).unwrap();
    let rejection = method.check(&RequestView::new(b"")).unwrap_err();
    assert_eq!(
        rejection.message(),
        "Missing required request parameters: [x-header-param, issuer, qs1]"
    );

    let path = [("issuer", "me")];
    let rejection = method
        .check(&RequestView::new(b"").path_params(&path))
        .unwrap_err();
    assert_eq!(
        rejection.message(),
        "Missing required request parameters: [x-header-param, qs1]"
    );
    let all = [("x-header-param", "test")];
    let query = [("qs1", "test")];
    let view = RequestView::new(b"")
        .path_params(&path)
        .query_params(&query)
        .headers(&all);
    assert_eq!(method.check(&view), Ok(()));
    // An empty path parameter (a greedy `{proxy+}` matching nothing) is blank.
    let empty_path = [("issuer", "")];
    let view = RequestView::new(b"")
        .path_params(&empty_path)
        .query_params(&query)
        .headers(&all);
    assert_eq!(
        method.check(&view),
        Err(Rejection::MissingParameters(vec!["issuer".into()]))
    );
}

#[test]
fn wrong_type_and_missing_property_messages() {
    let post = body_method(&sample_models(), "RequestBodyModel");
    assert_eq!(
        details(check_body(
            &post,
            r#"{"id": "abc", "type": "dog", "name": "x", "price": 30}"#
        )),
        r#"[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]"#
    );
    assert_eq!(
        details(check_body(&post, r#"{"type": "dog", "name": "x"}"#)),
        r#"[object has missing required properties (["price"])]"#
    );
    assert_eq!(
        details(check_body(&post, "{}")),
        r#"[object has missing required properties (["name","price","type"])]"#
    );
}

#[test]
fn empty_and_non_json_bodies() {
    let models = sample_models();
    let post = body_method(&models, "RequestBodyModel");
    // An empty body is validated as `{}` (AWS-validated in LocalStack's request validator tests).
    assert_eq!(
        details(check_body(&post, "")),
        r#"[object has missing required properties (["name","price","type"])]"#
    );
    assert_eq!(check_body(&body_method(&models, "Empty"), ""), Ok(()));
    for body in [
        "<pet>dog</pet>",
        "name=Marco",
        "{\"name\": ",
        "   ",
        "\u{0}\u{1}",
    ] {
        let rejection = check_body(&post, body).unwrap_err();
        assert_eq!(rejection.message(), "Invalid request body", "{body:?}");
    }
}

#[test]
fn the_body_model_is_chosen_by_content_type() {
    let models = models(&[
        ("JsonPet", json!({"type": "object", "required": ["name"]})),
        ("TextPet", json!({"type": "string"})),
    ]);
    let request_models = vec![
        (JSON.into(), "JsonPet".into()),
        ("text/plain".into(), "TextPet".into()),
    ];
    let method = MethodValidation::new(&ALL, vec![], request_models, &models).unwrap();
    let view =
        |ct: &'static str, body: &'static str| RequestView::new(body.as_bytes()).content_type(ct);

    // No Content-Type counts as application/json.
    assert!(method.check(&RequestView::new(b"{}")).is_err());
    assert_eq!(method.check(&RequestView::new(br#"{"name": "a"}"#)), Ok(()));
    assert!(
        method
            .check(&view("application/json; charset=UTF-8", "{}"))
            .is_err()
    );
    let header = [("Content-Type", "Application/JSON")];
    assert!(
        method
            .check(&RequestView::new(b"{}").headers(&header))
            .is_err()
    );
    // A text/plain body is checked against its model; it must still be JSON.
    assert_eq!(method.check(&view("text/plain", r#""hello""#)), Ok(()));
    assert!(method.check(&view("text/plain", "hello")).is_err());
    // A media type with no model is not validated.
    assert_eq!(method.check(&view("application/xml", "<pet/>")), Ok(()));
    assert_eq!(method.body_model("application/xml"), None);

    let with_default = vec![
        (JSON.into(), "JsonPet".into()),
        ("$default".into(), "TextPet".into()),
    ];
    let method = MethodValidation::new(&ALL, vec![], with_default, &models).unwrap();
    assert_eq!(method.body_model("application/xml"), Some("TextPet"));
    assert!(method.check(&view("application/xml", "<pet/>")).is_err());
    assert_eq!(method.body_model(JSON), Some("JsonPet"));
}

/// The guide's GroceryStoreInputModel with its own `definitions` (models-mappings.md).
#[test]
fn guide_nested_ref_to_own_definitions() {
    let models = models(&[(
        "GroceryStoreInputModel",
        json!({
            "$schema": "http://json-schema.org/draft-04/schema#",
            "title": "GroceryStoreInputModel",
            "type": "object",
            "properties": {
                "department": { "type": "string" },
                "categories": { "type": "array", "items": { "type": "string" } },
                "bins": { "type": "array", "items": { "$ref": "#/definitions/Bin" } }
            },
            "definitions": {
                "Bin": {
                    "type": "object",
                    "properties": {
                        "category": { "type": "string" }, "type": { "type": "string" },
                        "price": { "type": "number" }, "unit": { "type": "string" },
                        "quantity": { "type": "integer" }
                    }
                }
            }
        }),
    )]);
    let method = body_method(&models, "GroceryStoreInputModel");
    let good = r#"{"department": "produce", "categories": ["fruit"],
                   "bins": [{"category": "fruit", "type": "apples", "price": 1.99, "unit": "pound", "quantity": 232}]}"#;
    assert_eq!(check_body(&method, good), Ok(()));
    let bad = r#"{"bins": [{"quantity": 2.5}]}"#;
    assert_eq!(
        details(check_body(&method, bad)),
        r#"[instance type (number) does not match any allowed primitive type (allowed: ["integer"])]"#
    );
}

/// The guide's model-URL reference to another model of the same API (models-mappings.md).
#[test]
fn guide_model_url_ref() {
    let bin = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "GroceryStoreInputModel",
        "type": "object",
        "properties": {
            "Bin": { "type": "object", "properties": {
                "category": { "type": "string" }, "type": { "type": "string" },
                "price": { "type": "number" }, "unit": { "type": "string" },
                "quantity": { "type": "integer" }
            } }
        }
    });
    let input = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "GroceryStoreInputModel",
        "type": "object",
        "properties": {
            "department": { "type": "string" },
            "categories": { "type": "array", "items": { "type": "string" } },
            "bins": { "type": "array",
                      "items": { "$ref": "https://apigateway.amazonaws.com/restapis/fugvjdxtri/models/Bin" } }
        }
    });
    let models = models(&[("GroceryStoreInputModel", input), ("Bin", bin)]);
    let method = body_method(&models, "GroceryStoreInputModel");
    assert_eq!(
        check_body(&method, r#"{"bins": [{"Bin": {"price": 1.5}}]}"#),
        Ok(())
    );
    assert!(check_body(&method, r#"{"bins": [{"Bin": {"price": "cheap"}}]}"#).is_err());
    assert!(check_body(&method, r#"{"bins": ["apples"]}"#).is_err());
}

#[test]
fn remote_and_unknown_refs_are_configuration_errors() {
    for reference in [
        "http://example.com/pet.json",
        "https://json-schema.org/draft-04/schema#",
        "file:///etc/passwd",
        "pet.json",
    ] {
        let err =
            try_models(&[("Pet", json!({"properties": {"a": {"$ref": reference}}}))]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("\"Pet\"") && text.contains(reference),
            "{text}"
        );
        assert!(text.contains("nothing is ever fetched"), "{text}");
    }
    let err = try_models(&[("Pet", json!({"$ref": "#/definitions/Cat"}))]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "model \"Pet\" refers to \"#/definitions/Cat\", but the API defines no model named \"Cat\""
    );
}
