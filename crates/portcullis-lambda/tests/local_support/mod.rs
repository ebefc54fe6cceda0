//! Shared helpers of the `local_*` tests.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use portcullis_lambda::Outcome;
use portcullis_lambda::local::{LocalFunction, LocalSpec};
use serde_json::Value;

/// Every test body runs under this bound, so a hang fails instead of blocking CI.
pub const TEST_LIMIT: Duration = Duration::from_secs(60);

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A spec running the standard-library fixture runtime with `python3`.
pub fn fixture_spec(name: &str) -> LocalSpec {
    let script = fixtures().join("local_runtime.py");
    let mut spec = LocalSpec::new(
        name,
        ["python3".to_owned(), script.to_string_lossy().into_owned()],
    );
    spec.timeout = Duration::from_secs(5);
    spec
}

pub fn function(spec: LocalSpec) -> LocalFunction {
    LocalFunction::new(spec).expect("valid spec")
}

/// Invokes with a JSON event; panics (failing the test) on an invoke error.
pub async fn invoke(function: &LocalFunction, event: Value) -> Outcome {
    invoke_as(function, event, "test-request").await
}

pub async fn invoke_as(function: &LocalFunction, event: Value, request_id: &str) -> Outcome {
    let payload = Bytes::from(serde_json::to_vec(&event).unwrap());
    tokio::time::timeout(
        Duration::from_secs(30),
        function.invoke(payload, request_id),
    )
    .await
    .expect("invocation answered within 30 s")
    .expect("invocation was accepted")
}

pub fn returned(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Returned(body) => serde_json::from_slice(&body).expect("JSON result"),
        Outcome::Failed(body) => panic!(
            "expected a result, got error {}",
            String::from_utf8_lossy(&body)
        ),
    }
}

pub fn failed(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Failed(body) => serde_json::from_slice(&body).expect("JSON error document"),
        Outcome::Returned(body) => {
            panic!("expected an error, got {}", String::from_utf8_lossy(&body))
        }
    }
}

pub fn pid(result: &Value) -> u64 {
    result["pid"].as_u64().expect("result carries the pid")
}

/// Whether a process of that pid exists (Linux `/proc`). Panics when `/proc`
/// does not show this very process, where every pid would look gone.
pub fn alive(pid: u64) -> bool {
    assert!(
        std::path::Path::new(&format!("/proc/{}", std::process::id())).exists(),
        "/proc does not list this process: process checks need Linux /proc"
    );
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Waits up to `limit` for the process to be gone.
pub async fn gone_within(pid: u64, limit: Duration) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    !alive(pid)
}
