//! Embeds `portcullis-lambda` in a hyper server: every request becomes an API
//! Gateway REST proxy event for a Lambda handler run as a local process, and the
//! handler's proxy response becomes the HTTP response.
//!
//! ```sh
//! python3 -m pip install awslambdaric
//! cd crates/portcullis-gateway/tests/fixtures/lambda     # handlers.echo answers with the event it got
//! cargo run --example lambda_hyper -- python3 -m awslambdaric handlers.echo
//! curl -s 'http://127.0.0.1:3000/pets/7?verbose=1'
//! ```

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use portcullis::lambda::event::{self, Identity, ProxyRequest, RequestContext};
use portcullis::lambda::local::{LocalFunction, LocalSpec};
use portcullis::lambda::{Outcome, response};
use tokio::net::TcpListener;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

async fn call(
    function: &LocalFunction,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return text(StatusCode::BAD_REQUEST, "unreadable body");
    };
    let request_id = format!("req-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let source_ip = peer.ip().to_string();
    let stage_variables = BTreeMap::new();
    // Serve every path with one catch-all resource, as `/{proxy+}` would.
    let path = parts.uri.path();
    let proxy = path.trim_start_matches('/');
    let path_parameters = [("proxy", proxy)];
    let event = event::rest_v1(&ProxyRequest {
        method: parts.method.as_str(),
        resource: "/{proxy+}",
        route_key: "ANY /{proxy+}",
        path,
        raw_query: parts.uri.query(),
        headers: &parts.headers,
        header_case: Default::default(),
        path_parameters: &path_parameters,
        stage_variables: &stage_variables,
        body: &body,
        base64_body: false,
        context: RequestContext {
            request_id: &request_id,
            stage: "local",
            path,
            protocol: "HTTP/1.1",
            identity: Identity {
                source_ip: &source_ip,
                ..Identity::default()
            },
            ..RequestContext::default()
        },
    });
    match function.invoke(event, &request_id).await {
        Ok(Outcome::Returned(result)) => match response::parse_v1(&result) {
            Ok(answer) => {
                let mut http = Response::new(Full::new(answer.body));
                *http.status_mut() = answer.status;
                *http.headers_mut() = answer.headers;
                http
            }
            Err(why) => text(
                StatusCode::BAD_GATEWAY,
                &format!("malformed proxy response: {why}"),
            ),
        },
        Ok(Outcome::Failed(error)) => text(
            StatusCode::BAD_GATEWAY,
            &format!("the function failed: {}", String::from_utf8_lossy(&error)),
        ),
        Err(error) => text(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string()),
    }
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let command: Vec<String> = std::env::args().skip(1).collect();
    if command.is_empty() {
        return Err(
            "usage: lambda_hyper PROGRAM [ARGS...]  (a Lambda handler's runtime command)".into(),
        );
    }
    let function = Arc::new(LocalFunction::new(LocalSpec::new("handler", command))?);
    let listener = TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000");
    loop {
        let (stream, peer) = listener.accept().await?;
        let function = function.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let function = function.clone();
                async move { Ok::<_, Infallible>(call(&function, peer, request).await) }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
