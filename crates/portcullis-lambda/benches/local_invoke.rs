//! A warm invocation through the hosted Runtime API, against a runtime that
//! does nothing but echo (`examples/echo_runtime.rs`, std only): the time
//! measured is the host's overhead — dispatch to the function's task, the
//! runtime's `/next` answered, its `/response` read, the answer handed back.
//! Goal: under 150 µs at p50 on loopback.
//!
//! Besides criterion's estimate, prints p50/p99/max over 2,000 invocations and
//! records them in `target/tmp/local_invoke_latency.txt`. The bench binary
//! itself serves as the runtime (re-executed with an environment variable), so
//! no separately built example is needed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::Criterion;
use portcullis_lambda::Outcome;
use portcullis_lambda::local::{LocalFunction, LocalSpec};

#[allow(dead_code)]
#[path = "../examples/echo_runtime.rs"]
mod echo_runtime;

/// Set in the function's environment: the re-executed binary runs the echo runtime.
const RUNTIME_ENV: &str = "PORTCULLIS_BENCH_ECHO_RUNTIME";

/// An API Gateway REST proxy event of typical size (about 1 KB).
const EVENT: &str = r#"{"resource":"/pets/{id}","path":"/pets/42","httpMethod":"GET","headers":{"Accept":"application/json","Host":"api.example.com","User-Agent":"curl/8.5.0","X-Forwarded-For":"203.0.113.7","X-Forwarded-Port":"443","X-Forwarded-Proto":"https"},"multiValueHeaders":{"Accept":["application/json"],"Host":["api.example.com"]},"queryStringParameters":{"verbose":"1"},"multiValueQueryStringParameters":{"verbose":["1"]},"pathParameters":{"id":"42"},"stageVariables":null,"requestContext":{"resourceId":"abc123","resourcePath":"/pets/{id}","httpMethod":"GET","extendedRequestId":"c7b2AFfBIAMFYQ=","requestTime":"01/May/2024:12:00:00 +0000","path":"/prod/pets/42","accountId":"123456789012","protocol":"HTTP/1.1","stage":"prod","domainPrefix":"api","requestTimeEpoch":1714564800000,"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","identity":{"sourceIp":"203.0.113.7","userAgent":"curl/8.5.0"},"domainName":"api.example.com","apiId":"a1b2c3d4e5"},"body":null,"isBase64Encoded":false}"#;

fn main() {
    if std::env::var_os(RUNTIME_ENV).is_some() {
        if let Err(error) = echo_runtime::run() {
            eprintln!("echo runtime: {error}");
            std::process::exit(1);
        }
        return;
    }
    let bench_mode = std::env::args().any(|arg| arg == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let exe = std::env::current_exe().expect("own path");
    let mut spec = LocalSpec::new("bench-echo", [exe.to_string_lossy().into_owned()]);
    spec.env.insert(RUNTIME_ENV.to_owned(), "1".to_owned());
    spec.reserved_concurrency = 1;
    let function = LocalFunction::new(spec).expect("valid spec");
    let payload = Bytes::from_static(EVENT.as_bytes());
    let invoke = || async {
        match function.invoke(payload.clone(), "bench").await {
            Ok(Outcome::Returned(body)) => body,
            other => panic!("echo runtime failed: {other:?}"),
        }
    };

    runtime.block_on(async {
        // The cold start, then enough calls to warm caches and the allocator.
        for _ in 0..300 {
            black_box(invoke().await);
        }
    });

    let samples = if bench_mode { 2_000 } else { 100 };
    let mut latencies: Vec<Duration> = runtime.block_on(async {
        let mut latencies = Vec::with_capacity(samples);
        for _ in 0..samples {
            let start = Instant::now();
            black_box(invoke().await);
            latencies.push(start.elapsed());
        }
        latencies
    });
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    let report = format!(
        "local_invoke warm echo over {samples} invocations ({} B event): p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs\n",
        EVENT.len(),
        at(0.50).as_secs_f64() * 1e6,
        at(0.90).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        at(1.0).as_secs_f64() * 1e6,
    );
    print!("{report}");
    if bench_mode {
        let path =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("local_invoke_latency.txt");
        if let Err(error) = std::fs::write(&path, &report) {
            eprintln!("could not record {}: {error}", path.display());
        }
    }

    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("local_invoke/warm_echo", |bencher| {
        bencher.iter_custom(|iterations| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iterations {
                    black_box(invoke().await);
                }
                start.elapsed()
            })
        });
    });
    criterion.final_summary();
    runtime.block_on(function.shutdown());
}
