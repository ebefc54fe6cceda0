//! An axum server guarded by Portcullis's JWT layer alone, as an HTTP API
//! JWT authorizer guards a route.
//!
//! ```text
//! cargo run --example jwt_axum -- ISSUER AUDIENCE JWKS_FILE [ADDRESS]
//! curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3001/hello
//! ```
//!
//! `JWKS_FILE` holds the issuer's keys (`{"keys": [...]}`); to fetch them
//! from the issuer instead, give the builder `fetch_keys` with your HTTP client.

use std::sync::Arc;

use axum::routing::get;
use axum::{Extension, Router};
use portcullis::auth::jwt::{JwtAuthorizer, KeySet, VerifiedToken};
use portcullis::auth::layer::JwtLayer;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, audience, jwks_file, rest @ ..] = args.as_slice() else {
        return Err("usage: jwt_axum ISSUER AUDIENCE JWKS_FILE [ADDRESS]".into());
    };
    let address = rest.first().map_or("127.0.0.1:3001", String::as_str);
    let keys = KeySet::from_json(&std::fs::read(jwks_file)?)?;
    let authorizer = Arc::new(
        JwtAuthorizer::builder(issuer.as_str())
            .audiences([audience.as_str()])
            .keys(keys)
            .build(),
    );

    let app = Router::new()
        .route("/hello", get(hello))
        .route(
            "/admin",
            get(hello).layer(JwtLayer::new(authorizer.clone()).scopes(["admin"])),
        )
        .layer(JwtLayer::new(authorizer));

    let listener = tokio::net::TcpListener::bind(address).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Greets the token's subject: the layer hands the verified token on.
async fn hello(Extension(token): Extension<Arc<VerifiedToken>>) -> String {
    let subject = token
        .claims()
        .get("sub")
        .and_then(|s| s.as_str())
        .unwrap_or("?");
    format!("hello {subject}\n")
}
