//! One proxied request over loopback, with client, gateway and origin in one
//! process: what the gateway's proxy path (its listener, the pipeline and the
//! upstream connection pool) adds to a request, beside its anchor, the same
//! client sending the same request straight to the origin.
//!
//! The three parts share one multi-thread tokio runtime with 2 workers (the
//! machine's cores). The client runs as a task there too, each batch of
//! requests timed inside it: driven from the bench thread instead, a third
//! thread handed every request over and took every answer back, which
//! doubled both figures here and widened their spread several times.
//!
//! Before criterion runs, a counting global allocator measures allocations
//! per request each way and writes them to
//! `$CARGO_TARGET_DIR/criterion/proxy-allocations.txt`. The count includes the
//! origin's and the client's allocations: the direct run measures those
//! alone, so the difference is the gateway's own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use portcullis::gateway::config::{self, Overrides, Source};
use portcullis::gateway::pipeline::Pipeline;
use portcullis::gateway::runtime::Gateway;
use portcullis::gateway::server::{self, BoundListener};
use portcullis::gateway::upstream::UpstreamClient;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// The load benchmark's proxy API (benches/load/run.sh), its origin `ORIGIN`.
const API: &str = r#"openapi: "3.0.1"
info: { title: "bench-proxy", version: "1" }
paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      parameters:
        - { name: proxy, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "http_proxy"
        httpMethod: "ANY"
        uri: "http://ORIGIN/{proxy}"
        requestParameters:
          integration.request.path.proxy: "method.request.path.proxy"
"#;

/// What the origin answers to `GET /small`.
const SMALL: &[u8] = b"Hello, world!";

/// Allocator calls that handed out memory while [`COUNTING`] was on.
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Off while criterion times, so its figures pay one relaxed load per call.
static COUNTING: AtomicBool = AtomicBool::new(false);

/// The system allocator, counting `alloc`, `alloc_zeroed` and `realloc` calls.
struct CountingAllocator;

impl CountingAllocator {
    fn count() {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every method passes its arguments unchanged to `System`, which
// upholds `GlobalAlloc`'s contract; counting touches two atomics and never
// allocates.
#[allow(unsafe_code)] // No global allocator without it; the crate denies it elsewhere.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's guarantees for `layout` are the ones `System` needs.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count();
        // SAFETY: `ptr` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The origin, as examples/bench_backend.rs serves `/small`: 13 bytes of
/// text/plain to any request, HTTP/1.1 keep-alive.
async fn origin() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|_request: Request<Incoming>| async {
                    let response = Response::builder()
                        .header(CONTENT_TYPE, "text/plain")
                        .body(Full::new(Bytes::from_static(SMALL)));
                    Ok::<_, Infallible>(response.expect("static response"))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    address
}

/// The gateway's pipeline for the proxy API in front of `origin`, from a
/// native config file with the account level off (AWS's 10,000 requests per
/// second would refuse a benchmark's pace).
fn pipeline(origin: SocketAddr) -> Pipeline {
    let dir = tempfile::tempdir().unwrap();
    let api = API.replace("ORIGIN", &origin.to_string());
    std::fs::write(dir.path().join("proxy.yaml"), api).unwrap();
    let native = dir.path().join("gateway.yaml");
    std::fs::write(
        &native,
        "apis: [ { openapi: proxy.yaml } ]\nthrottling: { account: null }\n",
    )
    .unwrap();
    let config = config::load(&Source::Config(native), &Overrides::default()).unwrap();
    let gateway = Arc::new(ArcSwap::from_pointee(Gateway::compile(&config).unwrap()));
    Pipeline::new(gateway, UpstreamClient::new(&config.upstream).unwrap())
}

/// Serves `pipeline` with the gateway's own server on 127.0.0.1, an
/// ephemeral port, until the runtime stops; returns the bound address.
async fn gateway(pipeline: Pipeline) -> SocketAddr {
    let listener = BoundListener::bind(&config::Listener {
        address: "127.0.0.1:0".parse().unwrap(),
        tls: None,
    })
    .await
    .unwrap();
    let address = listener.local_addr();
    tokio::spawn(server::serve(
        vec![listener],
        pipeline,
        std::future::pending(),
        Duration::ZERO,
    ));
    address
}

/// One HTTP/1.1 keep-alive connection to a server.
struct Client {
    sender: SendRequest<Empty<Bytes>>,
    host: HeaderValue,
}

impl Client {
    /// Connects to `address`; the connection's task is spawned.
    async fn connect(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let host = HeaderValue::try_from(address.to_string()).unwrap();
        Self { sender, host }
    }

    /// `GET /small`, its whole body read; checks the status and the length.
    async fn get_small(&mut self) -> Bytes {
        self.sender.ready().await.unwrap();
        let request = Request::get("/small")
            .header(HOST, self.host.clone())
            .body(Empty::new())
            .unwrap();
        let response = self.sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body.len(), SMALL.len());
        body
    }
}

/// Whether criterion will measure (`cargo bench`), not run each benchmark
/// once as a test (`cargo test --all-targets`) or list them.
fn benchmarking() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|arg| arg == "--bench")
        && !args.iter().any(|arg| arg == "--test" || arg == "--list")
}

/// Sends `requests` requests through `client` from a task on `runtime` and
/// returns how long they took (`client` is lent to the task and back).
fn send(runtime: &Runtime, client: &mut Option<Client>, requests: u64) -> Duration {
    let mut lent = client.take().expect("the previous batch gave it back");
    let (lent, elapsed) = runtime
        .block_on(runtime.spawn(async move {
            let start = Instant::now();
            for _ in 0..requests {
                lent.get_small().await;
            }
            (lent, start.elapsed())
        }))
        .unwrap();
    *client = Some(lent);
    elapsed
}

/// Allocations per request through `client`: 1,000 warm-up requests, then
/// the count over 10,000 more.
fn allocations_per_request(runtime: &Runtime, client: &mut Option<Client>) -> f64 {
    const REQUESTS: u32 = 10_000;
    send(runtime, client, 1_000);
    COUNTING.store(true, Ordering::Relaxed);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    send(runtime, client, u64::from(REQUESTS));
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.store(false, Ordering::Relaxed);
    (after - before) as f64 / f64::from(REQUESTS)
}

/// Prints the allocation figures and writes them beside criterion's output.
fn report_allocations(via_gateway: f64, direct: f64) {
    let line = format!(
        "proxy allocations per request: via_gateway {via_gateway:.1}, direct {direct:.1} (gateway adds {:.1})",
        via_gateway - direct
    );
    eprintln!("{line}");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let dir = target.join("criterion");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("proxy-allocations.txt"), format!("{line}\n")).unwrap();
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let origin = runtime.block_on(origin());
    let pipeline = pipeline(origin);
    let gateway = runtime.block_on(gateway(pipeline));
    let mut via_gateway = Some(runtime.block_on(Client::connect(gateway)));
    let mut direct = Some(runtime.block_on(Client::connect(origin)));
    if benchmarking() {
        let gateway_allocations = allocations_per_request(&runtime, &mut via_gateway);
        let direct_allocations = allocations_per_request(&runtime, &mut direct);
        report_allocations(gateway_allocations, direct_allocations);
    }
    let mut group = c.benchmark_group("proxy");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(50);
    group.bench_function("via_gateway", |b| {
        b.iter_custom(|iters| send(&runtime, &mut via_gateway, iters))
    });
    group.bench_function("direct", |b| {
        b.iter_custom(|iters| send(&runtime, &mut direct, iters))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
