//! The PetStore as a Rust Lambda function, written with the official
//! `lambda_runtime` crate: the same binary runs on AWS Lambda (as a custom
//! runtime `bootstrap`) and locally behind Portcullis.
//!
//! ```sh
//! cargo build --release --example petstore_function
//! cargo run --release -- serve --openapi examples/petstore-lambda/openapi.yaml \
//!     --function petstore=target/release/examples/petstore_function
//! ```

use std::sync::Mutex;

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use aws_lambda_events::encodings::Body;
use http::HeaderMap;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

static PETS: Mutex<Vec<Value>> = Mutex::new(Vec::new());

fn reply(status: i64, body: &Value) -> ApiGatewayProxyResponse {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        "application/json".parse().expect("a header value"),
    );
    headers.insert("x-runtime", "rust".parse().expect("a header value"));
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response.headers = headers;
    response.body = Some(Body::Text(body.to_string()));
    response
}

async fn handle(
    event: LambdaEvent<ApiGatewayProxyRequest>,
) -> Result<ApiGatewayProxyResponse, Error> {
    let request = event.payload;
    let method = request.http_method.as_str();
    let resource = request.resource.as_deref().unwrap_or("");
    let mut pets = PETS.lock().map_err(|_| "the pet list is poisoned")?;
    if pets.is_empty() {
        pets.extend([
            json!({"id": 1, "type": "dog", "price": 249.99}),
            json!({"id": 2, "type": "cat", "price": 124.99}),
            json!({"id": 3, "type": "fish", "price": 0.99}),
        ]);
    }
    Ok(match (method, resource) {
        ("GET", "/pets") => {
            let kind = request.query_string_parameters.first("type");
            let list: Vec<&Value> = pets
                .iter()
                .filter(|p| kind.is_none_or(|k| p["type"] == k))
                .collect();
            reply(200, &json!(list))
        }
        ("POST", "/pets") => match request.body.as_deref().map(serde_json::from_str::<Value>) {
            Some(Ok(Value::Object(mut pet))) => {
                let next = pets
                    .iter()
                    .filter_map(|p| p["id"].as_i64())
                    .max()
                    .unwrap_or(0)
                    + 1;
                pet.insert("id".into(), json!(next));
                let pet = Value::Object(pet);
                pets.push(pet.clone());
                reply(201, &pet)
            }
            _ => reply(400, &json!({"message": "the body must be a JSON pet"})),
        },
        ("GET", "/pets/{petId}") => {
            let wanted = request
                .path_parameters
                .get("petId")
                .cloned()
                .unwrap_or_default();
            let id = wanted.parse::<i64>().ok();
            match pets.iter().find(|p| id.is_some() && p["id"].as_i64() == id) {
                Some(pet) => reply(200, pet),
                None => reply(404, &json!({"message": format!("no pet {wanted}")})),
            }
        }
        _ => reply(
            405,
            &json!({"message": format!("{method} {resource} is not served")}),
        ),
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handle)).await
}
