//! An axum server whose slow route is cached by Portcullis's `CacheLayer`
//! alone, as API Gateway's stage cache would cache it: `/time` takes
//! 200 ms to answer; its answer is kept 30 s, per query string, in this
//! process's memory, and `X-Cache` (beyond AWS) tells hits from misses.
//!
//! ```text
//! cargo run --example cache_axum -- [ADDRESS]
//! ```
//!
//! Default address 127.0.0.1:3000. The first request waits for the
//! handler; the next ones, for 30 s, get the same answer at once:
//!
//! ```text
//! $ curl -si http://127.0.0.1:3000/time
//! HTTP/1.1 200 OK
//! content-type: text/plain; charset=utf-8
//! x-cache: Miss
//! content-length: 47
//! date: Sun, 06 Dec 2026 10:13:09 GMT
//!
//! 1796551989.454 (unix time, computed in 200 ms)
//!
//! $ curl -si http://127.0.0.1:3000/time
//! HTTP/1.1 200 OK
//! content-type: text/plain; charset=utf-8
//! x-cache: Hit
//! content-length: 47
//! date: Sun, 06 Dec 2026 10:13:12 GMT
//!
//! 1796551989.454 (unix time, computed in 200 ms)
//! ```
//!
//! Another query string is another entry (`/time?tz=utc` misses once);
//! `curl -H 'Cache-Control: max-age=0' …/time` fetches a fresh answer and
//! replaces the entry (AWS's invalidation); `/stats` (not cached) counts:
//!
//! ```text
//! $ curl -s http://127.0.0.1:3000/stats
//! hits 1, misses 1
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use portcullis::cache::{Cache, CacheLayer, MemoryStore};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let address = args.first().map_or("127.0.0.1:3000", String::as_str);

    // 16 MB of entries at most.
    let cache = Cache::new(MemoryStore::new(16 << 20));
    let cached = CacheLayer::new(cache.clone())
        .ttl(Duration::from_secs(30))?
        .x_cache(true);

    let app = Router::new()
        .route("/time", get(slow_time))
        .route_layer(cached)
        // Not cached: the layer wraps the routes added before it.
        .route(
            "/stats",
            get(move || {
                let stats = cache.stats();
                async move { format!("hits {}, misses {}\n", stats.hits, stats.misses) }
            }),
        );

    let listener = tokio::net::TcpListener::bind(address).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// A handler worth caching: 200 ms to say what time it is.
async fn slow_time() -> String {
    tokio::time::sleep(Duration::from_millis(200)).await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.{:03} (unix time, computed in 200 ms)\n",
        now.as_secs(),
        now.subsec_millis()
    )
}
