//! Embeds the Portcullis VTL engine in a hyper server: every POST body is
//! reshaped by an API Gateway mapping template before it is answered, the way a
//! non-proxy integration request would be.
//!
//! ```sh
//! cargo run --example mapping_hyper
//! curl -s -d '{"pets": [{"name": "Rex", "type": "dog"}, {"name": "Tom", "type": "cat"}]}' \
//!      'http://127.0.0.1:3000/shelter?city=Oslo'
//! ```

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use portcullis::mapping::input::RequestParams;
use portcullis::mapping::{Input, Scope, Template};
use tokio::net::TcpListener;

const TEMPLATE: &str = r##"#set($root = $input.path('$'))
{
  "city": "$util.escapeJavaScript($input.params('city'))",
  "names": [#foreach($pet in $root.pets)"$util.escapeJavaScript($pet.name)"#if($foreach.hasNext), #end#end],
  "count": $root.pets.size()
}"##;

async fn reshape(template: &Template, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let mut params = RequestParams::default();
    for pair in request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.querystring.insert(key.to_owned(), value.to_owned());
    }
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return answer(StatusCode::BAD_REQUEST, "unreadable body".into()),
    };
    let input = Input::new(&String::from_utf8_lossy(&body), params);
    match template.render(&Scope::new(&input)) {
        Ok(text) => answer(StatusCode::OK, text),
        Err(error) => answer(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
    }
}

fn answer(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Compiled once; errors name the line and column.
    let template = Template::compile("shelter", TEMPLATE)?;
    let listener = TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let template = template.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let template = template.clone();
                async move { Ok::<_, Infallible>(reshape(&template, request).await) }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
