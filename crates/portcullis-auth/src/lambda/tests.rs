//! The authorize flow: when the function is called, what is cached, how
//! answers become refusals.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::*;

const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";

/// A function with one scripted answer, counting its calls and keeping the
/// last event.
struct Scripted {
    answer: Result<&'static str, InvokeError>,
    delay: Duration,
    calls: AtomicUsize,
    last_event: Mutex<Option<Value>>,
}

fn scripted(answer: Result<&'static str, InvokeError>) -> Scripted {
    Scripted {
        answer,
        delay: Duration::ZERO,
        calls: AtomicUsize::new(0),
        last_event: Mutex::new(None),
    }
}

impl Scripted {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Invoke for Scripted {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        event: Bytes,
    ) -> BoxFuture<'a, Result<Bytes, InvokeError>> {
        Box::pin(async move {
            assert_eq!(function, "authorizer");
            self.calls.fetch_add(1, Ordering::SeqCst);
            *self.last_event.lock().unwrap() = Some(serde_json::from_slice(&event).unwrap());
            tokio::time::sleep(self.delay).await;
            self.answer
                .clone()
                .map(|text| Bytes::from_static(text.as_bytes()))
        })
    }
}

fn policy(effect: &str, resource: &str) -> String {
    json!({
        "principalId": "user",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}]},
        "context": {"n": 1}
    })
    .to_string()
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// Owns what an [`AuthorizerRequest`] borrows.
struct Parts {
    headers: HeaderMap,
    stage: BTreeMap<String, String>,
    context: Value,
}

fn parts(pairs: &[(&str, &str)]) -> Parts {
    let mut headers = HeaderMap::new();
    for (n, v) in pairs {
        headers.append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    Parts {
        headers,
        stage: BTreeMap::new(),
        context: json!({}),
    }
}

fn request<'a>(parts: &'a Parts, method: &'a str, arn: &'a str) -> AuthorizerRequest<'a> {
    AuthorizerRequest {
        method_arn: arn,
        http_method: method,
        resource: "/a",
        path: "/a",
        route_key: "GET /a",
        raw_path: "/a",
        raw_query: None,
        headers: &parts.headers,
        header_names: &[],
        path_parameters: &[],
        stage_variables: &parts.stage,
        request_context: &parts.context,
        context_variable: &|_| None,
        source_ip: None,
    }
}

fn token(validation: Option<&str>) -> AuthorizerKind {
    AuthorizerKind::Token {
        header: http::header::AUTHORIZATION,
        validation: validation.map(str::to_owned),
    }
}

fn authorizer(kind: AuthorizerKind, format: PayloadFormat, ttl: Duration) -> LambdaAuthorizer {
    LambdaAuthorizer::new(LambdaAuthorizerConfig::new("authorizer", kind, format).ttl(ttl)).unwrap()
}

fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

const TTL: Duration = DEFAULT_TTL;

#[tokio::test]
async fn missing_or_invalid_tokens_do_not_call() {
    let function = scripted(Ok(leak(policy("Allow", "*"))));
    let a = authorizer(token(Some("Bearer [a-z]+")), PayloadFormat::Rest, TTL);
    for pairs in [
        &[][..],
        &[("authorization", "")],
        &[("authorization", "Bearer 123")],
    ] {
        let parts = parts(pairs);
        let r = a
            .authorize(&request(&parts, "GET", ARN), &function, now())
            .await;
        assert_eq!(r.unwrap_err(), Refused::MissingIdentity);
    }
    assert_eq!(function.calls(), 0);
    let parts = parts(&[("authorization", "Bearer abc")]);
    assert!(
        a.authorize(&request(&parts, "GET", ARN), &function, now())
            .await
            .is_ok()
    );
    assert_eq!(function.calls(), 1);
    assert_eq!(
        function.last_event.lock().unwrap().as_ref().unwrap()["authorizationToken"],
        "Bearer abc"
    );
}

#[tokio::test]
async fn request_identity_is_required_when_caching_or_on_http_apis() {
    let function = scripted(Ok(leak(policy("Allow", "*"))));
    let sources = || AuthorizerKind::Request {
        identity_sources: vec![IdentitySource::Header(HeaderName::from_static("x-id"))],
    };
    let empty = parts(&[]);
    let rest_cached = authorizer(sources(), PayloadFormat::Rest, TTL);
    let r = rest_cached
        .authorize(&request(&empty, "GET", ARN), &function, now())
        .await;
    assert_eq!(r.unwrap_err(), Refused::MissingIdentity);
    let http = authorizer(sources(), PayloadFormat::HttpV1, Duration::ZERO);
    let r = http
        .authorize(&request(&empty, "GET", ARN), &function, now())
        .await;
    assert_eq!(r.unwrap_err(), Refused::MissingIdentity);
    assert_eq!(function.calls(), 0);
    // REST without caching calls the function anyway.
    let rest = authorizer(sources(), PayloadFormat::Rest, Duration::ZERO);
    assert!(
        rest.authorize(&request(&empty, "GET", ARN), &function, now())
            .await
            .is_ok()
    );
    assert_eq!(function.calls(), 1);
}

#[tokio::test]
async fn cached_policies_are_evaluated_per_method() {
    let function = scripted(Ok(leak(policy("Allow", &format!("{ARN}/GET/a")))));
    let a = authorizer(token(None), PayloadFormat::Rest, TTL);
    let parts = parts(&[("authorization", "t")]);
    let get_arn = format!("{ARN}/GET/a");
    let post_arn = format!("{ARN}/POST/a");
    let first = a
        .authorize(&request(&parts, "GET", &get_arn), &function, now())
        .await
        .unwrap();
    assert!(!first.from_cache);
    let again = a
        .authorize(&request(&parts, "GET", &get_arn), &function, now())
        .await
        .unwrap();
    assert!(again.from_cache);
    assert_eq!(again.latency, Duration::ZERO);
    assert_eq!(again.principal_id(), Some("user"));
    let post = a
        .authorize(&request(&parts, "POST", &post_arn), &function, now())
        .await;
    assert_eq!(post.unwrap_err(), Refused::Denied { explicit: false });
    assert_eq!(function.calls(), 1);
    assert_eq!(a.cached_results(), 1);
    // Another token is another entry.
    let other = self::parts(&[("authorization", "u")]);
    a.authorize(&request(&other, "GET", &get_arn), &function, now())
        .await
        .unwrap();
    assert_eq!(function.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn results_expire_after_the_ttl() {
    let function = scripted(Ok(leak(policy("Allow", "*"))));
    let a = authorizer(token(None), PayloadFormat::Rest, Duration::from_secs(60));
    let parts = parts(&[("authorization", "t")]);
    let arn = format!("{ARN}/GET/a");
    a.authorize(&request(&parts, "GET", &arn), &function, now())
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(59)).await;
    assert!(
        a.authorize(&request(&parts, "GET", &arn), &function, now())
            .await
            .unwrap()
            .from_cache
    );
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(
        !a.authorize(&request(&parts, "GET", &arn), &function, now())
            .await
            .unwrap()
            .from_cache
    );
    assert_eq!(function.calls(), 2);
    // No caching at all with a zero TTL.
    let uncached = authorizer(token(None), PayloadFormat::Rest, Duration::ZERO);
    for _ in 0..3 {
        uncached
            .authorize(&request(&parts, "GET", &arn), &function, now())
            .await
            .unwrap();
    }
    assert_eq!(function.calls(), 5);
    assert_eq!(uncached.cached_results(), 0);
}

#[tokio::test(start_paused = true)]
async fn slow_functions_time_out_and_latency_is_measured() {
    let parts = parts(&[("authorization", "t")]);
    let arn = format!("{ARN}/GET/a");
    let a = authorizer(token(None), PayloadFormat::Rest, TTL);
    let slow = Scripted {
        delay: Duration::from_secs(11),
        ..scripted(Ok(leak(policy("Allow", "*"))))
    };
    let r = a
        .authorize(&request(&parts, "GET", &arn), &slow, now())
        .await;
    assert_eq!(
        r.unwrap_err(),
        Refused::Failure(AuthorizerFailure::TimedOut)
    );
    let timely = Scripted {
        delay: Duration::from_millis(250),
        ..scripted(Ok(leak(policy("Allow", "*"))))
    };
    let ok = a
        .authorize(&request(&parts, "GET", &arn), &timely, now())
        .await
        .unwrap();
    assert_eq!(ok.latency, Duration::from_millis(250));
    assert_eq!(
        ok.event_value(IntegrationFormat::Rest)["integrationLatency"],
        250
    );
}

#[tokio::test]
async fn raised_errors_and_bad_output_are_not_cached() {
    let parts = parts(&[("authorization", "t")]);
    let arn = format!("{ARN}/GET/a");
    let a = authorizer(token(None), PayloadFormat::Rest, TTL);
    let cases = [
        (
            scripted(Err(InvokeError::FunctionError {
                message: "Unauthorized".into(),
            })),
            Refused::Unauthorized,
        ),
        (
            scripted(Err(InvokeError::FunctionError {
                message: "unauthorized".into(),
            })),
            Refused::Failure(AuthorizerFailure::Raised("unauthorized".into())),
        ),
        (
            scripted(Err(InvokeError::Unavailable("no such function".into()))),
            Refused::Failure(AuthorizerFailure::Unavailable("no such function".into())),
        ),
    ];
    for (function, refused) in cases {
        for _ in 0..2 {
            let r = a
                .authorize(&request(&parts, "GET", &arn), &function, now())
                .await;
            assert_eq!(r.unwrap_err(), refused);
        }
        assert_eq!(function.calls(), 2);
    }
    let nested = scripted(Ok(
        r#"{"principalId": "u", "policyDocument": {"Statement": []},
        "context": {"o": {"a": 1}}}"#,
    ));
    for _ in 0..2 {
        let r = a
            .authorize(&request(&parts, "GET", &arn), &nested, now())
            .await;
        assert!(matches!(r.unwrap_err(), Refused::ConfigurationError(m) if m.contains("\"o\"")));
    }
    assert_eq!(nested.calls(), 2);
    assert_eq!(a.cached_results(), 0);
}

#[tokio::test]
async fn denials_are_cached_and_explicit_denies_win() {
    let both = json!({"principalId": "u", "policyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"},
        {"Effect": "Deny", "Action": "execute-api:*", "Resource": format!("{ARN}/DELETE/*")}]}});
    let function = scripted(Ok(leak(both.to_string())));
    let a = authorizer(token(None), PayloadFormat::Rest, TTL);
    let parts = parts(&[("authorization", "t")]);
    let delete = format!("{ARN}/DELETE/a");
    for _ in 0..2 {
        let r = a
            .authorize(&request(&parts, "DELETE", &delete), &function, now())
            .await;
        assert_eq!(r.unwrap_err(), Refused::Denied { explicit: true });
    }
    assert_eq!(function.calls(), 1);
}

#[tokio::test]
async fn simple_responses_and_source_ip_conditions() {
    let parts = parts(&[("authorization", "t")]);
    let arn = format!("{ARN}/GET/a");
    let kind = || AuthorizerKind::Request {
        identity_sources: vec![
            IdentitySource::parse("$request.header.Authorization", true).unwrap(),
        ],
    };
    let simple = PayloadFormat::HttpV2 {
        simple_responses: true,
    };
    let yes = scripted(Ok(
        r#"{"isAuthorized": true, "context": {"m": {"k": "v"}}}"#,
    ));
    let a = authorizer(kind(), simple, TTL);
    let ok = a
        .authorize(&request(&parts, "GET", &arn), &yes, now())
        .await
        .unwrap();
    assert_eq!(
        ok.event_value(IntegrationFormat::HttpV2),
        json!({"lambda": {"m": {"k": "v"}}})
    );
    assert_eq!(ok.principal_id(), None);
    let no = scripted(Ok(r#"{"isAuthorized": false}"#));
    let b = authorizer(kind(), simple, TTL);
    let r = b.authorize(&request(&parts, "GET", &arn), &no, now()).await;
    assert_eq!(r.unwrap_err().response(Api::Http).status, 403);

    let office = json!({"principalId": "u", "policyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}});
    let function = scripted(Ok(leak(office.to_string())));
    let c = authorizer(kind(), PayloadFormat::HttpV1, TTL);
    let inside = AuthorizerRequest {
        source_ip: Some("192.0.2.7".parse().unwrap()),
        ..request(&parts, "GET", &arn)
    };
    assert!(c.authorize(&inside, &function, now()).await.is_ok());
    let outside = AuthorizerRequest {
        source_ip: Some("198.51.100.7".parse().unwrap()),
        ..inside
    };
    assert!(c.authorize(&outside, &function, now()).await.is_err());
    assert_eq!(function.calls(), 1);
}

#[test]
fn authorize_futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    let a = authorizer(token(None), PayloadFormat::Rest, TTL);
    let parts = parts(&[]);
    let function = scripted(Err(InvokeError::Unavailable(String::new())));
    let request = request(&parts, "GET", ARN);
    let future = a.authorize(&request, &function, Instant::now());
    is_send(&future);
}
