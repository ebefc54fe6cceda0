//! Request validation end to end: validators, required parameters, body models.

mod support;

use bytes::Bytes;
use portcullis_gateway::config::Overrides;
use support::*;

const API: &str = r##"openapi: "3.0.1"
info:
  title: "validated"
  version: "1"
x-amazon-apigateway-request-validators:
  all:
    validateRequestBody: true
    validateRequestParameters: true
  params-only:
    validateRequestBody: false
    validateRequestParameters: true
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_BODY:
    statusCode: 422
    responseTemplates:
      application/json: "{\"error\": $context.error.messageString}"
paths:
  /pets:
    get:
      x-amazon-apigateway-request-validator: params-only
      parameters:
        - { name: type, in: query, required: true, schema: { type: string } }
        - { name: x-trace, in: header, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: "{\"statusCode\": 200}" }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: "[]" } } }
    post:
      x-amazon-apigateway-request-validator: all
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Pet" }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: "{\"statusCode\": 201}" }
        responses: { default: { statusCode: "201", responseTemplates: { application/json: "{}" } } }
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: { type: string }
        price: { type: number, minimum: 0 }
"##;

#[tokio::test]
async fn missing_parameters_are_400_in_aws_words() {
    let gw = TestGateway::openapi(API.to_owned(), Overrides::default()).await;
    let answer = get(&gw.url("/pets")).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body,
        r#"{"message":"Missing required request parameters: [x-trace, type]"}"#
    );
    assert_eq!(answer.header("x-amzn-errortype"), "BadRequestException");
    let answer = send(
        "GET",
        &gw.url("/pets?type=dog"),
        &[("X-Trace", "1")],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    gw.shutdown().await;
}

#[tokio::test]
async fn bodies_are_checked_against_their_model() {
    let gw = TestGateway::openapi(API.to_owned(), Overrides::default()).await;
    let json = [("content-type", "application/json")];
    let ok = send(
        "POST",
        &gw.url("/pets"),
        &json,
        r#"{"name":"rex","price":3}"#,
    )
    .await;
    assert_eq!(ok.status, 201, "{ok:?}");
    // The API customises BAD_REQUEST_BODY: status 422 and its own template.
    let bad = send("POST", &gw.url("/pets"), &json, r#"{"price":-1}"#).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body, r#"{"error": "Invalid request body"}"#);
    let not_json = send("POST", &gw.url("/pets"), &json, "name=rex").await;
    assert_eq!(not_json.status, 422);
    gw.shutdown().await;
}
