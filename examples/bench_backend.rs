//! The load benchmark's backend: a small, fast hyper server on loopback.
//!
//! `GET /small` answers 13 bytes (`Hello, world!`), `GET /json` a 4 KB JSON
//! document, `GET /jwks.json` the public key the benchmark's Cognito-shaped
//! tokens are signed with; anything else is `/small`. One worker thread per core unless
//! `BACKEND_THREADS` says otherwise.
//!
//! ```sh
//! cargo run --release --example bench_backend -- 127.0.0.1:9101
//! ```

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The public half of a key made for the load benchmark only (its tokens,
/// signed once with the private half, which was not kept, are in
/// benches/load/run.sh).
const JWKS: &str = r#"{"keys":[{"kty":"RSA","kid":"bench","alg":"RS256","use":"sig","n":"4t48KrqjT94Hrc1kt-1yymX_Y8uX_3_ImcDNOJpskDAaE64ZETKjL2jSUdVe0nZ1Ztv6B3qhVAS2IzRPpOsGU1SZjSwj7f7_wJOxoEd1qXhkC6s36ZGpEGedLAjRn57dhmlZ9Z7KTBd2f5O7MhIHqpT8Ynxh0aIZRfi-8oRUjPEBZyz8mwc3lsHCmueY9ww2wXp4zf7Ahi_Mh7_S_7mpJrzrUq9L9M0hrwmpGpwy4WY2hw7Dl51QouY8QP_0OAiALDdVyslRFilGTCcQvPttEuLMvomtZlCldsxnM3d4VzDBSjv_OAra0loDgqqS1bYrl05Mth1Ykj2MKOm-sDVN7Q","e":"AQAB"}]}"#;

fn json_body() -> Bytes {
    let mut out = String::from("{\"items\":[");
    let mut i = 0;
    while out.len() < 4000 {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"id\":{i},\"name\":\"item-{i:04}\",\"price\":{}.{:02},\"tags\":[\"a\",\"b\"]}}",
            i * 3 % 97,
            i % 100
        ));
        i += 1;
    }
    out.push_str("]}");
    while out.len() < 4096 {
        out.insert(out.len() - 1, ' ');
    }
    Bytes::from(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9101".to_owned());
    let threads = std::env::var("BACKEND_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let json = json_body();
        let listener = TcpListener::bind(&addr).await?;
        println!("backend listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            let json = json.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let json = json.clone();
                    async move {
                        let response = if request.uri().path() == "/jwks.json" {
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from_static(JWKS.as_bytes())))
                        } else if request.uri().path().ends_with("/json") {
                            Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(json))
                        } else {
                            Response::builder()
                                .header("content-type", "text/plain")
                                .body(Full::new(Bytes::from_static(b"Hello, world!")))
                        };
                        Ok::<_, Infallible>(response.expect("static response"))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
