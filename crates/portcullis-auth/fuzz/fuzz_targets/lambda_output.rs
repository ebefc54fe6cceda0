//! Takes arbitrary bytes as a Lambda authorizer function's output and runs
//! it through an authorizer of each payload format: REST, HTTP API 1.0,
//! HTTP API 2.0 with policies and with simple responses. Nothing may panic;
//! a refusal of the output says why; an accepted output renders its
//! `$context.authorizer` values and integration events; the cached answer
//! decides exactly as the fresh one did, for the same method and another.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use portcullis_auth::fetch::BoxFuture;
use portcullis_auth::lambda::{
    Api, AuthorizerKind, AuthorizerRequest, IdentitySource, IntegrationFormat, Invoke,
    InvokeError, LambdaAuthorizer, LambdaAuthorizerConfig, PayloadFormat, Refused,
};

const GET: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1";
const POST: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/pets";

/// A function whose output is the input.
struct Echo(Bytes);

impl Invoke for Echo {
    fn invoke<'a>(&'a self, _: &'a str, _: Bytes) -> BoxFuture<'a, Result<Bytes, InvokeError>> {
        let output = self.0.clone();
        Box::pin(async move { Ok(output) })
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}

fn authorizer(format: PayloadFormat) -> LambdaAuthorizer {
    let kind = match format {
        PayloadFormat::Rest => AuthorizerKind::Token {
            header: http::header::AUTHORIZATION,
            validation: None,
        },
        _ => AuthorizerKind::Request {
            identity_sources: vec![
                IdentitySource::parse("$request.header.Authorization", true).expect("a source"),
            ],
        },
    };
    LambdaAuthorizer::new(LambdaAuthorizerConfig::new("f", kind, format)).expect("valid")
}

fn check(authorized: &Result<portcullis_auth::lambda::Authorized, Refused>, api: Api) {
    match authorized {
        Ok(allowed) => {
            for key in allowed.context().keys() {
                let _ = allowed.context_variable(key);
            }
            let _ = allowed.context_variable("principalId");
            for format in [
                IntegrationFormat::Rest,
                IntegrationFormat::HttpV1,
                IntegrationFormat::HttpV2,
            ] {
                assert!(allowed.event_value(format).is_object());
            }
        }
        Err(refused) => {
            assert!(!refused.to_string().is_empty());
            let answer = refused.response(api);
            assert!(matches!(answer.status, 401 | 403 | 500));
        }
    }
}

/// Whether two outcomes decide alike (the cached answer must).
fn same(a: &Result<portcullis_auth::lambda::Authorized, Refused>, b: &Result<portcullis_auth::lambda::Authorized, Refused>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => x.principal_id() == y.principal_id() && x.context() == y.context(),
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let function = Echo(Bytes::copy_from_slice(data));
    let mut headers = HeaderMap::new();
    headers.insert(http::header::AUTHORIZATION, HeaderValue::from_static("token"));
    let (stage, context) = (BTreeMap::new(), serde_json::json!({"stage": "prod"}));
    let request = |arn: &'static str| AuthorizerRequest {
        method_arn: arn,
        http_method: "GET",
        resource: "/pets/{id}",
        path: "/pets/1",
        route_key: "GET /pets/{id}",
        raw_path: "/prod/pets/1",
        raw_query: Some("a=1"),
        headers: &headers,
        header_names: &[],
        path_parameters: &[("id", "1")],
        stage_variables: &stage,
        request_context: &context,
        context_variable: &|_| None,
        source_ip: Some("192.0.2.1".parse().expect("an address")),
    };
    for format in [
        PayloadFormat::Rest,
        PayloadFormat::HttpV1,
        PayloadFormat::HttpV2 {
            simple_responses: false,
        },
        PayloadFormat::HttpV2 {
            simple_responses: true,
        },
    ] {
        let authorizer = authorizer(format);
        let now = Instant::now();
        let fresh = runtime().block_on(authorizer.authorize(&request(GET), &function, now));
        check(&fresh, format.api());
        let cached = runtime().block_on(authorizer.authorize(&request(GET), &function, now));
        assert!(same(&fresh, &cached), "{fresh:?} then {cached:?}");
        if let Ok(allowed) = &cached {
            assert!(allowed.from_cache);
        }
        let other = runtime().block_on(authorizer.authorize(&request(POST), &function, now));
        check(&other, format.api());
        // Output that was unusable once is unusable for every method.
        if matches!(fresh, Err(Refused::ConfigurationError(_))) {
            assert!(matches!(other, Err(Refused::ConfigurationError(_))));
            assert_eq!(authorizer.cached_results(), 0);
        }
    }
});
