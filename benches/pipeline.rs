//! The whole gateway pipeline on an in-process request, no sockets: what a
//! request costs Portcullis itself, apart from the network and the backend.

use std::sync::Arc;

use arc_swap::ArcSwap;
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::Full;
use portcullis::gateway::config::{self, Overrides, Source, UpstreamSettings};
use portcullis::gateway::pipeline::{Connection, Pipeline};
use portcullis::gateway::runtime::Gateway;
use portcullis::gateway::upstream::UpstreamClient;

const API: &str = r#"openapi: "3.0.1"
info: { title: "bench", version: "1" }
paths:
  /pets/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"id": 1, "type": "dog"}' }
"#;

/// The API from a native config file: the account level off (AWS's
/// 10,000 requests per second would refuse a benchmark's pace), plus `extra`.
fn pipeline_with(extra: &str) -> Pipeline {
    pipeline_from(&format!(
        "apis: [ {{ openapi: bench.yaml }} ]\nthrottling: {{ account: null }}\n{extra}"
    ))
}

fn pipeline_from(native_text: &str) -> Pipeline {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bench.yaml"), API).unwrap();
    let native = dir.path().join("gateway.yaml");
    std::fs::write(&native, native_text).unwrap();
    let config = config::load(&Source::Config(native), &Overrides::default()).unwrap();
    let gateway = Arc::new(ArcSwap::from_pointee(Gateway::compile(&config).unwrap()));
    Pipeline::new(
        gateway,
        UpstreamClient::new(&UpstreamSettings::default()).unwrap(),
    )
}

fn pipeline() -> Pipeline {
    pipeline_with("")
}

/// The same API, each request logged in AWS's JSON preset to /dev/null
/// (rendering and the hand-over to the writer thread are what is measured).
fn logged_pipeline() -> Pipeline {
    pipeline_with("access_log: { format: JSON, destination: /dev/null }\n")
}

/// `GET /pets/42` as a browser-ish client sends it.
fn get_pet() -> http::Request<Full<Bytes>> {
    http::Request::get("/pets/42")
        .header("host", "localhost")
        .header("user-agent", "bench")
        .header("accept", "application/json")
        .body(Full::new(Bytes::new()))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pipeline = pipeline();
    let connection = Connection {
        peer: "127.0.0.1:40000".parse().unwrap(),
        local: "127.0.0.1:3000".parse().unwrap(),
        tls: false,
    };
    let mut group = c.benchmark_group("pipeline");
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(3));
    group.bench_function("mock_route_in_process", |b| {
        b.iter(|| {
            let response = runtime.block_on(pipeline.handle(get_pet(), connection));
            assert_eq!(response.status(), 200);
            response
        })
    });
    // The same route on a stage with a cache: after the first request, hits
    // (the mapping and the MOCK integration skipped).
    let cached = pipeline_from(
        "apis: [ { openapi: bench.yaml, stages: [ { name: $default, cache: {} } ] } ]\n\
         throttling: { account: null }\n",
    );
    group.bench_function("mock_route_cache_hit", |b| {
        b.iter(|| {
            let response = runtime.block_on(cached.handle(get_pet(), connection));
            assert_eq!(response.status(), 200);
            response
        })
    });
    let logged = logged_pipeline();
    group.bench_function("mock_route_in_process_access_logged", |b| {
        b.iter(|| {
            let response = runtime.block_on(logged.handle(get_pet(), connection));
            assert_eq!(response.status(), 200);
            response
        })
    });
    group.bench_function("unknown_route_403", |b| {
        b.iter(|| {
            let request = http::Request::get("/nope")
                .header("host", "localhost")
                .body(Full::new(Bytes::new()))
                .unwrap();
            let response = runtime.block_on(pipeline.handle(request, connection));
            assert_eq!(response.status(), 403);
            response
        })
    });
    group.finish();
}

/// A browser-like request head, as the listener reads it.
const HEAD: &[u8] = b"GET /prod/pets/42?type=dog HTTP/1.1\r\nHost: a1b2c3d4e5.execute-api.example.com\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0\r\nAccept: application/json\r\n\
Accept-Language: en-GB,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\
X-Request-Trace: 7f3a9c\r\n\r\n";

/// What recording header spellings adds to each HTTP/1 request, beside its
/// anchor: parsing the same head with httparse, as hyper already does.
fn spellings(c: &mut Criterion) {
    use portcullis::gateway::server::spellings::{Spellings, Tracker};
    let mut group = c.benchmark_group("request_head");
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(3));
    let spellings = Spellings::default();
    let mut tracker = Tracker::new(spellings.clone(), 64 * 1024);
    group.bench_function("record_spellings", |b| {
        b.iter(|| {
            tracker.feed(std::hint::black_box(HEAD));
            let names = spellings.take().expect("the head was recorded");
            assert_eq!(names.names().count(), 7);
            names
        })
    });
    group.bench_function("anchor_httparse_parse", |b| {
        b.iter(|| {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut request = httparse::Request::new(&mut headers);
            let status = request.parse(std::hint::black_box(HEAD)).unwrap();
            assert!(status.is_complete());
            request.headers.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench, spellings);
criterion_main!(benches);
