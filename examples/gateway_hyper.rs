//! Embeds the Portcullis pipeline in your own hyper server: `/healthz` is yours,
//! everything else is served from an AWS OpenAPI export, exactly as `portcullis
//! serve` would serve it.
//!
//! ```sh
//! cargo run --example gateway_hyper -- examples/petstore/openapi.yaml
//! curl -i http://127.0.0.1:3000/pets
//! curl -i http://127.0.0.1:3000/healthz
//! ```

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use portcullis::gateway::ResponseBody;
use portcullis::gateway::config::{self, Overrides, Source};
use portcullis::gateway::pipeline::{Connection, Pipeline};
use portcullis::gateway::runtime::Gateway;
use portcullis::gateway::upstream::UpstreamClient;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let export = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("examples/petstore/openapi.yaml"));
    let config = config::load(&Source::OpenApi(vec![export]), &Overrides::default())?;
    let gateway = Arc::new(ArcSwap::from_pointee(Gateway::compile(&config)?));
    let pipeline = Pipeline::new(gateway, UpstreamClient::new(&config.upstream)?);

    let listener = TcpListener::bind("127.0.0.1:3000").await?;
    let local = listener.local_addr()?;
    println!("listening on http://{local}");
    loop {
        let (stream, peer) = listener.accept().await?;
        let pipeline = pipeline.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let pipeline = pipeline.clone();
                async move {
                    if request.uri().path() == "/healthz" {
                        return Ok::<_, Infallible>(Response::new(ResponseBody::from("ok")));
                    }
                    let connection = Connection {
                        peer,
                        local,
                        tls: false,
                    };
                    Ok(pipeline.handle(request, connection).await)
                }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
