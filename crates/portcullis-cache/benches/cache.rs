//! The cost of a cache hit, and of what a hit is made of.
//!
//! ```text
//! cargo bench -p portcullis-cache --bench cache -- --warm-up-time 1 --measurement-time 3
//! REDIS_URL=redis://127.0.0.1:6379/ cargo bench -p portcullis-cache --features redis --bench cache -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! - `cache/memory_hit_1k`: [`Cache::lookup`] of a warm key over a
//!   [`MemoryStore`], the body 1 KB. The lookup is an `async fn`: each
//!   iteration runs it with `block_on` on a current-thread runtime built
//!   once, outside the measurement. `cache/block_on_ready` is that
//!   `block_on` around a future that is ready at once, the share of the
//!   figure that is not the cache.
//! - `cache/moka_get_1k`, its anchor: a plain `moka::sync::Cache` keyed by
//!   the same key bytes, holding the same `Arc`'d entry (no coalescing, no
//!   counts, no runtime): the floor the memory store is built on.
//! - `cache/key_build`: the key of a request (stage, method, resource, three
//!   parameters, one of them absent).
//! - `cache/encode_1k`, `cache/decode_1k`: the binary form a shared store holds.
//! - `cache/redis_hit_1k` (feature `redis`, and `REDIS_URL` set): the lookup
//!   over a [`RedisStore`](portcullis_cache::RedisStore), a loopback round
//!   trip included; skipped with a note otherwise.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderValue, StatusCode};
use portcullis_cache::{Cache, CacheKey, CachedResponse, Lookup, MemoryStore, Store};

const TTL: Duration = Duration::from_secs(3_600);

fn key() -> CacheKey {
    CacheKey::builder("petstore/prod")
        .text("GET")
        .text("/pets/{id}")
        .part(Some(b"42"))
        .part(Some(b"application/json"))
        .part(None)
        .build()
}

/// A 1 KB JSON-ish body with the headers a typical API answer has.
fn entry_1k() -> CachedResponse {
    let body: Vec<u8> = (0..1024)
        .map(|i| b"{\"pets\":[0123456789]}"[i % 21])
        .collect();
    let mut entry = CachedResponse::new(StatusCode::OK, Bytes::from(body));
    entry
        .headers
        .insert("content-type", HeaderValue::from_static("application/json"));
    entry.headers.insert(
        "x-amzn-requestid",
        HeaderValue::from_static("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"),
    );
    entry
        .headers
        .insert("etag", HeaderValue::from_static("\"5f2b-1a2b3c\""));
    entry
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

fn hit<S: Store>(lookup: Lookup<S>) -> Arc<CachedResponse> {
    match lookup {
        Lookup::Hit(entry) => entry,
        Lookup::Miss(_) => panic!("the key was warmed: a miss means the bench is wrong"),
    }
}

fn memory(c: &mut Criterion) {
    let runtime = runtime();
    let cache = Cache::new(MemoryStore::new(64 << 20));
    let entry = Arc::new(entry_1k());
    runtime.block_on(async {
        cache
            .store()
            .put(key(), entry.clone(), TTL)
            .await
            .expect("memory never fails");
    });
    let warm = key();
    assert_eq!(
        hit(runtime.block_on(cache.lookup(warm.clone()))).body.len(),
        1024
    );

    c.bench_function("cache/memory_hit_1k", |b| {
        b.iter(|| black_box(hit(runtime.block_on(cache.lookup(black_box(&warm).clone())))))
    });
    c.bench_function("cache/block_on_ready", |b| {
        b.iter(|| runtime.block_on(async { black_box(1) }))
    });

    let moka: moka::sync::Cache<Arc<[u8]>, Arc<CachedResponse>> = moka::sync::Cache::builder()
        .max_capacity(64 << 20)
        .weigher(|k: &Arc<[u8]>, v: &Arc<CachedResponse>| {
            u32::try_from(k.len() + v.weight()).unwrap_or(u32::MAX)
        })
        .build();
    let bytes: Arc<[u8]> = Arc::from(warm.as_bytes());
    moka.insert(bytes.clone(), entry.clone());
    c.bench_function("cache/moka_get_1k", |b| {
        b.iter(|| black_box(moka.get(black_box(&bytes)).expect("inserted")))
    });
}

fn binary(c: &mut Criterion) {
    c.bench_function("cache/key_build", |b| b.iter(|| black_box(key())));
    let entry = entry_1k();
    c.bench_function("cache/encode_1k", |b| b.iter(|| black_box(&entry).encode()));
    let encoded = entry.encode();
    c.bench_function("cache/decode_1k", |b| {
        b.iter(|| CachedResponse::decode(black_box(&encoded).clone()).expect("encoded here"))
    });
}

#[cfg(feature = "redis")]
fn redis(c: &mut Criterion) {
    use portcullis_cache::RedisStore;

    let Ok(url) = std::env::var("REDIS_URL") else {
        eprintln!(
            "cache/redis_hit_1k skipped: set REDIS_URL (e.g. redis://127.0.0.1:6379/) to run it"
        );
        return;
    };
    let runtime = runtime();
    let prefix = format!("bench-cache-{}", std::process::id());
    let store = runtime
        .block_on(
            RedisStore::builder(&url)
                .prefix(&prefix)
                .timeout(Duration::from_secs(1))
                .connect(),
        )
        .expect("a valid REDIS_URL");
    let warm = key();
    if let Err(error) = runtime.block_on(store.put(warm.clone(), Arc::new(entry_1k()), TTL)) {
        eprintln!("cache/redis_hit_1k skipped: Redis at {url} does not answer ({error})");
        return;
    }
    let cache = Cache::new(store.clone());
    assert_eq!(
        hit(runtime.block_on(cache.lookup(warm.clone()))).body.len(),
        1024
    );
    c.bench_function("cache/redis_hit_1k", |b| {
        b.iter(|| black_box(hit(runtime.block_on(cache.lookup(black_box(&warm).clone())))))
    });
    let _ = runtime.block_on(store.flush(warm.partition()));
}

#[cfg(not(feature = "redis"))]
fn redis(_: &mut Criterion) {
    eprintln!(
        "cache/redis_hit_1k skipped: build with --features redis and set REDIS_URL to run it"
    );
}

criterion_group!(benches, memory, binary, redis);
criterion_main!(benches);
