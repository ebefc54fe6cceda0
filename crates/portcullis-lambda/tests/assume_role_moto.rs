//! `CredentialSource::AssumeRole` against moto's STS in server mode on
//! 127.0.0.1 (`tests/fixtures/moto_sts.py`, run with the interpreter
//! `PORTCULLIS_PYTHON` names). moto answers `AssumeRole` with temporary keys
//! (`ASIA...`, a session token, an hour's expiry) and records each role it
//! hands out, which `/moto-api/data.json` shows: that is how these tests
//! count STS calls.
//!
//! The STS endpoint the AWS SDKs' environment variables name is tested in
//! child processes of this test binary, each given exactly the environment
//! its case needs: changing this process's environment would race with the
//! other tests (and needs `unsafe`, which this workspace forbids).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use portcullis_lambda::remote::signer::AwsCredentials;
use portcullis_lambda::remote::{
    AssumeRole, CredentialSource, DEFAULT_SESSION_NAME, RemoteError, RemoteFunction, RemoteSpec,
    StaticCredentials,
};

const REGION: &str = "eu-west-1";
const ROLE: &str = "arn:aws:iam::123456789012:role/portcullis-api";
const BASE_ACCESS_KEY: &str = "AKIDPORTCULLISBASE";
const BASE_SECRET: &str = "base/secret+key";
const BASE_TOKEN: &str = "base-session-token";

/// Nothing listens here: an endpoint that must not be the one used.
const DEAD_ENDPOINT: &str = "http://127.0.0.1:1";

fn base_keys() -> CredentialSource {
    CredentialSource::Static(StaticCredentials::new(
        BASE_ACCESS_KEY,
        BASE_SECRET,
        Some(BASE_TOKEN.to_owned()),
    ))
}

/// The interpreter with moto, from `scripts/test.sh`. Its absence fails the
/// test: an STS call nobody answered is not a tested STS call.
fn python() -> PathBuf {
    match std::env::var_os("PORTCULLIS_PYTHON") {
        Some(python) if !python.is_empty() => PathBuf::from(python),
        _ => panic!(
            "PORTCULLIS_PYTHON is not set: the assumed-role tests call moto's STS. Run \
             scripts/test.sh, which creates target/py-venv with moto[server] and sets \
             PORTCULLIS_PYTHON."
        ),
    }
}

/// moto in server mode, killed (by PID) when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    /// moto that answers anyone.
    fn start() -> Self {
        Self::spawn(&[])
    }

    /// moto that checks signatures as IAM would, so STS refuses unknown keys.
    fn start_with_iam_auth() -> Self {
        Self::spawn(&["--iam-auth"])
    }

    fn spawn(args: &[&str]) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/moto_sts.py");
        let mut child = Command::new(python())
            .arg(script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot run PORTCULLIS_PYTHON");
        let mut line = String::new();
        let read = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
        let endpoint = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|ready| ready["endpoint"].as_str().map(str::to_owned));
        let Some(endpoint) = endpoint else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "moto did not start ({read:?}, printed {line:?}): is moto[server] installed in \
                 PORTCULLIS_PYTHON's environment?"
            );
        };
        Self { child, endpoint }
    }

    /// The roles moto has handed out, oldest first: one per `AssumeRole` it
    /// granted.
    fn assumed_roles(&self) -> Vec<serde_json::Value> {
        let address = self.endpoint.strip_prefix("http://").unwrap();
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /moto-api/data.json HTTP/1.0\r\nHost: {address}\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").expect("no HTTP answer");
        assert!(
            head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
            "{head}"
        );
        let data: serde_json::Value = serde_json::from_str(body).unwrap();
        data["sts"]["AssumedRole"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // `Child::kill` signals exactly this child's PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assume(role: AssumeRole) -> AwsCredentials {
    AwsCredentials::new(&CredentialSource::AssumeRole(role), REGION)
}

/// Temporary keys as STS issues them, not the base's.
fn assert_temporary(credentials: &portcullis_lambda::remote::signer::Credentials, base: &str) {
    let key = credentials.access_key_id();
    assert_ne!(key, base);
    assert!(key.starts_with("ASIA"), "not a temporary key: {key}");
    assert!(!credentials.secret_access_key().is_empty());
    assert!(
        credentials
            .session_token()
            .is_some_and(|token| !token.is_empty()),
        "no session token"
    );
    let expiry = credentials.expiry().expect("no expiry");
    assert!(
        expiry > SystemTime::now() + Duration::from_secs(30 * 60),
        "expires too soon: {expiry:?}"
    );
}

#[tokio::test]
async fn assumes_the_role_with_static_base_keys_and_caches_the_keys() {
    let moto = Moto::start();
    let credentials = assume(AssumeRole::new(ROLE, base_keys()).with_sts_endpoint(&moto.endpoint));

    let first = credentials.get().await.unwrap();
    assert_temporary(&first, BASE_ACCESS_KEY);
    let granted = moto.assumed_roles();
    assert_eq!(granted.len(), 1, "{granted:?}");
    assert_eq!(granted[0]["role_arn"], ROLE);
    assert_eq!(granted[0]["session_name"], DEFAULT_SESSION_NAME);
    assert_eq!(granted[0]["access_key_id"], first.access_key_id());

    // Cached until shortly before the hour is up: no second AssumeRole.
    let second = credentials.get().await.unwrap();
    assert_eq!(second.access_key_id(), first.access_key_id());
    assert_eq!(second.session_token(), first.session_token());
    assert_eq!(moto.assumed_roles().len(), 1);

    let shown = format!("{credentials:?} {first:?}");
    assert!(
        !shown.contains(first.secret_access_key()) && !shown.contains(BASE_SECRET),
        "{shown}"
    );
}

#[tokio::test]
async fn the_session_name_reaches_sts() {
    let moto = Moto::start();
    let credentials = assume(
        AssumeRole::new(ROLE, base_keys())
            .with_session_name("gateway@eu-west-1")
            .with_sts_endpoint(&moto.endpoint),
    );
    credentials.get().await.unwrap();
    let granted = moto.assumed_roles();
    assert_eq!(granted.len(), 1, "{granted:?}");
    assert_eq!(granted[0]["session_name"], "gateway@eu-west-1");
    assert_eq!(
        granted[0]["arn"],
        "arn:aws:sts::123456789012:assumed-role/portcullis-api/gateway@eu-west-1"
    );
}

#[tokio::test]
async fn roles_chain_through_an_assumed_role() {
    let moto = Moto::start();
    let first_hop = "arn:aws:iam::123456789012:role/portcullis-hop";
    let inner = AssumeRole::new(first_hop, base_keys()).with_sts_endpoint(&moto.endpoint);
    let credentials = assume(
        AssumeRole::new(ROLE, CredentialSource::AssumeRole(inner))
            .with_sts_endpoint(&moto.endpoint),
    );
    let assumed = credentials.get().await.unwrap();
    assert_temporary(&assumed, BASE_ACCESS_KEY);
    let granted = moto.assumed_roles();
    let roles: Vec<_> = granted.iter().map(|role| &role["role_arn"]).collect();
    assert_eq!(roles, [first_hop, ROLE]);
    assert_eq!(granted[1]["access_key_id"], assumed.access_key_id());
    assert_ne!(granted[0]["access_key_id"], assumed.access_key_id());
}

#[tokio::test]
async fn a_malformed_role_arn_is_refused_naming_the_role() {
    // moto grants any ARN; AWS does not, so neither does Portcullis, and
    // nothing is sent.
    let moto = Moto::start();
    let credentials =
        assume(AssumeRole::new("not-an-arn", base_keys()).with_sts_endpoint(&moto.endpoint));
    let error = credentials.get().await.unwrap_err();
    assert!(error.contains("not-an-arn"), "{error}");
    assert!(!error.contains(BASE_SECRET), "{error}");
    assert!(moto.assumed_roles().is_empty());

    // A remote function's spec is refused when it is built.
    let mut spec = RemoteSpec::new("api-fn", "echo", REGION);
    spec.credentials = CredentialSource::AssumeRole(AssumeRole::new("not-an-arn", base_keys()));
    let error = RemoteFunction::new(spec).unwrap_err();
    assert!(
        matches!(error, RemoteError::InvalidAssumeRole { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("not-an-arn"), "{error}");
}

#[tokio::test]
async fn sts_refusals_name_the_role_and_carry_sts_message() {
    let moto = Moto::start_with_iam_auth();
    let credentials = assume(AssumeRole::new(ROLE, base_keys()).with_sts_endpoint(&moto.endpoint));
    let error = credentials.get().await.unwrap_err();
    println!("STS refusal: {error}");
    assert!(error.contains(ROLE), "{error}");
    assert!(error.contains("InvalidClientTokenId"), "{error}");
    assert!(
        error.contains("The security token included in the request is invalid"),
        "{error}"
    );
    for secret in [BASE_SECRET, BASE_TOKEN] {
        assert!(!error.contains(secret), "{error}");
    }
    assert!(moto.assumed_roles().is_empty());
}

// The STS endpoint from the environment: each case runs in a child process of
// this binary, `assume_role_child`, with exactly the environment below (no
// inherited AWS_* variables, HOME in a temp dir, instance metadata disabled).
// moto runs in the parent, which checks it granted the role; the child checks
// the keys it got.

const CHILD_CASE: &str = "PORTCULLIS_ASSUME_ROLE_CHILD";
const CHILD_MOTO: &str = "PORTCULLIS_ASSUME_ROLE_MOTO";

/// Runs `assume_role_child` for `case` in a fresh process whose environment
/// is only `vars` plus the isolation above, and asserts it passed and moto
/// granted the role `grants` times.
fn run_child(case: &str, moto: &Moto, home: &Path, vars: &[(&str, &str)], grants: usize) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "assume_role_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env(CHILD_CASE, case)
        .env(CHILD_MOTO, &moto.endpoint)
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("absent-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("absent-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
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
    let granted = moto.assumed_roles();
    assert_eq!(granted.len(), grants, "moto granted {granted:?}");
    assert!(
        granted.iter().all(|role| role["role_arn"] == ROLE),
        "{granted:?}"
    );
}

#[test]
fn the_service_endpoint_variable_names_sts() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    run_child(
        "environment",
        &moto,
        home.path(),
        &[
            ("AWS_ENDPOINT_URL_STS", &moto.endpoint),
            ("AWS_ENDPOINT_URL", DEAD_ENDPOINT),
        ],
        1,
    );
}

#[test]
fn the_global_endpoint_variable_names_sts_and_a_default_chain_base_signs() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    run_child(
        "default-chain-base",
        &moto,
        home.path(),
        &[
            ("AWS_ENDPOINT_URL", &moto.endpoint),
            ("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT"),
            ("AWS_SECRET_ACCESS_KEY", "env/secret+key"),
        ],
        1,
    );
}

#[test]
fn a_given_endpoint_wins_over_the_environment() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    run_child(
        "given-endpoint",
        &moto,
        home.path(),
        &[
            ("AWS_ENDPOINT_URL_STS", DEAD_ENDPOINT),
            ("AWS_ENDPOINT_URL", DEAD_ENDPOINT),
        ],
        1,
    );
}

#[test]
fn a_profile_base_brings_its_profile_endpoint() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[default]\nendpoint_url = {DEAD_ENDPOINT}\n\n\
             [profile sts-base]\n\
             aws_access_key_id = AKIDFROMPROFILE\n\
             aws_secret_access_key = profile/secret+key\n\
             endpoint_url = {}\n",
            moto.endpoint
        ),
    )
    .unwrap();
    run_child(
        "profile-base",
        &moto,
        home.path(),
        &[("AWS_CONFIG_FILE", config.to_str().unwrap())],
        1,
    );
}

#[test]
fn a_base_that_resolves_nothing_names_the_role() {
    let moto = Moto::start();
    let home = tempfile::tempdir().unwrap();
    run_child("missing-base", &moto, home.path(), &[], 0);
}

/// The child side of the environment tests; does nothing unless started by
/// [`run_child`] (it is `ignore`d so a plain `cargo test` leaves it alone).
#[tokio::test]
#[ignore = "runs in a child process of the endpoint tests, with the environment they set"]
async fn assume_role_child() {
    let Ok(case) = std::env::var(CHILD_CASE) else {
        return;
    };
    let moto = std::env::var(CHILD_MOTO).unwrap();
    let (role, base_key) = match case.as_str() {
        "environment" => (AssumeRole::new(ROLE, base_keys()), BASE_ACCESS_KEY),
        "default-chain-base" => (
            AssumeRole::new(ROLE, CredentialSource::Default),
            "AKIDFROMENVIRONMENT",
        ),
        "given-endpoint" => (
            AssumeRole::new(ROLE, base_keys()).with_sts_endpoint(moto),
            BASE_ACCESS_KEY,
        ),
        "profile-base" => (
            AssumeRole::new(ROLE, CredentialSource::Profile("sts-base".to_owned())),
            "AKIDFROMPROFILE",
        ),
        "missing-base" => {
            let role = AssumeRole::new(ROLE, CredentialSource::Profile("absent".to_owned()))
                .with_sts_endpoint(moto);
            let error = assume(role).get().await.unwrap_err();
            println!("missing base: {error}");
            assert!(error.contains(ROLE), "{error}");
            assert!(
                error.contains("base credentials (profile \"absent\")"),
                "{error}"
            );
            println!("child case {case}: ok");
            return;
        }
        other => panic!("unknown child case {other:?}"),
    };
    let assumed = assume(role).get().await.unwrap();
    assert_temporary(&assumed, base_key);
    println!("child case {case}: ok");
}
