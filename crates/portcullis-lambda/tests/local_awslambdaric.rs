//! Unchanged handlers under the REAL official Python runtime client
//! (`awslambdaric` 4.2.2), proving the hosted Runtime API is what official
//! clients expect. The interpreter comes from `PORTCULLIS_PYTHON`, which
//! `scripts/test.sh` sets to a venv with awslambdaric installed.

mod local_support;

use std::time::Duration;

use portcullis_lambda::local::LocalSpec;
use serde_json::json;

use local_support::*;

fn python() -> String {
    std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: run scripts/test.sh, which creates target/py-venv with \
             awslambdaric 4.2.2 and exports PORTCULLIS_PYTHON for these tests"
        )
    })
}

fn ric_spec(name: &str, handler: &str) -> LocalSpec {
    let mut spec = LocalSpec::new(
        name,
        [python(), "-m".into(), "awslambdaric".into(), handler.into()],
    );
    spec.cwd = Some(fixtures());
    spec.env.insert(
        "PYTHONPATH".into(),
        fixtures().to_string_lossy().into_owned(),
    );
    spec.handler = Some(handler.into());
    spec.timeout = Duration::from_secs(10);
    spec
}

async fn bounded(test: impl std::future::Future<Output = ()>) {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("test finished in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awslambdaric_echo_round_trip_and_warm_reuse() {
    bounded(async {
        let f = function(ric_spec("ric-echo", "local_handler.echo"));
        let event = json!({"hello": "world", "n": [1, 2, 3]});
        let first = returned(invoke(&f, event.clone()).await);
        assert_eq!(first["event"], event);
        assert_eq!(first["function_name"], "ric-echo");
        assert_eq!(first["function_version"], "$LATEST");
        assert_eq!(first["memory_limit_in_mb"], "128");
        assert_eq!(
            first["invoked_function_arn"],
            "arn:aws:lambda:us-east-1:000000000000:function:ric-echo"
        );
        assert_eq!(first["log_group_name"], "/aws/lambda/ric-echo");
        let remaining = first["remaining_ms"].as_i64().unwrap();
        assert!(remaining > 8_000 && remaining <= 10_000, "{remaining}");
        assert!(first["trace_id"].as_str().unwrap().starts_with("Root=1-"));
        assert_eq!(first["aws_request_id"].as_str().unwrap().len(), 36);

        let second = returned(invoke(&f, json!({"again": true})).await);
        assert_eq!(pid(&first), pid(&second), "warm process reused");
        assert_ne!(first["aws_request_id"], second["aws_request_id"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awslambdaric_handler_exception_is_the_error_document() {
    bounded(async {
        let f = function(ric_spec("ric-fail", "local_handler.fail"));
        let document = failed(invoke(&f, json!({"why": "bad input"})).await);
        assert_eq!(document["errorType"], "ValueError");
        assert_eq!(document["errorMessage"], "handler failed: bad input");
        assert_eq!(document["requestId"].as_str().unwrap().len(), 36);
        assert!(document["stackTrace"].is_array());
        // The runtime reported and stays warm.
        let again = failed(invoke(&f, json!({"why": "again"})).await);
        assert_eq!(again["errorMessage"], "handler failed: again");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awslambdaric_import_error_is_runtime_import_module_error() {
    bounded(async {
        let f = function(ric_spec("ric-missing", "no_such_module.handler"));
        let document = failed(invoke(&f, json!({})).await);
        assert_eq!(
            document["errorType"], "Runtime.ImportModuleError",
            "{document}"
        );
        let message = document["errorMessage"].as_str().unwrap();
        assert!(
            message.contains("Unable to import module 'no_such_module'"),
            "{message}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awslambdaric_timeout_replaces_the_process() {
    bounded(async {
        let mut spec = ric_spec("ric-slow", "local_handler.slow");
        spec.timeout = Duration::from_secs(1);
        let f = function(spec);
        let document = failed(invoke(&f, json!({"seconds": 10})).await);
        let message = document["errorMessage"].as_str().unwrap();
        assert!(
            message.ends_with("Task timed out after 1.00 seconds"),
            "{message}"
        );
        let quick = returned(invoke(&f, json!({"seconds": 0})).await);
        assert_eq!(quick, "finished");
    })
    .await;
}
