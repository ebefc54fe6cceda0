//! Time through the injected clock: what the pipeline reports of time follows a
//! `ManualClock` exactly, with nothing sleeping. Throttles, quotas, cache TTLs and
//! authorizer TTLs read the same clock when they arrive.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use portcullis_gateway::clock::ManualClock;
use portcullis_gateway::config::{self, Overrides, Source, UpstreamSettings};
use portcullis_gateway::pipeline::{Connection, Pipeline};
use portcullis_gateway::runtime::Gateway;
use portcullis_gateway::upstream::UpstreamClient;

/// A MOCK route whose response echoes the request time, and a second one that
/// answers 429 until the instant named in its path: the template compares
/// `$context.requestTimeEpoch` with it (13-digit epochs compare as strings),
/// as a throttle compares the clock with the end of its window.
const API: &str = r##"openapi: "3.0.1"
info: { title: "clock", version: "1" }
paths:
  /time:
    get:
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: '{"epoch": $context.requestTimeEpoch, "time": "$context.requestTime"}'
  /window/{until}:
    get:
      parameters:
        - { name: until, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates:
          application/json: |
            #if($context.requestTimeEpoch.compareTo($input.params('until')) < 0){"statusCode": 429}#else{"statusCode": 200}#end
        responses:
          "429":
            statusCode: "429"
            responseTemplates: { application/json: '{"message": "Too Many Requests"}' }
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"ok": true}' }
"##;

const START_MS: u64 = 1_764_930_000_000; // 05/Dec/2025:10:20:00 +0000

fn pipeline(clock: Arc<ManualClock>) -> Pipeline {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clock.yaml");
    std::fs::write(&file, API).unwrap();
    let config = config::load(&Source::OpenApi(vec![file]), &Overrides::default()).unwrap();
    let gateway = Arc::new(ArcSwap::from_pointee(Gateway::compile(&config).unwrap()));
    Pipeline::new(
        gateway,
        UpstreamClient::new(&UpstreamSettings::default()).unwrap(),
    )
    .with_clock(clock)
}

async fn get(pipeline: &Pipeline, path: &str) -> (u16, String) {
    let connection = Connection {
        peer: "127.0.0.1:40000".parse().unwrap(),
        local: "127.0.0.1:3000".parse().unwrap(),
        tls: false,
    };
    // HTTP/1.1 (the builder's default) needs its Host, as on the wire.
    let request = http::Request::get(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = pipeline.handle(request, connection).await;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn request_time_is_the_injected_clock() {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_millis(START_MS),
    ));
    let pipeline = pipeline(clock.clone());
    let (status, body) = get(&pipeline, "/time").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        format!(r#"{{"epoch": {START_MS}, "time": "05/Dec/2025:10:20:00 +0000"}}"#)
    );
    clock.advance(Duration::from_millis(61_500));
    let (_, body) = get(&pipeline, "/time").await;
    assert_eq!(
        body,
        format!(
            r#"{{"epoch": {}, "time": "05/Dec/2025:10:21:01 +0000"}}"#,
            START_MS + 61_500
        )
    );
}

#[tokio::test]
async fn a_window_opens_when_the_clock_is_advanced_not_when_time_passes() {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_millis(START_MS),
    ));
    let pipeline = pipeline(clock.clone());
    let path = format!("/window/{}", START_MS + 1000);
    // However long the machine takes, the clock has not moved: still inside the window.
    assert_eq!(get(&pipeline, &path).await.0, 429);
    clock.advance(Duration::from_millis(999));
    assert_eq!(get(&pipeline, &path).await.0, 429);
    clock.advance(Duration::from_millis(1));
    let (status, body) = get(&pipeline, &path).await;
    assert_eq!((status, body.as_str()), (200, r#"{"ok": true}"#));
}
