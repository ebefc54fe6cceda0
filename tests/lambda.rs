//! The `portcullis` binary serving the PetStore example with its Lambda
//! function run locally: the Python handler through the official
//! `awslambdaric` client, and the Rust handler built with `lambda_runtime`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{Client, Server, portcullis};

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/petstore-lambda")
}

/// Exercises the PetStore API and returns the `x-runtime` header it saw.
fn exercise(server: &Server) -> String {
    let mut client = Client::connect(server.addr).unwrap();
    let list = client.request("GET", "/pets?type=cat", &[], b"").unwrap();
    assert_eq!(list.status, 200, "{list:?}");
    assert_eq!(list.body.matches("\"id\"").count(), 1, "{}", list.body);
    assert!(list.body.contains("cat"));
    let one = client.request("GET", "/pets/2", &[], b"").unwrap();
    assert_eq!(one.status, 200);
    assert!(one.body.contains("124.99"), "{}", one.body);
    let missing = client.request("GET", "/pets/99", &[], b"").unwrap();
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("no pet 99"));
    let created = client
        .request(
            "POST",
            "/pets",
            &[("content-type", "application/json")],
            br#"{"type":"bird","price":9.5}"#,
        )
        .unwrap();
    assert_eq!(created.status, 201, "{created:?}");
    assert!(created.body.contains("\"id\": 4") || created.body.contains("\"id\":4"));
    // The process stayed warm: the pet created above is still there.
    let again = client.request("GET", "/pets/4", &[], b"").unwrap();
    assert_eq!(again.status, 200, "{again:?}");
    // The gateway still answers what no route serves.
    let unknown = client.request("GET", "/owners", &[], b"").unwrap();
    assert_eq!(unknown.status, 403);
    again.header("x-runtime").unwrap_or_default().to_owned()
}

#[test]
fn petstore_on_a_python_function() {
    let python = std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: this test runs the example's handler with the \
             awslambdaric runtime client; run it through scripts/test.sh, which installs it"
        )
    });
    let function = format!("petstore={python} -m awslambdaric handler.handler");
    let mut command = portcullis();
    // `--function` runs the command in the gateway's working directory.
    command.current_dir(example_dir());
    let server = Server::start_with(
        command,
        &["--openapi", "openapi.yaml", "--function", &function],
    );
    assert_eq!(exercise(&server), "python");
}

/// Processes whose command line mentions `needle` (Linux `/proc`).
fn processes_running(needle: &str) -> usize {
    // Without a readable /proc every count would be 0 and the checks would pass.
    let entries = std::fs::read_dir("/proc")
        .expect("these checks read Linux /proc; it must be mounted and readable");
    assert!(
        std::path::Path::new("/proc/self/cmdline").exists(),
        "/proc does not list this process: the process checks cannot work here"
    );
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|cmdline| String::from_utf8_lossy(cmdline).contains(needle))
        .count()
}

#[test]
fn petstore_on_a_rust_function() {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", "petstore_function"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the example builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let binary = target.join("debug/examples/petstore_function");
    let function = format!("petstore={}", binary.display());
    let openapi = example_dir().join("openapi.yaml");
    let server = Server::start(&[
        "--openapi",
        openapi.to_str().unwrap(),
        "--function",
        &function,
    ]);
    assert_eq!(exercise(&server), "rust");
    let mut server = server;
    // SIGTERM: the gateway drains, stops the function's processes and exits.
    server.signal("TERM");
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the gateway exits");
    assert!(status.success(), "{status:?}");
    // No function process outlives the gateway.
    assert_eq!(processes_running(&binary.display().to_string()), 0);
}

/// A one-shot fake Lambda Invoke endpoint on loopback: answers each request
/// with `answer` and hands over what it received (head and body).
fn fake_invoke_endpoint(
    answer: &'static str,
) -> (std::net::SocketAddr, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = tx.send(format!("{head}\r\n{}", String::from_utf8_lossy(&body)));
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = reader.get_mut().write_all(reply.as_bytes());
        }
    });
    (addr, rx)
}

#[test]
fn remote_functions_are_invoked_with_sigv4() {
    let (endpoint, seen) = fake_invoke_endpoint(
        r#"{"statusCode": 200, "headers": {"x-runtime": "remote"}, "body": "[]"}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.yaml");
    std::fs::write(
        &config,
        format!(
            "apis: [{{ openapi: {} }}]\nfunctions:\n  petstore:\n    remote:\n      function: arn:aws:lambda:eu-west-1:123456789012:function:petstore\n      endpoint: http://{endpoint}\n",
            example_dir().join("openapi.yaml").display()
        ),
    )
    .unwrap();
    let mut command = portcullis();
    command
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        )
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let server = Server::start_with(command, &["--config", config.to_str().unwrap()]);
    let mut client = Client::connect(server.addr).unwrap();
    let reply = client.request("GET", "/pets?type=cat", &[], b"").unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("x-runtime"), Some("remote"));
    assert_eq!(reply.body, "[]");
    let request = seen
        .recv_timeout(Duration::from_secs(5))
        .expect("the endpoint was called");
    let lower = request.to_ascii_lowercase();
    assert!(
        request.starts_with(
            "POST /2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Apetstore/invocations "
        ),
        "{request}"
    );
    assert!(
        lower.contains("x-amz-invocation-type: requestresponse"),
        "{request}"
    );
    assert!(
        lower.contains("authorization: aws4-hmac-sha256 credential=akidexample/")
            && lower.contains("/eu-west-1/lambda/aws4_request"),
        "{request}"
    );
    // The body is the REST proxy event.
    assert!(request.contains(r#""resource":"/pets""#), "{request}");
    assert!(
        request.contains(r#""queryStringParameters":{"type":"cat"}"#),
        "{request}"
    );
}
