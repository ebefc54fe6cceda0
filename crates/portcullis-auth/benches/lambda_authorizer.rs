//! Cost of a Lambda authorizer on the request path.
//!
//! `cargo bench -p portcullis-auth --bench lambda_authorizer`
//!
//! - `cached_token`: the common case, a REST `TOKEN` authorizer answering
//!   from its result cache: read the header (a 900-byte JWT), look it up,
//!   evaluate the cached 5-statement policy against this method's ARN. (The
//!   token's `identityValidationExpression` is checked on misses only: a
//!   cached token passed it when it was cached.)
//! - `cached_request`: a REST `REQUEST` authorizer keyed by a header, a
//!   query parameter and a stage variable.
//! - `anchor_policy_evaluate`: the same policy evaluated alone, the floor
//!   under any cached authorization.
//! - `miss_token`: no cache (TTL 0) and a function that answers at once:
//!   the event built, the output parsed and checked, the policy compiled.
//!
//! A cache hit completes without awaiting, so it is polled once with a
//! no-op waker rather than run on a runtime.

use std::collections::BTreeMap;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue};
use portcullis_auth::fetch::BoxFuture;
use portcullis_auth::lambda::*;
use portcullis_auth::policy::{Decision, PolicyDocument, PolicyRequest};
use serde_json::{Value, json};

const API: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123";

fn output() -> Value {
    let statements: Vec<Value> = ["orders", "users", "carts", "admin"]
        .iter()
        .map(|r| {
            json!({"Effect": "Deny", "Action": "execute-api:Invoke",
                   "Resource": format!("{API}/*/DELETE/{r}/*")})
        })
        .chain([json!({"Effect": "Allow", "Action": "execute-api:Invoke",
                       "Resource": format!("{API}/prod/GET/*")})])
        .collect();
    json!({
        "principalId": "user-4711",
        "policyDocument": {"Version": "2012-10-17", "Statement": statements},
        "context": {"tenant": "acme", "tier": 3, "admin": false}
    })
}

/// A function that answers at once with the same output.
struct Instantly(Bytes);

impl Invoke for Instantly {
    fn invoke<'a>(&'a self, _: &'a str, _: Bytes) -> BoxFuture<'a, Result<Bytes, InvokeError>> {
        let output = self.0.clone();
        Box::pin(async move { Ok(output) })
    }
}

/// Polls a future that must complete without waiting.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the authorizer waited"),
    }
}

fn bench(c: &mut Criterion) {
    let output = output();
    let function = Instantly(Bytes::from(output.to_string()));
    let jwt = format!("Bearer {}", "eyJhbGciOiJSUzI1NiJ9.".repeat(42));
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        HeaderValue::from_str(&jwt).unwrap(),
    );
    headers.insert("x-tenant", HeaderValue::from_static("acme"));
    headers.insert(
        http::header::USER_AGENT,
        HeaderValue::from_static("bench/1.0"),
    );
    headers.insert(http::header::ACCEPT, HeaderValue::from_static("*/*"));
    let stage = BTreeMap::from([("realm".to_owned(), "eu".to_owned())]);
    let context = json!({"stage": "prod", "requestId": "r"});
    let arn = format!("{API}/prod/GET/pets/42");
    let request = AuthorizerRequest {
        method_arn: &arn,
        http_method: "GET",
        resource: "/pets/{id}",
        path: "/pets/42",
        route_key: "GET /pets/{id}",
        raw_path: "/prod/pets/42",
        raw_query: Some("client=web&v=2"),
        headers: &headers,
        header_names: &[],
        path_parameters: &[("id", "42")],
        stage_variables: &stage,
        request_context: &context,
        context_variable: &|_| None,
        source_ip: None,
    };
    let now = Instant::now();

    let token = LambdaAuthorizer::new(LambdaAuthorizerConfig::new(
        "f",
        AuthorizerKind::Token {
            header: http::header::AUTHORIZATION,
            validation: Some("Bearer [A-Za-z0-9._-]+".into()),
        },
        PayloadFormat::Rest,
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime
        .block_on(token.authorize(&request, &function, now))
        .unwrap();
    assert!(
        ready(token.authorize(&request, &function, now))
            .unwrap()
            .from_cache
    );
    c.bench_function("lambda_authorizer/cached_token", |b| {
        b.iter(|| ready(token.authorize(black_box(&request), &function, now)).is_ok());
    });

    let sources = IdentitySource::parse_list(
        "method.request.header.x-tenant, method.request.querystring.client, stageVariables.realm",
        false,
    )
    .unwrap();
    let by_request = LambdaAuthorizer::new(LambdaAuthorizerConfig::new(
        "f",
        AuthorizerKind::Request {
            identity_sources: sources,
        },
        PayloadFormat::Rest,
    ))
    .unwrap();
    runtime
        .block_on(by_request.authorize(&request, &function, now))
        .unwrap();
    assert!(
        ready(by_request.authorize(&request, &function, now))
            .unwrap()
            .from_cache
    );
    c.bench_function("lambda_authorizer/cached_request", |b| {
        b.iter(|| ready(by_request.authorize(black_box(&request), &function, now)).is_ok());
    });

    let policy = PolicyDocument::from_json(&output["policyDocument"]).unwrap();
    let asked = PolicyRequest::new("execute-api:Invoke", &arn);
    assert_eq!(policy.evaluate(&asked), Decision::Allow);
    c.bench_function("lambda_authorizer/anchor_policy_evaluate", |b| {
        b.iter(|| black_box(&policy).evaluate(black_box(&asked)));
    });

    let uncached = LambdaAuthorizer::new(
        LambdaAuthorizerConfig::new(
            "f",
            AuthorizerKind::Token {
                header: http::header::AUTHORIZATION,
                validation: None,
            },
            PayloadFormat::Rest,
        )
        .ttl(Duration::ZERO),
    )
    .unwrap();
    c.bench_function("lambda_authorizer/miss_token", |b| {
        b.iter(|| {
            runtime
                .block_on(uncached.authorize(black_box(&request), &function, now))
                .is_ok()
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
