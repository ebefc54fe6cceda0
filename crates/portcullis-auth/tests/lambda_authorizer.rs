//! Lambda authorizers through the public API, against an in-process
//! function that answers by token as the developer guide's example function
//! does (`allow`, `deny`, `unauthorized`, anything else fails), plus the
//! ways a function can go wrong, counting every call.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use portcullis_auth::fetch::BoxFuture;
use portcullis_auth::lambda::*;
use serde_json::{Value, json};

const API: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123";

/// Answers by `authorizationToken` (TOKEN) or the `x-token` header (REQUEST).
#[derive(Default)]
struct GuideFunction {
    calls: Mutex<HashMap<String, usize>>,
}

impl GuideFunction {
    fn calls(&self, token: &str) -> usize {
        self.calls.lock().unwrap().get(token).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.calls.lock().unwrap().values().sum()
    }
}

fn policy(effect: &str, resource: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]})
}

impl Invoke for GuideFunction {
    fn invoke<'a>(&'a self, _: &'a str, event: Bytes) -> BoxFuture<'a, Result<Bytes, InvokeError>> {
        Box::pin(async move {
            let event: Value = serde_json::from_slice(&event).expect("events are JSON");
            let header = |name: &str| {
                let headers = event["headers"].as_object()?;
                let (_, value) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
                value.as_str()
            };
            let token = event["authorizationToken"]
                .as_str()
                .or_else(|| header("x-token"))
                .unwrap_or_default()
                .to_owned();
            *self.calls.lock().unwrap().entry(token.clone()).or_default() += 1;
            let arn = event["methodArn"]
                .as_str()
                .or(event["routeArn"].as_str())
                .unwrap_or("");
            let context = json!({"stringKey": "stringval", "numberKey": 123, "booleanKey": true});
            let output = match token.as_str() {
                "allow" => json!({"principalId": "user", "policyDocument": policy("Allow", arn),
                                  "context": context}),
                "deny" => json!({"principalId": "user", "policyDocument": policy("Deny", arn)}),
                "get-only" => json!({"principalId": "user",
                                     "policyDocument": policy("Allow", &format!("{API}/prod/GET/a"))}),
                "unauthorized" => {
                    return Err(InvokeError::FunctionError {
                        message: "Unauthorized".into(),
                    });
                }
                "malformed" => return Ok(Bytes::from_static(b"{\"principalId\": \"user\", ")),
                "nested" => json!({"principalId": "user", "policyDocument": policy("Allow", arn),
                                   "context": {"roles": ["admin"]}}),
                "simple" => json!({"isAuthorized": true, "context": {"roles": ["admin"], "n": 1}}),
                "wait-then-refuse" => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    return Err(InvokeError::FunctionError {
                        message: "Unauthorized".into(),
                    });
                }
                "wait" => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    json!({"principalId": "user", "policyDocument": policy("Allow", arn)})
                }
                "slow" => {
                    tokio::time::sleep(Duration::from_secs(11)).await;
                    json!({"principalId": "user", "policyDocument": policy("Allow", arn)})
                }
                _ => {
                    return Err(InvokeError::FunctionError {
                        message: "Error: Invalid token".into(),
                    });
                }
            };
            Ok(Bytes::from(output.to_string()))
        })
    }
}

struct Call {
    headers: HeaderMap,
    stage: BTreeMap<String, String>,
    context: Value,
    arn: String,
}

impl Call {
    fn new(header: &str, token: &str, method: &str) -> Self {
        let mut headers = HeaderMap::new();
        if !token.is_empty() {
            headers.insert(
                http::HeaderName::from_bytes(header.as_bytes()).unwrap(),
                HeaderValue::from_str(token).unwrap(),
            );
        }
        Call {
            headers,
            stage: BTreeMap::new(),
            context: json!({"stage": "prod"}),
            arn: format!("{API}/prod/{method}/a"),
        }
    }

    fn request(&self) -> AuthorizerRequest<'_> {
        AuthorizerRequest {
            method_arn: &self.arn,
            http_method: "GET",
            resource: "/a",
            path: "/a",
            route_key: "GET /a",
            raw_path: "/prod/a",
            raw_query: None,
            headers: &self.headers,
            header_names: &[],
            path_parameters: &[],
            stage_variables: &self.stage,
            request_context: &self.context,
            context_variable: &|_| None,
            source_ip: None,
        }
    }
}

fn token_authorizer() -> LambdaAuthorizer {
    LambdaAuthorizer::new(LambdaAuthorizerConfig::new(
        "guide-token-authorizer",
        AuthorizerKind::Token {
            header: http::header::AUTHORIZATION,
            validation: None,
        },
        PayloadFormat::Rest,
    ))
    .unwrap()
}

async fn rest(
    authorizer: &LambdaAuthorizer,
    f: &GuideFunction,
    token: &str,
) -> Result<Authorized, Refused> {
    let call = Call::new("authorization", token, "GET");
    authorizer
        .authorize(&call.request(), f, tokio::time::Instant::now().into_std())
        .await
}

// Paused: the function takes no (virtual) time, so `integrationLatency` is 0.
#[tokio::test(start_paused = true)]
async fn the_guide_example_function() {
    let (a, f) = (token_authorizer(), GuideFunction::default());
    let allowed = rest(&a, &f, "allow").await.unwrap();
    assert_eq!(allowed.principal_id(), Some("user"));
    assert_eq!(
        allowed.context_variable("numberKey").as_deref(),
        Some("123")
    );
    assert_eq!(
        allowed.context_variable("booleanKey").as_deref(),
        Some("true")
    );
    assert_eq!(
        allowed.event_value(IntegrationFormat::Rest),
        json!({"principalId": "user", "integrationLatency": 0, "stringKey": "stringval",
               "numberKey": "123", "booleanKey": "true"})
    );

    let denied = rest(&a, &f, "deny").await.unwrap_err();
    assert_eq!(denied, Refused::Denied { explicit: true });
    let answer = denied.response(Api::Rest);
    assert_eq!(
        (answer.status, answer.response_type),
        (403, "ACCESS_DENIED")
    );
    assert_eq!(
        answer.message,
        Some("User is not authorized to access this resource with an explicit deny")
    );

    let unauthorized = rest(&a, &f, "unauthorized").await.unwrap_err();
    assert_eq!(unauthorized.response(Api::Rest).status, 401);
    let other = rest(&a, &f, "other").await.unwrap_err();
    assert_eq!(
        other,
        Refused::Failure(AuthorizerFailure::Raised("Error: Invalid token".into()))
    );
    assert_eq!(other.response(Api::Rest).status, 500);

    // Missing token: 401, and the function is not called.
    let missing = rest(&a, &f, "").await.unwrap_err();
    assert_eq!(missing, Refused::MissingIdentity);
    assert_eq!(f.calls(""), 0);

    // Cached: allow and deny once each; failures every time.
    for _ in 0..3 {
        rest(&a, &f, "allow").await.unwrap();
        rest(&a, &f, "deny").await.unwrap_err();
        rest(&a, &f, "unauthorized").await.unwrap_err();
    }
    assert_eq!(
        (f.calls("allow"), f.calls("deny"), f.calls("unauthorized")),
        (1, 1, 4)
    );
}

#[tokio::test]
async fn unusable_output_is_a_configuration_error() {
    let (a, f) = (token_authorizer(), GuideFunction::default());
    for token in ["malformed", "nested"] {
        let refused = rest(&a, &f, token).await.unwrap_err();
        assert!(
            matches!(refused, Refused::ConfigurationError(_)),
            "{token}: {refused:?}"
        );
        let answer = refused.response(Api::Rest);
        assert_eq!(answer.status, 500);
        assert_eq!(answer.response_type, "AUTHORIZER_CONFIGURATION_ERROR");
        assert_eq!(answer.error_type, Some("AuthorizerConfigurationException"));
        assert_eq!(answer.message, None);
    }
    assert_eq!(a.cached_results(), 0);
}

#[tokio::test]
async fn a_cached_policy_is_evaluated_for_each_method() {
    let (a, f) = (token_authorizer(), GuideFunction::default());
    let get = Call::new("authorization", "get-only", "GET");
    let post = Call::new("authorization", "get-only", "POST");
    let now = Instant::now();
    assert!(a.authorize(&get.request(), &f, now).await.is_ok());
    let refused = a.authorize(&post.request(), &f, now).await.unwrap_err();
    assert_eq!(refused, Refused::Denied { explicit: false });
    assert_eq!(
        refused.response(Api::Rest).message,
        Some("User is not authorized to access this resource")
    );
    assert!(
        a.authorize(&get.request(), &f, now)
            .await
            .unwrap()
            .from_cache
    );
    assert_eq!(f.total(), 1);
}

#[tokio::test(start_paused = true)]
async fn slow_functions_time_out_after_ten_seconds() {
    let (a, f) = (token_authorizer(), GuideFunction::default());
    let started = tokio::time::Instant::now();
    let refused = rest(&a, &f, "slow").await.unwrap_err();
    assert_eq!(refused, Refused::Failure(AuthorizerFailure::TimedOut));
    assert_eq!(started.elapsed(), AUTHORIZER_TIMEOUT);
    assert_eq!(
        refused.response(Api::Http).message,
        Some("Internal Server Error")
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_misses_share_one_call() {
    let (a, f) = (token_authorizer(), GuideFunction::default());
    let (first, second, other) = tokio::join!(
        rest(&a, &f, "wait"),
        rest(&a, &f, "wait"),
        rest(&a, &f, "allow")
    );
    assert!(first.is_ok() && second.is_ok() && other.is_ok());
    assert_eq!(second.unwrap().latency, Duration::from_secs(1));
    assert_eq!((f.calls("wait"), f.calls("allow")), (1, 1));
    // Failures are shared by those who waited, but not kept.
    let token = "wait-then-refuse";
    let (x, y) = tokio::join!(rest(&a, &f, token), rest(&a, &f, token));
    assert_eq!(x.unwrap_err(), Refused::Unauthorized);
    assert_eq!(y.unwrap_err(), Refused::Unauthorized);
    assert_eq!(f.calls(token), 1);
    rest(&a, &f, token).await.unwrap_err();
    assert_eq!(f.calls(token), 2);
}

#[tokio::test(start_paused = true)]
async fn results_live_for_the_ttl() {
    let a = LambdaAuthorizer::new(
        LambdaAuthorizerConfig::new(
            "f",
            AuthorizerKind::Token {
                header: http::header::AUTHORIZATION,
                validation: Some("allow|deny".into()),
            },
            PayloadFormat::Rest,
        )
        .ttl(Duration::from_secs(30)),
    )
    .unwrap();
    let f = GuideFunction::default();
    rest(&a, &f, "allow").await.unwrap();
    tokio::time::advance(Duration::from_secs(29)).await;
    assert!(rest(&a, &f, "allow").await.unwrap().from_cache);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert!(!rest(&a, &f, "allow").await.unwrap().from_cache);
    assert_eq!(f.calls("allow"), 2);
    // The validation expression refuses before the function is called.
    assert_eq!(
        rest(&a, &f, "allowed").await.unwrap_err(),
        Refused::MissingIdentity
    );
    assert_eq!(f.calls("allowed"), 0);
}

#[tokio::test]
async fn http_api_simple_responses_and_nested_context() {
    let a = LambdaAuthorizer::new(LambdaAuthorizerConfig::new(
        "f",
        AuthorizerKind::Request {
            identity_sources: vec![IdentitySource::parse("$request.header.x-token", true).unwrap()],
        },
        PayloadFormat::HttpV2 {
            simple_responses: true,
        },
    ))
    .unwrap();
    let f = GuideFunction::default();
    let call = Call::new("x-token", "simple", "GET");
    let allowed = a
        .authorize(&call.request(), &f, Instant::now())
        .await
        .unwrap();
    assert_eq!(
        allowed.event_value(IntegrationFormat::HttpV2),
        json!({"lambda": {"roles": ["admin"], "n": 1}})
    );
    assert_eq!(
        allowed.context_variable("roles").as_deref(),
        Some(r#"["admin"]"#)
    );
    // A policy answer where a simple one is expected is unusable.
    let call = Call::new("x-token", "allow", "GET");
    let refused = a
        .authorize(&call.request(), &f, Instant::now())
        .await
        .unwrap_err();
    assert!(matches!(refused, Refused::ConfigurationError(ref m) if m.contains("isAuthorized")));
    // Missing identity: 401 without a call.
    let call = Call::new("x-token", "", "GET");
    let refused = a
        .authorize(&call.request(), &f, Instant::now())
        .await
        .unwrap_err();
    assert_eq!(refused.response(Api::Http).status, 401);
    assert_eq!(f.total(), 2);
}

#[tokio::test]
async fn http_api_policies_keep_nested_context() {
    let a = LambdaAuthorizer::new(LambdaAuthorizerConfig::new(
        "f",
        AuthorizerKind::Request {
            identity_sources: vec![IdentitySource::parse("$request.header.x-token", true).unwrap()],
        },
        PayloadFormat::HttpV1,
    ))
    .unwrap();
    let f = GuideFunction::default();
    let call = Call::new("x-token", "nested", "GET");
    let allowed = a
        .authorize(&call.request(), &f, Instant::now())
        .await
        .unwrap();
    assert_eq!(
        allowed.event_value(IntegrationFormat::HttpV1)["roles"],
        json!(["admin"])
    );
    let call = Call::new("x-token", "deny", "GET");
    let refused = a
        .authorize(&call.request(), &f, Instant::now())
        .await
        .unwrap_err();
    assert_eq!(refused.response(Api::Http).message, Some("Forbidden"));
}
