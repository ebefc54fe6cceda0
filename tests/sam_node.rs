//! `serve --template` with a Node.js function (`tests/sam/node`): an ES
//! module run by AWS's own runtime interface client, the npm package
//! `aws-lambda-ric`, which scripts/install-node-ric.sh builds into
//! `target/node-ric` (npm's global layout under that prefix).

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::*;

/// The fixture's two APIs, picked by host.
const HTTP_API: &str = "serverlesshttpapi.execute-api.localhost";
const REST_API: &str = "serverlessrestapi.execute-api.localhost";

fn template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sam/node/template.yaml")
}

/// Where scripts/install-node-ric.sh installed aws-lambda-ric; fails saying
/// how to install it when it has not.
fn node_ric() -> PathBuf {
    let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/node-ric");
    let package = prefix.join("lib/node_modules/aws-lambda-ric");
    assert!(
        package.join("rapid-client.node").is_file() && prefix.join("bin/aws-lambda-ric").is_file(),
        "aws-lambda-ric is not installed in {}: run scripts/install-node-ric.sh \
         (it needs node and npm, and builds the package's native client: about a minute)",
        prefix.display()
    );
    prefix
}

/// `GET path` on the API `host`; the status and the function's JSON.
fn greet(server: &Server, host: &str, path: &str) -> (u16, Value) {
    let reply = Client::connect(server.addr)
        .unwrap()
        .request("GET", path, &[("Host", host)], b"")
        .unwrap();
    let body = serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body.clone()));
    (reply.status, body)
}

/// What a call of the fixture's function reports about itself, whichever
/// API called it.
fn assert_greeted(status: u16, body: &Value, name: &str, payload: &str) {
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], name, "{body}");
    // From the template's `Environment`.
    assert_eq!(body["message"], format!("Hello, {name}"), "{body}");
    assert_eq!(body["payload"], payload, "{body}");
    // Named by its logical id (no `FunctionName`), in its environment and
    // in the context aws-lambda-ric builds from it.
    assert_eq!(body["function"], "GreetFunction", "{body}");
    assert_eq!(body["contextFunction"], "GreetFunction", "{body}");
    assert_eq!(body["memory"], "192", "{body}");
    let request_id = body["requestId"].as_str().unwrap_or_default();
    assert!(
        !request_id.is_empty(),
        "no request id in the context: {body}"
    );
    assert!(body["pid"].as_u64().is_some(), "{body}");
}

#[test]
fn a_node_function_runs_through_npx_and_aws_lambda_ric_and_stays_warm() {
    let prefix = node_ric();
    // Portcullis's own command for `nodejs*`, `npx --no-install aws-lambda-ric
    // HANDLER`, finds the package among the prefix's global packages.
    let mut command = portcullis();
    command
        .env("NPM_CONFIG_PREFIX", &prefix)
        .env("NPM_CONFIG_UPDATE_NOTIFIER", "false");
    let server = Server::start_with(
        command,
        &["--template", template().to_str().unwrap(), "--no-admin"],
    );

    let (status, first) = greet(&server, HTTP_API, "/greet/ann");
    assert_greeted(status, &first, "ann", "2.0");
    assert_eq!(first["invocations"], 1, "a fresh process: {first}");

    // Warm: the same process, its module state kept, a new request id.
    let (status, second) = greet(&server, HTTP_API, "/greet/bo");
    assert_greeted(status, &second, "bo", "2.0");
    assert_eq!(
        second["pid"], first["pid"],
        "not the warm process: {second}"
    );
    assert_eq!(second["startedAt"], first["startedAt"], "{second}");
    assert_eq!(second["invocations"], 2, "{second}");
    assert_ne!(second["requestId"], first["requestId"]);

    // The REST API's event reaches the same function, with payload 1.0.
    let (status, third) = greet(&server, REST_API, "/Prod/greet/cy");
    assert_greeted(status, &third, "cy", "1.0");
    assert_eq!(third["pid"], first["pid"], "not the warm process: {third}");
    assert_eq!(third["invocations"], 3, "{third}");
}

#[test]
fn a_runtime_command_runs_aws_lambda_ric_without_npx() {
    let prefix = node_ric();
    let ric = prefix.join("bin/aws-lambda-ric");
    let server = Server::start(&[
        "--template",
        template().to_str().unwrap(),
        "--runtime-command",
        &format!("nodejs={}", ric.display()),
        "--no-admin",
    ]);
    let (status, first) = greet(&server, REST_API, "/Prod/greet/dee");
    assert_greeted(status, &first, "dee", "1.0");
    let (status, second) = greet(&server, REST_API, "/Prod/greet/dee");
    assert_greeted(status, &second, "dee", "1.0");
    assert_eq!(
        second["pid"], first["pid"],
        "not the warm process: {second}"
    );
    assert_eq!(second["invocations"], 2, "{second}");
}
