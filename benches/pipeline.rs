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

fn pipeline() -> Pipeline {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.yaml");
    std::fs::write(&file, API).unwrap();
    let config = config::load(&Source::OpenApi(vec![file]), &Overrides::default()).unwrap();
    let gateway = Arc::new(ArcSwap::from_pointee(Gateway::compile(&config).unwrap()));
    Pipeline::new(
        gateway,
        UpstreamClient::new(&UpstreamSettings::default()).unwrap(),
    )
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
            let request = http::Request::get("/pets/42")
                .header("host", "localhost")
                .header("user-agent", "bench")
                .header("accept", "application/json")
                .body(Full::new(Bytes::new()))
                .unwrap();
            let response = runtime.block_on(pipeline.handle(request, connection));
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

criterion_group!(benches, bench);
criterion_main!(benches);
