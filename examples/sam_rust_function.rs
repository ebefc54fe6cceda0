//! A Rust function of `examples/sam/`, written with the official
//! `lambda_runtime` crate: an HTTP API (payload 2.0) handler. Built as the
//! template's `provided.al2023` function's `bootstrap` (`cargo lambda build`
//! on AWS), it runs locally behind `portcullis serve --template`:
//!
//! ```sh
//! cargo build --release --example sam_rust_function
//! bash examples/sam/run.sh   # passes it with --runtime-command provided=...
//! ```

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::json;

async fn greet(
    event: LambdaEvent<ApiGatewayV2httpRequest>,
) -> Result<ApiGatewayV2httpResponse, Error> {
    let name = event
        .payload
        .path_parameters
        .get("name")
        .cloned()
        .unwrap_or_else(|| "world".to_owned());
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = 200;
    response.headers.insert(
        "content-type",
        "application/json".parse().expect("a header value"),
    );
    response.body = Some(Body::Text(
        json!({"hello": name, "runtime": "rust", "function": event.context.env_config.function_name})
            .to_string(),
    ));
    Ok(response)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(greet)).await
}
