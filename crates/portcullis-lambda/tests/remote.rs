//! The Invoke API client against a fake Lambda endpoint (a hyper server on
//! 127.0.0.1 that records every request), with every signature re-computed by
//! botocore, an implementation of SigV4 independent of the `aws-sigv4` crate.
//!
//! Credential sources that read the process environment are tested in child
//! processes of this test binary, each given exactly the environment its case
//! needs: changing this process's environment would race with the other tests
//! (and needs `unsafe`, which this workspace forbids).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::{Request, Response, StatusCode, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use portcullis_lambda::remote::{CredentialSource, RemoteError, RemoteFunction, RemoteSpec};
use portcullis_lambda::{Function, InvokeError, Outcome};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

mod remote_support;
use remote_support::{
    CONTAINER_PATH, Captured, FakeServer, IMDS_ROLE, IMDS_TOKEN, Keys, container_endpoint,
    instance_metadata, request_lines, sts_web_identity,
};

const REGION: &str = "eu-west-1";
const ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:echo:live";
const ECHO_RESULT: &str = r#"{"statusCode":200,"body":"hello"}"#;
const CRASH_DOCUMENT: &str = r#"{"errorMessage":"boom","errorType":"Error","stackTrace":[]}"#;

/// A fake Invoke endpoint. It answers by the function name in the path:
/// `crash` fails, `missing` is unknown, `busy` is throttled, `forged` has a
/// bad signature, `slow` never answers in time; anything else returns
/// [`ECHO_RESULT`].
struct FakeLambda {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Captured>>>,
    task: JoinHandle<()>,
}

impl FakeLambda {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(request, Arc::clone(&recorded)));
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    fn endpoint(&self) -> Uri {
        format!("http://{}", self.addr).parse().unwrap()
    }

    fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }

    fn only_request(&self) -> Captured {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "{requests:#?}");
        requests.into_iter().next().unwrap()
    }
}

impl Drop for FakeLambda {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(
    request: Request<Incoming>,
    recorded: Arc<Mutex<Vec<Captured>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let captured = Captured::read(request).await;
    let path = captured.path.clone();
    recorded.lock().unwrap().push(captured);
    let function = path
        .strip_prefix("/2015-03-31/functions/")
        .and_then(|rest| rest.strip_suffix("/invocations"))
        .unwrap_or_default();
    let error = |status: u16, error_type: &str, body: &str| {
        Response::builder()
            .status(status)
            .header("x-amzn-ErrorType", error_type)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap()
    };
    let response = match function {
        "crash" => Response::builder()
            .header("X-Amz-Function-Error", "Unhandled")
            .body(Full::new(Bytes::from_static(CRASH_DOCUMENT.as_bytes())))
            .unwrap(),
        "missing" => error(
            404,
            "ResourceNotFoundException",
            r#"{"Type":"User","message":"Function not found: arn:aws:lambda:eu-west-1:123456789012:function:missing"}"#,
        ),
        "busy" => error(
            429,
            "TooManyRequestsException",
            r#"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#,
        ),
        "forged" => error(
            403,
            "InvalidSignatureException",
            r#"{"Message":"The request signature we calculated does not match the signature you provided."}"#,
        ),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Response::new(Full::new(Bytes::new()))
        }
        _ => Response::builder()
            .status(StatusCode::OK)
            .header("X-Amz-Executed-Version", "7")
            .body(Full::new(Bytes::from_static(ECHO_RESULT.as_bytes())))
            .unwrap(),
    };
    Ok(response)
}

const STATIC_KEYS: Keys = Keys {
    access_key: "AKIDSTATICEXAMPLE",
    secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSTATICKEY",
    token: Some("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ=="),
};

fn spec(server: &FakeLambda, function: &str, credentials: CredentialSource) -> RemoteSpec {
    let mut spec = RemoteSpec::new("api-fn", function, REGION);
    spec.endpoint = Some(server.endpoint());
    spec.credentials = credentials;
    spec.timeout = Duration::from_secs(10);
    spec
}

fn remote(server: &FakeLambda, function: &str) -> RemoteFunction {
    RemoteFunction::new(spec(server, function, STATIC_KEYS.source())).unwrap()
}

/// The interpreter with botocore, from `scripts/test.sh`. Its absence fails
/// the test: a signature nobody checked is not a tested signature.
fn python() -> PathBuf {
    match std::env::var_os("PORTCULLIS_PYTHON") {
        Some(python) if !python.is_empty() => PathBuf::from(python),
        _ => panic!(
            "PORTCULLIS_PYTHON is not set: the remote Lambda tests check SigV4 signatures with \
             botocore. Run scripts/test.sh, which installs it and sets PORTCULLIS_PYTHON."
        ),
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Asserts that `captured` carries a SigV4 signature for `keys` that botocore,
/// re-signing the same request at the same time, computes identically.
fn assert_signed_by(captured: &Captured, keys: Keys) {
    let authorization = captured
        .header("authorization")
        .expect("no Authorization header");
    let date = captured.header("x-amz-date").expect("no X-Amz-Date header");
    let scope = format!(
        "AWS4-HMAC-SHA256 Credential={}/{}/{REGION}/lambda/aws4_request, SignedHeaders=",
        keys.access_key,
        &date[..8]
    );
    assert!(authorization.starts_with(&scope), "{authorization}");
    let signed = authorization
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap();
    let signed: Vec<&str> = signed.split(';').collect();
    for required in ["host", "x-amz-date", "x-amz-invocation-type"] {
        assert!(
            signed.contains(&required),
            "{required} is not signed: {signed:?}"
        );
    }
    assert_eq!(captured.header("x-amz-security-token"), keys.token);
    assert_eq!(
        signed.contains(&"x-amz-security-token"),
        keys.token.is_some(),
        "{signed:?}"
    );

    assert_eq!(botocore_authorization(captured, keys), authorization);
}

/// The Authorization header botocore computes for `captured` with `keys`, at
/// the time its `X-Amz-Date` says.
fn botocore_authorization(captured: &Captured, keys: Keys) -> String {
    let case = serde_json::json!({
        "method": captured.method,
        "url": format!("http://{}{}", captured.header("host").unwrap(), captured.path),
        "headers": captured.headers,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(&captured.body),
        "region": REGION,
        "service": "lambda",
        "access_key": keys.access_key,
        "secret_key": keys.secret_key,
        "token": keys.token,
    });
    let mut child = Command::new(python())
        .arg(fixture("remote_sigv4_botocore.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run PORTCULLIS_PYTHON");
    serde_json::to_writer(child.stdin.take().unwrap(), &case).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "botocore re-signing failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let botocore: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    botocore["authorization"]
        .as_str()
        .expect("botocore printed no authorization")
        .to_owned()
}

fn assert_send<T: Send>(_: &T) {}

fn remote_error(result: Result<Outcome, InvokeError>) -> (u16, String) {
    match result {
        Err(InvokeError::Remote {
            function,
            status,
            message,
        }) => {
            assert_eq!(function, "api-fn");
            (status, message)
        }
        other => panic!("expected a Remote error, got {other:?}"),
    }
}

fn transport_error(result: Result<Outcome, InvokeError>) -> String {
    match result {
        Err(InvokeError::Transport { function, message }) => {
            assert_eq!(function, "api-fn");
            message
        }
        other => panic!("expected a Transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn returns_the_result_of_a_signed_request_that_botocore_verifies() {
    let server = FakeLambda::start().await;
    let function = Function::Remote(Arc::new(remote(&server, ARN)));
    assert_eq!(function.name(), "api-fn");
    let payload = Bytes::from(r#"{"path":"/ünïcode","body":"a b+c"}"#);

    // The gateway spawns invocations onto a multi-threaded runtime.
    let invocation = function.invoke(payload.clone(), "req-1");
    assert_send(&invocation);
    let outcome = invocation.await.unwrap();

    assert_eq!(
        outcome,
        Outcome::Returned(Bytes::from_static(ECHO_RESULT.as_bytes()))
    );
    let captured = server.only_request();
    assert_eq!(captured.method, "POST");
    assert_eq!(
        captured.path,
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aecho%3Alive/invocations"
    );
    assert_eq!(
        captured.header("x-amz-invocation-type"),
        Some("RequestResponse")
    );
    assert_eq!(
        captured.header("host"),
        Some(server.addr.to_string().as_str())
    );
    assert_eq!(captured.body, payload);
    assert_signed_by(&captured, STATIC_KEYS);
}

#[tokio::test]
async fn signs_without_a_session_token_and_with_an_empty_payload() {
    let server = FakeLambda::start().await;
    let keys = Keys {
        token: None,
        ..STATIC_KEYS
    };
    let function = RemoteFunction::new(spec(&server, "echo", keys.source())).unwrap();

    let outcome = function.invoke(Bytes::new(), "req-2").await.unwrap();

    assert_eq!(
        outcome,
        Outcome::Returned(Bytes::from_static(ECHO_RESULT.as_bytes()))
    );
    let captured = server.only_request();
    assert_eq!(captured.path, "/2015-03-31/functions/echo/invocations");
    assert!(captured.body.is_empty());
    assert_signed_by(&captured, keys);
}

/// The check above has teeth: botocore disagrees as soon as anything signed
/// differs from what was signed (body, path, a signed header, the secret).
#[tokio::test]
async fn botocore_rejects_a_tampered_request() {
    let server = FakeLambda::start().await;
    remote(&server, ARN)
        .invoke(Bytes::from("{\"a\":1}"), "r")
        .await
        .unwrap();
    let captured = server.only_request();
    let authorization = captured.header("authorization").unwrap().to_owned();
    assert_eq!(
        botocore_authorization(&captured, STATIC_KEYS),
        authorization
    );

    let mut body = captured.clone();
    body.body = Bytes::from("{\"a\":2}");
    let mut path = captured.clone();
    path.path = path.path.replace("echo%3Alive", "echo%3Aprod");
    let mut header = captured.clone();
    for (name, value) in &mut header.headers {
        if name == "x-amz-invocation-type" {
            *value = "Event".to_owned();
        }
    }
    for tampered in [body, path, header] {
        assert_ne!(
            botocore_authorization(&tampered, STATIC_KEYS),
            authorization
        );
    }
    let wrong_secret = Keys {
        secret_key: "not-the-secret",
        ..STATIC_KEYS
    };
    assert_ne!(
        botocore_authorization(&captured, wrong_secret),
        authorization
    );
}

#[tokio::test]
async fn reuses_the_connection_and_signs_every_request() {
    let server = FakeLambda::start().await;
    let function = remote(&server, "echo");
    for round in 0..3 {
        let payload = Bytes::from(format!("{{\"round\":{round}}}"));
        function.invoke(payload, "req").await.unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for captured in &requests {
        assert_signed_by(captured, STATIC_KEYS);
    }
}

#[tokio::test]
async fn a_function_error_is_a_failed_outcome() {
    let server = FakeLambda::start().await;
    let outcome = remote(&server, "crash")
        .invoke(Bytes::from("{}"), "req")
        .await;
    assert_eq!(
        outcome.unwrap(),
        Outcome::Failed(Bytes::from_static(CRASH_DOCUMENT.as_bytes()))
    );
}

#[tokio::test]
async fn an_unknown_function_is_a_remote_404() {
    let server = FakeLambda::start().await;
    let (status, message) =
        remote_error(remote(&server, "missing").invoke(Bytes::new(), "r").await);
    assert_eq!(status, 404);
    assert_eq!(
        message,
        "ResourceNotFoundException: Function not found: arn:aws:lambda:eu-west-1:123456789012:function:missing"
    );
}

#[tokio::test]
async fn throttling_is_a_remote_429_with_its_reason() {
    let server = FakeLambda::start().await;
    let (status, message) = remote_error(remote(&server, "busy").invoke(Bytes::new(), "r").await);
    assert_eq!(status, 429);
    assert_eq!(
        message,
        "TooManyRequestsException (ReservedFunctionConcurrentInvocationLimitExceeded): Rate Exceeded."
    );
}

#[tokio::test]
async fn a_rejected_signature_is_a_remote_403() {
    let server = FakeLambda::start().await;
    let (status, message) = remote_error(remote(&server, "forged").invoke(Bytes::new(), "r").await);
    assert_eq!(status, 403);
    assert_eq!(
        message,
        "InvalidSignatureException: The request signature we calculated does not match the signature you provided."
    );
}

#[tokio::test]
async fn a_closed_connection_is_a_transport_error() {
    // Reads the request, then hangs up without a word.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hang_up = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
        }
    });
    let mut spec = RemoteSpec::new("api-fn", "echo", REGION);
    spec.endpoint = Some(format!("http://{addr}").parse().unwrap());
    spec.credentials = STATIC_KEYS.source();
    let message = transport_error(
        RemoteFunction::new(spec)
            .unwrap()
            .invoke(Bytes::new(), "r")
            .await,
    );
    assert!(message.contains("closed"), "{message}");
    hang_up.abort();
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    // The listener is dropped: nothing accepts on that port any more.
    let mut spec = RemoteSpec::new("api-fn", "echo", REGION);
    spec.endpoint = Some(format!("http://{addr}").parse().unwrap());
    spec.credentials = STATIC_KEYS.source();
    let message = transport_error(
        RemoteFunction::new(spec)
            .unwrap()
            .invoke(Bytes::new(), "r")
            .await,
    );
    assert!(message.to_lowercase().contains("refused"), "{message}");
}

/// An https endpoint whose certificate no system root vouches for: the
/// handshake fails, which is a transport error (nothing was invoked).
#[tokio::test]
async fn an_untrusted_certificate_is_a_transport_error() {
    let generated = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(generated.signing_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![generated.cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = acceptor.accept(stream).await;
        }
    });
    let mut spec = RemoteSpec::new("api-fn", "echo", REGION);
    spec.endpoint = Some(format!("https://{addr}").parse().unwrap());
    spec.credentials = STATIC_KEYS.source();
    let message = transport_error(
        RemoteFunction::new(spec)
            .unwrap()
            .invoke(Bytes::new(), "r")
            .await,
    );
    assert!(message.contains("certificate"), "{message}");
    server.abort();
}

#[tokio::test]
async fn no_answer_in_time_is_a_transport_error() {
    let server = FakeLambda::start().await;
    let mut spec = spec(&server, "slow", STATIC_KEYS.source());
    spec.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let message = transport_error(
        RemoteFunction::new(spec)
            .unwrap()
            .invoke(Bytes::new(), "r")
            .await,
    );
    assert!(message.contains("no answer within 300ms"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn bad_specs_are_refused_with_clear_messages() {
    let server = FakeLambda::start().await;
    let error =
        RemoteFunction::new(spec(&server, "my function", STATIC_KEYS.source())).unwrap_err();
    assert!(matches!(error, RemoteError::InvalidFunction { .. }));
    assert!(
        error
            .to_string()
            .contains("\"my function\" is not a Lambda function name or ARN"),
        "{error}"
    );

    let mut bad_endpoint = spec(&server, "echo", STATIC_KEYS.source());
    bad_endpoint.endpoint = Some("ftp://example.test".parse().unwrap());
    let error = RemoteFunction::new(bad_endpoint).unwrap_err();
    assert!(
        error.to_string().contains("must be http or https"),
        "{error}"
    );
}

#[tokio::test]
async fn debug_output_never_shows_secrets() {
    let server = FakeLambda::start().await;
    let function = remote(&server, "echo");
    function.invoke(Bytes::new(), "r").await.unwrap();
    let shown = format!("{function:?} {:?}", STATIC_KEYS.source());
    assert!(shown.contains("AKIDSTATICEXAMPLE"), "{shown}");
    assert!(!shown.contains(STATIC_KEYS.secret_key), "{shown}");
    assert!(!shown.contains(STATIC_KEYS.token.unwrap()), "{shown}");
}

// Credential sources that read the environment: each case runs in a child
// process of this binary, `credential_child`, with exactly the environment
// below (no inherited AWS_* variables, HOME in a temp dir, instance metadata
// disabled so nothing leaves the machine, unless the case points it at a fake).
//
// The fake credential services (`remote_support`) run in the parent test: the
// child's environment must name their port before it starts, and a process
// cannot change its own environment without `unsafe`. The parent checks what
// they were asked; the child checks the keys the invocations were signed with.

const CHILD_CASE: &str = "PORTCULLIS_REMOTE_CHILD";

const ENV_KEYS: Keys = Keys {
    access_key: "AKIDFROMENVIRONMENT",
    secret_key: "env/secret+key",
    token: Some("env-session-token"),
};

const PROFILE_KEYS: Keys = Keys {
    access_key: "AKIDFROMPROFILE",
    secret_key: "profile/secret+key",
    token: Some("profile-session-token"),
};

const CONFIG_KEYS: Keys = Keys {
    access_key: "AKIDFROMCONFIGFILE",
    secret_key: "config/secret+key",
    token: None,
};

const CREDENTIALS_FILE: &str = "\
[default]
aws_access_key_id = AKIDDEFAULTPROFILE
aws_secret_access_key = default-secret

[portcullis-test]
aws_access_key_id = AKIDFROMPROFILE
aws_secret_access_key = profile/secret+key
aws_session_token = profile-session-token
";

const CONFIG_FILE: &str = "\
[default]
region = us-east-1

[profile from-config]
aws_access_key_id = AKIDFROMCONFIGFILE
aws_secret_access_key = config/secret+key
";

/// Runs `credential_child` for `case` in a fresh process whose environment
/// is only `vars` plus the isolation above, and asserts it passed.
/// (Blocking: from an async test, call it through [`in_child`].)
fn run_child(case: &str, home: &Path, vars: &[(&str, &str)]) {
    let python = python();
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "credential_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env(CHILD_CASE, case)
        .env("PORTCULLIS_PYTHON", python)
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("absent-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("absent-credentials"),
        )
        .envs(vars.iter().copied());
    // Instance metadata stays off unless the case gives it an endpoint (then
    // the variable is absent, as on a real instance).
    if !vars
        .iter()
        .any(|(name, _)| name.starts_with("AWS_EC2_METADATA_"))
    {
        command.env("AWS_EC2_METADATA_DISABLED", "true");
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "child case {case} failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("child case {case}: ok")),
        "child case {case} did not run:\n{stdout}\n{stderr}"
    );
}

/// A temp HOME with the shared credentials and config files.
fn home_with_profiles() -> (tempfile::TempDir, String, String) {
    let home = tempfile::tempdir().unwrap();
    let credentials = home.path().join("credentials");
    let config = home.path().join("config");
    std::fs::write(&credentials, CREDENTIALS_FILE).unwrap();
    std::fs::write(&config, CONFIG_FILE).unwrap();
    let credentials = credentials.to_str().unwrap().to_owned();
    let config = config.to_str().unwrap().to_owned();
    (home, credentials, config)
}

#[test]
fn the_default_chain_reads_the_environment_first() {
    let (home, credentials, config) = home_with_profiles();
    run_child(
        "environment",
        home.path(),
        &[
            ("AWS_ACCESS_KEY_ID", ENV_KEYS.access_key),
            ("AWS_SECRET_ACCESS_KEY", ENV_KEYS.secret_key),
            ("AWS_SESSION_TOKEN", ENV_KEYS.token.unwrap()),
            ("AWS_PROFILE", "portcullis-test"),
            ("AWS_SHARED_CREDENTIALS_FILE", &credentials),
            ("AWS_CONFIG_FILE", &config),
        ],
    );
}

#[test]
fn the_default_chain_reads_the_profile_aws_profile_names() {
    let (home, credentials, config) = home_with_profiles();
    run_child(
        "profile",
        home.path(),
        &[
            ("AWS_PROFILE", "portcullis-test"),
            ("AWS_SHARED_CREDENTIALS_FILE", &credentials),
            ("AWS_CONFIG_FILE", &config),
        ],
    );
}

#[test]
fn a_named_profile_source_ignores_the_environment() {
    let (home, credentials, config) = home_with_profiles();
    run_child(
        "named-profile",
        home.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDIGNORED"),
            ("AWS_SECRET_ACCESS_KEY", "ignored"),
            ("AWS_PROFILE", "portcullis-test"),
            ("AWS_SHARED_CREDENTIALS_FILE", &credentials),
            ("AWS_CONFIG_FILE", &config),
        ],
    );
}

#[test]
fn missing_credentials_are_a_credentials_error() {
    let home = tempfile::tempdir().unwrap();
    run_child("missing", home.path(), &[]);
}

/// [`run_child`] from an async test whose fake servers must keep answering
/// meanwhile (the test runs on the multi-thread runtime).
fn in_child(case: &str, home: &Path, vars: &[(&str, &str)]) {
    tokio::task::block_in_place(|| run_child(case, home, vars));
}

const CONTAINER_KEYS: Keys = Keys {
    access_key: "AKIDFROMCONTAINER",
    secret_key: "container/secret+key",
    token: Some("container-session-token"),
};

const INSTANCE_KEYS: Keys = Keys {
    access_key: "AKIDFROMINSTANCE",
    secret_key: "instance/secret+key",
    token: Some("instance-session-token"),
};

const WEB_IDENTITY_KEYS: Keys = Keys {
    access_key: "AKIDFROMWEBIDENTITY",
    secret_key: "web-identity/secret+key",
    token: Some("web-identity-session-token"),
};

/// The token the container endpoint requires in `Authorization`.
const CONTAINER_AUTHORIZATION: &str = "Bearer fake-container-authorization";

/// A JWT-shaped web identity token (what EKS writes to the token file).
const WEB_IDENTITY_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb3J0Y3VsbGlzIn0.c2lnbmF0dXJl";
const WEB_IDENTITY_ROLE: &str = "arn:aws:iam::123456789012:role/portcullis-web";
const WEB_IDENTITY_SESSION: &str = "portcullis-session";

/// What the fake STS requires besides the action.
const WEB_IDENTITY_FORM: &[(&str, &str)] = &[
    ("RoleArn", WEB_IDENTITY_ROLE),
    ("RoleSessionName", WEB_IDENTITY_SESSION),
    ("WebIdentityToken", WEB_IDENTITY_TOKEN),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_default_chain_reads_the_container_endpoint() {
    let endpoint = FakeServer::start(container_endpoint(CONTAINER_KEYS, None)).await;
    let home = tempfile::tempdir().unwrap();
    let uri = endpoint.url(CONTAINER_PATH);
    in_child(
        "container",
        home.path(),
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)],
    );
    // Asked once: the keys expire in two hours, so the second call reuses them.
    let requests = endpoint.requests();
    assert_eq!(request_lines(&requests), [format!("GET {CONTAINER_PATH}")]);
    assert_eq!(requests[0].header("authorization"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_container_endpoint_gets_the_authorization_token() {
    let endpoint = FakeServer::start(container_endpoint(
        CONTAINER_KEYS,
        Some(CONTAINER_AUTHORIZATION),
    ))
    .await;
    let home = tempfile::tempdir().unwrap();
    let uri = endpoint.url(CONTAINER_PATH);
    in_child(
        "container",
        home.path(),
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_AUTHORIZATION),
        ],
    );
    let requests = endpoint.requests();
    assert_eq!(request_lines(&requests), [format!("GET {CONTAINER_PATH}")]);
    assert!(requests[0].header("authorization") == Some(CONTAINER_AUTHORIZATION));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_default_chain_reads_instance_metadata_with_a_session_token() {
    let imds = FakeServer::start(instance_metadata(INSTANCE_KEYS)).await;
    let home = tempfile::tempdir().unwrap();
    let endpoint = imds.url("/");
    in_child(
        "instance-metadata",
        home.path(),
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)],
    );
    // A session token, the role, its keys; then the cached keys sign the
    // second call.
    let requests = imds.requests();
    assert_eq!(
        request_lines(&requests),
        [
            "PUT /latest/api/token".to_owned(),
            "GET /latest/meta-data/iam/security-credentials/".to_owned(),
            format!("GET /latest/meta-data/iam/security-credentials/{IMDS_ROLE}"),
        ]
    );
    for request in &requests[1..] {
        assert!(request.header("x-aws-ec2-metadata-token") == Some(IMDS_TOKEN));
    }
}

/// The web identity provider's STS client takes its endpoint from
/// `AWS_ENDPOINT_URL_STS`, or else `AWS_ENDPOINT_URL`, like every SDK client.
async fn web_identity_through(endpoint_variable: &str) {
    let sts = FakeServer::start(sts_web_identity(WEB_IDENTITY_KEYS, WEB_IDENTITY_FORM)).await;
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("web-identity-token");
    std::fs::write(&token_file, WEB_IDENTITY_TOKEN).unwrap();
    let endpoint = sts.url("");
    in_child(
        "web-identity",
        home.path(),
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
            ("AWS_ROLE_ARN", WEB_IDENTITY_ROLE),
            ("AWS_ROLE_SESSION_NAME", WEB_IDENTITY_SESSION),
            (endpoint_variable, &endpoint),
        ],
    );
    let requests = sts.requests();
    assert_eq!(request_lines(&requests), ["POST /"]);
    let request = &requests[0];
    assert_eq!(
        request.form_field("Action").as_deref(),
        Some("AssumeRoleWithWebIdentity")
    );
    assert!(request.form_field("WebIdentityToken").as_deref() == Some(WEB_IDENTITY_TOKEN));
    assert_eq!(
        request.form_field("RoleArn").as_deref(),
        Some(WEB_IDENTITY_ROLE)
    );
    assert_eq!(
        request.form_field("RoleSessionName").as_deref(),
        Some(WEB_IDENTITY_SESSION)
    );
    // AssumeRoleWithWebIdentity is not signed: the token is the proof.
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn the_default_chain_assumes_a_role_with_web_identity() {
    web_identity_through("AWS_ENDPOINT_URL_STS").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn web_identity_honours_the_global_endpoint_variable() {
    web_identity_through("AWS_ENDPOINT_URL").await;
}

/// The child side of the credential tests; does nothing unless started by
/// [`run_child`] (it is `ignore`d so a plain `cargo test` leaves it alone).
#[tokio::test]
#[ignore = "runs in a child process of the credential tests, with the environment they set"]
async fn credential_child() {
    let Ok(case) = std::env::var(CHILD_CASE) else {
        return;
    };
    let server = FakeLambda::start().await;
    match case.as_str() {
        "environment" => expect_signed_with(&server, CredentialSource::Default, ENV_KEYS).await,
        "profile" => expect_signed_with(&server, CredentialSource::Default, PROFILE_KEYS).await,
        "named-profile" => {
            let source = CredentialSource::Profile("from-config".to_owned());
            expect_signed_with(&server, source, CONFIG_KEYS).await;
        }
        "container" => {
            expect_signed_with(&server, CredentialSource::Default, CONTAINER_KEYS).await;
        }
        "instance-metadata" => {
            expect_signed_with(&server, CredentialSource::Default, INSTANCE_KEYS).await;
        }
        "web-identity" => {
            expect_signed_with(&server, CredentialSource::Default, WEB_IDENTITY_KEYS).await;
        }
        "missing" => {
            let function = RemoteFunction::new(spec(&server, "echo", CredentialSource::Default));
            // Nothing is read before the first invocation.
            let function = function.expect("building needs no credentials");
            match function.invoke(Bytes::new(), "r").await {
                Err(InvokeError::Credentials { function, message }) => {
                    assert_eq!(function, "api-fn");
                    assert!(!message.is_empty());
                    println!("credentials error: {message}");
                }
                other => panic!("expected a Credentials error, got {other:?}"),
            }
            assert!(server.requests().is_empty(), "an unsigned request was sent");
        }
        other => panic!("unknown child case {other:?}"),
    }
    println!("child case {case}: ok");
}

async fn expect_signed_with(server: &FakeLambda, source: CredentialSource, keys: Keys) {
    let function = RemoteFunction::new(spec(server, "echo", source)).unwrap();
    for _ in 0..2 {
        let outcome = function.invoke(Bytes::from("{}"), "r").await.unwrap();
        assert_eq!(
            outcome,
            Outcome::Returned(Bytes::from_static(ECHO_RESULT.as_bytes()))
        );
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for captured in &requests {
        assert_signed_by(captured, keys);
    }
    let shown = format!("{function:?}");
    assert!(!shown.contains(keys.secret_key), "{shown}");
}
