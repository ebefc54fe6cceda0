//! A small hyper 1.x server that routes with `portcullis_router::RestRouter` and
//! answers with the matched resource and its path parameters.
//!
//! ```sh
//! cargo run --example router_hyper            # listens on 127.0.0.1:3000
//! cargo run --example router_hyper 0.0.0.0:8080
//! curl -i http://127.0.0.1:3000/pets/42
//! curl -i -X POST http://127.0.0.1:3000/pets   # no POST on /pets: /{proxy+} answers
//! curl -i http://127.0.0.1:3000/files/a%20b/c.txt
//! ```
//!
//! A request no route answers gets API Gateway's REST answer,
//! `403 {"message":"Missing Authentication Token"}`.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use portcullis_router::{InsertError, Method, RestRouter, percent_decode};
use tokio::net::TcpListener;

/// What each route does; a real gateway stores its compiled route plan here.
type Handler = &'static str;

fn routes() -> Result<RestRouter<Handler>, InsertError> {
    let mut router = RestRouter::new();
    router.insert(Method::Get, "/", "root")?;
    router.insert(Method::Get, "/pets", "list pets")?;
    router.insert(Method::Get, "/pets/{petId}", "get a pet")?;
    router.insert(Method::Delete, "/pets/{petId}", "delete a pet")?;
    router.insert(Method::Get, "/files/{path+}", "read a file")?;
    router.insert(Method::Any, "/{proxy+}", "catch-all proxy")?;
    Ok(router)
}

fn respond(router: &RestRouter<Handler>, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let method = request.method().as_str();
    // The path without the query string, still percent-encoded.
    let path = request.uri().path();
    let Some(matched) = router.at(method, path) else {
        return Response::builder()
            .status(StatusCode::FORBIDDEN)
            .header("content-type", "application/json")
            .body(Full::from(r#"{"message":"Missing Authentication Token"}"#))
            .unwrap_or_default();
    };
    let mut body = format!(
        "{method} {path}\nresource: {}\nhandler: {}\n",
        matched.route, matched.value
    );
    for (name, raw) in matched.params.iter() {
        let _ = writeln!(
            body,
            "param {name} = {raw:?} (decoded: {:?})",
            percent_decode(raw)
        );
    }
    println!("{method} {path} -> {}", matched.route);
    Response::new(Full::from(body))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .as_deref()
        .unwrap_or("127.0.0.1:3000")
        .parse()?;
    let router = Arc::new(routes()?);
    for (method, resource, handler) in router.iter() {
        println!("{method:7} {resource:16} {handler}");
    }
    let listener = TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);

    loop {
        let (stream, _) = listener.accept().await?;
        let router = Arc::clone(&router);
        tokio::spawn(async move {
            let service = service_fn(|request: Request<Incoming>| {
                let response = respond(&router, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(error) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {error}");
            }
        });
    }
}
