//! Local functions behind the hosted Runtime API, driven by a standard-library
//! Python runtime client (`tests/fixtures/local_runtime.py`) whose behaviour
//! each event chooses. Loopback only; every test is bounded in time.

mod local_support;

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use portcullis_lambda::local::{LocalError, LocalFunction, LocalSpec, QueueSpec};
use portcullis_lambda::{Function, InvokeError, Outcome};
use serde_json::json;

use local_support::*;

async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("test finished in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_round_trip_with_lambda_context() {
    bounded(async {
        let mut spec = fixture_spec("echo-fn");
        spec.handler = Some("app.handler".into());
        spec.memory_mb = 256;
        spec.region = "eu-west-1".into();
        spec.env.insert("FIXTURE_USER_VAR".into(), "hello".into());
        spec.cwd = Some(fixtures());
        let f = function(spec);
        let event = json!({"action": "echo", "n": 1, "text": "héllo"});
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let result = returned(invoke(&f, event.clone()).await);
        assert_eq!(result["echo"], event);
        assert_eq!(
            result["arn"],
            "arn:aws:lambda:eu-west-1:000000000000:function:echo-fn"
        );
        assert_eq!(result["content_type"], "application/json");
        let id = result["request_id"].as_str().unwrap();
        assert_eq!(id.len(), 36, "{id}");
        let trace = result["trace_id"].as_str().unwrap();
        assert!(
            trace.starts_with("Root=1-") && trace.contains(";Parent="),
            "{trace}"
        );
        // The deadline is the function timeout (5 s) after delivery.
        let deadline = result["deadline_ms"].as_u64().unwrap();
        assert!(
            deadline >= before + 4_900 && deadline <= before + 5_000 + 2_000,
            "{deadline} vs {before}"
        );
        let env = &result["env"];
        assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "echo-fn");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
        assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
        assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/echo-fn");
        assert!(
            env["AWS_LAMBDA_LOG_STREAM_NAME"]
                .as_str()
                .unwrap()
                .contains("/[$LATEST]")
        );
        assert_eq!(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand");
        assert_eq!(env["AWS_REGION"], "eu-west-1");
        assert_eq!(env["AWS_DEFAULT_REGION"], "eu-west-1");
        assert_eq!(env["_HANDLER"], "app.handler");
        assert_eq!(env["FIXTURE_USER_VAR"], "hello");
        let root = fixtures().canonicalize().unwrap();
        assert_eq!(env["LAMBDA_TASK_ROOT"], root.to_str().unwrap());
        assert_eq!(result["cwd"], root.to_str().unwrap());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_process_is_reused_through_function_enum() {
    bounded(async {
        let f = Function::Local(std::sync::Arc::new(function(fixture_spec("warm"))));
        assert_eq!(f.name(), "warm");
        let call = |n: u32| {
            let f = f.clone();
            async move {
                let payload = Bytes::from(serde_json::to_vec(&json!({"n": n})).unwrap());
                returned(f.invoke(payload, "r").await.unwrap())
            }
        };
        let first = call(1).await;
        let second = call(2).await;
        let third = call(3).await;
        assert_eq!(pid(&first), pid(&second));
        assert_eq!(pid(&second), pid(&third));
        assert_ne!(
            first["request_id"], second["request_id"],
            "each invocation gets its own Lambda request id"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raised_error_is_reported_and_process_stays_warm() {
    bounded(async {
        let f = function(fixture_spec("raises"));
        let warm = pid(&returned(invoke(&f, json!({})).await));
        let document = failed(invoke(&f, json!({"action": "raise", "message": "bad input"})).await);
        assert_eq!(document["errorMessage"], "bad input");
        assert_eq!(document["errorType"], "ValueError");
        assert_eq!(pid(&returned(invoke(&f, json!({})).await)), warm);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_kills_and_replaces_the_process() {
    bounded(async {
        let mut spec = fixture_spec("slow");
        spec.timeout = Duration::from_secs(1);
        let f = function(spec);
        let first = pid(&returned(invoke(&f, json!({})).await));
        let started = std::time::Instant::now();
        let document = failed(invoke(&f, json!({"action": "sleep", "seconds": 10})).await);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(950) && took < Duration::from_secs(3),
            "{took:?}"
        );
        let message = document["errorMessage"].as_str().unwrap();
        // "2024-05-01T12:00:00.000Z 8476a536-e9f4-41e8-9739-2dfe598c3fcd Task timed out after 1.00 seconds"
        let (time, rest) = message.split_once(' ').unwrap();
        assert_eq!(time.len(), 24, "{message}");
        assert!(
            time.ends_with('Z') && &time[10..11] == "T" && &time[19..20] == ".",
            "{message}"
        );
        let (id, tail) = rest.split_once(' ').unwrap();
        assert_eq!(id.len(), 36, "{message}");
        assert_eq!(tail, "Task timed out after 1.00 seconds");
        assert_eq!(
            document.as_object().unwrap().len(),
            1,
            "Lambda's timeout document has only errorMessage"
        );
        assert!(
            gone_within(first, Duration::from_secs(2)).await,
            "timed-out process was killed"
        );
        let next = returned(invoke(&f, json!({})).await);
        assert_ne!(pid(&next), first, "a new process serves the next call");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_kills_the_runtime_a_launcher_started() {
    bounded(async {
        // A launcher that keeps running beside its runtime, as `npx` does:
        // the runtime client is a grandchild of the gateway.
        let script = fixtures().join("local_runtime.py");
        let mut spec = LocalSpec::new(
            "launched",
            [
                "sh".to_owned(),
                "-c".to_owned(),
                format!("python3 '{}'; exit $?", script.display()),
            ],
        );
        spec.timeout = Duration::from_secs(1);
        let f = function(spec);
        let runtime = pid(&returned(invoke(&f, json!({})).await));
        let document = failed(invoke(&f, json!({"action": "sleep", "seconds": 10})).await);
        assert!(
            document["errorMessage"]
                .as_str()
                .is_some_and(|m| m.ends_with("Task timed out after 1.00 seconds")),
            "{document}"
        );
        assert!(
            running_gone_within(runtime, Duration::from_secs(2)).await,
            "the launcher's runtime ({runtime}) outlived the timeout"
        );
    })
    .await;
}

/// Waits up to `limit` for the process to be gone or a zombie (an orphan
/// is reaped by whatever adopts it, which may be slow to do so).
async fn running_gone_within(pid: u64, limit: Duration) -> bool {
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                let state = stat.rsplit_once(") ")?.1.chars().next()?;
                Some(state != 'Z' && state != 'X')
            })
            .unwrap_or(false)
    };
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if !running() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    !running()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_invocation_is_runtime_exit_error_and_replaced() {
    bounded(async {
        let f = function(fixture_spec("crashes"));
        let first = pid(&returned(invoke(&f, json!({})).await));
        let document = failed(invoke(&f, json!({"action": "exit", "code": 3})).await);
        assert_eq!(document["errorType"], "Runtime.ExitError");
        let message = document["errorMessage"].as_str().unwrap();
        assert!(message.starts_with("RequestId: "), "{message}");
        assert!(
            message.ends_with(" Error: Runtime exited with error: exit status 3"),
            "{message}"
        );
        let next = returned(invoke(&f, json!({})).await);
        assert_ne!(pid(&next), first);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_error_is_answered_and_the_process_discarded() {
    bounded(async {
        let mut spec = fixture_spec("init-fails");
        spec.env.insert("FIXTURE_INIT_ERROR".into(), "1".into());
        let f = function(spec);
        for _ in 0..2 {
            let document = failed(invoke(&f, json!({})).await);
            assert_eq!(document["errorType"], "Runtime.ImportModuleError");
            assert_eq!(
                document["errorMessage"],
                "Unable to import module 'app': No module named 'app'"
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_above_reserved_concurrency_are_throttled() {
    bounded(async {
        let mut spec = fixture_spec("throttled");
        spec.reserved_concurrency = 1;
        let f = std::sync::Arc::new(function(spec));
        let busy = {
            let f = f.clone();
            tokio::spawn(async move { invoke(&f, json!({"action": "sleep", "seconds": 1})).await })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        match &err {
            InvokeError::Throttled { function, limit } => {
                assert_eq!(function, "throttled");
                assert_eq!(*limit, 1);
            }
            other => panic!("expected Throttled, got {other:?}"),
        }
        returned(busy.await.unwrap());
        // The slot is free again as soon as the answer is in.
        returned(invoke(&f, json!({})).await);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_calls_use_two_processes() {
    bounded(async {
        let mut spec = fixture_spec("parallel");
        spec.reserved_concurrency = 2;
        let f = function(spec);
        let slow = json!({"action": "sleep", "seconds": 0.3});
        let (a, b) = tokio::join!(invoke(&f, slow.clone()), invoke(&f, slow));
        assert_ne!(pid(&returned(a)), pid(&returned(b)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_opt_in_waits_for_a_process_and_is_bounded() {
    bounded(async {
        let mut spec = fixture_spec("queued");
        spec.reserved_concurrency = 1;
        spec.queue = Some(QueueSpec {
            depth: 1,
            max_wait: Duration::from_secs(10),
        });
        let f = std::sync::Arc::new(function(spec));
        let spawn_call = |event: serde_json::Value| {
            let f = f.clone();
            tokio::spawn(async move { invoke(&f, event).await })
        };
        let busy = spawn_call(json!({"action": "sleep", "seconds": 0.8}));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let queued = spawn_call(json!({}));
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The one queue place is taken: the next caller is throttled.
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        assert!(
            matches!(err, InvokeError::Throttled { limit: 1, .. }),
            "{err:?}"
        );
        let first = returned(busy.await.unwrap());
        let second = returned(queued.await.unwrap());
        assert_eq!(
            pid(&first),
            pid(&second),
            "the queued call got the warm process"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_wait_is_bounded_by_max_wait() {
    bounded(async {
        let mut spec = fixture_spec("queue-wait");
        spec.reserved_concurrency = 1;
        spec.queue = Some(QueueSpec {
            depth: 4,
            max_wait: Duration::from_millis(200),
        });
        let f = std::sync::Arc::new(function(spec));
        let busy = {
            let f = f.clone();
            tokio::spawn(async move { invoke(&f, json!({"action": "sleep", "seconds": 1})).await })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = std::time::Instant::now();
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        assert!(matches!(err, InvokeError::Throttled { .. }), "{err:?}");
        assert!(
            started.elapsed() >= Duration::from_millis(190),
            "{:?}",
            started.elapsed()
        );
        returned(busy.await.unwrap());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_caller_leaves_the_process_to_finish_and_return() {
    bounded(async {
        let mut spec = fixture_spec("abandoned");
        spec.reserved_concurrency = 1;
        spec.queue = Some(QueueSpec {
            depth: 1,
            max_wait: Duration::from_secs(10),
        });
        let f = function(spec);
        let warm = pid(&returned(invoke(&f, json!({})).await));
        // The gateway gives up after 100 ms; the function runs on for 500 ms.
        let payload = Bytes::from_static(br#"{"action": "sleep", "seconds": 0.5}"#);
        let abandoned =
            tokio::time::timeout(Duration::from_millis(100), f.invoke(payload, "gone")).await;
        assert!(abandoned.is_err(), "the caller gave up");
        // The next call waits for that process and gets it back, warm.
        let next = returned(invoke(&f, json!({})).await);
        assert_eq!(pid(&next), warm);
        assert!(alive(warm));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_api_answers_out_of_order_calls_as_lambda_does() {
    bounded(async {
        let f = function(fixture_spec("probe"));
        let result = returned(invoke(&f, json!({"action": "probe"})).await);
        let statuses = &result["statuses"];
        assert_eq!(statuses["wrong_id"][0], 400);
        assert_eq!(statuses["wrong_id"][1]["errorType"], "InvalidRequestID");
        assert_eq!(
            statuses["wrong_id"][1]["errorMessage"],
            "Invalid request ID"
        );
        assert_eq!(statuses["next_while_running"][0], 403);
        assert_eq!(
            statuses["next_while_running"][1]["errorType"],
            "InvalidStateTransition"
        );
        assert_eq!(statuses["init_error_after_init"][0], 403);
        assert_eq!(statuses["unknown_route"][0], 404);
        // And the process still serves.
        returned(invoke(&f, json!({})).await);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_response_fails_with_function_response_size_too_large() {
    bounded(async {
        let f = function(fixture_spec("big"));
        let warm = pid(&returned(invoke(&f, json!({})).await));
        let document = failed(invoke(&f, json!({"action": "big", "bytes": 7 * 1024 * 1024})).await);
        assert_eq!(document["errorType"], "Function.ResponseSizeTooLarge");
        let message = document["errorMessage"].as_str().unwrap();
        assert!(
            message.contains("(7340034 bytes)") && message.contains("(6291556 bytes)"),
            "{message}"
        );
        // Lambda keeps the environment: the runtime continues with /next.
        assert_eq!(pid(&returned(invoke(&f, json!({})).await)), warm);
        // A response of exactly 6 MB still passes.
        let Outcome::Returned(body) = f
            .invoke(
                Bytes::from(
                    serde_json::to_vec(&json!({"action": "big", "bytes": 6_000_000})).unwrap(),
                ),
                "r",
            )
            .await
            .unwrap()
        else {
            panic!("6 MB is within the limit");
        };
        assert_eq!(body.len(), 6_000_002);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_request_is_refused_before_any_process_starts() {
    bounded(async {
        let f = function(fixture_spec("big-request"));
        let payload = Bytes::from(vec![b' '; 6 * 1024 * 1024 + 1]);
        let err = f.invoke(payload, "r").await.unwrap_err();
        assert!(
            matches!(err, InvokeError::Remote { status: 413, .. }),
            "{err:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_program_is_a_clear_error() {
    let err = LocalFunction::new(LocalSpec::new(
        "ghost",
        ["portcullis-no-such-program", "arg"],
    ))
    .unwrap_err();
    assert!(matches!(err, LocalError::ProgramNotFound { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("\"ghost\"") && text.contains("portcullis-no-such-program"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("not-executable.sh");
    std::fs::write(&script, "#!/bin/sh\n").unwrap();
    let err = LocalFunction::new(LocalSpec::new("noexec", [script.to_str().unwrap()])).unwrap_err();
    assert!(matches!(err, LocalError::NotExecutable { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_that_cannot_be_spawned_is_a_start_error() {
    bounded(async {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("bootstrap");
        std::fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let f = function(LocalSpec::new("vanished", [script.to_str().unwrap()]));
        std::fs::remove_file(&script).unwrap();
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        match &err {
            InvokeError::Start {
                function,
                program,
                source,
            } => {
                assert_eq!(function, "vanished");
                assert!(program.ends_with("bootstrap"));
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("expected Start, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_that_exits_during_init_is_runtime_exit_error() {
    bounded(async {
        let f = function(LocalSpec::new("no-runtime", ["sh", "-c", "exit 7"]));
        let document = failed(invoke(&f, json!({})).await);
        assert_eq!(document["errorType"], "Runtime.ExitError");
        let message = document["errorMessage"].as_str().unwrap();
        assert!(
            message.ends_with("Runtime exited with error: exit status 7"),
            "{message}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_and_drop_kill_every_process() {
    bounded(async {
        let mut spec = fixture_spec("stopped");
        spec.reserved_concurrency = 2;
        let f = std::sync::Arc::new(function(spec.clone()));
        let idle = pid(&returned(invoke(&f, json!({})).await));
        let busy = {
            let f = f.clone();
            tokio::spawn(async move { invoke(&f, json!({"action": "sleep", "seconds": 10})).await })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        f.shutdown().await;
        assert!(!alive(idle), "idle process killed");
        let document = failed(busy.await.unwrap());
        assert_eq!(document["errorType"], "Runtime.ExitError");
        let err = f.invoke(Bytes::from_static(b"{}"), "r").await.unwrap_err();
        assert!(matches!(err, InvokeError::Start { .. }), "{err:?}");

        // Dropping works the same, without an explicit shutdown.
        spec.name = "dropped".into();
        let f = function(spec);
        let warm = pid(&returned(invoke(&f, json!({})).await));
        drop(f);
        assert!(
            gone_within(warm, Duration::from_secs(5)).await,
            "dropped function's process killed"
        );
    })
    .await;
}
