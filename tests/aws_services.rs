//! AWS service integrations through the `portcullis` binary: HTTP API
//! first-class integrations calling a real AWS API implementation on
//! loopback (moto in server mode, `tests/aws_services/services.py`), each
//! effect read back with boto3, not through the gateway; and the signature
//! of a captured call recomputed by botocore.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use support::*;

fn python() -> String {
    support::python("run moto and boto3")
}

/// An HTTP API whose routes call SQS: send, receive, delete and purge.
fn sqs_api(queue_url: &str, missing_queue_url: &str) -> String {
    format!(
        r#"openapi: "3.0.1"
info: {{ title: orders, version: "1" }}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /orders:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        credentials: arn:aws:iam::123456789012:role/api-sqs
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: "{queue_url}"
          MessageBody: "$request.body.order"
          MessageAttributes: '{{"source": {{"DataType": "String", "StringValue": "portcullis"}}, "tenant": {{"DataType": "String", "StringValue": "${{request.header.x-tenant}}"}}}}'
  /orders/next:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-ReceiveMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: "{queue_url}"
          MaxNumberOfMessages: "1"
  /orders/done:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-DeleteMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: "{queue_url}"
          ReceiptHandle: "$request.body.receipt"
  /orders/all:
    delete:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-PurgeQueue
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: "{queue_url}"
  /lost:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: SQS-SendMessage
        payloadFormatVersion: "1.0"
        requestParameters:
          QueueUrl: "{missing_queue_url}"
          MessageBody: "lost"
"#
    )
}

/// Starts the gateway on `api` with AWS's SDK conventions in its
/// environment: test keys, and `AWS_ENDPOINT_URL_SQS` pointing at `endpoint`.
fn gateway(dir: &Path, api: &str, endpoint: &str) -> Server {
    gateway_with(dir, api, &[("AWS_ENDPOINT_URL_SQS", endpoint)])
}

/// Starts the gateway on `api` with test keys and `environment`.
fn gateway_with(dir: &Path, api: &str, environment: &[(&str, &str)]) -> Server {
    write_file(dir, "api.yaml", api);
    let config = write_file(
        dir,
        "gateway.yaml",
        "apis: [ { openapi: api.yaml, id: orders } ]\naws: { region: us-east-1 }\nadmin: null\n",
    );
    Server::start_with(
        aws_command(environment),
        &["--config", config.to_str().unwrap()],
    )
}

/// The binary with test keys and no endpoint of the caller's environment:
/// only `environment` says where calls go.
fn aws_command(environment: &[(&str, &str)]) -> Command {
    let mut command = portcullis();
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_SQS")
        .env_remove("AWS_ENDPOINT_URL_DYNAMODB");
    for (name, value) in environment {
        command.env(name, value);
    }
    command
}

/// The text of `<Name>...</Name>` in an XML answer.
fn xml_field<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(&xml[start..end])
}

fn call(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Reply {
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let mut headers = headers.to_vec();
    headers.push(("Content-Type", "application/json"));
    Client::connect(server.addr)
        .unwrap()
        .request(method, path, &headers, &body)
        .unwrap()
}

#[test]
fn sqs_send_receive_delete_and_purge_reach_a_real_queue() {
    let mut moto = Moto::start();
    let queue = moto.run(json!({"op": "create_queue", "name": "orders"}))["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let missing = queue.replace("/orders", "/no-such-queue");
    let dir = tempfile::tempdir().unwrap();
    let server = gateway(dir.path(), &sqs_api(&queue, &missing), &moto.endpoint);

    // SendMessage: the body and attributes mapped from the request.
    let sent = call(
        &server,
        "POST",
        "/orders",
        &[("x-tenant", "acme")],
        &json!({"order": "two pears"}),
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    let id = xml_field(&sent.body, "MessageId").unwrap_or_else(|| panic!("{}", sent.body));
    let received = moto.run(json!({"op": "receive", "url": queue}));
    let messages = received["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{received}");
    assert_eq!(messages[0]["body"], "two pears");
    assert_eq!(messages[0]["attributes"]["source"], "portcullis");
    assert_eq!(messages[0]["attributes"]["tenant"], "acme");
    assert!(!id.is_empty());
    // The message boto3 received goes back to the queue once deleted... by
    // the gateway: ReceiveMessage and DeleteMessage through it.
    moto.run(json!({"op": "send", "url": queue, "body": "three plums"}));
    let next = call(&server, "GET", "/orders/next", &[], &Value::Null);
    assert_eq!(next.status, 200, "{}", next.body);
    assert_eq!(
        xml_field(&next.body, "Body"),
        Some("three plums"),
        "{}",
        next.body
    );
    let receipt = xml_field(&next.body, "ReceiptHandle").unwrap().to_owned();
    let done = call(
        &server,
        "POST",
        "/orders/done",
        &[],
        &json!({"receipt": receipt}),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    // PurgeQueue empties what is left (the first message, still in flight).
    moto.run(json!({"op": "send", "url": queue, "body": "four figs"}));
    let purged = call(&server, "DELETE", "/orders/all", &[], &Value::Null);
    assert_eq!(purged.status, 200, "{}", purged.body);
    assert_eq!(moto.run(json!({"op": "count", "url": queue}))["count"], 0);

    // The service's refusal reaches the client with its status and body.
    let lost = call(&server, "POST", "/lost", &[], &json!({}));
    assert_eq!(lost.status, 400, "{}", lost.body);
    assert!(lost.body.contains("NonExistentQueue"), "{}", lost.body);
}

/// A request as a capturing server saw it: request line, headers, body.
type Captured = (String, Vec<(String, String)>, Vec<u8>);

/// A loopback server that keeps the first request it gets (head lines and
/// body) and answers it as SQS would.
fn capture_one() -> (String, std::thread::JoinHandle<Captured>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let answer = "<SendMessageResponse><SendMessageResult><MessageId>m-1</MessageId></SendMessageResult></SendMessageResponse>";
        write!(
            reader.get_mut(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
        (request_line, headers, body)
    });
    (endpoint, handle)
}

/// The keys the gateway signs with in these tests (its environment's).
const TEST_KEYS: (&str, &str, Option<&str>) = ("testing", "testing", None);

/// Has botocore, an independent SigV4 implementation, re-sign a captured
/// call with `keys` (access key id, secret, session token) and asserts it
/// computes the `Authorization` the gateway sent, which is returned.
fn assert_botocore_agrees(
    method: &str,
    request_line: &str,
    headers: &[(String, String)],
    body: &[u8],
    service: &str,
    keys: (&str, &str, Option<&str>),
) -> String {
    use base64::Engine as _;
    let path = request_line.split_whitespace().nth(1).unwrap();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
            .1
            .clone()
    };
    let received = find("authorization");
    let case = json!({
        "method": method,
        "url": format!("http://{}{path}", find("host")),
        "headers": headers,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(body),
        "region": "us-east-1",
        "service": service,
        "access_key": keys.0,
        "secret_key": keys.1,
        "token": keys.2,
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/portcullis-lambda/tests/fixtures/remote_sigv4_botocore.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(case.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "botocore could not re-sign");
    let recomputed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(recomputed["authorization"], received.as_str());
    received
}

#[test]
fn botocore_recomputes_the_signature_of_a_service_call() {
    let (endpoint, captured) = capture_one();
    let dir = tempfile::tempdir().unwrap();
    let queue = "https://sqs.us-east-1.amazonaws.com/123456789012/orders";
    let server = gateway(dir.path(), &sqs_api(queue, queue), &endpoint);
    let sent = call(
        &server,
        "POST",
        "/orders",
        &[],
        &json!({"order": "a b&c=d"}),
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(sent.header("content-type"), Some("text/xml"));
    let (request_line, headers, body) = captured.join().unwrap();
    let received = assert_botocore_agrees("POST", &request_line, &headers, &body, "sqs", TEST_KEYS);
    assert!(
        received.contains("/us-east-1/sqs/aws4_request"),
        "{received}"
    );
    // The form botocore signed is the one SQS reads.
    let form = String::from_utf8(body).unwrap();
    assert!(
        form.starts_with("Action=SendMessage&Version=2012-11-05&"),
        "{form}"
    );
    assert!(form.contains("MessageBody=a%20b%26c%3Dd"), "{form}");
}

#[test]
fn eventbridge_kinesis_and_step_functions_receive_what_routes_map() {
    let mut moto = Moto::start();
    let queue = moto.run(json!({"op": "create_queue", "name": "events"}))["url"]
        .as_str()
        .unwrap()
        .to_owned();
    moto.run(json!({"op": "route_events", "source": "portcullis.orders", "url": queue}));
    moto.run(json!({"op": "create_stream", "name": "clicks"}));
    let machine = moto.run(json!({"op": "create_state_machine", "name": "fulfil"}))["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = format!(
        r#"openapi: "3.0.1"
info: {{ title: services, version: "1" }}
paths:
  /events:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: EventBridge-PutEvents
        payloadFormatVersion: "1.0"
        requestParameters:
          Source: portcullis.orders
          DetailType: "$request.header.x-kind"
          Detail: "$request.body"
  /clicks:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: Kinesis-PutRecord
        payloadFormatVersion: "1.0"
        requestParameters:
          StreamName: clicks
          Data: "$request.body.page"
          PartitionKey: "$request.body.user"
  /runs:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: StepFunctions-StartExecution
        payloadFormatVersion: "1.0"
        requestParameters:
          StateMachineArn: "{machine}"
          Name: "$request.header.x-run"
          Input: "$request.body"
  /runs/stop:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: StepFunctions-StopExecution
        payloadFormatVersion: "1.0"
        requestParameters:
          ExecutionArn: "$request.body.arn"
          Cause: "$request.body.cause"
"#
    );
    let dir = tempfile::tempdir().unwrap();
    // The AWS SDKs' global variable reaches every service.
    let server = gateway_with(dir.path(), &api, &[("AWS_ENDPOINT_URL", &moto.endpoint)]);

    let put = call(
        &server,
        "POST",
        "/events",
        &[("x-kind", "OrderPlaced")],
        &json!({"id": 7}),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let answer: Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(answer["FailedEntryCount"], 0, "{answer}");
    let delivered = moto.run(json!({"op": "receive", "url": queue}));
    let message = &delivered["messages"][0];
    let event: Value = serde_json::from_str(message["body"].as_str().unwrap()).unwrap();
    assert_eq!(event["source"], "portcullis.orders", "{event}");
    assert_eq!(event["detail-type"], "OrderPlaced");
    assert_eq!(event["detail"]["id"], 7);

    let record = call(
        &server,
        "POST",
        "/clicks",
        &[],
        &json!({"page": "/home", "user": "u-1"}),
    );
    assert_eq!(record.status, 200, "{}", record.body);
    let read = moto.run(json!({"op": "read_stream", "name": "clicks"}));
    assert_eq!(read["records"], json!([{"data": "/home", "key": "u-1"}]));

    let run = call(
        &server,
        "POST",
        "/runs",
        &[("x-run", "run-1")],
        &json!({"order": 7}),
    );
    assert_eq!(run.status, 200, "{}", run.body);
    let started: Value = serde_json::from_str(&run.body).unwrap();
    assert!(
        started["executionArn"]
            .as_str()
            .unwrap()
            .ends_with(":run-1"),
        "{started}"
    );
    let executions = moto.run(json!({"op": "executions", "arn": machine}));
    assert_eq!(executions["executions"][0]["name"], "run-1");
    let input: Value =
        serde_json::from_str(executions["executions"][0]["input"].as_str().unwrap()).unwrap();
    assert_eq!(input, json!({"order": 7}));

    let stop = call(
        &server,
        "POST",
        "/runs/stop",
        &[],
        &json!({"arn": started["executionArn"], "cause": "cancelled"}),
    );
    assert_eq!(stop.status, 200, "{}", stop.body);
    let executions = moto.run(json!({"op": "executions", "arn": machine}));
    assert_eq!(
        executions["executions"][0]["status"], "ABORTED",
        "{executions}"
    );

    // A refusal: a second execution with the same name and another input.
    let again = call(
        &server,
        "POST",
        "/runs",
        &[("x-run", "run-1")],
        &json!({"order": 8}),
    );
    assert_eq!(again.status, 400, "{}", again.body);
}

/// A REST API in AWS's own sample shape: items stored in DynamoDB through
/// `aws` integrations whose request templates build the service's input
/// and whose response templates shape its answer.
const DYNAMODB_API: &str = r#"openapi: "3.0.1"
info: { title: items, version: "1" }
paths:
  /items:
    post:
      x-amazon-apigateway-integration:
        type: aws
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        httpMethod: POST
        credentials: arn:aws:iam::123456789012:role/api-dynamodb
        requestTemplates:
          application/json: |
            {"TableName": "items", "Item": {"id": {"S": "$input.path('$.id')"}, "name": {"S": "$input.path('$.name')"}}}
        responses:
          "4\\d{2}":
            statusCode: "400"
            responseTemplates:
              application/json: '{"error": "$input.path(''$.__type'')"}'
          default:
            statusCode: "201"
            responseTemplates:
              application/json: '{"stored": true}'
  /items/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: aws
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem
        httpMethod: POST
        requestTemplates:
          application/json: '{"TableName": "items", "Key": {"id": {"S": "$input.params(''id'')"}}}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"id": "$input.path(''$.Item.id.S'')", "name": "$input.path(''$.Item.name.S'')"}'
  /missing:
    post:
      x-amazon-apigateway-integration:
        type: aws
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        httpMethod: POST
        requestTemplates:
          application/json: '{"TableName": "no-such-table", "Item": {"id": {"S": "x"}}}'
        responses:
          "4\\d{2}":
            statusCode: "400"
            responseTemplates:
              application/json: '{"error": "$input.path(''$.__type'')"}'
          default:
            statusCode: "200"
"#;

#[test]
fn a_rest_api_stores_and_reads_items_in_dynamodb_through_templates() {
    let mut moto = Moto::start();
    moto.run(json!({"op": "create_table", "name": "items"}));
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", DYNAMODB_API);
    // The endpoint from the config file this time.
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        &format!(
            "apis: [ {{ openapi: api.yaml, id: items, stages: [ {{ name: prod }} ] }} ]\naws: {{ region: us-east-1, endpoints: {{ dynamodb: \"{}\" }} }}\nadmin: null\n",
            moto.endpoint
        ),
    );
    let server = Server::start_with(aws_command(&[]), &["--config", config.to_str().unwrap()]);

    let stored = call(
        &server,
        "POST",
        "/prod/items",
        &[],
        &json!({"id": "i-1", "name": "lamp"}),
    );
    assert_eq!(stored.status, 201, "{}", stored.body);
    assert_eq!(stored.body, r#"{"stored": true}"#);
    let item = moto.run(json!({"op": "get_item", "table": "items", "id": "i-1"}));
    assert_eq!(
        item["item"],
        json!({"id": {"S": "i-1"}, "name": {"S": "lamp"}})
    );

    let read = call(&server, "GET", "/prod/items/i-1", &[], &Value::Null);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body, r#"{"id": "i-1", "name": "lamp"}"#);
    // The client sees API Gateway's answer, not DynamoDB's: JSON, with none
    // of DynamoDB's headers (as AWS recorded in LocalStack's snapshots).
    assert_eq!(read.header("content-type"), Some("application/json"));
    assert_eq!(read.header("x-amz-crc32"), None);

    // DynamoDB's refusal, selected by its status into the 400 response.
    let refused = call(&server, "POST", "/prod/missing", &[], &json!({}));
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("ResourceNotFoundException"),
        "{}",
        refused.body
    );
}

#[test]
fn the_dynamodb_example_serves_its_items_against_moto() {
    let mut moto = Moto::start();
    moto.run(json!({"op": "create_table", "name": "items"}));
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/dynamodb-api/gateway.yaml");
    let server = Server::start_with(
        aws_command(&[("AWS_ENDPOINT_URL_DYNAMODB", &moto.endpoint)]),
        &["--config", example.to_str().unwrap(), "--no-admin"],
    );
    let created = call(
        &server,
        "POST",
        "/prod/items",
        &[],
        &json!({"name": "brass \"lamp\""}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = serde_json::from_str::<Value>(&created.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = moto.run(json!({"op": "get_item", "table": "items", "id": id}));
    assert_eq!(stored["item"]["name"]["S"], "brass \"lamp\"");

    let listed = call(&server, "GET", "/prod/items", &[], &Value::Null);
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed: Value = serde_json::from_str(&listed.body).unwrap();
    assert_eq!(
        listed["items"],
        json!([{"id": id, "name": "brass \"lamp\""}])
    );

    let one = call(
        &server,
        "GET",
        &format!("/prod/items/{id}"),
        &[],
        &Value::Null,
    );
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(
        serde_json::from_str::<Value>(&one.body).unwrap()["name"],
        "brass \"lamp\""
    );
    let none = call(&server, "GET", "/prod/items/nope", &[], &Value::Null);
    assert_eq!(none.status, 404, "{}", none.body);

    let deleted = call(
        &server,
        "DELETE",
        &format!("/prod/items/{id}"),
        &[],
        &Value::Null,
    );
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let gone = moto.run(json!({"op": "get_item", "table": "items", "id": id}));
    assert!(gone["item"].is_null(), "{gone}");
}

#[test]
fn rest_sqs_path_and_sns_action_integrations_deliver_messages() {
    let mut moto = Moto::start();
    let queue = moto.run(json!({"op": "create_queue", "name": "inbox"}))["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let notified = moto.run(json!({"op": "create_queue", "name": "notified"}))["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let topic = moto.run(json!({"op": "create_topic", "name": "alerts", "url": notified}))["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    // The queue's path on its endpoint: `{account}/{name}`.
    let queue_path = queue.splitn(4, '/').nth(3).unwrap().to_owned();
    let api = format!(
        r#"openapi: "3.0.1"
info: {{ title: messaging, version: "1" }}
paths:
  /inbox:
    post:
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:sqs:path/{queue_path}"
        httpMethod: POST
        requestParameters:
          integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
        requestTemplates:
          application/json: "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
        responses:
          default: {{ statusCode: "200" }}
  /alerts:
    post:
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:sns:action/Publish"
        httpMethod: POST
        requestParameters:
          integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
          integration.request.querystring.TopicArn: "'{topic}'"
        requestTemplates:
          application/json: "Message=$util.urlEncode($input.body)"
        responses:
          "4\\d{{2}}": {{ statusCode: "400", responseTemplates: {{ application/json: "$input.body" }} }}
          default: {{ statusCode: "202" }}
"#
    );
    let dir = tempfile::tempdir().unwrap();
    let server = gateway_with(dir.path(), &api, &[("AWS_ENDPOINT_URL", &moto.endpoint)]);

    let sent = call(&server, "POST", "/inbox", &[], &json!({"note": "a & b"}));
    assert_eq!(sent.status, 200, "{}", sent.body);
    let received = moto.run(json!({"op": "receive", "url": queue}));
    assert_eq!(
        received["messages"][0]["body"], r#"{"note":"a & b"}"#,
        "{received}"
    );

    let published = call(&server, "POST", "/alerts", &[], &json!({"level": "high"}));
    assert_eq!(published.status, 202, "{}", published.body);
    let delivered = moto.run(json!({"op": "receive", "url": notified}));
    assert_eq!(
        delivered["messages"][0]["body"], r#"{"level":"high"}"#,
        "{delivered}"
    );
}

/// An S3 object proxy in the shape of AWS's own sample: objects put and
/// fetched by path, binary bodies passed through untouched, and (under
/// `/text`) converted from and to base64 text by `contentHandling`.
const S3_API: &str = r#"openapi: "3.0.1"
info: { title: photos, version: "1" }
x-amazon-apigateway-binary-media-types: ["image/png"]
paths:
  /{folder}/{item}:
    parameters:
      - { name: folder, in: path, required: true, schema: { type: string } }
      - { name: item, in: path, required: true, schema: { type: string } }
    put:
      parameters:
        - { name: Content-Type, in: header, schema: { type: string } }
      responses:
        "200": { description: stored }
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"
        httpMethod: PUT
        credentials: arn:aws:iam::123456789012:role/api-s3
        passthroughBehavior: when_no_match
        requestParameters:
          integration.request.path.bucket: method.request.path.folder
          integration.request.path.object: method.request.path.item
          integration.request.header.Content-Type: method.request.header.Content-Type
        responses:
          "4\\d{2}": { statusCode: "400" }
          default: { statusCode: "200" }
    get:
      responses:
        "200":
          description: the object
          headers: { Content-Type: { schema: { type: string } } }
        "404": { description: no such object }
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"
        httpMethod: GET
        requestParameters:
          integration.request.path.bucket: method.request.path.folder
          integration.request.path.object: method.request.path.item
        responses:
          "404":
            statusCode: "404"
            responseTemplates:
              application/json: '{"missing": "$input.params(''item'')"}'
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Content-Type: integration.response.header.Content-Type
  /forged/{folder}/{item}:
    parameters:
      - { name: folder, in: path, required: true, schema: { type: string } }
      - { name: item, in: path, required: true, schema: { type: string } }
    put:
      parameters:
        - { name: x-length, in: header, schema: { type: string } }
      responses:
        "200": { description: stored }
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"
        httpMethod: PUT
        requestParameters:
          integration.request.path.bucket: method.request.path.folder
          integration.request.path.object: method.request.path.item
          integration.request.header.Content-Length: method.request.header.x-length
        responses:
          default: { statusCode: "200" }
  /any/{folder}/{item}:
    parameters:
      - { name: folder, in: path, required: true, schema: { type: string } }
      - { name: item, in: path, required: true, schema: { type: string } }
    x-amazon-apigateway-any-method:
      responses:
        "200": { description: whatever S3 answered }
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"
        httpMethod: ANY
        requestParameters:
          integration.request.path.bucket: method.request.path.folder
          integration.request.path.object: method.request.path.item
        responses:
          default: { statusCode: "200" }
  /text/{folder}/{item}:
    parameters:
      - { name: folder, in: path, required: true, schema: { type: string } }
      - { name: item, in: path, required: true, schema: { type: string } }
    put:
      responses:
        "200": { description: stored }
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"
        httpMethod: PUT
        contentHandling: CONVERT_TO_BINARY
        requestParameters:
          integration.request.path.bucket: method.request.path.folder
          integration.request.path.object: method.request.path.item
          integration.request.header.Content-Type: "'image/png'"
        responses:
          default: { statusCode: "200" }
    get:
      responses:
        "200": { description: the object as base64 }
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"
        httpMethod: GET
        requestParameters:
          integration.request.path.bucket: method.request.path.folder
          integration.request.path.object: method.request.path.item
        responses:
          default:
            statusCode: "200"
            contentHandling: CONVERT_TO_TEXT
"#;

#[test]
fn an_s3_proxy_puts_and_fetches_binary_objects() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut moto = Moto::start();
    moto.run(json!({"op": "create_bucket", "name": "photos"}));
    let dir = tempfile::tempdir().unwrap();
    let server = gateway_with(
        dir.path(),
        S3_API,
        &[("AWS_ENDPOINT_URL_S3", &moto.endpoint)],
    );
    // Every byte value, so a body read as text anywhere would show.
    let picture: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();

    // PUT: the bytes reach the object as they are, under a key that needs
    // encoding in the path (and is signed as S3 reads it).
    let put = Client::connect(server.addr)
        .unwrap()
        .request(
            "PUT",
            "/photos/my%20cat.png",
            &[("Content-Type", "image/png")],
            &picture,
        )
        .unwrap();
    assert_eq!(put.status, 200, "{}", put.body);
    let stored = moto.run(json!({"op": "get_object", "bucket": "photos", "key": "my cat.png"}));
    assert_eq!(stored["type"], "image/png", "{stored}");
    assert_eq!(
        b64.decode(stored["base64"].as_str().unwrap()).unwrap(),
        picture
    );

    // GET: an object boto3 put comes back byte for byte, with its type.
    let drawing: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    moto.run(json!({"op": "put_object", "bucket": "photos", "key": "dog.png", "base64": b64.encode(&drawing), "type": "image/png"}));
    let got = Client::connect(server.addr)
        .unwrap()
        .request("GET", "/photos/dog.png", &[("Accept", "image/png")], b"")
        .unwrap();
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.header("content-type"), Some("image/png"));
    assert_eq!(got.bytes, drawing);

    // A missing key: S3's 404 selects the integration response for it.
    let missing = Client::connect(server.addr)
        .unwrap()
        .request(
            "GET",
            "/photos/none.png",
            &[("Accept", "application/json")],
            b"",
        )
        .unwrap();
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(missing.body, r#"{"missing": "none.png"}"#);
    // A missing bucket refuses the PUT with S3's 404, a client error here.
    let refused = Client::connect(server.addr)
        .unwrap()
        .request(
            "PUT",
            "/nobucket/x.png",
            &[("Content-Type", "image/png")],
            b"x",
        )
        .unwrap();
    assert_eq!(refused.status, 400, "{}", refused.body);

    // contentHandling: base64 text in, bytes stored; bytes out as base64 text.
    let put = Client::connect(server.addr)
        .unwrap()
        .request(
            "PUT",
            "/text/photos/bird.png",
            &[("Content-Type", "text/plain")],
            b64.encode(&picture).as_bytes(),
        )
        .unwrap();
    assert_eq!(put.status, 200, "{}", put.body);
    let stored = moto.run(json!({"op": "get_object", "bucket": "photos", "key": "bird.png"}));
    assert_eq!(
        b64.decode(stored["base64"].as_str().unwrap()).unwrap(),
        picture
    );
    let got = Client::connect(server.addr)
        .unwrap()
        .request(
            "GET",
            "/text/photos/dog.png",
            &[("Accept", "text/plain")],
            b"",
        )
        .unwrap();
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(b64.decode(got.body.trim()).unwrap(), drawing);

    // `httpMethod: ANY` sends the client's method: DELETE removes the object.
    let deleted = Client::connect(server.addr)
        .unwrap()
        .request("DELETE", "/any/photos/bird.png", &[], b"")
        .unwrap();
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let gone = moto.run(json!({"op": "get_object", "bucket": "photos", "key": "bird.png"}));
    assert_eq!(gone["missing"], true, "{gone}");
    // With only a default integration response, S3's 404 is answered as
    // that response (200) with S3's error document, as AWS answers it.
    let missing = Client::connect(server.addr)
        .unwrap()
        .request("GET", "/any/photos/bird.png", &[], b"")
        .unwrap();
    assert_eq!(missing.status, 200, "{}", missing.body);
    assert!(
        missing.body.contains("<Code>NoSuchKey</Code>"),
        "{}",
        missing.body
    );
}

#[test]
fn botocore_recomputes_the_signature_of_an_s3_call() {
    let (endpoint, captured) = capture_one();
    let dir = tempfile::tempdir().unwrap();
    let server = gateway_with(dir.path(), S3_API, &[("AWS_ENDPOINT_URL_S3", &endpoint)]);
    let picture: Vec<u8> = (0..=255u8).collect();
    // A key S3 reads only if its path is signed as sent: encoded once.
    let put = Client::connect(server.addr)
        .unwrap()
        .request(
            "PUT",
            "/photos/a%20b+c%C3%A9.png",
            &[("Content-Type", "image/png")],
            &picture,
        )
        .unwrap();
    assert_eq!(put.status, 200, "{}", put.body);
    let (request_line, headers, body) = captured.join().unwrap();
    assert_eq!(body, picture);
    assert!(
        request_line.starts_with("PUT /photos/a%20b+c%C3%A9.png "),
        "{request_line}"
    );
    let received = assert_botocore_agrees("PUT", &request_line, &headers, &body, "s3", TEST_KEYS);
    assert!(
        received.contains("/us-east-1/s3/aws4_request"),
        "{received}"
    );
    assert!(received.contains("x-amz-content-sha256"), "{received}");
}

#[test]
fn express_machines_run_synchronously_and_appconfig_serves_configurations() {
    let mut moto = Moto::start();
    let machine = moto.run(json!({"op": "create_express_machine", "name": "greeter"}))["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let flags = r#"{"dark_mode": true}"#;
    moto.run(json!({"op": "create_configuration", "application": "shop", "profile": "flags", "content": flags, "type": "application/json"}));
    let api = format!(
        r#"openapi: "3.0.1"
info: {{ title: sync, version: "1" }}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /greet:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: StepFunctions-StartSyncExecution
        payloadFormatVersion: "1.0"
        requestParameters:
          StateMachineArn: "{machine}"
          Input: "$request.body"
  /greet/in/{{region}}:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: StepFunctions-StartSyncExecution
        payloadFormatVersion: "1.0"
        requestParameters:
          StateMachineArn: "{machine}"
          Input: "$request.body"
          Region: "$request.path.region"
  /greet/nobody:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: StepFunctions-StartSyncExecution
        payloadFormatVersion: "1.0"
        requestParameters:
          StateMachineArn: "{machine}-gone"
  /config/{{profile}}:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: AppConfig-GetConfiguration
        payloadFormatVersion: "1.0"
        requestParameters:
          Application: shop
          Environment: prod
          Configuration: "$request.path.profile"
          ClientId: "$request.header.x-client"
"#
    );
    let dir = tempfile::tempdir().unwrap();
    let server = gateway_with(dir.path(), &api, &[("AWS_ENDPOINT_URL", &moto.endpoint)]);

    // The execution ran on the state machine before the answer came back.
    let greeted = call(&server, "POST", "/greet", &[], &json!({"name": "ann"}));
    assert_eq!(greeted.status, 200, "{}", greeted.body);
    let answer: Value = serde_json::from_str(&greeted.body).unwrap();
    assert_eq!(answer["status"], "SUCCEEDED", "{answer}");
    let output: Value = serde_json::from_str(answer["output"].as_str().unwrap()).unwrap();
    assert_eq!(output, json!({"greeting": "hello ann"}));
    assert!(
        answer["executionArn"]
            .as_str()
            .unwrap()
            .contains(":greeter:"),
        "{answer}"
    );
    // A `Region` read from the request: the call is signed for it, and the
    // service looks the machine up there (moto keeps each region apart).
    let here = call(
        &server,
        "POST",
        "/greet/in/us-east-1",
        &[],
        &json!({"name": "bo"}),
    );
    assert_eq!(here.status, 200, "{}", here.body);
    assert!(here.body.contains("hello bo"), "{}", here.body);
    let there = call(
        &server,
        "POST",
        "/greet/in/eu-west-1",
        &[],
        &json!({"name": "bo"}),
    );
    assert_eq!(there.status, 400, "{}", there.body);
    assert!(
        there.body.contains("StateMachineDoesNotExist"),
        "{}",
        there.body
    );
    // A value that is no region name never reaches a host name.
    let evil = call(&server, "POST", "/greet/in/evil.com%2Fx", &[], &json!({}));
    assert_eq!(evil.status, 400, "{}", evil.body);

    // A machine that does not exist: the service's refusal, passed on.
    let refused = call(&server, "POST", "/greet/nobody", &[], &json!({}));
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("StateMachineDoesNotExist"),
        "{}",
        refused.body
    );

    // AppConfig: the hosted configuration, with its type and version.
    let config = call(
        &server,
        "GET",
        "/config/flags",
        &[("x-client", "node-1")],
        &Value::Null,
    );
    assert_eq!(config.status, 200, "{}", config.body);
    assert_eq!(config.body, flags);
    assert_eq!(config.header("content-type"), Some("application/json"));
    let missing = call(
        &server,
        "GET",
        "/config/none",
        &[("x-client", "node-1")],
        &Value::Null,
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
}

/// A REST API whose IAM-authorised route sends to SQS as its caller
/// (`arn:aws:iam::*:user/*`), and an open route asking the same.
const CALLER_API: &str = r#"openapi: "3.0.1"
info: { title: as-caller, version: "1" }
paths:
  /inbox:
    post:
      x-amazon-apigateway-auth: { type: AWS_IAM }
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders"
        httpMethod: POST
        credentials: "arn:aws:iam::*:user/*"
        requestParameters:
          integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
        requestTemplates:
          application/json: "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
        responses:
          default: { statusCode: "200" }
  /open:
    post:
      x-amazon-apigateway-integration:
        type: aws
        uri: "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders"
        httpMethod: POST
        credentials: "arn:aws:iam::*:user/*"
        responses:
          default: { statusCode: "200" }
"#;

#[test]
fn an_iam_caller_s_own_keys_sign_the_service_call() {
    let (endpoint, captured) = capture_one();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", CALLER_API);
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        r#"apis: [ { openapi: api.yaml, id: abc123, stages: [ { name: prod } ] } ]
aws: { region: us-east-1, account_id: "123456789012" }
admin: null
iam:
  identities:
    - access_key_id: ASIABOB
      secret_access_key: bob-secret
      session_token: bob-session-token
      principal: arn:aws:sts::123456789012:assumed-role/Writer/bob
      policies:
        - { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "execute-api:Invoke", Resource: "*" } ] }
"#,
    );
    let server = Server::start_with(
        aws_command(&[("AWS_ENDPOINT_URL_SQS", &endpoint)]),
        &["--config", config.to_str().unwrap()],
    );
    // The open route cannot call as a caller it does not have: said at load.
    assert!(
        server.startup.iter().any(|line| line.contains("/open")
            && line.contains("which only AWS_IAM-authorised routes have")),
        "{:#?}",
        server.startup
    );

    let body = r#"{"order":"as bob"}"#;
    let signed = sign_with_botocore(&json!([{
        "method": "POST",
        "url": "http://localhost/prod/inbox",
        "body": body,
        "access_key": "ASIABOB",
        "secret_key": "bob-secret",
        "token": "bob-session-token",
    }]));
    let (_, client_headers) = &signed[0];
    let mut headers: Vec<(&str, &str)> = client_headers
        .iter()
        .filter(|(name, _)| {
            !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case("content-length")
        })
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    headers.push(("Content-Type", "application/json"));
    let sent = Client::connect(server.addr)
        .unwrap()
        .request("POST", "/prod/inbox", &headers, body.as_bytes())
        .unwrap();
    assert_eq!(sent.status, 200, "{}", sent.body);

    // The call to SQS went out signed with bob's keys and session token,
    // not the gateway's, and botocore agrees with the signature.
    let (request_line, headers, body) = captured.join().unwrap();
    let token = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(_, v)| v.as_str());
    assert_eq!(token, Some("bob-session-token"));
    let received = assert_botocore_agrees(
        "POST",
        &request_line,
        &headers,
        &body,
        "sqs",
        ("ASIABOB", "bob-secret", Some("bob-session-token")),
    );
    assert!(received.contains("Credential=ASIABOB/"), "{received}");
    // `$util.urlEncode` encodes as Java's URLEncoder does: a space is `+`.
    let form = String::from_utf8(body).unwrap();
    assert_eq!(
        form,
        "Action=SendMessage&MessageBody=%7B%22order%22%3A%22as+bob%22%7D"
    );
}

#[test]
fn a_credentials_role_is_assumed_through_sts_when_configured() {
    let moto = Moto::start();
    let (endpoint, captured) = capture_one();
    let dir = tempfile::tempdir().unwrap();
    let queue = "https://sqs.us-east-1.amazonaws.com/123456789012/orders";
    write_file(dir.path(), "api.yaml", &sqs_api(queue, queue));
    let config = |assume: bool| {
        format!(
            "apis: [ {{ openapi: api.yaml, id: orders }} ]\nadmin: null\naws: {{ region: us-east-1, assume_roles: {assume}, endpoints: {{ sts: \"{}\", sqs: \"{endpoint}\" }} }}\n",
            moto.endpoint
        )
    };

    // Not configured to: the gateway's own keys, and a warning naming the role.
    let own = write_file(dir.path(), "own.yaml", &config(false));
    let server = Server::start_with(aws_command(&[]), &["--config", own.to_str().unwrap()]);
    assert!(
        server
            .startup
            .iter()
            .any(|line| line.contains("set `aws: { assume_roles: true }`")
                && line.contains("arn:aws:iam::123456789012:role/api-sqs")),
        "{:#?}",
        server.startup
    );
    drop(server);

    // Configured to: the call is signed with the role's temporary keys,
    // which moto's STS issued to the gateway.
    let assume = write_file(dir.path(), "assume.yaml", &config(true));
    let server = Server::start_with(aws_command(&[]), &["--config", assume.to_str().unwrap()]);
    let sent = call(
        &server,
        "POST",
        "/orders",
        &[],
        &json!({"order": "as a role"}),
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    let (_, headers, _) = captured.join().unwrap();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let authorization = header("authorization").unwrap();
    let key = authorization
        .split("Credential=")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    assert!(
        key.starts_with("ASIA") && key != "testing",
        "{authorization}"
    );
    assert!(header("x-amz-security-token").is_some_and(|t| !t.is_empty()));
}

/// Bytes that are not UTF-8 (a gzip header and high bytes), as LocalStack's
/// AWS-recorded binary tests use.
const RAW: &[u8] = &[
    0x1f, 0x8b, 0x08, 0x00, 0x14, 0x6c, 0xff, 0xfe, 0x41, 0x42, 0xc3, 0x28, 0x80, 0x43, 0x00, 0x01,
];

/// `bytes` read as UTF-8, each invalid sequence replaced by U+FFFD.
fn lossy(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(bytes).into_owned().into_bytes()
}

#[test]
fn s3_bodies_convert_between_text_and_binary_as_aws_recorded() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut moto = Moto::start();
    moto.run(json!({"op": "create_bucket", "name": "photos"}));
    for (key, body, kind) in [
        ("raw.png", RAW.to_vec(), "image/png"),
        ("raw.bin", RAW.to_vec(), "binary/octet-stream"),
        (
            "enc.bin",
            b64.encode(RAW).into_bytes(),
            "binary/octet-stream",
        ),
    ] {
        moto.run(json!({"op": "put_object", "bucket": "photos", "key": key, "base64": b64.encode(&body), "type": kind}));
    }
    let environment = [("AWS_ENDPOINT_URL_S3", moto.endpoint.as_str())];
    let dir = tempfile::tempdir().unwrap();
    let binary = gateway_with(dir.path(), S3_API, &environment);
    let text_dir = tempfile::tempdir().unwrap();
    let text = gateway_with(
        text_dir.path(),
        &S3_API.replace(
            "x-amazon-apigateway-binary-media-types: [\"image/png\"]\n",
            "",
        ),
        &environment,
    );
    let get = |server: &Server, key: &str, accept: &str| {
        Client::connect(server.addr)
            .unwrap()
            .request(
                "GET",
                &format!("/any/photos/{key}"),
                &[("Accept", accept)],
                b"",
            )
            .unwrap()
    };

    // With image/png binary: a binary answer to a binary Accept is exact,
    // to a text Accept base64; a text answer to a binary Accept is decoded
    // from base64 (500 when it is not base64), to a text Accept read as text.
    let exact = get(&binary, "raw.png", "image/png");
    assert_eq!((exact.status, exact.bytes.as_slice()), (200, RAW));
    let encoded = get(&binary, "raw.png", "text/plain");
    assert_eq!(
        (encoded.status, encoded.body.as_str()),
        (200, b64.encode(RAW).as_str())
    );
    let decoded = get(&binary, "enc.bin", "image/png");
    assert_eq!((decoded.status, decoded.bytes.as_slice()), (200, RAW));
    assert_eq!(get(&binary, "raw.bin", "image/png").status, 500);
    let as_text = get(&binary, "raw.bin", "text/plain");
    assert_eq!((as_text.status, as_text.bytes), (200, lossy(RAW)));

    // With no binary media types every body is text: bytes that are not
    // UTF-8 are replaced, both ways, and the status stays 200.
    let as_text = get(&text, "raw.png", "image/png");
    assert_eq!((as_text.status, as_text.bytes), (200, lossy(RAW)));
    let put = Client::connect(text.addr)
        .unwrap()
        .request(
            "PUT",
            "/photos/sent.png",
            &[("Content-Type", "image/png")],
            RAW,
        )
        .unwrap();
    assert_eq!(put.status, 200, "{}", put.body);
    let stored = moto.run(json!({"op": "get_object", "bucket": "photos", "key": "sent.png"}));
    assert_eq!(
        b64.decode(stored["base64"].as_str().unwrap()).unwrap(),
        lossy(RAW)
    );

    // A mapping that would set the call's framing: AWS's 500, nothing sent.
    let forged = Client::connect(binary.addr)
        .unwrap()
        .request(
            "PUT",
            "/forged/photos/forged.png",
            &[("Content-Type", "image/png"), ("x-length", "2")],
            RAW,
        )
        .unwrap();
    assert_eq!(forged.status, 500, "{}", forged.body);
    let absent = moto.run(json!({"op": "get_object", "bucket": "photos", "key": "forged.png"}));
    assert_eq!(absent["missing"], true, "{absent}");

    // CONVERT_TO_BINARY on a text request that is not base64: 500, nothing stored.
    let refused = Client::connect(binary.addr)
        .unwrap()
        .request(
            "PUT",
            "/text/photos/bad.png",
            &[("Content-Type", "text/plain")],
            b"not base64!",
        )
        .unwrap();
    assert_eq!(refused.status, 500, "{}", refused.body);
    let absent = moto.run(json!({"op": "get_object", "bucket": "photos", "key": "bad.png"}));
    assert_eq!(absent["missing"], true, "{absent}");
}
