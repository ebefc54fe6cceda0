//! AWS service integrations through the `portcullis` binary: HTTP API
//! first-class integrations calling a real AWS API implementation on
//! loopback (moto in server mode, `tests/aws_services/services.py`), each
//! effect read back with boto3, not through the gateway; and the signature
//! of a captured call recomputed by botocore.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};
use support::*;

fn python() -> String {
    support::python("run moto and boto3")
}

/// moto's server, and a boto3 client of it driven line by line.
struct Moto {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    endpoint: String,
}

impl Moto {
    fn start() -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws_services/services.py");
        let mut child = Command::new(python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python runs");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let started: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!("moto printed {line:?} ({e}); is moto[server] installed? run scripts/test.sh")
        });
        Self {
            endpoint: started["endpoint"].as_str().unwrap().to_owned(),
            child,
            stdin,
            stdout,
        }
    }

    fn run(&mut self, command: Value) -> Value {
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert!(answer.get("error").is_none(), "{command} -> {answer}");
        answer
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let path = request_line.split_whitespace().nth(1).unwrap();
    let host = &headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .unwrap()
        .1;
    let received = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .unwrap()
        .1
        .clone();
    assert!(
        received.contains("/us-east-1/sqs/aws4_request"),
        "{received}"
    );
    use base64::Engine as _;
    let case = json!({
        "method": "POST",
        "url": format!("http://{host}{path}"),
        "headers": headers,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(&body),
        "region": "us-east-1",
        "service": "sqs",
        "access_key": "testing",
        "secret_key": "testing",
        "token": null,
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
