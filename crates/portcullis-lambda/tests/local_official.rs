//! Crash replacement, timeouts, oversized responses, throttling, queueing and
//! shutdown of local functions, proven with the official runtime clients: the
//! Python `awslambdaric` (from the venv `PORTCULLIS_PYTHON` names) and the Rust
//! `lambda_runtime` (the `fixture_rust_function` example, built on demand).
//! `local_runtime.rs` covers the same ground, and more, with a stand-in client
//! whose behaviour each event chooses.

mod local_support;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use portcullis_lambda::InvokeError;
use portcullis_lambda::local::{LocalFunction, LocalSpec, QueueSpec};
use serde_json::json;

use local_support::*;

#[derive(Debug, Clone, Copy)]
enum Client {
    Awslambdaric,
    LambdaRuntime,
}

const CLIENTS: [Client; 2] = [Client::Awslambdaric, Client::LambdaRuntime];

fn python() -> String {
    std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: run scripts/test.sh, which creates target/py-venv with \
             awslambdaric and exports PORTCULLIS_PYTHON for these tests"
        )
    })
}

/// The Rust fixture function, built once per test binary.
fn rust_function() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "-p",
                "portcullis-lambda",
                "--example",
                "fixture_rust_function",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the fixture function builds");
        // Examples land beside this test binary's `deps` directory.
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap();
        let binary = profile_dir.join("examples/fixture_rust_function");
        assert!(binary.exists(), "{} was not built", binary.display());
        binary
    })
}

fn spec(client: Client, name: &str) -> LocalSpec {
    let mut spec = match client {
        Client::Awslambdaric => {
            let mut spec = LocalSpec::new(
                name,
                [
                    python(),
                    "-m".into(),
                    "awslambdaric".into(),
                    "local_handler.act".into(),
                ],
            );
            spec.cwd = Some(fixtures());
            spec.env.insert(
                "PYTHONPATH".into(),
                fixtures().to_string_lossy().into_owned(),
            );
            spec.handler = Some("local_handler.act".into());
            spec
        }
        Client::LambdaRuntime => {
            let program = rust_function().to_string_lossy().into_owned();
            LocalSpec::new(name, [program])
        }
    };
    spec.timeout = Duration::from_secs(10);
    spec
}

/// Runs `scenario` once per official client, each bounded in time.
async fn with_each_client<F, Fut>(scenario: F)
where
    F: Fn(Client) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for client in CLIENTS {
        if matches!(client, Client::LambdaRuntime) {
            tokio::task::block_in_place(rust_function);
        }
        tokio::time::timeout(TEST_LIMIT, scenario(client))
            .await
            .unwrap_or_else(|_| panic!("{client:?}: the scenario finished in time"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_process_is_an_exit_error_and_is_replaced() {
    with_each_client(|client| async move {
        let f = function(spec(client, "crashes"));
        let first = pid(&returned(invoke(&f, json!({})).await));
        let document = failed(invoke(&f, json!({"action": "exit", "code": 3})).await);
        assert_eq!(document["errorType"], "Runtime.ExitError", "{client:?}");
        let message = document["errorMessage"].as_str().unwrap();
        assert!(
            message.ends_with(" Error: Runtime exited with error: exit status 3"),
            "{client:?}: {message}"
        );
        assert!(
            gone_within(first, Duration::from_secs(5)).await,
            "{client:?}"
        );
        let next = returned(invoke(&f, json!({})).await);
        assert_ne!(pid(&next), first, "{client:?}: a new process serves");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_process_is_killed_and_replaced() {
    with_each_client(|client| async move {
        let mut spec = spec(client, "slow");
        spec.timeout = Duration::from_secs(1);
        let f = function(spec);
        let first = pid(&returned(invoke(&f, json!({})).await));
        let document = failed(invoke(&f, json!({"action": "sleep", "seconds": 20})).await);
        let message = document["errorMessage"].as_str().unwrap();
        assert!(
            message.ends_with("Task timed out after 1.00 seconds"),
            "{client:?}: {message}"
        );
        assert!(
            gone_within(first, Duration::from_secs(5)).await,
            "{client:?}: the timed-out process was killed"
        );
        let next = returned(invoke(&f, json!({})).await);
        assert_ne!(pid(&next), first, "{client:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_response_fails_and_the_next_call_is_served() {
    with_each_client(|client| async move {
        let f = function(spec(client, "big"));
        let warm = pid(&returned(invoke(&f, json!({})).await));
        let document = failed(invoke(&f, json!({"action": "big", "bytes": 7 * 1024 * 1024})).await);
        assert_eq!(
            document["errorType"], "Function.ResponseSizeTooLarge",
            "{client:?}"
        );
        // The next call is served at once. lambda_runtime carries on in the
        // same process; awslambdaric ends its process when its report is
        // refused, and the call, which that process never took, goes to a
        // fresh one instead of failing.
        let next = pid(&returned(invoke(&f, json!({})).await));
        match client {
            Client::LambdaRuntime => assert_eq!(next, warm, "{client:?}: still warm"),
            Client::Awslambdaric => {
                assert!(gone_within(warm, Duration::from_secs(5)).await);
                assert_ne!(next, warm);
            }
        }
    })
    .await;
}

/// Starts a call that holds its process for `seconds` and returns once the
/// handler runs (it creates a marker file first), so the call surely holds
/// its concurrency slot.
async fn hold(
    f: &Arc<LocalFunction>,
    seconds: f64,
) -> tokio::task::JoinHandle<portcullis_lambda::Outcome> {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let event = json!({"action": "sleep", "seconds": seconds, "touch": marker});
    let call = {
        let f = f.clone();
        tokio::spawn(async move { invoke(&f, event).await })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !marker.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the held call did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    call
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_above_reserved_concurrency_are_throttled_or_queued() {
    with_each_client(|client| async move {
        let mut throttled = spec(client, "throttled");
        throttled.reserved_concurrency = 1;
        let f = Arc::new(function(throttled));
        let busy = hold(&f, 1.0).await;
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        assert!(
            matches!(&err, InvokeError::Throttled { limit: 1, .. }),
            "{client:?}: {err:?}"
        );
        let first = pid(&returned(busy.await.unwrap()));
        // The slot is free again as soon as the answer is in.
        assert_eq!(pid(&returned(invoke(&f, json!({})).await)), first);

        let mut queued = spec(client, "queued");
        queued.reserved_concurrency = 1;
        queued.queue = Some(QueueSpec {
            depth: 1,
            max_wait: Duration::from_secs(20),
        });
        let f = Arc::new(function(queued));
        let busy = hold(&f, 1.0).await;
        let waiting = {
            let f = f.clone();
            tokio::spawn(async move { invoke(&f, json!({})).await })
        };
        // The queued call takes the one queue place as soon as its task runs.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        assert!(
            matches!(&err, InvokeError::Throttled { limit: 1, .. }),
            "{client:?}: the one queue place is taken: {err:?}"
        );
        let first = pid(&returned(busy.await.unwrap()));
        let second = pid(&returned(waiting.await.unwrap()));
        assert_eq!(
            first, second,
            "{client:?}: the queued call got the warm process"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_kills_idle_and_busy_processes() {
    with_each_client(|client| async move {
        let mut stopped = spec(client, "stopped");
        stopped.reserved_concurrency = 2;
        let f = Arc::new(function(stopped));
        let idle = pid(&returned(invoke(&f, json!({})).await));
        let busy = hold(&f, 20.0).await;
        f.shutdown().await;
        assert!(!alive(idle), "{client:?}: the idle process was killed");
        let document = failed(busy.await.unwrap());
        assert_eq!(document["errorType"], "Runtime.ExitError", "{client:?}");
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        assert!(
            matches!(err, InvokeError::Start { .. }),
            "{client:?}: {err:?}"
        );
    })
    .await;
}
