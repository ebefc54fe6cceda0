//! The layer against a counting backend, through `tower::ServiceExt::oneshot`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body::Frame;
use http_body_util::{BodyExt, Full};
use tower::{ServiceExt, service_fn};

use super::body::Kind;
use super::*;
use crate::{CacheSettings, MemoryStore};

/// The backend: counts its calls and answers with the count; some
/// paths answer differently.
async fn backend(
    calls: Arc<AtomicUsize>,
    request: Request<()>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
    if request.uri().path() == "/slow" {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let body = format!("{} {} #{n}", request.method(), request.uri());
    let mut response = Response::new(Full::new(Bytes::from(body)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let cache_control = match request.uri().path() {
        "/error" => {
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            return Ok(response);
        }
        "/missing" => {
            *response.status_mut() = StatusCode::NOT_FOUND;
            return Ok(response);
        }
        "/no-store" => "no-store",
        "/stale" => "public, max-age=0",
        _ => return Ok(response),
    };
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    Ok(response)
}

fn counting(
    calls: &Arc<AtomicUsize>,
) -> impl Service<
    Request<()>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
+ Send
+ 'static {
    let calls = calls.clone();
    service_fn(move |request| backend(calls.clone(), request))
}

fn layer() -> CacheLayer<MemoryStore> {
    CacheLayer::new(Cache::new(MemoryStore::new(1 << 20)))
}

fn request(method: Method, uri: &str) -> Request<()> {
    Request::builder().method(method).uri(uri).body(()).unwrap()
}

fn get(uri: &str) -> Request<()> {
    request(Method::GET, uri)
}

fn with_header(mut request: Request<()>, name: &'static str, value: &'static str) -> Request<()> {
    request
        .headers_mut()
        .append(name, HeaderValue::from_static(value));
    request
}

/// Sends `request` through `layer` to a fresh counting backend sharing
/// `calls`; answers the status, headers and whole body.
async fn send(
    layer: &CacheLayer<MemoryStore>,
    calls: &Arc<AtomicUsize>,
    request: Request<()>,
) -> (StatusCode, HeaderMap, Bytes) {
    let response = layer.layer(counting(calls)).oneshot(request).await.unwrap();
    let (head, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (head.status, head.headers, body)
}

async fn body(
    layer: &CacheLayer<MemoryStore>,
    calls: &Arc<AtomicUsize>,
    request: Request<()>,
) -> Bytes {
    send(layer, calls, request).await.2
}

#[tokio::test]
async fn a_miss_then_hits() {
    let (layer, calls) = (layer(), Arc::default());
    let (status, headers, first) = send(&layer, &calls, get("/pets")).await;
    assert_eq!((status, &first[..]), (StatusCode::OK, &b"GET /pets #1"[..]));
    assert_eq!(headers.len(), 1, "nothing added: {headers:?}");
    for _ in 0..3 {
        let (status, headers, again) = send(&layer, &calls, get("/pets")).await;
        assert_eq!((status, &again), (StatusCode::OK, &first));
        assert_eq!(headers["content-type"], "text/plain");
        assert_eq!(headers.len(), 1, "nothing added: {headers:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let stats = layer.cache().stats();
    assert_eq!((stats.hits, stats.misses), (3, 1));
}

#[tokio::test]
async fn hits_share_the_cached_bytes() {
    let (layer, calls) = (layer(), Arc::default());
    body(&layer, &calls, get("/pets")).await;
    let service = layer.layer(counting(&calls));
    let response = service.clone().oneshot(get("/pets")).await.unwrap();
    assert!(response.body().is_cached());
    let mut body = response.into_body();
    let Some(Ok(frame)) = body.frame().await else {
        panic!("a hit has its body")
    };
    let sent = frame.into_data().unwrap();
    let kept = layer
        .cache()
        .store()
        .get_now(&RequestKey::default().key(&get("/pets").into_parts().0));
    assert_eq!(sent.as_ptr(), kept.unwrap().body.as_ptr(), "not copied");
    assert!(body.frame().await.is_none());
}

#[tokio::test]
async fn the_key_holds_the_query_string_and_chosen_headers() {
    let (layer, calls) = (layer(), Arc::default());
    assert_eq!(body(&layer, &calls, get("/a?x=1")).await, "GET /a?x=1 #1");
    assert_eq!(body(&layer, &calls, get("/a?x=2")).await, "GET /a?x=2 #2");
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #3");
    assert_eq!(body(&layer, &calls, get("/a?x=1")).await, "GET /a?x=1 #1");
    assert_eq!(body(&layer, &calls, get("/b?x=1")).await, "GET /b?x=1 #4");

    let (layer, calls) = (layer.query(false).partition("other"), Arc::default());
    assert_eq!(body(&layer, &calls, get("/a?x=1")).await, "GET /a?x=1 #1");
    assert_eq!(body(&layer, &calls, get("/a?x=2")).await, "GET /a?x=1 #1");

    let (layer, calls) = (layer.header(header::ACCEPT_LANGUAGE), Arc::default());
    let french = || with_header(get("/a"), "accept-language", "fr");
    assert_eq!(body(&layer, &calls, french()).await, "GET /a #1");
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #2");
    assert_eq!(body(&layer, &calls, french()).await, "GET /a #1");
}

#[tokio::test]
async fn only_the_chosen_methods_are_cached() {
    let (layer, calls) = (layer().x_cache(true), Arc::default());
    let (_, headers, first) = send(&layer, &calls, request(Method::POST, "/a")).await;
    assert_eq!(first, "POST /a #1");
    assert!(
        !headers.contains_key("x-cache"),
        "the cache was not consulted"
    );
    assert_eq!(
        body(&layer, &calls, request(Method::POST, "/a")).await,
        "POST /a #2"
    );

    let (layer, calls) = (layer.methods([Method::POST]), Arc::default());
    assert_eq!(
        body(&layer, &calls, request(Method::POST, "/a")).await,
        "POST /a #1"
    );
    assert_eq!(
        body(&layer, &calls, request(Method::POST, "/a")).await,
        "POST /a #1"
    );
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #2");
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #3");
}

#[tokio::test]
async fn server_errors_are_never_kept() {
    let (layer, calls) = (layer().honour_cache_control(false), Arc::default());
    let (status, _, first) = send(&layer, &calls, get("/error")).await;
    assert_eq!(
        (status, &first[..]),
        (StatusCode::SERVICE_UNAVAILABLE, &b"GET /error #1"[..])
    );
    assert_eq!(body(&layer, &calls, get("/error")).await, "GET /error #2");
    // Client errors are, as in AWS.
    assert_eq!(
        body(&layer, &calls, get("/missing")).await,
        "GET /missing #3"
    );
    assert_eq!(
        body(&layer, &calls, get("/missing")).await,
        "GET /missing #3"
    );
}

#[tokio::test]
async fn the_backends_cache_control_is_honoured_unless_turned_off() {
    let (layer, calls) = (layer(), Arc::default());
    assert_eq!(
        body(&layer, &calls, get("/no-store")).await,
        "GET /no-store #1"
    );
    assert_eq!(
        body(&layer, &calls, get("/no-store")).await,
        "GET /no-store #2"
    );
    assert_eq!(body(&layer, &calls, get("/stale")).await, "GET /stale #3");
    assert_eq!(body(&layer, &calls, get("/stale")).await, "GET /stale #4");

    let (layer, calls) = (layer.honour_cache_control(false), Arc::default());
    assert_eq!(
        body(&layer, &calls, get("/no-store")).await,
        "GET /no-store #1"
    );
    assert_eq!(
        body(&layer, &calls, get("/no-store")).await,
        "GET /no-store #1"
    );
}

#[tokio::test]
async fn max_age_zero_refreshes_the_entry() {
    let (layer, calls) = (layer().x_cache(true), Arc::default());
    let refresh = || with_header(get("/a"), "cache-control", "max-age=0");
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #1");
    let (_, headers, fresh) = send(&layer, &calls, refresh()).await;
    assert_eq!(
        (&fresh[..], headers["x-cache"].as_bytes()),
        (&b"GET /a #2"[..], &b"Miss"[..])
    );
    let (_, headers, kept) = send(&layer, &calls, get("/a")).await;
    assert_eq!(
        (&kept[..], headers["x-cache"].as_bytes()),
        (&b"GET /a #2"[..], &b"Hit"[..])
    );
    // Other directives do not refresh.
    let other = with_header(get("/a"), "cache-control", "no-cache");
    assert_eq!(body(&layer, &calls, other).await, "GET /a #2");
}

#[tokio::test]
async fn a_refusing_predicate_answers_from_the_cache() {
    let layer = layer().refresh_if(|head| head.headers.contains_key(header::AUTHORIZATION));
    let calls = Arc::default();
    let refresh = || with_header(get("/a"), "cache-control", "max-age=0");
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #1");
    assert_eq!(body(&layer, &calls, refresh()).await, "GET /a #1");
    let authorized = with_header(refresh(), "authorization", "Bearer x");
    assert_eq!(body(&layer, &calls, authorized).await, "GET /a #2");
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #2");
}

#[tokio::test]
async fn head_is_kept_apart_from_get_and_without_a_body() {
    let (layer, calls) = (layer(), Arc::default());
    let head = || request(Method::HEAD, "/a");
    // The backend's HEAD body is passed on (servers drop it), not kept.
    let service = layer.layer(counting(&calls));
    let response = service.clone().oneshot(head()).await.unwrap();
    assert!(!response.body().is_cached());
    drop(response);
    let (status, headers, sent) = send(&layer, &calls, head()).await;
    assert_eq!((status, sent.len()), (StatusCode::OK, 0));
    assert_eq!(headers["content-type"], "text/plain");
    // The length of the body a server would not have sent ("HEAD /a #1").
    assert_eq!(headers["content-length"], "10");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "kept without its body read"
    );
    assert_eq!(body(&layer, &calls, get("/a")).await, "GET /a #2");
    assert_eq!(body(&layer, &calls, head()).await, "");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_make_one_call() {
    let (layer, calls) = (layer(), Arc::new(AtomicUsize::new(0)));
    let service = layer.layer(counting(&calls));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let service = service.clone();
            tokio::spawn(async move {
                let response = service.oneshot(get("/slow")).await.unwrap();
                response.into_body().collect().await.unwrap().to_bytes()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), "GET /slow #1");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let stats = layer.cache().stats();
    assert_eq!((stats.hits, stats.misses), (99, 1));
}

/// A body sent in the given chunks, its length unknown.
struct Chunks(VecDeque<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }
}

#[tokio::test]
async fn bodies_past_the_bound_pass_whole_and_are_not_kept() {
    let settings = CacheSettings {
        max_entry_bytes: 8,
        ..CacheSettings::default()
    };
    let layer = CacheLayer::new(Cache::with_settings(MemoryStore::new(1 << 20), settings));
    let calls = Arc::new(AtomicUsize::new(0));
    let service = layer.layer(service_fn(|request: Request<()>| {
        let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            let chunks = match request.uri().path() {
                "/small" => vec!["1234", "5678"],
                _ => vec!["1234", "5678", "9"],
            };
            let chunks = chunks
                .into_iter()
                .map(|chunk: &'static str| Bytes::from_static(chunk.as_bytes()))
                .collect();
            let mut response = Response::new(Chunks(chunks));
            response
                .headers_mut()
                .insert("x-call", HeaderValue::from(n));
            Ok::<_, Infallible>(response)
        }
    }));
    let read = |path: &'static str| {
        let service = service.clone();
        async move {
            let response = service.oneshot(get(path)).await.unwrap();
            let call = response.headers()["x-call"].to_str().unwrap().to_owned();
            (
                response.into_body().collect().await.unwrap().to_bytes(),
                call,
            )
        }
    };
    assert_eq!(read("/large").await, (Bytes::from("123456789"), "1".into()));
    assert_eq!(read("/large").await, (Bytes::from("123456789"), "2".into()));
    assert_eq!(read("/small").await, (Bytes::from("12345678"), "3".into()));
    assert_eq!(read("/small").await, (Bytes::from("12345678"), "3".into()));

    // A body whose length is known to be too large is not even collected.
    let known = layer.layer(service_fn(|_: Request<()>| async {
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("123456789"))))
    }));
    let response = known.oneshot(get("/known")).await.unwrap();
    assert!(matches!(response.body().kind, Kind::Passing(_)));
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        "123456789"
    );
}

#[tokio::test]
async fn a_key_function_chooses_what_is_cached() {
    let layer = layer().key_by(|head| {
        (head.uri.path() != "/private")
            .then(|| CacheKey::builder("p").text(head.uri.path()).build())
    });
    let calls = Arc::default();
    assert_eq!(body(&layer, &calls, get("/a?x=1")).await, "GET /a?x=1 #1");
    assert_eq!(body(&layer, &calls, get("/a?x=2")).await, "GET /a?x=1 #1");
    assert_eq!(
        body(&layer, &calls, get("/private")).await,
        "GET /private #2"
    );
    assert_eq!(
        body(&layer, &calls, get("/private")).await,
        "GET /private #3"
    );
}

#[tokio::test]
async fn x_cache_says_hit_or_miss_and_is_not_kept() {
    let (layer, calls) = (layer().x_cache(true), Arc::default());
    let (_, miss, _) = send(&layer, &calls, get("/a")).await;
    assert_eq!(miss["x-cache"], "Miss");
    let (_, hit, _) = send(&layer, &calls, get("/a")).await;
    assert_eq!(hit.get_all("x-cache").iter().collect::<Vec<_>>(), ["Hit"]);
}

#[tokio::test]
async fn a_failed_call_keeps_nothing() {
    let layer = layer();
    let service = layer.layer(service_fn(|_: Request<()>| async {
        Err::<Response<Full<Bytes>>, _>("backend down")
    }));
    assert_eq!(
        service.clone().oneshot(get("/a")).await.unwrap_err(),
        "backend down"
    );
    assert_eq!(
        service.oneshot(get("/a")).await.unwrap_err(),
        "backend down"
    );
    assert_eq!(layer.cache().stats().misses, 2);
}

#[tokio::test]
async fn the_service_polled_ready_serves_each_miss() {
    /// Must be polled ready before each call; counts its clones.
    #[derive(Default)]
    struct Strict {
        ready: bool,
        clones: Arc<AtomicUsize>,
    }
    impl Clone for Strict {
        fn clone(&self) -> Self {
            self.clones.fetch_add(1, Ordering::SeqCst);
            Self {
                ready: false,
                clones: self.clones.clone(),
            }
        }
    }
    impl Service<Request<()>> for Strict {
        type Response = Response<Full<Bytes>>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Self::Response, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            self.ready = true;
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request<()>) -> Self::Future {
            assert!(self.ready, "called without poll_ready");
            self.ready = false;
            let body = Bytes::from(request.uri().to_string());
            std::future::ready(Ok(Response::new(Full::new(body))))
        }
    }
    let strict = Strict::default();
    let clones = strict.clones.clone();
    let mut service = layer().layer(strict);
    for path in ["/a", "/a", "/b", "/a", "/b", "/c"] {
        let response = service.ready().await.unwrap().call(get(path)).await;
        let body = response.unwrap().into_body().collect().await.unwrap();
        assert_eq!(body.to_bytes(), path);
    }
    assert_eq!(clones.load(Ordering::SeqCst), 3, "cloned for misses only");
}

#[test]
fn a_zero_ttl_is_refused() {
    assert_eq!(
        layer().ttl(Duration::ZERO).unwrap_err(),
        LayerError::ZeroTtl
    );
    assert!(layer().ttl(Duration::from_secs(86_400)).is_ok());
    let debug = format!("{:?}", layer().x_cache(true));
    assert!(
        debug.contains("ttl: 300s") && debug.contains("x_cache: true"),
        "{debug}"
    );
}
