//! An axum server rate-limited by Portcullis's `RateLimitLayer` alone, as
//! API Gateway throttles a route: `/hello` gets a token bucket per client IP
//! address, in this process's memory, and answers with `RateLimit-*` headers.
//!
//! ```text
//! cargo run --example ratelimit_axum -- [ADDRESS [RATE [BURST]]]
//! for i in $(seq 12); do curl -si http://127.0.0.1:3002/hello | head -1; done
//! ```
//!
//! Defaults: 127.0.0.1:3002, 5 requests a second, a burst of 10. Past the
//! burst the answer is API Gateway's: 429 `{"message":"Too Many Requests"}`
//! with `x-amzn-ErrorType: TooManyRequestsException`, plus `Retry-After`.
//!
//! With `REDIS_URL` set (`redis://127.0.0.1:6379/`), the buckets live in
//! Redis instead, so every copy of this server shares them (key prefix
//! `REDIS_PREFIX`, default `ratelimit-axum`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use portcullis::ratelimit::{Limiter, MemoryStore, RateLimitLayer, RedisStore, Throttle};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let address = args.first().map_or("127.0.0.1:3002", String::as_str);
    let rate: f64 = args.get(1).map_or(Ok(5.0), |rate| rate.parse())?;
    let burst: u64 = args.get(2).map_or(Ok(10), |burst| burst.parse())?;

    let limiter = Arc::new(match std::env::var("REDIS_URL") {
        Ok(url) => {
            let prefix = std::env::var("REDIS_PREFIX").unwrap_or_else(|_| "ratelimit-axum".into());
            Limiter::new(RedisStore::connect(&url).await?.prefix(&prefix)?)
        }
        Err(_) => Limiter::new(MemoryStore::new()),
    });
    let per_client = RateLimitLayer::new(limiter, Throttle::new(rate, burst)?)
        // axum hands the peer's address on as `ConnectInfo`.
        .key_by(|head| {
            let ConnectInfo(peer) = head.extensions.get::<ConnectInfo<SocketAddr>>()?;
            Some(peer.ip().to_string())
        })
        .rate_limit_headers(true);

    let app = Router::new()
        .route("/hello", get(hello))
        .route_layer(per_client)
        // Not limited: the layer guards the routes added before it.
        .route("/health", get(|| async { "ok\n" }));

    let listener = tokio::net::TcpListener::bind(address).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}

async fn hello(ConnectInfo(peer): ConnectInfo<SocketAddr>) -> String {
    format!("hello {}\n", peer.ip())
}
