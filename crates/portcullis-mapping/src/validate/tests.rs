//! Whole-module tests: models referring to each other, configuration errors, hostile bodies.
//! (The guide's own examples are in `tests/validate.rs`.)

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::*;

const ALL: Validator = Validator {
    body: true,
    parameters: true,
};
const JSON: &str = "application/json";
const MARCO: &str = r#"{"name": "Marco", "type": "dog", "price": 260}"#;

fn try_models(pairs: &[(&str, Value)]) -> Result<Models, ValidationConfigError> {
    let map: IndexMap<String, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    Models::compile(&map)
}

fn models(pairs: &[(&str, Value)]) -> Models {
    try_models(pairs).expect("models compile")
}

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

/// The guide's sample `RequestBodyModel`.
fn sample_models() -> Models {
    models(&[(
        "RequestBodyModel",
        json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "type": {"type": "string", "enum": ["dog", "cat", "fish"]},
                "name": {"type": "string"},
                "price": {"type": "number", "minimum": 25, "maximum": 500}
            },
            "required": ["type", "name", "price"]
        }),
    )])
}

fn sample_post(validator: &Validator) -> MethodValidation {
    let h1 = RequiredParameter::new(ParameterLocation::Header, "h1");
    let request_models = vec![(JSON.to_owned(), "RequestBodyModel".to_owned())];
    MethodValidation::new(validator, vec![h1], request_models, &sample_models()).unwrap()
}

#[test]
fn swagger_and_openapi_refs_between_models_including_cycles() {
    // Person and House refer to each other (AWS imports such circular models).
    let models = models(&[
        (
            "Person",
            json!({
                "type": "object",
                "properties": {"name": {"type": "string"}, "b": {"type": "number"},
                               "house": {"$ref": "#/definitions/House"}},
                "required": ["name", "b"]
            }),
        ),
        (
            "House",
            json!({
                "type": "object",
                "properties": {"contains": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}}}
            }),
        ),
    ]);
    let method = body_method(&models, "Person");
    let good = r#"{"name": "P1", "b": 2, "house": {"contains": [{"name": "P2", "b": 3}]}}"#;
    assert_eq!(check_body(&method, good), Ok(()));
    assert!(check_body(&method, r#"{"random": "blabla"}"#).is_err());
    let nested_bad = r#"{"name": "P1", "b": 2, "house": {"contains": [{"randomObject": 1}]}}"#;
    assert_eq!(
        details(check_body(&method, nested_bad)),
        r#"[object has missing required properties (["b","name"])]"#
    );
}

#[test]
fn one_of_null_or_a_model_url() {
    // As in an AWS-validated LocalStack test: `status` is null or a StatusModel.
    let models = models(&[
        (
            "TestModel",
            json!({
                "type": "object",
                "properties": {"status": {"oneOf": [
                    {"type": "null"},
                    {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/StatusModel"}
                ]}},
                "required": ["status"]
            }),
        ),
        (
            "StatusModel",
            json!({
                "type": "object",
                "properties": {"Status": {"type": "string"}, "Order": {"type": "integer"}},
                "required": ["Status", "Order"]
            }),
        ),
    ]);
    let method = body_method(&models, "TestModel");
    assert_eq!(check_body(&method, r#"{"status": null}"#), Ok(()));
    assert_eq!(
        check_body(&method, r#"{"status": {"Status": "works", "Order": 1}}"#),
        Ok(())
    );
    assert!(check_body(&method, "").is_err());
    assert!(check_body(&method, r#"{"badFormat": "bla"}"#).is_err());
    assert_eq!(
        details(check_body(&method, r#"{"status": 3}"#)),
        "[instance failed to match exactly one schema (matched 0 out of 2)]"
    );
}

#[test]
fn configuration_errors_are_actionable() {
    let err = try_models(&[("Pet-Model", json!({}))]).unwrap_err();
    assert!(err.to_string().contains("alphanumeric"), "{err}");
    let err = try_models(&[("Pet", json!({"type": 5}))]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("model \"Pet\" is not a valid JSON Schema draft 4 schema"),
        "{err}"
    );
    let err = MethodValidation::new(
        &ALL,
        vec![],
        vec![(JSON.into(), "Nope".into())],
        &sample_models(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the method's request model for content type \"application/json\" is \"Nope\", but the API defines no such model"
    );
}

#[test]
fn the_guide_sample_configuration_drives_validation() {
    // Read the validator map and the POST method straight from the sample's OpenAPI JSON.
    let validators = json!({
        "all": { "validateRequestBody": true, "validateRequestParameters": true },
        "params-only": { "validateRequestBody": false, "validateRequestParameters": true }
    });
    let parameters = json!([
        { "in": "header", "name": "h1", "required": true },
        { "in": "body", "name": "RequestBodyModel", "required": true,
          "schema": { "$ref": "#/definitions/RequestBodyModel" } }
    ]);
    let validator = Validator::from_extension(&validators["all"]).unwrap();
    let mut required = Vec::new();
    let mut body_models = Vec::new();
    for p in parameters.as_array().unwrap() {
        match p["in"].as_str().unwrap() {
            "body" => {
                let model = p["schema"]["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap();
                body_models.push((JSON.to_owned(), model.to_owned()));
            }
            location => {
                let key = format!(
                    "method.request.{}.{}",
                    location.replace("query", "querystring"),
                    p["name"].as_str().unwrap()
                );
                required.push(RequiredParameter::from_method_request_key(&key).unwrap());
            }
        }
    }
    let post = MethodValidation::new(&validator, required, body_models, &sample_models()).unwrap();
    assert_eq!(
        post.check(&RequestView::new(MARCO.as_bytes()).headers(&[("h1", "v1")])),
        Ok(())
    );
    assert!(post.check(&RequestView::new(MARCO.as_bytes())).is_err());
}

#[test]
fn hostile_bodies_are_rejected_without_panicking() {
    let method = sample_post(&ALL);
    let mut bodies: Vec<Vec<u8>> = vec![
        vec![b'['; 10_000],
        vec![b'{'; 10_000],
        b"[".repeat(100)
            .into_iter()
            .chain(b"]".repeat(100))
            .collect(),
        br#"{"price": 1e400}"#.to_vec(),
        br#"{"price": -0, "name": "\ud800", "type": "dog"}"#.to_vec(),
        (0..=255u8).collect(),
        "\u{feff}{}".as_bytes().to_vec(),
    ];
    bodies.push(format!("[{}]", vec!["{}"; 50_000].join(",")).into_bytes());
    // None is a valid RequestBodyModel object: deep nesting, out-of-range
    // numbers, lone surrogates, raw bytes, a BOM and huge arrays all answer
    // "Invalid request body".
    for body in &bodies {
        let shown = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
        match method.check(&RequestView::new(body).headers(&[("h1", "v")])) {
            Err(Rejection::InvalidBody { details }) => assert!(!details.is_empty(), "{shown}"),
            other => panic!("{shown}: expected an invalid body, got {other:?}"),
        }
    }
    // The same limits still accept a valid body.
    assert_eq!(
        method.check(&RequestView::new(MARCO.as_bytes()).headers(&[("h1", "v")])),
        Ok(())
    );
}

#[test]
fn compiled_validation_is_shared_across_threads() {
    fn send_sync<T: Send + Sync + Clone + 'static>() {}
    send_sync::<Models>();
    send_sync::<MethodValidation>();
    send_sync::<Rejection>();
    send_sync::<ValidationConfigError>();
}
